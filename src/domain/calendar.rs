//! The city's open-day (開庁日) calendar: Japanese national holidays computed by rule,
//! plus the closures the city adds on top of them.
//!
//! National holidays follow 国民の祝日に関する法律 (昭和23年法律第178号, "祝日法") and the
//! special laws that added or moved single days. A city office is closed on the days
//! listed in 地方自治法 第4条の2: Saturdays and Sundays, the holidays of 祝日法, and the
//! year-end days fixed by the city's 休日条例 (customarily 12月29日–1月3日).
//!
//! Pure: no I/O, no clock reads. Every function takes the date it needs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

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

/// Builds a constant date; the dates below are all valid, so this never panics at run time.
const fn constant_date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// 祝日法 came into force on its promulgation, 1948-07-20 (附則); there were no
/// national holidays in its sense before, so earlier days in 1948 are ordinary days.
const HOLIDAY_LAW_IN_FORCE: NaiveDate = constant_date(1948, 7, 20);

/// 振替休日 was added by 昭和48年法律第10号, in force 1973-04-12; it does not reach back to
/// Sundays before that (so 1973-02-11, a Sunday, had no substitute).
const SUBSTITUTE_RULE_IN_FORCE: NaiveDate = constant_date(1973, 4, 12);

/// 国民の休日 was added by 昭和60年法律第103号, in force 1985-12-27.
const CITIZENS_HOLIDAY_RULE_IN_FORCE: NaiveDate = constant_date(1985, 12, 27);

/// 平成17年法律第43号 (in force 2007-01-01) made the substitute the nearest following day
/// that is not a 国民の祝日, instead of simply "the next day".
const NEAREST_SUBSTITUTE_RULE_IN_FORCE: NaiveDate = constant_date(2007, 1, 1);

// ---------------------------------------------------------------------------
// 国民の祝日 (祝日法 第2条) as rules
// ---------------------------------------------------------------------------

/// How a 国民の祝日 picks its day in a given year.
#[derive(Debug, Clone, Copy)]
enum DayRule {
    Fixed {
        month: u32,
        day: u32,
    },
    /// "…月の第N月曜日" (the Happy Monday amendments, 平成10年法律第141号 and 平成13年法律第59号).
    NthMonday {
        month: u32,
        nth: u8,
    },
    /// "春分日": the day of the vernal equinox, published by 国立天文台 the year before.
    VernalEquinox,
    /// "秋分日": the day of the autumnal equinox.
    AutumnalEquinox,
}

/// One line of 祝日法 第2条, valid for the years `first_year..=last_year`.
struct HolidayRule {
    name: &'static str,
    first_year: i32,
    last_year: i32,
    rule: DayRule,
}

const fn fixed(month: u32, day: u32) -> DayRule {
    DayRule::Fixed { month, day }
}

const fn nth_monday(month: u32, nth: u8) -> DayRule {
    DayRule::NthMonday { month, nth }
}

const fn holiday_rule(name: &'static str, years: (i32, i32), rule: DayRule) -> HolidayRule {
    HolidayRule {
        name,
        first_year: years.0,
        last_year: years.1,
        rule,
    }
}

/// No end year: the rule holds until the law changes again.
const ONWARD: i32 = i32::MAX;

/// 祝日法 第2条 with every amendment; a renamed or moved holiday is a new line.
const HOLIDAY_RULES: &[HolidayRule] = &[
    holiday_rule("元日", (1948, ONWARD), fixed(1, 1)),
    holiday_rule("成人の日", (1948, 1999), fixed(1, 15)),
    holiday_rule("成人の日", (2000, ONWARD), nth_monday(1, 2)),
    // 昭和41年法律第86号; the first 建国記念の日 was 1967-02-11.
    holiday_rule("建国記念の日", (1967, ONWARD), fixed(2, 11)),
    // 皇室典範特例法 (平成29年法律第63号) 附則 moved 天皇誕生日 to 2/23 from 2020;
    // 2019 had none: the former emperor abdicated on 4/30, the new one was born on 2/23.
    holiday_rule("天皇誕生日", (2020, ONWARD), fixed(2, 23)),
    holiday_rule("春分の日", (1948, ONWARD), DayRule::VernalEquinox),
    holiday_rule("天皇誕生日", (1948, 1988), fixed(4, 29)),
    // The 1989 amendment renamed 4/29 みどりの日; 平成17年法律第43号 renamed it 昭和の日
    // and moved みどりの日 to 5/4 from 2007.
    holiday_rule("みどりの日", (1989, 2006), fixed(4, 29)),
    holiday_rule("昭和の日", (2007, ONWARD), fixed(4, 29)),
    holiday_rule("憲法記念日", (1948, ONWARD), fixed(5, 3)),
    holiday_rule("みどりの日", (2007, ONWARD), fixed(5, 4)),
    holiday_rule("こどもの日", (1948, ONWARD), fixed(5, 5)),
    // Added by the 1995 amendment (7/20 from 1996); Happy Monday from 2003.
    holiday_rule("海の日", (1996, 2002), fixed(7, 20)),
    holiday_rule("海の日", (2003, ONWARD), nth_monday(7, 3)),
    // Added by the 2014 amendment, first observed in 2016.
    holiday_rule("山の日", (2016, ONWARD), fixed(8, 11)),
    // 昭和41年法律第86号 added 敬老の日 and 体育の日 from 1966.
    holiday_rule("敬老の日", (1966, 2002), fixed(9, 15)),
    holiday_rule("敬老の日", (2003, ONWARD), nth_monday(9, 3)),
    holiday_rule("秋分の日", (1948, ONWARD), DayRule::AutumnalEquinox),
    holiday_rule("体育の日", (1966, 1999), fixed(10, 10)),
    holiday_rule("体育の日", (2000, 2019), nth_monday(10, 2)),
    // The 2018 amendment renamed 体育の日 スポーツの日 from 2020.
    holiday_rule("スポーツの日", (2020, ONWARD), nth_monday(10, 2)),
    holiday_rule("文化の日", (1948, ONWARD), fixed(11, 3)),
    holiday_rule("勤労感謝の日", (1948, ONWARD), fixed(11, 23)),
    holiday_rule("天皇誕生日", (1989, 2018), fixed(12, 23)),
];

/// A 国民の祝日 that a special law moved to another day for one year only.
struct MovedHoliday {
    year: i32,
    name: &'static str,
    month: u32,
    day: u32,
}

/// 東京オリンピック・パラリンピック特別措置法 (平成27年法律第33号) as amended by
/// 平成30年法律第55号 (2020) and, after the Games were postponed, 令和2年法律第68号 (2021).
const OLYMPIC_MOVED_HOLIDAYS: &[MovedHoliday] = &[
    moved_holiday(2020, "海の日", 7, 23),
    moved_holiday(2020, "スポーツの日", 7, 24),
    moved_holiday(2020, "山の日", 8, 10),
    moved_holiday(2021, "海の日", 7, 22),
    moved_holiday(2021, "スポーツの日", 7, 23),
    moved_holiday(2021, "山の日", 8, 8),
];

const fn moved_holiday(year: i32, name: &'static str, month: u32, day: u32) -> MovedHoliday {
    MovedHoliday {
        year,
        name,
        month,
        day,
    }
}

/// Days that a special law made a holiday once. The 2019 law (平成30年法律第99号) says in
/// so many words that its days count as 国民の祝日 for 祝日法 第3条第2項・第3項, which is
/// what makes 2019-04-30 and 2019-05-02 国民の休日; the older laws' days never sat next
/// to a Sunday or between two holidays, so treating them alike changes nothing.
const SPECIAL_LAW_HOLIDAYS: &[Holiday] = &[
    // 皇太子明仁親王の結婚の儀の行われる日を休日とする法律 (昭和34年法律第16号).
    special_day(1959, 4, 10, "皇太子・明仁親王の結婚の儀"),
    // 昭和天皇の大喪の礼の行われる日を休日とする法律 (平成元年法律第4号).
    special_day(1989, 2, 24, "昭和天皇の大喪の礼"),
    // 即位礼正殿の儀の行われる日を休日とする法律 (平成2年法律第24号).
    special_day(1990, 11, 12, "即位礼正殿の儀"),
    // 皇太子徳仁親王の結婚の儀の行われる日を休日とする法律 (平成5年法律第32号).
    special_day(1993, 6, 9, "皇太子・徳仁親王の結婚の儀"),
    // 天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律 (平成30年法律第99号).
    special_day(2019, 5, 1, "天皇の即位の日"),
    special_day(2019, 10, 22, "即位礼正殿の儀"),
];

const fn special_day(year: i32, month: u32, day: u32, name: &'static str) -> Holiday {
    Holiday {
        date: constant_date(year, month, day),
        name,
    }
}

impl HolidayRule {
    fn applies_in(&self, year: i32) -> bool {
        (self.first_year..=self.last_year).contains(&year)
    }

    /// The day this holiday falls on in `year`, honouring a one-year move by special law.
    fn date_in(&self, year: i32) -> Option<NaiveDate> {
        let moved = OLYMPIC_MOVED_HOLIDAYS
            .iter()
            .find(|moved| moved.year == year && moved.name == self.name);
        if let Some(moved) = moved {
            return NaiveDate::from_ymd_opt(year, moved.month, moved.day);
        }
        match self.rule {
            DayRule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            DayRule::NthMonday { month, nth } => {
                NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, nth)
            }
            DayRule::VernalEquinox => {
                NaiveDate::from_ymd_opt(year, 3, equinox_day_of_month(year, Equinox::Vernal))
            }
            DayRule::AutumnalEquinox => {
                NaiveDate::from_ymd_opt(year, 9, equinox_day_of_month(year, Equinox::Autumnal))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 春分日・秋分日
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Equinox {
    Vernal,
    Autumnal,
}

/// The constant C of the customary formula for each range of years. The law names the day
/// only as "春分日"/"秋分日", which 国立天文台 announces in 官報 each February for the
/// next year; the formula matches every announced date and is the accepted forecast up
/// to 2150.
fn equinox_constant(year: i32, equinox: Equinox) -> f64 {
    let (vernal, autumnal) = match year {
        ..=1979 => (20.8357, 23.2588),
        1980..=2099 => (20.8431, 23.2488),
        _ => (21.8510, 24.2488),
    };
    match equinox {
        Equinox::Vernal => vernal,
        Equinox::Autumnal => autumnal,
    }
}

/// Gregorian leap days the 2100–2150 constant does not know about: 2200, 2300, 2500, …
/// Only used to keep the extrapolation past 2150 near the real equinox.
fn skipped_leap_days_after_2100(year: i32) -> i32 {
    let skipped_centuries_up_to = |y: i32| y.div_euclid(100) - y.div_euclid(400);
    (skipped_centuries_up_to(year) - skipped_centuries_up_to(2100)).max(0)
}

/// Day of the month (March or September) of the equinox in `year`:
/// floor(C + 0.242194 × (Y − 1980) − floor((Y − 1980) / 4)).
/// Past 2150 this is an extrapolation without legal meaning, clamped to the days an
/// equinox can fall on so that any year yields a valid date.
fn equinox_day_of_month(year: i32, equinox: Equinox) -> u32 {
    let years_since_1980 = year - 1980;
    let leap_days = years_since_1980.div_euclid(4) - skipped_leap_days_after_2100(year);
    let day = (equinox_constant(year, equinox) + 0.242_194 * f64::from(years_since_1980)
        - f64::from(leap_days))
    .floor();
    let (earliest, latest) = match equinox {
        Equinox::Vernal => (19.0, 22.0),
        Equinox::Autumnal => (21.0, 24.0),
    };
    // The clamp keeps the value in 19..=24, so the cast cannot truncate.
    day.clamp(earliest, latest) as u32
}

// ---------------------------------------------------------------------------
// A year's holidays, by rule
// ---------------------------------------------------------------------------

/// The 国民の祝日 of `year` (祝日法 第2条, with the special laws' days and moves), sorted.
fn statutory_holidays_in_year(year: i32) -> Vec<Holiday> {
    let from_holiday_law = HOLIDAY_RULES
        .iter()
        .filter(|rule| rule.applies_in(year))
        .filter_map(|rule| {
            rule.date_in(year).map(|date| Holiday {
                date,
                name: rule.name,
            })
        });
    let from_special_laws = SPECIAL_LAW_HOLIDAYS
        .iter()
        .copied()
        .filter(|holiday| holiday.date.year() == year);
    let mut holidays: Vec<Holiday> = from_holiday_law
        .chain(from_special_laws)
        .filter(|holiday| holiday.date >= HOLIDAY_LAW_IN_FORCE)
        .collect();
    holidays.sort_by_key(|holiday| holiday.date);
    holidays
}

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
fn compute_national_holidays_in_year(year: i32) -> Vec<Holiday> {
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

fn compute_national_holiday(date: NaiveDate) -> Option<&'static str> {
    compute_national_holidays_in_year(date.year())
        .into_iter()
        .find(|holiday| holiday.date == date)
        .map(|holiday| holiday.name)
}

// ---------------------------------------------------------------------------
// The precomputed range
// ---------------------------------------------------------------------------

const TABLE_FIRST_YEAR: i32 = 1948;
const TABLE_LAST_YEAR: i32 = 2200;
const TABLE_FIRST_DAY: NaiveDate = constant_date(TABLE_FIRST_YEAR, 1, 1);
const TABLE_LAST_DAY: NaiveDate = constant_date(TABLE_LAST_YEAR, 12, 31);
/// `TABLE_FIRST_DAY.num_days_from_ce()`, spelled out because that method is not `const`
/// (a unit test checks it).
const TABLE_FIRST_DAY_NUMBER: i32 = 711_127;
/// Days in `TABLE_FIRST_DAY..=TABLE_LAST_DAY` (checked by a unit test).
const TABLE_DAY_COUNT: usize = 92_407;

/// Every national holiday of 1948–2200, computed once: the rules are cheap but a lookup
/// per request should not rebuild a year's list.
static PRECOMPUTED_HOLIDAYS: LazyLock<Vec<Holiday>> = LazyLock::new(|| {
    (TABLE_FIRST_YEAR..=TABLE_LAST_YEAR)
        .flat_map(compute_national_holidays_in_year)
        .collect()
});

fn is_precomputed_year(year: i32) -> bool {
    (TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&year)
}

fn precomputed_holidays_of_year(year: i32) -> &'static [Holiday] {
    let table = PRECOMPUTED_HOLIDAYS.as_slice();
    let start = table.partition_point(|holiday| holiday.date.year() < year);
    let end = table.partition_point(|holiday| holiday.date.year() <= year);
    &table[start..end]
}

/// The position of `date` in the precomputed range, if it lies inside it.
fn table_index(date: NaiveDate) -> Option<usize> {
    let offset = date.num_days_from_ce() - TABLE_FIRST_DAY_NUMBER;
    usize::try_from(offset)
        .ok()
        .filter(|index| *index < TABLE_DAY_COUNT)
}

fn date_at_table_index(index: usize) -> NaiveDate {
    // Indices come from the table, so they fit in i32 and name a valid date.
    let offset = i32::try_from(index).expect("table index fits in i32");
    NaiveDate::from_num_days_from_ce_opt(TABLE_FIRST_DAY_NUMBER + offset)
        .expect("table index names a valid date")
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

/// One bit per day of the precomputed range, set when the office is open. Bits past the
/// last day stay clear, so scans may run to the end of the last word.
#[derive(Clone, PartialEq, Eq)]
struct OpenDayBitmap {
    words: Vec<u64>,
}

impl OpenDayBitmap {
    fn all_closed() -> Self {
        OpenDayBitmap {
            words: vec![0; TABLE_DAY_COUNT.div_ceil(64)],
        }
    }

    fn is_set(&self, index: usize) -> bool {
        self.words[index / 64] & (1 << (index % 64)) != 0
    }

    fn set(&mut self, index: usize, open: bool) {
        let mask = 1u64 << (index % 64);
        if open {
            self.words[index / 64] |= mask;
        } else {
            self.words[index / 64] &= !mask;
        }
    }

    /// The index of the `count`-th open day at or after `start` (count ≥ 1), or how many
    /// open days there were up to the end of the range.
    fn nth_open_at_or_after(&self, start: usize, count: u32) -> Result<usize, u32> {
        let mut remaining = count;
        let mut word_index = start / 64;
        let mut word = self.words[word_index] & (u64::MAX << (start % 64));
        loop {
            let open_in_word = word.count_ones();
            if open_in_word >= remaining {
                return Ok(word_index * 64 + nth_set_bit_from_lowest(word, remaining));
            }
            remaining -= open_in_word;
            word_index += 1;
            match self.words.get(word_index) {
                Some(next_word) => word = *next_word,
                None => return Err(count - remaining),
            }
        }
    }

    /// The index of the `count`-th open day at or before `end` (count ≥ 1), or how many
    /// open days there were back to the start of the range.
    fn nth_open_at_or_before(&self, end: usize, count: u32) -> Result<usize, u32> {
        let mut remaining = count;
        let mut word_index = end / 64;
        let mut word = self.words[word_index] & (u64::MAX >> (63 - end % 64));
        loop {
            let open_in_word = word.count_ones();
            if open_in_word >= remaining {
                return Ok(word_index * 64 + nth_set_bit_from_highest(word, remaining));
            }
            remaining -= open_in_word;
            if word_index == 0 {
                return Err(count - remaining);
            }
            word_index -= 1;
            word = self.words[word_index];
        }
    }
}

/// Position of the n-th (1-based) set bit counting from bit 0; `word` has at least n.
fn nth_set_bit_from_lowest(mut word: u64, n: u32) -> usize {
    for _ in 1..n {
        word &= word - 1;
    }
    word.trailing_zeros() as usize
}

/// Position of the n-th (1-based) set bit counting from bit 63; `word` has at least n.
fn nth_set_bit_from_highest(mut word: u64, n: u32) -> usize {
    for _ in 1..n {
        word &= !(1u64 << (63 - word.leading_zeros()));
    }
    (63 - word.leading_zeros()) as usize
}

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

    /// Lays the closures over each other in the same order of precedence as
    /// `closed_reason_with`, so that the bitmap and the rules agree.
    fn build_open_day_bitmap(&self) -> OpenDayBitmap {
        let mut bitmap = OpenDayBitmap::all_closed();
        let first_weekday = TABLE_FIRST_DAY.weekday().num_days_from_monday() as usize;
        for index in 0..TABLE_DAY_COUNT {
            let is_weekday = (first_weekday + index) % 7 < 5;
            bitmap.set(index, is_weekday);
        }
        let year_end_days = days_between(TABLE_FIRST_DAY, TABLE_LAST_DAY)
            .filter(|date| self.year_end_closure && is_year_end_closure_day(*date));
        let holidays = PRECOMPUTED_HOLIDAYS.iter().map(|holiday| holiday.date);
        let closed = holidays
            .chain(year_end_days)
            .chain(self.extra_closed.keys().copied());
        for index in closed.filter_map(table_index) {
            bitmap.set(index, false);
        }
        for index in self.extra_open.iter().copied().filter_map(table_index) {
            bitmap.set(index, true);
        }
        bitmap
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
        self.closed_reason_with(date, compute_national_holiday)
    }

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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    static DEFAULT_CALENDAR: LazyLock<OpenDayCalendar> =
        LazyLock::new(OpenDayCalendar::japanese_default);

    // -----------------------------------------------------------------------
    // The published lists (内閣府「国民の祝日について」), typed in by hand.
    // -----------------------------------------------------------------------

    type YearList = &'static [(u32, u32, &'static str)];

    const HOLIDAYS_2016: YearList = &[
        (1, 1, "元日"),
        (1, 11, "成人の日"),
        (2, 11, "建国記念の日"),
        (3, 20, "春分の日"),
        (3, 21, "振替休日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 18, "海の日"),
        (8, 11, "山の日"),
        (9, 19, "敬老の日"),
        (9, 22, "秋分の日"),
        (10, 10, "体育の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
        (12, 23, "天皇誕生日"),
    ];

    const HOLIDAYS_2017: YearList = &[
        (1, 1, "元日"),
        (1, 2, "振替休日"),
        (1, 9, "成人の日"),
        (2, 11, "建国記念の日"),
        (3, 20, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 17, "海の日"),
        (8, 11, "山の日"),
        (9, 18, "敬老の日"),
        (9, 23, "秋分の日"),
        (10, 9, "体育の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
        (12, 23, "天皇誕生日"),
    ];

    const HOLIDAYS_2018: YearList = &[
        (1, 1, "元日"),
        (1, 8, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 12, "振替休日"),
        (3, 21, "春分の日"),
        (4, 29, "昭和の日"),
        (4, 30, "振替休日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 16, "海の日"),
        (8, 11, "山の日"),
        (9, 17, "敬老の日"),
        (9, 23, "秋分の日"),
        (9, 24, "振替休日"),
        (10, 8, "体育の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
        (12, 23, "天皇誕生日"),
        (12, 24, "振替休日"),
    ];

    const HOLIDAYS_2019: YearList = &[
        (1, 1, "元日"),
        (1, 14, "成人の日"),
        (2, 11, "建国記念の日"),
        (3, 21, "春分の日"),
        (4, 29, "昭和の日"),
        (4, 30, "国民の休日"),
        (5, 1, "天皇の即位の日"),
        (5, 2, "国民の休日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (5, 6, "振替休日"),
        (7, 15, "海の日"),
        (8, 11, "山の日"),
        (8, 12, "振替休日"),
        (9, 16, "敬老の日"),
        (9, 23, "秋分の日"),
        (10, 14, "体育の日"),
        (10, 22, "即位礼正殿の儀"),
        (11, 3, "文化の日"),
        (11, 4, "振替休日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2020: YearList = &[
        (1, 1, "元日"),
        (1, 13, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (2, 24, "振替休日"),
        (3, 20, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (5, 6, "振替休日"),
        (7, 23, "海の日"),
        (7, 24, "スポーツの日"),
        (8, 10, "山の日"),
        (9, 21, "敬老の日"),
        (9, 22, "秋分の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2021: YearList = &[
        (1, 1, "元日"),
        (1, 11, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (3, 20, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 22, "海の日"),
        (7, 23, "スポーツの日"),
        (8, 8, "山の日"),
        (8, 9, "振替休日"),
        (9, 20, "敬老の日"),
        (9, 23, "秋分の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2022: YearList = &[
        (1, 1, "元日"),
        (1, 10, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (3, 21, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 18, "海の日"),
        (8, 11, "山の日"),
        (9, 19, "敬老の日"),
        (9, 23, "秋分の日"),
        (10, 10, "スポーツの日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2023: YearList = &[
        (1, 1, "元日"),
        (1, 2, "振替休日"),
        (1, 9, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (3, 21, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 17, "海の日"),
        (8, 11, "山の日"),
        (9, 18, "敬老の日"),
        (9, 23, "秋分の日"),
        (10, 9, "スポーツの日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2024: YearList = &[
        (1, 1, "元日"),
        (1, 8, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 12, "振替休日"),
        (2, 23, "天皇誕生日"),
        (3, 20, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (5, 6, "振替休日"),
        (7, 15, "海の日"),
        (8, 11, "山の日"),
        (8, 12, "振替休日"),
        (9, 16, "敬老の日"),
        (9, 22, "秋分の日"),
        (9, 23, "振替休日"),
        (10, 14, "スポーツの日"),
        (11, 3, "文化の日"),
        (11, 4, "振替休日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2025: YearList = &[
        (1, 1, "元日"),
        (1, 13, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (2, 24, "振替休日"),
        (3, 20, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (5, 6, "振替休日"),
        (7, 21, "海の日"),
        (8, 11, "山の日"),
        (9, 15, "敬老の日"),
        (9, 23, "秋分の日"),
        (10, 13, "スポーツの日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
        (11, 24, "振替休日"),
    ];

    const HOLIDAYS_2026: YearList = &[
        (1, 1, "元日"),
        (1, 12, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (3, 20, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (5, 6, "振替休日"),
        (7, 20, "海の日"),
        (8, 11, "山の日"),
        (9, 21, "敬老の日"),
        (9, 22, "国民の休日"),
        (9, 23, "秋分の日"),
        (10, 12, "スポーツの日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];

    const HOLIDAYS_2027: YearList = &[
        (1, 1, "元日"),
        (1, 11, "成人の日"),
        (2, 11, "建国記念の日"),
        (2, 23, "天皇誕生日"),
        (3, 21, "春分の日"),
        (3, 22, "振替休日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (7, 19, "海の日"),
        (8, 11, "山の日"),
        (9, 20, "敬老の日"),
        (9, 23, "秋分の日"),
        (10, 11, "スポーツの日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];

    const PUBLISHED_LISTS: &[(i32, YearList)] = &[
        (2016, HOLIDAYS_2016),
        (2017, HOLIDAYS_2017),
        (2018, HOLIDAYS_2018),
        (2019, HOLIDAYS_2019),
        (2020, HOLIDAYS_2020),
        (2021, HOLIDAYS_2021),
        (2022, HOLIDAYS_2022),
        (2023, HOLIDAYS_2023),
        (2024, HOLIDAYS_2024),
        (2025, HOLIDAYS_2025),
        (2026, HOLIDAYS_2026),
        (2027, HOLIDAYS_2027),
    ];

    fn published_list(year: i32, list: YearList) -> Vec<Holiday> {
        list.iter()
            .map(|(month, day, name)| Holiday {
                date: date(year, *month, *day),
                name,
            })
            .collect()
    }

    #[test]
    fn national_holidays_2016_to_2027_match_the_published_lists() {
        for (year, list) in PUBLISHED_LISTS {
            let expected = published_list(*year, list);
            assert_eq!(national_holidays_in_year(*year), expected, "year {year}");
            assert_eq!(
                compute_national_holidays_in_year(*year),
                expected,
                "year {year}"
            );
        }
    }

    #[test]
    fn national_holiday_agrees_with_the_published_lists_day_by_day() {
        for (year, list) in PUBLISHED_LISTS {
            let expected = published_list(*year, list);
            for day in days_between(date(*year, 1, 1), date(*year, 12, 31)) {
                let listed = expected.iter().find(|holiday| holiday.date == day);
                assert_eq!(
                    national_holiday(day),
                    listed.map(|holiday| holiday.name),
                    "{day}"
                );
            }
        }
    }

    #[test]
    fn published_lists_are_sorted_and_name_the_right_weekday_for_substitutes() {
        for (year, list) in PUBLISHED_LISTS {
            let holidays = published_list(*year, list);
            assert!(holidays.windows(2).all(|pair| pair[0].date < pair[1].date));
            for substitute in holidays
                .iter()
                .filter(|h| h.name == SUBSTITUTE_HOLIDAY_NAME)
            {
                assert_ne!(
                    substitute.date.weekday(),
                    Weekday::Sun,
                    "{}",
                    substitute.date
                );
            }
        }
    }

    // -----------------------------------------------------------------------
    // Older rules
    // -----------------------------------------------------------------------

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

    // -----------------------------------------------------------------------
    // Equinoxes
    // -----------------------------------------------------------------------

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

    // -----------------------------------------------------------------------
    // An independent, day-by-day reading of 祝日法 第3条
    // -----------------------------------------------------------------------

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

    #[test]
    fn selecting_set_bits_within_a_word() {
        let word = 0b1011_0100u64 | (1 << 63);
        assert_eq!(nth_set_bit_from_lowest(word, 1), 2);
        assert_eq!(nth_set_bit_from_lowest(word, 3), 5);
        assert_eq!(nth_set_bit_from_lowest(word, 5), 63);
        assert_eq!(nth_set_bit_from_highest(word, 1), 63);
        assert_eq!(nth_set_bit_from_highest(word, 2), 7);
        assert_eq!(nth_set_bit_from_highest(word, 5), 2);
    }

    #[test]
    fn table_constants_are_right() {
        assert_eq!(TABLE_FIRST_DAY_NUMBER, TABLE_FIRST_DAY.num_days_from_ce());
        let day_count = TABLE_LAST_DAY.num_days_from_ce() - TABLE_FIRST_DAY.num_days_from_ce() + 1;
        assert_eq!(TABLE_DAY_COUNT, day_count as usize);
        assert_eq!(table_index(TABLE_FIRST_DAY), Some(0));
        assert_eq!(table_index(TABLE_LAST_DAY), Some(TABLE_DAY_COUNT - 1));
        assert_eq!(table_index(TABLE_FIRST_DAY.pred_opt().unwrap()), None);
        assert_eq!(table_index(TABLE_LAST_DAY.succ_opt().unwrap()), None);
        assert_eq!(date_at_table_index(TABLE_DAY_COUNT - 1), TABLE_LAST_DAY);
    }

    // -----------------------------------------------------------------------
    // The city calendar
    // -----------------------------------------------------------------------

    fn calendar_with(rules: CalendarRules) -> OpenDayCalendar {
        OpenDayCalendar::new(rules)
    }

    #[test]
    fn default_rules_close_at_the_year_end() {
        let rules = CalendarRules::default();
        assert!(rules.year_end_closure);
        assert!(rules.extra_closed.is_empty() && rules.extra_open.is_empty());
        assert_eq!(
            OpenDayCalendar::default(),
            OpenDayCalendar::japanese_default()
        );
    }

    #[test]
    fn year_end_closure_2024_2025() {
        let calendar = &*DEFAULT_CALENDAR;
        assert!(calendar.is_open(date(2024, 12, 27)));
        assert_eq!(calendar.closed_reason(date(2024, 12, 27)), None);
        assert_eq!(
            calendar.closed_reason(date(2024, 12, 28)),
            Some(ClosedReason::Saturday)
        );
        for day in [29, 30, 31] {
            let reason = calendar.closed_reason(date(2024, 12, day));
            assert_eq!(reason, Some(ClosedReason::YearEndClosure), "12/{day}");
        }
        assert_eq!(
            calendar.closed_reason(date(2025, 1, 1)),
            Some(ClosedReason::NationalHoliday("元日"))
        );
        for day in [2, 3] {
            let reason = calendar.closed_reason(date(2025, 1, day));
            assert_eq!(reason, Some(ClosedReason::YearEndClosure), "1/{day}");
        }
        assert_eq!(
            calendar.closed_reason(date(2025, 1, 4)),
            Some(ClosedReason::Saturday)
        );
        assert_eq!(
            calendar.closed_reason(date(2025, 1, 5)),
            Some(ClosedReason::Sunday)
        );
        assert!(calendar.is_open(date(2025, 1, 6)));
    }

    #[test]
    fn year_end_closure_can_be_turned_off() {
        let calendar = calendar_with(CalendarRules {
            year_end_closure: false,
            ..Default::default()
        });
        assert!(calendar.is_open(date(2025, 12, 29)));
        assert!(calendar.is_open(date(2026, 1, 2)));
        assert!(!calendar.is_open(date(2026, 1, 1)));
        assert!(!DEFAULT_CALENDAR.is_open(date(2025, 12, 29)));
        // Outside the precomputed range too.
        assert!(calendar.is_open(date(2201, 12, 29)));
        assert!(!DEFAULT_CALENDAR.is_open(date(2201, 12, 29)));
    }

    #[test]
    fn a_holiday_on_a_sunday_reports_the_holiday() {
        let reason = DEFAULT_CALENDAR.closed_reason(date(2024, 8, 11));
        assert_eq!(reason, Some(ClosedReason::NationalHoliday("山の日")));
        let reason = DEFAULT_CALENDAR.closed_reason(date(2024, 8, 12));
        assert_eq!(reason, Some(ClosedReason::NationalHoliday("振替休日")));
    }

    #[test]
    fn configured_closed_and_open_days() {
        let calendar = calendar_with(CalendarRules {
            extra_closed: vec![
                (date(2025, 6, 2), "庁舎停電".to_string()),
                (date(2025, 6, 2), "second reason loses".to_string()),
                (date(2025, 1, 1), "元日より優先".to_string()),
                (date(2230, 6, 3), "遠い未来".to_string()),
            ],
            extra_open: vec![date(2025, 11, 24), date(2025, 6, 7), date(2230, 6, 5)],
            ..Default::default()
        });
        let configured = |reason: &str| Some(ClosedReason::Configured(reason.to_string()));
        assert_eq!(
            calendar.closed_reason(date(2025, 6, 2)),
            configured("庁舎停電")
        );
        assert_eq!(
            calendar.closed_reason(date(2025, 1, 1)),
            configured("元日より優先")
        );
        assert!(!calendar.is_open(date(2025, 6, 2)));
        assert!(
            calendar.is_open(date(2025, 11, 24)),
            "extra_open overrides 振替休日"
        );
        assert!(
            calendar.is_open(date(2025, 6, 7)),
            "extra_open overrides Saturday"
        );
        assert_eq!(calendar.closed_reason(date(2025, 11, 24)), None);
        assert!(!calendar.is_open(date(2230, 6, 3)));
        assert_eq!(
            calendar.closed_reason(date(2230, 6, 3)),
            configured("遠い未来")
        );
        assert!(
            calendar.is_open(date(2230, 6, 5)),
            "2230-06-05 is a Saturday opened"
        );
        assert_eq!(date(2230, 6, 5).weekday(), Weekday::Sat);
    }

    #[test]
    fn extra_open_beats_extra_closed() {
        let day = date(2025, 6, 3);
        let calendar = calendar_with(CalendarRules {
            extra_closed: vec![(day, "closed".to_string())],
            extra_open: vec![day],
            ..Default::default()
        });
        assert!(calendar.is_open(day));
        assert_eq!(calendar.closed_reason(day), None);
    }

    #[test]
    fn closed_reason_names_and_codes() {
        let cases = [
            (ClosedReason::Saturday, "土曜日", "saturday"),
            (ClosedReason::Sunday, "日曜日", "sunday"),
            (
                ClosedReason::NationalHoliday("元日"),
                "元日",
                "national_holiday",
            ),
            (ClosedReason::YearEndClosure, "年末年始", "year_end_closure"),
            (
                ClosedReason::Configured("防災訓練".into()),
                "防災訓練",
                "configured",
            ),
        ];
        for (reason, name, code) in cases {
            assert_eq!(reason.name_ja(), name);
            assert_eq!(reason.code(), code);
        }
    }

    #[test]
    fn shift_examples() {
        let calendar = &*DEFAULT_CALENDAR;
        let shift = |from: NaiveDate, n: i32| calendar.shift_open_days(from, n);
        assert_eq!(shift(date(2024, 6, 11), -2), Some(date(2024, 6, 7)));
        assert_eq!(shift(date(2025, 1, 14), -2), Some(date(2025, 1, 9)));
        assert_eq!(shift(date(2024, 8, 13), -2), Some(date(2024, 8, 8)));
        assert_eq!(shift(date(2025, 1, 6), -1), Some(date(2024, 12, 27)));
        assert_eq!(shift(date(2024, 12, 27), 1), Some(date(2025, 1, 6)));
        assert_eq!(shift(date(2025, 4, 28), 1), Some(date(2025, 4, 30)));
        assert_eq!(shift(date(2019, 4, 26), 1), Some(date(2019, 5, 7)));
        assert_eq!(shift(date(2024, 6, 11), 0), Some(date(2024, 6, 11)));
        assert_eq!(shift(date(2024, 6, 8), 0), None);
    }

    #[test]
    fn next_and_previous_open_day() {
        let calendar = &*DEFAULT_CALENDAR;
        assert_eq!(
            calendar.next_open_day_on_or_after(date(2024, 12, 28)),
            Some(date(2025, 1, 6))
        );
        assert_eq!(
            calendar.next_open_day_on_or_after(date(2025, 1, 6)),
            Some(date(2025, 1, 6))
        );
        let previous = calendar.previous_open_day_on_or_before(date(2025, 1, 3));
        assert_eq!(previous, Some(date(2024, 12, 27)));
        let previous = calendar.previous_open_day_on_or_before(date(2024, 12, 27));
        assert_eq!(previous, Some(date(2024, 12, 27)));
    }

    #[test]
    fn shift_at_the_ends_of_chronos_range() {
        let calendar = &*DEFAULT_CALENDAR;
        assert_eq!(calendar.shift_open_days(NaiveDate::MAX, 1), None);
        assert_eq!(calendar.shift_open_days(NaiveDate::MIN, -1), None);
        assert_eq!(calendar.shift_open_days(NaiveDate::MAX, i32::MAX), None);
        assert_eq!(calendar.shift_open_days(date(2024, 6, 11), i32::MAX), None);
        assert_eq!(calendar.shift_open_days(date(2024, 6, 11), i32::MIN), None);
        let near_end = NaiveDate::MAX - chrono::Days::new(3);
        assert_eq!(calendar.shift_open_days(near_end, 10), None);
        let near_start = NaiveDate::MIN + chrono::Days::new(3);
        assert_eq!(calendar.shift_open_days(near_start, -10), None);
        let last_open = calendar
            .previous_open_day_on_or_before(NaiveDate::MAX)
            .unwrap();
        assert!(NaiveDate::MAX - last_open < chrono::TimeDelta::days(7));
        assert_eq!(calendar.shift_open_days(last_open, 1), None);
        assert_eq!(
            calendar.next_open_day_on_or_after(last_open),
            Some(last_open)
        );
    }

    #[test]
    fn shift_crosses_the_edges_of_the_precomputed_range() {
        let calendar = &*DEFAULT_CALENDAR;
        for (from, n) in [
            (date(2200, 12, 20), 10),
            (date(2201, 1, 10), -10),
            (date(1948, 1, 10), -10),
            (date(1947, 12, 20), 10),
            (date(1947, 12, 20), 100_000),
            (date(2201, 1, 1), -100_000),
        ] {
            let expected = walk_by_rule(calendar, from, n);
            assert_eq!(calendar.shift_open_days(from, n), expected, "{from} {n}");
        }
    }

    #[test]
    fn ranges_between_days() {
        let calendar = &*DEFAULT_CALENDAR;
        let open = calendar.open_days_between(date(2024, 12, 26), date(2025, 1, 7));
        let expected = vec![
            date(2024, 12, 26),
            date(2024, 12, 27),
            date(2025, 1, 6),
            date(2025, 1, 7),
        ];
        assert_eq!(open, expected);
        assert!(
            calendar
                .open_days_between(date(2025, 1, 7), date(2025, 1, 6))
                .is_empty()
        );
        let closed = calendar.closed_days_between(date(2025, 5, 2), date(2025, 5, 7));
        let reasons: Vec<(u32, &str)> = closed
            .iter()
            .map(|(day, reason)| (day.day(), reason.name_ja()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (3, "憲法記念日"),
                (4, "みどりの日"),
                (5, "こどもの日"),
                (6, "振替休日")
            ]
        );
    }

    #[test]
    fn holidays_between_days() {
        let calendar = &*DEFAULT_CALENDAR;
        let holidays = calendar.holidays_between(date(2024, 12, 23), date(2026, 1, 13));
        assert_eq!(holidays.first().map(|h| h.date), Some(date(2025, 1, 1)));
        assert_eq!(holidays.last().map(|h| h.date), Some(date(2026, 1, 12)));
        assert_eq!(holidays.len(), HOLIDAYS_2025.len() + 2);
        assert!(
            calendar
                .holidays_between(date(2026, 1, 2), date(2026, 1, 11))
                .is_empty()
        );
        assert!(
            calendar
                .holidays_between(date(2026, 1, 2), date(2025, 1, 1))
                .is_empty()
        );
    }

    #[test]
    fn holidays_between_ignores_the_citys_own_rules() {
        let calendar = calendar_with(CalendarRules {
            extra_open: vec![date(2025, 1, 1)],
            ..Default::default()
        });
        let holidays = calendar.holidays_between(date(2025, 1, 1), date(2025, 1, 1));
        assert_eq!(
            holidays,
            vec![Holiday {
                date: date(2025, 1, 1),
                name: "元日"
            }]
        );
    }

    #[test]
    fn holiday_is_serializable() {
        fn assert_serialize<T: Serialize>() {}
        assert_serialize::<Holiday>();
        assert_serialize::<ClosedReason>();
    }

    // -----------------------------------------------------------------------
    // Properties
    // -----------------------------------------------------------------------

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

    fn day_in(first_year: i32, last_year: i32) -> impl Strategy<Value = NaiveDate> {
        let first = date(first_year, 1, 1).num_days_from_ce();
        let last = date(last_year, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|number| NaiveDate::from_num_days_from_ce_opt(number).unwrap())
    }

    fn calendar_rules() -> impl Strategy<Value = CalendarRules> {
        let closed = prop::collection::vec((day_in(1946, 2203), "[a-z]{1,8}"), 0..40);
        let open = prop::collection::vec(day_in(1946, 2203), 0..40);
        (any::<bool>(), closed, open).prop_map(|(year_end_closure, extra_closed, extra_open)| {
            CalendarRules {
                year_end_closure,
                extra_closed,
                extra_open,
            }
        })
    }

    proptest! {
        #[test]
        fn shifted_day_is_open(d in day_in(1973, 2150), n in -40..=40i32) {
            let calendar = &*DEFAULT_CALENDAR;
            match calendar.shift_open_days(d, n) {
                Some(shifted) => prop_assert!(calendar.is_open(shifted)),
                None => prop_assert!(n == 0 && !calendar.is_open(d)),
            }
        }

        #[test]
        fn shift_agrees_with_walking_by_rule(d in day_in(1940, 2210), n in -40..=40i32) {
            let calendar = &*DEFAULT_CALENDAR;
            prop_assert_eq!(calendar.shift_open_days(d, n), walk_by_rule(calendar, d, n));
        }

        /// Going back n open days and forward n again lands on `d` itself when `d` is open
        /// and on the first open day after it when it is closed; the mirror image holds
        /// for forward-then-back.
        #[test]
        fn shift_there_and_back(d in day_in(1973, 2150), n in 1..=40i32) {
            let calendar = &*DEFAULT_CALENDAR;
            let back_then_forth = calendar
                .shift_open_days(d, -n)
                .and_then(|earlier| calendar.shift_open_days(earlier, n));
            prop_assert_eq!(back_then_forth, calendar.next_open_day_on_or_after(d));
            let forth_then_back = calendar
                .shift_open_days(d, n)
                .and_then(|later| calendar.shift_open_days(later, -n));
            prop_assert_eq!(forth_then_back, calendar.previous_open_day_on_or_before(d));
            if calendar.is_open(d) {
                prop_assert_eq!(back_then_forth, Some(d));
            }
        }

        /// From an open day, shifts compose: shifting by a then b is shifting by a + b.
        #[test]
        fn shifts_compose_from_an_open_day(
            d in day_in(1973, 2150), a in -40..=40i32, b in -40..=40i32,
        ) {
            let calendar = &*DEFAULT_CALENDAR;
            let start = calendar.next_open_day_on_or_after(d).unwrap();
            let in_two_steps = calendar
                .shift_open_days(start, a)
                .and_then(|middle| calendar.shift_open_days(middle, b));
            prop_assert_eq!(in_two_steps, calendar.shift_open_days(start, a + b));
        }

        /// Exactly |n| open days lie between `d` (excluded) and its shift (included).
        #[test]
        fn shift_skips_exactly_n_open_days(d in day_in(1973, 2150), n in 1..=40i32) {
            let calendar = &*DEFAULT_CALENDAR;
            let later = calendar.shift_open_days(d, n).unwrap();
            let after_d = d.succ_opt().unwrap();
            prop_assert_eq!(calendar.open_days_between(after_d, later).len(), n as usize);
            let earlier = calendar.shift_open_days(d, -n).unwrap();
            let before_d = d.pred_opt().unwrap();
            prop_assert_eq!(calendar.open_days_between(earlier, before_d).len(), n as usize);
        }

        #[test]
        fn open_days_between_lists_exactly_the_open_days(
            a in day_in(1973, 2150), length in 0..120u64,
        ) {
            let calendar = &*DEFAULT_CALENDAR;
            let b = a + chrono::Days::new(length);
            let open = calendar.open_days_between(a, b);
            let expected = days_between(a, b).filter(|day| calendar.is_open(*day)).count();
            prop_assert_eq!(open.len(), expected);
            prop_assert!(open.iter().all(|day| calendar.is_open(*day)));
            prop_assert!(open.windows(2).all(|pair| pair[0] < pair[1]));
            let closed = calendar.closed_days_between(a, b);
            prop_assert_eq!(open.len() + closed.len(), length as usize + 1);
            prop_assert!(calendar.open_days_between(b + chrono::Days::new(1), a).is_empty());
        }

        #[test]
        fn bitmap_agrees_with_the_rules_by_default(d in day_in(1940, 2210)) {
            let calendar = &*DEFAULT_CALENDAR;
            let by_rule = calendar.closed_reason_by_rule(d);
            prop_assert_eq!(calendar.is_open(d), by_rule.is_none());
            prop_assert_eq!(calendar.closed_reason(d), by_rule);
            prop_assert_eq!(national_holiday(d), compute_national_holiday(d));
        }

        #[test]
        fn bitmap_agrees_with_the_rules_for_any_configuration(
            rules in calendar_rules(), days in prop::collection::vec(day_in(1946, 2203), 50),
        ) {
            let picked: Vec<NaiveDate> = rules
                .extra_closed
                .iter()
                .map(|(day, _)| *day)
                .chain(rules.extra_open.iter().copied())
                .chain(days)
                .collect();
            let calendar = OpenDayCalendar::new(rules);
            for day in picked {
                let by_rule = calendar.closed_reason_by_rule(day);
                prop_assert_eq!(calendar.is_open(day), by_rule.is_none(), "{}", day);
                prop_assert_eq!(calendar.closed_reason(day), by_rule, "{}", day);
            }
        }
    }
}
