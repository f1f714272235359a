//! The real `banso serve`, killed with SIGKILL while it sends: a harness
//! fills the outbox with messages to many channels, starts one or more
//! `banso serve` processes against a fake Slack Web API that keeps what it
//! was sent (with each post's metadata) and answers
//! `conversations.history`, and kills a process at random instants while
//! it posts, restarting it each time. Every message must reach Slack —
//! none lost — and none twice: a post Slack accepted just before the kill
//! is found in the history by its outbox key and not posted again.
//!
//! `cargo test --release --test serve_kills -- --ignored --nocapture`
//! prints the figures of BENCHMARKS.md: repeats per 100 kills with the
//! history readable and without it (the behaviour before the check), and
//! posts per outbox row with 1, 2 and 3 replicas.

mod support;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use banso::message::{Outgoing, Recipient};
use banso::store::{NewMessage, Store};
use serde_json::{Value, json};

/// A post Slack accepted: (channel, ts, outbox key from the metadata,
/// text).
type Post = (String, String, String, String);

/// A fake Slack that keeps every post it accepted.
#[derive(Clone, Default)]
struct FakeSlack {
    posted: Arc<Mutex<Vec<Post>>>,
    /// `conversations.history` answers `missing_scope` when false.
    history_readable: Arc<AtomicBool>,
}

impl FakeSlack {
    /// How many times each outbox key was posted.
    fn posts_per_key(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for (_, _, key, _) in self.posted.lock().unwrap().iter() {
            *counts.entry(key.clone()).or_insert(0) += 1;
        }
        counts
    }
}

/// A channel's id as Slack answers it: a channel given by name
/// (`#banso-team`) is posted to and answered with its id (`CBANSOTEAM`).
fn channel_id(channel: &str) -> String {
    match channel.strip_prefix('#') {
        Some(name) => format!("C{}", name.to_uppercase().replace('-', "")),
        None => channel.to_owned(),
    }
}

async fn post_message(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    let channel = channel_id(body["channel"].as_str().unwrap_or_default());
    let ts = {
        let mut posted = fake.posted.lock().unwrap();
        let ts = format!(
            "{}.{:06}",
            chrono::Utc::now().timestamp(),
            posted.len() % 1_000_000
        );
        posted.push((
            channel.clone(),
            ts.clone(),
            body["metadata"]["event_payload"]["key"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            body["text"].as_str().unwrap_or_default().to_owned(),
        ));
        ts
    };
    // Slack's answer takes a moment: a kill may land between Slack's
    // acceptance and banso's reading of it.
    tokio::time::sleep(Duration::from_millis(5)).await;
    Json(
        json!({ "ok": true, "channel": channel, "ts": ts, "message": { "type": "message", "ts": ts } }),
    )
}

async fn history(
    State(fake): State<FakeSlack>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    if !fake.history_readable.load(Ordering::Relaxed) {
        return Json(json!({ "ok": false, "error": "missing_scope" }));
    }
    let channel = query.get("channel").cloned().unwrap_or_default();
    if channel.starts_with('#') {
        // The history methods take ids only.
        return Json(json!({ "ok": false, "error": "channel_not_found" }));
    }
    let oldest: i64 = query
        .get("oldest")
        .and_then(|ts| ts.split('.').next()?.parse().ok())
        .unwrap_or(0);
    let messages: Vec<Value> = fake
        .posted
        .lock()
        .unwrap()
        .iter()
        .rev()
        .filter(|(to, ts, _, _)| {
            *to == channel && ts.split('.').next().unwrap().parse::<i64>().unwrap() >= oldest
        })
        .map(|(_, ts, key, text)| {
            json!({
                "type": "message", "ts": ts, "text": text, "bot_id": "B1",
                "metadata": {
                    "event_type": banso::chat::slack::web_api::POST_MARK_EVENT,
                    "event_payload": { "key": key, "part": "1", "parts": "1" },
                },
            })
        })
        .collect();
    Json(json!({ "ok": true, "messages": messages, "has_more": false }))
}

async fn start_fake_slack(fake: FakeSlack) -> String {
    let app = Router::new()
        .route(
            "/api/conversations.open",
            post(|Json(body): Json<Value>| async move {
                let user = body["users"][0].as_str().unwrap_or_default().to_owned();
                Json(json!({ "ok": true, "channel": { "id": format!("D{user}") } }))
            }),
        )
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/conversations.history", get(history))
        .route(
            "/api/users.info",
            get(|| async { Json(json!({ "ok": false, "error": "user_not_found" })) }),
        )
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/api")
}

/// One `banso serve` of the harness.
struct Replica {
    port: u16,
    child: Child,
}

impl Replica {
    fn start(dir: &std::path::Path, database_url: &str, api_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_banso"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .current_dir(dir)
            .env_remove("BANSO_CONFIG")
            .env_remove("SLACK_APP_TOKEN")
            .env_remove("SLACK_TEAM_ID")
            .env_remove("SLACK_DEPARTMENT_FIELD")
            .env("BANSO_DATABASE_URL", database_url)
            .env("SLACK_BOT_TOKEN", "xoxb-kills")
            .env("SLACK_SIGNING_SECRET", "kills-signing-secret")
            .env("SLACK_API_URL", api_url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start banso serve");
        Self { port, child }
    }

    async fn wait_until_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        loop {
            if let Ok(answer) = reqwest::get(&url).await
                && answer.status().is_success()
            {
                return;
            }
            assert!(
                self.child.try_wait().unwrap().is_none(),
                "banso serve exited at start"
            );
            assert!(Instant::now() < deadline, "banso serve did not come up");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().unwrap();
    }

    fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

/// What a run of the harness came to.
#[derive(Debug)]
struct Outcome {
    rows: usize,
    posts: usize,
    /// Posts beyond the first of a message.
    repeats: usize,
    /// Messages of the harness never posted.
    lost: usize,
}

/// Queues `messages` messages over `channels` channels, runs `replicas`
/// processes, kills one of them (in turn) `kills` times at random
/// instants while they send and restarts it, then lets them drain the
/// outbox and stops them.
async fn run(
    test: &support::TestStore,
    replicas: usize,
    messages: usize,
    channels: usize,
    kills: usize,
    history_readable: bool,
) -> Outcome {
    queue(&test.store, messages, channels).await;
    let fake = FakeSlack::default();
    fake.history_readable
        .store(history_readable, Ordering::Relaxed);
    let api_url = start_fake_slack(fake.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut running: Vec<Replica> = Vec::new();
    for _ in 0..replicas {
        let mut replica = Replica::start(dir.path(), test.url(), &api_url);
        replica.wait_until_healthy().await;
        running.push(replica);
    }
    let mut seed: u64 = 0x5eed_0000 + messages as u64;
    for kill in 0..kills {
        // A random instant within the next 30–400 ms, while posts go on.
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        tokio::time::sleep(Duration::from_millis(30 + (seed >> 33) % 370)).await;
        let victim = running.remove(kill % replicas);
        victim.kill();
        let mut replica = Replica::start(dir.path(), test.url(), &api_url);
        replica.wait_until_healthy().await;
        running.insert(kill % replicas, replica);
    }
    // The drain: every message of the harness in Slack.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let posted = fake.posts_per_key();
        let done = (0..messages).all(|n| posted.contains_key(&key(n)));
        if done && test.store.pending_messages(1).await.unwrap().is_empty() {
            break;
        }
        if Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for replica in running {
        replica.terminate();
    }
    let posted = fake.posts_per_key();
    Outcome {
        rows: messages,
        posts: posted.values().sum(),
        repeats: posted.values().map(|count| count - 1).sum(),
        lost: (0..messages)
            .filter(|n| !posted.contains_key(&key(*n)))
            .count(),
    }
}

fn key(n: usize) -> String {
    format!("kill:{n}")
}

async fn queue(store: &Store, messages: usize, channels: usize) {
    let queued: Vec<NewMessage> = (0..messages)
        .map(|n| NewMessage {
            idempotency_key: key(n),
            message: Outgoing {
                to: Recipient::Channel(format!("C{:03}", n % channels)),
                text: format!("message {n}"),
                buttons: Vec::new(),
            },
            deferred: None,
            edits: None,
            in_thread_of: None,
        })
        .collect();
    for chunk in queued.chunks(500) {
        store
            .enqueue_messages(chunk, chrono::Utc::now().timestamp())
            .await
            .unwrap();
    }
}

/// One process on SQLite, killed 12 times while it posts to 30 channels:
/// nothing lost, nothing posted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serve_killed_while_it_sends_loses_nothing_and_repeats_nothing() {
    let test = support::sqlite_store().await;
    let outcome = run(&test, 1, 300, 30, 12, true).await;
    assert_eq!((outcome.lost, outcome.repeats), (0, 0), "{outcome:?}");
    test.cleanup().await;
}

/// Two processes on one PostgreSQL database, one of them killed in turn
/// while both post: each message reaches Slack once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_one_killed_mid_drain_post_each_message_once() {
    let Some(test) = support::postgres_store().await else {
        return;
    };
    let outcome = run(&test, 2, 300, 30, 10, true).await;
    assert_eq!((outcome.lost, outcome.repeats), (0, 0), "{outcome:?}");
    assert_eq!(outcome.posts, outcome.rows);
    test.cleanup().await;
}

/// The figures (BENCHMARKS.md): repeats per 100 kills with the history
/// check and without it (history unreadable, as before the check), on
/// SQLite; posts per outbox row with 1, 2 and 3 replicas on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement of a few minutes: run with --ignored --nocapture"]
async fn figures_of_kills_and_replicas() {
    for readable in [false, true] {
        let test = support::sqlite_store().await;
        let outcome = run(&test, 1, 3_000, 50, 100, readable).await;
        println!("sqlite, 1 process, 100 kills, history readable: {readable}: {outcome:?}");
        test.cleanup().await;
    }
    for replicas in 1..=3 {
        let Some(test) = support::postgres_store().await else {
            return;
        };
        let outcome = run(&test, replicas, 600, 30, 0, true).await;
        println!(
            "postgres, {replicas} replica(s): {outcome:?}, posts per row {:.3}",
            outcome.posts as f64 / outcome.rows as f64
        );
        let test_killed = support::postgres_store().await.unwrap();
        let killed = run(&test_killed, replicas, 1_500, 50, 30, true).await;
        println!("postgres, {replicas} replica(s), 30 kills: {killed:?}");
        test.cleanup().await;
        test_killed.cleanup().await;
    }
}

/// `/metrics` of two replicas on one database: each reports its own Web
/// API calls and acknowledgements; the database's figures (the outbox,
/// the jobs) come from one of them only, so that a sum over replicas
/// counts them once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_report_each_replicas_calls_and_the_databases_figures_once() {
    let test = support::sqlite_store().await;
    queue(&test.store, 40, 1).await;
    let fake = FakeSlack::default();
    fake.history_readable.store(true, Ordering::Relaxed);
    let api_url = start_fake_slack(fake.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mut replica = Replica::start(dir.path(), test.url(), &api_url);
        replica.wait_until_healthy().await;
        replicas.push(replica);
    }
    // An unsigned request is refused, and counted as such.
    let refused = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{}/slack/commands",
            replicas[0].port
        ))
        .body("command=%2Fconsult&text=x")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut texts = Vec::new();
    for replica in &replicas {
        let answer = reqwest::get(format!("http://127.0.0.1:{}/metrics", replica.port))
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4"),
        );
        texts.push(answer.text().await.unwrap());
    }
    let value = |text: &str, series: &str| -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    };
    let exporting: Vec<&String> = texts
        .iter()
        .filter(|text| value(text, "banso_outbox_pending").is_some())
        .collect();
    assert_eq!(
        exporting.len(),
        1,
        "the database's figures once: {texts:#?}"
    );
    let pending = value(exporting[0], "banso_outbox_pending").unwrap();
    assert!((30.0..40.0).contains(&pending), "{pending}");
    assert!(value(exporting[0], "banso_outbox_oldest_pending_seconds").is_some());
    assert_eq!(value(exporting[0], "banso_outbox_given_up"), Some(0.0));
    assert!(value(exporting[0], "banso_jobs_late").is_some());
    assert_eq!(
        value(
            &texts[0],
            "banso_ack_seconds_count{endpoint=\"commands\",outcome=\"unverified\"}"
        ),
        Some(1.0),
        "{}",
        texts[0]
    );
    let posts: f64 = texts
        .iter()
        .filter_map(|text| {
            value(
                text,
                "banso_slack_api_calls_total{method=\"chat.postMessage\",status=\"ok\"}",
            )
        })
        .sum();
    assert!(posts >= 1.0, "{texts:#?}");
    // Scraped again, the same replica still holds the figures.
    let again = reqwest::get(format!(
        "http://127.0.0.1:{}/metrics",
        replicas[usize::from(exporting[0] != &texts[0])].port
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(value(&again, "banso_outbox_pending").is_some());
    // Stopped at once: a SIGTERM would flush the backlog for its bound.
    for replica in replicas {
        replica.kill();
    }
    test.cleanup().await;
}

/// The stop's figures (BENCHMARKS.md): time from SIGTERM to exit with 0,
/// 100 and 5,000 messages queued for one channel (at its pace of one a
/// second, a flush cannot send them all), and how many were left queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement of about a minute: run with --ignored --nocapture"]
async fn figures_of_stops() {
    for queued in [0, 100, 5_000] {
        let test = support::sqlite_store().await;
        queue(&test.store, queued, 1).await;
        let fake = FakeSlack::default();
        fake.history_readable.store(true, Ordering::Relaxed);
        let api_url = start_fake_slack(fake.clone()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut replica = Replica::start(dir.path(), test.url(), &api_url);
        replica.wait_until_healthy().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let asked = Instant::now();
        replica.terminate();
        let took = asked.elapsed();
        let left = test.store.pending_messages(10_000).await.unwrap().len();
        let posted = fake.posts_per_key().len();
        println!(
            "{queued} queued: exit {:.3} s after SIGTERM, {posted} posted, {left} left queued",
            took.as_secs_f64()
        );
        assert_eq!(posted + left, queued, "nothing lost");
        test.cleanup().await;
    }
}

/// The run, on PostgreSQL: two `banso serve` on one database, a
/// reminder due (planned before its time, as if the service had been
/// down at its time: it goes out late, once), and a burst of signed
/// `/consult` over both replicas; one replica is SIGKILLed while they
/// drain and restarted. Every outbox row reaches Slack exactly once, and
/// the reminder's job is done once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_take_a_burst_and_a_due_reminder_and_post_each_row_once_across_a_kill() {
    use banso::bot::clock::ManualClock;
    use banso::bot::texts::Texts;
    use banso::bot::{Bot, BotParts};
    use banso::config::{Language, parse_settings};
    use banso::scheduler::Scheduler;
    use chrono::{Duration as Days, TimeZone, Utc};
    use chrono_tz::Asia::Tokyo;

    let Some(test) = support::postgres_store().await else {
        return;
    };
    // The biweekly meeting on the next open day; its previous-day
    // reminder at 00:00 of the open day before it, which has passed.
    let calendar = banso::domain::calendar::OpenDayCalendar::japanese_default();
    let today = Utc::now().with_timezone(&Tokyo).date_naive();
    let meeting_day = calendar
        .next_open_day_on_or_after(today + Days::days(1))
        .unwrap();
    let reminder_day = calendar
        .previous_open_day_on_or_before(meeting_day - Days::days(1))
        .unwrap();
    let config = format!(
        "[contract]\nstart = \"{}\"\nend = \"{}\"\n\n[meetings.biweekly]\nanchor = \"{meeting_day}\"\n\n[reminders]\nbiweekly_previous_day = \"00:00\"\n",
        today - Days::days(60),
        today + Days::days(90),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("banso.toml"), &config).unwrap();
    let settings = parse_settings(&config, &banso::config::MapEnv::default()).unwrap();
    let reminder_due = Tokyo
        .from_local_datetime(&reminder_day.and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .to_utc();
    let planner = Bot::new(BotParts {
        settings: std::sync::Arc::new(settings),
        store: test.store.clone(),
        clock: std::sync::Arc::new(ManualClock::starting_at(reminder_due - Days::hours(1))),
        texts: std::sync::Arc::new(Texts::built_in(Language::Ja)),
    });
    Scheduler::new(planner, "planner").replan().await.unwrap();

    let fake = FakeSlack::default();
    fake.history_readable.store(true, Ordering::Relaxed);
    let api_url = start_fake_slack(fake.clone()).await;
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mut replica = Replica::start(dir.path(), test.url(), &api_url);
        replica.wait_until_healthy().await;
        replicas.push(replica);
    }
    let bases: Vec<String> = replicas
        .iter()
        .map(|replica| format!("http://127.0.0.1:{}", replica.port))
        .collect();
    let burst = (0..12).map(|n| {
        let base = bases[n % 2].clone();
        async move {
            support::signed_consult(&base, "kills-signing-secret", &format!("相談{n}")).await
        }
    });
    futures_util::future::join_all(burst).await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let victim = replicas.remove(0);
    victim.kill();
    let mut again = Replica::start(dir.path(), test.url(), &api_url);
    again.wait_until_healthy().await;
    replicas.push(again);

    let pool = sqlx::PgPool::connect(test.url()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (unsent,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
        if unsent == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{unsent} messages never sent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let keys: Vec<(String,)> = sqlx::query_as("SELECT idempotency_key FROM outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    let (jobs_done,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM scheduled_jobs WHERE status = 'done' AND kind LIKE '%previous%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    for replica in replicas {
        replica.kill();
    }
    let posted = fake.posts_per_key();
    assert!(keys.len() >= 12 * 2, "{} rows", keys.len());
    for (key,) in &keys {
        assert_eq!(posted.get(key), Some(&1), "{key}: {posted:?}");
    }
    assert_eq!(posted.len(), keys.len(), "nothing posted that is not a row");
    assert_eq!(jobs_done, 1, "the reminder's job, once");
    let reminders = fake
        .posted
        .lock()
        .unwrap()
        .iter()
        .filter(|(to, _, _, _)| to == "CBANSO")
        .count();
    assert!(reminders >= 1, "the reminder reached the meetings channel");
    test.cleanup().await;
}
