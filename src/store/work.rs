//! The contract's other capped work, counted by the same quota mechanism
//! as consultations (`take_slot_within_limit`, `claim_alerts`), in one
//! transaction with the messages it causes.

use super::consultations::{claim_alerts, take_slot_within_limit};
use super::outbox::{NewMessage, enqueue};
use super::{Store, StoreError};
use crate::domain::quota::QuotaPolicy;
use crate::domain::work::Attributes;

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub kind: String,
    /// Its number within its kind, from 1.
    pub number: i64,
    pub title: String,
    pub attributes: Attributes,
    /// Whether it counts (`false`: held, the cap was reached).
    pub counted: bool,
    /// The period it counts in, or was held in.
    pub quota_bucket: Option<String>,
    pub quota_position: Option<i64>,
    pub recorded_by: String,
    /// Epoch seconds.
    pub recorded_at: i64,
}

/// What recording an item did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedWork {
    pub item: WorkItem,
    /// The thresholds this item reached first (each alerts once).
    pub newly_alerted: Vec<u32>,
}

type Row = (
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
    i64,
);

const COLUMNS: &str = "kind, number, title, attributes, status, quota_bucket, quota_position, recorded_by, recorded_at";

fn item_of(row: Row) -> Result<WorkItem, StoreError> {
    let (
        kind,
        number,
        title,
        attributes,
        status,
        quota_bucket,
        quota_position,
        recorded_by,
        recorded_at,
    ) = row;
    let attributes = serde_json::from_str(&attributes)
        .map_err(|_| StoreError::Corrupt(format!("work item {kind} {number}: attributes")))?;
    Ok(WorkItem {
        counted: status == "counted",
        kind,
        number,
        title,
        attributes,
        quota_bucket,
        quota_position,
        recorded_by,
        recorded_at,
    })
}

impl Store {
    /// Records an item of `kind`: takes a slot of `bucket` if one is free
    /// under `policy` (else holds it), claims the thresholds it reaches and
    /// queues the messages `messages` builds — all in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_work(
        &self,
        kind: &str,
        title: &str,
        attributes: &Attributes,
        policy: &QuotaPolicy,
        bucket: &str,
        by: &str,
        now: i64,
        messages: impl FnOnce(&RecordedWork) -> Vec<NewMessage>,
    ) -> Result<RecordedWork, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let position = take_slot_within_limit(&mut tx, kind, bucket, policy.limit()).await?;
        let attributes_json = serde_json::to_string(attributes).expect("attributes serialise");
        // The number is the next of its kind; the counter row updated above
        // is locked until commit, so two items cannot take the same one.
        let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO work_items (kind, number, title, attributes, status, quota_bucket, quota_position, \
             recorded_by, recorded_at) \
             SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM work_items WHERE kind = $1 \
             RETURNING {COLUMNS}"
        )))
        .bind(kind)
        .bind(title)
        .bind(attributes_json)
        .bind(if position.is_some() { "counted" } else { "held" })
        // A held item keeps the period it was held in, for the count of
        // what was held there.
        .bind(bucket)
        .bind(position)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let newly_alerted = match position {
            Some(position) => claim_alerts(&mut tx, kind, bucket, policy, position, now).await?,
            None => Vec::new(),
        };
        let recorded = RecordedWork {
            item: item_of(row)?,
            newly_alerted,
        };
        enqueue(&mut tx, &messages(&recorded), now).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The items of `kind`, in the order they were recorded.
    pub async fn work_items(&self, kind: &str) -> Result<Vec<WorkItem>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM work_items WHERE kind = $1 ORDER BY number"
        )))
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(item_of).collect()
    }

    /// How many items of `kind` were held (not counted) in `bucket`.
    pub async fn held_work(&self, kind: &str, bucket: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM work_items WHERE kind = $1 AND quota_bucket = $2 AND status = 'held'",
        )
        .bind(kind)
        .bind(bucket)
        .fetch_one(self.pool())
        .await?)
    }
}
