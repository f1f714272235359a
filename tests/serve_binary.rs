//! The real `banso serve` binary, end to end over loopback: a signed
//! `/consult` is stored and acknowledged, its messages reach a fake Slack
//! Web API, SIGTERM stops it cleanly, and after a restart only new
//! messages go out.

mod support;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

const SECRET: &str = "binary-signing-secret";

/// Every `chat.postMessage`, as (channel, text).
type Posted = Arc<Mutex<Vec<(String, String)>>>;

async fn start_fake_slack(posted: Posted) -> String {
    let app = Router::new()
        .route(
            "/api/conversations.open",
            post(|Json(body): Json<Value>| async move {
                let user = body["users"][0].as_str().unwrap_or_default().to_owned();
                Json(json!({ "ok": true, "channel": { "id": format!("D{user}") } }))
            }),
        )
        .route(
            "/api/chat.postMessage",
            post(
                |State(posted): State<Posted>, Json(body): Json<Value>| async move {
                    posted.lock().unwrap().push((
                        body["channel"].as_str().unwrap_or_default().to_owned(),
                        body["text"].as_str().unwrap_or_default().to_owned(),
                    ));
                    Json(json!({
                        "ok": true, "channel": body["channel"], "ts": "1.000100",
                        "message": { "type": "message", "ts": "1.000100" },
                    }))
                },
            ),
        )
        .route(
            "/api/users.info",
            get(|| async { Json(json!({ "ok": false, "error": "user_not_found" })) }),
        )
        .with_state(posted);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/api")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_banso(dir: &std::path::Path, port: u16, api_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_banso"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .env_remove("BANSO_CONFIG")
        .env_remove("SLACK_APP_TOKEN")
        .env_remove("SLACK_TEAM_ID")
        .env_remove("SLACK_DEPARTMENT_FIELD")
        .env("BANSO_DATABASE_URL", "sqlite://banso.db?mode=rwc")
        .env("SLACK_BOT_TOKEN", "xoxb-binary")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_API_URL", api_url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start banso serve")
}

async fn wait_until_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(answer) = reqwest::get(format!("{base}/healthz")).await
            && answer.status().is_success()
        {
            let health: Value = answer.json().await.unwrap();
            assert_eq!(health["database"], "ok", "{health}");
            return;
        }
        assert!(Instant::now() < deadline, "banso serve did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for(posted: &Posted, count: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = posted.lock().unwrap().clone();
        if now.len() >= count {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {count} messages: {now:?}",
            now.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends SIGTERM and waits for the exit status.
fn terminate(mut child: Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "banso serve did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends a signed `/consult TEXT` as Slack would and checks the ack.
async fn consult(base: &str, text: &str) {
    support::signed_consult(base, SECRET, text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_through_the_real_binary_is_stored_delivered_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let posted = Posted::default();
    let api_url = start_fake_slack(posted.clone()).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let banso = start_banso(dir.path(), port, &api_url);
    wait_until_healthy(&base).await;
    consult(&base, "不審なメール").await;

    // The confirmation DM and the team post arrive through the outbox.
    let delivered = wait_for(&posted, 2).await;
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert!(
        delivered
            .iter()
            .any(|(channel, text)| channel == "DU0TANAKA" && text.contains("-001")),
        "{delivered:?}"
    );
    assert!(
        delivered
            .iter()
            .any(|(channel, _)| channel == "#banso-team"),
        "{delivered:?}"
    );

    let status = terminate(banso);
    assert!(status.success(), "clean exit on SIGTERM: {status}");

    // A restart finds the consultation and resends nothing Slack accepted.
    // The proof is positive: a new consultation's two messages go to the
    // same two channels, and the sender keeps each channel's order, so
    // anything resent from before the restart would arrive ahead of them.
    let again = start_banso(dir.path(), port, &api_url);
    wait_until_healthy(&base).await;
    consult(&base, "USBメモリの紛失").await;
    let after_restart = wait_for(&posted, delivered.len() + 2).await;
    assert_eq!(after_restart[..2], delivered[..], "{after_restart:?}");
    let new: Vec<&(String, String)> = after_restart[2..].iter().collect();
    assert_eq!(new.len(), 2, "only the new messages: {after_restart:?}");
    assert!(
        new.iter()
            .any(|(channel, text)| channel == "DU0TANAKA" && text.contains("-002")),
        "{after_restart:?}"
    );
    assert!(
        new.iter()
            .any(|(channel, text)| channel == "#banso-team" && text.contains("-002")),
        "{after_restart:?}"
    );
    assert!(terminate(again).success());
    assert_eq!(
        posted.lock().unwrap().len(),
        4,
        "nothing more on the way out"
    );
    let store = banso::store::Store::open(&format!(
        "sqlite://{}",
        dir.path().join("banso.db").display()
    ))
    .await
    .unwrap();
    let stored = store
        .list_consultations(&banso::store::ListFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut titles: Vec<(&str, &str)> = stored
        .iter()
        .map(|c| (c.requester.as_str(), c.title.as_str()))
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("U0TANAKA", "USBメモリの紛失"),
            ("U0TANAKA", "不審なメール")
        ],
        "{stored:?}"
    );
    store.close().await;
}

/// With thousands of messages queued for one channel (paced at one a
/// second), SIGTERM still ends `banso serve` within its ten-second flush
/// bound; what was not sent stays queued, and the next start sends on at
/// once (the stop freed the channel's turn) without repeating anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_thousands_queued_keeps_its_bound_and_loses_nothing() {
    use banso::message::{Outgoing, Recipient};
    use banso::store::{NewMessage, Store};
    const QUEUED: usize = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("banso.db").display()
    );
    let store = Store::open(&url).await.unwrap();
    let messages: Vec<NewMessage> = (0..QUEUED)
        .map(|n| NewMessage {
            idempotency_key: format!("queued:{n}"),
            message: Outgoing {
                to: Recipient::Channel("#banso-team".into()),
                text: format!("queued {n:04}"),
                buttons: Vec::new(),
            },
            deferred: None,
            edits: None,
            in_thread_of: None,
        })
        .collect();
    for chunk in messages.chunks(500) {
        store
            .enqueue_messages(chunk, chrono::Utc::now().timestamp())
            .await
            .unwrap();
    }
    store.close().await;

    let posted = Posted::default();
    let api_url = start_fake_slack(posted.clone()).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let banso = start_banso(dir.path(), port, &api_url);
    wait_until_healthy(&base).await;
    wait_for(&posted, 1).await;
    // A backlog is reported by /healthz, which stays 200 all the same.
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let health: Value = health.json().await.unwrap();
    let pending = health["outbox"]["pending"].as_i64().unwrap();
    assert!(pending > 2_900 && pending < 3_000, "{health}");
    assert!(
        health["outbox"]["oldest_pending_seconds"]
            .as_i64()
            .is_some(),
        "{health}"
    );
    assert_eq!(health["outbox"]["given_up"], 0, "{health}");
    let asked = Instant::now();
    let status = terminate(banso);
    let took = asked.elapsed();
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(15), "stopped after {took:?}");
    let sent_before = posted.lock().unwrap().len();
    assert!(sent_before < QUEUED, "the pace cannot have sent them all");
    // The flush went on at the channel's pace for most of its bound.
    assert!(sent_before >= 4, "only {sent_before} sent by the flush");

    let store = Store::open(&url).await.unwrap();
    assert_eq!(
        store.pending_messages(10_000).await.unwrap().len(),
        QUEUED - sent_before,
        "every message not posted is still queued"
    );
    store.close().await;

    // The next start goes on at once: the stop freed the channel.
    let again = start_banso(dir.path(), port, &api_url);
    wait_until_healthy(&base).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while posted.lock().unwrap().len() == sent_before {
        assert!(
            Instant::now() < deadline,
            "the channel stayed held after the restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(terminate(again).success());
    let texts: Vec<String> = posted
        .lock()
        .unwrap()
        .iter()
        .map(|(_, text)| text.clone())
        .collect();
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), texts.len(), "a message was posted twice");
    // In their order, across the restart.
    let mut ordered = texts.clone();
    ordered.sort();
    assert_eq!(ordered, texts);
}
