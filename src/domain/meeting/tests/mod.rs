//! Tests of meeting planning, with 令和6年度 (FY2024, 2024-04-01..2025-03-31) as the worked
//! example: one file per concern, the shared helpers and the default rules here.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Asia::Tokyo;
use chrono_tz::Tz;

use super::*;
use crate::domain::calendar::OpenDayCalendar;

mod added;
mod adjustments;
mod biweekly;
mod kickoff;
mod monthly;
mod properties;
mod regular;
mod reminders;

/// A date as written in the tables: (year, month, day).
type Ymd = (i32, u32, u32);

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

fn clock(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("valid test time")
}

fn wall(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    date(year, month, day).and_time(clock(hour, minute))
}

/// A Tokyo instant.
fn jst(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Tz> {
    Tokyo
        .from_local_datetime(&wall(year, month, day, hour, minute))
        .single()
        .expect("Tokyo has no gaps nowadays")
}

fn month(year: i32, month: u32) -> YearMonth {
    YearMonth::new(year, month).expect("valid test month")
}

/// 令和6年度.
const FY2024: (NaiveDate, NaiveDate) = (
    NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
    NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
);

/// The fiscal year starting in April of `year`.
fn fiscal_year(year: i32) -> (NaiveDate, NaiveDate) {
    (date(year, 4, 1), date(year + 1, 3, 31))
}

static CALENDAR: LazyLock<OpenDayCalendar> = LazyLock::new(OpenDayCalendar::japanese_default);

/// The documented defaults of the configuration: 2nd Tuesday 10:00–11:00 with materials two
/// open days before, Thursdays 14:00–15:00 every two weeks, no kickoff.
fn default_rules() -> MeetingRules {
    MeetingRules {
        regular: RegularRule {
            rule: MonthlyRule {
                nth: NthWeek::Second,
                weekday: Weekday::Tue,
            },
            time: clock(10, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            deadline_open_days_before: 2,
            deliverables: [
                "会議次第",
                "進捗状況報告書",
                "課題管理表",
                "概要スケジュール",
            ]
            .map(str::to_owned)
            .to_vec(),
        },
        biweekly: BiweeklyRule {
            anchor: None,
            time: clock(14, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            url: None,
        },
        kickoff: None,
        reminders: ReminderTimes {
            heads_up: clock(9, 0),
            due: clock(9, 0),
            escalation: clock(15, 0),
            meeting_day: clock(9, 0),
            biweekly_previous_day: clock(17, 0),
            biweekly_before_minutes: 60,
        },
    }
}

fn plan(rules: &MeetingRules, adjustments: &[Adjustment]) -> Vec<Meeting> {
    plan_meetings(rules, FY2024, adjustments, &CALENDAR)
}

fn of_kind(meetings: &[Meeting], kind: MeetingKind) -> Vec<Meeting> {
    meetings
        .iter()
        .filter(|meeting| meeting.kind == kind)
        .cloned()
        .collect()
}

fn find<'a>(meetings: &'a [Meeting], key: &str) -> Option<&'a Meeting> {
    meetings.iter().find(|meeting| meeting.key == key)
}

/// The reminders of one meeting as `(kind, Tokyo wall time)`.
fn reminders_of(reminders: &[Reminder], key: &str) -> Vec<(ReminderKind, NaiveDateTime)> {
    reminders
        .iter()
        .filter(|reminder| reminder.meeting_key == key)
        .map(|reminder| (reminder.kind, reminder.at.naive_local()))
        .collect()
}
