//! The HTTP Events API endpoints: `/slack/commands`, `/slack/interactions`,
//! `/slack/events` (with `url_verification`) and `/healthz`. Every request
//! is verified against the signing secret over its raw body before it is
//! read, refused unless it comes from the workspace banso serves, and
//! claimed by its signature so that a replay does nothing (events by their
//! `event_id`, which a replay repeats too); then it is read into
//! slack-morphism's types and handled (`inbound`). What a user submitted
//! is stored before the answer goes back, and the answer goes back
//! without waiting for Slack's Web API (Slack waits three seconds at most).
//! A payload slack-morphism cannot read is logged and answered with a
//! sentence, never a panic.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::SlackApi;
use super::inbound::{self, NotRun, run_command_once, run_event, run_interaction};
use super::metrics::{self, AckEndpoint, AckOutcome};
use super::signature::Verifier;
use super::web_api::WebApi;
use super::workspace::Origin;
use crate::bot::Bot;
use crate::bot::clock::Stopwatch;
use crate::config::Secret;
use crate::store::ReplayClaim;

mod guards;

use guards::{first_time, from_our_workspace, verified};

/// Slack's payloads are small; anything larger is refused unread.
const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
struct AppState {
    bot: Bot,
    verifier: Arc<Verifier>,
    api: Option<SlackApi>,
}

/// An acknowledgement over HTTP: the answer, or an empty 200 body.
fn acknowledgement(answer: Option<impl serde::Serialize>) -> Response {
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
    let health_only = Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics_text));
    let Some(signing_secret) = signing_secret else {
        // No route verifies anything: the verifier is never used.
        return health_only.with_state(AppState {
            bot,
            verifier: Arc::new(Verifier::new("")),
            api,
        });
    };
    let state = AppState {
        bot,
        verifier: Arc::new(Verifier::new(signing_secret.expose())),
        api,
    };
    Router::new()
        .route("/slack/commands", post(command))
        .route("/slack/interactions", post(interaction))
        .route("/slack/events", post(event))
        .route_layer(axum::middleware::from_fn(time_ack))
        .merge(health_only)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Times each Slack request from its arrival to its acknowledgement, for
/// `/metrics`.
async fn time_ack(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let endpoint = match request.uri().path() {
        "/slack/commands" => AckEndpoint::Commands,
        "/slack/interactions" => AckEndpoint::Interactions,
        _ => AckEndpoint::Events,
    };
    let watch = Stopwatch::start();
    let response = next.run(request).await;
    metrics::global().ack(
        endpoint,
        AckOutcome::of_status(response.status().as_u16()),
        watch.seconds(),
    );
    response
}

/// `/metrics`: Prometheus's text format.
async fn metrics_text(State(state): State<AppState>) -> Response {
    let now_ms = state.bot.clock().now().timestamp_millis();
    let text = metrics::global()
        .render(state.bot.store(), super::sender::process_name(), now_ms)
        .await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The database must answer; Slack's state is reported but does not make
/// banso unhealthy (an outage of Slack is no reason to restart banso).
async fn health(State(state): State<AppState>) -> Response {
    let slack = state
        .api
        .as_ref()
        .map_or("not_configured", |api| api.client.reachability().code());
    // A backlog is reported, never a failure: a load balancer that took
    // every replica out for a slow channel would stop all of banso.
    match state.bot.store().outbox_backlog().await {
        Ok(backlog) => {
            let now = state.bot.clock().now().timestamp();
            let oldest = backlog.oldest_queued_at.map(|queued| (now - queued).max(0));
            Json(json!({
                "status": "ok",
                "database": "ok",
                "slack": slack,
                "outbox": {
                    "pending": backlog.pending,
                    "oldest_pending_seconds": oldest,
                    "given_up": backlog.given_up,
                },
            }))
            .into_response()
        }
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

/// A slash command's form as slack-morphism's event (its own reading of
/// the form is private to its hyper listener): every field as a string,
/// read by the event's serde rules, so a missing `trigger_id` or a
/// `response_url` that is no URL is refused as it would be in Socket Mode.
pub(super) fn command_event(fields: &HashMap<String, String>) -> Result<SlackCommandEvent, String> {
    let object: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(key, value)| (key.clone(), Value::String(value.clone())))
        .collect();
    SlackCommandEvent::deserialize(&Value::Object(object)).map_err(|error| error.to_string())
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
    // The request's claim is taken by `run_command_once`: before any
    // effect, or in the same commit as the consultation it records.
    let event = match command_event(&fields) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "refused a slash command slack-morphism cannot read");
            return acknowledgement(Some(inbound::unreadable_answer(&state.bot)));
        }
    };
    let claim = ReplayClaim {
        signature: request.signature.clone(),
        sent_at: request.sent_at,
    };
    let handled = match run_command_once(&state.bot, state.api.as_ref(), &event, &claim).await {
        Ok(handled) => handled,
        Err(NotRun::Replay) => {
            tracing::warn!(
                sent_at = request.sent_at,
                "a replayed request was answered without effect"
            );
            return StatusCode::OK.into_response();
        }
        Err(NotRun::Unavailable) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    // The ack is this handler's return value, written at once; what
    // follows it needs nothing from it and starts beside it.
    if let Some(after_ack) = handled.after_ack {
        tokio::spawn(after_ack);
    }
    acknowledgement(handled.answer)
}

/// An interaction (a button press, a form submitted, a message shortcut).
/// Direct replies go to the user as DMs through the outbox; the
/// acknowledgement is immediate.
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
    let event = match SlackInteractionEvent::deserialize(&payload) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, kind = %payload["type"], "refused an interaction slack-morphism cannot read");
            inbound::answer_unreadable_interaction(&state.bot, &payload);
            return StatusCode::OK.into_response();
        }
    };
    match run_interaction(&state.bot, state.api.as_ref(), &event).await {
        Ok(answer) => acknowledgement(answer),
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// Events: the URL check, and event callbacks deduplicated by `event_id`.
/// An event banso cannot read is acknowledged all the same (and logged):
/// an error status would only make Slack deliver it again, and in the end
/// turn the subscription off.
async fn event(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    // A replay of an event repeats its `event_id`, which `run_event` claims
    // before any effect: that claim is the events' replay guard.
    if let Err(refusal) = verified(&state, &headers, &body) {
        return refusal.into_response();
    }
    let Ok(envelope) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    if envelope["type"] != "url_verification"
        && let Err(refusal) = from_our_workspace(&state, Origin::of_event(&envelope))
    {
        return refusal.into_response();
    }
    match SlackPushEvent::deserialize(&envelope) {
        // Slack's check of the URL is answered with its own challenge.
        Ok(SlackPushEvent::UrlVerification(check)) => Json(check).into_response(),
        Ok(SlackPushEvent::EventCallback(callback)) => {
            run_event(&state.bot, state.api.as_ref(), &callback).await;
            StatusCode::OK.into_response()
        }
        Ok(SlackPushEvent::AppRateLimited(_)) => {
            tracing::warn!("Slack is holding back events: the app is over its rate limit");
            StatusCode::OK.into_response()
        }
        Err(error) => {
            tracing::warn!(%error, kind = %envelope["type"], "refused an event slack-morphism cannot read");
            StatusCode::OK.into_response()
        }
    }
}
