//! Names and departments from Slack profiles (`users.info`), cached in the
//! store. banso reads a profile when it first meets a person — waiting a
//! moment, so that a department Slack knows is not asked for — and again
//! in the background once the cached one is a day old.

use std::time::Duration;

use super::web_api::{ApiError, WebApi};
use crate::bot::Bot;
use crate::message::UserId;

/// How long a profile read from Slack is used before it is read again.
const FRESH_FOR_SECONDS: i64 = 24 * 60 * 60;

/// How long a request from someone banso has never met waits for their
/// profile; Slack needs its answer within three seconds. A slower lookup
/// finishes in the background.
const FIRST_LOOKUP_WAIT: Duration = Duration::from_millis(1_200);

/// Makes sure banso has a recent profile of `user` (no-op without the Web
/// API). Never fails the request: problems are logged.
pub(super) async fn ensure(bot: &Bot, api: Option<&WebApi>, user: &UserId) {
    let Some(api) = api else {
        return;
    };
    let now = bot.clock().now().timestamp();
    let lookup = || tokio::spawn(refresh(bot.clone(), api.clone(), user.clone()));
    match bot.store().profile_checked_at(user.as_str()).await {
        Ok(Some(checked)) if now - checked < FRESH_FOR_SECONDS => {}
        Ok(Some(_)) => {
            lookup();
        }
        Ok(None) => {
            if tokio::time::timeout(FIRST_LOOKUP_WAIT, lookup())
                .await
                .is_err()
            {
                tracing::info!("a Slack profile lookup goes on in the background");
            }
        }
        Err(error) => tracing::warn!(%error, "could not read the profile cache"),
    }
}

/// Reads the profile and stores it. A refusal (an unknown user, a missing
/// scope) is stored as "checked" so it is not asked again for a day; a
/// network or server failure is tried again on the next request.
async fn refresh(bot: Bot, api: WebApi, user: UserId) {
    let field = bot.settings().slack.department_field.as_deref();
    let profile = match api.user_profile(user.as_str(), field).await {
        Ok(profile) => profile,
        Err(ApiError::Refused(code)) => {
            tracing::warn!(code, "Slack refused a profile lookup");
            Default::default()
        }
        Err(error) => {
            tracing::warn!(%error, "could not read a Slack profile");
            return;
        }
    };
    let now = bot.clock().now().timestamp();
    if let Err(error) = bot
        .store()
        .record_profile(
            user.as_str(),
            profile.name.as_deref(),
            profile.department.as_deref(),
            now,
        )
        .await
    {
        tracing::error!(%error, "could not store a Slack profile");
    }
}
