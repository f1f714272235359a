//! What the exports read (a month's consultations with their history) and
//! the record of every export written.

use std::collections::HashMap;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::consultations::{CONSULTATION_COLUMNS, ConsultationRow};
use super::{Consultation, Event, Store, StoreError};
use crate::domain::month::YearMonth;

/// One export, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    /// `consultations`, `kadai`, `progress`, `all`.
    pub kind: String,
    /// The month, when the export is of one.
    pub scope: Option<String>,
    pub file_name: String,
    pub rows: i64,
    /// A Slack user id, or `cli`.
    pub exported_by: String,
    /// Epoch seconds.
    pub exported_at: i64,
}

impl Store {
    /// How many consultations were received in `month`.
    pub async fn count_received_in(&self, month: YearMonth) -> Result<usize, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM consultations WHERE received_month = $1")
                .bind(month.to_string())
                .fetch_one(self.pool())
                .await?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// The consultations received in `month`, in receipt order, each with
    /// the requester's name where banso knows it: a stream, so that a month
    /// of any size is never all in memory.
    pub fn consultations_received_in(
        &self,
        month: YearMonth,
    ) -> BoxStream<'_, Result<(Consultation, Option<String>), StoreError>> {
        let columns = CONSULTATION_COLUMNS
            .split(", ")
            .map(|column| format!("c.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query_as::<_, ConsultationRowWithName>(sqlx::AssertSqlSafe(format!(
            "SELECT {columns}, p.display_name FROM consultations c \
             LEFT JOIN people p ON p.user_id = c.requester \
             WHERE c.received_month = $1 ORDER BY c.month_seq"
        )))
        .bind(month.to_string())
        .fetch(self.pool())
        .map(|row| {
            let row = row?;
            Ok((Consultation::try_from(row.consultation)?, row.display_name))
        })
        .boxed()
    }

    /// How many entries `history_of_month` yields.
    pub async fn count_history_of_month(&self, month: YearMonth) -> Result<usize, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM consultations WHERE received_month = $1) + \
             (SELECT COUNT(*) FROM consultation_events e JOIN consultations c ON c.id = e.consultation_id \
              WHERE c.received_month = $1)",
        )
        .bind(month.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// The history of every consultation received in `month`, each entry
    /// with its consultation's short id: creation first, then the changes,
    /// consultation by consultation in receipt order. A stream, as above.
    pub fn history_of_month(
        &self,
        month: YearMonth,
    ) -> BoxStream<'_, Result<(String, Event), StoreError>> {
        sqlx::query_as::<_, HistoryRow>(
            "SELECT short_id, month_seq, 0 AS seq, received_at AS at, requester AS actor, 'created' AS kind, \
             CAST(NULL AS TEXT) AS from_status, intake_status AS to_status, CAST(NULL AS TEXT) AS detail \
             FROM consultations WHERE received_month = $1 \
             UNION ALL \
             SELECT c.short_id, c.month_seq, e.id AS seq, e.at, e.actor, e.kind, e.from_status, e.to_status, e.detail \
             FROM consultation_events e JOIN consultations c ON c.id = e.consultation_id \
             WHERE c.received_month = $1 \
             ORDER BY 2, 3",
        )
        .bind(month.to_string())
        .fetch(self.pool())
        .map(|row| {
            let row = row?;
            Ok((
                row.short_id,
                Event {
                    at: row.at,
                    actor: row.actor,
                    kind: row.kind,
                    from_status: row.from_status,
                    to_status: row.to_status,
                    detail: row.detail,
                },
            ))
        })
        .boxed()
    }

    /// The names banso knows, by user id.
    pub async fn display_names(&self) -> Result<HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, display_name FROM people WHERE display_name IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Records an export in the history.
    pub async fn record_export(&self, export: &ExportRecord) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO exports (kind, scope, file_name, row_count, exported_by, exported_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&export.kind)
        .bind(&export.scope)
        .bind(&export.file_name)
        .bind(export.rows)
        .bind(&export.exported_by)
        .bind(export.exported_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The export history, newest first.
    pub async fn exports(&self, limit: i64) -> Result<Vec<ExportRecord>, StoreError> {
        let rows: Vec<(String, Option<String>, String, i64, String, i64)> = sqlx::query_as(
            "SELECT kind, scope, file_name, row_count, exported_by, exported_at FROM exports \
             ORDER BY exported_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(kind, scope, file_name, rows, exported_by, exported_at)| ExportRecord {
                    kind,
                    scope,
                    file_name,
                    rows,
                    exported_by,
                    exported_at,
                },
            )
            .collect())
    }
}

#[derive(sqlx::FromRow)]
struct ConsultationRowWithName {
    #[sqlx(flatten)]
    consultation: ConsultationRow,
    display_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    short_id: String,
    at: i64,
    actor: String,
    kind: String,
    from_status: Option<String>,
    to_status: Option<String>,
    detail: Option<String>,
}
