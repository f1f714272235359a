//! Meetings of the contract and the reminders before them, as pure plans.
//!
//! The contract (仕様書) asks for three kinds of meeting:
//! - 5(2)ア a kickoff (キックオフ会議), with the 実施計画書 handed in before it;
//! - 5(2)イ a regular report meeting (定例報告会) about once a month, whose agenda and
//!   materials are due 原則２開庁日前 (two open days before);
//! - 6(3) a meeting with the city every two weeks (２週間に１度).
//!
//! [`plan_meetings`] turns the rules, the contract period, the single-occurrence changes made
//! by command ([`Adjustment`]) and the open-day calendar into the list of meetings;
//! [`plan_reminders`] turns meetings into the reminders to post. Both are pure: every time is
//! Asia/Tokyo wall-clock time, and nothing reads a clock.
//!
//! `monthly` holds the day-of-month rule and the closed-day policy (configuration reads
//! them), `plan` the meetings, `reminders` the reminders.

mod monthly;
mod plan;
mod reminders;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Asia::Tokyo;
use chrono_tz::Tz;
use serde::Serialize;

use super::month::YearMonth;

pub use self::monthly::{MonthlyRule, NthWeek, OnClosedDay};
pub use self::plan::{KICKOFF_KEY, biweekly_key, plan_meetings, regular_key};
pub use self::reminders::{Reminder, ReminderKind, plan_reminders};

/// The kinds of meeting the contract asks for: three planned by rule, the
/// others added one at a time (`Adjustment::Add`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MeetingKind {
    /// 定例報告会, about once a month (仕様書 5(2)イ).
    Regular,
    /// The meeting every two weeks (仕様書 6(3)).
    Biweekly,
    /// キックオフ会議, once (仕様書 5(2)ア).
    Kickoff,
    /// 作業会議, as the work needs (仕様書 5(2)ウ).
    Work,
    /// The advisory audit's 事前説明会 (仕様書 4(1)イ).
    Briefing,
    /// 監査報告会, one per audited 事務 (仕様書 4(1)イ(ｴ)g).
    AuditReport,
    /// 臨時: any other meeting.
    Extra,
}

impl MeetingKind {
    /// The kinds a person adds one at a time.
    pub const ADDED: [MeetingKind; 4] = [
        MeetingKind::Work,
        MeetingKind::Briefing,
        MeetingKind::AuditReport,
        MeetingKind::Extra,
    ];

    /// A stable machine-readable code, for templates, logs and exports.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Regular => "regular_meeting",
            MeetingKind::Biweekly => "biweekly_meeting",
            MeetingKind::Kickoff => "kickoff",
            MeetingKind::Work => "work_meeting",
            MeetingKind::Briefing => "briefing",
            MeetingKind::AuditReport => "audit_report",
            MeetingKind::Extra => "extra_meeting",
        }
    }

    /// An added kind by its code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ADDED.into_iter().find(|kind| kind.code() == code)
    }

    /// An added kind as people type it: its Japanese name or an English
    /// alias (`作業会議`, `work`; `事前説明会`, `説明会`, `briefing`;
    /// `監査報告会`, `報告会`, `audit-report`; `臨時`, `extra`).
    pub fn typed(word: &str) -> Option<Self> {
        let word = word.trim().to_lowercase();
        Some(match word.as_str() {
            "作業会議" | "作業" | "work" | "work-meeting" => MeetingKind::Work,
            "事前説明会" | "説明会" | "briefing" => MeetingKind::Briefing,
            "監査報告会" | "報告会" | "audit-report" | "audit_report" | "report" => {
                MeetingKind::AuditReport
            }
            "臨時" | "臨時会議" | "extra" | "other" => MeetingKind::Extra,
            _ => return None,
        })
    }
}

/// Everything that decides when meetings are held and when reminders are posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRules {
    pub regular: RegularRule,
    pub biweekly: BiweeklyRule,
    /// `None`: no kickoff planned.
    pub kickoff: Option<KickoffRule>,
    pub reminders: ReminderTimes,
}

/// The monthly 定例報告会 (仕様書 5(2)イ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularRule {
    /// Which day of the month.
    pub rule: MonthlyRule,
    /// Start time.
    pub time: NaiveTime,
    pub duration_minutes: u32,
    /// What to do when the rule's day is closed.
    pub on_closed_day: OnClosedDay,
    /// Materials are due by the end of the open day this many open days before the meeting
    /// (仕様書 5(2)イ: 原則２開庁日前); 0 means the meeting day itself. The kickoff's
    /// deliverables follow the same count.
    pub deadline_open_days_before: u32,
    /// What is due; none means no deadline and no deliverables reminders.
    pub deliverables: Vec<String>,
}

/// The meeting every two weeks (仕様書 6(3): ２週間に１度).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiweeklyRule {
    /// The first meeting of the series; `None`: the first Thursday on or after the start of
    /// the period planned.
    pub anchor: Option<NaiveDate>,
    pub time: NaiveTime,
    pub duration_minutes: u32,
    pub on_closed_day: OnClosedDay,
    /// Web-meeting link, if any.
    pub url: Option<String>,
}

/// The one kickoff meeting (仕様書 5(2)ア), with the 実施計画書 due before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KickoffRule {
    /// Its date; a closed date moves like the regular meeting's, and is never skipped.
    /// `None`: the fifth open day after the contract's start (仕様書 5(2)ア: held soon
    /// after the contract begins).
    pub date: Option<NaiveDate>,
    pub time: NaiveTime,
    pub duration_minutes: u32,
    pub deliverables: Vec<String>,
}

/// When reminders are posted (wall-clock times in Tokyo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTimes {
    /// Two open days before a deliverables deadline.
    pub heads_up: NaiveTime,
    /// On the deadline day.
    pub due: NaiveTime,
    /// On the deadline day, for whatever is still missing.
    pub escalation: NaiveTime,
    /// On the day of a regular meeting or the kickoff.
    pub meeting_day: NaiveTime,
    /// On the open day before a biweekly meeting.
    pub biweekly_previous_day: NaiveTime,
    /// This many minutes before a biweekly meeting.
    pub biweekly_before_minutes: u32,
}

/// A change to one occurrence, made by command. None of them changes the series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adjustment {
    /// Hold the occurrence with this key at another time (Tokyo); it keeps its key and
    /// length. The new time is taken as given, even on a closed day.
    Move { key: String, to: NaiveDateTime },
    /// Do not hold the occurrence with this key.
    Cancel { key: String },
    /// Hold this month's regular meeting at `at` instead of on the rule's day. A closed day
    /// still moves by the closed-day policy (a skip policy moves it to the next open day).
    SetRegular { month: YearMonth, at: NaiveDateTime },
    /// Hold a meeting of an added kind (`MeetingKind::ADDED`) at `at`, as given; later
    /// moves and cancels name it by `key`.
    Add(AddedMeeting),
}

/// A meeting added one at a time (`/meeting add`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedMeeting {
    pub key: String,
    pub kind: MeetingKind,
    pub at: NaiveDateTime,
    pub duration_minutes: u32,
    /// Where it is held, if in a room.
    pub place: Option<String>,
    /// Its Web meeting link (仕様書 5(2)エ allows Web meetings), if any.
    pub url: Option<String>,
    /// What it is about.
    pub agenda: Option<String>,
}

/// One planned meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    /// Stable occurrence key: `regular:2024-06`, `biweekly:2024-04-04` (the series date,
    /// kept when the meeting moves), `kickoff`.
    pub key: String,
    pub kind: MeetingKind,
    pub starts_at: DateTime<Tz>,
    pub ends_at: DateTime<Tz>,
    /// The date the rules give (after the closed-day policy), before any [`Adjustment::Move`].
    pub scheduled_date: NaiveDate,
    /// Whether an [`Adjustment::Move`] changed its time.
    pub moved: bool,
    /// Regular and kickoff meetings with deliverables: materials are due by the end of this
    /// open day.
    pub deadline: Option<NaiveDate>,
    pub deliverables: Vec<String>,
    pub url: Option<String>,
    /// Where it is held (an added meeting's 場所=).
    pub place: Option<String>,
    /// What it is about (an added meeting's 議題=).
    pub agenda: Option<String>,
}

impl Meeting {
    /// The day it is held (Tokyo).
    pub fn date(&self) -> NaiveDate {
        self.starts_at.date_naive()
    }
}

/// A Tokyo wall-clock time as an instant. Tokyo has kept +09:00 since 1952; for the summer
/// times of 1948–1951 an ambiguous time takes the earlier instant and a skipped one is read
/// as +09:00.
fn tokyo(at: NaiveDateTime) -> DateTime<Tz> {
    Tokyo
        .from_local_datetime(&at)
        .earliest()
        .unwrap_or_else(|| Tokyo.from_utc_datetime(&(at - Duration::hours(9))))
}
