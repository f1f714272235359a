//! The end of the contract (仕様書 11: 返還し、又は廃棄): everything stored
//! is destroyed, but only after an export of everything newer than the
//! last change. The export history stays, as the record that the data was
//! handed back.

use super::{Store, StoreError};

/// Every table of stored data, children before parents. `exports` (the
/// history of exports) and `_sqlx_migrations` are kept.
const DATA_TABLES: [&str; 13] = [
    "consultation_events",
    "consultations",
    "quota_alerts",
    "quota_counters",
    "outbox",
    "conversations",
    "slack_events_seen",
    "people",
    "deliverable_submissions",
    "meeting_adjustments",
    "scheduled_jobs",
    "kadai_items",
    "work_items",
];

impl Store {
    /// When anything a person entered last changed (epoch seconds), if
    /// anything is stored.
    pub async fn last_change_at(&self) -> Result<Option<i64>, StoreError> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(at) FROM ( \
             SELECT MAX(updated_at) AS at FROM consultations \
             UNION ALL SELECT MAX(at) FROM consultation_events \
             UNION ALL SELECT MAX(updated_at) FROM people \
             UNION ALL SELECT MAX(updated_at) FROM kadai_items \
             UNION ALL SELECT MAX(recorded_at) FROM work_items \
             UNION ALL SELECT MAX(created_at) FROM meeting_adjustments \
             UNION ALL SELECT MAX(submitted_at) FROM deliverable_submissions) AS changes",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(at)
    }

    /// When an export of `kind` was last written, if ever.
    pub async fn last_export_at(&self, kind: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(exported_at) FROM exports WHERE kind = $1")
                .bind(kind)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// How many rows each data table holds.
    pub async fn stored_rows(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut counts = Vec::new();
        for table in DATA_TABLES {
            let count: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(self.pool())
                    .await?;
            counts.push((table, count));
        }
        Ok(counts)
    }

    /// Deletes every row of every data table in one transaction and
    /// returns how many each held.
    pub async fn purge_all(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let mut removed = Vec::new();
        for table in DATA_TABLES {
            let result = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await?;
            removed.push((table, result.rows_affected()));
        }
        tx.commit().await?;
        if self.backend() == super::Backend::Sqlite {
            // Deleted pages are overwritten, not just unlinked.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(self.pool())
                .await;
            let _ = sqlx::query("VACUUM").execute(self.pool()).await;
        }
        Ok(removed)
    }
}
