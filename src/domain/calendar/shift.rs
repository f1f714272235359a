//! Counting open days forward and back ([`OpenDayCalendar::shift_open_days`] and the
//! "on or after / on or before" helpers): word by word on the bitmap inside 1948–2200,
//! day by day by rule outside it.

use chrono::{Datelike, NaiveDate};

use super::bitmap::{date_at_table_index, table_index};
use super::{Holiday, OpenDayCalendar, TABLE_FIRST_DAY, TABLE_LAST_DAY, national_holidays_in_year};

/// A year's holidays kept while walking day by day outside the precomputed range, so a
/// long walk computes each year once rather than once per day.
#[derive(Default)]
struct HolidaysOfYearCache {
    year: Option<i32>,
    holidays: Vec<Holiday>,
}

impl HolidaysOfYearCache {
    fn holiday_name(&mut self, date: NaiveDate) -> Option<&'static str> {
        if self.year != Some(date.year()) {
            self.holidays = national_holidays_in_year(date.year());
            self.year = Some(date.year());
        }
        self.holidays
            .iter()
            .find(|holiday| holiday.date == date)
            .map(|holiday| holiday.name)
    }
}

impl OpenDayCalendar {
    fn is_open_by_rule_cached(&self, date: NaiveDate, cache: &mut HolidaysOfYearCache) -> bool {
        self.closed_reason_with(date, |day| cache.holiday_name(day))
            .is_none()
    }

    /// Counts `n` open days from `from`: for n > 0 the n-th open day strictly after it,
    /// for n < 0 the |n|-th open day strictly before it, for n = 0 `from` itself if it is
    /// open. `None` when the answer would lie outside chrono's range of dates (or, for
    /// n = 0, when `from` is closed).
    pub fn shift_open_days(&self, from: NaiveDate, n: i32) -> Option<NaiveDate> {
        match n {
            0 => self.is_open(from).then_some(from),
            1.. => self.nth_open_day_after(from, n.unsigned_abs()),
            _ => self.nth_open_day_before(from, n.unsigned_abs()),
        }
    }

    fn nth_open_day_after(&self, from: NaiveDate, count: u32) -> Option<NaiveDate> {
        // More open days than days left before chrono's end: fail now instead of walking.
        let days_left = i64::from(NaiveDate::MAX.num_days_from_ce() - from.num_days_from_ce());
        if i64::from(count) > days_left {
            return None;
        }
        let mut remaining = count;
        let mut cache = HolidaysOfYearCache::default();
        let mut day = from.succ_opt()?;
        loop {
            if let Some(index) = table_index(day) {
                match self.open_days.nth_open_at_or_after(index, remaining) {
                    Ok(found) => return Some(date_at_table_index(found)),
                    Err(seen) => remaining -= seen,
                }
                day = TABLE_LAST_DAY;
            } else if self.is_open_by_rule_cached(day, &mut cache) {
                remaining -= 1;
                if remaining == 0 {
                    return Some(day);
                }
            }
            day = day.succ_opt()?;
        }
    }

    fn nth_open_day_before(&self, from: NaiveDate, count: u32) -> Option<NaiveDate> {
        let days_left = i64::from(from.num_days_from_ce() - NaiveDate::MIN.num_days_from_ce());
        if i64::from(count) > days_left {
            return None;
        }
        let mut remaining = count;
        let mut cache = HolidaysOfYearCache::default();
        let mut day = from.pred_opt()?;
        loop {
            if let Some(index) = table_index(day) {
                match self.open_days.nth_open_at_or_before(index, remaining) {
                    Ok(found) => return Some(date_at_table_index(found)),
                    Err(seen) => remaining -= seen,
                }
                day = TABLE_FIRST_DAY;
            } else if self.is_open_by_rule_cached(day, &mut cache) {
                remaining -= 1;
                if remaining == 0 {
                    return Some(day);
                }
            }
            day = day.pred_opt()?;
        }
    }

    /// `date` if it is open, else the first open day after it.
    pub fn next_open_day_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        if self.is_open(date) {
            Some(date)
        } else {
            self.shift_open_days(date, 1)
        }
    }

    /// `date` if it is open, else the last open day before it.
    pub fn previous_open_day_on_or_before(&self, date: NaiveDate) -> Option<NaiveDate> {
        if self.is_open(date) {
            Some(date)
        } else {
            self.shift_open_days(date, -1)
        }
    }
}
