//! The day-of-month rule of the regular meeting (`"2nd tue"`, `"第2火曜"`) and what to do
//! when a meeting falls on a closed day. Configuration reads these; planning uses them.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::super::month::YearMonth;

/// A weekday in a given week of every month, such as the second Tuesday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonthlyRule {
    /// Which occurrence in the month.
    pub nth: NthWeek,
    /// Monday to Friday; meetings are never on weekends.
    pub weekday: Weekday,
}

/// Which occurrence of a weekday in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NthWeek {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth.
    Fourth,
    /// The last, which may be the fourth or the fifth.
    Last,
}

impl MonthlyRule {
    /// Reads `"2nd tue"` (also `"second tuesday"`, `"last fri"`) or Japanese such as `"第2火曜"`,
    /// `"第２火曜日"` or `"最終金曜"`. Weekends are refused.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        parse_english_rule(text).or_else(|| parse_japanese_rule(text))
    }

    /// The rule's day in `month`, whether or not the office is open then: the nth such
    /// weekday, or the last one for [`NthWeek::Last`]. Every month has at least four of
    /// each weekday, so this is `None` only at the edge of chrono's range of dates.
    pub fn date_in(&self, month: YearMonth) -> Option<NaiveDate> {
        let nth = match self.nth {
            NthWeek::First => 1,
            NthWeek::Second => 2,
            NthWeek::Third => 3,
            NthWeek::Fourth => 4,
            NthWeek::Last => {
                let last = month.last_day();
                let back = (7 + last.weekday().num_days_from_monday()
                    - self.weekday.num_days_from_monday())
                    % 7;
                return last.checked_sub_signed(Duration::days(i64::from(back)));
            }
        };
        NaiveDate::from_weekday_of_month_opt(month.year(), month.month(), self.weekday, nth)
    }
}

/// What to do when a meeting falls on a closed day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnClosedDay {
    /// Move it to the next open day.
    NextOpenDay,
    /// Move it to the previous open day.
    PreviousOpenDay,
    /// Hold no meeting that time.
    Skip,
}

impl OnClosedDay {
    /// The code used in the file.
    pub fn code(self) -> &'static str {
        match self {
            OnClosedDay::NextOpenDay => "next_open_day",
            OnClosedDay::PreviousOpenDay => "previous_open_day",
            OnClosedDay::Skip => "skip",
        }
    }

    /// The choice for a code, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "next_open_day" => Some(OnClosedDay::NextOpenDay),
            "previous_open_day" => Some(OnClosedDay::PreviousOpenDay),
            "skip" => Some(OnClosedDay::Skip),
            _ => None,
        }
    }
}

/// `"2nd tue"`, `"second tuesday"`, `"last fri"`; any letter case.
fn parse_english_rule(text: &str) -> Option<MonthlyRule> {
    let lower = text.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    let (nth, weekday) = (words.next()?, words.next()?);
    if words.next().is_some() {
        return None;
    }
    let nth = match nth {
        "1st" | "first" => NthWeek::First,
        "2nd" | "second" => NthWeek::Second,
        "3rd" | "third" => NthWeek::Third,
        "4th" | "fourth" => NthWeek::Fourth,
        "last" => NthWeek::Last,
        _ => return None,
    };
    let weekday = match weekday {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        _ => return None,
    };
    Some(MonthlyRule { nth, weekday })
}

/// `"第2火曜"`, `"第２火曜日"`, `"毎月第2火曜"`, `"最終金曜"`: the forms used in city documents.
fn parse_japanese_rule(text: &str) -> Option<MonthlyRule> {
    let text = text.strip_prefix("毎月").unwrap_or(text).trim_start();
    let (nth, rest) = match text.strip_prefix("最終") {
        Some(rest) => (NthWeek::Last, rest),
        None => {
            let mut chars = text.strip_prefix('第')?.chars();
            let nth = match chars.next().and_then(digit_value)? {
                1 => NthWeek::First,
                2 => NthWeek::Second,
                3 => NthWeek::Third,
                4 => NthWeek::Fourth,
                _ => return None,
            };
            (nth, chars.as_str())
        }
    };
    let mut chars = rest.trim_start().chars();
    let weekday = match chars.next()? {
        '月' => Weekday::Mon,
        '火' => Weekday::Tue,
        '水' => Weekday::Wed,
        '木' => Weekday::Thu,
        '金' => Weekday::Fri,
        _ => return None,
    };
    matches!(chars.as_str(), "" | "曜" | "曜日").then_some(MonthlyRule { nth, weekday })
}

/// An ASCII or full-width digit, since Japanese text often uses full-width numbers.
fn digit_value(character: char) -> Option<u32> {
    character.to_digit(10).or_else(|| {
        ('０'..='９')
            .contains(&character)
            .then(|| u32::from(character) - u32::from('０'))
    })
}
