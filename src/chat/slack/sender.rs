//! The outbox sender: delivers queued messages to Slack at about one per
//! second per channel, waits out 429s for as long as `Retry-After` says,
//! retries 5xx and network failures with growing pauses, and after a
//! bounded number of tries gives a message up and tells the team channel.
//! A message is marked sent only after Slack accepted it, so a restart
//! resends nothing Slack has and loses nothing it has not.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::blocks::{blocks, fallback_text};
use super::web_api::{ApiError, WebApi};
use crate::bot::clock::Clock;
use crate::message::{Outgoing, Recipient};
use crate::store::{NewMessage, QueuedMessage, Store};

/// Slack's guidance for chat.postMessage: about one message a second per channel.
const PACE: Duration = Duration::from_secs(1);
/// After this many failed tries a message is given up.
pub const MOST_TRIES: i64 = 6;
const LONGEST_BACKOFF: Duration = Duration::from_secs(60);

/// What one `deliver_pending` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
}

/// Delivers the outbox to Slack.
pub struct Sender {
    store: Store,
    clock: Arc<dyn Clock>,
    api: WebApi,
    team_channel: String,
    dm_channels: HashMap<String, String>,
    next_allowed: HashMap<String, Instant>,
}

impl Sender {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        api: WebApi,
        team_channel: impl Into<String>,
    ) -> Self {
        Self {
            store,
            clock,
            api,
            team_channel: team_channel.into(),
            dm_channels: HashMap::new(),
            next_allowed: HashMap::new(),
        }
    }

    /// Delivers until the outbox is empty (or only holds given-up messages).
    pub async fn deliver_pending(&mut self) -> anyhow::Result<DeliveryReport> {
        let mut report = DeliveryReport::default();
        loop {
            let pending = self.store.pending_messages(500).await?;
            if pending.is_empty() {
                return Ok(report);
            }
            let wait = self.send_ready_heads(&pending, &mut report).await?;
            if let Some(wait) = wait {
                tokio::time::sleep_until(wait).await;
            }
        }
    }

    /// Sends the first pending message of each channel whose pace allows
    /// it (per-channel order is kept). Returns when to look again if
    /// nothing could be sent now.
    async fn send_ready_heads(
        &mut self,
        pending: &[QueuedMessage],
        report: &mut DeliveryReport,
    ) -> anyhow::Result<Option<Instant>> {
        let mut heads: Vec<&QueuedMessage> = Vec::new();
        for queued in pending {
            if !heads
                .iter()
                .any(|head| head.message.to == queued.message.to)
            {
                heads.push(queued);
            }
        }
        let mut earliest: Option<Instant> = None;
        let mut progressed = false;
        for queued in heads {
            let key = queued.message.to.to_string();
            if let Some(allowed) = self
                .next_allowed
                .get(&key)
                .copied()
                .filter(|allowed| *allowed > Instant::now())
            {
                earliest = Some(earliest.map_or(allowed, |earliest| earliest.min(allowed)));
                continue;
            }
            progressed = true;
            self.send_one(queued, &key, report).await?;
        }
        Ok(if progressed { None } else { earliest })
    }

    async fn send_one(
        &mut self,
        queued: &QueuedMessage,
        key: &str,
        report: &mut DeliveryReport,
    ) -> anyhow::Result<()> {
        let now = self.clock.now().timestamp();
        match self.post(&queued.message).await {
            Ok(()) => {
                self.store.mark_message_sent(queued.id, now).await?;
                self.next_allowed
                    .insert(key.to_owned(), Instant::now() + PACE);
                report.sent += 1;
            }
            Err(ApiError::RateLimited(wait)) => {
                // Not the message's fault: no try is counted.
                self.next_allowed
                    .insert(key.to_owned(), Instant::now() + wait);
                report.retried += 1;
            }
            Err(error) if error.is_transient() && queued.attempts + 1 < MOST_TRIES => {
                self.store
                    .mark_message_failed(queued.id, &error.to_string())
                    .await?;
                self.next_allowed
                    .insert(key.to_owned(), Instant::now() + backoff(queued));
                report.retried += 1;
            }
            Err(error) => {
                tracing::error!(message = queued.idempotency_key, %error, "giving up a message");
                self.store
                    .mark_message_given_up(queued.id, &error.to_string(), now)
                    .await?;
                self.tell_team_of_failure(queued, &error, now).await?;
                report.given_up += 1;
            }
        }
        Ok(())
    }

    async fn post(&mut self, message: &Outgoing) -> Result<(), ApiError> {
        let channel = match &message.to {
            Recipient::Channel(channel) => channel.clone(),
            Recipient::User(user) => match self.dm_channels.get(user.as_str()) {
                Some(channel) => channel.clone(),
                None => {
                    let channel = self.api.open_dm(user.as_str()).await?;
                    self.dm_channels.insert(user.to_string(), channel.clone());
                    channel
                }
            },
        };
        self.api
            .post_message(&channel, &fallback_text(message), &blocks(message))
            .await
            .map(|_| ())
    }

    /// A message that could not be delivered is reported to the team
    /// channel (unless it was for the team channel itself).
    async fn tell_team_of_failure(
        &self,
        queued: &QueuedMessage,
        error: &ApiError,
        now: i64,
    ) -> anyhow::Result<()> {
        if queued.message.to == Recipient::Channel(self.team_channel.clone()) {
            return Ok(());
        }
        let text = format!(
            "banso: {} への通知を送信できませんでした（{error}）。",
            queued.message.to
        );
        let notice = NewMessage {
            idempotency_key: format!("{}:undeliverable", queued.idempotency_key),
            message: Outgoing {
                to: Recipient::Channel(self.team_channel.clone()),
                text,
                buttons: Vec::new(),
            },
        };
        self.store.enqueue_messages(&[notice], now).await?;
        Ok(())
    }
}

/// 2, 4, 8 … seconds up to a minute, with a jitter of up to a second taken
/// from the message so that retries of many messages do not align.
fn backoff(queued: &QueuedMessage) -> Duration {
    let exponent = u32::try_from(queued.attempts.clamp(0, 6)).unwrap_or(6);
    let base = Duration::from_secs(2u64.saturating_pow(exponent + 1)).min(LONGEST_BACKOFF);
    let jitter_ms = u64::try_from(
        (queued.id.wrapping_mul(7_919) + queued.attempts * 104_729).rem_euclid(1_000),
    )
    .unwrap_or(0);
    base + Duration::from_millis(jitter_ms)
}
