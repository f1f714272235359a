//! Fiscal years (年度) and Japanese era dates (和暦) as the city writes them.
//!
//! A city's fiscal year runs from 4月1日 to the next 3月31日 (地方自治法 第208条第1項), and
//! its documents date things in the era system (元号法, 昭和54年法律第43号).
//!
//! Pure: no I/O, no clock reads. Every function takes the date it needs.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

/// A fiscal year, named by the Western year in which it starts: FY2024 is
/// 2024-04-01..=2025-03-31, 令和6年度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FiscalYear(i32);

/// 地方自治法 第208条第1項: "毎年四月一日に始まり、翌年三月三十一日に終わる".
const FISCAL_YEAR_FIRST_MONTH: u32 = 4;

impl FiscalYear {
    pub fn new(start_year: i32) -> Self {
        FiscalYear(start_year)
    }

    /// The fiscal year `date` belongs to: January–March belong to the year before.
    pub fn containing(date: NaiveDate) -> Self {
        if date.month() >= FISCAL_YEAR_FIRST_MONTH {
            FiscalYear(date.year())
        } else {
            FiscalYear(date.year() - 1)
        }
    }

    pub fn start_year(&self) -> i32 {
        self.0
    }

    /// April 1 of the start year. A fiscal year at the very edge of chrono's range
    /// saturates to chrono's first or last date rather than panic.
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, FISCAL_YEAR_FIRST_MONTH, 1).unwrap_or(if self.0 < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
    }

    /// March 31 of the following year (saturating like [`Self::first_day`]).
    pub fn last_day(&self) -> NaiveDate {
        let end_year = self.0.saturating_add(1);
        NaiveDate::from_ymd_opt(end_year, 3, 31).unwrap_or(if end_year < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        FiscalYear::containing(date) == *self
    }

    pub fn next(&self) -> Self {
        FiscalYear(self.0.saturating_add(1))
    }

    pub fn previous(&self) -> Self {
        FiscalYear(self.0.saturating_sub(1))
    }

    /// "令和6年度". A fiscal year is named like the calendar year it starts in, and a
    /// calendar year in which the era changed goes by the new era: FY2019 began on
    /// 平成31年4月1日 but has been 令和元年度 since the 改元 of 2019-05-01, as the
    /// national government writes it, while FY1988 stays 昭和63年度 and FY2018 平成30年度.
    /// Fiscal years that began before 昭和 fall back to the Western year ("1925年度").
    pub fn japanese_label(&self) -> String {
        if era_of(self.first_day()).is_none() {
            return format!("{}年度", self.0);
        }
        let last_day_of_start_year = NaiveDate::from_ymd_opt(self.0, 12, 31);
        match last_day_of_start_year.and_then(era_of) {
            Some((era, era_year)) => format!("{}{}年度", era.name(), era_year_label(era_year)),
            None => format!("{}年度", self.0),
        }
    }
}

/// The eras the city's records can meet. Earlier dates fall back to Western years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Era {
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    pub fn name(&self) -> &'static str {
        match self {
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The first day of the era: 昭和 from 大正天皇's death (1926-12-25); 平成 from
    /// 元号を改める政令 (昭和64年政令第1号); 令和 from 平成31年政令第143号.
    pub fn first_day(&self) -> NaiveDate {
        let (year, month, day) = match self {
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        };
        NaiveDate::from_ymd_opt(year, month, day).expect("era start dates are valid")
    }

    /// Eras newest first, so the first one that has begun by a date is its era.
    const NEWEST_FIRST: [Era; 3] = [Era::Reiwa, Era::Heisei, Era::Showa];
}

/// The era of `date` and its year within the era (元年 = 1); `None` before 昭和.
pub fn era_of(date: NaiveDate) -> Option<(Era, i32)> {
    Era::NEWEST_FIRST
        .into_iter()
        .find(|era| date >= era.first_day())
        .map(|era| (era, date.year() - era.first_day().year() + 1))
}

/// "元" for the first year of an era, as every official document writes it; else the number.
fn era_year_label(era_year: i32) -> String {
    if era_year == 1 {
        "元".to_string()
    } else {
        era_year.to_string()
    }
}

/// "令和7年3月31日", "令和元年5月1日"; Western "1925年3月31日" before 昭和.
pub fn japanese_date(date: NaiveDate) -> String {
    format!("{}{}月{}日", japanese_year(date), date.month(), date.day())
}

/// "令和6年6月".
pub fn japanese_year_month(date: NaiveDate) -> String {
    format!("{}{}月", japanese_year(date), date.month())
}

/// "令和6年", or the Western "1925年" before 昭和.
fn japanese_year(date: NaiveDate) -> String {
    match era_of(date) {
        Some((era, era_year)) => format!("{}{}年", era.name(), era_year_label(era_year)),
        None => format!("{}年", date.year()),
    }
}

/// The one-character weekday used in Japanese dates: "月" … "日".
pub fn japanese_weekday(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    #[test]
    fn fiscal_year_bounds() {
        let fy2024 = FiscalYear::new(2024);
        assert_eq!(fy2024.start_year(), 2024);
        assert_eq!(fy2024.first_day(), date(2024, 4, 1));
        assert_eq!(fy2024.last_day(), date(2025, 3, 31));
        assert!(fy2024.contains(date(2024, 4, 1)));
        assert!(fy2024.contains(date(2025, 3, 31)));
        assert!(!fy2024.contains(date(2024, 3, 31)));
        assert!(!fy2024.contains(date(2025, 4, 1)));
        assert_eq!(FiscalYear::new(2023).last_day(), date(2024, 3, 31));
        assert_eq!(fy2024.next(), FiscalYear::new(2025));
        assert_eq!(fy2024.previous(), FiscalYear::new(2023));
        assert!(FiscalYear::new(2023) < fy2024);
    }

    #[test]
    fn fiscal_year_containing() {
        assert_eq!(
            FiscalYear::containing(date(2025, 3, 31)),
            FiscalYear::new(2024)
        );
        assert_eq!(
            FiscalYear::containing(date(2025, 4, 1)),
            FiscalYear::new(2025)
        );
        assert_eq!(
            FiscalYear::containing(date(2025, 1, 1)),
            FiscalYear::new(2024)
        );
        assert_eq!(
            FiscalYear::containing(date(2024, 12, 31)),
            FiscalYear::new(2024)
        );
    }

    #[test]
    fn fiscal_year_contains_every_day_between_its_bounds() {
        let fy = FiscalYear::new(2023);
        let days: Vec<NaiveDate> = fy
            .first_day()
            .iter_days()
            .take_while(|day| *day <= fy.last_day())
            .collect();
        assert_eq!(days.len(), 366, "FY2023 holds 2024-02-29");
        assert!(days.iter().all(|day| FiscalYear::containing(*day) == fy));
    }

    #[test]
    fn fiscal_year_at_the_edges_of_chrono_does_not_panic() {
        let last = FiscalYear::containing(NaiveDate::MAX);
        assert_eq!(last.last_day(), NaiveDate::MAX);
        assert!(last.contains(NaiveDate::MAX));
        let first = FiscalYear::containing(NaiveDate::MIN);
        assert_eq!(first.first_day(), NaiveDate::MIN);
        assert!(first.contains(NaiveDate::MIN));
    }

    #[test]
    fn fiscal_year_labels() {
        assert_eq!(FiscalYear::new(2024).japanese_label(), "令和6年度");
        assert_eq!(FiscalYear::new(2020).japanese_label(), "令和2年度");
        assert_eq!(FiscalYear::new(2019).japanese_label(), "令和元年度");
        assert_eq!(FiscalYear::new(2018).japanese_label(), "平成30年度");
        assert_eq!(FiscalYear::new(1989).japanese_label(), "平成元年度");
        assert_eq!(FiscalYear::new(1988).japanese_label(), "昭和63年度");
        assert_eq!(FiscalYear::new(1927).japanese_label(), "昭和2年度");
        assert_eq!(FiscalYear::new(1926).japanese_label(), "1926年度");
        assert_eq!(FiscalYear::new(1925).japanese_label(), "1925年度");
        let far_future = FiscalYear::containing(NaiveDate::MAX);
        let expected = format!("令和{}年度", NaiveDate::MAX.year() - 2018);
        assert_eq!(far_future.japanese_label(), expected);
    }

    #[test]
    fn era_boundaries() {
        assert_eq!(era_of(date(1926, 12, 24)), None);
        assert_eq!(era_of(date(1926, 12, 25)), Some((Era::Showa, 1)));
        assert_eq!(era_of(date(1989, 1, 7)), Some((Era::Showa, 64)));
        assert_eq!(era_of(date(1989, 1, 8)), Some((Era::Heisei, 1)));
        assert_eq!(era_of(date(2019, 4, 30)), Some((Era::Heisei, 31)));
        assert_eq!(era_of(date(2019, 5, 1)), Some((Era::Reiwa, 1)));
        assert_eq!(era_of(date(2025, 3, 31)), Some((Era::Reiwa, 7)));
        assert_eq!(Era::Showa.name(), "昭和");
        assert_eq!(Era::Heisei.name(), "平成");
        assert_eq!(Era::Reiwa.name(), "令和");
    }

    #[test]
    fn japanese_dates() {
        assert_eq!(japanese_date(date(2025, 3, 31)), "令和7年3月31日");
        assert_eq!(japanese_date(date(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(japanese_date(date(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(japanese_date(date(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(japanese_date(date(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(japanese_date(date(1926, 12, 25)), "昭和元年12月25日");
        assert_eq!(japanese_date(date(1925, 3, 31)), "1925年3月31日");
        assert_eq!(japanese_year_month(date(2024, 6, 11)), "令和6年6月");
        assert_eq!(japanese_year_month(date(2019, 5, 31)), "令和元年5月");
    }

    #[test]
    fn japanese_weekdays() {
        let monday = date(2024, 6, 10);
        let names: Vec<&str> = monday.iter_days().take(7).map(japanese_weekday).collect();
        assert_eq!(names, ["月", "火", "水", "木", "金", "土", "日"]);
    }

    #[test]
    fn fiscal_year_serializes_as_its_start_year() {
        fn assert_serialize<T: Serialize>() {}
        assert_serialize::<FiscalYear>();
        assert_serialize::<Era>();
    }
}
