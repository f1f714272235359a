#!/usr/bin/env python3
"""One connection, sequential signed /slack/commands requests from make_requests.py's data file (body<TAB>signature,
signed at timestamp TS); prints the latency distribution as the client saw it. Used by serve-load.sh (SEQ=1).
Usage: seq_client.py PORT DATA TS SECONDS"""
import http.client, sys, time
port, tsv, ts, secs = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
rows = [l.rstrip('\n').split('\t') for l in open(tsv)]
c = http.client.HTTPConnection('127.0.0.1', port)
lat = []; end = time.time() + secs; i = 0
while time.time() < end:
    b, s = rows[i % len(rows)]; i += 1
    t0 = time.perf_counter()
    c.request('POST', '/slack/commands', body=b, headers={'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': s})
    r = c.getresponse(); r.read()
    lat.append(time.perf_counter() - t0)
lat.sort(); n = len(lat)
print(f"n={n} rps={n/secs:.0f} mean={1000*sum(lat)/n:.3f}ms p50={1000*lat[n//2]:.3f} p90={1000*lat[int(n*.9)]:.3f} p99={1000*lat[int(n*.99)]:.3f} max={1000*lat[-1]:.1f}")
print("slow (>5ms):", sum(1 for x in lat if x > 0.005))
