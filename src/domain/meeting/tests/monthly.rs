//! The day-of-month rule: reading it as the city writes it, and `date_in` against counting
//! weekdays by hand.

use chrono::Datelike;

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

#[test]
fn date_in_finds_the_nth_and_the_last_weekday() {
    let rule = |text: &str| MonthlyRule::parse(text).unwrap();
    let cases = [
        ("2nd tue", month(2024, 6), date(2024, 6, 11)),
        ("1st mon", month(2024, 7), date(2024, 7, 1)),
        ("4th fri", month(2024, 5), date(2024, 5, 24)),
        ("last fri", month(2024, 5), date(2024, 5, 31)),
        ("last mon", month(2024, 2), date(2024, 2, 26)),
        ("last thu", month(2024, 2), date(2024, 2, 29)),
        ("第2火曜", month(2025, 2), date(2025, 2, 11)),
    ];
    for (text, month, expected) in cases {
        assert_eq!(rule(text).date_in(month), Some(expected), "{text} {month}");
    }
}

#[test]
fn date_in_agrees_with_counting_days() {
    let nths = [
        NthWeek::First,
        NthWeek::Second,
        NthWeek::Third,
        NthWeek::Fourth,
        NthWeek::Last,
    ];
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let mut current = month(2023, 1);
    while current <= month(2027, 12) {
        for (nth, weekday) in nths.iter().flat_map(|n| weekdays.map(|w| (*n, w))) {
            let days: Vec<NaiveDate> = current
                .first_day()
                .iter_days()
                .take_while(|day| current.contains(*day))
                .filter(|day| day.weekday() == weekday)
                .collect();
            let expected = match nth {
                NthWeek::Last => days.last().copied(),
                _ => days.get(nth as usize).copied(),
            };
            let rule = MonthlyRule { nth, weekday };
            assert_eq!(rule.date_in(current), expected, "{rule:?} {current}");
        }
        current = current.next();
    }
}

#[test]
fn closed_day_policies_keep_their_codes() {
    for policy in [
        OnClosedDay::NextOpenDay,
        OnClosedDay::PreviousOpenDay,
        OnClosedDay::Skip,
    ] {
        assert_eq!(OnClosedDay::from_code(policy.code()), Some(policy));
    }
    assert_eq!(OnClosedDay::from_code("next"), None);
}
