//! A consultation as a conversation in Slack (issue 13), over real HTTP on
//! loopback on both backends: a signed `/consult`, the team notice as the
//! root of a thread whose replies are every later event, 回答する as a
//! modal, the requester's follow-up in the DM, a reply the team types in
//! the thread kept and sent as the second answer with the message
//! shortcut 「回答として送る」, and 解決した. Payloads in the shapes Slack
//! documents: entity-encoded text, redelivered events.

mod support;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use banso::bot::clock::Clock;
use banso::bot::clock::ManualClock;
use banso::chat::slack::sender::Sender;
use banso::chat::slack::web_api::WebApi;
use banso::config::Secret;
use banso::domain::consultation::Status;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use support::bot_on;

const SECRET: &str = "test-signing-secret";
const TEAM: &str = "CBANSOTEAM";

/// What the fake Slack received and holds.
#[derive(Clone, Default)]
struct FakeSlack {
    /// Every post it accepted: channel id, ts, thread_ts, text.
    posts: Arc<Mutex<Vec<Value>>>,
    /// Every `chat.update`: channel, ts, text.
    updates: Arc<Mutex<Vec<Value>>>,
    /// Every view `views.open` opened.
    views: Arc<Mutex<Vec<Value>>>,
}

impl FakeSlack {
    fn posts_in(&self, channel: &str) -> Vec<Value> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|post| post["channel"] == channel)
            .cloned()
            .collect()
    }
}

/// A channel named in a post answered by its id, as Slack does.
fn channel_id(channel: &str) -> String {
    match channel.strip_prefix('#') {
        Some(name) => format!("C{}", name.to_uppercase().replace('-', "")),
        None => channel.to_owned(),
    }
}

async fn post_message(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    let channel = channel_id(body["channel"].as_str().unwrap_or_default());
    let mut posts = fake.posts.lock().unwrap();
    let ts = format!("1718000000.{:06}", posts.len() + 1);
    posts.push(json!({
        "channel": channel, "ts": ts, "thread_ts": body["thread_ts"], "text": body["text"],
    }));
    Json(json!({
        "ok": true, "channel": channel, "ts": ts,
        "message": { "type": "message", "text": body["text"], "ts": ts },
    }))
}

async fn update_message(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    fake.updates.lock().unwrap().push(body.clone());
    Json(json!({ "ok": true, "channel": body["channel"], "ts": body["ts"], "text": body["text"] }))
}

async fn open_view(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    fake.views.lock().unwrap().push(body["view"].clone());
    let mut view = body["view"].clone();
    view["id"] = json!("V1");
    view["team_id"] = json!("T1");
    view["hash"] = json!("1718000000.abc");
    Json(json!({ "ok": true, "view": view }))
}

async fn open_dm(Json(body): Json<Value>) -> Json<Value> {
    let user = body["users"][0].as_str().unwrap_or_default();
    Json(json!({ "ok": true, "channel": { "id": format!("D{user}") } }))
}

async fn no_such_user() -> Json<Value> {
    Json(json!({ "ok": false, "error": "user_not_found" }))
}

/// The fake Web API, and banso's router pointed at it.
async fn start(bot: banso::bot::Bot) -> (String, FakeSlack, String) {
    let fake = FakeSlack::default();
    let app = Router::new()
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/chat.update", post(update_message))
        .route("/api/views.open", post(open_view))
        .route("/api/conversations.open", post(open_dm))
        .route("/api/users.info", get(no_such_user))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_url = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let banso = format!("http://{}", listener.local_addr().unwrap());
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url));
    let router = banso::chat::slack::http::router(bot, Some(Secret::new(SECRET)), Some(api));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (banso, fake, api_url)
}

async fn post_signed(url: &str, content_type: &str, body: &str, now: i64) -> reqwest::Response {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{now}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", now.to_string())
        .header("x-slack-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn interaction(banso: &str, payload: &Value, now: i64) -> reqwest::Response {
    let form = format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.to_string().as_bytes()).collect::<String>()
    );
    let answer = post_signed(
        &format!("{banso}/slack/interactions"),
        "application/x-www-form-urlencoded",
        &form,
        now,
    )
    .await;
    assert_eq!(answer.status(), 200);
    answer
}

/// An event callback as Slack sends it, `event_id` its delivery's.
async fn event(banso: &str, event_id: &str, event: Value, now: i64) {
    let body = json!({
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
        "event_id": event_id, "event_time": now, "event": event,
    });
    let answer = post_signed(
        &format!("{banso}/slack/events"),
        "application/json",
        &body.to_string(),
        now,
    )
    .await;
    assert_eq!(answer.status(), 200);
}

/// A press of the button `action` on the message at `ts` in `channel`.
fn press(who: &str, action: &str, channel: &str, ts: &str, trigger: &str) -> Value {
    json!({
        "type": "block_actions", "trigger_id": trigger, "user": { "id": who },
        "team": { "id": "T1" }, "api_app_id": "A1",
        "response_url": "http://127.0.0.1:9/actions/T1/1/abc",
        "container": { "type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false },
        "actions": [{ "type": "button", "action_id": format!("consultation:{action}#0"), "block_id": "b0",
                      "value": "2406-001", "action_ts": "1718000005.000100" }],
    })
}

/// Delivers the outbox to the fake, moving the clock past each pace.
async fn deliver(sender: &mut Sender, clock: &ManualClock) {
    for _ in 0..200 {
        let step = sender.deliver_due().await.unwrap();
        let Some(at) = step.next_try_at else {
            return;
        };
        clock.set(at.max(clock.now()));
    }
    panic!("the outbox did not empty");
}

/// Waits for the work done after an ack (a modal opened, a reply queued).
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{what} did not happen");
}

async fn status_of(store: &banso::store::Store) -> Status {
    store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn a_whole_conversation_in_slack_lives_in_the_team_notices_thread() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        let (banso, fake, api_url) = start(bot.clone()).await;
        let api = WebApi::new(Secret::new("xoxb-test"), Some(&api_url));
        let mut sender = Sender::new(store.clone(), Arc::new(clock.clone()), api, "#banso-team");
        let now = || clock.now().timestamp();

        // Intake: a signed /consult, its text entity-encoded as Slack sends it.
        let form = format!(
            "command=%2Fconsult&text={}&user_id=U0TANAKA&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=1.2.3",
            url::form_urlencoded::byte_serialize("A&amp;B社のVPN装置の脆弱性".as_bytes())
                .collect::<String>()
        );
        let answer = post_signed(
            &format!("{banso}/slack/commands"),
            "application/x-www-form-urlencoded",
            &form,
            now(),
        )
        .await;
        assert_eq!(answer.status(), 200, "{label}");
        deliver(&mut sender, &clock).await;
        let team = fake.posts_in(TEAM);
        assert_eq!(team.len(), 1, "{label}: the notice alone: {team:?}");
        let root = team[0]["ts"].as_str().unwrap().to_owned();
        assert!(
            team[0]["thread_ts"].is_null(),
            "{label}: the notice is a root"
        );
        assert!(
            team[0]["text"].as_str().unwrap().contains("A&amp;B社"),
            "{label}: {}",
            team[0]["text"]
        );

        // 担当する on the notice: a reply in its thread, the notice redrawn.
        interaction(
            &banso,
            &press("consultant", "assign", TEAM, &root, "11.1"),
            now(),
        )
        .await;
        assert_eq!(status_of(store).await, Status::InProgress, "{label}");
        deliver(&mut sender, &clock).await;

        // 回答する opens the answer modal, for this consultation.
        interaction(
            &banso,
            &press("consultant", "answer", TEAM, &root, "11.2"),
            now(),
        )
        .await;
        until("the answer modal", async || {
            !fake.views.lock().unwrap().is_empty()
        })
        .await;
        let view = fake.views.lock().unwrap()[0].clone();
        assert_eq!(view["callback_id"], "consult_answer", "{label}");
        assert_eq!(view["private_metadata"], "2406-001", "{label}");
        assert!(
            view.to_string().contains("A&B社のVPN装置の脆弱性"),
            "{label}: {view}"
        );
        let submit = |words: &str| {
            json!({
                "type": "view_submission", "team": { "id": "T1" }, "user": { "id": "consultant" },
                "api_app_id": "A1", "trigger_id": "12.1",
                "view": {
                    "id": "V1", "team_id": "T1", "type": "modal", "callback_id": "consult_answer",
                    "private_metadata": "2406-001", "hash": "1718000000.abc",
                    "title": { "type": "plain_text", "text": "回答する" },
                    "blocks": [],
                    "state": { "values": { "answer": { "value": { "type": "plain_text_input", "value": words } } } },
                },
            })
        };
        // An empty answer is an error on the box, and nothing changes.
        let refused: Value = interaction(&banso, &submit("  "), now())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(refused["response_action"], "errors", "{label}: {refused}");
        assert!(
            refused["errors"]["answer"]
                .as_str()
                .unwrap()
                .contains("回答の本文がありません"),
            "{label}"
        );
        assert_eq!(status_of(store).await, Status::InProgress, "{label}");
        // A modal's values come as typed: no entities to decode.
        let answered = interaction(
            &banso,
            &submit("証明書を更新してください。<手順書>を添付します。"),
            now(),
        )
        .await;
        assert!(
            answered.text().await.unwrap().is_empty(),
            "{label}: the modal closes"
        );
        assert_eq!(status_of(store).await, Status::Answered, "{label}");
        deliver(&mut sender, &clock).await;
        let dm = fake.posts_in("DU0TANAKA");
        let first_answer = dm.last().unwrap()["text"].as_str().unwrap().to_owned();
        assert!(
            first_answer.contains("証明書を更新してください。&lt;手順書&gt;"),
            "{label}: {first_answer}"
        );

        // The App Home shows the requester the start of the answer.
        let home = banso::bot::home::overview(&bot, &support::user("U0TANAKA"))
            .await
            .unwrap();
        assert!(
            home.contains(
                "2406-001* [回答済] A&B社のVPN装置の脆弱性\n　回答: 証明書を更新してください。"
            ),
            "{label}: {home}"
        );

        // The requester asks more: 追加で質問する, then the question in the DM.
        interaction(
            &banso,
            &press(
                "U0TANAKA",
                "reopen",
                "DU0TANAKA",
                "1718000000.000009",
                "13.1",
            ),
            now(),
        )
        .await;
        until("the follow-up question", async || {
            !store.pending_messages(10).await.unwrap().is_empty()
        })
        .await;
        deliver(&mut sender, &clock).await;
        let question = json!({
            "type": "message", "channel": "DU0TANAKA", "channel_type": "im", "user": "U0TANAKA",
            "text": "更新後もつながりません &amp; エラーが出ます", "ts": "1718000100.000100",
        });
        event(&banso, "EvQUESTION", question.clone(), now()).await;
        event(&banso, "EvQUESTION", question, now()).await; // a redelivery
        assert_eq!(
            status_of(store).await,
            Status::InProgress,
            "{label}: reopened"
        );
        deliver(&mut sender, &clock).await;

        // A consultant replies in the notice's thread (a private channel):
        // kept. A staff guest's reply and a reply in another thread are not.
        let reply = json!({
            "type": "message", "channel": TEAM, "channel_type": "group", "user": "consultant",
            "text": "ルータの再起動を案内します &lt;手順&gt;", "ts": "1718000200.000100", "thread_ts": root,
        });
        event(&banso, "EvREPLY", reply.clone(), now()).await;
        event(&banso, "EvREPLY", reply, now()).await; // a redelivery
        let guest = json!({
            "type": "message", "channel": TEAM, "channel_type": "group", "user": "U0GUEST",
            "text": "見ています", "ts": "1718000201.000100", "thread_ts": root,
        });
        event(&banso, "EvGUEST", guest, now()).await;
        let elsewhere = json!({
            "type": "message", "channel": TEAM, "channel_type": "group", "user": "consultant",
            "text": "別の話題", "ts": "1718000202.000100", "thread_ts": "1717000000.000001",
        });
        event(&banso, "EvELSEWHERE", elsewhere, now()).await;
        let own = json!({
            "type": "message", "subtype": "bot_message", "channel": TEAM, "channel_type": "group",
            "bot_id": "B0BANSO", "text": "banso", "ts": "1718000203.000100", "thread_ts": root,
        });
        event(&banso, "EvOWN", own, now()).await;

        // 「回答として送る」 on that reply: the second answer.
        let shortcut = json!({
            "type": "message_action", "callback_id": "send_as_answer", "trigger_id": "14.1",
            "team": { "id": "T1" }, "user": { "id": "consultant" }, "channel": { "id": TEAM },
            "response_url": "http://127.0.0.1:9/app/T1/2/abc",
            "message": { "type": "message", "user": "consultant", "ts": "1718000200.000100", "thread_ts": root,
                         "text": "ルータの再起動を案内します &lt;手順&gt;" },
        });
        interaction(&banso, &shortcut, now()).await;
        assert_eq!(status_of(store).await, Status::Answered, "{label}");
        // On the notice itself (not a reply) it says where it works.
        let on_root = json!({
            "type": "message_action", "callback_id": "send_as_answer", "trigger_id": "14.2",
            "team": { "id": "T1" }, "user": { "id": "consultant" }, "channel": { "id": TEAM },
            "response_url": "http://127.0.0.1:9/app/T1/2/abc",
            "message": { "type": "message", "bot_id": "B0BANSO", "ts": root, "text": "notice" },
        });
        interaction(&banso, &on_root, now()).await;
        deliver(&mut sender, &clock).await;
        let dm = fake.posts_in("DU0TANAKA");
        assert!(
            dm.iter().any(|post| post["text"]
                .as_str()
                .unwrap()
                .contains("ルータの再起動を案内します &lt;手順&gt;")),
            "{label}: the second answer reaches the requester: {dm:?}"
        );
        let consultant_dm = fake.posts_in("Dconsultant");
        assert!(
            consultant_dm.iter().any(|post| post["text"]
                .as_str()
                .unwrap()
                .contains("スレッドにある返信")),
            "{label}: {consultant_dm:?}"
        );

        // 解決した.
        interaction(
            &banso,
            &press(
                "U0TANAKA",
                "close",
                "DU0TANAKA",
                "1718000000.000009",
                "15.1",
            ),
            now(),
        )
        .await;
        assert_eq!(status_of(store).await, Status::Closed, "{label}");
        deliver(&mut sender, &clock).await;

        // An answer sent to a consultation closed meanwhile: why, on the
        // box, so the words typed are not lost with the modal.
        let late: Value = interaction(&banso, &submit("もう一点補足です。"), now())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(late["response_action"], "errors", "{label}: {late}");
        assert!(
            late["errors"]["answer"].as_str().unwrap().contains("完了"),
            "{label}: {late}"
        );

        // Every later event is a reply in the notice's thread; the notice
        // itself was redrawn with each state.
        let team = fake.posts_in(TEAM);
        assert!(team.len() >= 5, "{label}: {team:?}");
        for post in &team[1..] {
            assert_eq!(post["thread_ts"], root.as_str(), "{label}: {post}");
        }
        let updates = fake.updates.lock().unwrap().clone();
        let redrawn: Vec<&str> = updates
            .iter()
            .filter(|update| update["ts"] == root.as_str())
            .map(|update| update["text"].as_str().unwrap())
            .collect();
        assert!(redrawn.len() >= 5, "{label}: {redrawn:?}");
        assert!(
            redrawn.last().unwrap().contains("完了"),
            "{label}: {redrawn:?}"
        );

        // The history holds each step once, with who; the team's reply is
        // the team's alone.
        let consultation = store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .unwrap();
        let kinds: Vec<(String, String)> = store
            .consultation_events(consultation.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|event| !event.kind.starts_with("refused"))
            .map(|event| (event.kind, event.actor))
            .collect();
        let kinds: Vec<(&str, &str)> = kinds
            .iter()
            .map(|(k, a)| (k.as_str(), a.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("created", "U0TANAKA"),
                ("transition", "consultant"),
                ("answer", "consultant"),
                ("followup", "U0TANAKA"),
                ("team_note", "consultant"),
                ("answer", "consultant"),
                ("transition", "U0TANAKA"),
            ],
            "{label}"
        );
        let for_requester = support::say(&bot, "U0TANAKA", "/consult show 2406-001").await;
        assert_eq!(
            for_requester.matches("ルータの再起動").count(),
            1,
            "{label}: {for_requester}"
        );
        assert!(
            !for_requester.contains("チーム内の返信"),
            "{label}: {for_requester}"
        );
        let for_team = support::say(&bot, "consultant", "/consult show 2406-001").await;
        assert!(for_team.contains("チーム内の返信"), "{label}: {for_team}");
        assert_eq!(
            for_team.matches("ルータの再起動").count(),
            2,
            "{label}: {for_team}"
        );
        test.cleanup().await;
    }
}
