//! Names and departments from Slack profiles (`users.info`), cached in the
//! store. banso reads a profile when it first meets a person — waiting a
//! moment when departments come from Slack (`SLACK_DEPARTMENT_FIELD`), so
//! that a department Slack knows is not asked for — and again in the
//! background once the cached one is a day old. One lookup per person is
//! under way at a time: the requests that arrive meanwhile share its wait
//! instead of asking Slack again. When each person's profile was last read
//! is also kept in memory, so a request from someone with a fresh profile
//! reads nothing (the profiler found that read on every request's path).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use super::SlackApi;
use super::web_api::{ApiError, WebApi};
use crate::bot::Bot;
use crate::message::UserId;

/// How long a profile read from Slack is used before it is read again.
const FRESH_FOR_SECONDS: i64 = 24 * 60 * 60;

/// How long the requests of someone banso has never met wait for their
/// profile, counted from the start of the lookup; a slower lookup finishes
/// in the background and the request goes on without it (the department is
/// asked, or filled in later from the profile). It is the only wait on
/// Slack's Web API in front of an acknowledgement, and Slack's rule is p99
/// under one second even while every Web API method takes five: half a
/// second leaves the other half for the request's own work (a commit, a
/// few milliseconds, tens under load) and the network, while still
/// covering a `users.info` that answers as usual, in a few hundred
/// milliseconds.
const FIRST_LOOKUP_WAIT: Duration = Duration::from_millis(500);

/// The lookups under way, by person. Cheap to clone; clones share them.
#[derive(Clone, Default)]
pub(super) struct Lookups {
    /// Turns true when the requests waiting for this lookup stop waiting:
    /// at its end, or when `FIRST_LOOKUP_WAIT` has passed since its start.
    in_flight: Arc<Mutex<HashMap<String, watch::Receiver<bool>>>>,
    /// When each person's profile was last read, as far as this process
    /// knows (another replica's reading is seen in the store once this one
    /// is stale: at worst one lookup more a day).
    checked_at: Arc<Mutex<HashMap<String, i64>>>,
}

impl Lookups {
    fn checked_at(&self, user: &UserId) -> Option<i64> {
        self.checked_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(user.as_str())
            .copied()
    }

    fn remember_checked(&self, user: &UserId, at: i64) {
        self.checked_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(user.as_str().to_owned(), at);
    }

    /// The lookup of `user` under way, or a new one started.
    fn start(&self, bot: &Bot, api: &WebApi, user: &UserId) -> watch::Receiver<bool> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(waiting) = in_flight.get(user.as_str()) {
            return waiting.clone();
        }
        let (stop_waiting, waiting) = watch::channel(false);
        in_flight.insert(user.as_str().to_owned(), waiting.clone());
        let under_way = UnderWay {
            lookups: self.clone(),
            user: user.as_str().to_owned(),
        };
        let lookup = refresh(bot.clone(), api.clone(), user.clone(), self.clone());
        tokio::spawn(async move {
            let _under_way = under_way;
            tokio::pin!(lookup);
            tokio::select! {
                () = &mut lookup => {}
                () = tokio::time::sleep(FIRST_LOOKUP_WAIT) => {
                    let _ = stop_waiting.send(true);
                    tracing::info!("a Slack profile lookup goes on in the background");
                    lookup.await;
                }
            }
            let _ = stop_waiting.send(true);
        });
        waiting
    }
}

/// Removes a lookup from those under way when it ends, however it ends
/// (a panic included), so the person is looked up again next time.
struct UnderWay {
    lookups: Lookups,
    user: String,
}

impl Drop for UnderWay {
    fn drop(&mut self) {
        self.lookups
            .in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.user);
    }
}

/// Makes sure banso has a recent profile of `user` (no-op without the Web
/// API). Never fails the request: problems are logged.
pub(super) async fn ensure(bot: &Bot, api: Option<&SlackApi>, user: &UserId) {
    let Some(api) = api else {
        return;
    };
    let now = bot.clock().now().timestamp();
    let fresh = |checked: i64| now - checked < FRESH_FOR_SECONDS;
    if api.lookups.checked_at(user).is_some_and(fresh) {
        return;
    }
    match bot.store().profile_checked_at(user.as_str()).await {
        Ok(Some(checked)) if fresh(checked) => api.lookups.remember_checked(user, checked),
        Ok(Some(_)) => {
            api.lookups.start(bot, &api.client, user);
        }
        // Without departments in Slack profiles only a name would come,
        // which nothing in the answer needs: no reason to wait.
        Ok(None) if bot.settings().slack.department_field.is_none() => {
            api.lookups.start(bot, &api.client, user);
        }
        Ok(None) => {
            let mut waiting = api.lookups.start(bot, &api.client, user);
            // An error means the lookup ended: nothing left to wait for.
            let _ = waiting.wait_for(|stopped| *stopped).await;
        }
        Err(error) => tracing::warn!(%error, "could not read the profile cache"),
    }
}

/// Reads the profile and stores it. A refusal (an unknown user, a missing
/// scope) is stored as "checked" so it is not asked again for a day; a
/// network or server failure is tried again on the next request.
async fn refresh(bot: Bot, api: WebApi, user: UserId, lookups: Lookups) {
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
        return;
    }
    lookups.remember_checked(&user, now);
}
