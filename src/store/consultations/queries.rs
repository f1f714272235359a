//! What reads the consultations: one by id or short id, the lists, the
//! quota counts and a consultation's history.

use super::{CONSULTATION_COLUMNS, Consultation, ConsultationRow, Event, ListFilter};
use crate::domain::consultation::Status;
use crate::domain::month::YearMonth;
use crate::domain::quota::CountedRequest;
use crate::store::{Store, StoreError};

type EventRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    pub async fn consultation(&self, id: i64) -> Result<Consultation, StoreError> {
        let row: ConsultationRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        row.try_into()
    }

    /// The consultation whose team notice Slack has at `ts` in `channel`
    /// (the root of a thread someone replied in), if one does.
    pub async fn consultation_of_team_notice(
        &self,
        channel: &str,
        ts: &str,
    ) -> Result<Option<Consultation>, StoreError> {
        let keys: Vec<(String,)> = sqlx::query_as(
            "SELECT idempotency_key FROM outbox WHERE posted_ts = $1 AND posted_channel = $2",
        )
        .bind(ts)
        .bind(channel)
        .fetch_all(self.pool())
        .await?;
        // The notice's key is `c{id}:created:team` (bot::consultations::notices).
        let id = keys.iter().find_map(|(key,)| {
            key.strip_prefix('c')?
                .strip_suffix(":created:team")?
                .parse::<i64>()
                .ok()
        });
        let Some(id) = id else {
            return Ok(None);
        };
        let row: Option<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn consultation_by_short_id(
        &self,
        short_id: &str,
    ) -> Result<Option<Consultation>, StoreError> {
        // Found by its month and number, through the index that keeps
        // them unique; the short id itself has no index of its own.
        let Some((month, number)) = super::intake_transaction::short_id_parts(short_id) else {
            return Ok(None);
        };
        let row: Option<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations \
             WHERE received_month = $1 AND month_seq = $2 AND short_id = $3"
        )))
        .bind(month)
        .bind(number)
        .bind(short_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(Consultation::try_from).transpose()
    }

    /// Newest first.
    pub async fn list_consultations(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<Consultation>, StoreError> {
        let viewer = filter.visible_to.clone();
        let rows: Vec<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations \
             WHERE ($1 IS NULL OR requester = $1) \
             AND ($2 IS NULL OR requester = $2) \
             AND ($3 = 0 OR status IN ('received', 'in_progress', 'answered', 'held')) \
             ORDER BY received_at DESC, id DESC LIMIT $4"
        )))
        .bind(viewer)
        .bind(&filter.requester)
        .bind(i64::from(filter.open_only))
        .bind(filter.limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Consultation::try_from).collect()
    }

    /// Every request of `quota_kind` received in, or counting in, the months
    /// `from..=to`: what a quota summary needs.
    pub async fn counted_requests(
        &self,
        quota_kind: &str,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<CountedRequest>, StoreError> {
        type Row = (String, String, Option<String>, i64, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT status, received_month, quota_bucket, exception, held_month FROM consultations \
             WHERE quota_kind = $1 AND ((received_month >= $2 AND received_month <= $3) \
             OR (quota_bucket >= $2 AND quota_bucket <= $3) OR (held_month >= $2 AND held_month <= $3))",
        )
        .bind(quota_kind)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(status, received, bucket, exception, held)| {
                let corrupt = || StoreError::Corrupt(format!("quota row {received}"));
                Ok(CountedRequest {
                    status: Status::from_code(&status).ok_or_else(corrupt)?,
                    received_in: received.parse().map_err(|_| corrupt())?,
                    counts_in: bucket.and_then(|bucket| bucket.parse().ok()),
                    exception: exception != 0,
                    held_in: held.and_then(|month| month.parse().ok()),
                })
            })
            .collect()
    }

    /// The current count of a period, as the counters hold it.
    pub async fn quota_count(&self, quota_kind: &str, bucket: &str) -> Result<i64, StoreError> {
        let count: Option<i64> = sqlx::query_scalar(
            "SELECT counted FROM quota_counters WHERE kind = $1 AND bucket = $2",
        )
        .bind(quota_kind)
        .bind(bucket)
        .fetch_optional(self.pool())
        .await?;
        Ok(count.unwrap_or(0))
    }

    /// The history of a consultation, oldest first.
    pub async fn consultation_events(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<Event>, StoreError> {
        let created: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT received_at, requester, intake_status FROM consultations WHERE id = $1",
        )
        .bind(consultation_id)
        .fetch_optional(self.pool())
        .await?;
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT at, actor, kind, from_status, to_status, detail FROM consultation_events \
             WHERE consultation_id = $1 ORDER BY id",
        )
        .bind(consultation_id)
        .fetch_all(self.pool())
        .await?;
        let created = created.map(|(at, actor, status)| Event {
            at,
            actor,
            kind: "created".to_owned(),
            from_status: None,
            to_status: Some(status),
            detail: None,
        });
        Ok(created
            .into_iter()
            .chain(
                rows.into_iter()
                    .map(|(at, actor, kind, from_status, to_status, detail)| Event {
                        at,
                        actor,
                        kind,
                        from_status,
                        to_status,
                        detail,
                    }),
            )
            .collect())
    }
}
