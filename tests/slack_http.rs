//! The Slack adapter over real HTTP on loopback: signed requests to the
//! Events API endpoints, and the outbox sender against a fake Slack Web API
//! that answers in Slack's shapes (including 429 with Retry-After).

mod support;

use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use banso::bot::clock::Clock;
use banso::chat::slack::sender::Sender;
use banso::chat::slack::web_api::WebApi;
use banso::config::Secret;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use support::{bot_on, user};

const SECRET: &str = "test-signing-secret";

#[derive(Clone, Default)]
struct FakeSlack {
    posted: Arc<Mutex<Vec<(String, String)>>>,
    homes: Arc<Mutex<Vec<(String, Value)>>>,
    views: Arc<Mutex<Vec<Value>>>,
    responses: Arc<Mutex<Vec<Value>>>,
    rate_limit_first: Arc<Mutex<usize>>,
    /// `users.info` and `users.profile.get` calls, as `method user`.
    profile_lookups: Arc<Mutex<Vec<String>>>,
    /// Files uploaded (files upload v2): bytes by file id, then the
    /// completions as (channel, title, comment, bytes).
    uploads: Arc<Mutex<Vec<Vec<u8>>>>,
    completed: Arc<Mutex<Vec<Completed>>>,
    address: Arc<Mutex<String>>,
}

/// A finished upload: channel, title, comment and the file's bytes.
type Completed = (String, String, String, Vec<u8>);

/// `files.getUploadURLExternal`: an upload URL on this fake, as Slack
/// gives one of its own.
async fn get_upload_url(State(fake): State<FakeSlack>, RawQuery(query): RawQuery) -> Json<Value> {
    let query = query.unwrap_or_default();
    assert!(form_value(&query, "length").parse::<usize>().unwrap() > 0);
    assert!(form_value(&query, "filename").ends_with(".xlsx"));
    let id = fake.uploads.lock().unwrap().len();
    fake.uploads.lock().unwrap().push(Vec::new());
    let address = fake.address.lock().unwrap().clone();
    Json(
        json!({ "ok": true, "upload_url": format!("http://{address}/upload/{id}"), "file_id": format!("F{id}") }),
    )
}

async fn upload(
    State(fake): State<FakeSlack>,
    axum::extract::Path(id): axum::extract::Path<usize>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    assert!(
        headers.get("authorization").is_none(),
        "no token to the upload URL"
    );
    fake.uploads.lock().unwrap()[id] = body.to_vec();
    // Slack's answer to the bytes: plain text.
    (
        [("content-type", "text/plain; charset=utf-8")],
        format!("OK - {}", body.len()),
    )
        .into_response()
}

async fn complete_upload(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    let file = &body["files"][0];
    let id: usize = file["id"].as_str().unwrap()[1..].parse().unwrap();
    let bytes = fake.uploads.lock().unwrap()[id].clone();
    fake.completed.lock().unwrap().push((
        body["channel_id"].as_str().unwrap_or_default().to_owned(),
        file["title"].as_str().unwrap_or_default().to_owned(),
        body["initial_comment"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        bytes,
    ));
    Json(json!({ "ok": true, "files": [{ "id": file["id"], "title": file["title"] }] }))
}

/// `users.info` in Slack's shape (a GET with the arguments in the query,
/// as slack-morphism sends Slack's read methods); `U0NOBODY` does not
/// exist.
async fn users_info(State(fake): State<FakeSlack>, RawQuery(query): RawQuery) -> Json<Value> {
    let user = form_value(&query.unwrap_or_default(), "user");
    fake.profile_lookups
        .lock()
        .unwrap()
        .push(format!("users.info {user}"));
    if user == "U0NOBODY" {
        return Json(json!({ "ok": false, "error": "user_not_found" }));
    }
    let mut answer = json!({
        "ok": true,
        "user": {
            "id": user,
            "name": "tanaka",
            "real_name": "田中 一郎",
            "profile": {
                "real_name": "田中 一郎",
                "display_name": "",
                "title": "総務局 総務課"
            }
        }
    });
    if user == "U0TANAKA" {
        // Slack's way of saying "no custom fields" for some people: an
        // empty list where slack-morphism expects a map.
        answer["user"]["profile"]["fields"] = json!([]);
    }
    Json(answer)
}

async fn users_profile_get(
    State(fake): State<FakeSlack>,
    RawQuery(query): RawQuery,
) -> Json<Value> {
    let user = form_value(&query.unwrap_or_default(), "user");
    fake.profile_lookups
        .lock()
        .unwrap()
        .push(format!("users.profile.get {user}"));
    Json(json!({
        "ok": true,
        "profile": {
            "title": "主任",
            "fields": { "Xf01DEPT": { "value": "市民局 区政課", "alt": "" } }
        }
    }))
}

fn form_value(body: &str, name: &str) -> String {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// `conversations.open`: `users` as slack-morphism sends it, a list.
async fn open_dm(Json(body): Json<Value>) -> Json<Value> {
    let user = body["users"][0].as_str().unwrap_or_default();
    Json(json!({ "ok": true, "channel": { "id": format!("D{user}") } }))
}

async fn post_message(
    State(fake): State<FakeSlack>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    assert_eq!(
        headers["authorization"], "Bearer xoxb-test",
        "the bot token is sent"
    );
    {
        let mut limited = fake.rate_limit_first.lock().unwrap();
        if *limited > 0 {
            *limited -= 1;
            // The sender waits by its clock, which the test moves: no test
            // sleeps through a storm.
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                Json(json!({ "ok": false, "error": "ratelimited" })),
            )
                .into_response();
        }
    }
    let channel = body["channel"].as_str().unwrap_or_default().to_owned();
    assert!(body["blocks"].is_array(), "blocks are sent");
    fake.posted.lock().unwrap().push((
        channel,
        body["text"].as_str().unwrap_or_default().to_owned(),
    ));
    Json(json!({
        "ok": true, "channel": body["channel"], "ts": "1718000000.000100",
        "message": { "type": "message", "text": body["text"], "ts": "1718000000.000100" },
    }))
    .into_response()
}

async fn publish_home(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    let user = body["user_id"].as_str().unwrap_or_default().to_owned();
    fake.homes
        .lock()
        .unwrap()
        .push((user, body["view"].clone()));
    Json(json!({ "ok": true, "view": stateful(&body["view"]) }))
}

async fn open_view(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    assert!(body["trigger_id"].is_string());
    fake.views.lock().unwrap().push(body["view"].clone());
    Json(json!({ "ok": true, "view": stateful(&body["view"]) }))
}

/// A view as Slack answers views.open and views.publish: the view sent,
/// with its id, workspace and hash.
fn stateful(view: &Value) -> Value {
    let mut view = view.clone();
    view["id"] = json!("V1");
    view["team_id"] = json!("T1");
    view["hash"] = json!("1718000000.abc");
    view
}

async fn response_url(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    fake.responses.lock().unwrap().push(body);
    Json(json!({ "ok": true }))
}

/// What the fake recorded once it holds `count` entries (work done in the
/// background after the answer), or what it holds after four seconds.
async fn settled<T: Clone>(shared: &Mutex<Vec<T>>, count: usize) -> Vec<T> {
    for _ in 0..200 {
        let now = shared.lock().unwrap().clone();
        if now.len() >= count {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    shared.lock().unwrap().clone()
}

async fn start_fake_slack(fake: FakeSlack) -> String {
    let app = Router::new()
        .route("/respond", post(response_url))
        .route("/api/views.open", post(open_view))
        .route("/api/views.publish", post(publish_home))
        .route("/api/conversations.open", post(open_dm))
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/users.info", get(users_info))
        .route("/api/users.profile.get", get(users_profile_get))
        .route("/api/files.getUploadURLExternal", get(get_upload_url))
        .route("/upload/{id}", post(upload))
        .route("/api/files.completeUploadExternal", post(complete_upload))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    *fake.address.lock().unwrap() = address.to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/api")
}

async fn start_banso(bot: banso::bot::Bot) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = banso::chat::slack::http::router(bot, Some(Secret::new(SECRET)), None);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// banso's router with its Web API client pointed at a fresh fake Slack.
async fn start_banso_with_fake_slack(bot: banso::bot::Bot) -> (String, FakeSlack) {
    let fake = FakeSlack::default();
    let api_url = start_fake_slack(fake.clone()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let banso = format!("http://{}", listener.local_addr().unwrap());
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url));
    let app = banso::chat::slack::http::router(bot, Some(Secret::new(SECRET)), Some(api));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (banso, fake)
}

/// Posts an interaction payload the way Slack does (a form field).
async fn post_interaction(banso: &str, payload: &Value, timestamp: i64) -> reqwest::Response {
    let form = format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.to_string().as_bytes()).collect::<String>()
    );
    post_signed(
        &format!("{banso}/slack/interactions"),
        "application/x-www-form-urlencoded",
        &form,
        timestamp,
        None,
    )
    .await
}

fn signed(timestamp: i64, body: &str) -> (String, String) {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    (
        timestamp.to_string(),
        format!("v0={}", hex::encode(mac.finalize().into_bytes())),
    )
}

async fn post_signed(
    url: &str,
    content_type: &str,
    body: &str,
    timestamp: i64,
    signature: Option<&str>,
) -> reqwest::Response {
    let (timestamp, good) = signed(timestamp, body);
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature.unwrap_or(&good))
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_signed_slash_command_records_a_consultation_and_the_sender_delivers_it() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let now = clock.now().timestamp();
    let banso = start_banso(bot.clone()).await;
    let form = "command=%2Fconsult&text=VPN%E8%A3%85%E7%BD%AE%E3%81%AE%E8%84%86%E5%BC%B1%E6%80%A7&user_id=U0TANAKA&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0";

    let forged = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        form,
        now,
        Some("v0=00"),
    )
    .await;
    assert_eq!(forged.status(), 401);
    let stale = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        form,
        now - 600,
        None,
    )
    .await;
    assert_eq!(stale.status(), 401);
    assert!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .is_none(),
        "nothing stored for a bad signature"
    );

    let answer = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        form,
        now,
        None,
    )
    .await;
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(
        answer["text"].as_str().unwrap().contains("所属"),
        "asks the department: {answer}"
    );
    let consultation = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .expect("stored before the answer");
    assert_eq!(consultation.requester, "U0TANAKA");

    // The outbox goes to a fake Slack that rate-limits the first post.
    let fake = FakeSlack::default();
    *fake.rate_limit_first.lock().unwrap() = 1;
    let api_url = start_fake_slack(fake.clone()).await;
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url));
    let mut sender = Sender::new(store.clone(), Arc::new(clock.clone()), api, "#banso-team");
    let first = sender.deliver_due().await.unwrap();
    assert_eq!(
        (
            first.report.sent,
            first.report.retried,
            first.report.given_up
        ),
        (1, 1, 0),
        "one message out, the other told to retry after a second"
    );
    assert_eq!(
        first.next_try_at,
        Some(clock.now() + chrono::Duration::seconds(1))
    );
    assert_eq!(fake.posted.lock().unwrap().len(), 1);
    // Retry-After is honoured by the clock: not a moment early.
    clock.advance(chrono::Duration::milliseconds(999));
    let early = sender.deliver_due().await.unwrap();
    assert_eq!(early.report, Default::default());
    assert_eq!(fake.posted.lock().unwrap().len(), 1);
    clock.advance(chrono::Duration::milliseconds(1));
    let second = sender.deliver_due().await.unwrap();
    assert_eq!((second.report.sent, second.report.retried), (1, 0));
    assert_eq!(second.next_try_at, None, "the outbox is empty");
    let posted = fake.posted.lock().unwrap().clone();
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(
        posted
            .iter()
            .any(|(channel, text)| channel == "DU0TANAKA" && text.contains("2406-001")),
        "{posted:?}"
    );
    assert!(
        posted.iter().any(|(channel, _)| channel == "#banso-team"),
        "{posted:?}"
    );
    // Nothing is sent twice.
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(sender.deliver_due().await.unwrap().report.sent, 0);
    assert_eq!(fake.posted.lock().unwrap().len(), 2);
    test.cleanup().await;
}

#[tokio::test]
async fn events_are_verified_checked_for_the_url_and_deduplicated() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let now = clock.now().timestamp();
    let banso = start_banso(bot).await;
    let challenge = r#"{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#;
    let answer: Value = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        challenge,
        now,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        answer["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    let event = r#"{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev0PV52K21","event_time":1718000000,"event":{"type":"app_home_opened","user":"U0TANAKA","channel":"D0TANAKA","event_ts":"1718000000.000100"}}"#;
    for _ in 0..2 {
        let answer = post_signed(
            &format!("{banso}/slack/events"),
            "application/json",
            event,
            now,
            None,
        )
        .await;
        assert_eq!(answer.status(), 200);
    }
    assert!(
        !store.first_sight_of_event("Ev0PV52K21", now).await.unwrap(),
        "recorded once"
    );
    // A direct message to the bot is a line of chat; a retry of it is not.
    let dm = r#"{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev0DM1","event_time":1718000000,"event":{"type":"message","channel":"D0TANAKA","channel_type":"im","user":"U0TANAKA","text":"/consult メール誤送信の対応","ts":"1718000000.000100","event_ts":"1718000000.000100"}}"#;
    for _ in 0..2 {
        post_signed(
            &format!("{banso}/slack/events"),
            "application/json",
            dm,
            now,
            None,
        )
        .await;
    }
    let all = banso::store::ListFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        store.list_consultations(&all).await.unwrap().len(),
        1,
        "one consultation for a retried event"
    );
    let bot_echo = r#"{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev0DM2","event_time":1718000000,"event":{"type":"message","channel":"D0TANAKA","channel_type":"im","bot_id":"B1","user":"U0BANSO","text":"/consult echo","ts":"1718000001.000100","event_ts":"1718000001.000100"}}"#;
    post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        bot_echo,
        now,
        None,
    )
    .await;
    assert_eq!(
        store.list_consultations(&all).await.unwrap().len(),
        1,
        "a bot's own message is not a request"
    );
    let health: Value = reqwest::get(format!("{banso}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["database"], "ok");
    let oversized = "x".repeat(300 * 1024);
    let refused = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        &oversized,
        now,
        None,
    )
    .await;
    assert_eq!(refused.status(), 413);
    test.cleanup().await;
}

#[tokio::test]
async fn a_button_press_is_applied_and_its_reply_queued() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    bot.handle_text(&user("U0TANAKA"), "/consult 相談").await;
    support::deliver(store).await;
    let now = clock.now().timestamp();
    let banso = start_banso(bot).await;
    let payload = json!({
        "type": "block_actions", "trigger_id": "123.456", "user": { "id": "U0TANAKA" },
        "team": { "id": "T1" }, "api_app_id": "A1",
        "container": { "type": "message", "message_ts": "1718000000.000100", "channel_id": "D0TANAKA", "is_ephemeral": false },
        "actions": [{ "type": "button", "action_id": "consultation:withdraw#0", "block_id": "b0", "value": "2406-001", "action_ts": "1718000005.000100" }],
    });
    let answer = post_interaction(&banso, &payload, now).await;
    assert_eq!(answer.status(), 200);
    let withdrawn = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        withdrawn.status,
        banso::domain::consultation::Status::Withdrawn
    );
    // The message shortcut turns a message into a consultation with a link.
    let shortcut = json!({
        "type": "message_action", "callback_id": "register_consultation", "trigger_id": "9.9",
        "team": { "id": "T1" }, "user": { "id": "U0SUZUKI" }, "channel": { "id": "C0GENERAL" },
        "response_url": "http://127.0.0.1:9/app/T1/2/abc",
        "message": { "ts": "1718000000.000100", "text": "このメールの添付を開いても大丈夫ですか？" },
    });
    let answer = post_interaction(&banso, &shortcut, now).await;
    assert_eq!(answer.status(), 200);
    let recorded = store
        .consultation_by_short_id("2406-002")
        .await
        .unwrap()
        .expect("recorded from the message");
    assert_eq!(recorded.requester, "U0SUZUKI");
    assert!(
        recorded
            .details
            .contains("https://slack.com/archives/C0GENERAL/p1718000000000100"),
        "{}",
        recorded.details
    );
    let garbage = post_signed(
        &format!("{banso}/slack/interactions"),
        "application/x-www-form-urlencoded",
        "payload=%7Bnot",
        now,
        None,
    )
    .await;
    assert_eq!(garbage.status(), 400);
    test.cleanup().await;
}

#[tokio::test]
async fn opening_the_app_home_publishes_the_overview() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    bot.handle_text(&user("U0TANAKA"), "/consult 相談その一")
        .await;
    let (banso, fake) = start_banso_with_fake_slack(bot).await;
    let event = r#"{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"EvHOME1","event_time":1718000000,"event":{"type":"app_home_opened","user":"U0TANAKA","channel":"D0TANAKA","tab":"home","event_ts":"1718000000.000100"}}"#;
    let answer = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        event,
        clock.now().timestamp(),
        None,
    )
    .await;
    assert_eq!(answer.status(), 200);
    let homes = settled(&fake.homes, 1).await;
    assert_eq!(homes.len(), 1, "the home tab is published");
    assert_eq!(homes[0].0, "U0TANAKA");
    assert_eq!(homes[0].1["type"], "home");
    let text = homes[0].1["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        text.contains("あなたの相談") && text.contains("2406-001"),
        "{text}"
    );
    // The publish reached Slack, so /healthz says so.
    let health: Value = reqwest::get(format!("{banso}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["slack"], "ok");
    test.cleanup().await;
}

#[tokio::test]
async fn the_app_home_says_when_its_list_is_capped() {
    let test = support::sqlite_store().await;
    let (bot, _clock) = bot_on(&test.store, "2024-06-10T10:00:00+09:00");
    let tanaka = user("U0TANAKA");
    for n in 0..22 {
        bot.handle_text(&tanaka, &format!("/consult 相談{n}")).await;
    }
    let text = banso::bot::home::overview(&bot, &tanaka).await.unwrap();
    assert!(text.contains("最新20件／全22件"), "{text}");
    assert_eq!(text.matches("・*2406-").count(), 20, "{text}");
    test.cleanup().await;
}

fn submission(date: &str) -> String {
    let state = json!({ "values": {
        "title": { "value": { "type": "plain_text_input", "value": "クラウド利用の可否" } },
        "department": { "value": { "type": "plain_text_input", "value": "保健福祉局" } },
        "category": { "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "クラウド" }, "value": "cloud" } } },
        "details": { "value": { "type": "plain_text_input", "value": "ISMAP未登録のSaaSを使いたい" } },
        "desired_date": { "value": { "type": "datepicker", "selected_date": date } },
    } });
    let payload = json!({
        "type": "view_submission", "team": { "id": "T1" }, "user": { "id": "U0YAMADA" },
        "view": {
            "id": "V1", "team_id": "T1", "type": "modal", "callback_id": "consult_form", "hash": "1718000000.abc",
            "title": { "type": "plain_text", "text": "セキュリティ相談" }, "blocks": [], "state": state,
        },
    });
    format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.to_string().as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn consult_without_text_opens_the_modal_and_a_bad_date_is_a_field_error() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let now = clock.now().timestamp();
    let (banso, fake) = start_banso_with_fake_slack(bot).await;

    let form = "command=%2Fconsult&text=&user_id=U0YAMADA&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0";
    let answer = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        form,
        now,
        None,
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.bytes().await.unwrap().len(),
        0,
        "a silent ack: views.open follows it"
    );
    let views = settled(&fake.views, 1).await;
    assert_eq!(views.len(), 1);
    assert_eq!(views[0]["callback_id"], "consult_form");
    assert_eq!(views[0]["blocks"].as_array().unwrap().len(), 5);

    let url = format!("{banso}/slack/interactions");
    let refused: Value = post_signed(
        &url,
        "application/x-www-form-urlencoded",
        &submission("2024-06-01"),
        now,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(refused["response_action"], "errors");
    assert!(
        refused["errors"]["desired_date"]
            .as_str()
            .unwrap()
            .contains("過去の日付"),
        "{refused}"
    );
    // A closed day is refused with the next open day.
    let saturday: Value = post_signed(
        &url,
        "application/x-www-form-urlencoded",
        &submission("2024-06-15"),
        now,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(saturday["response_action"], "errors");
    assert!(
        saturday["errors"]["desired_date"]
            .as_str()
            .unwrap()
            .contains("休庁日（土曜日）"),
        "{saturday}"
    );
    assert!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .is_none(),
        "nothing stored"
    );

    let accepted = post_signed(
        &url,
        "application/x-www-form-urlencoded",
        &submission("2024-06-20"),
        now,
        None,
    )
    .await;
    assert_eq!(accepted.status(), 200);
    let recorded = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        recorded.category,
        banso::domain::consultation::Category::CloudIsmap
    );
    assert_eq!(recorded.department.as_deref(), Some("保健福祉局"));
    assert_eq!(recorded.desired_date, Some("2024-06-20".parse().unwrap()));
    test.cleanup().await;
}

/// Payloads in the shapes Slack documents (with the fields banso does not
/// use), read from `tests/fixtures/slack/`.
#[tokio::test]
async fn payloads_in_slacks_documented_shapes_are_handled() {
    // Slack's response URLs in the fixtures are pointed at a port on this
    // machine that takes nothing: a test sends nothing off the machine.
    let fixture = |name: &str| {
        std::fs::read_to_string(format!("tests/fixtures/slack/{name}"))
            .unwrap()
            .replace("https://hooks.slack.com/", "http://127.0.0.1:9/")
            .replace(
                "https%3A%2F%2Fhooks.slack.com%2F",
                "http%3A%2F%2F127.0.0.1%3A9%2F",
            )
    };
    let as_form = |json: &str| {
        format!(
            "payload={}",
            url::form_urlencoded::byte_serialize(json.as_bytes()).collect::<String>()
        )
    };
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let now = clock.now().timestamp();
    let (banso, fake) = start_banso_with_fake_slack(bot).await;
    let form = "application/x-www-form-urlencoded";

    let command = post_signed(
        &format!("{banso}/slack/commands"),
        form,
        fixture("slash_command.txt").trim(),
        now,
        None,
    )
    .await;
    assert_eq!(command.status(), 200);
    assert_eq!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .unwrap()
            .requester,
        "U2147483697"
    );
    let press = post_signed(
        &format!("{banso}/slack/interactions"),
        form,
        &as_form(&fixture("block_actions.json")),
        now,
        None,
    )
    .await;
    assert_eq!(press.status(), 200);
    assert_eq!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .unwrap()
            .status,
        banso::domain::consultation::Status::Withdrawn
    );
    let submit = post_signed(
        &format!("{banso}/slack/interactions"),
        form,
        &as_form(&fixture("view_submission.json")),
        now,
        None,
    )
    .await;
    assert_eq!(submit.status(), 200);
    let submitted = store
        .consultation_by_short_id("2406-002")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (submitted.title.as_str(), submitted.desired_date),
        ("標的型メールの訓練について", None)
    );
    let shortcut = post_signed(
        &format!("{banso}/slack/interactions"),
        form,
        &as_form(&fixture("message_action.json")),
        now,
        None,
    )
    .await;
    assert_eq!(shortcut.status(), 200);
    assert!(
        store
            .consultation_by_short_id("2406-003")
            .await
            .unwrap()
            .unwrap()
            .details
            .contains("不審なメール")
    );
    let home = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        &fixture("app_home_opened.json"),
        now,
        None,
    )
    .await;
    assert_eq!(home.status(), 200);
    let homes = settled(&fake.homes, 1).await;
    assert_eq!(homes.len(), 1, "the documented app_home_opened is read");
    assert_eq!(homes[0].0, "U061F7AUR");
    test.cleanup().await;
}

/// What slack-morphism cannot read (a payload missing a field Slack always
/// sends) is refused with a log line and, where someone can be answered, a
/// sentence: never a panic, never Slack's bare "failed".
#[tokio::test]
async fn payloads_banso_cannot_read_get_a_friendly_answer() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let now = clock.now().timestamp();
    let fake = FakeSlack::default();
    let api_url = start_fake_slack(fake.clone()).await;
    let respond = api_url.replace("/api", "/respond");
    let banso = start_banso(bot).await;

    // A command without its trigger_id.
    let answer = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        "command=%2Fconsult&text=VPN&user_id=U0TANAKA&team_id=T1&channel_id=C1",
        now,
        None,
    )
    .await;
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("読み取れませんでした"),
        "{answer}"
    );

    // A button press without its container: answered through response_url.
    let press = json!({
        "type": "block_actions", "trigger_id": "1.1", "user": { "id": "U0TANAKA" },
        "team": { "id": "T1" }, "api_app_id": "A1", "response_url": respond,
        "actions": [{ "type": "button", "action_id": "consultation:withdraw#0", "value": "2406-001" }],
    });
    assert_eq!(post_interaction(&banso, &press, now).await.status(), 200);
    let responses = settled(&fake.responses, 1).await;
    assert_eq!(responses.len(), 1);
    // A new message, which over a response_url only the person sees.
    assert_eq!(responses[0].get("replace_original"), None);
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap()
            .contains("読み取れませんでした"),
        "{responses:?}"
    );
    // An interaction of a kind Slack may add later, and an event missing
    // its time: acknowledged, nothing done.
    let unknown = json!({ "type": "workflow_step_edit", "team": { "id": "T1" }, "user": { "id": "U0TANAKA" } });
    assert_eq!(post_interaction(&banso, &unknown, now).await.status(), 200);
    let event = json!({
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvBAD",
        "event": { "type": "message", "channel": "D1", "channel_type": "im", "user": "U0TANAKA", "text": "/consult 相談", "ts": "1.2" },
    });
    let answered = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        &event.to_string(),
        now,
        None,
    )
    .await;
    assert_eq!(answered.status(), 200);
    let all = banso::store::ListFilter {
        limit: 10,
        ..Default::default()
    };
    assert!(store.list_consultations(&all).await.unwrap().is_empty());
    test.cleanup().await;
}

#[tokio::test]
async fn a_pressed_message_is_replaced_with_the_new_state() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    bot.handle_text(&user("U0TANAKA"), "/consult 相談").await;
    let fake = FakeSlack::default();
    let api_url = start_fake_slack(fake.clone()).await;
    let respond = api_url.replace("/api", "/respond");
    let banso = start_banso(bot).await;
    let payload = json!({
        "type": "block_actions", "trigger_id": "7.7", "user": { "id": "consultant" }, "response_url": respond,
        "team": { "id": "T1" }, "api_app_id": "A1",
        "container": { "type": "message", "message_ts": "1718000000.000100", "channel_id": "C0TEAM", "is_ephemeral": false },
        "actions": [{ "type": "button", "action_id": "consultation:assign#0", "block_id": "b0", "value": "2406-001", "action_ts": "1718000005.000100" }],
    });
    let answer = post_interaction(&banso, &payload, clock.now().timestamp()).await;
    assert_eq!(answer.status(), 200);
    let responses = settled(&fake.responses, 1).await;
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["replace_original"], true);
    let text = responses[0]["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        text.contains("状態: *対応中*") && text.contains("担当: <@consultant>"),
        "{text}"
    );
    let labels: Vec<_> = responses[0]["blocks"][1]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|button| button["text"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, ["担当する", "回答する", "対象外"]);
    test.cleanup().await;
}

#[tokio::test]
async fn a_reminder_due_at_nine_reaches_the_meetings_channel_through_a_429_storm() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-07T08:00:00+09:00");
    let scheduler = banso::scheduler::Scheduler::new(bot.clone(), "test");
    scheduler.replan().await.unwrap();
    clock.set(
        chrono::DateTime::parse_from_rfc3339("2024-06-07T09:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    assert_eq!(scheduler.run_due(clock.now()).await.unwrap().sent, 1);
    let fake = FakeSlack::default();
    *fake.rate_limit_first.lock().unwrap() = 25;
    let api_url = start_fake_slack(fake.clone()).await;
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url));
    let mut sender = Sender::new(store.clone(), Arc::new(clock.clone()), api, "#banso-team");
    // Each 429 says "retry after 1 s": the sender tries once per second of
    // the clock, never sooner, and counts no try against the message.
    for storm in 0..25 {
        let step = sender.deliver_due().await.unwrap();
        assert_eq!(
            (step.report.sent, step.report.retried, step.report.given_up),
            (0, 1, 0),
            "429 number {storm}"
        );
        assert_eq!(
            step.next_try_at,
            Some(clock.now() + chrono::Duration::seconds(1))
        );
        clock.advance(chrono::Duration::milliseconds(500));
        assert_eq!(
            sender.deliver_due().await.unwrap().report,
            Default::default(),
            "nothing tried before Retry-After has passed"
        );
        clock.advance(chrono::Duration::milliseconds(500));
    }
    assert_eq!(*fake.rate_limit_first.lock().unwrap(), 0, "25 tries made");
    let step = sender.deliver_due().await.unwrap();
    assert_eq!(
        (step.report.sent, step.report.given_up),
        (1, 0),
        "a 429 storm delays but loses nothing"
    );
    let posted = fake.posted.lock().unwrap().clone();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].0, "#banso");
    assert!(posted[0].1.contains("本日提出期限"), "{posted:?}");
    test.cleanup().await;
}

#[tokio::test]
async fn a_request_from_another_workspace_is_refused() {
    use banso::bot::{Bot, BotParts};
    use banso::config::{Language, Settings, SlackSecrets};
    let test = support::sqlite_store().await;
    let store = &test.store;
    let clock = banso::bot::clock::ManualClock::starting_at(
        chrono::DateTime::parse_from_rfc3339("2024-06-10T10:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    let settings = Settings {
        slack: SlackSecrets {
            team_id: Some("T1".into()),
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
    let banso = start_banso(bot).await;
    let now = clock.now().timestamp();
    let url = format!("{banso}/slack/commands");
    let other = post_signed(
        &url,
        "application/x-www-form-urlencoded",
        "command=%2Fconsult&text=x&user_id=U1&team_id=T9&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0",
        now,
        None,
    )
    .await;
    assert_eq!(other.status(), 403);
    assert!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .is_none()
    );
    let ours = post_signed(
        &url,
        "application/x-www-form-urlencoded",
        "command=%2Fconsult&text=x&user_id=U1&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0",
        now,
        None,
    )
    .await;
    assert_eq!(ours.status(), 200);
    assert!(
        store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .is_some()
    );
    test.cleanup().await;
}

/// A bot whose settings take departments from `field` of Slack profiles,
/// on a clock at 2024-06-10 10:00 JST.
fn bot_reading_departments_from(
    store: &banso::store::Store,
    field: &str,
) -> (banso::bot::Bot, banso::bot::clock::ManualClock) {
    use banso::bot::{Bot, BotParts};
    use banso::config::{Language, Settings, SlackSecrets};
    let clock = banso::bot::clock::ManualClock::starting_at(
        chrono::DateTime::parse_from_rfc3339("2024-06-10T10:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    let settings = Settings {
        slack: SlackSecrets {
            department_field: Some(field.into()),
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

async fn consult_over_http(banso: &str, user: &str, text: &str, now: i64) -> Value {
    let form = format!(
        "command=%2Fconsult&text={}&user_id={user}&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    );
    let answer = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        &form,
        now,
        None,
    )
    .await;
    assert_eq!(answer.status(), 200);
    let body = answer.text().await.unwrap();
    // A silent acknowledgement is an empty body, read here as null.
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn names_and_departments_come_from_slack_profiles_and_are_cached() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_reading_departments_from(store, "title");
    let (banso, fake) = start_banso_with_fake_slack(bot).await;

    // First contact: the profile is read before the request is handled, so
    // the department question is not asked.
    let answer = consult_over_http(&banso, "U0TANAKA", "VPNの設定", clock.now().timestamp()).await;
    assert!(
        !answer["text"].as_str().unwrap_or_default().contains("所属"),
        "{answer}"
    );
    let consultation = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(consultation.department.as_deref(), Some("総務局 総務課"));
    let person = store.person("U0TANAKA").await.unwrap().unwrap();
    assert_eq!(person.display_name.as_deref(), Some("田中 一郎"));

    // Within a day the cached profile is used. Everything a returning
    // staff member hears goes out as a DM: the ack is an empty body, not a
    // message with empty text.
    let returning = consult_over_http(&banso, "U0TANAKA", "二件目", clock.now().timestamp()).await;
    assert_eq!(returning, Value::Null, "a silent acknowledgement");
    assert_eq!(fake.profile_lookups.lock().unwrap().len(), 1);

    // The directory's department is not the person's to change in banso.
    let form = format!(
        "command=%2Fbanso&text={}&user_id=U0TANAKA&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0",
        url::form_urlencoded::byte_serialize("dept 別の課".as_bytes()).collect::<String>()
    );
    let refused: Value = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        &form,
        clock.now().timestamp(),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        refused["text"]
            .as_str()
            .unwrap()
            .contains("Slackのプロフィール"),
        "{refused}"
    );
    assert_eq!(
        store
            .person("U0TANAKA")
            .await
            .unwrap()
            .unwrap()
            .department
            .as_deref(),
        Some("総務局 総務課")
    );

    // A day later it is read again, in the background.
    clock.advance(chrono::Duration::hours(25));
    consult_over_http(&banso, "U0TANAKA", "三件目", clock.now().timestamp()).await;
    assert_eq!(settled(&fake.profile_lookups, 2).await.len(), 2);

    // Someone Slack does not know is asked, as without profiles, and is
    // not looked up again on every request.
    let unknown = consult_over_http(&banso, "U0NOBODY", "相談", clock.now().timestamp()).await;
    assert!(
        unknown["text"].as_str().unwrap().contains("所属"),
        "{unknown}"
    );
    consult_over_http(&banso, "U0NOBODY", "もう一件", clock.now().timestamp()).await;
    let lookups = fake.profile_lookups.lock().unwrap().clone();
    assert_eq!(
        lookups
            .iter()
            .filter(|lookup| lookup.ends_with("U0NOBODY"))
            .count(),
        1,
        "{lookups:?}"
    );
    test.cleanup().await;
}

#[tokio::test]
async fn a_custom_profile_field_can_hold_the_department() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_reading_departments_from(store, "Xf01DEPT");
    let (banso, fake) = start_banso_with_fake_slack(bot).await;
    consult_over_http(&banso, "U0SATO", "メールの誤送信", clock.now().timestamp()).await;
    let consultation = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(consultation.department.as_deref(), Some("市民局 区政課"));
    assert_eq!(
        fake.profile_lookups.lock().unwrap().clone(),
        vec!["users.info U0SATO", "users.profile.get U0SATO"]
    );
    test.cleanup().await;
}

#[tokio::test]
async fn an_export_reaches_the_leader_as_a_file_and_staff_are_refused() {
    use calamine::Reader;
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    bot.handle_text(
        &user("consultant"),
        "/kadai add 研修資料の確認 期限=2024-06-17",
    )
    .await;
    let (banso, fake) = start_banso_with_fake_slack(bot).await;
    let now = clock.now().timestamp();

    let post = |who: &str| {
        let form = format!(
            "command=%2Fbanso&text=export+kadai&user_id={who}&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0"
        );
        let url = format!("{banso}/slack/commands");
        async move {
            post_signed(&url, "application/x-www-form-urlencoded", &form, now, None)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let answer = post("leader").await;
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("ダイレクトメッセージ"),
        "{answer}"
    );
    let completed = settled(&fake.completed, 1).await;
    let (channel, title, comment, bytes) = completed.first().expect("uploaded").clone();
    assert_eq!(channel, "Dleader", "to the requester's DM");
    assert_eq!(title, "課題管理表.xlsx");
    assert!(comment.contains("1件"), "{comment}");
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = workbook.worksheet_range("課題一覧").unwrap();
    assert_eq!(
        sheet.get((1, 1)),
        Some(&calamine::Data::String("研修資料の確認".into()))
    );
    let history = store.exports(10).await.unwrap();
    assert_eq!(
        (history[0].kind.as_str(), history[0].exported_by.as_str()),
        ("kadai", "leader")
    );

    // Staff get a refusal, as a direct message, and no file.
    post("tanaka").await;
    let mut refused = Vec::new();
    for _ in 0..200 {
        refused = store.pending_messages(100).await.unwrap();
        if !refused.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        refused
            .iter()
            .any(|queued| queued.message.text.contains("情報化推進室のみ")),
        "{refused:?}"
    );
    assert_eq!(fake.completed.lock().unwrap().len(), 1);
    test.cleanup().await;
}

#[tokio::test]
async fn the_drafts_button_sends_both_drafts_to_whoever_presses_it() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-07T09:00:00+09:00");
    bot.handle_text(
        &user("consultant"),
        "/kadai add 研修資料の確認 期限=2024-06-17",
    )
    .await;
    let (banso, fake) = start_banso_with_fake_slack(bot).await;
    let payload = json!({
        "type": "block_actions", "trigger_id": "8.8", "user": { "id": "coord" },
        "team": { "id": "T1" }, "api_app_id": "A1",
        "container": { "type": "message", "message_ts": "1717718400.000100", "channel_id": "D0COORD", "is_ephemeral": false },
        "actions": [{ "type": "button", "action_id": "deliverables:drafts#4", "block_id": "b0", "value": "regular:2024-06", "action_ts": "1717718405.000100" }],
    });
    let answer = post_interaction(&banso, &payload, clock.now().timestamp()).await;
    assert_eq!(answer.status(), 200);
    let completed = settled(&fake.completed, 2).await;
    let titles: Vec<(String, String)> = completed
        .iter()
        .map(|(channel, title, _, _)| (channel.clone(), title.clone()))
        .collect();
    assert_eq!(
        titles,
        [
            ("Dcoord".to_owned(), "課題管理表.xlsx".to_owned()),
            (
                "Dcoord".to_owned(),
                "進捗状況報告書_2024-05.xlsx".to_owned()
            ),
        ],
        "the month before the meeting's, to the presser only"
    );
    test.cleanup().await;
}

/// A press on the deliverables reminder in the meetings channel, as Slack
/// sends it: the message's container, its channel and its response_url.
fn press_on(
    channel: &str,
    ephemeral: bool,
    who: &str,
    action_id: &str,
    value: &str,
    respond: &str,
) -> Value {
    json!({
        "type": "block_actions", "trigger_id": format!("{who}.{action_id}"), "user": { "id": who },
        "team": { "id": "T1" }, "api_app_id": "A1", "response_url": respond,
        "container": { "type": "message", "message_ts": "1717718400.000100", "channel_id": channel, "is_ephemeral": ephemeral },
        "channel": { "id": channel },
        "actions": [{ "type": "button", "action_id": action_id, "block_id": "b0", "value": value, "action_ts": "1717718405.000100" }],
    })
}

#[tokio::test]
async fn a_press_on_the_reminder_in_the_channel_redraws_it_for_everyone() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    // The deadline day of the June regular meeting (11 June): the due
    // reminder went out at 09:00.
    let (bot, clock) = bot_on(store, "2024-06-07T09:30:00+09:00");
    let fake = FakeSlack::default();
    let api_url = start_fake_slack(fake.clone()).await;
    let respond = api_url.replace("/api", "/respond");
    let banso = start_banso(bot).await;
    let now = clock.now().timestamp();
    let item = "regular:2024-06|会議次第";

    let submit = press_on(
        "C0MEETINGS",
        false,
        "consultant",
        "deliverable:submit#0",
        item,
        &respond,
    );
    assert_eq!(post_interaction(&banso, &submit, now).await.status(), 200);
    let responses = settled(&fake.responses, 1).await;
    assert_eq!(responses.len(), 1, "the channel message is replaced");
    assert_eq!(responses[0]["replace_original"], true);
    let text = responses[0]["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        text.contains("【本日提出期限】") && text.contains("☑ 会議次第（提出済: <@consultant>"),
        "{text}"
    );
    let labels: Vec<&str> = responses[0]["blocks"][1]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|button| button["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels[0], "取消: 会議次第", "{labels:?}");
    assert_eq!(
        labels.len(),
        5,
        "the items and the drafts button: {labels:?}"
    );

    // A press on a checklist only the presser sees (their direct message)
    // changes the state but replaces nothing.
    let undo = press_on(
        "D0COORD",
        false,
        "coord",
        "deliverable:undo#0",
        item,
        &respond,
    );
    assert_eq!(post_interaction(&banso, &undo, now).await.status(), 200);

    // The drafts button redraws the channel message with the state as it
    // stands (会議次第 taken back).
    let drafts = press_on(
        "C0MEETINGS",
        false,
        "coord",
        "deliverables:drafts#4",
        "regular:2024-06",
        &respond,
    );
    assert_eq!(post_interaction(&banso, &drafts, now).await.status(), 200);
    let responses = settled(&fake.responses, 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        fake.responses.lock().unwrap().len(),
        2,
        "nothing replaced for the DM"
    );
    let text = responses[1]["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(text.contains("☐ 会議次第"), "{text}");

    // Before the deadline day the message reads as the heads-up did.
    clock.set(
        chrono::DateTime::parse_from_rfc3339("2024-06-05T10:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    let ephemeral = press_on(
        "C0MEETINGS",
        true,
        "consultant",
        "deliverable:submit#1",
        "regular:2024-06|進捗状況報告書",
        &respond,
    );
    assert_eq!(
        post_interaction(&banso, &ephemeral, clock.now().timestamp())
            .await
            .status(),
        200
    );
    let early = press_on(
        "C0MEETINGS",
        false,
        "consultant",
        "deliverables:drafts#4",
        "regular:2024-06",
        &respond,
    );
    assert_eq!(
        post_interaction(&banso, &early, clock.now().timestamp())
            .await
            .status(),
        200
    );
    let responses = settled(&fake.responses, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        fake.responses.lock().unwrap().len(),
        3,
        "an ephemeral checklist is not replaced"
    );
    let text = responses[2]["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        text.contains("【予告】") && text.contains("☑ 進捗状況報告書"),
        "{text}"
    );
    test.cleanup().await;
}
