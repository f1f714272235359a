//! The 国民の祝日 of 祝日法 第2条, with every amendment since 1948 (fixed days, the Happy
//! Monday days and the equinoxes), plus the days special laws added once (imperial
//! ceremonies) or moved for one year (the Tokyo Olympics of 2020/2021).

use chrono::{Datelike, NaiveDate, Weekday};

use super::equinox::{Equinox, equinox_day_of_month};
use super::{HOLIDAY_LAW_IN_FORCE, Holiday};
use crate::domain::calendar::constant_date;

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

/// The 国民の祝日 of `year` (祝日法 第2条, with the special laws' days and moves), sorted.
pub(in crate::domain::calendar) fn statutory_holidays_in_year(year: i32) -> Vec<Holiday> {
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
