//! Socket Mode: banso opens a websocket to Slack (no public URL needed —
//! the usual choice inside a city network) and receives the same commands,
//! interactions and events as over HTTP. Each envelope is handled in a task
//! of its own, off the read loop, so one request never waits for another:
//! what it brings is stored first, then it is acknowledged, and the Web API
//! work that follows an ack (`views.open`) starts once the ack is sent. An
//! envelope seen before (a redelivery) is only acknowledged, and so is one
//! from a workspace banso does not serve. On `disconnect` banso finishes
//! and acknowledges what it took on the old connection, then opens a new
//! one; after a lost connection it opens one with growing pauses while
//! Slack cannot be reached.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{Sink, SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};
use tokio_tungstenite::tungstenite::Message;

use serde::Deserialize;
use slack_morphism::prelude::*;

use super::SlackApi;
use super::http::command_event;
use super::inbound::{self, AfterAck, run_command, run_event, run_interaction};
use super::web_api::WebApi;
use super::workspace::{self, Origin};
use crate::bot::Bot;
use crate::config::Secret;

const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// Why a connection ended.
enum Ended {
    /// Slack asked for a new connection (`disconnect`): open one at once.
    Refresh,
    /// The connection was lost: open a new one after a pause.
    Reconnect,
    Shutdown,
}

/// Runs Socket Mode until `shutdown` turns true.
pub async fn run(
    bot: Bot,
    app_token: Secret,
    api_base: String,
    api: Option<WebApi>,
    mut shutdown: watch::Receiver<bool>,
) {
    let api = api.map(SlackApi::new);
    let http = reqwest::Client::new();
    let mut pause = Duration::from_secs(1);
    loop {
        let ended = match open_url(&http, &api_base, &app_token).await {
            Ok(url) => match tokio_tungstenite::connect_async(url.as_str()).await {
                Ok((socket, _)) => {
                    pause = Duration::from_secs(1);
                    serve_connection(&bot, api.as_ref(), socket, &mut shutdown).await
                }
                Err(error) => {
                    tracing::warn!(%error, "Socket Mode connection failed");
                    Ended::Reconnect
                }
            },
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "apps.connections.open failed");
                Ended::Reconnect
            }
        };
        if matches!(ended, Ended::Shutdown) || *shutdown.borrow() {
            return;
        }
        if let (Ended::Reconnect, Some(api)) = (&ended, &api) {
            api.client.note_reachability(false);
        }
        if matches!(ended, Ended::Refresh) {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => return,
        }
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// `apps.connections.open` with the app-level token: the websocket URL.
async fn open_url(
    http: &reqwest::Client,
    api_base: &str,
    app_token: &Secret,
) -> anyhow::Result<String> {
    let answer: Value = http
        .post(format!(
            "{}/apps.connections.open",
            api_base.trim_end_matches('/')
        ))
        .bearer_auth(app_token.expose())
        .send()
        .await
        .map_err(|error| anyhow::anyhow!(error.without_url().to_string()))?
        .json()
        .await
        .map_err(|error| anyhow::anyhow!(error.without_url().to_string()))?;
    match (answer["ok"].as_bool(), answer["url"].as_str()) {
        (Some(true), Some(url)) => Ok(url.to_owned()),
        _ => anyhow::bail!(
            "Slack refused: {}",
            answer["error"].as_str().unwrap_or("no url")
        ),
    }
}

/// An envelope handled: its acknowledgement, and what follows it.
struct Acknowledgement {
    ack: Value,
    after_ack: Option<AfterAck>,
}

impl Acknowledgement {
    fn bare(envelope_id: &str) -> Self {
        Self::with(envelope_id, None::<Value>)
    }

    /// The ack, carrying the answer when there is one (a silent answer is
    /// an ack without a payload).
    fn with(envelope_id: &str, answer: Option<impl serde::Serialize>) -> Self {
        let answer = answer.and_then(|answer| serde_json::to_value(answer).ok());
        let ack = match answer {
            Some(answer) => json!({ "envelope_id": envelope_id, "payload": answer }),
            None => json!({ "envelope_id": envelope_id }),
        };
        Self {
            ack,
            after_ack: None,
        }
    }
}

async fn serve_connection<S>(
    bot: &Bot,
    api: Option<&SlackApi>,
    socket: tokio_tungstenite::WebSocketStream<S>,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut outgoing, mut incoming) = socket.split();
    let mut handling: JoinSet<Option<Acknowledgement>> = JoinSet::new();
    let ended = loop {
        let frame = tokio::select! {
            frame = incoming.next() => frame,
            Some(handled) = handling.join_next() => {
                if !acknowledge(&mut outgoing, handled).await {
                    // The requests under way still finish their work.
                    handling.detach_all();
                    return Ended::Reconnect;
                }
                continue;
            }
            _ = shutdown.changed() => break Ended::Shutdown,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | None => {
                handling.detach_all();
                return Ended::Reconnect;
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                tracing::warn!(%error, "Socket Mode connection lost");
                handling.detach_all();
                return Ended::Reconnect;
            }
        };
        let Ok(envelope) = serde_json::from_str::<Value>(text.as_str()) else {
            tracing::warn!("unreadable Socket Mode frame ignored");
            continue;
        };
        match envelope["type"].as_str() {
            Some("hello") => {
                tracing::info!("Socket Mode connected");
                if let Some(api) = api {
                    api.client.note_reachability(true);
                }
            }
            Some("disconnect") => {
                tracing::info!(reason = %envelope["reason"], "Slack asked to reconnect");
                break Ended::Refresh;
            }
            _ => {
                handling.spawn(handle_envelope(bot.clone(), api.cloned(), envelope));
            }
        }
    };
    // What this connection took is finished and acknowledged on it.
    while let Some(handled) = handling.join_next().await {
        if !acknowledge(&mut outgoing, handled).await {
            handling.detach_all();
            return Ended::Reconnect;
        }
    }
    if matches!(ended, Ended::Shutdown) {
        let _ = outgoing.close().await;
    }
    ended
}

/// Sends a handled envelope's ack, then starts what follows it; false if
/// the connection is gone. A handler that panicked sends nothing: Slack
/// delivers the envelope again.
async fn acknowledge<W>(
    outgoing: &mut W,
    handled: Result<Option<Acknowledgement>, JoinError>,
) -> bool
where
    W: Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    let acknowledgement = match handled {
        Ok(Some(acknowledgement)) => acknowledgement,
        Ok(None) => return true,
        Err(error) => {
            tracing::error!(%error, "an envelope's handler failed; Slack will deliver it again");
            return true;
        }
    };
    if let Err(error) = outgoing
        .send(Message::text(acknowledgement.ack.to_string()))
        .await
    {
        tracing::warn!(%error, "could not acknowledge an envelope");
        return false;
    }
    if let Some(after_ack) = acknowledgement.after_ack {
        tokio::spawn(after_ack);
    }
    true
}

/// A slash command envelope's payload as the form fields Slack posts over
/// HTTP.
fn command_fields(payload: &Value) -> HashMap<String, String> {
    payload
        .as_object()
        .map(|object| {
            object
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Handles one envelope and returns its acknowledgement.
async fn handle_envelope(
    bot: Bot,
    api: Option<SlackApi>,
    envelope: Value,
) -> Option<Acknowledgement> {
    let envelope_id = envelope["envelope_id"].as_str()?;
    let payload = &envelope["payload"];
    let kind = envelope["type"].as_str();
    let fields = command_fields(payload);
    let origin = match kind {
        Some("slash_commands") => Origin::of_command(&fields),
        Some("interactive") => Origin::of_interaction(payload),
        Some("events_api") => Origin::of_event(payload),
        // Nothing is done for other kinds; they are acknowledged below.
        _ => Origin::default(),
    };
    let is_a_request =
        kind.is_some_and(|kind| ["slash_commands", "interactive", "events_api"].contains(&kind));
    if is_a_request && !workspace::is_ours(bot.settings().slack.team_id.as_deref(), origin) {
        tracing::warn!(
            team = origin.team,
            enterprise = origin.enterprise,
            "refused an envelope from an unknown workspace"
        );
        return Some(Acknowledgement::bare(envelope_id));
    }
    let now = bot.clock().now().timestamp();
    let first_time = bot
        .store()
        .first_sight_of_event(&format!("envelope:{envelope_id}"), now)
        .await
        .unwrap_or_else(|error| {
            // Better a rare duplicate than a lost request.
            tracing::error!(%error, "could not record an envelope; handling it anyway");
            true
        });
    if !first_time {
        return Some(Acknowledgement::bare(envelope_id));
    }
    let api = api.as_ref();
    match kind {
        Some("slash_commands") => {
            let event = match command_event(&fields) {
                Ok(event) => event,
                Err(error) => {
                    tracing::warn!(%error, "refused a slash command slack-morphism cannot read");
                    let answer = inbound::unreadable_answer(&bot);
                    return Some(Acknowledgement::with(envelope_id, Some(answer)));
                }
            };
            let handled = run_command(&bot, api, &event).await;
            Some(Acknowledgement {
                after_ack: handled.after_ack,
                ..Acknowledgement::with(envelope_id, handled.answer)
            })
        }
        Some("interactive") => {
            let event = match SlackInteractionEvent::deserialize(payload) {
                Ok(event) => event,
                Err(error) => {
                    tracing::warn!(%error, "refused an interaction slack-morphism cannot read");
                    inbound::answer_unreadable_interaction(&bot, payload);
                    return Some(Acknowledgement::bare(envelope_id));
                }
            };
            match run_interaction(&bot, api, &event).await {
                Ok(answer) => Some(Acknowledgement::with(envelope_id, answer)),
                Err(problem) => {
                    tracing::warn!(problem, "interaction envelope refused");
                    Some(Acknowledgement::bare(envelope_id))
                }
            }
        }
        Some("events_api") => {
            match SlackPushEventCallback::deserialize(payload) {
                Ok(callback) => run_event(&bot, api, &callback).await,
                Err(error) => {
                    tracing::warn!(%error, "refused an event slack-morphism cannot read");
                }
            }
            Some(Acknowledgement::bare(envelope_id))
        }
        other => {
            tracing::info!(kind = ?other, "envelope type not handled");
            Some(Acknowledgement::bare(envelope_id))
        }
    }
}
