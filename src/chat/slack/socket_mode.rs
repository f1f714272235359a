//! Socket Mode: banso opens a websocket to Slack (no public URL needed —
//! the usual choice inside a city network) and receives the same commands,
//! interactions and events as over HTTP. Each envelope is handled (stored)
//! first and acknowledged after; an envelope seen before (a redelivery) is
//! only acknowledged. On `disconnect` or a lost connection banso opens a
//! new one, with growing pauses while Slack cannot be reached.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use super::http::{run_command, run_event, run_interaction};
use super::web_api::WebApi;
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
            api.note_reachability(false);
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

async fn serve_connection<S>(
    bot: &Bot,
    api: Option<&WebApi>,
    mut socket: tokio_tungstenite::WebSocketStream<S>,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use futures_util::{SinkExt, StreamExt};
    loop {
        let frame = tokio::select! {
            frame = socket.next() => frame,
            _ = shutdown.changed() => {
                let _ = socket.close(None).await;
                return Ended::Shutdown;
            }
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | None => return Ended::Reconnect,
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                tracing::warn!(%error, "Socket Mode connection lost");
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
                    api.note_reachability(true);
                }
            }
            Some("disconnect") => {
                tracing::info!(reason = %envelope["reason"], "Slack asked to reconnect");
                return Ended::Refresh;
            }
            _ => {
                if let Some(ack) = handle_envelope(bot, api, &envelope).await
                    && let Err(error) = socket.send(Message::text(ack.to_string())).await
                {
                    tracing::warn!(%error, "could not acknowledge an envelope");
                    return Ended::Reconnect;
                }
            }
        }
    }
}

/// Handles one envelope and returns its acknowledgement.
async fn handle_envelope(bot: &Bot, api: Option<&WebApi>, envelope: &Value) -> Option<Value> {
    let envelope_id = envelope["envelope_id"].as_str()?;
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
        return Some(json!({ "envelope_id": envelope_id }));
    }
    let payload = &envelope["payload"];
    match envelope["type"].as_str() {
        Some("slash_commands") => {
            let fields: HashMap<String, String> = payload
                .as_object()
                .map(|object| {
                    object
                        .iter()
                        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
            match run_command(bot, api, &fields).await {
                Ok(Some(answer)) => Some(json!({ "envelope_id": envelope_id, "payload": answer })),
                Ok(None) => Some(json!({ "envelope_id": envelope_id })),
                Err(problem) => {
                    tracing::warn!(problem, "slash command envelope refused");
                    Some(json!({ "envelope_id": envelope_id }))
                }
            }
        }
        Some("interactive") => match run_interaction(bot, api, payload).await {
            Ok(Some(answer)) => Some(json!({ "envelope_id": envelope_id, "payload": answer })),
            Ok(None) => Some(json!({ "envelope_id": envelope_id })),
            Err(problem) => {
                tracing::warn!(problem, "interaction envelope refused");
                Some(json!({ "envelope_id": envelope_id }))
            }
        },
        Some("events_api") => {
            run_event(bot, api, payload).await;
            Some(json!({ "envelope_id": envelope_id }))
        }
        other => {
            tracing::info!(kind = ?other, "envelope type not handled");
            Some(json!({ "envelope_id": envelope_id }))
        }
    }
}
