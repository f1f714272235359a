//! The 課題管理表's items.

use chrono::NaiveDate;

use super::{Store, StoreError};
use crate::domain::kadai::{KadaiStatus, Priority};

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KadaiItem {
    pub number: i64,
    pub title: String,
    /// A user id or a name as typed.
    pub owner: String,
    pub due: Option<NaiveDate>,
    pub priority: Priority,
    pub status: KadaiStatus,
    pub meeting: Option<NaiveDate>,
    pub created_by: String,
    /// Epoch seconds.
    pub created_at: i64,
    pub done_at: Option<i64>,
}

/// A new item, or the fields an update changes (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KadaiChange {
    pub title: Option<String>,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub priority: Option<Priority>,
    pub meeting: Option<NaiveDate>,
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
);

const COLUMNS: &str =
    "id, title, owner, due_date, priority, status, meeting_date, created_by, created_at, done_at";

fn item_of(row: Row) -> Result<KadaiItem, StoreError> {
    let (number, title, owner, due, priority, status, meeting, created_by, created_at, done_at) =
        row;
    let corrupt = |what: &str| StoreError::Corrupt(format!("kadai item {number}: {what}"));
    let date = |text: Option<String>, what: &str| match text {
        Some(text) => text.parse().map(Some).map_err(|_| corrupt(what)),
        None => Ok(None),
    };
    Ok(KadaiItem {
        number,
        title,
        owner,
        due: date(due, "due_date")?,
        priority: Priority::from_code(&priority).ok_or_else(|| corrupt("priority"))?,
        status: KadaiStatus::from_code(&status).ok_or_else(|| corrupt("status"))?,
        meeting: date(meeting, "meeting_date")?,
        created_by,
        created_at,
        done_at,
    })
}

impl Store {
    /// Adds an item (open); `new.title` and `new.owner` must be given.
    pub async fn add_kadai(
        &self,
        new: &KadaiChange,
        by: &str,
        now: i64,
    ) -> Result<KadaiItem, StoreError> {
        let _turn = self.write_turn().await;
        let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO kadai_items (title, owner, due_date, priority, status, meeting_date, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $7) RETURNING {COLUMNS}"
        )))
        .bind(new.title.clone().unwrap_or_default())
        .bind(new.owner.clone().unwrap_or_else(|| by.to_owned()))
        .bind(new.due.map(|date| date.to_string()))
        .bind(new.priority.unwrap_or(Priority::Medium).code())
        .bind(new.meeting.map(|date| date.to_string()))
        .bind(by)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        item_of(row)
    }

    /// Changes the given fields; `None` if there is no such item.
    pub async fn update_kadai(
        &self,
        number: i64,
        change: &KadaiChange,
        now: i64,
    ) -> Result<Option<KadaiItem>, StoreError> {
        let _turn = self.write_turn().await;
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE kadai_items SET title = COALESCE($1, title), owner = COALESCE($2, owner), \
             due_date = COALESCE($3, due_date), priority = COALESCE($4, priority), \
             meeting_date = COALESCE($5, meeting_date), updated_at = $6 WHERE id = $7 RETURNING {COLUMNS}"
        )))
        .bind(change.title.clone())
        .bind(change.owner.clone())
        .bind(change.due.map(|date| date.to_string()))
        .bind(change.priority.map(Priority::code))
        .bind(change.meeting.map(|date| date.to_string()))
        .bind(now)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        row.map(item_of).transpose()
    }

    /// Marks an item done (once: a second call leaves its time alone).
    pub async fn finish_kadai(
        &self,
        number: i64,
        now: i64,
    ) -> Result<Option<KadaiItem>, StoreError> {
        let _turn = self.write_turn().await;
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE kadai_items SET status = 'done', done_at = COALESCE(done_at, $1), updated_at = $1 \
             WHERE id = $2 RETURNING {COLUMNS}"
        )))
        .bind(now)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        row.map(item_of).transpose()
    }

    /// Items by due date (undated last), then number; open ones only
    /// unless `all`.
    pub async fn kadai_items(&self, all: bool) -> Result<Vec<KadaiItem>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM kadai_items WHERE ($1 = 1 OR status = 'open') \
             ORDER BY CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, id"
        )))
        .bind(i64::from(all))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(item_of).collect()
    }
}
