//! Single-occurrence changes made by command: a new day for one month's regular meeting,
//! moving and cancelling one occurrence. The series is never touched, and the reminders
//! follow the meeting.

use super::*;

fn move_to(key: &str, to: NaiveDateTime) -> Adjustment {
    Adjustment::Move {
        key: key.to_owned(),
        to,
    }
}

fn cancel(key: &str) -> Adjustment {
    Adjustment::Cancel {
        key: key.to_owned(),
    }
}

fn set_regular(year: i32, month_number: u32, at: NaiveDateTime) -> Adjustment {
    Adjustment::SetRegular {
        month: month(year, month_number),
        at,
    }
}

fn reminders(rules: &MeetingRules, meetings: &[Meeting]) -> Vec<Reminder> {
    plan_reminders(meetings, &rules.reminders, &CALENDAR)
}

#[test]
fn set_regular_replaces_the_rules_day_for_that_month_only() {
    let rules = default_rules();
    let meetings = plan(&rules, &[set_regular(2024, 6, wall(2024, 6, 18, 14, 0))]);
    let june = find(&meetings, "regular:2024-06").unwrap();
    assert_eq!(
        (june.starts_at, june.ends_at),
        (jst(2024, 6, 18, 14, 0), jst(2024, 6, 18, 15, 0))
    );
    assert_eq!(june.scheduled_date, date(2024, 6, 18));
    assert!(!june.moved);
    assert_eq!(june.deadline, Some(date(2024, 6, 14)));
    let july = find(&meetings, "regular:2024-07").unwrap();
    assert_eq!(july.starts_at, jst(2024, 7, 9, 10, 0));
    assert_eq!(of_kind(&meetings, MeetingKind::Regular).len(), 12);
}

#[test]
fn set_regular_on_a_closed_day_still_moves_and_is_never_skipped() {
    let mut rules = default_rules();
    let on_marine_day = [set_regular(2024, 7, wall(2024, 7, 15, 13, 30))];
    let july = |rules: &MeetingRules| {
        find(&plan(rules, &on_marine_day), "regular:2024-07").map(|meeting| meeting.starts_at)
    };
    assert_eq!(
        july(&rules),
        Some(jst(2024, 7, 16, 13, 30)),
        "海の日 → next open day"
    );
    rules.regular.on_closed_day = OnClosedDay::PreviousOpenDay;
    assert_eq!(july(&rules), Some(jst(2024, 7, 12, 13, 30)));
    rules.regular.on_closed_day = OnClosedDay::Skip;
    assert_eq!(july(&rules), Some(jst(2024, 7, 16, 13, 30)));
}

#[test]
fn moving_a_regular_meeting_moves_its_deadline_and_reminders() {
    let rules = default_rules();
    let meetings = plan(
        &rules,
        &[move_to("regular:2024-06", wall(2024, 6, 20, 15, 0))],
    );
    let june = find(&meetings, "regular:2024-06").unwrap();
    assert_eq!(
        (june.starts_at, june.ends_at),
        (jst(2024, 6, 20, 15, 0), jst(2024, 6, 20, 16, 0))
    );
    assert!(june.moved);
    assert_eq!(june.scheduled_date, date(2024, 6, 11));
    assert_eq!(june.deadline, Some(date(2024, 6, 18)));
    assert_eq!(
        reminders_of(&reminders(&rules, &meetings), "regular:2024-06"),
        [
            (ReminderKind::DeliverablesHeadsUp, wall(2024, 6, 14, 9, 0)),
            (ReminderKind::DeliverablesDue, wall(2024, 6, 18, 9, 0)),
            (
                ReminderKind::DeliverablesEscalation,
                wall(2024, 6, 18, 15, 0)
            ),
            (ReminderKind::MeetingDay, wall(2024, 6, 20, 9, 0)),
        ]
    );
    // The series goes on as before.
    let unmoved = plan(&rules, &[]);
    for key in ["regular:2024-05", "regular:2024-07"] {
        assert_eq!(find(&meetings, key), find(&unmoved, key));
    }
}

#[test]
fn moving_a_biweekly_meeting_keeps_its_series_key() {
    let rules = default_rules();
    let meetings = plan(
        &rules,
        &[move_to("biweekly:2024-04-18", wall(2024, 4, 19, 10, 0))],
    );
    let moved = find(&meetings, "biweekly:2024-04-18").unwrap();
    assert_eq!(moved.starts_at, jst(2024, 4, 19, 10, 0));
    assert!(moved.moved);
    assert_eq!(
        find(&meetings, "biweekly:2024-05-02").unwrap().date(),
        date(2024, 5, 2)
    );
    let planned = reminders(&rules, &meetings);
    assert_eq!(
        reminders_of(&planned, "biweekly:2024-04-18"),
        [
            (ReminderKind::PreviousDay, wall(2024, 4, 18, 17, 0)),
            (ReminderKind::HourBefore, wall(2024, 4, 19, 9, 0)),
        ]
    );
    let keys: Vec<&str> = planned
        .iter()
        .filter(|reminder| reminder.meeting_key == "biweekly:2024-04-18")
        .map(|reminder| reminder.idempotency_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "biweekly:2024-04-18:previous_day",
            "biweekly:2024-04-18:hour_before"
        ]
    );
}

#[test]
fn cancelling_removes_the_meeting_and_its_reminders() {
    let rules = default_rules();
    let adjustments = [cancel("regular:2024-07"), cancel("biweekly:2024-05-02")];
    let meetings = plan(&rules, &adjustments);
    assert!(find(&meetings, "regular:2024-07").is_none());
    assert!(find(&meetings, "biweekly:2024-05-02").is_none());
    assert_eq!(meetings.len(), plan(&rules, &[]).len() - 2);
    let planned = reminders(&rules, &meetings);
    assert!(reminders_of(&planned, "regular:2024-07").is_empty());
    assert!(reminders_of(&planned, "biweekly:2024-05-02").is_empty());
    assert_eq!(reminders_of(&planned, "regular:2024-08").len(), 4);
}

#[test]
fn the_latest_command_wins() {
    let rules = default_rules();
    let key = "regular:2024-09";
    let later = wall(2024, 9, 12, 10, 0);
    let cancelled_then_moved = plan(&rules, &[cancel(key), move_to(key, later)]);
    assert_eq!(
        find(&cancelled_then_moved, key).unwrap().starts_at,
        jst(2024, 9, 12, 10, 0)
    );
    let moved_then_cancelled = plan(&rules, &[move_to(key, later), cancel(key)]);
    assert!(find(&moved_then_cancelled, key).is_none());
    let cancelled_then_set = plan(&rules, &[cancel(key), set_regular(2024, 9, later)]);
    assert!(!find(&cancelled_then_set, key).unwrap().moved);
    let moved_then_set = plan(
        &rules,
        &[
            move_to(key, wall(2024, 9, 20, 10, 0)),
            set_regular(2024, 9, later),
        ],
    );
    assert_eq!(
        find(&moved_then_set, key).unwrap().starts_at,
        jst(2024, 9, 12, 10, 0)
    );
}

#[test]
fn changes_outside_the_period_or_to_unknown_keys_change_nothing() {
    let rules = default_rules();
    let unmoved = plan(&rules, &[]);
    let ignored = [
        cancel("regular:2023-06"),
        cancel("biweekly:2024-04-05"),
        move_to("nonsense", wall(2024, 6, 1, 10, 0)),
        set_regular(2025, 4, wall(2025, 4, 8, 10, 0)),
    ];
    assert_eq!(plan(&rules, &ignored), unmoved);
    let moved_out = plan(
        &rules,
        &[move_to("regular:2025-03", wall(2025, 4, 1, 10, 0))],
    );
    assert!(find(&moved_out, "regular:2025-03").is_none());
}
