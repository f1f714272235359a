//! The intake's statements on a sqlx transaction: PostgreSQL, and SQLite
//! where there is no intake writer (`sqlite::memory:`). Also the quota
//! steps for the other sqlx writes that count (`lifecycle`, `work`).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row, Transaction};

use super::intake_transaction::{self, InsertedConsultation, Statement, Statements, Value};
use super::{ConsultationDraft, IntakeTerms, Recorded};
use crate::domain::quota::QuotaPolicy;
use crate::store::outbox::{self, NewMessage};
use crate::store::{Store, StoreError};

/// The sqlx form of a statement: the same SQL, the values bound in order.
fn bound(statement: Statement<'_>) -> Query<'static, Any, AnyArguments> {
    statement
        .values
        .iter()
        .fold(sqlx::query(statement.sql), |query, value| match *value {
            Value::Integer(integer) => query.bind(integer),
            Value::Text(text) => query.bind(text),
        })
}

/// A sqlx transaction as `Statements`. A wrapper rather than an impl on
/// `Transaction<'static, Any>` itself: the compiler proves the futures of
/// generic async code `Send` for every lifetime of the type it runs on, and
/// the outbox's `enqueue` takes only a `'static` transaction.
struct InTransaction<'a>(&'a mut Transaction<'static, Any>);

impl Statements for InTransaction<'_> {
    async fn optional_integer(
        &mut self,
        statement: Statement<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let row: Option<AnyRow> = bound(statement).fetch_optional(&mut **self.0).await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    async fn inserted_consultation(
        &mut self,
        statement: Statement<'_>,
    ) -> Result<InsertedConsultation, StoreError> {
        let row = bound(statement).fetch_one(&mut **self.0).await?;
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
    }

    async fn changed_rows(&mut self, statement: Statement<'_>) -> Result<u64, StoreError> {
        Ok(bound(statement)
            .execute(&mut **self.0)
            .await?
            .rows_affected())
    }

    async fn enqueue(&mut self, messages: &[NewMessage], now: i64) -> Result<(), StoreError> {
        outbox::enqueue(self.0, messages, now).await
    }
}

impl Store {
    /// Records a new consultation: takes a quota slot if one is free (or
    /// holds it), gives it a short id, writes its history and queues the
    /// messages `messages` builds from the result — all in one transaction.
    ///
    /// On a SQLite file this goes through the intake writer, which commits
    /// the intakes that arrive together in one transaction (each in its own
    /// savepoint); the answer comes only after that commit.
    pub async fn record_consultation(
        &self,
        draft: &ConsultationDraft,
        terms: &IntakeTerms<'_>,
        messages: impl Fn(&Recorded) -> Vec<NewMessage> + Send + 'static,
    ) -> Result<Recorded, StoreError> {
        if let Some(writer) = &self.intake_writer {
            return writer.record(draft, terms, Box::new(messages)).await;
        }
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let recorded = intake_transaction::record_intake(
            &mut InTransaction(&mut tx),
            draft,
            terms,
            |recorded| Ok(messages(recorded)),
        )
        .await?;
        tx.commit().await?;
        Ok(recorded)
    }
}

/// The intake's quota step in a sqlx transaction, for the other writes
/// that take a slot (`work`).
pub(in crate::store) async fn take_slot_within_limit(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    bucket: &str,
    limit: u32,
) -> Result<Option<i64>, StoreError> {
    intake_transaction::take_slot_within_limit(&mut InTransaction(tx), kind, bucket, limit).await
}

/// The intake's alert claims in a sqlx transaction, for the other writes
/// that count (`lifecycle`, `work`).
pub(in crate::store) async fn claim_alerts(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    bucket: &str,
    policy: &QuotaPolicy,
    position: i64,
    at: i64,
) -> Result<Vec<u32>, StoreError> {
    intake_transaction::claim_alerts(&mut InTransaction(tx), kind, bucket, policy, position, at)
        .await
}
