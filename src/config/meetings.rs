//! Meeting settings: which day of the month (`"2nd tue"`, `"第2火曜"`), what to do when that
//! day is closed, and the regular, biweekly and kickoff meetings.

use chrono::{NaiveDate, NaiveTime, Weekday};

use super::settings::{clock, owned_strings};

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

/// The three kinds of meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingSettings {
    /// The monthly regular meeting (定例会).
    pub regular: RegularMeetingSettings,
    /// The biweekly meeting.
    pub biweekly: BiweeklyMeetingSettings,
    /// The one kickoff meeting.
    pub kickoff: KickoffSettings,
}

/// The monthly regular meeting and the deliverables due before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularMeetingSettings {
    /// Which day of the month.
    pub rule: MonthlyRule,
    /// Start time.
    pub time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// What to do when the day is closed.
    pub on_closed_day: OnClosedDay,
    /// Deliverables are due this many open days before the meeting.
    pub deadline_open_days_before: u32,
    /// Deliverables due before each meeting.
    pub deliverables: Vec<String>,
}

impl Default for RegularMeetingSettings {
    fn default() -> Self {
        Self {
            rule: MonthlyRule {
                nth: NthWeek::Second,
                weekday: Weekday::Tue,
            },
            time: clock(10, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            deadline_open_days_before: 2,
            deliverables: owned_strings(&[
                "会議次第",
                "進捗状況報告書",
                "課題管理表",
                "概要スケジュール",
            ]),
        }
    }
}

/// The meeting held every other week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiweeklyMeetingSettings {
    /// Date of the first meeting; `None` means the first Thursday on or after the contract start.
    pub anchor: Option<NaiveDate>,
    /// Start time.
    pub time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// What to do when the day is closed.
    pub on_closed_day: OnClosedDay,
    /// Web-meeting link, if any.
    pub url: Option<String>,
}

impl Default for BiweeklyMeetingSettings {
    fn default() -> Self {
        Self {
            anchor: None,
            time: clock(14, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            url: None,
        }
    }
}

/// The kickoff meeting, if one is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KickoffSettings {
    /// Its date; `None` means no kickoff.
    pub date: Option<NaiveDate>,
    /// Start time.
    pub time: NaiveTime,
    /// Deliverables due before it.
    pub deliverables: Vec<String>,
}

impl Default for KickoffSettings {
    fn default() -> Self {
        Self {
            date: None,
            time: clock(10, 0),
            deliverables: owned_strings(&["実施計画書"]),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_rules_are_read_in_english_and_japanese() {
        let rule = |nth, weekday| Some(MonthlyRule { nth, weekday });
        let cases = [
            ("2nd tue", rule(NthWeek::Second, Weekday::Tue)),
            ("1st Monday", rule(NthWeek::First, Weekday::Mon)),
            ("  LAST fri ", rule(NthWeek::Last, Weekday::Fri)),
            ("fourth thursday", rule(NthWeek::Fourth, Weekday::Thu)),
            ("第2火曜", rule(NthWeek::Second, Weekday::Tue)),
            ("第３水曜日", rule(NthWeek::Third, Weekday::Wed)),
            ("毎月第1木曜", rule(NthWeek::First, Weekday::Thu)),
            ("最終金曜日", rule(NthWeek::Last, Weekday::Fri)),
            ("5th tue", None),
            ("2nd sat", None),
            ("第2土曜", None),
            ("第5火曜", None),
            ("tue", None),
            ("2nd tue please", None),
            ("第2火曜午後", None),
        ];
        for (text, expected) in cases {
            assert_eq!(MonthlyRule::parse(text), expected, "{text}");
        }
    }
}
