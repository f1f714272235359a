//! Consultations, their event history and the quota counters. Every change
//! runs in one transaction with the counter update, the history entry and
//! the messages it causes (see `outbox`), so a crash leaves either all of it
//! or none.
//!
//! `intake_transaction` is the one definition of a new consultation's
//! transaction, run by both write paths (`sqlx_statements` and the intake
//! writer); `lifecycle` holds the changes after it, `queries` what reads
//! them.

mod intake_transaction;
mod lifecycle;
mod queries;
mod search;
mod sqlx_statements;

pub use search::{Indexed, SearchHits};

use chrono::NaiveDate;

use super::StoreError;
use crate::domain::consultation::{Action, Category, Status};
use crate::domain::month::YearMonth;
use crate::domain::quota::QuotaPolicy;

pub(super) use intake_transaction::{
    InsertedConsultation, Statement, Statements, Value, record_intake, run_without_waiting,
};
pub(super) use sqlx_statements::{claim_alerts, take_slot_within_limit};

/// A consultation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub id: i64,
    /// What staff read out on the phone: `YYMM-NNN` of the receipt month.
    pub short_id: String,
    pub requester: String,
    pub department: Option<String>,
    pub title: String,
    pub category: Category,
    pub details: String,
    pub desired_date: Option<NaiveDate>,
    pub status: Status,
    pub assignee: Option<String>,
    /// Epoch seconds.
    pub received_at: i64,
    pub received_month: YearMonth,
    pub quota_kind: String,
    /// The period whose quota it uses (`YYYY-MM` or `contract`); `None`
    /// while held or if it never counted.
    pub quota_bucket: Option<String>,
    /// Its position in that period's count when it started counting.
    pub quota_position: Option<i64>,
    pub exception: bool,
    pub decline_reason: Option<String>,
    /// The month a held consultation waits in, once carried over into a
    /// month already at its limit (else its receipt month).
    pub held_month: Option<YearMonth>,
}

impl Consultation {
    /// The month whose quota a held consultation waits for: where it was
    /// received, or where a carry-over into a full month left it.
    pub fn waiting_month(&self) -> YearMonth {
        self.held_month.unwrap_or(self.received_month)
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ConsultationRow {
    pub(super) id: i64,
    pub(super) short_id: String,
    pub(super) requester: String,
    pub(super) department: Option<String>,
    pub(super) title: String,
    pub(super) category: String,
    pub(super) details: String,
    pub(super) desired_date: Option<String>,
    pub(super) status: String,
    pub(super) assignee: Option<String>,
    pub(super) received_at: i64,
    pub(super) received_month: String,
    pub(super) quota_kind: String,
    pub(super) quota_bucket: Option<String>,
    pub(super) quota_position: Option<i64>,
    pub(super) exception: i64,
    pub(super) decline_reason: Option<String>,
    pub(super) held_month: Option<String>,
}

pub(super) const CONSULTATION_COLUMNS: &str = "id, short_id, requester, department, title, category, details, desired_date, \
     status, assignee, received_at, received_month, quota_kind, quota_bucket, quota_position, exception, decline_reason, held_month";

impl TryFrom<ConsultationRow> for Consultation {
    type Error = StoreError;

    fn try_from(row: ConsultationRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("consultation {}: {what}", row.id));
        Ok(Self {
            category: Category::from_code(&row.category).ok_or_else(|| corrupt("category"))?,
            status: Status::from_code(&row.status).ok_or_else(|| corrupt("status"))?,
            received_month: row
                .received_month
                .parse()
                .map_err(|_| corrupt("received_month"))?,
            desired_date: match &row.desired_date {
                Some(date) => Some(date.parse().map_err(|_| corrupt("desired_date"))?),
                None => None,
            },
            id: row.id,
            short_id: row.short_id,
            requester: row.requester,
            department: row.department,
            title: row.title,
            details: row.details,
            assignee: row.assignee,
            received_at: row.received_at,
            quota_kind: row.quota_kind,
            quota_bucket: row.quota_bucket,
            quota_position: row.quota_position,
            exception: row.exception != 0,
            decline_reason: row.decline_reason,
            held_month: match &row.held_month {
                Some(month) => Some(month.parse().map_err(|_| corrupt("held_month"))?),
                None => None,
            },
        })
    }
}

/// What a user submitted, validated by the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationDraft {
    pub requester: String,
    pub department: Option<String>,
    pub title: String,
    pub category: Category,
    pub details: String,
    pub desired_date: Option<NaiveDate>,
}

/// Where and when a new consultation counts.
#[derive(Debug, Clone)]
pub struct IntakeTerms<'a> {
    pub quota_kind: &'a str,
    pub policy: &'a QuotaPolicy,
    /// The period it counts in if it fits: `YYYY-MM` or `contract`.
    pub bucket: String,
    pub received_at: i64,
    pub received_month: YearMonth,
    /// A dialogue state saved, in the same transaction, as the requester's
    /// conversation when the consultation's department is still unknown
    /// after the insert (the bot then asks for it): the question and the
    /// consultation are stored together, in one commit.
    pub ask_department: Option<&'a str>,
    /// The claim of the signed request this intake comes from, taken as
    /// the transaction's first statement; a claim taken before fails the
    /// intake with `StoreError::Replayed`, and nothing is written.
    pub replay_claim: Option<&'a super::ReplayClaim>,
}

/// What recording a consultation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub consultation: Consultation,
    /// The thresholds this request reached first (each alerts once).
    pub newly_alerted: Vec<u32>,
}

/// A state change to apply, decided by the domain rules.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub consultation_id: i64,
    pub from: Status,
    pub to: Status,
    pub action: Action,
    pub actor: &'a str,
    pub at: i64,
    pub assignee: Option<&'a str>,
    pub decline_reason: Option<&'a str>,
    /// The words that come with the change, kept in the history: the
    /// advice with `Action::Answer` (an `answer` event), the requester's
    /// question with `Action::Reopen` (a `followup` event).
    pub words: Option<&'a str>,
    pub quota: QuotaChange<'a>,
    /// The month a held consultation waited in when the change was
    /// decided (`held_month`, `None` for its receipt month): the change
    /// applies only if it still does, so two decisions from one reading
    /// never both apply.
    pub held_month: Option<String>,
    /// Response-target jobs the change plans (a held consultation let in:
    /// its targets count from the decision), unless it stays held.
    pub jobs: Vec<crate::store::PlannedJob>,
}

/// How a change moves the quota count.
#[derive(Debug, Clone)]
pub enum QuotaChange<'a> {
    None,
    /// Give back the slot it held.
    Release,
    /// Start counting in `bucket` regardless of the limit (a coordinator's
    /// decision), marked as an exception or not.
    Take {
        bucket: String,
        policy: &'a QuotaPolicy,
        exception: bool,
    },
}

/// What applying a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Done {
        consultation: Consultation,
        newly_alerted: Vec<u32>,
    },
    /// Someone changed it first; here is how it stands now.
    Conflict { current: Consultation },
}

/// One entry of a consultation's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: Option<String>,
}

/// Which consultations to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this requester's (what staff may see); `None` for everything
    /// (the team).
    pub visible_to: Option<String>,
    pub requester: Option<String>,
    pub open_only: bool,
    pub limit: i64,
}
