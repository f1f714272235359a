//! Socket Mode: banso opens a websocket to Slack (no public URL needed —
//! the usual choice inside a city network) through slack-morphism's
//! listener, and receives the same commands, interactions and events as
//! over HTTP, read into the same types and handled by the same code
//! (`inbound`).
//!
//! The listener reads the next frame only once the callback of the last
//! one has returned, and sends a frame's ack when its callback returns;
//! so each callback does what must precede the ack (the claim, what the
//! request stores, the answer) in a task of its own — a panic there is a
//! failed task, not a dead read loop — within `ACK_BUDGET`, and leaves the
//! Web API work to run after the ack. slack-morphism hands a callback the
//! payload without its envelope, so a redelivered envelope is recognised
//! by its payload: the `trigger_id` of a command or an interaction (a
//! redelivery repeats it), the `event_id` of an event. A request from a
//! workspace banso does not serve is only acknowledged.
//!
//! The listener is started and shut down by banso (`start`, `shutdown`),
//! never through its `serve`, which would install signal handlers of its
//! own beside banso's bounded stop. It reconnects by itself: at once after
//! `disconnect` or a lost connection, every `RECONNECT_PAUSE` while
//! `apps.connections.open` fails.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use slack_morphism::errors::{SlackClientError, SlackClientProtocolError};
use slack_morphism::prelude::*;
use tokio::sync::watch;

use super::SlackApi;
use super::connector::{self, Client};
use super::inbound::{self, Handled, run_command, run_event, run_interaction};
use super::metrics::{AckEndpoint, AckTiming};
use super::web_api::WebApi;
use super::workspace;
use crate::bot::Bot;
use crate::config::Secret;

/// How long a callback may take before its envelope is acknowledged
/// without its answer (the work goes on, and answers through the
/// request's `response_url`): Slack wants an ack within three seconds,
/// and banso's rule is one second at p99.
const ACK_BUDGET: Duration = Duration::from_millis(700);

/// What the Web API work that follows an ack waits before it starts: the
/// listener sends the ack once the callback has returned and tells no one
/// when it has, so the work gives the ack, already queued, this head
/// start (a trigger lasts three seconds: views.open has time).
const AFTER_ACK_DELAY: Duration = Duration::from_millis(50);

/// How long banso waits before asking again for a connection that Slack
/// would not give (`apps.connections.open` is a Tier 1 method).
const RECONNECT_PAUSE_SECONDS: u64 = 10;

/// What the callbacks share, kept in the listener's user state (its
/// callbacks are plain functions).
#[derive(Clone)]
struct SocketState {
    bot: Bot,
    api: Option<SlackApi>,
}

/// An error that is no error: the way to acknowledge a slash command
/// without a payload (the listener sends any `Ok` as one).
#[derive(Debug, thiserror::Error)]
#[error("acknowledged without a payload")]
struct SilentAck;

type Outcome<T> = UserCallbackResult<T>;

/// Runs Socket Mode until `shutdown` turns true.
pub async fn run(
    bot: Bot,
    app_token: Secret,
    api_base: String,
    api: Option<WebApi>,
    mut shutdown: watch::Receiver<bool>,
) {
    super::install_tls_provider();
    let client: Arc<Client> = api
        .as_ref()
        .map_or_else(|| connector::client(&api_base), WebApi::client);
    let state = SocketState {
        bot,
        api: api.map(SlackApi::new),
    };
    let environment = SlackClientEventsListenerEnvironment::new(client)
        .with_error_handler(on_error)
        .with_user_state(state);
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_hello_events(|_hello, _client, states| async move {
            tracing::info!("Socket Mode connected");
            if let Some(api) = state_of(&states).await.and_then(|state| state.api) {
                api.client.note_reachability(true);
            }
        })
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push);
    // One connection: Slack delivers each envelope to one of them, and a
    // second would only halve the time a refresh leaves without one.
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(1)
        .with_reconnect_timeout_in_seconds(RECONNECT_PAUSE_SECONDS);
    let listener = SlackClientSocketModeListener::new(&config, Arc::new(environment), callbacks);
    let token = SlackApiToken::new(SlackApiTokenValue(app_token.expose().to_owned()));
    if let Err(error) = listener.listen_for(&token).await {
        tracing::error!(%error, "Socket Mode could not start");
        return;
    }
    listener.start().await;
    let _ = shutdown.wait_for(|stop| *stop).await;
    // Closes the connection; the work already handed off finishes on its
    // own, within serve's bound on the outbox.
    listener.shutdown().await;
}

async fn state_of(states: &SlackClientEventsUserState) -> Option<SocketState> {
    states.read().await.get_user_state::<SocketState>().cloned()
}

/// Whether a request from `team` is served (`SLACK_TEAM_ID`). In Socket
/// Mode slack-morphism shows a callback the workspace but not the
/// organisation, so an `E…` SLACK_TEAM_ID cannot be checked here: the
/// connection is the app's own, and such a request is taken.
fn from_our_workspace(bot: &Bot, team: &SlackTeamId) -> bool {
    let expected = bot.settings().slack.team_id.as_deref();
    if expected.is_some_and(|expected| expected.starts_with('E')) {
        return true;
    }
    let origin = workspace::Origin {
        team: Some(team.0.as_str()),
        enterprise: None,
    };
    let ours = workspace::is_ours(expected, origin);
    if !ours {
        tracing::warn!(team = %team.0, "refused an envelope from an unknown workspace");
    }
    ours
}

/// Whether this is the first delivery of the request `key` names; a store
/// that cannot say is taken as yes (better a rare duplicate than a lost
/// request).
async fn first_delivery(bot: &Bot, key: &str) -> bool {
    let now = bot.clock().now().timestamp();
    bot.store()
        .first_sight_of_event(key, now)
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not record an envelope; handling it anyway");
            true
        })
}

/// Starts what follows an ack, once the ack has had its head start.
fn after_the_ack(handled: &mut Handled) {
    if let Some(after_ack) = handled.after_ack.take() {
        tokio::spawn(async move {
            tokio::time::sleep(AFTER_ACK_DELAY).await;
            after_ack.await;
        });
    }
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> Outcome<SlackCommandEventResponse> {
    // The listener acks when the callback returns.
    let _timing = AckTiming::start(AckEndpoint::SocketMode);
    let Some(state) = state_of(&states).await else {
        return Err(Box::new(SilentAck));
    };
    let bot = state.bot.clone();
    if !from_our_workspace(&bot, &event.team_id)
        || !first_delivery(&bot, &format!("trigger:{}", event.trigger_id.0)).await
    {
        return Err(Box::new(SilentAck));
    }
    let response_url = event.response_url.0.clone();
    let mut work =
        tokio::spawn(async move { run_command(&state.bot, state.api.as_ref(), &event).await });
    match tokio::time::timeout(ACK_BUDGET, &mut work).await {
        Ok(Ok(mut handled)) => {
            after_the_ack(&mut handled);
            handled.answer.ok_or_else(|| Box::new(SilentAck).into())
        }
        Ok(Err(failed)) => {
            tracing::error!(error = %failed, "a slash command's handler failed");
            Ok(inbound::unreadable_answer(&bot))
        }
        Err(_late) => {
            tracing::warn!(
                "a slash command took longer than its ack; it answers through response_url"
            );
            tokio::spawn(async move {
                if let Ok(mut handled) = work.await {
                    after_the_ack(&mut handled);
                    if let Some(answer) = handled.answer {
                        inbound::answer_later(response_url, answer.content).await;
                    }
                }
            });
            Err(Box::new(SilentAck))
        }
    }
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> Outcome<SlackInteractionResponse> {
    // The listener acks when the callback returns.
    let _timing = AckTiming::start(AckEndpoint::SocketMode);
    let Some(state) = state_of(&states).await else {
        return Ok(SlackInteractionResponse::Empty);
    };
    let bot = state.bot.clone();
    let (team, key) = match &event {
        SlackInteractionEvent::BlockActions(press) => {
            (&press.team.id, format!("trigger:{}", press.trigger_id.0))
        }
        SlackInteractionEvent::MessageAction(shortcut) => (
            &shortcut.team.id,
            format!("trigger:{}", shortcut.trigger_id.0),
        ),
        SlackInteractionEvent::ViewSubmission(submission) => {
            let key = match &submission.trigger_id {
                Some(trigger) => format!("trigger:{}", trigger.0),
                None => format!(
                    "view:{}:{}",
                    submission.view.state_params.id.0, submission.view.state_params.hash
                ),
            };
            (&submission.team.id, key)
        }
        _ => {
            tracing::info!("interaction type not handled");
            return Ok(SlackInteractionResponse::Empty);
        }
    };
    if !from_our_workspace(&bot, team) || !first_delivery(&bot, &key).await {
        return Ok(SlackInteractionResponse::Empty);
    }
    let work =
        tokio::spawn(async move { run_interaction(&state.bot, state.api.as_ref(), &event).await });
    match tokio::time::timeout(ACK_BUDGET, work).await {
        Ok(Ok(Ok(Some(errors)))) => Ok(errors.into()),
        Ok(Ok(Ok(None))) => Ok(SlackInteractionResponse::Empty),
        Ok(Ok(Err(problem))) => {
            tracing::warn!(problem, "interaction envelope refused");
            Ok(SlackInteractionResponse::Empty)
        }
        Ok(Err(failed)) => {
            tracing::error!(error = %failed, "an interaction's handler failed");
            Ok(SlackInteractionResponse::Empty)
        }
        Err(_late) => {
            tracing::warn!("an interaction took longer than its ack; it goes on after it");
            Ok(SlackInteractionResponse::Empty)
        }
    }
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> Outcome<()> {
    // The listener acks when the callback returns.
    let _timing = AckTiming::start(AckEndpoint::SocketMode);
    let Some(state) = state_of(&states).await else {
        return Ok(());
    };
    if !from_our_workspace(&state.bot, &event.team_id) {
        return Ok(());
    }
    // `run_event` claims the event_id: a redelivery does nothing.
    let work = tokio::spawn(async move { run_event(&state.bot, state.api.as_ref(), &event).await });
    match tokio::time::timeout(ACK_BUDGET, work).await {
        Ok(Ok(())) => {}
        Ok(Err(failed)) => tracing::error!(error = %failed, "an event's handler failed"),
        Err(_late) => tracing::warn!("an event took longer than its ack; it goes on after it"),
    }
    Ok(())
}

/// What the listener could not do, or was told to do by a callback. Every
/// envelope is acknowledged (a redelivery would fail the same way): a
/// silent ack, one slack-morphism could not read (logged, and answered
/// through its `response_url` when it has one), a connection's error
/// (Slack noted as unreachable).
fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> HttpStatusCode {
    if error.is::<SilentAck>() {
        return HttpStatusCode::OK;
    }
    if let Some(unreadable) = error.downcast_ref::<SlackClientProtocolError>() {
        tracing::warn!(error = %unreadable.json_error, "refused a Socket Mode frame slack-morphism cannot read");
        if let Some(frame) = unreadable
            .json_body
            .as_deref()
            .and_then(|frame| serde_json::from_str::<Value>(frame).ok())
        {
            tokio::spawn(answer_unreadable(frame, states));
        }
        return HttpStatusCode::OK;
    }
    if let Some(SlackClientError::SocketModeProtocolError(_)) =
        error.downcast_ref::<SlackClientError>()
    {
        tokio::spawn(async move {
            if let Some(api) = state_of(&states).await.and_then(|state| state.api) {
                api.client.note_reachability(false);
            }
        });
    }
    tracing::error!(%error, "Socket Mode failed");
    HttpStatusCode::OK
}

/// The friendly answer to an envelope banso could not read, through the
/// `response_url` of its payload (read by hand: the payload is what
/// slack-morphism refused).
async fn answer_unreadable(frame: Value, states: SlackClientEventsUserState) {
    if let Some(state) = state_of(&states).await {
        inbound::answer_unreadable_interaction(&state.bot, &frame["payload"]);
    }
}
