//! A calendar month (`2024-06`), the unit the contract counts quotas in
//! (仕様書 4(1)ア(ｱ): 上限１０件／月).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};

/// A month of the Gregorian calendar, validated where it enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a month in YYYY-MM form: {0}")]
pub struct YearMonthParseError(pub String);

impl YearMonth {
    /// `None` unless `month` is 1..=12 and the year is one chrono can hold.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Self { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("validated in the constructor")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("a month has a last day")
    }

    pub fn next(self) -> Self {
        Self::of(self.first_day() + Months::new(1))
    }

    pub fn previous(self) -> Self {
        Self::of(self.first_day() - Months::new(1))
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Self::of(date) == self
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = YearMonthParseError;

    /// Accepts `2024-06` and `2024-6`; nothing else.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || YearMonthParseError(text.to_owned());
        let (year, month) = text.trim().split_once('-').ok_or_else(error)?;
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !all_digits(year) || month.len() > 2 || !all_digits(month) {
            return Err(error());
        }
        let year = year.parse().map_err(|_| error())?;
        let month = month.parse().map_err(|_| error())?;
        Self::new(year, month).ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_months() {
        let cases = [
            ("2024-06", Some((2024, 6))),
            ("2024-6", Some((2024, 6))),
            (" 2025-12 ", Some((2025, 12))),
            ("2024-13", None),
            ("2024-00", None),
            ("2024/06", None),
            ("24-06", None),
            ("2024-", None),
            ("2024-+6", None),
            ("令和6年6月", None),
            ("", None),
        ];
        for (text, expected) in cases {
            let parsed = text
                .parse::<YearMonth>()
                .ok()
                .map(|m| (m.year(), m.month()));
            assert_eq!(parsed, expected, "{text:?}");
        }
    }

    #[test]
    fn knows_its_days_and_neighbours() {
        let feb = YearMonth::new(2024, 2).unwrap();
        assert_eq!(
            feb.last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(feb.previous().to_string(), "2024-01");
        assert_eq!(
            YearMonth::new(2024, 12).unwrap().next().to_string(),
            "2025-01"
        );
        assert!(feb.contains(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()));
        assert!(!feb.contains(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()));
    }
}
