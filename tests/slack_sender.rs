//! The outbox sender against a scripted fake Slack Web API, on a manual
//! clock: each test queues messages, runs one delivery step, moves the
//! clock and runs the next, so the pace (one message a second per
//! channel), `Retry-After`, the backoff with its jitter and giving up after
//! six tries are checked to the millisecond without one real wait.

mod support;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use banso::bot::clock::{Clock, ManualClock};
use banso::chat::slack::sender::{DeliveryReport, MOST_TRIES, Sender};
use banso::chat::slack::web_api::WebApi;
use banso::config::Secret;
use banso::message::{Outgoing, Recipient};
use banso::store::{NewMessage, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

const TEAM: &str = "#banso-team";

/// How the fake answers one `chat.postMessage`.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Accept,
    /// HTTP 429 with `Retry-After` in seconds.
    RateLimited(u64),
    /// HTTP 500.
    ServerError,
    /// `ok: false` with `channel_not_found`.
    Refused,
    /// Posted, but the answer never comes (the client times out).
    PostedThenSilent,
}

/// One `chat.postMessage` the fake received, stamped with the test's clock.
#[derive(Debug, Clone)]
struct Call {
    at: DateTime<Utc>,
    channel: String,
    text: String,
}

#[derive(Clone)]
struct FakeSlack {
    clock: ManualClock,
    /// Per channel, the answers still to give, in order; then `Accept`.
    script: Arc<Mutex<HashMap<String, VecDeque<Answer>>>>,
    calls: Arc<Mutex<Vec<Call>>>,
    /// What Slack has: every post it accepted, as `conversations.history`
    /// returns it (ts, thread_ts, metadata, text).
    posted: Arc<Mutex<Vec<Value>>>,
    /// Every `chat.update`: (channel, ts, text).
    updates: Arc<Mutex<Vec<(String, String, String)>>>,
    /// Whether the history methods answer `missing_scope` (an app
    /// installed before the history scopes were added).
    history_refused: Arc<std::sync::atomic::AtomicBool>,
    /// Where its Web API is served.
    api_url: String,
}

impl FakeSlack {
    fn answer(&self, channel: &str, answers: &[Answer]) {
        self.script
            .lock()
            .unwrap()
            .entry(channel.to_owned())
            .or_default()
            .extend(answers.iter().copied());
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Puts a post in Slack as if another process had posted it.
    fn has_posted(&self, body: Value) {
        let mut body = body;
        body["channel"] = json!(channel_id(body["channel"].as_str().unwrap_or_default()));
        let ts = format!(
            "{}.{:06}",
            self.clock.now().timestamp(),
            self.posted.lock().unwrap().len() + 1
        );
        body["ts"] = json!(ts);
        self.posted.lock().unwrap().push(body);
    }

    /// The posts Slack has in `channel`.
    fn posted_in(&self, channel: &str) -> Vec<Value> {
        self.posted
            .lock()
            .unwrap()
            .iter()
            .filter(|post| post["channel"] == channel_id(channel).as_str())
            .cloned()
            .collect()
    }

    /// The instants at which `channel` was tried.
    fn tries_of(&self, channel: &str) -> Vec<DateTime<Utc>> {
        self.calls()
            .into_iter()
            .filter(|call| call.channel == channel)
            .map(|call| call.at)
            .collect()
    }
}

async fn post_message(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Response {
    let channel = body["channel"].as_str().unwrap_or_default().to_owned();
    fake.calls.lock().unwrap().push(Call {
        at: fake.clock.now(),
        channel: channel.clone(),
        text: body["text"].as_str().unwrap_or_default().to_owned(),
    });
    let answer = fake
        .script
        .lock()
        .unwrap()
        .get_mut(&channel)
        .and_then(VecDeque::pop_front)
        .unwrap_or(Answer::Accept);
    if matches!(answer, Answer::Accept | Answer::PostedThenSilent) {
        fake.has_posted(json!({
            "channel": channel, "text": body["text"], "thread_ts": body["thread_ts"],
            "metadata": body["metadata"], "type": "message", "subtype": "bot_message",
        }));
    }
    match answer {
        Answer::Accept => {
            let ts = fake.posted.lock().unwrap().last().unwrap()["ts"].clone();
            Json(json!({
                "ok": true, "channel": channel_id(&channel), "ts": ts,
                "message": { "type": "message", "ts": ts },
            }))
            .into_response()
        }
        Answer::PostedThenSilent => {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Answer::RateLimited(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", seconds.to_string())],
            Json(json!({ "ok": false, "error": "ratelimited" })),
        )
            .into_response(),
        Answer::ServerError => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Answer::Refused => {
            Json(json!({ "ok": false, "error": "channel_not_found" })).into_response()
        }
    }
}

/// `chat.update`: recorded, and answered as Slack does.
async fn update_message(State(fake): State<FakeSlack>, Json(body): Json<Value>) -> Json<Value> {
    let channel = body["channel"].as_str().unwrap_or_default().to_owned();
    let ts = body["ts"].as_str().unwrap_or_default().to_owned();
    fake.updates.lock().unwrap().push((
        channel.clone(),
        ts.clone(),
        body["text"].as_str().unwrap_or_default().to_owned(),
    ));
    Json(json!({ "ok": true, "channel": channel, "ts": ts, "text": body["text"] }))
}

/// A channel's id as Slack answers it: a channel given by name
/// (`#banso`) is posted to, and answered with its id (`CBANSO`).
fn channel_id(channel: &str) -> String {
    match channel.strip_prefix('#') {
        Some(name) => format!("C{}", name.to_uppercase().replace('-', "")),
        None => channel.to_owned(),
    }
}

/// `conversations.history` as Slack answers it: the channel's top-level
/// messages at or after `oldest`, newest first, with their metadata only
/// when `include_all_metadata` is asked for, a page of `limit` at a time.
async fn history(
    State(fake): State<FakeSlack>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    if fake
        .history_refused
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return Json(
            json!({ "ok": false, "error": "missing_scope", "needed": "channels:history" }),
        );
    }
    let channel = query.get("channel").cloned().unwrap_or_default();
    if channel.starts_with('#') {
        // The history methods take ids only.
        return Json(json!({ "ok": false, "error": "channel_not_found" }));
    }
    let oldest: f64 = query
        .get("oldest")
        .and_then(|ts| ts.parse().ok())
        .unwrap_or(0.0);
    let messages: Vec<Value> = fake
        .posted_in(&channel)
        .into_iter()
        .rev()
        .filter(|post| post["thread_ts"].is_null())
        .filter(|post| post["ts"].as_str().unwrap().parse::<f64>().unwrap() >= oldest)
        .collect();
    Json(page_of(messages, &query))
}

/// `conversations.replies`: the thread's parent and its replies, oldest
/// first.
async fn replies(
    State(fake): State<FakeSlack>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let channel = query.get("channel").cloned().unwrap_or_default();
    let ts = query.get("ts").cloned().unwrap_or_default();
    let messages: Vec<Value> = fake
        .posted_in(&channel)
        .into_iter()
        .filter(|post| post["ts"] == ts.as_str() || post["thread_ts"] == ts.as_str())
        .collect();
    Json(page_of(messages, &query))
}

/// One page of messages, by the cursor (an offset here) and the limit.
fn page_of(messages: Vec<Value>, query: &HashMap<String, String>) -> Value {
    let with_metadata = query.get("include_all_metadata").map(String::as_str) == Some("true");
    let limit: usize = query
        .get("limit")
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let from: usize = query
        .get("cursor")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let page: Vec<Value> = messages
        .iter()
        .skip(from)
        .take(limit)
        .cloned()
        .map(|mut message| {
            if !with_metadata {
                message.as_object_mut().unwrap().remove("metadata");
            }
            message
        })
        .collect();
    let next = if from + limit < messages.len() {
        (from + limit).to_string()
    } else {
        String::new()
    };
    json!({
        "ok": true, "messages": page, "has_more": !next.is_empty(),
        "response_metadata": { "next_cursor": next },
    })
}

/// `conversations.open`: `users` as slack-morphism sends it, a list.
async fn open_dm(Json(body): Json<Value>) -> Json<Value> {
    let user = body["users"][0].as_str().unwrap_or_default();
    Json(json!({ "ok": true, "channel": { "id": format!("D{user}") } }))
}

const START: &str = "2024-06-10T10:00:00+09:00";

/// A store, a manual clock at `START`, a fake Slack stamping calls with
/// that clock, and a sender pointed at it.
async fn setup() -> (support::TestStore, ManualClock, FakeSlack, Sender) {
    setup_on(support::sqlite_store().await).await
}

/// As `setup`, on the store given.
async fn setup_on(
    test: support::TestStore,
) -> (support::TestStore, ManualClock, FakeSlack, Sender) {
    let clock = ManualClock::starting_at(DateTime::parse_from_rfc3339(START).unwrap().to_utc());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = FakeSlack {
        clock: clock.clone(),
        script: Arc::default(),
        calls: Arc::default(),
        posted: Arc::default(),
        updates: Arc::default(),
        history_refused: Arc::default(),
        api_url: format!("http://{}/api", listener.local_addr().unwrap()),
    };
    let app = Router::new()
        .route("/api/conversations.open", post(open_dm))
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/conversations.history", get(history))
        .route("/api/chat.update", post(update_message))
        .route("/api/conversations.replies", get(replies))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sender = sender_of(&test.store, &clock, &fake);
    (test, clock, fake, sender)
}

/// A sender on `store` pointed at the fake.
fn sender_of(store: &Store, clock: &ManualClock, fake: &FakeSlack) -> Sender {
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&fake.api_url));
    Sender::new(store.clone(), Arc::new(clock.clone()), api, TEAM)
}

/// A sender on `store` whose calls give up after 300 ms (the fake's
/// `PostedThenSilent` never answers).
fn impatient_sender_of(store: &Store, clock: &ManualClock, fake: &FakeSlack) -> Sender {
    let api = WebApi::new(Secret::new("xoxb-test"), Some(&fake.api_url))
        .with_timeout(std::time::Duration::from_millis(300));
    Sender::new(store.clone(), Arc::new(clock.clone()), api, TEAM)
}

/// Two replicas of `banso serve` on one database (on SQLite, two stores
/// of one file; on PostgreSQL, two pools), each with its sender, driven
/// together: every message reaches Slack once, each channel's messages in
/// their order and a second apart whichever replica sends them, and a 429
/// seen by one holds the other back too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_send_each_message_once_in_order_at_one_shared_pace() {
    let stores = support::all_stores().await;
    for test in stores {
        let label = test.label;
        let other_store = test.second_replica().await;
        let (test, clock, fake, mut one) = setup_on(test).await;
        let mut other = sender_of(&other_store, &clock, &fake);
        let t0 = clock.now();
        fake.answer("#banso", &[Answer::Accept, Answer::RateLimited(5)]);
        let mut texts = Vec::new();
        for n in 0..6 {
            for to in [channel("#banso"), channel(TEAM), dm("tanaka"), dm("sato")] {
                let text = format!("{to}-{n}");
                enqueue(&test.store, &clock, to, &text).await;
                texts.push(text);
            }
        }
        for _ in 0..200 {
            let (a, b) = tokio::join!(one.deliver_due(), other.deliver_due());
            let (a, b) = (a.unwrap(), b.unwrap());
            match [a.next_try_at, b.next_try_at].into_iter().flatten().min() {
                Some(at) if at > clock.now() => clock.set(at),
                Some(_) => {}
                None if test.store.pending_messages(10).await.unwrap().is_empty() => break,
                None => {}
            }
        }
        let calls = fake.calls();
        let mut posted: Vec<String> = calls.iter().map(|call| call.text.clone()).collect();
        // The 429's try is no post: drop the one refused try of #banso.
        let refused = calls
            .iter()
            .filter(|call| call.channel == "#banso")
            .nth(1)
            .map(|call| call.text.clone())
            .unwrap();
        let at = posted.iter().position(|text| *text == refused).unwrap();
        posted.remove(at);
        let mut sorted = posted.clone();
        sorted.sort();
        let mut expected = texts.clone();
        expected.sort();
        assert_eq!(sorted, expected, "{label}: each message once");
        for channel_id in ["#banso", TEAM, "Dtanaka", "Dsato"] {
            let tries = fake.tries_of(channel_id);
            for pair in tries.windows(2) {
                assert!(
                    pair[1] - pair[0] >= Duration::seconds(1),
                    "{label}: {channel_id} tried twice within a second: {tries:?}"
                );
            }
            let texts_in_order: Vec<String> = calls
                .iter()
                .filter(|call| call.channel == channel_id)
                .map(|call| call.text.clone())
                .collect();
            let mut deduped = texts_in_order.clone();
            deduped.dedup();
            let mut sorted = deduped.clone();
            sorted.sort();
            assert_eq!(deduped, sorted, "{label}: {channel_id} out of order");
        }
        // After the 429 (on the second try, at t0 + 1 s), #banso waited
        // its five seconds whichever sender came next.
        let banso = fake.tries_of("#banso");
        assert_eq!(banso[1] - t0, Duration::seconds(1), "{label}");
        assert_eq!(banso[2] - banso[1], Duration::seconds(5), "{label}");
        assert!(
            test.store.pending_messages(10).await.unwrap().is_empty(),
            "{label}"
        );
        other_store.close().await;
        test.cleanup().await;
    }
}

async fn enqueue(store: &Store, clock: &ManualClock, to: Recipient, text: &str) {
    let message = NewMessage {
        idempotency_key: format!("test:{text}"),
        message: Outgoing {
            to,
            text: text.to_owned(),
            buttons: Vec::new(),
        },
        deferred: None,
        edits: None,
        in_thread_of: None,
    };
    store
        .enqueue_messages(&[message], clock.now().timestamp())
        .await
        .unwrap();
}

/// The id of the first message waiting for `to`.
async fn head_of(store: &Store, to: &Recipient) -> i64 {
    store
        .pending_messages(1_000)
        .await
        .unwrap()
        .into_iter()
        .find(|queued| queued.message.to == *to)
        .expect("a message waiting")
        .id
}

fn channel(name: &str) -> Recipient {
    Recipient::Channel(name.to_owned())
}

fn dm(name: &str) -> Recipient {
    Recipient::User(support::user(name))
}

/// Runs steps until the outbox is empty, each time moving the clock to the
/// instant the step named. A millisecond before that instant, a step must
/// try nothing: every wait is honoured exactly, not merely eventually.
async fn run_to_completion(
    sender: &mut Sender,
    clock: &ManualClock,
    fake: &FakeSlack,
) -> DeliveryReport {
    let mut total = DeliveryReport::default();
    for _ in 0..100 {
        let step = sender.deliver_due().await.unwrap();
        total.sent += step.report.sent;
        total.retried += step.report.retried;
        total.given_up += step.report.given_up;
        total.found_in_slack += step.report.found_in_slack;
        let Some(at) = step.next_try_at else {
            return total;
        };
        assert!(at > clock.now(), "a step returns only when all must wait");
        let calls = fake.calls().len();
        clock.set(at - Duration::milliseconds(1));
        let early = sender.deliver_due().await.unwrap();
        assert_eq!(early.report, DeliveryReport::default(), "tried early");
        assert_eq!(fake.calls().len(), calls, "tried early");
        clock.set(at);
    }
    panic!("the outbox did not empty in 100 steps")
}

#[tokio::test]
async fn one_message_a_second_per_channel_in_each_channels_order() {
    let (test, clock, fake, mut sender) = setup().await;
    let t0 = clock.now();
    for text in ["m1", "m2", "m3"] {
        enqueue(&test.store, &clock, channel("#banso"), text).await;
    }
    enqueue(&test.store, &clock, channel(TEAM), "t1").await;
    enqueue(&test.store, &clock, dm("tanaka"), "d1").await;

    let first = sender.deliver_due().await.unwrap();
    assert_eq!(first.report.sent, 3, "one head per channel");
    assert_eq!(first.next_try_at, Some(t0 + Duration::seconds(1)));
    let again = sender.deliver_due().await.unwrap();
    assert_eq!(again.report, DeliveryReport::default(), "the pace holds");

    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!((report.sent, report.retried, report.given_up), (2, 0, 0));
    let to_banso: Vec<(i64, String)> = fake
        .calls()
        .into_iter()
        .filter(|call| call.channel == "#banso")
        .map(|call| ((call.at - t0).num_milliseconds(), call.text))
        .collect();
    assert_eq!(
        to_banso,
        [(0, "m1".into()), (1_000, "m2".into()), (2_000, "m3".into())]
    );
    assert_eq!(fake.tries_of(TEAM), [t0]);
    assert_eq!(fake.tries_of("Dtanaka"), [t0]);
    assert!(test.store.pending_messages(10).await.unwrap().is_empty());
    test.cleanup().await;
}

#[tokio::test]
async fn a_long_retry_after_is_waited_out_costs_no_try_and_holds_up_no_other_channel() {
    let (test, clock, fake, mut sender) = setup().await;
    let t0 = clock.now();
    fake.answer(
        "#banso",
        &[Answer::RateLimited(30), Answer::RateLimited(30)],
    );
    enqueue(&test.store, &clock, channel("#banso"), "reminder").await;
    enqueue(&test.store, &clock, channel(TEAM), "notice").await;

    let first = sender.deliver_due().await.unwrap();
    assert_eq!((first.report.sent, first.report.retried), (1, 1));
    assert_eq!(first.next_try_at, Some(t0 + Duration::seconds(30)));
    let pending = test.store.pending_messages(10).await.unwrap();
    assert_eq!(pending[0].attempts, 0, "a 429 is not the message's fault");

    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!((report.sent, report.retried, report.given_up), (1, 1, 0));
    assert_eq!(
        fake.tries_of("#banso"),
        [t0, t0 + Duration::seconds(30), t0 + Duration::seconds(60)]
    );
    assert_eq!(fake.tries_of(TEAM), [t0]);
    test.cleanup().await;
}

#[tokio::test]
async fn server_errors_back_off_with_jitter_and_the_sixth_failure_is_given_up_and_told_to_the_team()
{
    let (test, clock, fake, mut sender) = setup().await;
    let t0 = clock.now();
    let always_failing = [Answer::ServerError; 10];
    fake.answer("Dtanaka", &always_failing);
    fake.answer("Dsato", &always_failing);
    enqueue(&test.store, &clock, dm("tanaka"), "for tanaka").await;
    enqueue(&test.store, &clock, dm("sato"), "for sato").await;

    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!(report.given_up, 2);
    assert_eq!(report.retried, 2 * 5);
    assert_eq!(report.sent, 2, "one failure notice each");
    assert!(test.store.pending_messages(10).await.unwrap().is_empty());

    let tanaka = fake.tries_of("Dtanaka");
    let sato = fake.tries_of("Dsato");
    for tries in [&tanaka, &sato] {
        assert_eq!(tries.len(), usize::try_from(MOST_TRIES).unwrap());
        assert_eq!(tries[0], t0);
        // 2, 4, 8, 16, 32 seconds, each plus under a second of jitter.
        for (n, pair) in tries.windows(2).enumerate() {
            let pause = (pair[1] - pair[0]).num_milliseconds();
            let base = 2_000 << n;
            assert!(
                (base..base + 1_000).contains(&pause),
                "pause {n}: {pause} ms in {tries:?}"
            );
        }
    }
    assert_ne!(tanaka[1..], sato[1..], "the jitter keeps retries apart");

    // Each give-up is told to the team channel; the notices keep the
    // team channel's pace too.
    let notices: Vec<Call> = fake
        .calls()
        .into_iter()
        .filter(|call| call.channel == TEAM)
        .collect();
    assert_eq!(notices.len(), 2, "{notices:?}");
    for (name, tries) in [("tanaka", &tanaka), ("sato", &sato)] {
        let notice = notices
            .iter()
            .find(|notice| notice.text.contains(name))
            .unwrap_or_else(|| panic!("no notice for {name}: {notices:?}"));
        assert!(
            notice.text.contains("送信できませんでした") && notice.text.contains("HTTP 500"),
            "{notice:?}"
        );
        // Said in the team's words, not as the client's error text.
        assert!(!notice.text.contains("Slack answered"), "{notice:?}");
        assert!(notice.at >= *tries.last().unwrap(), "{notice:?}");
    }
    let first_given_up = tanaka.last().unwrap().min(sato.last().unwrap());
    assert_eq!(notices[0].at, *first_given_up, "told at once");
    assert!(notices[1].at - notices[0].at >= Duration::seconds(1));
    test.cleanup().await;
}

#[tokio::test]
async fn a_refused_message_is_given_up_at_once_and_the_team_channel_is_not_told_of_its_own() {
    let (test, clock, fake, mut sender) = setup().await;
    fake.answer("Dtanaka", &[Answer::Refused]);
    fake.answer(TEAM, &[Answer::Refused]);
    enqueue(&test.store, &clock, dm("tanaka"), "for tanaka").await;
    enqueue(&test.store, &clock, channel(TEAM), "for the team").await;

    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!((report.sent, report.retried, report.given_up), (1, 0, 2));
    assert_eq!(fake.tries_of("Dtanaka").len(), 1, "no retry of a refusal");
    let to_team: Vec<String> = fake
        .calls()
        .into_iter()
        .filter(|call| call.channel == TEAM)
        .map(|call| call.text)
        .collect();
    assert_eq!(to_team.len(), 2, "{to_team:?}");
    assert_eq!(to_team[0], "for the team");
    assert!(
        to_team[1].contains("tanaka") && to_team[1].contains("channel_not_found"),
        "{to_team:?}"
    );
    test.cleanup().await;
}

/// A replica that dies holding a channel's turn (killed between taking it
/// and posting) holds up that channel only until its lease ends; then
/// another sender takes the channel over and sends. Other channels do not
/// wait at all.
#[tokio::test]
async fn a_dead_replicas_turn_is_taken_over_when_its_lease_ends() {
    let (test, clock, fake, mut sender) = setup().await;
    let t0 = clock.now();
    enqueue(&test.store, &clock, channel("#banso"), "reminder").await;
    enqueue(&test.store, &clock, channel(TEAM), "notice").await;
    let taken = test
        .store
        .take_channel_turn(
            &channel("#banso"),
            "dead-replica",
            head_of(&test.store, &channel("#banso")).await,
            t0.timestamp_millis(),
            90_000,
        )
        .await
        .unwrap();
    assert_eq!(taken, banso::store::ChannelTurn::Taken);

    let first = sender.deliver_due().await.unwrap();
    assert_eq!(first.report.sent, 1, "the team channel goes on");
    // Another sender's turn is looked at again every second (it usually
    // ends within one), and taken only when its lease ends.
    assert_eq!(first.next_try_at, Some(t0 + Duration::seconds(1)));
    for second in [1, 45, 89] {
        clock.set(t0 + Duration::seconds(second));
        assert_eq!(sender.deliver_due().await.unwrap().report.sent, 0);
    }
    clock.set(t0 + Duration::seconds(90));
    assert_eq!(sender.deliver_due().await.unwrap().report.sent, 1);
    assert_eq!(fake.tries_of("#banso"), [t0 + Duration::seconds(90)]);
    assert_eq!(fake.tries_of(TEAM), [t0]);
    test.cleanup().await;
}

/// A stop interrupts delivery between posts, never within one: with the
/// flag set a step posts nothing and holds no turn; cleared, delivery
/// goes on from where it was.
#[tokio::test]
async fn an_interrupted_sender_posts_nothing_more_and_goes_on_when_cleared() {
    let (test, clock, fake, mut sender) = setup().await;
    enqueue(&test.store, &clock, channel("#banso"), "m1").await;
    enqueue(&test.store, &clock, channel(TEAM), "t1").await;
    let interrupt = sender.interrupt_handle();
    interrupt.store(true, std::sync::atomic::Ordering::Release);
    let step = sender.deliver_due().await.unwrap();
    assert_eq!(step.report, DeliveryReport::default());
    assert!(fake.calls().is_empty());
    assert_eq!(sender.release_turns().await.unwrap(), 0, "no turn taken");
    interrupt.store(false, std::sync::atomic::Ordering::Release);
    assert_eq!(sender.deliver_due().await.unwrap().report.sent, 2);
    assert!(!sender.has_pending().await);
    test.cleanup().await;
}

/// What a post of outbox message `key` carries, as banso posts it.
fn marked(channel_id: &str, text: &str, key: &str) -> Value {
    json!({
        "channel": channel_id, "text": text, "type": "message",
        "metadata": {
            "event_type": banso::chat::slack::web_api::POST_MARK_EVENT,
            "event_payload": { "key": key, "part": "1", "parts": "1" },
        },
    })
}

/// The crash window: a replica took `#banso`'s turn, posted its head
/// message and died before marking it sent; on `#other` it died before
/// posting. When the lease ends, a sender taking over (another process:
/// it knows `#banso`'s Slack id from the database, where an earlier post
/// left it) finds the first in Slack by its key and marks it sent
/// without posting it again, posts the second, and goes on with what
/// follows. On both backends.
#[tokio::test]
async fn a_message_a_dead_replica_posted_is_found_in_slack_and_not_posted_again() {
    for test in support::all_stores().await {
        let label = test.label;
        let (test, clock, fake, mut first) = setup_on(test).await;
        enqueue(&test.store, &clock, channel("#banso"), "earlier").await;
        run_to_completion(&mut first, &clock, &fake).await;
        let t0 = clock.advance(Duration::seconds(2));
        enqueue(&test.store, &clock, channel("#banso"), "reminder").await;
        enqueue(&test.store, &clock, channel("#banso"), "next").await;
        enqueue(&test.store, &clock, channel("#other"), "notice").await;
        for to in ["#banso", "#other"] {
            let head = head_of(&test.store, &channel(to)).await;
            test.store
                .take_channel_turn(
                    &channel(to),
                    "dead-replica",
                    head,
                    t0.timestamp_millis(),
                    90_000,
                )
                .await
                .unwrap();
        }
        clock.set(t0 + Duration::milliseconds(300));
        fake.has_posted(marked("#banso", "reminder", "test:reminder"));
        // Someone's message in between.
        fake.has_posted(
            json!({ "channel": "#banso", "text": "了解です", "type": "message", "user": "U1" }),
        );

        clock.set(t0 + Duration::seconds(90));
        let mut sender = sender_of(&test.store, &clock, &fake);
        let report = run_to_completion(&mut sender, &clock, &fake).await;
        assert_eq!((report.sent, report.found_in_slack), (3, 1), "{label}");
        let texts = |channel_id: &str| -> Vec<String> {
            fake.posted_in(channel_id)
                .iter()
                .map(|post| post["text"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(
            texts("#banso"),
            ["earlier", "reminder", "了解です", "next"],
            "{label}"
        );
        assert_eq!(texts("#other"), ["notice"], "{label}");
        assert_eq!(
            fake.tries_of("#banso").len(),
            2,
            "{label}: only `earlier` and `next` were posted to #banso by banso"
        );
        assert!(test.store.pending_messages(10).await.unwrap().is_empty());
        test.cleanup().await;
    }
}

/// The doubt is of the message the dead replica was posting, whichever
/// is first in its channel now: on PostgreSQL ids are not in commit
/// order, so an older message may commit after a newer one was taken.
/// The sender taking over posts the older (never tried) and then finds
/// the newer in Slack. On both backends.
#[tokio::test]
async fn the_doubt_stays_with_the_message_the_dead_replica_was_posting() {
    for test in support::all_stores().await {
        let label = test.label;
        let (test, clock, fake, mut sender) = setup_on(test).await;
        let t0 = clock.now();
        enqueue(&test.store, &clock, channel("C0BANSO"), "older").await;
        enqueue(&test.store, &clock, channel("C0BANSO"), "newer").await;
        let pending = test.store.pending_messages(10).await.unwrap();
        let newer = pending
            .iter()
            .find(|queued| queued.message.text == "newer")
            .unwrap();
        test.store
            .take_channel_turn(
                &channel("C0BANSO"),
                "dead-replica",
                newer.id,
                t0.timestamp_millis(),
                90_000,
            )
            .await
            .unwrap();
        fake.has_posted(marked("C0BANSO", "newer", "test:newer"));
        clock.set(t0 + Duration::seconds(90));
        let report = run_to_completion(&mut sender, &clock, &fake).await;
        assert_eq!((report.sent, report.found_in_slack), (2, 1), "{label}");
        let tried: Vec<String> = fake.calls().iter().map(|call| call.text.clone()).collect();
        assert_eq!(tried, ["older"], "{label}: `newer` is not posted twice");
        test.cleanup().await;
    }
}

/// A sender whose process is gone — a process of this machine that no
/// longer runs, as after a crash and a restart — holds its turns no
/// longer: the restarted sender takes them over at once, not after the
/// lease, and still looks in Slack before posting.
#[tokio::test]
async fn the_turn_of_a_gone_process_of_this_machine_is_taken_at_once() {
    let (test, clock, fake, mut sender) = setup().await;
    let t0 = clock.now();
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let namespace = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let namespace: String = namespace
        .to_string_lossy()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let gone = format!("sender:{}:{namespace}:{pid}:12345:1", boot_id.trim());
    enqueue(&test.store, &clock, channel("C0BANSO"), "posted").await;
    enqueue(&test.store, &clock, channel("C0BANSO"), "not yet").await;
    let head = head_of(&test.store, &channel("C0BANSO")).await;
    test.store
        .take_channel_turn(
            &channel("C0BANSO"),
            &gone,
            head,
            t0.timestamp_millis(),
            90_000,
        )
        .await
        .unwrap();
    fake.has_posted(marked("C0BANSO", "posted", "test:posted"));

    let step = sender.deliver_due().await.unwrap();
    assert_eq!(step.report.found_in_slack, 1);
    clock.set(t0 + Duration::seconds(1));
    run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!(fake.tries_of("C0BANSO"), [t0 + Duration::seconds(1)]);
    assert_eq!(fake.posted_in("C0BANSO").len(), 2);
    test.cleanup().await;
}

/// A post whose answer never came (Slack posted it; the call timed out)
/// is in doubt: its retry looks in Slack first and posts nothing more.
#[tokio::test]
async fn a_post_whose_answer_was_lost_is_not_posted_again() {
    let (test, clock, fake, _) = setup().await;
    let mut sender = impatient_sender_of(&test.store, &clock, &fake);
    enqueue(&test.store, &clock, channel("C0BANSO"), "once").await;
    fake.answer("C0BANSO", &[Answer::PostedThenSilent]);
    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!(report.retried, 1);
    assert_eq!(report.sent, 1);
    assert_eq!(report.found_in_slack, 1);
    assert_eq!(fake.tries_of("C0BANSO").len(), 1, "tried once, not twice");
    assert_eq!(fake.posted_in("C0BANSO").len(), 1);
    assert!(test.store.pending_messages(10).await.unwrap().is_empty());
    test.cleanup().await;
}

/// Without the history scopes (an app installed from an older manifest)
/// the check cannot be made: a message in doubt is posted again rather
/// than lost — delivery stays at least once.
#[tokio::test]
async fn without_the_history_scopes_a_message_in_doubt_is_posted_again() {
    let (test, clock, fake, mut sender) = setup().await;
    let t0 = clock.now();
    fake.history_refused
        .store(true, std::sync::atomic::Ordering::Relaxed);
    enqueue(&test.store, &clock, channel("C0BANSO"), "reminder").await;
    let head = head_of(&test.store, &channel("C0BANSO")).await;
    test.store
        .take_channel_turn(
            &channel("C0BANSO"),
            "dead-replica",
            head,
            t0.timestamp_millis(),
            90_000,
        )
        .await
        .unwrap();
    fake.has_posted(marked("C0BANSO", "reminder", "test:reminder"));
    clock.set(t0 + Duration::seconds(90));
    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!((report.sent, report.found_in_slack), (1, 0));
    assert_eq!(fake.posted_in("C0BANSO").len(), 2);
    test.cleanup().await;
}

/// A message of several posts whose second post's answer was lost: the
/// retry looks in Slack — the first post in the channel, the second in
/// its thread — and posts nothing more.
#[tokio::test]
async fn a_long_message_whose_later_posts_answer_was_lost_is_not_posted_again() {
    let (test, clock, fake, _) = setup().await;
    let mut sender = impatient_sender_of(&test.store, &clock, &fake);
    // 60 sections of about 2,000 characters: two posts of 50 blocks at most.
    let long: Vec<String> = (0..60)
        .map(|n| format!("{n:02}{}", "あ".repeat(2_000)))
        .collect();
    enqueue(&test.store, &clock, channel("C0BANSO"), &long.join("\n")).await;
    fake.answer("C0BANSO", &[Answer::Accept, Answer::PostedThenSilent]);
    let report = run_to_completion(&mut sender, &clock, &fake).await;
    assert_eq!((report.sent, report.found_in_slack), (1, 1));
    assert_eq!(fake.tries_of("C0BANSO").len(), 2, "each post once");
    let posted = fake.posted_in("C0BANSO");
    assert_eq!(posted.len(), 2);
    assert_eq!(
        posted[1]["thread_ts"], posted[0]["ts"],
        "the second in the first's thread"
    );
    test.cleanup().await;
}

/// A message that edits an earlier one is a `chat.update` of where that
/// one was posted (the id and ts its post's answer gave), not a new post;
/// with nothing to edit (the original never posted where banso knows),
/// nothing is posted either.
#[tokio::test]
async fn an_edit_updates_the_original_post_in_place() {
    for test in support::all_stores().await {
        let label = test.label;
        let (test, clock, fake, mut sender) = setup_on(test).await;
        enqueue(
            &test.store,
            &clock,
            channel("#banso-team"),
            "notice (所属未登録)",
        )
        .await;
        run_to_completion(&mut sender, &clock, &fake).await;
        let original = fake.posted_in("#banso-team");
        assert_eq!(original.len(), 1, "{label}");
        clock.advance(Duration::seconds(5));
        let edits = |key: &str, edits: &str, text: &str| NewMessage {
            idempotency_key: key.to_owned(),
            message: Outgoing {
                to: channel("#banso-team"),
                text: text.to_owned(),
                buttons: Vec::new(),
            },
            deferred: None,
            edits: Some(edits.to_owned()),
            in_thread_of: None,
        };
        test.store
            .enqueue_messages(
                &[
                    edits("edit-1", "test:notice (所属未登録)", "notice (総務課)"),
                    edits("edit-2", "never-posted", "nothing to edit"),
                ],
                clock.now().timestamp(),
            )
            .await
            .unwrap();
        let report = run_to_completion(&mut sender, &clock, &fake).await;
        assert_eq!(report.sent, 2, "{label}");
        let updates = fake.updates.lock().unwrap().clone();
        assert_eq!(updates.len(), 1, "{label}: {updates:?}");
        assert_eq!(updates[0].0, "CBANSOTEAM", "{label}: by the channel's id");
        assert_eq!(updates[0].1, original[0]["ts"].as_str().unwrap(), "{label}");
        assert!(updates[0].2.contains("総務課"), "{label}");
        assert_eq!(
            fake.posted_in("#banso-team").len(),
            1,
            "{label}: no new post"
        );
        assert!(test.store.pending_messages(10).await.unwrap().is_empty());
        test.cleanup().await;
    }
}

/// A reply (`in_thread_of`) is posted in the thread of the message it
/// names, in that message's conversation; a reply whose post's answer was
/// lost is looked for in the thread (the channel's history does not hold
/// replies) and not posted again; a reply whose root never reached Slack
/// is posted as a message of its own rather than lost. On both backends.
#[tokio::test]
async fn a_reply_goes_in_its_roots_thread_and_is_found_there_when_in_doubt() {
    for test in support::all_stores().await {
        let label = test.label;
        let (test, clock, fake, _) = setup_on(test).await;
        let mut sender = impatient_sender_of(&test.store, &clock, &fake);
        enqueue(&test.store, &clock, channel("#banso-team"), "notice").await;
        run_to_completion(&mut sender, &clock, &fake).await;
        let root = fake.posted_in("#banso-team")[0]["ts"].clone();
        clock.advance(Duration::seconds(5));
        let reply = |key: &str, root: &str| {
            NewMessage::new(
                key.to_owned(),
                Outgoing {
                    to: channel("#banso-team"),
                    text: key.to_owned(),
                    buttons: Vec::new(),
                },
            )
            .in_thread_of(root.to_owned())
        };
        test.store
            .enqueue_messages(
                &[
                    reply("assigned", "test:notice"),
                    reply("orphan", "never-posted"),
                ],
                clock.now().timestamp(),
            )
            .await
            .unwrap();
        fake.answer("CBANSOTEAM", &[Answer::PostedThenSilent]);
        let report = run_to_completion(&mut sender, &clock, &fake).await;
        assert_eq!((report.sent, report.found_in_slack), (2, 1), "{label}");
        let posted = fake.posted_in("#banso-team");
        let texts: Vec<&str> = posted
            .iter()
            .map(|post| post["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["notice", "assigned", "orphan"], "{label}");
        assert_eq!(
            posted[1]["thread_ts"], root,
            "{label}: in the notice's thread"
        );
        assert!(posted[2]["thread_ts"].is_null(), "{label}: on its own");
        assert_eq!(fake.tries_of("CBANSOTEAM").len(), 1, "{label}: tried once");
        assert!(test.store.pending_messages(10).await.unwrap().is_empty());
        test.cleanup().await;
    }
}
