//! The outbox sender: delivers queued messages to Slack at about one per
//! second per channel, waits out 429s for as long as `Retry-After` says,
//! retries 5xx and network failures with growing pauses, and after a
//! bounded number of tries gives a message up and tells the team channel.
//! A message is marked sent only after Slack accepted it, so a restart
//! loses nothing Slack has not.
//!
//! Several senders (replicas of `banso serve`) may share one database. A
//! sender posts to a channel only while it holds that channel's turn
//! (`Store::take_channel_turn`, a lease in the database), so no two post
//! the same message, a channel's messages keep their order, and the pace,
//! a `Retry-After` or a backoff, kept with the turn, holds for all of
//! them together. A sender that dies holding a turn holds it until its
//! lease ends — or at once, when the sender that takes over sees that the
//! holder was a process of its own machine that is gone — and the head
//! message is then in doubt: Slack may have it. Every post carries its
//! outbox key as Slack message metadata, and before posting a message in
//! doubt again the sender looks for the key in the channel's history
//! since the dead holder took the turn (`WebApi::find_marked`); a message
//! Slack has is marked sent, not posted twice. A post whose answer was
//! lost (a timeout, a 5xx) is in doubt the same way.
//!
//! Every reading of time is the injected [`Clock`]'s; only the sleeping
//! between steps is tokio's. A test therefore drives [`Sender::deliver_due`]
//! on a `ManualClock` and moves the clock, as the console drives the
//! scheduler, instead of waiting for the pace.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

mod identity;

pub(crate) use self::identity::process_name;
use self::identity::{holder_is_gone, sender_name};
use super::blocks::posts;
use super::web_api::{ApiError, PostMark, WebApi};
use crate::bot::clock::Clock;
use crate::bot::texts::Texts;
use crate::config::Language;
use crate::message::{Outgoing, Recipient};
use crate::store::{ChannelTurn, NewMessage, QueuedMessage, Store, TurnEnd};

/// Slack's guidance for chat.postMessage: about one message a second per channel.
const PACE: Duration = Duration::from_secs(1);
/// After this many failed tries a message is given up.
pub const MOST_TRIES: i64 = 6;
const LONGEST_BACKOFF: Duration = Duration::from_secs(60);
/// How long a sender holds a channel's turn for one post: longer than
/// any Web API call may take (the client gives up well before), so a live
/// sender never loses a turn mid-post, and short enough that a dead one's
/// channels move on to another replica within a minute or two.
const TURN_LEASE: Duration = Duration::from_secs(90);
/// How soon a channel another sender holds is looked at again.
const TURN_RECHECK: Duration = Duration::from_secs(1);
/// How far before the instant a message came into doubt its posts are
/// looked for: replicas' clocks may disagree by this much.
const DOUBT_MARGIN: Duration = Duration::from_secs(60);
/// Slack's `Retry-After` is seconds; a longer one than this is not Slack's
/// to mean, and would silence a channel until the next restart.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// What one `deliver_pending` or `deliver_due` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
    /// Messages in doubt found already in Slack: marked sent without
    /// being posted again (counted in `sent` too).
    pub found_in_slack: usize,
}

impl DeliveryReport {
    fn add(&mut self, other: DeliveryReport) {
        self.sent += other.sent;
        self.retried += other.retried;
        self.given_up += other.given_up;
        self.found_in_slack += other.found_in_slack;
    }
}

/// What one `deliver_due` did, and when the sender may next have
/// something to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryStep {
    pub report: DeliveryReport,
    /// The earliest instant, by the sender's clock, at which a waiting
    /// message may be tried (its channel's pace, a `Retry-After` or a
    /// backoff); `None` when the outbox holds nothing to send.
    pub next_try_at: Option<DateTime<Utc>>,
}

/// Delivers the outbox to Slack.
pub struct Sender {
    store: Store,
    /// This sender's name in the channels' turns: unique per process and
    /// per sender within it.
    name: String,
    clock: Arc<dyn Clock>,
    api: WebApi,
    team_channel: String,
    /// The words of the team's notice of a message given up.
    texts: Arc<Texts>,
    dm_channels: HashMap<String, String>,
    /// Per recipient, the clock instant before which nothing more may be
    /// posted to it, as this sender last learnt it: a channel known to be
    /// waiting costs no statement (the database's turn is the truth).
    next_allowed: HashMap<String, DateTime<Utc>>,
    /// Per outbox message too long for one Slack message (more than 50
    /// blocks), how many of its posts Slack has: the rest follow one at a
    /// time at the channel's pace, in the thread of the first (its ts),
    /// and a retry goes on from there.
    posted_parts: HashMap<i64, (usize, Option<String>)>,
    /// The Slack ids (`C…`) of channels configured by name, as posts
    /// showed them: history is read by id.
    slack_ids: HashMap<String, String>,
    /// Per message under way, where its first post went (conversation id
    /// and `ts`): kept with the message once it is delivered, so that a
    /// later message can edit it in place.
    first_posts: HashMap<i64, (String, String)>,
    /// Set to stop: a delivery step then ends before its next post, never
    /// in the middle of one (`interrupt_handle`).
    interrupted: Arc<AtomicBool>,
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
            name: sender_name(),
            clock,
            api,
            team_channel: team_channel.into(),
            texts: Arc::new(Texts::built_in(Language::Ja)),
            dm_channels: HashMap::new(),
            next_allowed: HashMap::new(),
            posted_parts: HashMap::new(),
            slack_ids: HashMap::new(),
            first_posts: HashMap::new(),
            interrupted: Arc::default(),
        }
    }

    /// The templates the team's notices are written with (the built-in
    /// Japanese ones unless given).
    pub fn with_texts(mut self, texts: Arc<Texts>) -> Self {
        self.texts = texts;
        self
    }

    /// Delivers until the outbox is empty (or only holds given-up
    /// messages), sleeping on tokio between steps for as long as the clock
    /// says the next try must wait. Only for a clock that moves on its own
    /// (the system clock): on a `ManualClock`, call [`Sender::deliver_due`]
    /// and move the clock instead.
    pub async fn deliver_pending(&mut self) -> anyhow::Result<DeliveryReport> {
        let mut report = DeliveryReport::default();
        loop {
            let step = self.deliver_due().await?;
            report.add(step.report);
            match step.next_try_at {
                Some(at) => tokio::time::sleep(self.time_until(at)).await,
                None => return Ok(report),
            }
        }
    }

    /// One delivery step at the clock's current instant: sends everything
    /// the pace, `Retry-After`s and backoffs allow now (at most one message
    /// per channel per pass, in each channel's order) and returns without
    /// waiting, saying when to call again.
    pub async fn deliver_due(&mut self) -> anyhow::Result<DeliveryStep> {
        let mut report = DeliveryReport::default();
        loop {
            if self.is_interrupted() {
                return Ok(DeliveryStep {
                    report,
                    next_try_at: None,
                });
            }
            let pending = self.store.pending_messages(500).await?;
            if pending.is_empty() {
                return Ok(DeliveryStep {
                    report,
                    next_try_at: None,
                });
            }
            if let Some(at) = self.send_ready_heads(&pending, &mut report).await? {
                return Ok(DeliveryStep {
                    report,
                    next_try_at: Some(at),
                });
            }
        }
    }

    /// A flag that, set, makes a delivery step (and `deliver_pending`)
    /// return before its next post: a stop that never cuts a post short,
    /// whose answer would then be lost and the message posted again.
    /// Cleared, delivery goes on.
    pub fn interrupt_handle(&self) -> Arc<AtomicBool> {
        self.interrupted.clone()
    }

    fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Acquire)
    }

    /// Whether anything is still waiting to be sent (or the outbox cannot
    /// be read, which is as good as not drained).
    pub async fn has_pending(&self) -> bool {
        self.store
            .pending_messages(1)
            .await
            .map_or(true, |pending| !pending.is_empty())
    }

    /// Frees every channel turn this sender holds (at shutdown).
    pub async fn release_turns(&self) -> Result<u64, crate::store::StoreError> {
        self.store.release_channel_turns(&self.name).await
    }

    /// How long to sleep until `at` by the sender's clock (zero if it has
    /// passed).
    pub fn time_until(&self, at: DateTime<Utc>) -> Duration {
        (at - self.clock.now()).to_std().unwrap_or(Duration::ZERO)
    }

    /// Tries the first pending message of each channel whose pace allows
    /// it (per-channel order is kept). Returns when to look again if every
    /// channel must wait, or `None` if something was tried.
    async fn send_ready_heads(
        &mut self,
        pending: &[QueuedMessage],
        report: &mut DeliveryReport,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let mut heads: Vec<&QueuedMessage> = Vec::new();
        for queued in pending {
            if !heads
                .iter()
                .any(|head| head.message.to == queued.message.to)
            {
                heads.push(queued);
            }
        }
        let mut earliest: Option<DateTime<Utc>> = None;
        let mut progressed = false;
        for queued in heads {
            if self.is_interrupted() {
                return Ok(None);
            }
            let key = queued.message.to.to_string();
            let now = self.clock.now();
            if let Some(allowed) = self
                .next_allowed
                .get(&key)
                .copied()
                .filter(|allowed| *allowed > now)
            {
                earliest = Some(earliest.map_or(allowed, |earliest| earliest.min(allowed)));
                continue;
            }
            let turn = self
                .store
                .take_channel_turn(
                    &queued.message.to,
                    &self.name,
                    queued.id,
                    now.timestamp_millis(),
                    millis(TURN_LEASE),
                )
                .await?;
            let turn = match turn {
                ChannelTurn::HeldElsewhere { ref holder, .. }
                    if holder_is_gone(holder)
                        && self
                            .store
                            .take_turn_of_gone_sender(
                                &queued.message.to,
                                holder,
                                &self.name,
                                queued.id,
                                now.timestamp_millis(),
                                millis(TURN_LEASE),
                            )
                            .await? =>
                {
                    ChannelTurn::Taken
                }
                turn => turn,
            };
            match turn {
                ChannelTurn::Taken => {
                    progressed = true;
                    self.send_one(queued, &key, report).await?;
                }
                ChannelTurn::NotBefore(at) | ChannelTurn::HeldElsewhere { until: at, .. } => {
                    let mut at = DateTime::<Utc>::from_timestamp_millis(at).unwrap_or(now);
                    if matches!(turn, ChannelTurn::HeldElsewhere { .. }) {
                        // The other sender usually ends its turn within a
                        // second, not at its lease's end: look again soon.
                        at = at.min(later(now, TURN_RECHECK));
                    }
                    self.next_allowed.insert(key, at);
                    earliest = Some(earliest.map_or(at, |earliest| earliest.min(at)));
                }
            }
        }
        Ok(if progressed { None } else { earliest })
    }

    /// Tries one message whose channel's turn this sender holds, and ends
    /// the turn with what became of it.
    async fn send_one(
        &mut self,
        queued: &QueuedMessage,
        key: &str,
        report: &mut DeliveryReport,
    ) -> anyhow::Result<()> {
        let to = &queued.message.to;
        // Read before the turn was taken: another sender may have sent it,
        // and taking the turn may have put it in doubt.
        let Some(doubt_since_ms) = self.store.pending_doubt(queued.id).await? else {
            self.posted_parts.remove(&queued.id);
            self.store
                .end_channel_turn(to, &self.name, 0, None, None, TurnEnd::Nothing)
                .await?;
            return Ok(());
        };
        let tried_at_ms = self.clock.now().timestamp_millis();
        let now = self.clock.now().timestamp();
        // What the store knows is read here, where its failure is the
        // step's (not a Web API failure of the message's).
        let result = match (&queued.edits, doubt_since_ms) {
            (Some(original), _) => {
                let location = self.store.posted_location(original).await?;
                self.edit_in_place(queued, original, location).await
            }
            (None, Some(since)) => {
                let named = self.named_channel_id(&queued.message.to).await?;
                let root = self.thread_root(queued).await?;
                self.post_unless_in_slack(queued, since, named, root).await
            }
            (None, None) => {
                let root = self.thread_root(queued).await?;
                self.post_next_part(queued, root).await
            }
        };
        let first_post = self.first_posts.remove(&queued.id);
        // The wait starts when Slack answered, as Slack counts it.
        let answered = self.clock.now();
        let error_text = result.as_ref().err().map(ToString::to_string);
        let (wait, end) = match &result {
            Ok(posted @ (Posted::Whole | Posted::AlreadyThere | Posted::NothingToEdit)) => {
                report.sent += 1;
                if matches!(posted, Posted::AlreadyThere) {
                    report.found_in_slack += 1;
                    tracing::info!(
                        message = queued.idempotency_key,
                        "a message in doubt is already in Slack: marked sent, not posted again"
                    );
                }
                (
                    PACE,
                    TurnEnd::Delivered {
                        id: queued.id,
                        at: now,
                        posted: first_post
                            .as_ref()
                            .map(|(channel, ts)| (channel.as_str(), ts.as_str())),
                    },
                )
            }
            Ok(Posted::Part) => (PACE, TurnEnd::Continues),
            Err(ApiError::RateLimited(wait)) => {
                // Not the message's fault: no try is counted.
                report.retried += 1;
                ((*wait).min(LONGEST_RETRY_AFTER), TurnEnd::Waits)
            }
            Err(error) if error.is_transient() && queued.attempts + 1 < MOST_TRIES => {
                report.retried += 1;
                (
                    backoff(queued),
                    TurnEnd::Failed {
                        id: queued.id,
                        error: error_text.as_deref().unwrap_or_default(),
                        // No answer, or a server's failure: Slack may
                        // have posted it all the same.
                        doubt_since_ms: matches!(error, ApiError::Network(_) | ApiError::Server(_))
                            .then_some(tried_at_ms),
                    },
                )
            }
            Err(error) => {
                tracing::error!(message = queued.idempotency_key, %error, "giving up a message");
                self.posted_parts.remove(&queued.id);
                report.given_up += 1;
                (
                    Duration::ZERO,
                    TurnEnd::GivenUp {
                        id: queued.id,
                        error: error_text.as_deref().unwrap_or_default(),
                        at: now,
                        notice: self.failure_notice(queued, error),
                    },
                )
            }
        };
        let next = later(answered, wait);
        // Slack has some posts of a longer message that only this sender
        // knows of: it keeps the channel (past a Retry-After or a backoff
        // too), so that no other sender posts the message again from its
        // start.
        let keep_until = self
            .posted_parts
            .contains_key(&queued.id)
            .then(|| later(next, TURN_LEASE).timestamp_millis());
        let slack_id = match to {
            Recipient::Channel(name) => self.slack_ids.get(name).map(String::as_str),
            Recipient::User(_) => None,
        };
        self.store
            .end_channel_turn(
                to,
                &self.name,
                next.timestamp_millis(),
                keep_until,
                slack_id,
                end,
            )
            .await?;
        self.next_allowed.insert(key.to_owned(), next);
        Ok(())
    }

    /// Posts a message in doubt (Slack may have it, posted at or after
    /// `since_ms`) only if Slack does not have it: its posts are looked
    /// for by the key they carry, a minute before `since_ms` onwards (for
    /// clocks that disagree), and posting goes on after the last post
    /// Slack has. When the history cannot be read for good (the app lacks
    /// the history scopes, say), the message is posted again: delivery
    /// stays at least once.
    /// `named`: for a channel configured by name, its id if known
    /// (`named_channel_id`); history is read by id.
    /// `root`: for a reply, where its thread's first message was posted.
    async fn post_unless_in_slack(
        &mut self,
        queued: &QueuedMessage,
        since_ms: i64,
        named: Option<Option<String>>,
        root: Option<(String, String)>,
    ) -> Result<Posted, ApiError> {
        let channel = match (&root, named) {
            (Some((channel, _)), _) => channel.clone(),
            (None, Some(Some(channel))) => channel,
            (None, Some(None)) => {
                tracing::warn!(
                    message = queued.idempotency_key,
                    "the channel's Slack id is not known yet; a message in doubt is posted again"
                );
                return self.post_next_part(queued, root).await;
            }
            (None, None) => self.channel_of(&queued.message.to).await?,
        };
        let oldest = since_ms.saturating_sub(millis(DOUBT_MARGIN));
        let thread = root.as_ref().map(|(_, ts)| ts.as_str());
        match self
            .api
            .find_marked(&channel, &queued.idempotency_key, oldest, thread)
            .await
        {
            Ok(Some(found)) if found.posted >= found.parts => {
                // Kept with the message, so that a later edit finds it.
                self.first_posts
                    .insert(queued.id, (channel, found.first_ts));
                return Ok(Posted::AlreadyThere);
            }
            Ok(Some(found)) => {
                // What Slack has, or what this sender knows it posted,
                // whichever is more (a later post's answer may be the one
                // that was lost).
                let known = self.posted_parts.get(&queued.id).cloned();
                let done = known
                    .as_ref()
                    .map_or(found.posted, |(done, _)| (*done).max(found.posted));
                let thread = known
                    .and_then(|(_, thread)| thread)
                    .or(Some(found.thread_ts));
                self.posted_parts.insert(queued.id, (done, thread));
            }
            Ok(None) => {}
            Err(ApiError::Refused(code)) => tracing::warn!(
                message = queued.idempotency_key,
                code,
                "the channel's history cannot be read; a message in doubt is posted again"
            ),
            Err(error) => return Err(error),
        }
        self.post_next_part(queued, root).await
    }

    /// For a reply (`in_thread_of`), where its thread's first message was
    /// posted; `None` for a message of its own, or when that one was never
    /// posted where banso knows (given up, or posted by the console): the
    /// reply is then posted as a message of its own, never lost.
    async fn thread_root(
        &self,
        queued: &QueuedMessage,
    ) -> Result<Option<(String, String)>, crate::store::StoreError> {
        match &queued.in_thread_of {
            Some(key) => self.store.posted_location(key).await,
            None => Ok(None),
        }
    }

    /// A message that edits an earlier one (`original`, its key) in place:
    /// `chat.update` of where that one was posted, with this one's words
    /// and buttons. The original goes first (same recipient, older), so it
    /// is posted by now, unless it was given up or posted where banso kept
    /// no place (before migration 15, or by the console): then there is
    /// nothing to edit, and a new post would only repeat the notice.
    async fn edit_in_place(
        &mut self,
        queued: &QueuedMessage,
        original: &str,
        location: Option<(String, String)>,
    ) -> Result<Posted, ApiError> {
        let Some((channel, ts)) = location else {
            tracing::info!(
                message = queued.idempotency_key,
                original,
                "nothing to edit in place: the original was not posted where banso knows"
            );
            return Ok(Posted::NothingToEdit);
        };
        let written = self.texts.written(queued);
        self.api
            .update_message(
                &channel,
                &ts,
                &super::blocks::fallback_text(&written),
                &super::blocks::blocks(&written),
            )
            .await?;
        self.first_posts.insert(queued.id, (channel, ts));
        Ok(Posted::Whole)
    }

    /// For a channel configured by name (`#banso-team`), the id its posts
    /// showed (`Some(None)` before any); `None` for a recipient addressed
    /// by id or a DM, whose conversation id `channel_of` gives.
    async fn named_channel_id(
        &mut self,
        to: &Recipient,
    ) -> Result<Option<Option<String>>, crate::store::StoreError> {
        let Recipient::Channel(name) = to else {
            return Ok(None);
        };
        if !name.starts_with('#') {
            return Ok(None);
        }
        if let Some(id) = self.slack_ids.get(name) {
            return Ok(Some(Some(id.clone())));
        }
        let stored = self.store.channel_slack_id(to).await?;
        if let Some(id) = &stored {
            self.slack_ids.insert(name.clone(), id.clone());
        }
        Ok(Some(stored))
    }

    /// Posts the next post of a message: the whole of it, almost always; a
    /// text longer than one Slack message continues in further posts, one
    /// per pass, as replies in the thread of the first post, in order,
    /// nothing left out. A restart in between posts the message again from
    /// its start (delivery is at least once).
    /// A reply (`root`: where its thread's first message was posted) goes
    /// to that message's conversation, every post of it in that thread.
    async fn post_next_part(
        &mut self,
        queued: &QueuedMessage,
        root: Option<(String, String)>,
    ) -> Result<Posted, ApiError> {
        let (channel, root_ts) = match root {
            Some((channel, ts)) => (channel, Some(ts)),
            None => (self.channel_of(&queued.message.to).await?, None),
        };
        let posts = posts(&self.texts.written(queued));
        let (done, thread) = self
            .posted_parts
            .get(&queued.id)
            .cloned()
            .unwrap_or((0, None));
        let thread = thread.or(root_ts);
        let Some(post) = posts.get(done) else {
            self.posted_parts.remove(&queued.id);
            return Ok(Posted::Whole);
        };
        let mark = PostMark {
            key: &queued.idempotency_key,
            part: done + 1,
            parts: posts.len(),
        };
        let (posted_in, ts) = self
            .api
            .post_message(
                &channel,
                &post.text,
                &post.blocks,
                thread.as_deref(),
                Some(&mark),
            )
            .await?;
        if done == 0 && !ts.is_empty() {
            self.first_posts
                .insert(queued.id, (posted_in.clone(), ts.clone()));
        }
        if let Recipient::Channel(name) = &queued.message.to
            && name.starts_with('#')
            && !posted_in.is_empty()
        {
            self.slack_ids.insert(name.clone(), posted_in);
        }
        if done + 1 < posts.len() {
            // The first post's ts is the thread the others go under.
            let thread = thread.or_else(|| Some(ts).filter(|ts| !ts.is_empty()));
            self.posted_parts.insert(queued.id, (done + 1, thread));
            Ok(Posted::Part)
        } else {
            self.posted_parts.remove(&queued.id);
            Ok(Posted::Whole)
        }
    }

    /// The conversation a recipient's messages go to (a user's DM channel,
    /// opened once).
    async fn channel_of(&mut self, to: &Recipient) -> Result<String, ApiError> {
        Ok(match to {
            Recipient::Channel(channel) => channel.clone(),
            Recipient::User(user) => match self.dm_channels.get(user.as_str()) {
                Some(channel) => channel.clone(),
                None => {
                    let channel = self.api.open_dm(user.as_str()).await?;
                    self.dm_channels.insert(user.to_string(), channel.clone());
                    channel
                }
            },
        })
    }

    /// The team channel's notice of a message that could not be
    /// delivered (none if it was for the team channel itself), queued with
    /// the change that gives the message up.
    fn failure_notice(&self, queued: &QueuedMessage, error: &ApiError) -> Option<NewMessage> {
        if queued.message.to == Recipient::Channel(self.team_channel.clone()) {
            return None;
        }
        let (reason, code) = match error {
            ApiError::RateLimited(_) => ("rate_limited", String::new()),
            ApiError::Server(status) => ("server", status.to_string()),
            ApiError::Network(_) => ("network", String::new()),
            ApiError::Refused(code) => ("refused", code.clone()),
        };
        let text = self.texts.render(
            "chat/undeliverable",
            serde_json::json!({ "to": queued.message.to, "reason": reason, "code": code }),
        );
        Some(NewMessage {
            idempotency_key: format!("{}:undeliverable", queued.idempotency_key),
            message: Outgoing {
                to: Recipient::Channel(self.team_channel.clone()),
                text,
                buttons: Vec::new(),
            },
            deferred: None,
            edits: None,
            in_thread_of: None,
        })
    }
}

/// How much of a message one post delivered.
enum Posted {
    /// The message, or its last post: it is delivered.
    Whole,
    /// One of its posts; more follow.
    Part,
    /// Nothing posted: a message in doubt that Slack has whole.
    AlreadyThere,
    /// Nothing edited: the message to edit is nowhere banso knows.
    NothingToEdit,
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

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// `at` plus a wait; a wait too long to represent (a nonsensical
/// `Retry-After`) means "not before the end of time" rather than a panic.
fn later(at: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|wait| at.checked_add_signed(wait))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_too_long_to_represent_is_the_end_of_time_not_a_panic() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(later(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            later(now, Duration::from_secs(2)).timestamp(),
            1_700_000_002
        );
        assert!(later(now, LONGEST_RETRY_AFTER) < DateTime::<Utc>::MAX_UTC);
    }
}
