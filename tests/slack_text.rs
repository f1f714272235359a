//! What people type, as Slack really sends it (entities, links, mentions,
//! `<!here>`, a forged marker), read back in every surface: the team
//! notice, the requester's DM, `/consult show`, App Home, the modal and
//! the exported workbook. Slack-encoded text is decoded once where it
//! enters and escaped once where it leaves; a modal's values arrive as
//! typed and are not decoded. Everything rendered is checked against
//! Slack's limits.

mod support;

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use banso::bot::Bot;
use banso::bot::clock::{Clock, ManualClock};
use banso::chat::slack::sender::Sender;
use banso::chat::slack::web_api::WebApi;
use banso::config::Secret;
use banso::message::{Outgoing, Recipient, is_private_use};
use banso::store::{NewMessage, Store};
use calamine::{Data, Reader, Xlsx};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use support::bot_on;

const SECRET: &str = "test-signing-secret";
const TEAM: &str = "#banso-team";

/// As Slack sends `A&B社 <重要> [手順書](link) @tanaka @here` typed in a
/// slash command, a DM or a message, with a forged marker after it.
const FIXTURE: &str = "A&amp;B社 &lt;重要&gt; <https://example.jp/a?b=1&amp;c=2|手順書> <@U0TANAKA|tanaka> <!here> \u{E000}U0LEADER\u{E001}";
/// The same as banso sends it back to Slack: escaped once, the link and
/// the mention as Slack markup, `@here` and the forgery as plain words.
const FIXTURE_IN_SLACK: &str =
    "A&amp;B社 &lt;重要&gt; <https://example.jp/a?b=1&amp;c=2|手順書> <@U0TANAKA> @here U0LEADER";
/// The same in plain words (the exports, the console).
const FIXTURE_PLAIN: &str =
    "A&B社 <重要> 手順書 (https://example.jp/a?b=1&c=2) U0TANAKA @here U0LEADER";

/// A department typed with `/dept`, as Slack sends it.
const DEPARTMENT: &str = "総務課&amp;DX推進 <https://example.jp/dept|課のページ>";
const DEPARTMENT_IN_SLACK: &str = "総務課&amp;DX推進 <https://example.jp/dept|課のページ>";
const DEPARTMENT_PLAIN: &str = "総務課&DX推進 課のページ (https://example.jp/dept)";

/// One `chat.postMessage`: channel, `text`, `blocks`.
type Posted = (String, String, Value);

#[derive(Clone, Default)]
struct FakeSlack {
    posted: Arc<Mutex<Vec<Posted>>>,
    homes: Arc<Mutex<Vec<Value>>>,
    views: Arc<Mutex<Vec<Value>>>,
    /// `chat.postMessage` calls answered 429 before this many were
    /// accepted (the index of the one refused, once).
    rate_limit_at: Arc<Mutex<Option<usize>>>,
    /// Each accepted post's own `ts` and the `thread_ts` it was posted
    /// under, in order.
    threads: Arc<Mutex<Vec<PostedIn>>>,
}

/// A post's own `ts` and the `thread_ts` it went under.
type PostedIn = (String, Option<String>);

async fn post_message(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Response {
    {
        let mut limit = fake.rate_limit_at.lock().unwrap();
        if *limit == Some(fake.posted.lock().unwrap().len()) {
            *limit = None;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                Json(json!({ "ok": false, "error": "ratelimited" })),
            )
                .into_response();
        }
    }
    let ts = {
        let mut posted = fake.posted.lock().unwrap();
        posted.push((
            body["channel"].as_str().unwrap_or_default().to_owned(),
            body["text"].as_str().unwrap_or_default().to_owned(),
            body["blocks"].clone(),
        ));
        format!("1718000000.{:06}", posted.len())
    };
    let thread = body["thread_ts"].as_str().map(str::to_owned);
    fake.threads.lock().unwrap().push((ts.clone(), thread));
    Json(json!({
        "ok": true, "channel": body["channel"], "ts": ts,
        "message": { "type": "message", "text": body["text"], "ts": ts },
    }))
    .into_response()
}

/// `conversations.open`: `users` as slack-morphism sends it, a list.
async fn open_dm(Json(body): Json<Value>) -> Json<Value> {
    let user = body["users"][0].as_str().unwrap_or_default();
    Json(json!({ "ok": true, "channel": { "id": format!("D{user}") } }))
}

async fn publish_home(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    fake.homes.lock().unwrap().push(body["view"].clone());
    Json(json!({ "ok": true, "view": stateful(&body["view"]) }))
}

async fn open_view(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    fake.views.lock().unwrap().push(body["view"].clone());
    Json(json!({ "ok": true, "view": stateful(&body["view"]) }))
}

/// A view as Slack answers views.open and views.publish.
fn stateful(view: &Value) -> Value {
    let mut view = view.clone();
    view["id"] = json!("V1");
    view["team_id"] = json!("T1");
    view["hash"] = json!("1718000000.abc");
    view
}

/// A person with no custom profile fields: Slack sends `"fields": []`.
async fn users_info() -> Json<Value> {
    Json(json!({
        "ok": true,
        "user": { "id": "U0SATO", "real_name": "佐藤", "profile": { "display_name": "佐藤", "fields": [] } },
    }))
}

async fn start_fake_slack(fake: FakeSlack) -> String {
    let app = Router::new()
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/conversations.open", post(open_dm))
        .route("/api/views.publish", post(publish_home))
        .route("/api/views.open", post(open_view))
        .route("/api/users.info", get(users_info))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/api")
}

/// banso's HTTP endpoints with the Web API pointed at a fresh fake Slack.
async fn start_banso(bot: Bot) -> (String, FakeSlack, WebApi) {
    let fake = FakeSlack::default();
    let api = WebApi::new(
        Secret::new("xoxb-test"),
        Some(&start_fake_slack(fake.clone()).await),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let banso = format!("http://{}", listener.local_addr().unwrap());
    let app = banso::chat::slack::http::router(bot, Some(Secret::new(SECRET)), Some(api.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (banso, fake, api)
}

async fn post_signed(
    url: &str,
    content_type: &str,
    body: &str,
    timestamp: i64,
) -> reqwest::Response {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header("x-slack-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// A slash command as Slack posts it; the ephemeral answer, if any.
async fn command(
    banso: &str,
    clock: &ManualClock,
    user: &str,
    command: &str,
    text: &str,
) -> Option<Value> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("command", command),
            ("text", text),
            ("user_id", user),
            ("team_id", "T1"),
            ("channel_id", "C0CONSULT"),
            ("response_url", "http://127.0.0.1:9/commands/T1/1/abc"),
            ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
        ])
        .finish();
    let answer = post_signed(
        &format!("{banso}/slack/commands"),
        "application/x-www-form-urlencoded",
        &form,
        clock.now().timestamp(),
    )
    .await;
    assert_eq!(answer.status(), 200);
    let body = answer.text().await.unwrap();
    serde_json::from_str(&body).ok()
}

async fn interaction(banso: &str, clock: &ManualClock, payload: &Value) -> reqwest::Response {
    let form = format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.to_string().as_bytes()).collect::<String>()
    );
    post_signed(
        &format!("{banso}/slack/interactions"),
        "application/x-www-form-urlencoded",
        &form,
        clock.now().timestamp(),
    )
    .await
}

async fn event(banso: &str, clock: &ManualClock, id: &str, event: Value) {
    let envelope = json!({
        "type": "event_callback", "event_id": id, "team_id": "T1", "api_app_id": "A1",
        "event_time": 1718000000, "event": event,
    });
    let answer = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        &envelope.to_string(),
        clock.now().timestamp(),
    )
    .await;
    assert_eq!(answer.status(), 200);
}

/// Delivers the whole outbox through the real sender, moving the clock
/// through its pace instead of waiting.
async fn deliver(store: &Store, clock: &ManualClock, api: &WebApi) {
    let mut sender = Sender::new(store.clone(), Arc::new(clock.clone()), api.clone(), TEAM);
    while let Some(at) = sender.deliver_due().await.unwrap().next_try_at {
        let wait = at - clock.now();
        clock.advance(wait.max(chrono::Duration::milliseconds(1)));
    }
}

/// What the fake holds once it holds `count` entries (work done after the
/// answer), or after four seconds.
async fn settled<T: Clone>(shared: &Mutex<Vec<T>>, count: usize) -> Vec<T> {
    for _ in 0..200 {
        if shared.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    shared.lock().unwrap().clone()
}

/// Every limit Slack sets on a message's blocks, and nothing of banso's
/// markers or of a second escaping in them.
fn assert_slack_faithful(text: &str, blocks: &Value) {
    let blocks = blocks.as_array().expect("blocks");
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    assert!(text.encode_utf16().count() <= 40_000);
    let mut action_ids = std::collections::HashSet::new();
    for block in blocks {
        if block["type"] == "section" {
            let section = block["text"]["text"].as_str().unwrap();
            assert!(section.encode_utf16().count() <= 3_000);
        }
        for element in block["elements"].as_array().into_iter().flatten() {
            let id = element["action_id"].as_str().unwrap();
            assert!(id.len() <= 255 && action_ids.insert(id.to_owned()), "{id}");
            assert!(element["value"].as_str().unwrap().len() <= 2_000);
        }
    }
    let all = format!("{text}{blocks:?}");
    for wrong in ["<!here>", "<@U0LEADER>", "&amp;amp;", "&amp;lt;"] {
        assert!(!all.contains(wrong), "{wrong} in {all}");
    }
    assert!(
        !all.contains(is_private_use),
        "a marker reached Slack: {all}"
    );
}

fn sections(blocks: &Value) -> String {
    blocks
        .as_array()
        .unwrap()
        .iter()
        .filter(|block| block["type"] == "section")
        .map(|block| block["text"]["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What was posted to `channel`, each post checked.
fn posted_to(fake: &FakeSlack, channel: &str) -> Vec<Posted> {
    let posted = posted_unchecked(fake, channel);
    for (_, text, blocks) in &posted {
        assert_slack_faithful(text, blocks);
    }
    posted
}

/// What was posted to `channel`, for a text that holds what looks like an
/// entity because the person typed one.
fn posted_unchecked(fake: &FakeSlack, channel: &str) -> Vec<Posted> {
    let posted: Vec<Posted> = fake.posted.lock().unwrap().clone();
    posted
        .into_iter()
        .filter(|(to, _, _)| to == channel)
        .collect()
}

/// Every cell of a sheet, as text.
fn cells(bytes: Vec<u8>, sheet: &str) -> Vec<String> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    range
        .rows()
        .flat_map(|row| row.iter())
        .filter_map(|cell| match cell {
            Data::String(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn what_a_person_typed_in_slack_reads_the_same_on_every_surface() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        let (banso, fake, api) = start_banso(bot.clone()).await;

        // The department, typed with a link and an `&`.
        let answer = command(&banso, &clock, "U0SATO", "/dept", DEPARTMENT)
            .await
            .expect("an answer");
        assert!(
            sections(&answer["blocks"]).contains(&format!("「{DEPARTMENT_IN_SLACK}」")),
            "{answer}"
        );
        assert_slack_faithful(answer["text"].as_str().unwrap(), &answer["blocks"]);

        // The consultation.
        command(&banso, &clock, "U0SATO", "/consult", FIXTURE).await;
        let consultation = store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .expect("recorded");
        assert_eq!(
            banso::message::plain_text(&consultation.details),
            FIXTURE_PLAIN,
            "{}",
            test.label
        );
        deliver(store, &clock, &api).await;

        // The team notice: every word as typed, the link a link, the
        // mention a mention, no one notified by `<!here>` or the forgery.
        let team = posted_to(&fake, TEAM);
        assert_eq!(team.len(), 1, "{team:?}");
        let (_, fallback, blocks) = &team[0];
        assert!(sections(blocks).contains(FIXTURE_IN_SLACK), "{blocks}");
        assert!(sections(blocks).contains(DEPARTMENT_IN_SLACK), "{blocks}");
        assert!(fallback.contains(FIXTURE_IN_SLACK), "{fallback}");

        // The requester's DM: the title, which is the start of the text.
        let title_in_slack = banso::chat::slack::mrkdwn::escape(&consultation.title);
        assert!(
            title_in_slack.starts_with("A&amp;B社 &lt;重要&gt;"),
            "{title_in_slack}"
        );
        let dm = posted_to(&fake, "DU0SATO");
        assert!(
            dm.iter()
                .any(|(_, _, blocks)| sections(blocks).contains(&title_in_slack)),
            "{dm:?}"
        );

        // /consult show.
        let shown = command(&banso, &clock, "U0SATO", "/consult", "show 2406-001")
            .await
            .expect("an answer");
        assert!(
            sections(&shown["blocks"]).contains(FIXTURE_IN_SLACK),
            "{shown}"
        );
        assert!(shown["text"].as_str().unwrap().contains(FIXTURE_IN_SLACK));
        assert_slack_faithful(shown["text"].as_str().unwrap(), &shown["blocks"]);

        // App Home.
        event(
            &banso,
            &clock,
            "Ev1",
            json!({ "type": "app_home_opened", "user": "U0SATO", "channel": "DU0SATO", "tab": "home", "event_ts": "1718000000.000100" }),
        )
        .await;
        let homes = settled(&fake.homes, 1).await;
        assert_eq!(homes.len(), 1);
        assert!(
            sections(&homes[0]["blocks"]).contains(&title_in_slack),
            "{}",
            homes[0]
        );
        assert_slack_faithful("", &homes[0]["blocks"]);

        // The modal: the department filled in, in plain words (a plain_text
        // input shows what it is given).
        command(&banso, &clock, "U0SATO", "/consult", "").await;
        let views = settled(&fake.views, 1).await;
        let department = views[0]["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|block| block["block_id"] == "department")
            .expect("a department field");
        assert_eq!(department["element"]["initial_value"], DEPARTMENT_PLAIN);

        // The export: plain text, a link as its URL with its label.
        let made = banso::bot::exports::consultations(&bot, "2024-06".parse().unwrap())
            .await
            .unwrap();
        let list = cells(made.bytes, "相談一覧");
        assert!(list.iter().any(|cell| cell == FIXTURE_PLAIN), "{list:?}");
        assert!(list.iter().any(|cell| cell == DEPARTMENT_PLAIN), "{list:?}");
        assert!(!list.concat().contains(is_private_use));
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_modal_arrives_as_typed_and_is_not_decoded() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let (banso, fake, api) = start_banso(bot).await;
    let value = |text: &str| json!({ "value": { "type": "plain_text_input", "value": text } });
    // What the person typed, exactly: Slack does not encode modal values.
    let payload = json!({
        "type": "view_submission",
        "team": { "id": "T1" },
        "user": { "id": "U0SATO" },
        "view": {
            "id": "V0FORM",
            "team_id": "T1",
            "type": "modal",
            "hash": "1718000000.abc",
            "title": { "type": "plain_text", "text": "セキュリティ相談" },
            "blocks": [],
            "callback_id": "consult_form",
            "state": { "values": {
                "title": value("A&amp;B <重要>"),
                "department": value("総務課"),
                "category": { "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "技術" }, "value": "technical" } } },
                "details": value("手順は https://example.jp/a?b=1&c=2 を参照。<!here> \u{E000}U0LEADER\u{E001}"),
                "desired_date": { "value": { "type": "datepicker", "selected_date": null } },
            } },
        },
    });
    let answer = interaction(&banso, &clock, &payload).await;
    assert_eq!(answer.status(), 200);
    let consultation = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(consultation.title, "A&amp;B <重要>", "not decoded");
    assert_eq!(
        banso::message::plain_text(&consultation.details),
        "手順は https://example.jp/a?b=1&c=2 を参照。<!here> U0LEADER"
    );
    deliver(store, &clock, &api).await;
    let team = posted_unchecked(&fake, TEAM);
    let notice = sections(&team[0].2);
    assert!(!format!("{team:?}").contains(is_private_use));
    assert!(
        notice.contains("A&amp;amp;B &lt;重要&gt;"),
        "shown as typed: {notice}"
    );
    assert!(
        notice.contains("手順は <https://example.jp/a?b=1&amp;c=2> を参照。&lt;!here&gt; U0LEADER"),
        "{notice}"
    );
    test.cleanup().await;
}

#[tokio::test]
async fn a_direct_message_and_a_shortcut_are_decoded_and_replies_quote_them_escaped() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let (banso, fake, api) = start_banso(bot).await;
    // `<!here>` typed as a month: the reply quotes it, and notifies no one.
    let dm = |id: &str, text: &str| {
        (
            id.to_owned(),
            json!({ "type": "message", "channel_type": "im", "user": "U0SATO", "channel": "DU0SATO", "text": text, "ts": "1718000000.000100", "event_ts": "1718000000.000100" }),
        )
    };
    for (id, message) in [
        dm("Ev1", "/calendar &lt;!here&gt;"),
        dm("Ev2", "/calendar <!here>"),
    ] {
        event(&banso, &clock, &id, message).await;
    }
    deliver(store, &clock, &api).await;
    let replies: Vec<String> = posted_to(&fake, "DU0SATO")
        .iter()
        .map(|(_, _, blocks)| sections(blocks))
        .collect();
    assert!(
        replies[0].starts_with("「&lt;!here&gt;」は年月として読めません"),
        "{replies:?}"
    );
    assert!(
        replies[1].starts_with("「@here」は年月として読めません"),
        "{replies:?}"
    );

    // The message shortcut: the message's text, decoded, with a link back.
    let shortcut = json!({
        "type": "message_action", "callback_id": "register_consultation",
        "team": { "id": "T1" }, "user": { "id": "U0SATO" }, "channel": { "id": "C0GENERAL" },
        "trigger_id": "T0SHORTCUT", "response_url": "http://127.0.0.1:9/app/T1/2/abc",
        "message": { "ts": "1718000000.000100", "text": FIXTURE },
    });
    assert_eq!(interaction(&banso, &clock, &shortcut).await.status(), 200);
    deliver(store, &clock, &api).await;
    let notice = sections(&posted_to(&fake, TEAM)[0].2);
    assert!(notice.contains(FIXTURE_IN_SLACK), "{notice}");
    assert!(
        notice.contains("<https://slack.com/archives/C0GENERAL/p1718000000000100>"),
        "{notice}"
    );
    test.cleanup().await;
}

#[tokio::test]
async fn a_long_consultation_reaches_the_team_whole() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let (banso, fake, api) = start_banso(bot).await;
    command(&banso, &clock, "U0SATO", "/dept", "総務課").await;
    // 2,990 characters, 897 of them `&`, `<`, `>`, as Slack sends them.
    let typed = "A&B<C>あいうえ".repeat(299);
    let sent = typed
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    command(&banso, &clock, "U0SATO", "/consult", &sent).await;
    deliver(store, &clock, &api).await;
    let team = posted_to(&fake, TEAM);
    assert_eq!(team.len(), 1);
    let blocks = team[0].2.as_array().unwrap();
    let texts: Vec<&str> = blocks
        .iter()
        .filter(|block| block["type"] == "section")
        .map(|block| block["text"]["text"].as_str().unwrap())
        .collect();
    assert!(texts.len() >= 3, "{} sections", texts.len());
    let delivered: String = texts.concat().replace('\n', "");
    assert!(
        delivered.contains(&sent),
        "every one of the 2,990 characters reaches the team"
    );
    test.cleanup().await;
}

#[tokio::test]
async fn a_message_past_fifty_blocks_continues_in_the_thread_of_its_first_post() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (_bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let fake = FakeSlack::default();
    // The second post is refused once: the sender goes on from there.
    *fake.rate_limit_at.lock().unwrap() = Some(1);
    let api = WebApi::new(
        Secret::new("xoxb-test"),
        Some(&start_fake_slack(fake.clone()).await),
    );
    let line = "長".repeat(2_000);
    let text: String = (0..120).map(|n| format!("{n:03}{line}\n")).collect();
    let message = Outgoing {
        to: Recipient::Channel(TEAM.into()),
        text: text.clone(),
        buttons: Vec::new(),
    };
    store
        .enqueue_messages(
            &[NewMessage {
                idempotency_key: "long".into(),
                message,
                deferred: None,
                edits: None,
                in_thread_of: None,
            }],
            0,
        )
        .await
        .unwrap();
    deliver(store, &clock, &api).await;
    let team = posted_to(&fake, TEAM);
    assert_eq!(team.len(), 3, "120 sections: 50, 50, 20");
    let delivered: String = team
        .iter()
        .map(|(_, _, blocks)| sections(blocks))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        delivered,
        text.trim_end(),
        "in order, nothing left out, nothing twice"
    );
    // The continuation is in the thread of the first post.
    let threads = fake.threads.lock().unwrap().clone();
    let first = threads[0].0.clone();
    let under: Vec<Option<String>> = threads.into_iter().map(|(_, thread)| thread).collect();
    assert_eq!(under, [None, Some(first.clone()), Some(first)]);
    assert!(
        store.pending_messages(10).await.unwrap().is_empty(),
        "sent once all is posted"
    );
    test.cleanup().await;
}

#[derive(Clone)]
struct SocketOpener {
    ws_url: String,
}

async fn connections_open(State(opener): State<SocketOpener>) -> Json<Value> {
    Json(json!({ "ok": true, "url": opener.ws_url }))
}

#[tokio::test]
async fn socket_mode_decodes_what_slack_sends_as_http_does() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, _clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let ws_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let opener = SocketOpener {
        ws_url: format!("ws://{}/link", ws_listener.local_addr().unwrap()),
    };
    let (ack_sender, mut acks) = tokio::sync::mpsc::unbounded_channel::<Value>();
    tokio::spawn(async move {
        let (stream, _) = ws_listener.accept().await.unwrap();
        let mut socket = tokio_tungstenite::accept_async(stream).await.unwrap();
        let hello = json!({ "type": "hello", "num_connections": 1, "connection_info": { "app_id": "A1" }, "debug_info": { "host": "applink-test" } });
        socket.send(Message::text(hello.to_string())).await.unwrap();
        let envelope = json!({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
            "payload": {
                "command": "/consult", "text": FIXTURE, "user_id": "U0SATO", "team_id": "T1",
                "channel_id": "C0CONSULT", "response_url": "http://127.0.0.1:9/commands/T1/1/abc",
                "trigger_id": "1.2.3",
            },
        });
        socket
            .send(Message::text(envelope.to_string()))
            .await
            .unwrap();
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Text(ack) = frame {
                ack_sender
                    .send(serde_json::from_str(ack.as_str()).unwrap())
                    .unwrap();
            }
        }
    });
    let api = Router::new()
        .route("/api/apps.connections.open", post(connections_open))
        .with_state(opener);
    let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_base = format!("http://{}/api", api_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(api_listener, api).await.unwrap() });
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(banso::chat::slack::socket_mode::run(
        bot,
        Secret::new("xapp-test"),
        api_base,
        None,
        shutdown,
    ));
    let ack = tokio::time::timeout(std::time::Duration::from_secs(10), acks.recv())
        .await
        .expect("an ack")
        .unwrap();
    assert_eq!(ack["envelope_id"], "env-1");
    let consultation = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(
        banso::message::plain_text(&consultation.details),
        FIXTURE_PLAIN
    );
    if let Some(answer) = ack.get("payload") {
        assert_slack_faithful(
            answer["text"].as_str().unwrap_or_default(),
            &answer["blocks"],
        );
    }
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), running)
        .await
        .expect("stops on shutdown")
        .unwrap();
    test.cleanup().await;
}
