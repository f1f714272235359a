//! What the exports read (a month's consultations with their history —
//! on a SQLite file through a read-only connection of their own, which the
//! store keeps to itself) and the record of every export written.

use std::collections::HashMap;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use futures_util::stream::TryStreamExt;

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

    /// The history of every consultation received in `month`, each entry
    /// with its consultation's short id: creation first, then the changes,
    /// consultation by consultation in receipt order. A stream, as above.
    pub fn history_of_month(
        &self,
        month: YearMonth,
    ) -> BoxStream<'_, Result<(String, Event), StoreError>> {
        sqlx::query_as::<_, HistoryRow>(HISTORY_OF_MONTH)
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

    /// What the team said to the requester of each consultation received
    /// in `month`, by consultation id: when the first assignment or answer
    /// came, when the first answer came, and the latest answer's words.
    pub async fn responses_of_month(
        &self,
        month: YearMonth,
    ) -> Result<HashMap<i64, Responses>, StoreError> {
        let rows: Vec<ResponseRow> = sqlx::query_as(
            "SELECT e.consultation_id, e.kind, e.at, e.to_status, e.detail FROM consultation_events e \
             JOIN consultations c ON c.id = e.consultation_id \
             WHERE c.received_month = $1 AND e.actor <> c.requester AND e.kind IN ('transition', 'answer') \
             ORDER BY e.id",
        )
        .bind(month.to_string())
        .fetch_all(self.pool())
        .await?;
        Ok(fold_responses(rows))
    }

    /// As `responses_of_month`, for one consultation (what its response
    /// targets check).
    pub async fn responses_of(&self, consultation_id: i64) -> Result<Responses, StoreError> {
        let rows: Vec<ResponseRow> = sqlx::query_as(
            "SELECT e.consultation_id, e.kind, e.at, e.to_status, e.detail FROM consultation_events e \
             JOIN consultations c ON c.id = e.consultation_id \
             WHERE c.id = $1 AND e.actor <> c.requester AND e.kind IN ('transition', 'answer') \
             ORDER BY e.id",
        )
        .bind(consultation_id)
        .fetch_all(self.pool())
        .await?;
        Ok(fold_responses(rows)
            .remove(&consultation_id)
            .unwrap_or_default())
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
        self.record_export_of(export, None).await
    }

    /// Records an export of everything with the digest of the data it held
    /// (`data_digest`, taken before it read anything): what a purge checks.
    pub async fn record_full_export(
        &self,
        export: &ExportRecord,
        data_digest: &str,
    ) -> Result<(), StoreError> {
        self.record_export_of(export, Some(data_digest)).await
    }

    async fn record_export_of(
        &self,
        export: &ExportRecord,
        data_digest: Option<&str>,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO exports (kind, scope, file_name, row_count, exported_by, exported_at, data_digest) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&export.kind)
        .bind(&export.scope)
        .bind(&export.file_name)
        .bind(export.rows)
        .bind(&export.exported_by)
        .bind(export.exported_at)
        .bind(data_digest)
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

/// A consultation as an export reads it, with the requester's name.
pub type NamedConsultation = (Consultation, Option<String>);

/// A history entry as `fold_responses` reads it: consultation, kind,
/// time, status it led to, words.
type ResponseRow = (i64, String, i64, Option<String>, Option<String>);

/// The team's history entries (oldest first) as what the requester was
/// told: the first assignment or answer, the first answer, the latest
/// answer's words.
fn fold_responses(rows: Vec<ResponseRow>) -> HashMap<i64, Responses> {
    let mut responses: HashMap<i64, Responses> = HashMap::new();
    for (id, kind, at, to_status, detail) in rows {
        let entry = responses.entry(id).or_default();
        let to = to_status.as_deref();
        if matches!(to, Some("in_progress" | "answered")) && entry.first_response_at.is_none() {
            entry.first_response_at = Some(at);
        }
        if to == Some("answered") && entry.answered_at.is_none() {
            entry.answered_at = Some(at);
        }
        if kind == "answer" {
            entry.latest_answer = detail;
        }
        // Only a decision lets a held consultation back to 受付.
        if to == Some("received") {
            entry.let_in_at = Some(at);
        }
    }
    responses
}

/// What the team said to a consultation's requester (`responses_of_month`);
/// times are epoch seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Responses {
    pub first_response_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub latest_answer: Option<String>,
    /// When a coordinator let it in from 保留 (承認, 翌月に繰越), the last
    /// time: its targets count from then.
    pub let_in_at: Option<i64>,
}

/// A month's rows as an export reads them: for each table, how many rows
/// it will have (so that a constant-memory sheet can declare its size
/// first), then the rows, one at a time.
pub struct MonthRows<'r> {
    pub consultations: CountedRows<'r, NamedConsultation>,
    /// Each entry with its consultation's short id.
    pub history: CountedRows<'r, (String, Event)>,
}

/// Rows and how many there are: on a SQLite file counted in the same read
/// transaction as the rows, through the pool the rows already read.
pub struct CountedRows<'r, T> {
    pub count: usize,
    pub rows: &'r mut dyn Iterator<Item = Result<T, StoreError>>,
}

impl Store {
    /// Hands `write` the consultations received in `month` and their
    /// history, on a blocking thread (writing a large workbook is long
    /// work, which must not hold up the async runtime). On a SQLite file
    /// the rows stream from a read-only connection of their own, inside one
    /// read transaction so that counts and rows agree, straight from SQLite
    /// rather than one by one through the pool's driver thread
    /// (BENCHMARKS.md, exports). Through the pool (PostgreSQL,
    /// `sqlite::memory:`) they are read first.
    pub async fn with_month_rows<T, E>(
        &self,
        month: YearMonth,
        write: impl FnOnce(MonthRows<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let Some(path) = self.sqlite_file.clone() else {
            return self.month_rows_through_the_pool(month, write).await;
        };
        on_a_blocking_thread(move || BulkReader::open(&path)?.month_rows(month, write)).await
    }

    async fn month_rows_through_the_pool<T, E>(
        &self,
        month: YearMonth,
        write: impl FnOnce(MonthRows<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let consultations: Vec<NamedConsultation> =
            self.consultations_received_in(month).try_collect().await?;
        let history: Vec<(String, Event)> = self.history_of_month(month).try_collect().await?;
        on_a_blocking_thread(move || {
            let (received, entries) = (consultations.len(), history.len());
            write(MonthRows {
                consultations: CountedRows {
                    count: received,
                    rows: &mut consultations.into_iter().map(Ok),
                },
                history: CountedRows {
                    count: entries,
                    rows: &mut history.into_iter().map(Ok),
                },
            })
        })
        .await
    }
}

async fn on_a_blocking_thread<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| E::from(StoreError::ExportStopped(error.to_string())))?
}

/// Bulk reads for exports on a SQLite file: a read-only connection of
/// their own, used on a blocking thread, inside one read transaction.
struct BulkReader {
    connection: rusqlite::Connection,
}

impl BulkReader {
    fn open(path: &std::path::Path) -> Result<Self, StoreError> {
        let connection = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(std::time::Duration::from_millis(u64::from(
            super::SQLITE_BUSY_TIMEOUT_MS,
        )))?;
        // One snapshot for every read that follows.
        connection.execute_batch("BEGIN")?;
        Ok(Self { connection })
    }

    /// The counts first, then both tables' rows, all from one snapshot.
    fn month_rows<T, E: From<StoreError>>(
        &self,
        month: YearMonth,
        write: impl FnOnce(MonthRows<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let received = self.count_received_in(month)?;
        let entries = self.count_history_of_month(month)?;
        self.consultations_received_in(month, |consultations| {
            self.history_of_month(month, |history| {
                write(MonthRows {
                    consultations: CountedRows {
                        count: received,
                        rows: consultations,
                    },
                    history: CountedRows {
                        count: entries,
                        rows: history,
                    },
                })
            })
        })??
    }

    fn count(&self, sql: &str, month: YearMonth) -> Result<usize, StoreError> {
        let count: i64 = self
            .connection
            .query_row(sql, [month.to_string()], |row| row.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    fn count_received_in(&self, month: YearMonth) -> Result<usize, StoreError> {
        self.count(
            "SELECT COUNT(*) FROM consultations WHERE received_month = $1",
            month,
        )
    }

    fn count_history_of_month(&self, month: YearMonth) -> Result<usize, StoreError> {
        self.count(
            "SELECT (SELECT COUNT(*) FROM consultations WHERE received_month = $1) + \
             (SELECT COUNT(*) FROM consultation_events e JOIN consultations c ON c.id = e.consultation_id \
              WHERE c.received_month = $1)",
            month,
        )
    }

    /// Hands `read` the consultations received in `month`, in receipt
    /// order (as `Store::consultations_received_in`).
    fn consultations_received_in<T>(
        &self,
        month: YearMonth,
        read: impl FnOnce(&mut dyn Iterator<Item = Result<NamedConsultation, StoreError>>) -> T,
    ) -> Result<T, StoreError> {
        let columns = CONSULTATION_COLUMNS
            .split(", ")
            .map(|column| format!("c.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut statement = self.connection.prepare(&format!(
            "SELECT {columns}, p.display_name FROM consultations c \
             LEFT JOIN people p ON p.user_id = c.requester \
             WHERE c.received_month = $1 ORDER BY c.month_seq"
        ))?;
        let rows = statement.query_map([month.to_string()], |row| {
            Ok((
                ConsultationRow {
                    id: row.get(0)?,
                    short_id: row.get(1)?,
                    requester: row.get(2)?,
                    department: row.get(3)?,
                    title: row.get(4)?,
                    category: row.get(5)?,
                    details: row.get(6)?,
                    desired_date: row.get(7)?,
                    status: row.get(8)?,
                    assignee: row.get(9)?,
                    received_at: row.get(10)?,
                    received_month: row.get(11)?,
                    quota_kind: row.get(12)?,
                    quota_bucket: row.get(13)?,
                    quota_position: row.get(14)?,
                    exception: row.get(15)?,
                    decline_reason: row.get(16)?,
                    held_month: row.get(17)?,
                },
                row.get::<_, Option<String>>(18)?,
            ))
        })?;
        let mut consultations = rows.map(|row| {
            let (row, name) = row?;
            Ok((Consultation::try_from(row)?, name))
        });
        Ok(read(&mut consultations))
    }

    /// Hands `read` the history of the month's consultations (as
    /// `Store::history_of_month`).
    fn history_of_month<T>(
        &self,
        month: YearMonth,
        read: impl FnOnce(&mut dyn Iterator<Item = Result<(String, Event), StoreError>>) -> T,
    ) -> Result<T, StoreError> {
        let mut statement = self.connection.prepare(HISTORY_OF_MONTH)?;
        let rows = statement.query_map([month.to_string()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                Event {
                    at: row.get(3)?,
                    actor: row.get(4)?,
                    kind: row.get(5)?,
                    from_status: row.get(6)?,
                    to_status: row.get(7)?,
                    detail: row.get(8)?,
                },
            ))
        })?;
        let mut events = rows.map(|row| row.map_err(StoreError::from));
        Ok(read(&mut events))
    }
}

/// Every entry of the history of a month's consultations: creation (from
/// the consultation itself), then its events, consultation by consultation.
const HISTORY_OF_MONTH: &str = "SELECT short_id, month_seq, 0 AS seq, received_at AS at, requester AS actor, \
     'created' AS kind, CAST(NULL AS TEXT) AS from_status, intake_status AS to_status, CAST(NULL AS TEXT) AS detail \
     FROM consultations WHERE received_month = $1 \
     UNION ALL \
     SELECT c.short_id, c.month_seq, e.id AS seq, e.at, e.actor, e.kind, e.from_status, e.to_status, e.detail \
     FROM consultation_events e JOIN consultations c ON c.id = e.consultation_id \
     WHERE c.received_month = $1 \
     ORDER BY 2, 3";

impl Store {
    /// The months in which consultations were received, oldest first.
    pub async fn consultation_months(&self) -> Result<Vec<YearMonth>, StoreError> {
        let months: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT received_month FROM consultations ORDER BY received_month",
        )
        .fetch_all(self.pool())
        .await?;
        months
            .iter()
            .map(|month| {
                month
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("received_month {month}")))
            })
            .collect()
    }

    /// The kinds that have work items, by name.
    pub async fn work_kinds_recorded(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT kind FROM work_items ORDER BY kind")
                .fetch_all(self.pool())
                .await?,
        )
    }
}
