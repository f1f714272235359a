//! What operators watch of the database (`/metrics`), and the leases by
//! which one replica of several does a piece of work at a time.

use super::{Store, StoreError};

/// The database's figures, shared by every replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperationsFigures {
    /// Messages waiting to be sent (those being posted included).
    pub outbox_pending: i64,
    /// Channels whose turn a sender holds now.
    pub outbox_claimed: i64,
    pub outbox_given_up: i64,
    /// Age of the oldest waiting message; 0 when none waits.
    pub outbox_oldest_pending_seconds: i64,
    /// Scheduled jobs not yet run (claimed ones included).
    pub jobs_pending: i64,
    /// Jobs more than `JOB_LATE_SECONDS` past their time and not yet run.
    pub jobs_late: i64,
}

/// A job this far past its time has been missed by every scheduler's
/// poll: something is wrong.
const JOB_LATE_SECONDS: i64 = 60;

impl Store {
    /// The outbox's and the scheduler's figures at `now_ms`.
    pub async fn operations_figures(&self, now_ms: i64) -> Result<OperationsFigures, StoreError> {
        let now = now_ms.div_euclid(1000);
        let backlog = self.outbox_backlog().await?;
        let claimed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox_channels WHERE claimed_by IS NOT NULL AND lease_until_ms > $1",
        )
        .bind(now_ms)
        .fetch_one(self.pool())
        .await?;
        let (jobs_pending, jobs_late): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0) \
             FROM scheduled_jobs WHERE status IN ('pending', 'claimed')",
        )
        .bind(now - JOB_LATE_SECONDS)
        .fetch_one(self.pool())
        .await?;
        Ok(OperationsFigures {
            outbox_pending: backlog.pending,
            outbox_claimed: claimed,
            outbox_given_up: backlog.given_up,
            outbox_oldest_pending_seconds: backlog
                .oldest_queued_at
                .map_or(0, |queued| (now - queued).max(0)),
            jobs_pending,
            jobs_late,
        })
    }

    /// Takes or renews the lease `name` for `holder` until `now_ms +
    /// lease_ms`; false while another holder's lease runs.
    pub async fn take_singleton_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let taken: Option<(String,)> = sqlx::query_as(
            "INSERT INTO singleton_leases (name, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE singleton_leases.holder = excluded.holder OR singleton_leases.until_ms <= $4 \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(taken.is_some())
    }
}
