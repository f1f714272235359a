//! A new consultation's transaction, defined once: the quota slot, the
//! short id and the row, the question for a department still unknown, the
//! threshold alerts claimed and the outbox messages, in that order, with
//! the decisions between them.
//!
//! It is written as async code over `Statements`, a write transaction that
//! runs one statement and hands back its result; implementations only
//! execute. Two run it: a sqlx transaction (`sqlx_statements`: PostgreSQL
//! and `sqlite::memory:`) and the intake writer's rusqlite savepoint
//! (`store::intake`). The writer's statements complete before they return,
//! so `run_without_waiting` drives the same code to its end in one poll on
//! the writer's own thread: no runtime, no hand-off between threads.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::{Consultation, ConsultationDraft, IntakeTerms, Recorded};
use crate::domain::consultation::Status;
use crate::domain::month::YearMonth;
use crate::domain::quota::QuotaPolicy;
use crate::store::StoreError;
use crate::store::outbox::NewMessage;

/// Takes the next slot of a period while under the limit: the first
/// request of a period creates the counter at 1; later ones add 1 only
/// while under `$3`, else the statement returns no row (the request is
/// held).
const TAKE_SLOT_WITHIN_LIMIT: &str = "INSERT INTO quota_counters (kind, bucket, counted) VALUES ($1, $2, 1) \
     ON CONFLICT (kind, bucket) DO UPDATE SET counted = quota_counters.counted + 1 \
     WHERE quota_counters.counted < $3 RETURNING counted";

/// Inserts a new consultation. The department, if the bot did not know
/// it, is the one the person told banso; the short id's number is the next
/// in the receipt month, taken in the same statement. It cannot collide:
/// the counter row updated before it is locked until commit, and it covers
/// the receipt month.
const INSERT_CONSULTATION: &str = "INSERT INTO consultations (short_id, month_seq, requester, department, title, category, details, \
             desired_date, status, intake_status, received_at, received_month, quota_kind, quota_bucket, \
             quota_position, exception, updated_at) \
             SELECT $1 || '-' || (CASE WHEN n < 10 THEN '00' WHEN n < 100 THEN '0' ELSE '' END) || CAST(n AS TEXT), \
             n, $2, COALESCE($3, (SELECT department FROM people WHERE user_id = $2)), $4, $5, $6, $7, \
             $8, $8, $9, $10, $11, $12, $13, 0, $9 \
             FROM (SELECT COALESCE(MAX(month_seq), 0) + 1 AS n FROM consultations WHERE received_month = $10) AS next \
             RETURNING id, department, short_id";

/// Claims one alert threshold of a period; inserts nothing if it was
/// claimed before, so each threshold alerts exactly once.
const CLAIM_ALERT: &str = "INSERT INTO quota_alerts (kind, bucket, threshold, alerted_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (kind, bucket, threshold) DO NOTHING";

/// A statement parameter. NULLs keep their type because PostgreSQL
/// checks a parameter's type against its column's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::store) enum Value<'a> {
    Integer(Option<i64>),
    Text(Option<&'a str>),
}

impl<'a> Value<'a> {
    fn text(text: &'a str) -> Self {
        Self::Text(Some(text))
    }

    fn integer(integer: i64) -> Self {
        Self::Integer(Some(integer))
    }
}

/// One statement: its SQL (with `$1`… placeholders) and the values of
/// `$1`, `$2`, … in that order.
#[derive(Debug, Clone, Copy)]
pub(in crate::store) struct Statement<'a> {
    pub(in crate::store) sql: &'static str,
    pub(in crate::store) values: &'a [Value<'a>],
}

/// What the insert returns: id, department, short id.
pub(in crate::store) type InsertedConsultation = (i64, Option<String>, String);

/// A write transaction the quota and intake steps run their statements
/// in. An implementation only executes: it binds the values, runs the
/// statement and reads the result in the shape asked for.
pub(in crate::store) trait Statements {
    /// A statement returning at most one row whose first column is an
    /// integer.
    async fn optional_integer(
        &mut self,
        statement: Statement<'_>,
    ) -> Result<Option<i64>, StoreError>;

    /// The consultation insert, which returns exactly one row.
    async fn inserted_consultation(
        &mut self,
        statement: Statement<'_>,
    ) -> Result<InsertedConsultation, StoreError>;

    /// A statement returning no rows; how many rows it changed.
    async fn changed_rows(&mut self, statement: Statement<'_>) -> Result<u64, StoreError>;

    /// Queues messages in the outbox, each once (its idempotency key). A
    /// batch rather than a statement: each backend has its cheapest form.
    async fn enqueue(&mut self, messages: &[NewMessage], now: i64) -> Result<(), StoreError>;
}

/// The intake: takes a quota slot if one is free (or holds the request),
/// inserts the consultation with its short id, claims the thresholds it
/// reached and queues the messages `messages` builds from the result.
/// The caller's transaction holds it all; committing is the caller's.
pub(in crate::store) async fn record_intake(
    statements: &mut impl Statements,
    draft: &ConsultationDraft,
    terms: &IntakeTerms<'_>,
    messages: impl FnOnce(&Recorded) -> Result<Vec<NewMessage>, StoreError>,
) -> Result<Recorded, StoreError> {
    // The first statement writes, so SQLite takes the write lock at once
    // and concurrent intakes queue behind it instead of failing.
    if let Some(claim) = terms.replay_claim {
        let claimed = statements
            .changed_rows(Statement {
                sql: crate::store::request_claims::CLAIM_SIGNED_REQUEST,
                values: &[Value::text(&claim.signature), Value::integer(claim.sent_at)],
            })
            .await?;
        if claimed == 0 {
            return Err(StoreError::Replayed);
        }
    }
    let position = take_slot_within_limit(
        statements,
        terms.quota_kind,
        &terms.bucket,
        terms.policy.limit(),
    )
    .await?;
    let inserted = insert_consultation(statements, draft, terms, position).await?;
    let newly_alerted = match position {
        Some(position) => {
            claim_alerts(
                statements,
                terms.quota_kind,
                &terms.bucket,
                terms.policy,
                position,
                terms.received_at,
            )
            .await?
        }
        None => Vec::new(),
    };
    if let (None, Some(state)) = (&inserted.1, terms.ask_department) {
        statements
            .changed_rows(Statement {
                sql: crate::store::people::SAVE_CONVERSATION,
                values: &[
                    Value::text(&draft.requester),
                    Value::text(state),
                    Value::integer(terms.received_at),
                ],
            })
            .await?;
    }
    let recorded = Recorded {
        consultation: as_written(draft, terms, inserted, position),
        newly_alerted,
    };
    statements
        .enqueue(&messages(&recorded)?, terms.received_at)
        .await?;
    Ok(recorded)
}

/// Creation is recorded in the row itself (`intake_status`, `received_at`,
/// `requester`); the history reads it from there.
async fn insert_consultation(
    statements: &mut impl Statements,
    draft: &ConsultationDraft,
    terms: &IntakeTerms<'_>,
    position: Option<i64>,
) -> Result<InsertedConsultation, StoreError> {
    let short_id_prefix = short_id_prefix(terms.received_month);
    let desired_date = draft.desired_date.map(|date| date.to_string());
    let received_month = terms.received_month.to_string();
    let status = status_on_intake(position).code();
    statements
        .inserted_consultation(Statement {
            sql: INSERT_CONSULTATION,
            values: &[
                Value::text(&short_id_prefix),
                Value::text(&draft.requester),
                Value::Text(draft.department.as_deref()),
                Value::text(&draft.title),
                Value::text(draft.category.code()),
                Value::text(&draft.details),
                Value::Text(desired_date.as_deref()),
                Value::text(status),
                Value::integer(terms.received_at),
                Value::text(&received_month),
                Value::text(terms.quota_kind),
                Value::Text(position.map(|_| terms.bucket.as_str())),
                Value::Integer(position),
            ],
        })
        .await
}

/// Takes the next slot of `bucket` if fewer than `limit` are taken; the
/// conditional increment is atomic on both backends, so exactly one of two
/// simultaneous requests can be the last one under the limit.
pub(in crate::store) async fn take_slot_within_limit(
    statements: &mut impl Statements,
    kind: &str,
    bucket: &str,
    limit: u32,
) -> Result<Option<i64>, StoreError> {
    statements
        .optional_integer(Statement {
            sql: TAKE_SLOT_WITHIN_LIMIT,
            values: &[
                Value::text(kind),
                Value::text(bucket),
                Value::integer(i64::from(limit)),
            ],
        })
        .await
}

/// Records each threshold `position` reached that was never alerted in
/// this period, and returns those: the caller alerts exactly these.
pub(in crate::store) async fn claim_alerts(
    statements: &mut impl Statements,
    kind: &str,
    bucket: &str,
    policy: &QuotaPolicy,
    position: i64,
    at: i64,
) -> Result<Vec<u32>, StoreError> {
    let mut claimed = Vec::new();
    for threshold in policy.thresholds_reached(u32::try_from(position).unwrap_or(u32::MAX)) {
        let inserted = statements
            .changed_rows(Statement {
                sql: CLAIM_ALERT,
                values: &[
                    Value::text(kind),
                    Value::text(bucket),
                    Value::integer(i64::from(threshold)),
                    Value::integer(at),
                ],
            })
            .await?;
        if inserted == 1 {
            claimed.push(threshold);
        }
    }
    Ok(claimed)
}

/// Held when no slot was free, received otherwise.
fn status_on_intake(position: Option<i64>) -> Status {
    if position.is_some() {
        Status::Received
    } else {
        Status::Held
    }
}

/// The consultation as an intake wrote it, built from what was written
/// rather than read back: one round trip less on the path every request
/// takes.
fn as_written(
    draft: &ConsultationDraft,
    terms: &IntakeTerms<'_>,
    (id, department, short_id): InsertedConsultation,
    position: Option<i64>,
) -> Consultation {
    Consultation {
        id,
        short_id,
        requester: draft.requester.clone(),
        department,
        title: draft.title.clone(),
        category: draft.category,
        details: draft.details.clone(),
        desired_date: draft.desired_date,
        status: status_on_intake(position),
        assignee: None,
        received_at: terms.received_at,
        received_month: terms.received_month,
        quota_kind: terms.quota_kind.to_owned(),
        quota_bucket: position.map(|_| terms.bucket.clone()),
        quota_position: position,
        exception: false,
        decline_reason: None,
        held_month: None,
    }
}

/// `YYMM` of `YYMM-NNN`: the receipt month, and a number within it,
/// short enough to read out on the phone.
fn short_id_prefix(month: YearMonth) -> String {
    format!("{:02}{:02}", month.year().rem_euclid(100), month.month())
}

/// What a short id is made of, read back: its receipt month (`YYYY-MM`)
/// and its number in that month, by which the consultations' index finds
/// it. `YY` is read as 20YY: banso's contract and its data start in 2026,
/// and a short id of the next century would need a longer form anyway.
/// `None` for anything the intake would never have made.
pub(in crate::store) fn short_id_parts(short_id: &str) -> Option<(String, i64)> {
    let (prefix, number) = short_id.split_once('-')?;
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if prefix.len() != 4 || !all_digits(prefix) || !all_digits(number) || number.len() < 3 {
        return None;
    }
    let (year, month) = prefix.split_at(2);
    let number: i64 = number.parse().ok()?;
    let month_number: u32 = month.parse().ok()?;
    ((1..=12).contains(&month_number) && number > 0).then(|| (format!("20{year}-{month}"), number))
}

/// Drives steps whose every statement completes before it returns (the
/// intake writer's rusqlite ones) to their end in one poll. Steps that
/// would wait are a mistake in the code, not a database state, but are
/// told as this intake's error rather than stopping the writer.
pub(in crate::store) fn run_without_waiting<T>(
    steps: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match pin!(steps).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => Err(StoreError::Write(
            "an intake step waited, which the intake writer cannot do".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::consultation::Category;

    #[test]
    fn a_short_id_reads_back_as_the_month_and_number_it_was_made_of() {
        let month: YearMonth = "2026-12".parse().unwrap();
        assert_eq!(short_id_prefix(month), "2612");
        assert_eq!(short_id_parts("2612-001"), Some(("2026-12".into(), 1)));
        assert_eq!(short_id_parts("2701-1234"), Some(("2027-01".into(), 1234)));
        for never_made in [
            "",
            "2612",
            "2612-",
            "2612-01",
            "2613-001",
            "2600-001",
            "26a2-001",
            "2612-000",
            "12612-001",
            "2612-0x1",
        ] {
            assert_eq!(short_id_parts(never_made), None, "{never_made}");
        }
    }
    use crate::message::{Outgoing, Recipient};

    /// A statement as the fake saw it, its values owned.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Owned {
        Integer(Option<i64>),
        Text(Option<String>),
    }

    /// Runs nothing: answers each statement from a script and records what
    /// it was asked, so the order and the decisions can be checked without
    /// a database.
    #[derive(Default)]
    struct Scripted {
        slot: Option<i64>,
        /// Rows each alert claim changes, in order (1: claimed now).
        claims: Vec<u64>,
        /// The insert finds no department for the requester.
        unknown_department: bool,
        ran: Vec<(&'static str, Vec<Owned>)>,
        enqueued: Vec<String>,
    }

    impl Scripted {
        fn record(&mut self, statement: Statement<'_>) {
            let values = statement
                .values
                .iter()
                .map(|value| match *value {
                    Value::Integer(integer) => Owned::Integer(integer),
                    Value::Text(text) => Owned::Text(text.map(str::to_owned)),
                })
                .collect();
            self.ran.push((statement.sql, values));
        }

        fn statements(&self) -> Vec<&'static str> {
            self.ran.iter().map(|(sql, _)| *sql).collect()
        }
    }

    impl Statements for Scripted {
        async fn optional_integer(
            &mut self,
            statement: Statement<'_>,
        ) -> Result<Option<i64>, StoreError> {
            self.record(statement);
            Ok(self.slot)
        }

        async fn inserted_consultation(
            &mut self,
            statement: Statement<'_>,
        ) -> Result<InsertedConsultation, StoreError> {
            self.record(statement);
            let department = (!self.unknown_department).then(|| "総務課".to_owned());
            Ok((41, department, "2406-009".into()))
        }

        async fn changed_rows(&mut self, statement: Statement<'_>) -> Result<u64, StoreError> {
            self.record(statement);
            Ok(self.claims.remove(0))
        }

        async fn enqueue(&mut self, messages: &[NewMessage], _now: i64) -> Result<(), StoreError> {
            self.enqueued
                .extend(messages.iter().map(|new| new.idempotency_key.clone()));
            Ok(())
        }
    }

    fn draft() -> ConsultationDraft {
        ConsultationDraft {
            requester: "U1".into(),
            department: None,
            title: "VPN".into(),
            category: Category::Other,
            details: "本文".into(),
            desired_date: None,
        }
    }

    /// June 2024 under `policy`, nothing asked, no claim.
    fn june_terms(policy: &QuotaPolicy) -> IntakeTerms<'_> {
        IntakeTerms {
            quota_kind: "consultation",
            policy,
            bucket: "2024-06".into(),
            received_at: 1_718_000_000,
            received_month: "2024-06".parse().unwrap(),
            ask_department: None,
            replay_claim: None,
        }
    }

    fn intake(statements: &mut Scripted) -> Result<Recorded, StoreError> {
        let policy = QuotaPolicy::new(10, vec![8, 10]).unwrap();
        let terms = june_terms(&policy);
        run_without_waiting(record_intake(statements, &draft(), &terms, |recorded| {
            Ok(vec![NewMessage {
                idempotency_key: format!("created:{}", recorded.consultation.short_id),
                message: Outgoing {
                    to: Recipient::Channel("#team".into()),
                    text: String::new(),
                    buttons: Vec::new(),
                },
                deferred: None,
                edits: None,
                in_thread_of: None,
            }])
        }))
    }

    fn text(text: &str) -> Owned {
        Owned::Text(Some(text.into()))
    }

    #[test]
    fn a_request_claimed_before_records_nothing() {
        let policy = QuotaPolicy::new(10, vec![8, 10]).unwrap();
        let claim = crate::store::ReplayClaim {
            signature: "v0=abc".into(),
            sent_at: 1_718_000_000,
        };
        let terms = IntakeTerms {
            replay_claim: Some(&claim),
            ..june_terms(&policy)
        };
        let run = |claimed_rows| {
            let mut statements = Scripted {
                claims: vec![claimed_rows],
                ..Scripted::default()
            };
            let outcome =
                run_without_waiting(record_intake(&mut statements, &draft(), &terms, |_| {
                    Ok(Vec::new())
                }));
            (statements, outcome)
        };
        let (replayed, outcome) = run(0);
        assert!(matches!(outcome, Err(StoreError::Replayed)), "{outcome:?}");
        assert_eq!(
            replayed.statements(),
            [crate::store::request_claims::CLAIM_SIGNED_REQUEST],
            "the claim comes first and nothing follows it"
        );
        let (first, outcome) = run(1);
        assert!(outcome.is_ok(), "{outcome:?}");
        assert_eq!(
            first.statements(),
            [
                crate::store::request_claims::CLAIM_SIGNED_REQUEST,
                TAKE_SLOT_WITHIN_LIMIT,
                INSERT_CONSULTATION
            ]
        );
        assert_eq!(
            first.ran[0].1,
            [text("v0=abc"), Owned::Integer(Some(1_718_000_000))]
        );
    }

    #[test]
    fn the_department_question_is_saved_with_the_consultation_only_when_still_unknown() {
        let policy = QuotaPolicy::new(10, vec![8, 10]).unwrap();
        let terms = IntakeTerms {
            ask_department: Some("\"department\""),
            ..june_terms(&policy)
        };
        let run = |unknown_department| {
            let mut statements = Scripted {
                unknown_department,
                claims: vec![1],
                ..Scripted::default()
            };
            let recorded =
                run_without_waiting(record_intake(&mut statements, &draft(), &terms, |_| {
                    Ok(Vec::new())
                }))
                .unwrap();
            (statements, recorded)
        };
        let (known, _) = run(false);
        assert_eq!(
            known.statements(),
            [TAKE_SLOT_WITHIN_LIMIT, INSERT_CONSULTATION]
        );
        let (unknown, recorded) = run(true);
        assert_eq!(
            unknown.statements(),
            [
                TAKE_SLOT_WITHIN_LIMIT,
                INSERT_CONSULTATION,
                crate::store::people::SAVE_CONVERSATION
            ]
        );
        assert_eq!(
            unknown.ran[2].1,
            [
                text("U1"),
                text("\"department\""),
                Owned::Integer(Some(1_718_000_000))
            ]
        );
        assert_eq!(recorded.consultation.department, None);
    }

    #[test]
    fn a_request_without_a_slot_is_held_and_claims_nothing() {
        let mut statements = Scripted::default();
        let recorded = intake(&mut statements).unwrap();
        assert_eq!(
            statements.statements(),
            [TAKE_SLOT_WITHIN_LIMIT, INSERT_CONSULTATION]
        );
        assert_eq!(
            statements.ran[0].1,
            [
                text("consultation"),
                text("2024-06"),
                Owned::Integer(Some(10))
            ]
        );
        let inserted = &statements.ran[1].1;
        assert_eq!(inserted[0], text("2406"));
        assert_eq!(inserted[7], text("held"));
        // Held: no period and no position, typed NULLs for PostgreSQL.
        assert_eq!(inserted[11..], [Owned::Text(None), Owned::Integer(None)]);
        assert_eq!(recorded.consultation.status, Status::Held);
        assert_eq!(recorded.consultation.quota_bucket, None);
        assert!(recorded.newly_alerted.is_empty());
        assert_eq!(statements.enqueued, ["created:2406-009"]);
    }

    #[test]
    fn the_tenth_claims_both_thresholds_and_alerts_only_the_new_one() {
        let mut statements = Scripted {
            slot: Some(10),
            // 8 was claimed by the 8th request; 10 is claimed now.
            claims: vec![0, 1],
            ..Scripted::default()
        };
        let recorded = intake(&mut statements).unwrap();
        assert_eq!(
            statements.statements(),
            [
                TAKE_SLOT_WITHIN_LIMIT,
                INSERT_CONSULTATION,
                CLAIM_ALERT,
                CLAIM_ALERT
            ]
        );
        let inserted = &statements.ran[1].1;
        assert_eq!(inserted[7], text("received"));
        assert_eq!(inserted[11..], [text("2024-06"), Owned::Integer(Some(10))]);
        assert_eq!(statements.ran[2].1[2], Owned::Integer(Some(8)));
        assert_eq!(statements.ran[3].1[2], Owned::Integer(Some(10)));
        assert_eq!(recorded.newly_alerted, [10]);
        assert_eq!(recorded.consultation.status, Status::Received);
        assert_eq!(recorded.consultation.quota_position, Some(10));
        assert_eq!(recorded.consultation.id, 41);
        assert_eq!(recorded.consultation.short_id, "2406-009");
    }

    #[test]
    fn messages_that_cannot_be_built_fail_the_intake_before_the_outbox() {
        let mut statements = Scripted::default();
        let policy = QuotaPolicy::new(10, vec![8, 10]).unwrap();
        let terms = IntakeTerms {
            received_at: 0,
            ..june_terms(&policy)
        };
        let failed = run_without_waiting(record_intake(&mut statements, &draft(), &terms, |_| {
            Err(StoreError::Write("no messages".into()))
        }));
        assert!(matches!(failed, Err(StoreError::Write(_))));
        assert!(statements.enqueued.is_empty());
    }

    #[test]
    fn steps_that_would_wait_are_an_error_not_a_hang() {
        let waits = std::future::pending::<Result<(), StoreError>>();
        assert!(matches!(
            run_without_waiting(waits),
            Err(StoreError::Write(_))
        ));
    }
}
