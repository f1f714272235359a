//! The replay guard's memory: a signed Slack request is claimed by its
//! signature before it has any effect, and only the first claim wins, so
//! the same request sent again within its five-minute window does nothing
//! — after a restart, and on another replica of the same database, too.
//!
//! A claim is one statement. On a SQLite file it rides in the intake
//! writer's next group commit (`intake`), beside the consultations waiting
//! there, instead of paying a transaction of its own in front of them;
//! elsewhere it is one autocommitted statement (PostgreSQL takes
//! concurrent writers as they come).

use super::{Store, StoreError};

/// A signed request's claim: its signature and when it was sent (epoch
/// seconds). A new consultation takes its request's claim in its own
/// transaction (`IntakeTerms::replay_claim`): the claim and the
/// consultation are committed together or not at all, in one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayClaim {
    pub signature: String,
    pub sent_at: i64,
}

/// Claims a signature; inserts nothing if it was claimed before. The
/// primary key makes exactly one of two simultaneous claims win, on both
/// backends: the signature on PostgreSQL; on SQLite the timestamp and the
/// signature, one B-tree in the order requests were sent (migration 10).
/// A replay repeats both, and a changed timestamp fails the signature.
pub(in crate::store) const CLAIM_SIGNED_REQUEST: &str = "INSERT INTO slack_request_claims (signature, sent_at) VALUES ($1, $2) \
     ON CONFLICT DO NOTHING";

impl Store {
    /// Claims the signed request `signature` (sent at `sent_at`, epoch
    /// seconds): true the first time, false for a replay. Committed before
    /// it returns, so the caller may act on it.
    pub async fn claim_signed_request(
        &self,
        signature: &str,
        sent_at: i64,
    ) -> Result<bool, StoreError> {
        if let Some(writer) = &self.intake_writer {
            return writer.claim(signature, sent_at).await;
        }
        let _turn = self.write_turn().await;
        let inserted = sqlx::query(CLAIM_SIGNED_REQUEST)
            .bind(signature)
            .bind(sent_at)
            .execute(self.pool())
            .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Forgets the claims of requests sent before `sent_before`: a replay
    /// of them is refused by its stale timestamp already. Returns how many.
    pub async fn forget_signed_requests_before(&self, sent_before: i64) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let deleted = sqlx::query("DELETE FROM slack_request_claims WHERE sent_at < $1")
            .bind(sent_before)
            .execute(self.pool())
            .await?;
        Ok(deleted.rows_affected())
    }
}
