#!/usr/bin/env bash
# Profiling harness for `banso serve` under the load of ack-vs-floor.sh (the shared bench script): the same
# fake Web API, the same distinct signed /consult requests from 64 staff banso has never met, a one-second
# warm-up at one connection (the first contacts), then wrk at CONNECTIONS for SECONDS. Optionally records
# banso with perf (PERF=file: `perf record -g --call-graph dwarf` on the banso process during the measured run)
# and samples each process's CPU time. Prints wrk's summary, CPU seconds per process and per banso thread,
# context switches, the outbox state and the database and WAL sizes.
# Usage: benches/serve-load.sh BINARY CONNECTIONS SECONDS   (BENCH_DIR defaults to ../shared/bench)
# Extra environment for banso: SERVE_ENV="NAME=value ..." (not BANSO_ENV: banso reads BANSO_* itself).
# SEQ=1: one sequential Python client (benches/seq_client.py) instead of wrk, whose latency figures at one
# connection do not add up (mean latency x rate > 1). KEEP=file keeps banso's log.
set -u
bin=$(realpath "$1"); conns=${2:-16}; secs=${3:-5}
bench=$(realpath "${BENCH_DIR:-$(dirname "$0")/../../shared/bench}")
secret=bench-signing-secret
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
trap 'kill $PB $PF 2>/dev/null; rm -rf "$d"' EXIT
trap 'exit 1' INT TERM PIPE
python3 "$bench/fake_web_api.py" 3991 & PF=$!
(cd "$d" && env SLACK_SIGNING_SECRET=$secret SLACK_BOT_TOKEN=xoxb-bench SLACK_API_URL=http://127.0.0.1:3991/api/ \
  BANSO_DATABASE_URL="sqlite://$d/banso.db?mode=rwc" ${SERVE_ENV:-} "$bin" serve --listen 127.0.0.1:3905) >"$d/banso.log" 2>&1 & PB=$!
sleep 3
fresh() { python3 "$bench/make_requests.py" "$secret" $(( secs * 15000 + 20000 )) 64 "$d/requests.tsv" > "$d/post.lua"; }
url=http://127.0.0.1:3905/slack/commands
fresh; wrk -t1 -c1 -d1s -s "$d/post.lua" "$url" >/dev/null 2>&1; fresh
cpu() { awk '{print $14+$15}' /proc/$1/stat 2>/dev/null; }  # utime+stime in ticks
b0=$(cpu $PB); f0=$(cpu $PF); cs0=$(cat /proc/$PB/task/*/status | awk '/ctxt_switches/{s+=$2} END{print s}')
threads() { for t in /proc/$PB/task/*; do echo "$(basename $t) $(cat $t/comm | tr " " _) $(awk '{print $14+$15}' $t/stat)"; done; }
threads > "$d/threads0"
if [ -n "${PERF:-}" ]; then
  perf record -e cpu-clock -F "${PERF_FREQ:-499}" --call-graph dwarf,16384 -p $PB -o "$PERF" -- sleep "$secs" >/dev/null 2>&1 & PP=$!
fi
t=$(( conns < 2 ? 1 : 2 ))
if [ -n "${SEQ:-}" ]; then  # a sequential client instead of wrk, for a check of wrk's latency figures
  python3 "$here/seq_client.py" 3905 "$d/requests.tsv" "$(grep -o 'Timestamp"\] = "[0-9]*' "$d/post.lua" | grep -o '[0-9]*$')" "$secs"
else wrk -t$t -c"$conns" -d"${secs}s" --latency -s "$d/post.lua" "$url" | grep -E 'Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx'; fi
b1=$(cpu $PB); f1=$(cpu $PF); cs1=$(cat /proc/$PB/task/*/status | awk '/ctxt_switches/{s+=$2} END{print s}')
[ -n "${PERF:-}" ] && wait $PP
hz=$(getconf CLK_TCK)
echo "cpu seconds: banso $(echo "scale=2; ($b1-$b0)/$hz" | bc) fake_web_api $(echo "scale=2; ($f1-$f0)/$hz" | bc) (wall ${secs}s)"
threads > "$d/threads1"
echo "context switches of banso: $((cs1-cs0))"
echo "cpu seconds per banso thread during the run:"
awk -v hz=$hz 'NR==FNR{a[$1]=$3; next} {d=$3-a[$1]; if (d>0) printf "  %-20s %.2f\n", $2, d/hz}' "$d/threads0" "$d/threads1" | sort -k2 -n -r | head -14
sqlite3 "$d/banso.db" "SELECT 'consultations', COUNT(*) FROM consultations; SELECT 'outbox unsent', COUNT(*) FROM outbox WHERE sent_at IS NULL; SELECT 'outbox sent', COUNT(*) FROM outbox WHERE sent_at IS NOT NULL; SELECT 'outbox error', last_error, COUNT(*) FROM outbox WHERE last_error IS NOT NULL GROUP BY 2;" 2>/dev/null
ls -l "$d"/banso.db* | awk '{print "  " $5, $9}' | sed "s|$d/||"
kill $PB $PF 2>/dev/null; sleep 1; kill -9 $PB 2>/dev/null; wait 2>/dev/null
[ -n "${KEEP:-}" ] && cp "$d/banso.log" "$KEEP"
