//! 課題管理表: the contract's open issues and action items (仕様書 7: 課題管理表
//! is one of the regular meeting's materials). An item has an owner, a due
//! date that is an open day, a priority, and is open until done.

use chrono::NaiveDate;
use serde::Serialize;

/// The longest title an item may have, in characters.
pub const MAX_TITLE_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub fn code(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "high" => Some(Priority::High),
            "medium" => Some(Priority::Medium),
            "low" => Some(Priority::Low),
            _ => None,
        }
    }

    /// What people type: the code, or 高 / 中 / 低.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "高" => Some(Priority::High),
            "中" => Some(Priority::Medium),
            "低" => Some(Priority::Low),
            other => Self::from_code(&other.to_ascii_lowercase()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KadaiStatus {
    Open,
    Done,
}

impl KadaiStatus {
    pub fn code(self) -> &'static str {
        match self {
            KadaiStatus::Open => "open",
            KadaiStatus::Done => "done",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "open" => Some(KadaiStatus::Open),
            "done" => Some(KadaiStatus::Done),
            _ => None,
        }
    }
}

/// An open item whose due date has passed (the due day itself is not
/// overdue).
pub fn is_overdue(status: KadaiStatus, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == KadaiStatus::Open && due.is_some_and(|due| due < today)
}

/// How an item is referred to: `K-007`.
pub fn label(number: i64) -> String {
    format!("K-{number:03}")
}

/// The number in `K-007`, `k-7` or `7`.
pub fn parse_label(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text
        .strip_prefix("K-")
        .or_else(|| text.strip_prefix("k-"))
        .unwrap_or(text);
    digits.parse().ok().filter(|number| *number > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn priorities_are_typed_in_either_language() {
        assert_eq!(Priority::parse("高"), Some(Priority::High));
        assert_eq!(Priority::parse("Low"), Some(Priority::Low));
        assert_eq!(Priority::parse("medium"), Some(Priority::Medium));
        assert_eq!(Priority::parse("urgent"), None);
        for priority in [Priority::High, Priority::Medium, Priority::Low] {
            assert_eq!(Priority::from_code(priority.code()), Some(priority));
        }
    }

    #[test]
    fn only_open_items_past_their_due_day_are_overdue() {
        let today = date("2024-06-20");
        assert!(is_overdue(
            KadaiStatus::Open,
            Some(date("2024-06-19")),
            today
        ));
        assert!(!is_overdue(KadaiStatus::Open, Some(today), today));
        assert!(!is_overdue(
            KadaiStatus::Done,
            Some(date("2024-06-01")),
            today
        ));
        assert!(!is_overdue(KadaiStatus::Open, None, today));
    }

    #[test]
    fn labels_round_trip() {
        assert_eq!(label(7), "K-007");
        assert_eq!(label(1234), "K-1234");
        assert_eq!(parse_label("K-007"), Some(7));
        assert_eq!(parse_label("k-7"), Some(7));
        assert_eq!(parse_label("12"), Some(12));
        assert_eq!(parse_label("K-0"), None);
        assert_eq!(parse_label("x"), None);
    }
}
