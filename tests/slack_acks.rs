//! Acknowledgements and the guards in front of them, over both transports:
//! with a fake Slack whose every Web API method takes five seconds, every
//! request is still acknowledged well within Slack's three seconds and
//! `/consult`'s modal is opened right after its ack; a replayed signed
//! request does nothing, after a restart and across replicas too; with
//! `SLACK_TEAM_ID` set, a request that names no workspace, or another, is
//! refused.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::routing::any;
use axum::{Json, Router};
use banso::bot::clock::{Clock, ManualClock};
use banso::bot::{Bot, BotParts};
use banso::chat::slack::web_api::WebApi;
use banso::config::{Language, Secret, Settings, SlackSecrets};
use banso::store::{ListFilter, Store};
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_tungstenite::tungstenite::Message;

const SECRET: &str = "test-signing-secret";
/// How long each Web API method of the slow fake takes to answer.
const SLOW: Duration = Duration::from_secs(5);
/// What the tests hold an ack to: well under Slack's three seconds.
const ACK_WITHIN: Duration = Duration::from_secs(2);
/// Slack's trigger_id is good for three seconds from the command.
const TRIGGER_LASTS: Duration = Duration::from_secs(3);
const NOW: &str = "2024-06-10T10:00:00+09:00";

/// A Web API call as the slow fake received it.
#[derive(Clone, Debug)]
struct Call {
    method: String,
    body: String,
    arrived: Instant,
}

/// A fake Slack whose every Web API method answers after `SLOW`, in
/// Slack's shapes; `apps.connections.open` (opening Socket Mode, in front
/// of no request) answers at once with `ws_url`.
#[derive(Clone, Default)]
struct SlowSlack {
    calls: Arc<Mutex<Vec<Call>>>,
    ws_url: Arc<Mutex<String>>,
}

impl SlowSlack {
    fn calls_of(&self, method: &str) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|call| call.method == method)
            .cloned()
            .collect()
    }

    /// The calls of `method` once there are `count`, or after four seconds.
    async fn settled(&self, method: &str, count: usize) -> Vec<Call> {
        for _ in 0..200 {
            let calls = self.calls_of(method);
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.calls_of(method)
    }
}

/// Any method, by POST or (Slack's read methods, as slack-morphism sends
/// them) GET; a GET's query is recorded as its body.
async fn slow_method(
    State(fake): State<SlowSlack>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    body: String,
) -> Json<Value> {
    let body = query.unwrap_or(body);
    if method == "apps.connections.open" {
        let url = fake.ws_url.lock().unwrap().clone();
        return Json(json!({ "ok": true, "url": url }));
    }
    fake.calls.lock().unwrap().push(Call {
        method: method.clone(),
        body: body.clone(),
        arrived: Instant::now(),
    });
    tokio::time::sleep(SLOW).await;
    Json(match method.as_str() {
        "users.info" => json!({
            "ok": true,
            "user": { "id": "U0", "real_name": "新人 太郎", "profile": { "real_name": "新人 太郎", "title": "総務課" } }
        }),
        "views.open" => json!({ "ok": true, "view": {
            "id": "V1", "team_id": "T1", "type": "modal", "hash": "1.a",
            "title": { "type": "plain_text", "text": "相談" }, "blocks": [],
        } }),
        "conversations.open" => json!({ "ok": true, "channel": { "id": "D0" } }),
        "chat.postMessage" => json!({
            "ok": true, "channel": "D0", "ts": "1718000000.000100",
            "message": { "type": "message", "ts": "1718000000.000100" },
        }),
        _ => json!({ "ok": true }),
    })
}

/// The slow fake's Web API base URL.
async fn start_slow_slack(fake: SlowSlack) -> String {
    let app = Router::new()
        .route("/api/{method}", any(slow_method))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/api")
}

/// banso's HTTP endpoints, with the Web API at `api_url` if given.
async fn start_banso(bot: Bot, api_url: Option<&str>) -> String {
    let api = api_url.map(|url| WebApi::new(Secret::new("xoxb-test"), Some(url)));
    let app = banso::chat::slack::http::router(bot, Some(Secret::new(SECRET)), api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// A bot on a manual clock at `NOW`, serving `team_id` if given.
fn bot(store: &Store, team_id: Option<&str>) -> (Bot, ManualClock) {
    let clock =
        ManualClock::starting_at(chrono::DateTime::parse_from_rfc3339(NOW).unwrap().to_utc());
    let settings = Settings {
        slack: SlackSecrets {
            team_id: team_id.map(str::to_owned),
            ..SlackSecrets::default()
        },
        ..Settings::default()
    };
    let bot = Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: Arc::new(clock.clone()),
        texts: Arc::new(banso::bot::texts::Texts::built_in(Language::Ja)),
    });
    (bot, clock)
}

fn signature(timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// What banso answered: status and body.
struct Answer {
    status: u16,
    body: String,
    took: Duration,
}

/// Posts `body` to `path` signed at `timestamp`, as Slack does.
async fn post_signed(banso: &str, path: &str, body: &str, timestamp: i64) -> Answer {
    let content_type = if path == "/slack/events" {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{banso}{path}"))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header("x-slack-signature", signature(timestamp, body))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    Answer {
        status,
        body,
        took: started.elapsed(),
    }
}

fn command(user: &str, text: &str, extra: &str) -> String {
    format!(
        "command=%2Fconsult&text={}&user_id={user}&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.{user}{extra}",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

fn as_payload(payload: &Value) -> String {
    format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.to_string().as_bytes()).collect::<String>()
    )
}

async fn consultation_count(store: &Store) -> usize {
    let all = ListFilter {
        limit: 100,
        ..Default::default()
    };
    store.list_consultations(&all).await.unwrap().len()
}

#[tokio::test]
async fn every_request_is_acknowledged_in_time_while_every_web_api_method_takes_five_seconds() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot(store, None);
    let now = clock.now().timestamp();
    let fake = SlowSlack::default();
    let api_url = start_slow_slack(fake.clone()).await;
    let banso = start_banso(bot, Some(&api_url)).await;

    // `/consult` alone from someone banso has never met: a silent ack in
    // time, then views.open within the trigger's three seconds.
    let sent = Instant::now();
    let form = post_signed(
        &banso,
        "/slack/commands",
        &command("U0NEW1", "", "&team_id=T1"),
        now,
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(form.took < ACK_WITHIN, "the ack took {:?}", form.took);
    assert_eq!(form.body, "", "a silent ack is an empty body");
    let opened = fake.settled("views.open", 1).await;
    assert_eq!(opened.len(), 1, "the modal is opened");
    assert!(
        opened[0].arrived.duration_since(sent) < TRIGGER_LASTS,
        "views.open came {:?} after the command",
        opened[0].arrived.duration_since(sent)
    );
    let view: Value = serde_json::from_str(&opened[0].body).unwrap();
    assert_eq!(view["view"]["callback_id"], "consult_form");
    assert!(view["trigger_id"].as_str().unwrap().ends_with("U0NEW1"));

    // A consultation typed at once, twice in a row from another newcomer:
    // both in time, both stored, and Slack asked about them once.
    for (text, short_id) in [("VPNの相談", "2406-001"), ("二件目", "2406-002")] {
        let quick = post_signed(
            &banso,
            "/slack/commands",
            &command("U0NEW2", text, "&team_id=T1"),
            now,
        )
        .await;
        assert_eq!(quick.status, 200);
        assert!(quick.took < ACK_WITHIN, "the ack took {:?}", quick.took);
        let stored = store.consultation_by_short_id(short_id).await.unwrap();
        assert_eq!(stored.expect("stored before the ack").requester, "U0NEW2");
    }
    let lookups: Vec<Call> = fake
        .calls_of("users.info")
        .into_iter()
        .filter(|call| call.body.contains("U0NEW2"))
        .collect();
    assert_eq!(lookups.len(), 1, "one lookup per person at a time");

    // A button press and events (a DM, the App Home) are as quick.
    let press = json!({
        "type": "block_actions", "trigger_id": "5.5", "user": { "id": "U0NEW2" }, "team": { "id": "T1" },
        "api_app_id": "A1",
        "container": { "type": "message", "message_ts": "1718000000.000100", "channel_id": "D0NEW2", "is_ephemeral": false },
        "actions": [{ "type": "button", "action_id": "consultation:withdraw#0", "block_id": "b0", "value": "2406-001", "action_ts": "1718000005.000100" }],
    });
    let pressed = post_signed(&banso, "/slack/interactions", &as_payload(&press), now).await;
    assert_eq!(pressed.status, 200);
    assert!(pressed.took < ACK_WITHIN, "the ack took {:?}", pressed.took);
    let withdrawn = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        withdrawn.status,
        banso::domain::consultation::Status::Withdrawn
    );
    for event in [
        json!({ "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSLOW1", "event_time": 1718000000,
                "event": { "type": "message", "channel": "D0NEW3", "channel_type": "im", "user": "U0NEW3", "text": "/consult DMからの相談",
                           "ts": "1718000000.000100", "event_ts": "1718000000.000100" } }),
        json!({ "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSLOW2", "event_time": 1718000000,
                "event": { "type": "app_home_opened", "user": "U0NEW3", "channel": "D0NEW3", "tab": "home", "event_ts": "1718000000.000200" } }),
    ] {
        let answered = post_signed(&banso, "/slack/events", &event.to_string(), now).await;
        assert_eq!(answered.status, 200);
        assert!(
            answered.took < ACK_WITHIN,
            "the ack took {:?}",
            answered.took
        );
    }
    assert_eq!(consultation_count(store).await, 3);
    test.cleanup().await;
}

#[tokio::test]
async fn a_web_api_call_that_takes_too_long_is_given_up_as_a_network_failure() {
    let fake = SlowSlack::default();
    let api_url = start_slow_slack(fake.clone()).await;
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url))
        .with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let answer = api.open_dm("U0TANAKA").await;
    assert!(
        matches!(
            answer,
            Err(banso::chat::slack::web_api::ApiError::Network(_))
        ),
        "{answer:?}"
    );
    assert!(
        started.elapsed() < SLOW,
        "gave up after {:?}",
        started.elapsed()
    );
    assert_eq!(api.reachability().code(), "unreachable");
}

#[tokio::test]
async fn a_replayed_request_does_nothing_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("banso.db").display());
    let first = Store::open(&url).await.unwrap();
    let (bot_before, clock) = bot(&first, None);
    let now = clock.now().timestamp();
    let before = start_banso(bot_before, None).await;
    let consult = command("U0TANAKA", "VPNの相談", "&team_id=T1");
    let shortcut = as_payload(&json!({
        "type": "message_action", "callback_id": "register_consultation", "trigger_id": "9.9",
        "user": { "id": "U0SUZUKI" }, "team": { "id": "T1" }, "channel": { "id": "C0GENERAL" },
        "response_url": "http://127.0.0.1:9/app/T1/2/abc",
        "message": { "ts": "1718000000.000100", "text": "この添付を開いても大丈夫ですか？" },
    }));
    for _ in 0..2 {
        assert_eq!(
            post_signed(&before, "/slack/commands", &consult, now)
                .await
                .status,
            200
        );
        assert_eq!(
            post_signed(&before, "/slack/interactions", &shortcut, now)
                .await
                .status,
            200
        );
    }
    assert_eq!(
        consultation_count(&first).await,
        2,
        "one consultation per request"
    );
    let replay = post_signed(&before, "/slack/commands", &consult, now).await;
    assert_eq!(
        (replay.status, replay.body.as_str()),
        (200, ""),
        "answered without effect"
    );

    // A restart: another store and router on the same file.
    let second = Store::open(&url).await.unwrap();
    let (bot_after, _) = bot(&second, None);
    let after = start_banso(bot_after, None).await;
    assert_eq!(
        post_signed(&after, "/slack/commands", &consult, now)
            .await
            .status,
        200
    );
    assert_eq!(
        post_signed(&after, "/slack/interactions", &shortcut, now)
            .await
            .status,
        200
    );
    assert_eq!(
        consultation_count(&second).await,
        2,
        "still one per request"
    );

    // The same words sent again are a new request (a new signature).
    assert_eq!(
        post_signed(&after, "/slack/commands", &consult, now + 1)
            .await
            .status,
        200
    );
    assert_eq!(consultation_count(&second).await, 3);

    // Claims past the window go; recent ones stay.
    let window = banso::chat::slack::signature::MAX_SKEW_SECONDS;
    assert_eq!(
        second
            .forget_signed_requests_before(now - window)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        second.forget_signed_requests_before(now + 2).await.unwrap(),
        3
    );
    second.close().await;
    first.close().await;
}

/// The claim's rules on one store.
async fn claims_are_won_once(store: &Store, label: &str) {
    assert!(
        store.claim_signed_request("ab12", 100).await.unwrap(),
        "{label}"
    );
    assert!(
        !store.claim_signed_request("ab12", 100).await.unwrap(),
        "{label}"
    );
    assert!(
        store.claim_signed_request("cd34", 200).await.unwrap(),
        "{label}"
    );
    assert_eq!(
        store.forget_signed_requests_before(150).await.unwrap(),
        1,
        "{label}"
    );
    assert!(
        !store.claim_signed_request("cd34", 200).await.unwrap(),
        "{label}"
    );
    assert!(
        store.claim_signed_request("ab12", 100).await.unwrap(),
        "{label}: forgotten"
    );
}

#[tokio::test]
async fn a_claim_is_won_once_on_every_backend() {
    // A SQLite file (through the intake writer), PostgreSQL when
    // configured, and an in-memory SQLite (through sqlx).
    for test in support::all_stores().await {
        claims_are_won_once(&test.store, test.label).await;
        test.cleanup().await;
    }
    let memory = Store::open("sqlite::memory:").await.unwrap();
    claims_are_won_once(&memory, "sqlite::memory:").await;
}

#[tokio::test]
async fn replicas_on_one_postgres_database_take_a_request_once() {
    let Ok(url) = std::env::var("BANSO_TEST_POSTGRES_URL") else {
        return;
    };
    if url.is_empty() {
        return;
    }
    let schema = format!("banso_replay_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
    )))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{separator}options=-csearch_path%3D{schema}");
    let one = Store::open(&schema_url).await.unwrap();
    let other = Store::open(&schema_url).await.unwrap();
    let (bot_one, clock) = bot(&one, None);
    let (bot_other, _) = bot(&other, None);
    let now = clock.now().timestamp();
    let (replica_one, replica_other) = (
        start_banso(bot_one, None).await,
        start_banso(bot_other, None).await,
    );
    let consult = command("U0TANAKA", "VPNの相談", "&team_id=T1");
    let (a, b) = tokio::join!(
        post_signed(&replica_one, "/slack/commands", &consult, now),
        post_signed(&replica_other, "/slack/commands", &consult, now),
    );
    assert_eq!((a.status, b.status), (200, 200));
    let again = post_signed(&replica_other, "/slack/commands", &consult, now).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        consultation_count(&one).await,
        1,
        "one consultation across the replicas"
    );
    one.close().await;
    other.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA \"{schema}\" CASCADE"
    )))
    .execute(&admin)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_request_that_names_no_workspace_or_another_is_refused() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot_t1, clock) = bot(store, Some("T1"));
    let now = clock.now().timestamp();
    let banso = start_banso(bot_t1, None).await;
    let refused = [
        ("/slack/commands", command("U0TANAKA", "チームなし", "")),
        ("/slack/commands", command("U0TANAKA", "空のチーム", "&team_id=")),
        (
            "/slack/interactions",
            as_payload(&json!({
                "type": "message_action", "callback_id": "register_consultation", "trigger_id": "9.9",
                "user": { "id": "U0SUZUKI" }, "team": null, "enterprise": { "id": "E1" },
                "channel": { "id": "C0GENERAL" }, "message": { "ts": "1718000000.000100", "text": "相談" },
            })),
        ),
        (
            "/slack/events",
            json!({ "type": "event_callback", "event_id": "EvNOTEAM",
                    "event": { "type": "message", "channel_type": "im", "user": "U0TANAKA", "text": "/consult チームなし" } })
            .to_string(),
        ),
    ];
    for (path, body) in &refused {
        let answer = post_signed(&banso, path, body, now).await;
        assert_eq!(answer.status, 403, "{path} {body}");
    }
    assert_eq!(
        consultation_count(store).await,
        0,
        "nothing done for a refused request"
    );

    // An app installed across an organisation: SLACK_TEAM_ID names it.
    let (bot_e1, _) = bot(store, Some("E1"));
    let banso = start_banso(bot_e1, None).await;
    let elsewhere = command("U0TANAKA", "別の組織", "&team_id=T5&enterprise_id=E2");
    assert_eq!(
        post_signed(&banso, "/slack/commands", &elsewhere, now)
            .await
            .status,
        403
    );
    let ours = command("U0TANAKA", "同じ組織", "&team_id=T5&enterprise_id=E1");
    assert_eq!(
        post_signed(&banso, "/slack/commands", &ours, now)
            .await
            .status,
        200
    );
    assert_eq!(consultation_count(store).await, 1);
    test.cleanup().await;
}

/// A `/consult` as a Socket Mode envelope carries it, with the workspace
/// `team` (if any).
fn command_payload(user: &str, text: &str, team: Option<&str>) -> Value {
    let mut payload = json!({
        "command": "/consult", "text": text, "user_id": user, "user_name": user.to_lowercase(),
        "channel_id": "C0CONSULT", "channel_name": "general", "api_app_id": "A1",
        "response_url": "http://127.0.0.1:9/commands/T1/1/abc",
        "trigger_id": format!("1.2.{user}"),
    });
    if let Some(team) = team {
        payload["team_id"] = json!(team);
    }
    payload
}

fn envelope(id: &str, payload: Value) -> Message {
    let envelope = json!({
        "envelope_id": id, "type": "slash_commands", "accepts_response_payload": true, "payload": payload,
    });
    Message::text(envelope.to_string())
}

#[tokio::test]
async fn socket_mode_acknowledges_first_and_opens_the_modal_after_the_ack() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot_t1, _) = bot(store, Some("T1"));
    let ws_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = SlowSlack::default();
    *fake.ws_url.lock().unwrap() = format!("ws://{}/link", ws_listener.local_addr().unwrap());
    let api_url = start_slow_slack(fake.clone()).await;
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url));
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(banso::chat::slack::socket_mode::run(
        bot_t1,
        Secret::new("xapp-test"),
        api_url.clone(),
        Some(api),
        shutdown,
    ));
    let (stream, _) = ws_listener.accept().await.unwrap();
    let mut socket = tokio_tungstenite::accept_async(stream).await.unwrap();
    socket
        .send(Message::text(json!({ "type": "hello", "num_connections": 1, "connection_info": { "app_id": "A1" }, "debug_info": { "host": "applink-test" } }).to_string()))
        .await
        .unwrap();
    let frames = [
        envelope("env-form", command_payload("U0NEW1", "", Some("T1"))),
        envelope(
            "env-other",
            command_payload("U0NEW2", "別の職場", Some("T9")),
        ),
        envelope("env-none", command_payload("U0NEW2", "チームなし", None)),
        envelope(
            "env-quick",
            command_payload("U0NEW3", "VPNの相談", Some("T1")),
        ),
    ];
    let sent = Instant::now();
    for frame in frames {
        socket.send(frame).await.unwrap();
    }
    let mut acks = std::collections::HashMap::new();
    while acks.len() < 4 {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an ack in time")
            .unwrap()
            .unwrap();
        let ack: Value = serde_json::from_str(frame.to_text().unwrap()).unwrap();
        acks.insert(
            ack["envelope_id"].as_str().unwrap().to_owned(),
            (ack, Instant::now()),
        );
    }
    for (id, (ack, at)) in &acks {
        assert!(
            at.duration_since(sent) < ACK_WITHIN,
            "{id} acknowledged after {:?}",
            at.duration_since(sent)
        );
        if id != "env-quick" {
            assert_eq!(*ack, json!({ "envelope_id": id }), "{id}: a bare ack");
        }
    }
    let opened = fake.settled("views.open", 1).await;
    assert_eq!(opened.len(), 1, "the modal is opened");
    let form_ack = acks["env-form"].1;
    assert!(opened[0].arrived >= form_ack, "views.open follows the ack");
    assert!(opened[0].arrived.duration_since(sent) < TRIGGER_LASTS);
    assert_eq!(consultation_count(store).await, 1, "only ours is recorded");
    assert_eq!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .unwrap()
            .requester,
        "U0NEW3"
    );
    stop.send(true).unwrap();
    // banso closes the connection on shutdown.
    while let Some(Ok(frame)) = socket.next().await {
        if frame.is_close() {
            break;
        }
    }
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("stops on shutdown")
        .unwrap();
    test.cleanup().await;
}
