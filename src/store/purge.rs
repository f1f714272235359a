//! The end of the contract (仕様書 11: 返還し、又は廃棄): everything stored
//! is destroyed, but only after an export of everything newer than the
//! last change. The export history stays, as the record that the data was
//! handed back.

use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError};

/// The tables of what people entered, which an export of everything hands
/// back: the ones `last_change_at` reads and `data_digest` sums. What
/// banso keeps for itself (the outbox, the jobs, dialogue state, event
/// ids) changes while it runs and is not part of the record.
const ENTERED_TABLES: [&str; 7] = [
    "consultations",
    "consultation_events",
    "people",
    "kadai_items",
    "work_items",
    "meeting_adjustments",
    "deliverable_submissions",
];

/// How many exports of everything held the data of digest `$1`.
const FULL_EXPORTS_OF_DIGEST: &str =
    "SELECT COUNT(*) FROM exports WHERE kind = 'all' AND data_digest = $1";

/// FNV-1a, 64 bits: stable across builds and versions (a digest written
/// by one banso is compared by the next), and enough to notice a change —
/// nobody is trying to forge one here.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// `Store::data_digest` on one connection (a transaction's, for the
/// purge).
async fn digest_on(connection: &mut sqlx::AnyConnection) -> Result<String, StoreError> {
    let mut digest = FNV_OFFSET;
    for table in ENTERED_TABLES {
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch(&mut *connection);
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(row) = rows.try_next().await? {
            count += 1;
            sum = sum.wrapping_add(row_digest(&row));
        }
        digest = fnv(digest, table.as_bytes());
        digest = fnv(digest, &count.to_le_bytes());
        digest = fnv(digest, &sum.to_le_bytes());
    }
    Ok(format!("{digest:016x}"))
}

/// One row's digest: each column's value with its kind, in column order.
fn row_digest(row: &AnyRow) -> u64 {
    let mut hash = FNV_OFFSET;
    for column in 0..row.len() {
        let value = if let Ok(value) = row.try_get::<Option<i64>, _>(column) {
            value.map_or_else(|| "n".to_owned(), |v| format!("i{v}"))
        } else if let Ok(value) = row.try_get::<Option<String>, _>(column) {
            value.map_or_else(|| "n".to_owned(), |v| format!("t{v}"))
        } else if let Ok(value) = row.try_get::<Option<f64>, _>(column) {
            value.map_or_else(|| "n".to_owned(), |v| format!("r{v}"))
        } else if let Ok(value) = row.try_get::<Option<bool>, _>(column) {
            value.map_or_else(|| "n".to_owned(), |v| format!("b{v}"))
        } else if let Ok(value) = row.try_get::<Option<Vec<u8>>, _>(column) {
            value.map_or_else(|| "n".to_owned(), |v| format!("x{}", hex::encode(v)))
        } else {
            "?".to_owned()
        };
        hash = fnv(hash, value.as_bytes());
        hash = fnv(hash, &[0xff]);
    }
    hash
}

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

    /// A digest of everything people entered: the same data gives the same
    /// digest, any change (an insert, an update, a delete, whatever time
    /// it bears) another. Rows are summed, so their order does not matter.
    pub async fn data_digest(&self) -> Result<String, StoreError> {
        let mut connection = self.pool().acquire().await?;
        digest_on(&mut connection).await
    }

    /// Whether an export of everything held exactly `digest`'s data.
    pub async fn fully_exported(&self, digest: &str) -> Result<bool, StoreError> {
        let count: i64 = sqlx::query_scalar(FULL_EXPORTS_OF_DIGEST)
            .bind(digest)
            .fetch_one(self.pool())
            .await?;
        Ok(count > 0)
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
    /// returns how many each held — if, checked inside that transaction
    /// with every writer held off, an export of everything held exactly the
    /// data stored; `None` (nothing deleted) if not.
    pub async fn purge_all_if_exported(
        &self,
    ) -> Result<Option<Vec<(&'static str, u64)>>, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        // No writer of any process may change the data between the check
        // and the deletion: SQLite's write lock is taken by the first
        // write statement (this one deletes nothing); PostgreSQL's tables
        // are locked against writers.
        match self.backend() {
            super::Backend::Sqlite => {
                sqlx::query("DELETE FROM exports WHERE 1 = 0")
                    .execute(&mut *tx)
                    .await?;
            }
            super::Backend::Postgres => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                    ENTERED_TABLES.join(", ")
                )))
                .execute(&mut *tx)
                .await?;
            }
        }
        let digest = digest_on(&mut tx).await?;
        let exported: i64 = sqlx::query_scalar(FULL_EXPORTS_OF_DIGEST)
            .bind(&digest)
            .fetch_one(&mut *tx)
            .await?;
        if exported == 0 {
            // Changed since the check: nothing is deleted (rolled back).
            return Ok(None);
        }
        let mut removed = Vec::new();
        for table in DATA_TABLES {
            let result = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await?;
            removed.push((table, result.rows_affected()));
        }
        // The search index is made of the consultations' words: it goes
        // with them (not counted: it is no record of its own).
        let clear_index: &[&str] = match self.backend() {
            super::Backend::Sqlite => &[
                "INSERT INTO consultation_search (consultation_search) VALUES ('delete-all')",
                "DELETE FROM consultation_search_rows",
            ],
            super::Backend::Postgres => &["DELETE FROM consultation_search"],
        };
        for statement in clear_index {
            sqlx::query(*statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        if self.backend() == super::Backend::Sqlite {
            // Deleted pages are overwritten, not just unlinked.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(self.pool())
                .await;
            let _ = sqlx::query("VACUUM").execute(self.pool()).await;
        }
        Ok(Some(removed))
    }
}
