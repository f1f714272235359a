//! Japanese national holidays by rule, 国民の祝日に関する法律 (昭和23年法律第178号,
//! "祝日法") and the special laws beside it.
//!
//! 祝日法 第2条 names the 国民の祝日 and the special laws add or move single days
//! (`statutory.rs`, with the equinoxes in `equinox.rs`); 第3条 then derives the other
//! holidays from them: the 振替休日 for a 祝日 on a Sunday (第2項) and the 国民の休日
//! between two 祝日 (第3項), both here. The years 1948–2200 are computed once into a table;
//! other years are computed when asked.

mod equinox;
mod statutory;

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::{TABLE_FIRST_YEAR, TABLE_LAST_YEAR, constant_date};
// Re-exported to the calendar so that its tests can read 第3条 against the 祝日 of 第2条.
pub(super) use self::statutory::statutory_holidays_in_year;

/// The name 内閣府 uses for a 振替休日 (祝日法 第3条第2項).
pub const SUBSTITUTE_HOLIDAY_NAME: &str = "振替休日";

/// The name 内閣府 uses for a 国民の休日 (祝日法 第3条第3項).
pub const CITIZENS_HOLIDAY_NAME: &str = "国民の休日";

/// One national holiday: a 国民の祝日, a day a special law made a holiday, a 振替休日
/// or a 国民の休日.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

// ---------------------------------------------------------------------------
// The law's milestones
// ---------------------------------------------------------------------------

/// 祝日法 came into force on its promulgation, 1948-07-20 (附則); there were no
/// national holidays in its sense before, so earlier days in 1948 are ordinary days.
const HOLIDAY_LAW_IN_FORCE: NaiveDate = constant_date(1948, 7, 20);

/// 振替休日 was added by 昭和48年法律第10号, in force 1973-04-12; it does not reach back to
/// Sundays before that (so 1973-02-11, a Sunday, had no substitute).
pub(super) const SUBSTITUTE_RULE_IN_FORCE: NaiveDate = constant_date(1973, 4, 12);

/// 国民の休日 was added by 昭和60年法律第103号, in force 1985-12-27.
pub(super) const CITIZENS_HOLIDAY_RULE_IN_FORCE: NaiveDate = constant_date(1985, 12, 27);

/// 平成17年法律第43号 (in force 2007-01-01) made the substitute the nearest following day
/// that is not a 国民の祝日, instead of simply "the next day".
pub(super) const NEAREST_SUBSTITUTE_RULE_IN_FORCE: NaiveDate = constant_date(2007, 1, 1);

// ---------------------------------------------------------------------------
// 祝日法 第3条: 振替休日 and 国民の休日
// ---------------------------------------------------------------------------

fn contains_date(sorted_holidays: &[Holiday], date: NaiveDate) -> bool {
    sorted_holidays
        .binary_search_by_key(&date, |holiday| holiday.date)
        .is_ok()
}

/// The day a 国民の祝日 on Sunday is moved to (祝日法 第3条第2項), if any.
fn substitute_for(sunday_holiday: NaiveDate, statutory: &[Holiday]) -> Option<NaiveDate> {
    if sunday_holiday.weekday() != Weekday::Sun || sunday_holiday < SUBSTITUTE_RULE_IN_FORCE {
        return None;
    }
    let mut candidate = sunday_holiday.succ_opt()?;
    if sunday_holiday < NEAREST_SUBSTITUTE_RULE_IN_FORCE {
        // Old wording: "その翌日を休日とする"; a Monday that is itself a 祝日 stays one.
        return (!contains_date(statutory, candidate)).then_some(candidate);
    }
    // Since 2007: "その日後においてその日に最も近い「国民の祝日」でない日".
    while contains_date(statutory, candidate) {
        candidate = candidate.succ_opt()?;
    }
    Some(candidate)
}

fn substitute_holidays(statutory: &[Holiday]) -> Vec<Holiday> {
    statutory
        .iter()
        .filter_map(|holiday| substitute_for(holiday.date, statutory))
        .map(|date| Holiday {
            date,
            name: SUBSTITUTE_HOLIDAY_NAME,
        })
        .collect()
}

/// 祝日法 第3条第3項: a day whose previous and next days are both 国民の祝日 is a holiday.
/// Before 2007 the law excluded Sundays and 振替休日; a Sunday sandwich cannot occur
/// since then, so both eras are served by the same exclusions.
fn citizens_holidays(statutory: &[Holiday], substitutes: &[Holiday]) -> Vec<Holiday> {
    statutory
        .windows(2)
        .filter(|pair| (pair[1].date - pair[0].date).num_days() == 2)
        .filter_map(|pair| pair[0].date.succ_opt())
        .filter(|day| *day >= CITIZENS_HOLIDAY_RULE_IN_FORCE && day.weekday() != Weekday::Sun)
        .filter(|day| !substitutes.iter().any(|substitute| substitute.date == *day))
        .map(|date| Holiday {
            date,
            name: CITIZENS_HOLIDAY_NAME,
        })
        .collect()
}

/// Every national holiday of `year` computed from the rules alone, sorted by date.
pub(super) fn compute_national_holidays_in_year(year: i32) -> Vec<Holiday> {
    if year < HOLIDAY_LAW_IN_FORCE.year() {
        return Vec::new();
    }
    let statutory = statutory_holidays_in_year(year);
    let substitutes = substitute_holidays(&statutory);
    let citizens = citizens_holidays(&statutory, &substitutes);
    let mut all: Vec<Holiday> = statutory
        .into_iter()
        .chain(substitutes)
        .chain(citizens)
        .collect();
    all.sort_by_key(|holiday| holiday.date);
    all.dedup_by_key(|holiday| holiday.date);
    all
}

pub(super) fn compute_national_holiday(date: NaiveDate) -> Option<&'static str> {
    compute_national_holidays_in_year(date.year())
        .into_iter()
        .find(|holiday| holiday.date == date)
        .map(|holiday| holiday.name)
}

// ---------------------------------------------------------------------------
// The precomputed table
// ---------------------------------------------------------------------------

/// Every national holiday of 1948–2200, computed once: the rules are cheap but a lookup
/// per request should not rebuild a year's list.
pub(super) static PRECOMPUTED_HOLIDAYS: LazyLock<Vec<Holiday>> = LazyLock::new(|| {
    (TABLE_FIRST_YEAR..=TABLE_LAST_YEAR)
        .flat_map(compute_national_holidays_in_year)
        .collect()
});

fn is_precomputed_year(year: i32) -> bool {
    (TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&year)
}

pub(super) fn precomputed_holidays_of_year(year: i32) -> &'static [Holiday] {
    let table = PRECOMPUTED_HOLIDAYS.as_slice();
    let start = table.partition_point(|holiday| holiday.date.year() < year);
    let end = table.partition_point(|holiday| holiday.date.year() <= year);
    &table[start..end]
}

/// Every national holiday of `year` (国民の祝日, special-law days, 振替休日 and 国民の休日),
/// sorted by date. Empty before 1948, when 祝日法 did not exist yet.
pub fn national_holidays_in_year(year: i32) -> Vec<Holiday> {
    if is_precomputed_year(year) {
        precomputed_holidays_of_year(year).to_vec()
    } else {
        compute_national_holidays_in_year(year)
    }
}

/// The name of the national holiday on `date`, if it is one.
pub fn national_holiday(date: NaiveDate) -> Option<&'static str> {
    if !is_precomputed_year(date.year()) {
        return compute_national_holiday(date);
    }
    let table = PRECOMPUTED_HOLIDAYS.as_slice();
    table
        .binary_search_by_key(&date, |holiday| holiday.date)
        .ok()
        .map(|position| table[position].name)
}
