//! The HTTP Events API endpoints: `/slack/commands`, `/slack/interactions`,
//! `/slack/events` (with `url_verification`) and `/healthz`. Every request
//! is verified against the signing secret over its raw body before it is
//! read, refused unless it comes from the workspace banso serves, and
//! claimed by its signature so that a replay does nothing (events by their
//! `event_id`, which a replay repeats too); what a user submitted is stored
//! before the answer goes back, and the answer goes back without waiting
//! for Slack's Web API (Slack waits three seconds at most).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::SlackApi;
use super::blocks::{action_of, blocks, fallback_text};
use super::modal;
use super::mrkdwn;
use super::profiles;
use super::web_api::WebApi;
use super::workspace::Origin;
use crate::bot::buttons::ButtonAction;
use crate::bot::{Bot, PressedOn};
use crate::config::Secret;
use crate::message::{Outgoing, UserId};
use crate::store::NewMessage;

mod guards;

use guards::{first_time, from_our_workspace, verified};

/// Slack's payloads are small; anything larger is refused unread.
const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
struct AppState {
    bot: Bot,
    signing_secret: Arc<Secret>,
    api: Option<SlackApi>,
}

/// Web API work that waits for the acknowledgement (Bolt's `ack()` first).
pub(super) type AfterAck = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a request is answered with, and what follows the answer.
pub(super) struct Handled {
    /// The acknowledgement's body; `None` for a silent one (over HTTP an
    /// empty 200, in Socket Mode an ack without a payload).
    pub(super) answer: Option<Value>,
    /// Started by the transport once the ack is on its way.
    pub(super) after_ack: Option<AfterAck>,
}

impl Handled {
    fn answer(answer: Option<Value>) -> Self {
        Self {
            answer,
            after_ack: None,
        }
    }
}

/// An acknowledgement over HTTP: the answer, or an empty 200 body.
fn acknowledgement(answer: Option<Value>) -> Response {
    match answer {
        Some(answer) => Json(answer).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

/// The router: `/healthz`, and the Events API endpoints when a signing
/// secret is given (in Socket Mode there is none, and only `/healthz` is
/// served).
pub fn router(bot: Bot, signing_secret: Option<Secret>, api: Option<WebApi>) -> Router {
    let api = api.map(SlackApi::new);
    let health_only = Router::new().route("/healthz", get(health));
    let Some(signing_secret) = signing_secret else {
        return health_only.with_state(AppState {
            bot,
            signing_secret: Arc::new(Secret::new("")),
            api,
        });
    };
    let state = AppState {
        bot,
        signing_secret: Arc::new(signing_secret),
        api,
    };
    health_only
        .route("/slack/commands", post(command))
        .route("/slack/interactions", post(interaction))
        .route("/slack/events", post(event))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// The database must answer; Slack's state is reported but does not make
/// banso unhealthy (an outage of Slack is no reason to restart banso).
async fn health(State(state): State<AppState>) -> Response {
    let slack = state
        .api
        .as_ref()
        .map_or("not_configured", |api| api.client.reachability().code());
    match state.bot.store().ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": "ok", "slack": slack })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: database unavailable");
            let body = json!({ "status": "error", "database": "unavailable", "slack": slack });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

fn form_fields(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The direct replies as one ephemeral answer; none (a silent
/// acknowledgement) when there is nothing to say.
fn ephemeral(replies: &[Outgoing]) -> Option<Value> {
    let replies: Vec<Outgoing> = replies
        .iter()
        .filter(|reply| !reply.text.trim().is_empty() || !reply.buttons.is_empty())
        .cloned()
        .collect();
    if replies.is_empty() {
        return None;
    }
    Some(super::blocks::ephemeral(&replies))
}

/// A slash command becomes the line the user would type in the console.
async fn command(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let request = match verified(&state, &headers, &body) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let fields = form_fields(&body);
    if let Err(refusal) = from_our_workspace(&state, Origin::of_command(&fields)) {
        return refusal.into_response();
    }
    if let Err(replay) = first_time(&state, &request).await {
        return replay;
    }
    match run_command(&state.bot, state.api.as_ref(), &fields).await {
        Ok(handled) => {
            // The ack is this handler's return value, written at once; what
            // follows it needs nothing from it and starts beside it.
            if let Some(after_ack) = handled.after_ack {
                tokio::spawn(after_ack);
            }
            acknowledgement(handled.answer)
        }
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// Runs a slash command (from HTTP or Socket Mode): Slack's ephemeral
/// answer, and the Web API work that follows the ack.
pub(super) async fn run_command(
    bot: &Bot,
    api: Option<&SlackApi>,
    fields: &HashMap<String, String>,
) -> Result<Handled, &'static str> {
    let (Some(user), Some(command)) = (
        fields.get("user_id").and_then(|id| UserId::parse(id).ok()),
        fields.get("command"),
    ) else {
        return Err("missing user_id or command");
    };
    profiles::ensure(bot, api, &user).await;
    // Slack sends what was typed with entities and `<…>` markup.
    let text = mrkdwn::decode(fields.get("text").map(String::as_str).unwrap_or_default());
    // `/consult` alone opens the form as a modal, right after a silent
    // ack; without the Web API (or if Slack refuses) the form runs as a
    // direct-message dialogue instead.
    if command == "/consult"
        && text.trim().is_empty()
        && let (Some(api), Some(trigger)) = (api, fields.get("trigger_id"))
    {
        let opening = open_form(bot.clone(), api.client.clone(), user, trigger.clone());
        return Ok(Handled {
            answer: None,
            after_ack: Some(Box::pin(opening)),
        });
    }
    let line = format!("{command} {text}");
    // A file is made and uploaded after the answer (Slack waits three
    // seconds at most); the answer says it is coming.
    if let Some(api) = api
        && crate::bot::file_exports::is_export_request(&line)
    {
        tokio::spawn(deliver_export(
            bot.clone(),
            api.client.clone(),
            user.clone(),
            line,
        ));
        let replies = bot.reply(&user, "export/coming", json!({}));
        return Ok(Handled::answer(ephemeral(&replies)));
    }
    let replies = bot.handle_text(&user, line.trim()).await;
    Ok(Handled::answer(ephemeral(&replies)))
}

/// After `/consult`'s ack: the form as a modal (Slack's trigger lasts three
/// seconds from the command), or, if Slack refuses it, the
/// direct-message dialogue, whose first question goes out as a DM.
async fn open_form(bot: Bot, api: WebApi, user: UserId, trigger: String) {
    if let Err(error) = modal::open(&bot, &api, &user, &trigger).await {
        tracing::warn!(%error, "could not open the form; using the dialogue");
        let replies = bot.handle_text(&user, "/consult").await;
        queue_replies(&bot, replies, &format!("form-dialogue:{trigger}")).await;
    }
}

/// A button press (block_actions). Direct replies go to the user as a DM
/// through the outbox; the acknowledgement is immediate.
async fn interaction(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let request = match verified(&state, &headers, &body) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let payload = form_fields(&body)
        .remove("payload")
        .and_then(|payload| serde_json::from_str::<Value>(&payload).ok());
    let Some(payload) = payload else {
        return (StatusCode::BAD_REQUEST, "payload missing or not JSON").into_response();
    };
    if let Err(refusal) = from_our_workspace(&state, Origin::of_interaction(&payload)) {
        return refusal.into_response();
    }
    if let Err(replay) = first_time(&state, &request).await {
        return replay;
    }
    match run_interaction(&state.bot, state.api.as_ref(), &payload).await {
        Ok(answer) => acknowledgement(answer),
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// Makes the file asked for and uploads it to the requester's direct
/// messages; a refusal or a failure reaches them as a direct message
/// through the outbox.
async fn deliver_export(bot: Bot, api: WebApi, user: UserId, line: String) {
    use crate::bot::file_exports::{ExportOutcome, export_request};
    let key = format!("export:{}:{}", user, bot.clock().now().timestamp_millis());
    let replies = match export_request(&bot, &user, &line).await {
        Some(ExportOutcome::File(file)) => {
            let uploaded = match api.open_dm(user.as_str()).await {
                Ok(channel) => {
                    api.upload_file(&channel, &file.file_name, file.bytes, &file.comment)
                        .await
                }
                Err(error) => Err(error),
            };
            match uploaded {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "an export could not be uploaded");
                    bot.reply(
                        &user,
                        "export/not_delivered",
                        json!({ "file": file.file_name }),
                    )
                }
            }
        }
        Some(ExportOutcome::Replies(replies)) => replies,
        None => return,
    };
    queue_replies(&bot, replies, &key).await;
}

/// The deliverables reminder's drafts, uploaded to the presser's DM.
async fn deliver_drafts(bot: Bot, api: WebApi, user: UserId, meeting_key: String) {
    use crate::bot::file_exports::{ExportOutcome, drafts};
    let key = format!("drafts:{}:{}", user, bot.clock().now().timestamp_millis());
    let mut replies = Vec::new();
    for outcome in drafts(&bot, &user, &meeting_key).await {
        match outcome {
            ExportOutcome::File(file) => {
                let uploaded = match api.open_dm(user.as_str()).await {
                    Ok(channel) => {
                        api.upload_file(&channel, &file.file_name, file.bytes, &file.comment)
                            .await
                    }
                    Err(error) => Err(error),
                };
                if let Err(error) = uploaded {
                    tracing::warn!(%error, "a draft could not be uploaded");
                    replies.extend(bot.reply(
                        &user,
                        "export/not_delivered",
                        json!({ "file": file.file_name }),
                    ));
                }
            }
            ExportOutcome::Replies(refusal) => {
                // The same refusal for both drafts is said once.
                if replies.is_empty() {
                    replies.extend(refusal);
                }
            }
        }
    }
    queue_replies(&bot, replies, &key).await;
}

/// Runs an interaction payload (from HTTP or Socket Mode).
pub(super) async fn run_interaction(
    bot: &Bot,
    api: Option<&SlackApi>,
    payload: &Value,
) -> Result<Option<Value>, &'static str> {
    if let Some(user) = payload["user"]["id"]
        .as_str()
        .and_then(|id| UserId::parse(id).ok())
    {
        profiles::ensure(bot, api, &user).await;
    }
    if payload["type"] == "view_submission" && payload["view"]["callback_id"] == modal::CALLBACK_ID
    {
        let Ok((answer, replies)) = modal::submit(bot, payload).await else {
            return Err("form submission failed");
        };
        let key = format!("form:{}", payload["view"]["id"].as_str().unwrap_or("view"));
        queue_replies(bot, replies, &key).await;
        return Ok(answer);
    }
    if payload["type"] == "message_action" {
        return run_message_shortcut(bot, payload).await.map(|()| None);
    }
    if payload["type"] != "block_actions" {
        tracing::info!(kind = %payload["type"], "interaction type not handled yet");
        return Ok(None);
    }
    let user = payload["user"]["id"]
        .as_str()
        .and_then(|id| UserId::parse(id).ok());
    let action = &payload["actions"][0];
    let (Some(user), Some(action_id)) = (user, action["action_id"].as_str()) else {
        return Err("no user or action");
    };
    let value = action["value"].as_str().unwrap_or_default();
    let action = ButtonAction::parse(action_of(action_id));
    if action.wants_files() {
        if let Some(api) = api {
            tokio::spawn(deliver_drafts(
                bot.clone(),
                api.client.clone(),
                user.clone(),
                value.to_owned(),
            ));
        }
    } else {
        let replies = bot.handle_button(&user, &action, value).await;
        let trigger = payload["trigger_id"].as_str().unwrap_or(action_id);
        queue_replies(bot, replies, &format!("interaction:{trigger}")).await;
    }
    // The pressed message shows the new state in place, for everyone who
    // sees it (response_url, replace_original).
    if let Some(response_url) = payload["response_url"].as_str()
        && let Some(message) = bot
            .message_after_press(&user, &action, value, pressed_on(payload))
            .await
    {
        tokio::spawn(replace_original(response_url.to_owned(), message));
    }
    Ok(None)
}

/// Where the pressed message is: in a channel, seen by everyone there, or
/// seen by the presser alone (an ephemeral answer, a direct message — a
/// `D…` conversation). Unknown counts as the presser's alone, so nothing
/// others see is replaced by mistake.
fn pressed_on(payload: &Value) -> PressedOn {
    let container = &payload["container"];
    let channel = container["channel_id"]
        .as_str()
        .or_else(|| payload["channel"]["id"].as_str());
    let personal =
        container["is_ephemeral"] == true || channel.is_none_or(|channel| channel.starts_with('D'));
    if personal {
        PressedOn::PersonalMessage
    } else {
        PressedOn::ChannelMessage
    }
}

async fn replace_original(response_url: String, card: Outgoing) {
    let body =
        json!({ "replace_original": true, "text": fallback_text(&card), "blocks": blocks(&card) });
    let sent = reqwest::Client::new()
        .post(&response_url)
        .json(&body)
        .send()
        .await;
    if let Err(error) = sent.and_then(|response| response.error_for_status()) {
        tracing::warn!(error = %error.without_url(), "could not update the pressed message");
    }
}

/// 「セキュリティ相談として登録」: the message becomes a consultation of the
/// person who used the shortcut, with a link back to the message.
async fn run_message_shortcut(bot: &Bot, payload: &Value) -> Result<(), &'static str> {
    if payload["callback_id"] != "register_consultation" {
        tracing::info!(callback = %payload["callback_id"], "message shortcut not handled");
        return Ok(());
    }
    let Some(user) = payload["user"]["id"]
        .as_str()
        .and_then(|id| UserId::parse(id).ok())
    else {
        return Err("no user");
    };
    let text = mrkdwn::decode(payload["message"]["text"].as_str().unwrap_or_default());
    let link = match (
        payload["channel"]["id"].as_str(),
        payload["message"]["ts"].as_str(),
    ) {
        (Some(channel), Some(ts)) => Some(crate::message::link(
            &format!(
                "https://slack.com/archives/{channel}/p{}",
                ts.replace('.', "")
            ),
            None,
        )),
        _ => None,
    };
    let replies = bot
        .consult_from_message(&user, &text, link.as_deref())
        .await;
    let trigger = payload["trigger_id"].as_str().unwrap_or("shortcut");
    queue_replies(bot, replies, &format!("shortcut:{trigger}")).await;
    Ok(())
}

/// Direct replies that cannot be the answer to the request itself go to
/// the user as DMs through the outbox.
async fn queue_replies(bot: &Bot, replies: Vec<Outgoing>, key: &str) {
    let now = bot.clock().now().timestamp();
    let queued: Vec<NewMessage> = replies
        .into_iter()
        .enumerate()
        .map(|(n, message)| NewMessage {
            idempotency_key: format!("{key}:{n}"),
            message,
        })
        .collect();
    if let Err(error) = bot.store().enqueue_messages(&queued, now).await {
        tracing::error!(%error, "could not queue replies");
    }
}

/// Events: the URL check, and event callbacks deduplicated by `event_id`
/// (Slack retries a delivery it did not see acknowledged).
async fn event(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    // A replay of an event repeats its `event_id`, which `run_event` claims
    // before any effect: that claim is the events' replay guard.
    if let Err(refusal) = verified(&state, &headers, &body) {
        return refusal.into_response();
    }
    let Ok(envelope) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    if envelope["type"] == "url_verification" {
        return Json(json!({ "challenge": envelope["challenge"] })).into_response();
    }
    if let Err(refusal) = from_our_workspace(&state, Origin::of_event(&envelope)) {
        return refusal.into_response();
    }
    run_event(&state.bot, state.api.as_ref(), &envelope).await;
    StatusCode::OK.into_response()
}

/// Runs an event callback once, whatever the retries.
pub(super) async fn run_event(bot: &Bot, api: Option<&SlackApi>, envelope: &Value) {
    if envelope["type"] != "event_callback" {
        return;
    }
    let event_id = envelope["event_id"].as_str().unwrap_or_default();
    let now = bot.clock().now().timestamp();
    match bot.store().first_sight_of_event(event_id, now).await {
        Ok(true) => handle_event(bot, api, event_id, &envelope["event"]).await,
        Ok(false) => tracing::info!(event_id, "retried event ignored"),
        Err(error) => tracing::error!(%error, "could not record an event"),
    }
}

/// A direct message to the bot is a line typed in chat: the answer to a
/// form question, a department, or a command without the slash menu. The
/// replies go back as direct messages through the outbox. Messages from
/// bots (including banso itself) and edits are ignored.
async fn handle_event(bot: &Bot, api: Option<&SlackApi>, event_id: &str, event: &Value) {
    if event["type"] == "app_home_opened" && event["tab"] != "messages" {
        if let (Some(api), Some(user)) = (
            api,
            event["user"].as_str().and_then(|id| UserId::parse(id).ok()),
        ) {
            // Published in the background: the event is acknowledged now.
            tokio::spawn(publish_home(bot.clone(), api.client.clone(), user));
        }
        return;
    }
    let is_direct_message = event["type"] == "message" && event["channel_type"] == "im";
    let from_a_person = event["bot_id"].is_null() && event["subtype"].is_null();
    if !(is_direct_message && from_a_person) {
        tracing::info!(event_id, kind = %event["type"], "event not handled");
        return;
    }
    let (Some(user), Some(text)) = (
        event["user"].as_str().and_then(|id| UserId::parse(id).ok()),
        event["text"].as_str().map(mrkdwn::decode),
    ) else {
        return;
    };
    profiles::ensure(bot, api, &user).await;
    let replies = bot.handle_text(&user, &text).await;
    queue_replies(bot, replies, &format!("event:{event_id}")).await;
}

/// Renders and publishes a user's App Home tab.
async fn publish_home(bot: Bot, api: WebApi, user: UserId) {
    let text = match crate::bot::home::overview(&bot, &user).await {
        Ok(text) => text,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "could not build the home tab");
            return;
        }
    };
    let view = Outgoing {
        to: crate::message::Recipient::User(user.clone()),
        text,
        buttons: Vec::new(),
    };
    if let Err(error) = api.publish_home(user.as_str(), &blocks(&view)).await {
        tracing::warn!(%error, "could not publish the home tab");
    }
}
