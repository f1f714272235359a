//! `/consult` end to end through the bot core on a SQLite file: parse,
//! store (quota counter, short id, consultation, history), render and queue
//! the outgoing messages. Reports commands per second and latency
//! percentiles. Run with `cargo bench --bench consult`; figures go to
//! BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use banso::bot::clock::ManualClock;
use banso::bot::texts::Texts;
use banso::bot::{Bot, BotParts};
use banso::config::{Language, Settings};
use banso::message::UserId;
use banso::store::Store;

const WARM_UP: usize = 200;
const MEASURED: usize = 5_000;
/// Requests per simulated month: the contract's 10 and a couple over, so
/// the held path (more messages) is exercised as often as in real use.
const PER_MONTH: usize = 12;

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

async fn run(bot: &Bot, clock: &ManualClock, count: usize, offset: usize) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(count);
    for n in 0..count {
        if (n + offset).is_multiple_of(PER_MONTH) {
            clock.advance(chrono::Duration::days(31));
        }
        let user = UserId::parse(&format!("staff{}", n % 50)).expect("valid name");
        let started = Instant::now();
        let replies = bot
            .handle_text(
                &user,
                "/consult VPN装置のファームウェア更新について相談です",
            )
            .await;
        latencies.push(started.elapsed());
        std::hint::black_box(replies);
    }
    latencies
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    runtime.block_on(async {
        let store = Store::open(&url).await.expect("open store");
        let clock = ManualClock::starting_at(
            chrono::DateTime::parse_from_rfc3339("2024-04-01T10:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        let bot = Bot::new(BotParts {
            settings: Arc::new(Settings::default()),
            store: store.clone(),
            clock: Arc::new(clock.clone()),
            texts: Arc::new(Texts::built_in(Language::Ja)),
        });
        // Every user has a department, so no follow-up question is asked.
        for n in 0..50 {
            store
                .set_department(&format!("staff{n}"), "総務局 総務課", 0)
                .await
                .expect("department");
        }
        run(&bot, &clock, WARM_UP, 0).await;
        let started = Instant::now();
        let mut latencies = run(&bot, &clock, MEASURED, WARM_UP).await;
        let elapsed = started.elapsed();
        latencies.sort();
        println!("consult end to end on SQLite ({MEASURED} commands, one at a time)");
        println!(
            "  throughput: {:.0} commands/s",
            MEASURED as f64 / elapsed.as_secs_f64()
        );
        for (name, fraction) in [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0)] {
            println!(
                "  {name}: {:.3} ms",
                percentile(&latencies, fraction).as_secs_f64() * 1_000.0
            );
        }
        store.close().await;
    });
}
