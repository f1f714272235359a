//! The changes after intake: a transition with its quota effect and
//! history entry, or a history entry alone.

use sqlx::{Any, Transaction};

use super::{
    Applied, CONSULTATION_COLUMNS, Change, Consultation, ConsultationRow, QuotaChange, claim_alerts,
};
use crate::domain::consultation::{Action, Status};
use crate::store::outbox::{NewMessage, enqueue};
use crate::store::{Store, StoreError};

impl Store {
    /// As `set_department`, and queues, in the same transaction, the
    /// messages `notices` makes of the consultations whose department it
    /// filled in (as they now stand): their team notices, edited in place.
    pub async fn set_department_telling(
        &self,
        user_id: &str,
        department: &str,
        now: i64,
        notices: impl FnOnce(&[Consultation]) -> Vec<NewMessage>,
    ) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO people (user_id, department, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET department = excluded.department, department_source = NULL, \
             updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(department)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The rows the UPDATE filled, and only those (a consultation
        // committed meanwhile is either filled and told, or neither).
        let mut ids: Vec<(i64,)> = sqlx::query_as(
            "UPDATE consultations SET department = $1 WHERE requester = $2 AND department IS NULL RETURNING id",
        )
        .bind(department)
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        ids.sort_unstable();
        let filled = u64::try_from(ids.len()).unwrap_or(u64::MAX);
        let mut consultations = Vec::with_capacity(ids.len());
        for (id,) in ids {
            consultations.push(fetch_in(&mut tx, id).await?);
        }
        let messages = notices(&consultations);
        enqueue(&mut tx, &messages, now).await?;
        tx.commit().await?;
        Ok(filled)
    }

    /// Applies a change if the consultation is still in `change.from`.
    pub async fn apply_change(
        &self,
        change: &Change<'_>,
        messages: impl FnOnce(&Consultation, &[u32], i64) -> Vec<NewMessage>,
    ) -> Result<Applied, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE consultations SET status = $1, assignee = COALESCE($2, assignee), \
             decline_reason = COALESCE($3, decline_reason), updated_at = $4 \
             WHERE id = $5 AND status = $6 AND COALESCE(held_month, '') = $7",
        )
        .bind(change.to.code())
        .bind(change.assignee)
        .bind(change.decline_reason)
        .bind(change.at)
        .bind(change.consultation_id)
        .bind(change.from.code())
        .bind(change.held_month.clone().unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            tx.rollback().await?;
            let current = self.consultation(change.consultation_id).await?;
            return Ok(Applied::Conflict { current });
        }
        let quota = apply_quota_change(&mut tx, change).await?;
        let newly_alerted = quota.alerted;
        let detail = quota
            .held_over
            .clone()
            .or_else(|| change.decline_reason.or(change.words).map(str::to_owned))
            .or_else(|| Some(change.action.code().to_owned()));
        let (kind, to) = match (&quota.held_over, change.words, change.action) {
            (Some(_), _, _) => (HELD_OVER, Status::Held),
            (None, Some(_), Action::Answer) => ("answer", change.to),
            (None, Some(_), Action::Reopen) => ("followup", change.to),
            (None, _, _) => ("transition", change.to),
        };
        let event_id = insert_event(
            &mut tx,
            change.consultation_id,
            change.at,
            change.actor,
            kind,
            Some(change.from.code()),
            Some(to.code()),
            detail.as_deref(),
        )
        .await?;
        if quota.held_over.is_none() {
            crate::store::jobs::add_jobs(&mut tx, &change.jobs).await?;
        }
        if change.words.is_some() {
            // Its answers and follow-ups are searched with it.
            super::search::reindex_in(&mut tx, self.backend(), change.consultation_id, change.at)
                .await?;
        }
        let consultation = fetch_in(&mut tx, change.consultation_id).await?;
        enqueue(
            &mut tx,
            &messages(&consultation, &newly_alerted, event_id),
            change.at,
        )
        .await?;
        tx.commit().await?;
        Ok(Applied::Done {
            consultation,
            newly_alerted,
        })
    }

    /// Records something that changed nothing but must be in the history:
    /// a read by someone other than the requester, or a refused action.
    pub async fn record_event(
        &self,
        consultation_id: i64,
        at: i64,
        actor: &str,
        kind: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.record_event_telling(consultation_id, at, actor, kind, detail, &[])
            .await
    }

    /// As `record_event`, with the messages the entry causes queued in its
    /// transaction.
    pub async fn record_event_telling(
        &self,
        consultation_id: i64,
        at: i64,
        actor: &str,
        kind: &str,
        detail: Option<&str>,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        insert_event(
            &mut tx,
            consultation_id,
            at,
            actor,
            kind,
            None,
            None,
            detail,
        )
        .await?;
        enqueue(&mut tx, messages, at).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn take_slot_regardless(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    bucket: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quota_counters (kind, bucket, counted) VALUES ($1, $2, 1) \
         ON CONFLICT (kind, bucket) DO UPDATE SET counted = quota_counters.counted + 1 RETURNING counted",
    )
    .bind(kind)
    .bind(bucket)
    .fetch_one(&mut **tx)
    .await?)
}

/// The history entry of a carry-over into a month already at its limit:
/// the consultation stays 保留（上限超過）, waiting in that month (its
/// detail) for the next decision.
pub const HELD_OVER: &str = "held_over";

/// What a change did to the quota.
struct QuotaOutcome {
    /// The thresholds reached first.
    alerted: Vec<u32>,
    /// A carry-over into a full month: the month it now waits in, held.
    held_over: Option<String>,
}

impl QuotaOutcome {
    fn plain(alerted: Vec<u32>) -> Self {
        Self {
            alerted,
            held_over: None,
        }
    }
}

async fn apply_quota_change(
    tx: &mut Transaction<'static, Any>,
    change: &Change<'_>,
) -> Result<QuotaOutcome, StoreError> {
    match &change.quota {
        QuotaChange::None => Ok(QuotaOutcome::plain(Vec::new())),
        QuotaChange::Release => {
            sqlx::query(
                "UPDATE quota_counters SET counted = counted - 1 WHERE counted > 0 AND (kind, bucket) IN \
                 (SELECT quota_kind, quota_bucket FROM consultations WHERE id = $1 AND quota_bucket IS NOT NULL)",
            )
            .bind(change.consultation_id)
            .execute(&mut **tx)
            .await?;
            Ok(QuotaOutcome::plain(Vec::new()))
        }
        QuotaChange::Take {
            bucket,
            policy,
            exception,
        } => {
            let kind: String =
                sqlx::query_scalar("SELECT quota_kind FROM consultations WHERE id = $1")
                    .bind(change.consultation_id)
                    .fetch_one(&mut **tx)
                    .await?;
            let position = take_slot_regardless(tx, &kind, bucket).await?;
            let over = position > i64::from(policy.limit());
            // Carried into a month that is already full, it is not counted
            // over the limit unseen: it stays held, in that month, for a
            // coordinator to decide again (the leader is told). Decided
            // here, in the transaction that holds the month's counter, so
            // no carry-over slips past a full month.
            if over && !*exception && bucket.parse::<crate::domain::month::YearMonth>().is_ok() {
                sqlx::query(
                    "UPDATE quota_counters SET counted = counted - 1 WHERE kind = $1 AND bucket = $2",
                )
                .bind(&kind)
                .bind(bucket)
                .execute(&mut **tx)
                .await?;
                sqlx::query("UPDATE consultations SET status = $1, held_month = $2 WHERE id = $3")
                    .bind(Status::Held.code())
                    .bind(bucket)
                    .bind(change.consultation_id)
                    .execute(&mut **tx)
                    .await?;
                return Ok(QuotaOutcome {
                    alerted: Vec::new(),
                    held_over: Some(bucket.clone()),
                });
            }
            // A contract-wide period has no next month to wait in: over
            // the limit, it counts as an exception.
            let exception = *exception || over;
            sqlx::query("UPDATE consultations SET quota_bucket = $1, quota_position = $2, exception = $3, held_month = NULL WHERE id = $4")
                .bind(bucket)
                .bind(position)
                .bind(i64::from(exception))
                .bind(change.consultation_id)
                .execute(&mut **tx)
                .await?;
            Ok(QuotaOutcome::plain(
                claim_alerts(tx, &kind, bucket, policy, position, change.at).await?,
            ))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut Transaction<'static, Any>,
    consultation_id: i64,
    at: i64,
    actor: &str,
    kind: &str,
    from_status: Option<&str>,
    to_status: Option<&str>,
    detail: Option<&str>,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO consultation_events (consultation_id, at, actor, kind, from_status, to_status, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(consultation_id)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(from_status)
    .bind(to_status)
    .bind(detail)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

async fn fetch_in(tx: &mut Transaction<'static, Any>, id: i64) -> Result<Consultation, StoreError> {
    let row: ConsultationRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    row.try_into()
}
