//! `banso schedule preview` and `banso schedule ics`: every meeting,
//! deadline and reminder the configuration produces for a period, without
//! sending anything (and without the changes stored in a database).

use chrono::NaiveDate;
use serde::Serialize;

use super::rules;
use crate::config::Settings;
use crate::domain::calendar::OpenDayCalendar;
use crate::domain::fiscal::FiscalYear;
use crate::domain::meeting::{Meeting, plan_meetings, plan_reminders};

/// One line of the preview, as the JSON interface documents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewEntry {
    pub kind: &'static str,
    pub at: String,
    pub meeting: String,
}

/// Why a period cannot be previewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// `--fiscal-year` lies wholly outside the configured contract.
    OutsideContract { start: NaiveDate, end: NaiveDate },
}

/// The period to plan: the configured contract, else `--fiscal-year`, else
/// the fiscal year containing `today`; both given, their overlap.
pub fn period(
    settings: &Settings,
    fiscal_year: Option<i32>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), PeriodError> {
    let fiscal = fiscal_year.map(|year| {
        let year = FiscalYear::new(year);
        (year.first_day(), year.last_day())
    });
    match (settings.contract, fiscal) {
        (Some(contract), Some((first, last))) => {
            let overlap = (contract.start.max(first), contract.end.min(last));
            if overlap.0 > overlap.1 {
                return Err(PeriodError::OutsideContract {
                    start: contract.start,
                    end: contract.end,
                });
            }
            Ok(overlap)
        }
        (Some(contract), None) => Ok((contract.start, contract.end)),
        (None, Some(fiscal)) => Ok(fiscal),
        (None, None) => {
            let year = FiscalYear::containing(today);
            Ok((year.first_day(), year.last_day()))
        }
    }
}

/// The meetings of the period, as the configuration alone plans them.
pub fn meetings(
    settings: &Settings,
    calendar: &OpenDayCalendar,
    period: (NaiveDate, NaiveDate),
) -> Vec<Meeting> {
    plan_meetings(&rules(settings), period, &[], calendar)
}

/// Meetings and reminders together, sorted by time.
pub fn entries(
    settings: &Settings,
    calendar: &OpenDayCalendar,
    period: (NaiveDate, NaiveDate),
) -> Vec<PreviewEntry> {
    let meetings = meetings(settings, calendar, period);
    let reminders = plan_reminders(&meetings, &rules(settings).reminders, calendar);
    let mut entries: Vec<(i64, u8, PreviewEntry)> = meetings
        .iter()
        .map(|meeting| {
            let entry = PreviewEntry {
                kind: meeting.kind.code(),
                at: meeting.starts_at.to_rfc3339(),
                meeting: meeting.starts_at.to_rfc3339(),
            };
            (meeting.starts_at.timestamp(), 1, entry)
        })
        .collect();
    entries.extend(reminders.iter().map(|reminder| {
        let entry = PreviewEntry {
            kind: reminder.kind.code(),
            at: reminder.at.to_rfc3339(),
            meeting: reminder.meeting_starts_at.to_rfc3339(),
        };
        (reminder.at.timestamp(), 0, entry)
    }));
    // A reminder at a meeting's own minute comes before the meeting.
    entries.sort_by_key(|entry| (entry.0, entry.1));
    entries.into_iter().map(|(_, _, entry)| entry).collect()
}
