//! Tests of the open-day calendar, one file per concern: the published holiday lists,
//! the holiday rules by law, the city calendar, counting open days, and properties that
//! hold the bitmap against the rules. The helpers every file uses sit here.

use std::sync::LazyLock;

use chrono::NaiveDate;

use super::{CalendarRules, OpenDayCalendar};

mod city;
mod properties;
mod published_lists;
mod rules;
mod shift;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

static DEFAULT_CALENDAR: LazyLock<OpenDayCalendar> =
    LazyLock::new(OpenDayCalendar::japanese_default);

fn calendar_with(rules: CalendarRules) -> OpenDayCalendar {
    OpenDayCalendar::new(rules)
}

/// The n-th open day by walking one day at a time and asking the rules, not the bitmap.
fn walk_by_rule(calendar: &OpenDayCalendar, from: NaiveDate, n: i32) -> Option<NaiveDate> {
    let is_open = |day: NaiveDate| calendar.closed_reason_by_rule(day).is_none();
    if n == 0 {
        return is_open(from).then_some(from);
    }
    let mut remaining = n.unsigned_abs();
    let mut day = from;
    loop {
        day = if n > 0 {
            day.succ_opt()?
        } else {
            day.pred_opt()?
        };
        if is_open(day) {
            remaining -= 1;
            if remaining == 0 {
                return Some(day);
            }
        }
    }
}
