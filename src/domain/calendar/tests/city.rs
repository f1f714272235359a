//! The city calendar: the year-end closure (地方自治法 第4条の2 and the 休日条例), the
//! configured closed and open days and their precedence, the reasons shown, and the
//! listings between two days.

use chrono::{Datelike, Weekday};
use serde::Serialize;

use super::published_lists::HOLIDAYS_2025;
use super::{DEFAULT_CALENDAR, calendar_with, date};
use crate::domain::calendar::{CalendarRules, ClosedReason, Holiday, OpenDayCalendar};

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
