//! The holiday rules year by year: the older wordings of 祝日法 (renamed and moved days,
//! 振替休日 before and after 2007, 国民の休日 from 1985), the imperial one-off days, the
//! equinox formula, and an independent day-by-day reading of 祝日法 第3条.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};

use super::date;
use crate::domain::calendar::holidays::{
    CITIZENS_HOLIDAY_RULE_IN_FORCE, NEAREST_SUBSTITUTE_RULE_IN_FORCE, SUBSTITUTE_RULE_IN_FORCE,
    compute_national_holiday, compute_national_holidays_in_year, precomputed_holidays_of_year,
    statutory_holidays_in_year,
};
use crate::domain::calendar::{
    CITIZENS_HOLIDAY_NAME, Holiday, SUBSTITUTE_HOLIDAY_NAME, TABLE_FIRST_YEAR, TABLE_LAST_YEAR,
    days_between, national_holiday, national_holidays_in_year,
};

fn assert_holiday(year: i32, month: u32, day: u32, expected: Option<&str>) {
    let day = date(year, month, day);
    assert_eq!(national_holiday(day), expected, "{day}");
    assert_eq!(compute_national_holiday(day), expected, "{day} by rule");
}

#[test]
fn no_holidays_before_the_law_came_into_force() {
    assert!(national_holidays_in_year(1947).is_empty());
    assert!(national_holidays_in_year(1900).is_empty());
    assert!(national_holidays_in_year(-5000).is_empty());
    let first_year: Vec<(NaiveDate, &str)> = national_holidays_in_year(1948)
        .into_iter()
        .map(|holiday| (holiday.date, holiday.name))
        .collect();
    assert_eq!(
        first_year,
        vec![
            (date(1948, 9, 23), "秋分の日"),
            (date(1948, 11, 3), "文化の日"),
            (date(1948, 11, 23), "勤労感謝の日"),
        ]
    );
    assert_holiday(1949, 1, 1, Some("元日"));
    assert_holiday(1949, 1, 15, Some("成人の日"));
}

#[test]
fn imperial_one_off_holidays() {
    assert_holiday(1959, 4, 10, Some("皇太子・明仁親王の結婚の儀"));
    assert_holiday(1989, 2, 24, Some("昭和天皇の大喪の礼"));
    assert_holiday(1990, 11, 12, Some("即位礼正殿の儀"));
    assert_holiday(1993, 6, 9, Some("皇太子・徳仁親王の結婚の儀"));
    assert_holiday(2019, 5, 1, Some("天皇の即位の日"));
    assert_holiday(2019, 10, 22, Some("即位礼正殿の儀"));
}

#[test]
fn renamed_and_moved_holidays() {
    assert_holiday(1966, 9, 15, Some("敬老の日"));
    assert_holiday(1966, 10, 10, Some("体育の日"));
    assert_holiday(1965, 9, 15, None);
    assert_holiday(1966, 2, 11, None);
    assert_holiday(1967, 2, 11, Some("建国記念の日"));
    assert_holiday(1988, 4, 29, Some("天皇誕生日"));
    assert_holiday(1989, 4, 29, Some("みどりの日"));
    assert_holiday(1989, 12, 23, Some("天皇誕生日"));
    assert_holiday(1995, 7, 20, None);
    assert_holiday(1996, 7, 20, Some("海の日"));
    assert_holiday(1999, 1, 15, Some("成人の日"));
    assert_holiday(2000, 1, 10, Some("成人の日"));
    assert_holiday(2000, 1, 15, None);
    assert_holiday(2000, 10, 9, Some("体育の日"));
    assert_holiday(2002, 9, 15, Some("敬老の日"));
    assert_holiday(2003, 7, 21, Some("海の日"));
    assert_holiday(2003, 9, 15, Some("敬老の日"));
    assert_holiday(2006, 4, 29, Some("みどりの日"));
    assert_holiday(2007, 4, 29, Some("昭和の日"));
    assert_holiday(2007, 5, 4, Some("みどりの日"));
    assert_holiday(2015, 8, 11, None);
    assert_holiday(2018, 12, 23, Some("天皇誕生日"));
    assert_holiday(2019, 12, 23, None);
    assert_holiday(2019, 2, 23, None);
    assert_holiday(2020, 10, 12, None);
    assert_holiday(2021, 10, 11, None);
    assert_holiday(2028, 10, 9, Some("スポーツの日"));
}

#[test]
fn substitute_holidays_under_the_old_and_new_rules() {
    // Before 1973-04-12 a Sunday holiday was simply lost.
    assert_holiday(1973, 2, 11, Some("建国記念の日"));
    assert_holiday(1973, 2, 12, None);
    // The first substitute ever: 1973-04-29 (天皇誕生日) was a Sunday.
    assert_holiday(1973, 4, 30, Some(SUBSTITUTE_HOLIDAY_NAME));
    // 1999-10-10 (Sunday) → Monday.
    assert_holiday(1999, 10, 11, Some(SUBSTITUTE_HOLIDAY_NAME));
    // Old rule: 5/3 on Sunday makes the Monday 5/4 a 振替休日 (not a 国民の休日).
    assert_holiday(1987, 5, 4, Some(SUBSTITUTE_HOLIDAY_NAME));
    assert_holiday(1992, 5, 4, Some(SUBSTITUTE_HOLIDAY_NAME));
    assert_holiday(1992, 5, 6, None);
    // New rule: 2008-05-04 (みどりの日) was a Sunday; 5/5 is a holiday, so 5/6.
    assert_holiday(2008, 5, 4, Some("みどりの日"));
    assert_holiday(2008, 5, 5, Some("こどもの日"));
    assert_holiday(2008, 5, 6, Some(SUBSTITUTE_HOLIDAY_NAME));
    // 2015-05-03 Sunday → the nearest non-holiday is 5/6.
    assert_holiday(2015, 5, 6, Some(SUBSTITUTE_HOLIDAY_NAME));
    // The Olympic 山の日 of 2021 fell on a Sunday.
    assert_holiday(2021, 8, 9, Some(SUBSTITUTE_HOLIDAY_NAME));
}

#[test]
fn citizens_holidays() {
    assert_holiday(1985, 5, 4, None); // before 1985-12-27
    assert_holiday(1986, 5, 4, None); // a Sunday
    assert_holiday(1988, 5, 4, Some(CITIZENS_HOLIDAY_NAME)); // Wednesday
    // A Saturday sandwich is a 国民の休日 too: the old text excluded only Sundays
    // and 振替休日.
    assert_holiday(1991, 5, 4, Some(CITIZENS_HOLIDAY_NAME));
    assert_holiday(2006, 5, 4, Some(CITIZENS_HOLIDAY_NAME)); // Thursday
    assert_holiday(2009, 9, 22, Some(CITIZENS_HOLIDAY_NAME));
    assert_holiday(2015, 9, 22, Some(CITIZENS_HOLIDAY_NAME));
    assert_holiday(2019, 4, 30, Some(CITIZENS_HOLIDAY_NAME));
    assert_holiday(2019, 5, 2, Some(CITIZENS_HOLIDAY_NAME));
    assert_holiday(2026, 9, 22, Some(CITIZENS_HOLIDAY_NAME));
    assert_holiday(2032, 9, 21, Some(CITIZENS_HOLIDAY_NAME));
}

// ---------------------------------------------------------------------------
// Equinoxes
// ---------------------------------------------------------------------------

fn holiday_date(year: i32, name: &str) -> NaiveDate {
    national_holidays_in_year(year)
        .into_iter()
        .find(|holiday| holiday.name == name)
        .map(|holiday| holiday.date)
        .unwrap_or_else(|| panic!("{name} missing in {year}"))
}

#[test]
fn equinoxes_of_far_years_follow_the_formula() {
    // floor(21.8510 + 0.242194 × 120 − 30) = floor(20.914…) = 20, etc.
    assert_eq!(holiday_date(2100, "春分の日"), date(2100, 3, 20));
    assert_eq!(holiday_date(2100, "秋分の日"), date(2100, 9, 23));
    assert_eq!(holiday_date(2150, "春分の日"), date(2150, 3, 21));
    assert_eq!(holiday_date(2150, "秋分の日"), date(2150, 9, 23));
    // Late in the 21st century the vernal equinox reaches 3/19.
    assert_eq!(holiday_date(2092, "春分の日"), date(2092, 3, 19));
    assert_eq!(holiday_date(2096, "春分の日"), date(2096, 3, 19));
    // And in the 1970s the autumnal one reached 9/24.
    assert_eq!(holiday_date(1979, "秋分の日"), date(1979, 9, 24));
    assert_eq!(holiday_date(1960, "春分の日"), date(1960, 3, 20));
    assert_eq!(holiday_date(1948, "秋分の日"), date(1948, 9, 23));
}

fn formula_day(year: i32, constants: (f64, f64), vernal: bool) -> u32 {
    let constant = if vernal { constants.0 } else { constants.1 };
    let years = f64::from(year - 1980);
    let leap_days = f64::from((year - 1980).div_euclid(4));
    (constant + 0.242194 * years - leap_days).floor() as u32
}

#[test]
fn equinoxes_stay_in_their_known_range_and_match_the_formula() {
    for year in 1949..=2150 {
        let constants = match year {
            ..=1979 => (20.8357, 23.2588),
            1980..=2099 => (20.8431, 23.2488),
            _ => (21.8510, 24.2488),
        };
        let vernal = holiday_date(year, "春分の日");
        let autumnal = holiday_date(year, "秋分の日");
        assert_eq!(vernal.day(), formula_day(year, constants, true), "{year}");
        assert_eq!(
            autumnal.day(),
            formula_day(year, constants, false),
            "{year}"
        );
        assert!((19..=21).contains(&vernal.day()), "{vernal}");
        assert!((22..=24).contains(&autumnal.day()), "{autumnal}");
    }
}

#[test]
fn equinoxes_are_valid_for_every_representable_year() {
    for year in [2151, 2200, 2201, 2400, 3000, 10_000, 100_000, 262_000] {
        let holidays = national_holidays_in_year(year);
        assert!(
            holidays
                .iter()
                .any(|h| h.name == "春分の日" && h.date.month() == 3)
        );
        assert!(
            holidays
                .iter()
                .any(|h| h.name == "秋分の日" && h.date.month() == 9)
        );
    }
    assert!(national_holidays_in_year(NaiveDate::MAX.year() + 1).is_empty());
}

// ---------------------------------------------------------------------------
// An independent, day-by-day reading of 祝日法 第3条
// ---------------------------------------------------------------------------

struct LawReader {
    statutory: HashMap<i32, Vec<Holiday>>,
}

impl LawReader {
    fn is_statutory(&mut self, day: NaiveDate) -> bool {
        self.statutory
            .entry(day.year())
            .or_insert_with(|| statutory_holidays_in_year(day.year()))
            .iter()
            .any(|holiday| holiday.date == day)
    }

    /// 第3条第2項, read day by day: walk back over the run of 祝日 just before `day`.
    fn is_substitute(&mut self, day: NaiveDate) -> bool {
        if self.is_statutory(day) {
            return false;
        }
        let mut earlier = day.pred_opt().unwrap();
        while self.is_statutory(earlier) {
            if earlier.weekday() == Weekday::Sun && earlier >= SUBSTITUTE_RULE_IN_FORCE {
                let old_rule_applies = earlier < NEAREST_SUBSTITUTE_RULE_IN_FORCE;
                return !old_rule_applies || earlier.succ_opt() == Some(day);
            }
            earlier = earlier.pred_opt().unwrap();
        }
        false
    }

    fn is_citizens_holiday(&mut self, day: NaiveDate) -> bool {
        day >= CITIZENS_HOLIDAY_RULE_IN_FORCE
            && day.weekday() != Weekday::Sun
            && !self.is_statutory(day)
            && !self.is_substitute(day)
            && self.is_statutory(day.pred_opt().unwrap())
            && self.is_statutory(day.succ_opt().unwrap())
    }

    fn is_holiday(&mut self, day: NaiveDate) -> bool {
        self.is_statutory(day) || self.is_substitute(day) || self.is_citizens_holiday(day)
    }
}

#[test]
fn year_lists_agree_with_a_day_by_day_reading_of_the_law() {
    let mut reader = LawReader {
        statutory: HashMap::new(),
    };
    for year in 1948..=2230 {
        let computed: Vec<NaiveDate> = national_holidays_in_year(year)
            .iter()
            .map(|h| h.date)
            .collect();
        let read: Vec<NaiveDate> = days_between(date(year, 1, 1), date(year, 12, 31))
            .filter(|day| reader.is_holiday(*day))
            .collect();
        assert_eq!(computed, read, "year {year}");
    }
}

#[test]
fn precomputed_table_equals_the_rules() {
    for year in TABLE_FIRST_YEAR..=TABLE_LAST_YEAR {
        assert_eq!(
            precomputed_holidays_of_year(year),
            compute_national_holidays_in_year(year).as_slice(),
            "{year}"
        );
    }
}
