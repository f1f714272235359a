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
}

/// A message to queue, with the key that makes queueing it idempotent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub idempotency_key: String,
    pub message: Outgoing,
    /// Words rendered on delivery, in place of `message.text`.
    pub deferred: Option<DeferredText>,
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
const ROW_VALUES: usize = 7;

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
        "INSERT INTO outbox (idempotency_key, recipient, text, buttons, created_at, text_template, text_context) VALUES {} \
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
            );
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
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, idempotency_key, recipient, text, buttons, attempts, text_template, text_context FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, idempotency_key, recipient, text, buttons, attempts, template, context)| {
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
                    }
                },
            )
            .collect())
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

    /// Gives a message up after its last attempt; it is kept, not sent.
    pub async fn mark_message_given_up(
        &self,
        id: i64,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE outbox SET failed_at = $1, last_error = $2 WHERE id = $3")
            .bind(now)
            .bind(error)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
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

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    /// Records a failed delivery attempt.
    pub async fn mark_message_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(id)
            .execute(self.pool())
            .await?;
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
