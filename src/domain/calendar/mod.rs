//! The city's open-day (開庁日) calendar: Japanese national holidays computed by rule,
//! plus the closures the city adds on top of them.
//!
//! National holidays follow 国民の祝日に関する法律 (昭和23年法律第178号, "祝日法") and the
//! special laws that added or moved single days. A city office is closed on the days
//! listed in 地方自治法 第4条の2: Saturdays and Sundays, the holidays of 祝日法, and the
//! year-end days fixed by the city's 休日条例 (customarily 12月29日–1月3日).
//!
//! Pure: no I/O, no clock reads. Every function takes the date it needs.
//!
//! The code follows the law's seams. `holidays` computes the national holidays: 祝日法
//! 第2条 and the special laws in `holidays/statutory.rs`, 春分日・秋分日 in
//! `holidays/equinox.rs`, 第3条 (振替休日, 国民の休日) and the yearly lists in
//! `holidays/mod.rs`. This file holds the city's own rules ([`CalendarRules`]) and the
//! [`OpenDayCalendar`] built from them; `bitmap` keeps the open days of 1948–2200 one bit
//! each, and `shift` counts open days forward and back over it.

mod bitmap;
mod holidays;
mod response;

pub use response::{ResponseTargets, Target, TargetPlan, office_closing_time};
mod shift;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use self::bitmap::{OpenDayBitmap, table_index};
pub use self::holidays::{
    CITIZENS_HOLIDAY_NAME, Holiday, SUBSTITUTE_HOLIDAY_NAME, national_holiday,
    national_holidays_in_year,
};

// ---------------------------------------------------------------------------
// The precomputed range, shared by the holiday table and the open-day bitmap
// ---------------------------------------------------------------------------

/// Builds a constant date for the `const` items of the calendar; every date they name is
/// valid, so this never panics at run time.
const fn constant_date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// The years the holiday table and the open-day bitmap cover; 祝日法 came into force in
/// 1948, so no earlier year has a holiday. Days outside the range are answered by rule.
const TABLE_FIRST_YEAR: i32 = 1948;
const TABLE_LAST_YEAR: i32 = 2200;
const TABLE_FIRST_DAY: NaiveDate = constant_date(TABLE_FIRST_YEAR, 1, 1);
const TABLE_LAST_DAY: NaiveDate = constant_date(TABLE_LAST_YEAR, 12, 31);
/// `TABLE_FIRST_DAY.num_days_from_ce()`, spelled out because that method is not `const`
/// (a unit test checks it).
const TABLE_FIRST_DAY_NUMBER: i32 = 711_127;
/// Days in `TABLE_FIRST_DAY..=TABLE_LAST_DAY` (checked by a unit test).
const TABLE_DAY_COUNT: usize = 92_407;

// ---------------------------------------------------------------------------
// The city calendar
// ---------------------------------------------------------------------------

/// Why the city office is closed on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ClosedReason {
    Saturday,
    Sunday,
    NationalHoliday(&'static str),
    YearEndClosure,
    Configured(String),
}

impl ClosedReason {
    /// The reason as shown to people: 土曜日, 日曜日, the holiday's name, 年末年始, or the
    /// configured reason.
    pub fn name_ja(&self) -> &str {
        match self {
            ClosedReason::Saturday => "土曜日",
            ClosedReason::Sunday => "日曜日",
            ClosedReason::NationalHoliday(name) => name,
            ClosedReason::YearEndClosure => "年末年始",
            ClosedReason::Configured(reason) => reason,
        }
    }

    /// A stable machine-readable code, for logs and exports.
    pub fn code(&self) -> &'static str {
        match self {
            ClosedReason::Saturday => "saturday",
            ClosedReason::Sunday => "sunday",
            ClosedReason::NationalHoliday(_) => "national_holiday",
            ClosedReason::YearEndClosure => "year_end_closure",
            ClosedReason::Configured(_) => "configured",
        }
    }
}

/// What the city adds to the national rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRules {
    /// Close 12月29日–1月3日 (地方自治法 第4条の2第2項第3号 and the city's 休日条例).
    pub year_end_closure: bool,
    /// Further closed days with the reason to show. If a date is listed twice the first
    /// reason wins.
    pub extra_closed: Vec<(NaiveDate, String)>,
    /// Days that are open whatever else says, e.g. when a future special law is repealed
    /// or the city opens on a Saturday. They override `extra_closed` too.
    pub extra_open: Vec<NaiveDate>,
}

impl Default for CalendarRules {
    /// Every Japanese city closes at the year end, so the default keeps the closure.
    fn default() -> Self {
        CalendarRules {
            year_end_closure: true,
            extra_closed: Vec::new(),
            extra_open: Vec::new(),
        }
    }
}

fn is_year_end_closure_day(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

/// Which days the city office is open. Built once from [`CalendarRules`]; the days of
/// 1948–2200 are precomputed into a bitmap, other days are answered by rule.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenDayCalendar {
    year_end_closure: bool,
    extra_closed: BTreeMap<NaiveDate, String>,
    extra_open: BTreeSet<NaiveDate>,
    open_days: OpenDayBitmap,
}

impl fmt::Debug for OpenDayCalendar {
    // The bitmap is thousands of words of noise; show the rules it was built from.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("OpenDayCalendar")
            .field("year_end_closure", &self.year_end_closure)
            .field("extra_closed", &self.extra_closed)
            .field("extra_open", &self.extra_open)
            .finish_non_exhaustive()
    }
}

impl Default for OpenDayCalendar {
    fn default() -> Self {
        OpenDayCalendar::japanese_default()
    }
}

impl OpenDayCalendar {
    pub fn new(rules: CalendarRules) -> Self {
        let mut extra_closed = BTreeMap::new();
        for (date, reason) in rules.extra_closed {
            extra_closed.entry(date).or_insert(reason);
        }
        let mut calendar = OpenDayCalendar {
            year_end_closure: rules.year_end_closure,
            extra_closed,
            extra_open: rules.extra_open.into_iter().collect(),
            open_days: OpenDayBitmap::all_closed(),
        };
        calendar.open_days = calendar.build_open_day_bitmap();
        calendar
    }

    /// Saturdays, Sundays, national holidays and the year-end closure; nothing else.
    pub fn japanese_default() -> Self {
        OpenDayCalendar::new(CalendarRules::default())
    }

    /// Whether the office is open on `date`: one bit lookup inside 1948–2200.
    pub fn is_open(&self, date: NaiveDate) -> bool {
        match table_index(date) {
            Some(index) => self.open_days.is_set(index),
            None => self.closed_reason(date).is_none(),
        }
    }

    /// Why the office is closed on `date`, or `None` if it is open. Precedence: an
    /// `extra_open` day is open; then a configured reason; then the national holiday
    /// (so a holiday on a Sunday reports the holiday); then 年末年始; then the weekend.
    pub fn closed_reason(&self, date: NaiveDate) -> Option<ClosedReason> {
        self.closed_reason_with(date, national_holiday)
    }

    fn closed_reason_with(
        &self,
        date: NaiveDate,
        holiday_name: impl FnOnce(NaiveDate) -> Option<&'static str>,
    ) -> Option<ClosedReason> {
        if self.extra_open.contains(&date) {
            return None;
        }
        if let Some(reason) = self.extra_closed.get(&date) {
            return Some(ClosedReason::Configured(reason.clone()));
        }
        if let Some(name) = holiday_name(date) {
            return Some(ClosedReason::NationalHoliday(name));
        }
        if self.year_end_closure && is_year_end_closure_day(date) {
            return Some(ClosedReason::YearEndClosure);
        }
        match date.weekday() {
            Weekday::Sat => Some(ClosedReason::Saturday),
            Weekday::Sun => Some(ClosedReason::Sunday),
            _ => None,
        }
    }

    /// Same as [`Self::closed_reason`] but computed from the rules without any table;
    /// the tests hold the bitmap against it.
    #[cfg(test)]
    fn closed_reason_by_rule(&self, date: NaiveDate) -> Option<ClosedReason> {
        self.closed_reason_with(date, holidays::compute_national_holiday)
    }

    /// Open days in `from..=to`, in order; empty if `from > to`.
    pub fn open_days_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        days_between(from, to)
            .filter(|date| self.is_open(*date))
            .collect()
    }

    /// Closed days in `from..=to` with their reasons, in order; empty if `from > to`.
    pub fn closed_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, ClosedReason)> {
        days_between(from, to)
            .filter_map(|date| self.closed_reason(date).map(|reason| (date, reason)))
            .collect()
    }

    /// National holidays in `from..=to` (whatever the city's own rules say), in order.
    pub fn holidays_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Holiday> {
        if from > to {
            return Vec::new();
        }
        (from.year().max(TABLE_FIRST_YEAR)..=to.year())
            .flat_map(national_holidays_in_year)
            .filter(|holiday| (from..=to).contains(&holiday.date))
            .collect()
    }
}

/// `from..=to` day by day; empty if `from > to`.
fn days_between(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |date| *date <= to)
}
