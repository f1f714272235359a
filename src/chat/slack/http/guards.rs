//! What an HTTP request passes before banso reads it: its signature, the
//! workspace it comes from, and the replay guard's claim on it. Each
//! refusal is logged (never the body) and answered without effect.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::chat::slack::signature::Verified;
use crate::chat::slack::workspace::{self, Origin};

/// Refuses a request that does not come from the workspace `SLACK_TEAM_ID`
/// names (when it is set), or names none: logged, answered 403, nothing
/// done.
pub(super) fn from_our_workspace(state: &AppState, origin: Origin<'_>) -> Result<(), StatusCode> {
    let expected = state.bot.settings().slack.team_id.as_deref();
    if workspace::is_ours(expected, origin) {
        return Ok(());
    }
    tracing::warn!(
        team = origin.team,
        enterprise = origin.enterprise,
        "refused a request from an unknown workspace"
    );
    Err(StatusCode::FORBIDDEN)
}

/// Claims a verified request before it has any effect. A replay is
/// answered with an empty 200 and does nothing; if the claim cannot be
/// written, nothing is done either and Slack hears 503 (the person sees
/// Slack's error and tries again).
pub(super) async fn first_time(state: &AppState, request: &Verified) -> Result<(), Response> {
    match state
        .bot
        .store()
        .claim_signed_request(&request.signature, request.sent_at)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => {
            tracing::warn!(
                sent_at = request.sent_at,
                "a replayed request was answered without effect"
            );
            Err(StatusCode::OK.into_response())
        }
        Err(error) => {
            tracing::error!(%error, "could not claim a request; refused it");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

/// Refuses a request whose signature does not verify (401, body not logged).
pub(super) fn verified(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Verified, StatusCode> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let now = state.bot.clock().now().timestamp();
    state
        .verifier
        .verify(
            header("x-slack-request-timestamp"),
            header("x-slack-signature"),
            body,
            now,
        )
        .map_err(|error| {
            tracing::warn!(%error, "refused a request with a bad signature");
            StatusCode::UNAUTHORIZED
        })
}
