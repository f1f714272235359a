//! The durable jobs table: every planned reminder occurrence with its due
//! time and an idempotency key. A job is claimed with a lease, and finished
//! in one transaction with the messages it sends (see `outbox`), so a crash
//! at any point neither loses a reminder nor sends it twice: an expired
//! lease is claimed again, and a finish whose lease was lost is refused.

use super::outbox::{NewMessage, enqueue};
use super::{Backend, Store, StoreError};

/// One reminder the plan wants at `due_at` (epoch seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedJob {
    pub idempotency_key: String,
    pub kind: String,
    pub meeting_key: String,
    pub meeting_starts_at: i64,
    pub due_at: i64,
}

/// A job a scheduler holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: i64,
    pub idempotency_key: String,
    pub kind: String,
    pub meeting_key: String,
    pub meeting_starts_at: i64,
    pub due_at: i64,
    pub attempts: i64,
}

impl ClaimedJob {
    /// The job's messages, keyed `<job>><recipient>`: a job says one thing
    /// to each recipient, so a retried job queues nothing twice.
    pub fn keyed(&self, messages: Vec<crate::message::Outgoing>) -> Vec<NewMessage> {
        messages
            .into_iter()
            .map(|message| NewMessage {
                idempotency_key: format!("{}>{}", self.idempotency_key, message.to),
                message,
                deferred: None,
                edits: None,
                in_thread_of: None,
            })
            .collect()
    }
}

/// A job as stored, for listings and tests.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRecord {
    pub idempotency_key: String,
    pub kind: String,
    pub meeting_key: String,
    pub due_at: i64,
    pub status: String,
    pub attempts: i64,
}

/// How a claimed job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// Its messages are in the outbox.
    Sent,
    /// Not sent, on purpose (its meeting has passed, or nothing was left
    /// to say); recorded so it is never tried again.
    Skipped,
    /// Not sent yet: due again at `until` (epoch seconds), for a catch-up
    /// that would otherwise speak on a closed day.
    Postponed { until: i64 },
}

/// What a re-plan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub planned: usize,
    pub cancelled: u64,
}

/// Claims the most overdue pending job. Each of the two claim statements
/// reads one index range (`status, due_at` or `status, lease_until`), so a
/// wake-up costs the same with ten or ten thousand jobs waiting.
const CLAIM_PENDING: &str = "UPDATE scheduled_jobs SET status = 'claimed', lease_until = $1, claimed_by = $2, \
     attempts = attempts + 1 WHERE id = (SELECT id FROM scheduled_jobs WHERE status = 'pending' AND due_at <= $3 \
     ORDER BY due_at, id LIMIT 1{lock}) AND status = 'pending' \
     RETURNING id, idempotency_key, kind, meeting_key, meeting_starts_at, due_at, attempts";

/// Claims a job whose holder's lease ran out (a crashed scheduler).
const CLAIM_EXPIRED: &str = "UPDATE scheduled_jobs SET status = 'claimed', lease_until = $1, claimed_by = $2, \
     attempts = attempts + 1 WHERE id = (SELECT id FROM scheduled_jobs WHERE status = 'claimed' AND lease_until <= $3 \
     ORDER BY lease_until, id LIMIT 1{lock}) AND status = 'claimed' AND lease_until <= $3 \
     RETURNING id, idempotency_key, kind, meeting_key, meeting_starts_at, due_at, attempts";

// Two banso processes on one PostgreSQL: SKIP LOCKED lets each take a
// different job, and the repeated condition makes a job that another
// process took in between invisible rather than taken twice. SQLite has
// one writer at a time and needs neither.
fn claim_sql(template: &str, backend: Backend) -> String {
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    template.replace("{lock}", lock)
}

/// Adds jobs planned outside the meeting plan (a consultation's targets)
/// inside the caller's transaction; a key already there is left as it is.
pub(super) async fn add_jobs(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    jobs: &[PlannedJob],
) -> Result<(), StoreError> {
    for job in jobs {
        sqlx::query(
            "INSERT INTO scheduled_jobs (idempotency_key, kind, meeting_key, meeting_starts_at, due_at, status) \
             VALUES ($1, $2, $3, $4, $5, 'pending') ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&job.idempotency_key)
        .bind(&job.kind)
        .bind(&job.meeting_key)
        .bind(job.meeting_starts_at)
        .bind(job.due_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Makes the table match the plan: new reminders are added, a changed
    /// time is taken over by a job not yet done, and a job not yet done
    /// whose reminder is no longer planned (a moved or cancelled meeting)
    /// is cancelled, so nothing is sent for a plan that no longer exists.
    /// A reminder first planned when its time has already passed (banso's
    /// first start mid-year, a meeting moved to tomorrow) is recorded as
    /// skipped: it was never missed, only planned too late. One that was
    /// pending through downtime stays pending, for the late catch-up. A
    /// cancelled one planned again (a meeting moved back) comes back.
    pub async fn sync_jobs(&self, plan: &[PlannedJob], now: i64) -> Result<SyncReport, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        for job in plan {
            sqlx::query(
                "INSERT INTO scheduled_jobs (idempotency_key, kind, meeting_key, meeting_starts_at, due_at, status) \
                 VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 < $6 THEN 'skipped' ELSE 'pending' END) \
                 ON CONFLICT (idempotency_key) DO UPDATE \
                 SET due_at = excluded.due_at, meeting_starts_at = excluded.meeting_starts_at, \
                 status = CASE WHEN scheduled_jobs.status = 'pending' THEN 'pending' \
                 WHEN excluded.due_at < $6 THEN 'skipped' ELSE 'pending' END \
                 WHERE scheduled_jobs.status IN ('pending', 'cancelled')",
            )
            .bind(&job.idempotency_key)
            .bind(&job.kind)
            .bind(&job.meeting_key)
            .bind(job.meeting_starts_at)
            .bind(job.due_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let open: Vec<(String,)> = sqlx::query_as(
            // A consultation's target jobs are planned with it, not by
            // the meeting plan, which leaves them alone.
            "SELECT idempotency_key FROM scheduled_jobs WHERE status IN ('pending', 'claimed') \
             AND kind NOT LIKE 'consult\\_%' ESCAPE '\\'",
        )
        .fetch_all(&mut *tx)
        .await?;
        let planned: std::collections::HashSet<&str> = plan
            .iter()
            .map(|job| job.idempotency_key.as_str())
            .collect();
        let mut cancelled = 0;
        for (key,) in open.iter().filter(|(key,)| !planned.contains(key.as_str())) {
            cancelled += sqlx::query(
                "UPDATE scheduled_jobs SET status = 'cancelled' WHERE idempotency_key = $1 AND status IN ('pending', 'claimed')",
            )
            .bind(key)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(SyncReport {
            planned: plan.len(),
            cancelled,
        })
    }

    /// Claims the most overdue job due by `now` (or one whose lease ran
    /// out), for `lease_seconds`.
    pub async fn claim_due_job(
        &self,
        worker: &str,
        now: i64,
        lease_seconds: i64,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        let _turn = self.write_turn().await;
        for template in [CLAIM_PENDING, CLAIM_EXPIRED] {
            let claimed: Option<ClaimedJob> =
                sqlx::query_as(sqlx::AssertSqlSafe(claim_sql(template, self.backend())))
                    .bind(now + lease_seconds)
                    .bind(worker)
                    .bind(now)
                    .fetch_optional(self.pool())
                    .await?;
            if claimed.is_some() {
                return Ok(claimed);
            }
        }
        Ok(None)
    }

    /// Finishes a claimed job and queues its messages, in one transaction.
    /// Returns false, queueing nothing, if the lease was lost meanwhile (it
    /// expired and another scheduler took the job, or a re-plan cancelled it).
    pub async fn finish_job(
        &self,
        job: &ClaimedJob,
        worker: &str,
        outcome: JobOutcome,
        messages: &[NewMessage],
        now: i64,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let (status, due_at, finished_at) = match outcome {
            JobOutcome::Sent => ("done", job.due_at, Some(now)),
            JobOutcome::Skipped => ("skipped", job.due_at, Some(now)),
            JobOutcome::Postponed { until } => ("pending", until, None),
        };
        let mut tx = self.pool().begin().await?;
        let finished = sqlx::query(
            // A postponement is no failed try: its claim is not counted.
            "UPDATE scheduled_jobs SET status = $1, finished_at = $2, due_at = $6, lease_until = NULL, \
             attempts = CASE WHEN $1 = 'pending' THEN attempts - 1 ELSE attempts END \
             WHERE id = $3 AND status = 'claimed' AND claimed_by = $4 AND attempts = $5",
        )
        .bind(status)
        .bind(finished_at)
        .bind(job.id)
        .bind(worker)
        .bind(job.attempts)
        .bind(due_at)
        .execute(&mut *tx)
        .await?;
        if finished.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        enqueue(&mut tx, messages, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// When the next job becomes due (or a lease runs out), if any.
    pub async fn next_job_due_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(next) FROM (SELECT MIN(due_at) AS next FROM scheduled_jobs WHERE status = 'pending' \
             UNION ALL SELECT MIN(lease_until) FROM scheduled_jobs WHERE status = 'claimed') AS candidates",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Every job, in due order.
    pub async fn jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT idempotency_key, kind, meeting_key, due_at, status, attempts FROM scheduled_jobs ORDER BY due_at, id",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
