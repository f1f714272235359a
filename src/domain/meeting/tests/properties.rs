//! Properties over many years and rules: meetings the rules place are on open days, no
//! reminder is ever posted on a closed day or after its meeting starts, and every
//! reminder's key is unique.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

/// Fiscal years with unusual calendars: the 2019 Golden Week and 即位 days, the moved
/// Olympic holidays of 2020 and 2021, and ordinary years on either side.
const YEARS: [i32; 9] = [2018, 2019, 2020, 2021, 2024, 2025, 2026, 2030, 2040];

fn check_year(rules: &MeetingRules, year: i32, adjustments: &[Adjustment]) {
    let period = fiscal_year(year);
    let meetings = plan_meetings(rules, period, adjustments, &CALENDAR);
    for meeting in meetings.iter().filter(|meeting| !meeting.moved) {
        assert!(
            CALENDAR.is_open(meeting.date()),
            "{} on a closed day",
            meeting.key
        );
        assert!((period.0..=period.1).contains(&meeting.date()));
    }
    for meeting in &meetings {
        if let Some(deadline) = meeting.deadline {
            assert!(CALENDAR.is_open(deadline) && deadline <= meeting.date());
        }
    }
    let reminders = plan_reminders(&meetings, &rules.reminders, &CALENDAR);
    let mut keys = BTreeSet::new();
    for reminder in &reminders {
        let day = reminder.at.date_naive();
        assert!(
            CALENDAR.is_open(day),
            "{} on closed {day}",
            reminder.idempotency_key
        );
        assert!(
            reminder.at <= reminder.meeting_starts_at,
            "{}",
            reminder.idempotency_key
        );
        assert!(
            keys.insert(reminder.idempotency_key.clone()),
            "{}",
            reminder.idempotency_key
        );
    }
    assert!(reminders.windows(2).all(|pair| pair[0].at <= pair[1].at));
}

fn rules_with(text: &str, regular: OnClosedDay, biweekly: OnClosedDay) -> MeetingRules {
    let mut rules = default_rules();
    rules.regular.rule = MonthlyRule::parse(text).unwrap();
    rules.regular.on_closed_day = regular;
    rules.biweekly.on_closed_day = biweekly;
    rules
}

const POLICIES: [OnClosedDay; 3] = [
    OnClosedDay::NextOpenDay,
    OnClosedDay::PreviousOpenDay,
    OnClosedDay::Skip,
];

#[test]
fn no_reminder_falls_on_a_closed_day_in_any_year_or_rule() {
    let texts = [
        "1st mon", "2nd tue", "3rd wed", "4th thu", "last fri", "2nd mon",
    ];
    for year in YEARS {
        for text in texts {
            for (regular, biweekly) in POLICIES.iter().zip(POLICIES.iter().rev()) {
                check_year(&rules_with(text, *regular, *biweekly), year, &[]);
            }
        }
    }
}

#[test]
fn no_reminder_falls_on_a_closed_day_when_meetings_are_moved_onto_closed_days() {
    let rules = default_rules();
    for year in YEARS {
        // Every regular meeting moved to the first of its month (often a holiday or a
        // weekend, always 元日 in January), and the first biweekly one to New Year's Day.
        let adjustments: Vec<Adjustment> = (0..12)
            .map(|offset| {
                let mut current = month(year, 4);
                for _ in 0..offset {
                    current = current.next();
                }
                Adjustment::Move {
                    key: regular_key(current),
                    to: current.first_day().and_time(clock(9, 30)),
                }
            })
            .chain([Adjustment::Move {
                key: first_biweekly_key(&rules, year),
                to: wall(year + 1, 1, 1, 0, 30),
            }])
            .collect();
        check_year(&rules, year, &adjustments);
    }
}

fn first_biweekly_key(rules: &MeetingRules, year: i32) -> String {
    let meetings = plan_meetings(rules, fiscal_year(year), &[], &CALENDAR);
    of_kind(&meetings, MeetingKind::Biweekly)[0].key.clone()
}

proptest! {
    #[test]
    fn random_rules_never_remind_on_a_closed_day(
        year in 2000..2060i32,
        nth in 0..5usize,
        weekday in 0..5u8,
        anchor_offset in 0..60i64,
        deadline_days in 0..6u32,
        policies in (0..3usize, 0..3usize),
        hour in 7..19u32,
    ) {
        let nths = [NthWeek::First, NthWeek::Second, NthWeek::Third, NthWeek::Fourth, NthWeek::Last];
        let mut rules = default_rules();
        rules.regular.rule = MonthlyRule {
            nth: nths[nth],
            weekday: Weekday::try_from(weekday).unwrap(),
        };
        rules.regular.on_closed_day = POLICIES[policies.0];
        rules.regular.deadline_open_days_before = deadline_days;
        rules.regular.time = clock(hour, 0);
        rules.biweekly.on_closed_day = POLICIES[policies.1];
        rules.biweekly.anchor = Some(date(year, 3, 1) + chrono::Duration::days(anchor_offset));
        rules.biweekly.time = clock(hour, 30);
        check_year(&rules, year, &[]);
    }
}
