//! What people changed about meetings (a moved or cancelled occurrence, an
//! explicit regular-meeting date) and which deliverables are submitted.

use super::outbox::{NewMessage, enqueue};
use super::{Backend, Store, StoreError};

/// A single-occurrence change, as stored; the bot turns these into the
/// domain's adjustments when it plans.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAdjustment {
    pub id: i64,
    /// `move`, `cancel` or `set_regular`.
    pub kind: String,
    /// The occurrence key (`regular:2024-06`), or for `set_regular` the month.
    pub target: String,
    /// `YYYY-MM-DDTHH:MM` in Asia/Tokyo, for `move`, `set_regular` and `add`.
    pub new_start: Option<String>,
    /// For `add`, the meeting's kind, length, place, URL and agenda (JSON).
    pub details: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

/// A change to store (`StoredAdjustment`'s fields, as written).
#[derive(Debug, Clone, Copy)]
pub struct NewAdjustment<'a> {
    pub kind: &'a str,
    pub target: &'a str,
    pub new_start: Option<&'a str>,
    pub details: Option<&'a str>,
    pub created_by: &'a str,
}

impl Store {
    /// Stores a change with the messages announcing it, in one transaction.
    pub async fn add_meeting_adjustment(
        &self,
        adjustment: NewAdjustment<'_>,
        now: i64,
        announcements: &[NewMessage],
    ) -> Result<(), StoreError> {
        let NewAdjustment {
            kind,
            target,
            new_start,
            details,
            created_by,
        } = adjustment;
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO meeting_adjustments (kind, target, new_start, details, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(kind)
        .bind(target)
        .bind(new_start)
        .bind(details)
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        enqueue(&mut tx, announcements, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Oldest first: a later change to the same occurrence wins.
    pub async fn meeting_adjustments(&self) -> Result<Vec<StoredAdjustment>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, kind, target, new_start, details, created_by, created_at FROM meeting_adjustments ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks an item submitted (提出済); false if it already was. If that
    /// makes every one of `items` submitted, `when_complete` is queued in
    /// the same transaction (the outbox invariant: a change and the
    /// message it causes are written together).
    pub async fn submit_deliverable(
        &self,
        meeting_key: &str,
        item: &str,
        by: &str,
        now: i64,
        items: &[String],
        when_complete: &NewMessage,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let mut transaction = self.pool().begin().await?;
        if self.backend == Backend::Postgres {
            // Two last items submitted at once on two connections would each
            // miss the other's row and neither announce the list complete:
            // the meeting's submissions are taken one at a time. (SQLite
            // has one writer at a time already.)
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked")
                .bind(meeting_key)
                .execute(&mut *transaction)
                .await?;
        }
        let inserted = sqlx::query(
            "INSERT INTO deliverable_submissions (meeting_key, item, submitted_by, submitted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (meeting_key, item) DO NOTHING",
        )
        .bind(meeting_key)
        .bind(item)
        .bind(by)
        .bind(now)
        .execute(&mut *transaction)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            let submitted: Vec<(String,)> =
                sqlx::query_as("SELECT item FROM deliverable_submissions WHERE meeting_key = $1")
                    .bind(meeting_key)
                    .fetch_all(&mut *transaction)
                    .await?;
            let complete = items
                .iter()
                .all(|wanted| submitted.iter().any(|(done,)| done == wanted));
            if complete {
                enqueue(&mut transaction, std::slice::from_ref(when_complete), now).await?;
            }
        }
        transaction.commit().await?;
        Ok(inserted)
    }

    /// Takes a submission back (undo); false if it was not submitted.
    pub async fn withdraw_deliverable(
        &self,
        meeting_key: &str,
        item: &str,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let deleted =
            sqlx::query("DELETE FROM deliverable_submissions WHERE meeting_key = $1 AND item = $2")
                .bind(meeting_key)
                .bind(item)
                .execute(self.pool())
                .await?;
        Ok(deleted.rows_affected() == 1)
    }

    /// The submitted items of a meeting, with who and when.
    pub async fn submitted_deliverables(
        &self,
        meeting_key: &str,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT item, submitted_by, submitted_at FROM deliverable_submissions WHERE meeting_key = $1 ORDER BY submitted_at",
        )
        .bind(meeting_key)
        .fetch_all(self.pool())
        .await?)
    }
}
