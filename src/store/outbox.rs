//! The durable outbox: every message a state change causes is written in the
//! same transaction as the change, then delivered by an adapter, which marks
//! it sent. A crash between the two delivers it late, never not at all; the
//! idempotency key keeps a retried change from queueing it twice.

use sqlx::{Any, Transaction};

use super::{Store, StoreError};
use crate::message::{Button, Outgoing, Recipient, UserId};

/// A message waiting in (or delivered from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    pub id: i64,
    pub idempotency_key: String,
    /// Its `text` is empty while `deferred` holds the words to render.
    pub message: Outgoing,
    pub deferred: Option<DeferredText>,
    pub attempts: i64,
    /// The idempotency key of the message this one edits in place
    /// (`chat.update`), if it is an edit.
    pub edits: Option<String>,
    /// The idempotency key of the message in whose thread this one is
    /// posted, if it is a reply.
    pub in_thread_of: Option<String>,
}

/// A message to queue, with the key that makes queueing it idempotent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub idempotency_key: String,
    pub message: Outgoing,
    /// Words rendered on delivery, in place of `message.text`.
    pub deferred: Option<DeferredText>,
    /// Instead of a new post, the message with this key is edited in
    /// place (where it was posted) to say what this one says.
    pub edits: Option<String>,
    /// Posted as a reply in the thread of the message with this key, where
    /// the platform has threads and that message was posted (else as a
    /// message of its own).
    pub in_thread_of: Option<String>,
}

impl NewMessage {
    /// A message with its key, to post as it is.
    pub fn new(idempotency_key: String, message: Outgoing) -> Self {
        Self {
            idempotency_key,
            message,
            deferred: None,
            edits: None,
            in_thread_of: None,
        }
    }

    /// This message as a reply in the thread of the message with `key`.
    pub fn in_thread_of(mut self, key: String) -> Self {
        self.in_thread_of = Some(key);
        self
    }
}

/// Words rendered when a message is delivered rather than when it is
/// queued: a template of `prompts/` and its context, as JSON. The intake
/// writer's transaction, which every new consultation waits for, then
/// renders nothing: rendering was half of its time (BENCHMARKS.md). The
/// context is what was true when the message was queued; the words are
/// those of the templates the delivering process has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredText {
    pub template: String,
    pub context: String,
}

/// Channels are stored with their leading `#` or as Slack ids (`C…`);
/// users as their id. `@` marks a user so the two never collide.
pub(super) fn encode_recipient(recipient: &Recipient) -> String {
    match recipient {
        Recipient::User(user) => format!("@{user}"),
        Recipient::Channel(channel) => channel.clone(),
    }
}

fn decode_recipient(stored: &str) -> Recipient {
    match stored.strip_prefix('@').map(UserId::parse) {
        Some(Ok(user)) => Recipient::User(user),
        _ => Recipient::Channel(stored.to_owned()),
    }
}

/// One outbox row (the intake writer's form of `enqueue`).
pub(super) const INSERT_OUTBOX_ROW: &str = "INSERT INTO outbox (idempotency_key, recipient, text, buttons, created_at, text_template, text_context) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING";

/// The columns of one outbox row, after `idempotency_key`.
const ROW_VALUES: usize = 9;

/// Queues messages inside the caller's transaction. A key already queued is
/// left as it is.
pub(crate) async fn enqueue(
    transaction: &mut Transaction<'static, Any>,
    messages: &[NewMessage],
    now: i64,
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    // One multi-row INSERT: a change usually causes two to four messages.
    let rows: Vec<String> = (0..messages.len())
        .map(|row| {
            let first = row * ROW_VALUES + 1;
            let placeholders: Vec<String> = (first..first + ROW_VALUES)
                .map(|n| format!("${n}"))
                .collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO outbox (idempotency_key, recipient, text, buttons, created_at, text_template, text_context, edits_key, thread_key) VALUES {} \
         ON CONFLICT (idempotency_key) DO NOTHING",
        rows.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for new in messages {
        let buttons = serde_json::to_string(&new.message.buttons).expect("buttons serialise");
        query = query
            .bind(new.idempotency_key.clone())
            .bind(encode_recipient(&new.message.to))
            .bind(new.message.text.clone())
            .bind(buttons)
            .bind(now)
            .bind(
                new.deferred
                    .as_ref()
                    .map(|deferred| deferred.template.clone()),
            )
            .bind(
                new.deferred
                    .as_ref()
                    .map(|deferred| deferred.context.clone()),
            )
            .bind(new.edits.clone())
            .bind(new.in_thread_of.clone());
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}

impl Store {
    /// Queues messages on their own (for changes with no other write).
    pub async fn enqueue_messages(
        &self,
        messages: &[NewMessage],
        now: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut transaction = self.pool().begin().await?;
        enqueue(&mut transaction, messages, now).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Unsent messages, oldest first.
    pub async fn pending_messages(&self, limit: i64) -> Result<Vec<QueuedMessage>, StoreError> {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, idempotency_key, recipient, text, buttons, attempts, text_template, text_context, edits_key, thread_key FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    idempotency_key,
                    recipient,
                    text,
                    buttons,
                    attempts,
                    template,
                    context,
                    edits,
                    in_thread_of,
                )| {
                    QueuedMessage {
                        id,
                        idempotency_key,
                        message: Outgoing {
                            to: decode_recipient(&recipient),
                            text,
                            buttons: serde_json::from_str::<Vec<Button>>(&buttons)
                                .unwrap_or_default(),
                        },
                        deferred: template.map(|template| DeferredText {
                            template,
                            context: context.unwrap_or_default(),
                        }),
                        attempts,
                        edits,
                        in_thread_of,
                    }
                },
            )
            .collect())
    }

    /// Where the message with `key` was posted (conversation id and
    /// `ts`), once it was, by the Slack sender.
    pub async fn posted_location(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT posted_channel, posted_ts FROM outbox WHERE idempotency_key = $1",
        )
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(channel, ts)| Some((channel?, ts?))))
    }

    /// Marks a message delivered. Returns false if it already was.
    pub async fn mark_message_sent(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let result = sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2 AND sent_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Records a Slack event id; false if it was seen before (a retry).
    pub async fn first_sight_of_event(&self, event_id: &str, now: i64) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let inserted = sqlx::query("INSERT INTO slack_events_seen (event_id, seen_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING")
            .bind(event_id)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// The outbox's backlog (for `/healthz`): messages waiting, when the
    /// oldest of them was queued (epoch seconds), and messages given up.
    pub async fn outbox_backlog(&self) -> Result<OutboxBacklog, StoreError> {
        let (pending, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(self.pool())
        .await?;
        let given_up: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(OutboxBacklog {
            pending,
            oldest_queued_at: oldest,
            given_up,
        })
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }
}

/// What is waiting in the outbox (`Store::outbox_backlog`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxBacklog {
    pub pending: i64,
    /// Epoch seconds; `None` when nothing waits.
    pub oldest_queued_at: Option<i64>,
    pub given_up: i64,
}

/// What `take_channel_turn` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelTurn {
    /// This sender holds the channel's turn until its lease ends.
    Taken,
    /// Not before this instant (epoch milliseconds): the channel's pace,
    /// a `Retry-After` or a backoff.
    NotBefore(i64),
    /// Another sender holds the turn, at the latest until `until` (its
    /// lease; it usually ends the turn long before).
    HeldElsewhere { until: i64, holder: String },
}

/// How a sender's turn at a channel ended, written in one transaction
/// with the channel's next allowed send and the turn's release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TurnEnd<'a> {
    /// Slack has the whole message: it is marked sent, with where it was
    /// posted (conversation id and `ts`) when known.
    Delivered {
        id: i64,
        at: i64,
        posted: Option<(&'a str, &'a str)>,
    },
    /// Slack has one post of a message that needs more (the caller keeps
    /// the turn, so the rest follows from this sender, in order).
    Continues,
    /// Slack asked to wait (429): no try is counted.
    Waits,
    /// A try failed and will be repeated after a backoff. With
    /// `doubt_since_ms` (when the try began), the failure says nothing of
    /// whether Slack posted it — the answer was lost — so the message is
    /// in doubt, and its next try looks for it in Slack first.
    Failed {
        id: i64,
        error: &'a str,
        doubt_since_ms: Option<i64>,
    },
    /// The last try failed: the message is given up, and the team's notice
    /// of it queued in the same transaction.
    GivenUp {
        id: i64,
        error: &'a str,
        at: i64,
        notice: Option<NewMessage>,
    },
    /// Nothing was tried: the message was sent by another sender in the
    /// meantime.
    Nothing,
}

/// Takes a channel's turn for `sender` (to post message `$6`) if its pace
/// allows a send at `now_ms` and no other sender holds an unexpired lease
/// on it; the first turn of a channel creates its row. One statement: on
/// PostgreSQL, of two senders racing for a channel the second waits for
/// the first's row and then finds it taken.
const TAKE_CHANNEL_TURN: &str = "INSERT INTO outbox_channels (recipient, next_allowed_ms, claimed_by, lease_until_ms, claimed_at_ms, claimed_for_id) \
     VALUES ($1, 0, $2, $3, $4, $5) ON CONFLICT (recipient) DO UPDATE \
     SET claimed_by = excluded.claimed_by, lease_until_ms = excluded.lease_until_ms, \
     claimed_at_ms = CASE WHEN outbox_channels.claimed_by = $2 THEN outbox_channels.claimed_at_ms ELSE $4 END, \
     claimed_for_id = excluded.claimed_for_id \
     WHERE outbox_channels.next_allowed_ms <= $4 AND (outbox_channels.claimed_by IS NULL \
     OR outbox_channels.claimed_by = $2 OR outbox_channels.lease_until_ms <= $4) \
     RETURNING recipient";

/// Before a turn is taken from a holder that did not end it (`$2` names
/// which holders: `lease` — any other whose lease has run out — or one
/// known to be gone, `$3`): the message that holder took the turn for is
/// in doubt since it took it. Slack may have it.
const MARK_PREDECESSORS_MESSAGE_IN_DOUBT: &str = "UPDATE outbox SET doubt_since_ms = COALESCE(doubt_since_ms, \
     (SELECT COALESCE(claimed_at_ms, lease_until_ms - $4) FROM outbox_channels WHERE recipient = $1)) \
     WHERE sent_at IS NULL AND failed_at IS NULL AND id = (SELECT claimed_for_id FROM outbox_channels \
     WHERE recipient = $1 AND claimed_by IS NOT NULL AND claimed_by <> $5 AND next_allowed_ms <= $6 \
     AND ((($2 = 'lease') AND lease_until_ms <= $6) OR claimed_by = $3))";

impl Store {
    /// Takes the turn of the channel `recipient` for `sender`, to post
    /// message `for_message`, until `now_ms + lease_ms`, or says when to
    /// try again. Taking it from a holder whose lease ran out puts the
    /// message that holder was posting in doubt (in the same transaction).
    pub async fn take_channel_turn(
        &self,
        recipient: &Recipient,
        sender: &str,
        for_message: i64,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<ChannelTurn, StoreError> {
        let recipient = encode_recipient(recipient);
        let _turn = self.write_turn().await;
        let mut transaction = self.pool().begin().await?;
        sqlx::query(MARK_PREDECESSORS_MESSAGE_IN_DOUBT)
            .bind(&recipient)
            .bind("lease")
            .bind("")
            .bind(lease_ms)
            .bind(sender)
            .bind(now_ms)
            .execute(&mut *transaction)
            .await?;
        let taken: Option<(String,)> = sqlx::query_as(TAKE_CHANNEL_TURN)
            .bind(&recipient)
            .bind(sender)
            .bind(now_ms.saturating_add(lease_ms))
            .bind(now_ms)
            .bind(for_message)
            .fetch_optional(&mut *transaction)
            .await?;
        if taken.is_some() {
            transaction.commit().await?;
            return Ok(ChannelTurn::Taken);
        }
        let (next_allowed, holder, lease_until): (i64, Option<String>, Option<i64>) =
            sqlx::query_as(
                "SELECT next_allowed_ms, claimed_by, lease_until_ms FROM outbox_channels WHERE recipient = $1",
            )
            .bind(&recipient)
            .fetch_one(&mut *transaction)
            .await?;
        // Nothing was taken, so nothing was marked either (the marking's
        // condition is the taking's).
        transaction.rollback().await?;
        Ok(match (holder, lease_until) {
            (Some(holder), Some(until)) if holder != sender && until > now_ms => {
                ChannelTurn::HeldElsewhere {
                    until: until.max(next_allowed),
                    holder,
                }
            }
            // A turn freed between the two statements is tried again at
            // once.
            _ => ChannelTurn::NotBefore(next_allowed.max(now_ms)),
        })
    }

    /// Takes the turn `gone` holds, whose lease has not ended but whose
    /// process is known to be gone (`sender::holder_is_gone`), if the
    /// channel's pace allows a send now; the message `gone` was posting
    /// is then in doubt since it took the turn. False if the turn is no
    /// longer `gone`'s or must wait.
    pub async fn take_turn_of_gone_sender(
        &self,
        recipient: &Recipient,
        gone: &str,
        sender: &str,
        for_message: i64,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let recipient = encode_recipient(recipient);
        let _turn = self.write_turn().await;
        let mut transaction = self.pool().begin().await?;
        sqlx::query(MARK_PREDECESSORS_MESSAGE_IN_DOUBT)
            .bind(&recipient)
            .bind("gone")
            .bind(gone)
            .bind(lease_ms)
            .bind(sender)
            .bind(now_ms)
            .execute(&mut *transaction)
            .await?;
        let taken = sqlx::query(
            "UPDATE outbox_channels SET claimed_by = $1, lease_until_ms = $2, claimed_at_ms = $3, claimed_for_id = $4 \
             WHERE recipient = $5 AND claimed_by = $6 AND next_allowed_ms <= $3",
        )
        .bind(sender)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(now_ms)
        .bind(for_message)
        .bind(&recipient)
        .bind(gone)
        .execute(&mut *transaction)
        .await?
        .rows_affected()
            == 1;
        if taken {
            transaction.commit().await?;
        } else {
            transaction.rollback().await?;
        }
        Ok(taken)
    }

    /// Whether a message is still waiting to be sent (another sender may
    /// have sent it since it was read), and if so since when it is in
    /// doubt, if it is: `None` if it is no longer waiting.
    pub async fn pending_doubt(&self, id: i64) -> Result<Option<Option<i64>>, StoreError> {
        let pending: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT doubt_since_ms FROM outbox WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(pending.map(|(doubt,)| doubt))
    }

    /// The channel's Slack id (`C…`), once a post to it has shown it: a
    /// channel configured by name is read back by id.
    pub async fn channel_slack_id(
        &self,
        recipient: &Recipient,
    ) -> Result<Option<String>, StoreError> {
        let id: Option<(Option<String>,)> =
            sqlx::query_as("SELECT slack_id FROM outbox_channels WHERE recipient = $1")
                .bind(encode_recipient(recipient))
                .fetch_optional(self.pool())
                .await?;
        Ok(id.and_then(|(id,)| id))
    }

    /// Frees every channel turn `sender` holds; how many it held. A turn
    /// still held at a stop is one kept for a message of several posts
    /// under way: that message is in doubt (the next sender looks for the
    /// posts Slack has before posting the rest).
    pub async fn release_channel_turns(&self, sender: &str) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let mut transaction = self.pool().begin().await?;
        sqlx::query(
            "UPDATE outbox SET doubt_since_ms = COALESCE(doubt_since_ms, \
             (SELECT MIN(claimed_at_ms) FROM outbox_channels WHERE claimed_by = $1 AND claimed_for_id = outbox.id)) \
             WHERE sent_at IS NULL AND failed_at IS NULL \
             AND id IN (SELECT claimed_for_id FROM outbox_channels WHERE claimed_by = $1)",
        )
        .bind(sender)
        .execute(&mut *transaction)
        .await?;
        let released = sqlx::query(
            "UPDATE outbox_channels SET claimed_by = NULL, lease_until_ms = NULL WHERE claimed_by = $1",
        )
        .bind(sender)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(released.rows_affected())
    }

    /// Ends `sender`'s turn at `recipient`: records what became of the
    /// message, sets when the channel may next be posted to (never
    /// earlier than it was), records the channel's Slack id if a post
    /// showed it, and frees the turn — or, with `keep_until_ms` (a
    /// message of several posts under way, whose posts Slack has only
    /// this sender knows), keeps it until then. If the lease was lost
    /// meanwhile, the channel's row is another sender's and is left as it
    /// is; the message's own change is still recorded (Slack has what it
    /// has).
    pub async fn end_channel_turn(
        &self,
        recipient: &Recipient,
        sender: &str,
        next_allowed_ms: i64,
        keep_until_ms: Option<i64>,
        slack_id: Option<&str>,
        end: TurnEnd<'_>,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut transaction = self.pool().begin().await?;
        match &end {
            TurnEnd::Delivered { id, at, posted } => {
                sqlx::query(
                    "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, posted_channel = $2, posted_ts = $3 \
                     WHERE id = $4 AND sent_at IS NULL",
                )
                .bind(at)
                .bind(posted.map(|(channel, _)| channel))
                .bind(posted.map(|(_, ts)| ts))
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            }
            TurnEnd::Failed {
                id,
                error,
                doubt_since_ms,
            } => {
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, \
                     doubt_since_ms = COALESCE(doubt_since_ms, $2) \
                     WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(*error)
                .bind(*doubt_since_ms)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            }
            TurnEnd::GivenUp {
                id,
                error,
                at,
                notice,
            } => {
                // Another sender may have delivered it after this one's
                // lease ran out: then it is neither given up nor told.
                let given_up = sqlx::query("UPDATE outbox SET failed_at = $1, last_error = $2 WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL")
                    .bind(at)
                    .bind(*error)
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?
                    .rows_affected();
                if let (1, Some(notice)) = (given_up, notice) {
                    enqueue(&mut transaction, std::slice::from_ref(notice), *at).await?;
                }
            }
            TurnEnd::Continues | TurnEnd::Waits | TurnEnd::Nothing => {}
        }
        sqlx::query(
            "UPDATE outbox_channels SET \
             next_allowed_ms = CASE WHEN $1 > next_allowed_ms THEN $1 ELSE next_allowed_ms END, \
             claimed_by = CASE WHEN $2 = 1 THEN claimed_by ELSE NULL END, \
             lease_until_ms = CASE WHEN $2 = 1 THEN $5 ELSE NULL END, \
             slack_id = COALESCE($6, slack_id) \
             WHERE recipient = $3 AND claimed_by = $4",
        )
        .bind(next_allowed_ms)
        .bind(i64::from(keep_until_ms.is_some()))
        .bind(encode_recipient(recipient))
        .bind(sender)
        .bind(keep_until_ms.unwrap_or(0))
        .bind(slack_id)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_round_trip_through_their_stored_form() {
        let user = Recipient::User(UserId::parse("leader").unwrap());
        let channel = Recipient::Channel("#banso-team".into());
        let slack_channel = Recipient::Channel("C0123".into());
        for recipient in [user, channel, slack_channel] {
            assert_eq!(decode_recipient(&encode_recipient(&recipient)), recipient);
        }
    }
}
