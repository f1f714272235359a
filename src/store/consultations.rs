//! Consultations, their event history and the quota counters. Every change
//! runs in one transaction with the counter update, the history entry and
//! the messages it causes (see `outbox`), so a crash leaves either all of it
//! or none.

use chrono::NaiveDate;
use sqlx::{Any, Transaction};

use super::outbox::{NewMessage, enqueue};
use super::{Store, StoreError};
use crate::domain::consultation::{Action, Category, Status};
use crate::domain::month::YearMonth;
use crate::domain::quota::{CountedRequest, QuotaPolicy};

/// A consultation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub id: i64,
    /// What staff read out on the phone: `YYMM-NNN` of the receipt month.
    pub short_id: String,
    pub requester: String,
    pub department: Option<String>,
    pub title: String,
    pub category: Category,
    pub details: String,
    pub desired_date: Option<NaiveDate>,
    pub status: Status,
    pub assignee: Option<String>,
    /// Epoch seconds.
    pub received_at: i64,
    pub received_month: YearMonth,
    pub quota_kind: String,
    /// The period whose quota it uses (`YYYY-MM` or `contract`); `None`
    /// while held or if it never counted.
    pub quota_bucket: Option<String>,
    /// Its position in that period's count when it started counting.
    pub quota_position: Option<i64>,
    pub exception: bool,
    pub decline_reason: Option<String>,
}

/// Takes the next slot of a period while under the limit: the first
/// request of a period creates the counter at 1; later ones add 1 only
/// while under `$3`, else the statement returns no row (the request is
/// held). One statement, shared by both write paths.
pub(super) const TAKE_SLOT_WITHIN_LIMIT: &str = "INSERT INTO quota_counters (kind, bucket, counted) VALUES ($1, $2, 1) \
     ON CONFLICT (kind, bucket) DO UPDATE SET counted = quota_counters.counted + 1 \
     WHERE quota_counters.counted < $3 RETURNING counted";

/// Inserts a new consultation. The department, if the bot did not know
/// it, is the one the person told banso; the short id's number is the next
/// in the receipt month, taken in the same statement. It cannot collide:
/// the counter row updated before it is locked until commit, and it covers
/// the receipt month.
pub(super) const INSERT_CONSULTATION: &str = "INSERT INTO consultations (short_id, month_seq, requester, department, title, category, details, \
             desired_date, status, intake_status, received_at, received_month, quota_kind, quota_bucket, \
             quota_position, exception, updated_at) \
             SELECT $1 || '-' || (CASE WHEN n < 10 THEN '00' WHEN n < 100 THEN '0' ELSE '' END) || CAST(n AS TEXT), \
             n, $2, COALESCE($3, (SELECT department FROM people WHERE user_id = $2)), $4, $5, $6, $7, \
             $8, $8, $9, $10, $11, $12, $13, 0, $9 \
             FROM (SELECT COALESCE(MAX(month_seq), 0) + 1 AS n FROM consultations WHERE received_month = $10) AS next \
             RETURNING id, department, short_id";

/// Claims one alert threshold of a period; inserts nothing if it was
/// claimed before, so each threshold alerts exactly once.
pub(super) const CLAIM_ALERT: &str = "INSERT INTO quota_alerts (kind, bucket, threshold, alerted_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (kind, bucket, threshold) DO NOTHING";

type EventRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[derive(sqlx::FromRow)]
pub(super) struct ConsultationRow {
    pub(super) id: i64,
    pub(super) short_id: String,
    pub(super) requester: String,
    pub(super) department: Option<String>,
    pub(super) title: String,
    pub(super) category: String,
    pub(super) details: String,
    pub(super) desired_date: Option<String>,
    pub(super) status: String,
    pub(super) assignee: Option<String>,
    pub(super) received_at: i64,
    pub(super) received_month: String,
    pub(super) quota_kind: String,
    pub(super) quota_bucket: Option<String>,
    pub(super) quota_position: Option<i64>,
    pub(super) exception: i64,
    pub(super) decline_reason: Option<String>,
}

pub(super) const CONSULTATION_COLUMNS: &str = "id, short_id, requester, department, title, category, details, desired_date, \
     status, assignee, received_at, received_month, quota_kind, quota_bucket, quota_position, exception, decline_reason";

impl TryFrom<ConsultationRow> for Consultation {
    type Error = StoreError;

    fn try_from(row: ConsultationRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("consultation {}: {what}", row.id));
        Ok(Self {
            category: Category::from_code(&row.category).ok_or_else(|| corrupt("category"))?,
            status: Status::from_code(&row.status).ok_or_else(|| corrupt("status"))?,
            received_month: row
                .received_month
                .parse()
                .map_err(|_| corrupt("received_month"))?,
            desired_date: match &row.desired_date {
                Some(date) => Some(date.parse().map_err(|_| corrupt("desired_date"))?),
                None => None,
            },
            id: row.id,
            short_id: row.short_id,
            requester: row.requester,
            department: row.department,
            title: row.title,
            details: row.details,
            assignee: row.assignee,
            received_at: row.received_at,
            quota_kind: row.quota_kind,
            quota_bucket: row.quota_bucket,
            quota_position: row.quota_position,
            exception: row.exception != 0,
            decline_reason: row.decline_reason,
        })
    }
}

/// What a user submitted, validated by the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationDraft {
    pub requester: String,
    pub department: Option<String>,
    pub title: String,
    pub category: Category,
    pub details: String,
    pub desired_date: Option<NaiveDate>,
}

/// Where and when a new consultation counts.
#[derive(Debug, Clone)]
pub struct IntakeTerms<'a> {
    pub quota_kind: &'a str,
    pub policy: &'a QuotaPolicy,
    /// The period it counts in if it fits: `YYYY-MM` or `contract`.
    pub bucket: String,
    pub received_at: i64,
    pub received_month: YearMonth,
}

/// What recording a consultation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub consultation: Consultation,
    /// The thresholds this request reached first (each alerts once).
    pub newly_alerted: Vec<u32>,
}

/// A state change to apply, decided by the domain rules.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub consultation_id: i64,
    pub from: Status,
    pub to: Status,
    pub action: Action,
    pub actor: &'a str,
    pub at: i64,
    pub assignee: Option<&'a str>,
    pub decline_reason: Option<&'a str>,
    pub quota: QuotaChange<'a>,
}

/// How a change moves the quota count.
#[derive(Debug, Clone)]
pub enum QuotaChange<'a> {
    None,
    /// Give back the slot it held.
    Release,
    /// Start counting in `bucket` regardless of the limit (a coordinator's
    /// decision), marked as an exception or not.
    Take {
        bucket: String,
        policy: &'a QuotaPolicy,
        exception: bool,
    },
}

/// What applying a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Done {
        consultation: Consultation,
        newly_alerted: Vec<u32>,
    },
    /// Someone changed it first; here is how it stands now.
    Conflict { current: Consultation },
}

/// One entry of a consultation's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: Option<String>,
}

/// Which consultations to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this requester's (what staff may see); `None` for everything
    /// (the team).
    pub visible_to: Option<String>,
    pub requester: Option<String>,
    pub open_only: bool,
    pub limit: i64,
}

impl Store {
    /// Records a new consultation: takes a quota slot if one is free (or
    /// holds it), gives it a short id, writes its history and queues the
    /// messages `messages` builds from the result — all in one transaction.
    ///
    /// On a SQLite file this goes through the intake writer, which commits
    /// the intakes that arrive together in one transaction (each in its own
    /// savepoint); the answer comes only after that commit.
    pub async fn record_consultation(
        &self,
        draft: &ConsultationDraft,
        terms: &IntakeTerms<'_>,
        messages: impl FnOnce(&Recorded) -> Vec<NewMessage> + Send + 'static,
    ) -> Result<Recorded, StoreError> {
        if let Some(writer) = &self.intake_writer {
            return writer.record(draft, terms, Box::new(messages)).await;
        }
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        // The first statement writes, so SQLite takes the write lock at once
        // and concurrent intakes queue behind it instead of failing.
        let position = take_slot_within_limit(
            &mut tx,
            terms.quota_kind,
            &terms.bucket,
            terms.policy.limit(),
        )
        .await?;
        let status = status_on_intake(position);
        // Creation is recorded in the row itself (`intake_status`,
        // `received_at`, `requester`); the history reads it from there.
        let (id, department, short_id): (i64, Option<String>, String) =
            sqlx::query_as(INSERT_CONSULTATION)
                .bind(short_id_prefix(terms.received_month))
                .bind(&draft.requester)
                .bind(&draft.department)
                .bind(&draft.title)
                .bind(draft.category.code())
                .bind(&draft.details)
                .bind(draft.desired_date.map(|date| date.to_string()))
                .bind(status.code())
                .bind(terms.received_at)
                .bind(terms.received_month.to_string())
                .bind(terms.quota_kind)
                .bind(position.map(|_| terms.bucket.clone()))
                .bind(position)
                .fetch_one(&mut *tx)
                .await?;
        let newly_alerted = match position {
            Some(position) => {
                claim_alerts(
                    &mut tx,
                    terms.quota_kind,
                    &terms.bucket,
                    terms.policy,
                    position,
                    terms.received_at,
                )
                .await?
            }
            None => Vec::new(),
        };
        let recorded = Recorded {
            consultation: as_written(draft, terms, (id, department, short_id), position),
            newly_alerted,
        };
        enqueue(&mut tx, &messages(&recorded), terms.received_at).await?;
        tx.commit().await?;
        Ok(recorded)
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
             decline_reason = COALESCE($3, decline_reason), updated_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(change.to.code())
        .bind(change.assignee)
        .bind(change.decline_reason)
        .bind(change.at)
        .bind(change.consultation_id)
        .bind(change.from.code())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            tx.rollback().await?;
            let current = self.consultation(change.consultation_id).await?;
            return Ok(Applied::Conflict { current });
        }
        let newly_alerted = apply_quota_change(&mut tx, change).await?;
        let detail = change
            .decline_reason
            .map(str::to_owned)
            .or_else(|| Some(change.action.code().to_owned()));
        let event_id = insert_event(
            &mut tx,
            change.consultation_id,
            change.at,
            change.actor,
            "transition",
            Some(change.from.code()),
            Some(change.to.code()),
            detail.as_deref(),
        )
        .await?;
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
        tx.commit().await?;
        Ok(())
    }

    pub async fn consultation(&self, id: i64) -> Result<Consultation, StoreError> {
        let row: ConsultationRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        row.try_into()
    }

    pub async fn consultation_by_short_id(
        &self,
        short_id: &str,
    ) -> Result<Option<Consultation>, StoreError> {
        let row: Option<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE short_id = $1"
        )))
        .bind(short_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(Consultation::try_from).transpose()
    }

    /// Newest first.
    pub async fn list_consultations(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<Consultation>, StoreError> {
        let viewer = filter.visible_to.clone();
        let rows: Vec<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations \
             WHERE ($1 IS NULL OR requester = $1) \
             AND ($2 IS NULL OR requester = $2) \
             AND ($3 = 0 OR status IN ('received', 'in_progress', 'answered', 'held')) \
             ORDER BY received_at DESC, id DESC LIMIT $4"
        )))
        .bind(viewer)
        .bind(&filter.requester)
        .bind(i64::from(filter.open_only))
        .bind(filter.limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Consultation::try_from).collect()
    }

    /// Every request of `quota_kind` received in, or counting in, the months
    /// `from..=to`: what a quota summary needs.
    pub async fn counted_requests(
        &self,
        quota_kind: &str,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<CountedRequest>, StoreError> {
        let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT status, received_month, quota_bucket, exception FROM consultations \
             WHERE quota_kind = $1 AND ((received_month >= $2 AND received_month <= $3) \
             OR (quota_bucket >= $2 AND quota_bucket <= $3))",
        )
        .bind(quota_kind)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(status, received, bucket, exception)| {
                let corrupt = || StoreError::Corrupt(format!("quota row {received}"));
                Ok(CountedRequest {
                    status: Status::from_code(&status).ok_or_else(corrupt)?,
                    received_in: received.parse().map_err(|_| corrupt())?,
                    counts_in: bucket.and_then(|bucket| bucket.parse().ok()),
                    exception: exception != 0,
                })
            })
            .collect()
    }

    /// The current count of a period, as the counters hold it.
    pub async fn quota_count(&self, quota_kind: &str, bucket: &str) -> Result<i64, StoreError> {
        let count: Option<i64> = sqlx::query_scalar(
            "SELECT counted FROM quota_counters WHERE kind = $1 AND bucket = $2",
        )
        .bind(quota_kind)
        .bind(bucket)
        .fetch_optional(self.pool())
        .await?;
        Ok(count.unwrap_or(0))
    }

    /// The history of a consultation, oldest first.
    pub async fn consultation_events(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<Event>, StoreError> {
        let created: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT received_at, requester, intake_status FROM consultations WHERE id = $1",
        )
        .bind(consultation_id)
        .fetch_optional(self.pool())
        .await?;
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT at, actor, kind, from_status, to_status, detail FROM consultation_events \
             WHERE consultation_id = $1 ORDER BY id",
        )
        .bind(consultation_id)
        .fetch_all(self.pool())
        .await?;
        let created = created.map(|(at, actor, status)| Event {
            at,
            actor,
            kind: "created".to_owned(),
            from_status: None,
            to_status: Some(status),
            detail: None,
        });
        Ok(created
            .into_iter()
            .chain(
                rows.into_iter()
                    .map(|(at, actor, kind, from_status, to_status, detail)| Event {
                        at,
                        actor,
                        kind,
                        from_status,
                        to_status,
                        detail,
                    }),
            )
            .collect())
    }
}

/// Takes the next slot of `bucket` if fewer than `limit` are taken; the
/// conditional increment is atomic on both backends, so exactly one of two
/// simultaneous requests can be the last one under the limit.
pub(super) async fn take_slot_within_limit(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    bucket: &str,
    limit: u32,
) -> Result<Option<i64>, StoreError> {
    // One upsert: the first request of a period creates the counter at 1;
    // later ones add 1 only while under the limit, else return no row.
    let position: Option<i64> = sqlx::query_scalar(TAKE_SLOT_WITHIN_LIMIT)
        .bind(kind)
        .bind(bucket)
        .bind(i64::from(limit))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(position)
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

/// Records each threshold `position` reached that was never alerted in
/// this period, and returns those: the caller alerts exactly these.
pub(super) async fn claim_alerts(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    bucket: &str,
    policy: &QuotaPolicy,
    position: i64,
    at: i64,
) -> Result<Vec<u32>, StoreError> {
    let mut claimed = Vec::new();
    for threshold in policy.thresholds_reached(u32::try_from(position).unwrap_or(u32::MAX)) {
        let inserted = sqlx::query(CLAIM_ALERT)
            .bind(kind)
            .bind(bucket)
            .bind(i64::from(threshold))
            .bind(at)
            .execute(&mut **tx)
            .await?;
        if inserted.rows_affected() == 1 {
            claimed.push(threshold);
        }
    }
    Ok(claimed)
}

async fn apply_quota_change(
    tx: &mut Transaction<'static, Any>,
    change: &Change<'_>,
) -> Result<Vec<u32>, StoreError> {
    match &change.quota {
        QuotaChange::None => Ok(Vec::new()),
        QuotaChange::Release => {
            sqlx::query(
                "UPDATE quota_counters SET counted = counted - 1 WHERE counted > 0 AND (kind, bucket) IN \
                 (SELECT quota_kind, quota_bucket FROM consultations WHERE id = $1 AND quota_bucket IS NOT NULL)",
            )
            .bind(change.consultation_id)
            .execute(&mut **tx)
            .await?;
            Ok(Vec::new())
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
            // Carried into a month that is already full, it counts over the
            // limit: mark it an exception like an approved one.
            let exception = *exception || position > i64::from(policy.limit());
            sqlx::query("UPDATE consultations SET quota_bucket = $1, quota_position = $2, exception = $3 WHERE id = $4")
                .bind(bucket)
                .bind(position)
                .bind(i64::from(exception))
                .bind(change.consultation_id)
                .execute(&mut **tx)
                .await?;
            claim_alerts(tx, &kind, bucket, policy, position, change.at).await
        }
    }
}

/// `YYMM` of `YYMM-NNN`: the receipt month, and a number within it,
/// short enough to read out on the phone.
/// Held when no slot was free, received otherwise.
pub(super) fn status_on_intake(position: Option<i64>) -> Status {
    if position.is_some() {
        Status::Received
    } else {
        Status::Held
    }
}

/// The consultation as an intake wrote it, built from what was written
/// rather than read back: one round trip less on the path every request
/// takes. `inserted` is what the insert returned: id, department, short id.
pub(super) fn as_written(
    draft: &ConsultationDraft,
    terms: &IntakeTerms<'_>,
    (id, department, short_id): (i64, Option<String>, String),
    position: Option<i64>,
) -> Consultation {
    Consultation {
        id,
        short_id,
        requester: draft.requester.clone(),
        department,
        title: draft.title.clone(),
        category: draft.category,
        details: draft.details.clone(),
        desired_date: draft.desired_date,
        status: status_on_intake(position),
        assignee: None,
        received_at: terms.received_at,
        received_month: terms.received_month,
        quota_kind: terms.quota_kind.to_owned(),
        quota_bucket: position.map(|_| terms.bucket.clone()),
        quota_position: position,
        exception: false,
        decline_reason: None,
    }
}

pub(super) fn short_id_prefix(month: YearMonth) -> String {
    format!("{:02}{:02}", month.year().rem_euclid(100), month.month())
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
