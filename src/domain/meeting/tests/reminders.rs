//! Reminders over FY2024: the deliverables heads-up, due and escalation notices and the
//! meeting-day notice of every regular meeting, and the biweekly notices.

use chrono::Duration;

use super::*;

/// FY2024 with the defaults: (heads-up day, deadline, meeting day) of each regular meeting.
const FY2024_REGULAR_REMINDER_DAYS: [[Ymd; 3]; 12] = [
    [(2024, 4, 3), (2024, 4, 5), (2024, 4, 9)],
    [(2024, 5, 8), (2024, 5, 10), (2024, 5, 14)],
    [(2024, 6, 5), (2024, 6, 7), (2024, 6, 11)],
    [(2024, 7, 3), (2024, 7, 5), (2024, 7, 9)],
    [(2024, 8, 6), (2024, 8, 8), (2024, 8, 13)],
    [(2024, 9, 4), (2024, 9, 6), (2024, 9, 10)],
    [(2024, 10, 2), (2024, 10, 4), (2024, 10, 8)],
    [(2024, 11, 6), (2024, 11, 8), (2024, 11, 12)],
    [(2024, 12, 4), (2024, 12, 6), (2024, 12, 10)],
    [(2025, 1, 7), (2025, 1, 9), (2025, 1, 14)],
    [(2025, 2, 5), (2025, 2, 7), (2025, 2, 12)],
    [(2025, 3, 5), (2025, 3, 7), (2025, 3, 11)],
];

fn fy2024_reminders(rules: &MeetingRules) -> Vec<Reminder> {
    plan_reminders(&plan(rules, &[]), &rules.reminders, &CALENDAR)
}

#[test]
fn fy2024_regular_reminders_are_exactly_these() {
    let rules = default_rules();
    let actual: Vec<(String, ReminderKind, DateTime<Tz>)> = fy2024_reminders(&rules)
        .into_iter()
        .filter(|reminder| reminder.meeting_key.starts_with("regular:"))
        .map(|reminder| (reminder.idempotency_key, reminder.kind, reminder.at))
        .collect();
    let mut expected = Vec::new();
    for [heads_up, deadline, meeting] in FY2024_REGULAR_REMINDER_DAYS {
        let key = format!("regular:{}", month(meeting.0, meeting.1));
        let at = |(y, m, d): Ymd, hour| jst(y, m, d, hour, 0);
        for (kind, when) in [
            (ReminderKind::DeliverablesHeadsUp, at(heads_up, 9)),
            (ReminderKind::DeliverablesDue, at(deadline, 9)),
            (ReminderKind::DeliverablesEscalation, at(deadline, 15)),
            (ReminderKind::MeetingDay, at(meeting, 9)),
        ] {
            expected.push((format!("{key}:{}", kind.key_part()), kind, when));
        }
    }
    assert_eq!(actual, expected);
}

#[test]
fn reminders_carry_their_meeting() {
    let rules = default_rules();
    let reminders = fy2024_reminders(&rules);
    let august: Vec<&Reminder> = reminders
        .iter()
        .filter(|reminder| reminder.meeting_key == "regular:2024-08")
        .collect();
    assert_eq!(august.len(), 4);
    assert!(
        august
            .iter()
            .all(|r| r.meeting_starts_at == jst(2024, 8, 13, 10, 0))
    );
    assert_eq!(august[0].idempotency_key, "regular:2024-08:heads_up");
    assert_eq!(august[0].kind.code(), "deliverables_heads_up");
}

#[test]
fn fy2024_biweekly_reminders_come_the_open_day_before_and_an_hour_before() {
    let rules = default_rules();
    let reminders = fy2024_reminders(&rules);
    let meetings = of_kind(&plan(&rules, &[]), MeetingKind::Biweekly);
    for meeting in &meetings {
        // Every series day is a Thursday after an open Wednesday, except 2025-03-20 (春分の日),
        // held on Friday 03-21, whose open day before is Wednesday 03-19.
        let previous = match meeting.date() {
            day if day == date(2025, 3, 21) => date(2025, 3, 19),
            day => day - Duration::days(1),
        };
        assert_eq!(
            reminders_of(&reminders, &meeting.key),
            [
                (ReminderKind::PreviousDay, previous.and_time(clock(17, 0))),
                (
                    ReminderKind::HourBefore,
                    meeting.date().and_time(clock(13, 0))
                ),
            ],
            "{}",
            meeting.key
        );
    }
    assert_eq!(reminders.len(), 12 * 4 + 26 * 2);
}

#[test]
fn the_minutes_before_a_biweekly_meeting_are_configurable() {
    let mut rules = default_rules();
    rules.reminders.biweekly_before_minutes = 90;
    let reminders = fy2024_reminders(&rules);
    let first = reminders_of(&reminders, "biweekly:2024-04-04");
    assert_eq!(
        first[1],
        (ReminderKind::HourBefore, wall(2024, 4, 4, 12, 30))
    );
    rules.reminders.biweekly_before_minutes = 0;
    let reminders = fy2024_reminders(&rules);
    let first = reminders_of(&reminders, "biweekly:2024-04-04");
    assert_eq!(
        first[1],
        (ReminderKind::HourBefore, wall(2024, 4, 4, 14, 0))
    );
}

#[test]
fn a_reminder_after_the_start_is_left_out() {
    // Materials due on the meeting day itself: the 15:00 escalation would come after a
    // 10:00 meeting, so only the morning notices remain.
    let mut rules = default_rules();
    rules.regular.deadline_open_days_before = 0;
    let reminders = fy2024_reminders(&rules);
    assert_eq!(
        reminders_of(&reminders, "regular:2024-06"),
        [
            (ReminderKind::DeliverablesHeadsUp, wall(2024, 6, 7, 9, 0)),
            (ReminderKind::DeliverablesDue, wall(2024, 6, 11, 9, 0)),
            (ReminderKind::MeetingDay, wall(2024, 6, 11, 9, 0)),
        ]
    );
}

#[test]
fn reminders_on_a_meeting_moved_to_a_closed_day_come_on_the_open_day_before() {
    let rules = default_rules();
    let adjustments = [
        Adjustment::Move {
            key: "regular:2024-06".to_owned(),
            to: wall(2024, 6, 15, 10, 0),
        },
        Adjustment::Move {
            key: "biweekly:2024-05-02".to_owned(),
            to: wall(2024, 5, 5, 14, 0),
        },
    ];
    let meetings = plan(&rules, &adjustments);
    let reminders = plan_reminders(&meetings, &rules.reminders, &CALENDAR);
    // Saturday 06-15: materials due 06-13, the day's notice on Friday 06-14.
    assert_eq!(
        reminders_of(&reminders, "regular:2024-06"),
        [
            (ReminderKind::DeliverablesHeadsUp, wall(2024, 6, 11, 9, 0)),
            (ReminderKind::DeliverablesDue, wall(2024, 6, 13, 9, 0)),
            (
                ReminderKind::DeliverablesEscalation,
                wall(2024, 6, 13, 15, 0)
            ),
            (ReminderKind::MeetingDay, wall(2024, 6, 14, 9, 0)),
        ]
    );
    // こどもの日 (a Sunday) 05-05: both notices fall back to Thursday 05-02.
    assert_eq!(
        reminders_of(&reminders, "biweekly:2024-05-02"),
        [
            (ReminderKind::HourBefore, wall(2024, 5, 2, 13, 0)),
            (ReminderKind::PreviousDay, wall(2024, 5, 2, 17, 0)),
        ]
    );
}

#[test]
fn reminder_kinds_have_codes_and_distinct_key_parts() {
    let kinds = [
        ReminderKind::DeliverablesHeadsUp,
        ReminderKind::DeliverablesDue,
        ReminderKind::DeliverablesEscalation,
        ReminderKind::MeetingDay,
        ReminderKind::PreviousDay,
        ReminderKind::HourBefore,
    ];
    let codes: Vec<&str> = kinds.iter().map(|kind| kind.code()).collect();
    assert_eq!(
        codes,
        [
            "deliverables_heads_up",
            "deliverables_due",
            "deliverables_escalation",
            "meeting_notice",
            "meeting_notice",
            "meeting_notice",
        ]
    );
    let mut parts: Vec<&str> = kinds.iter().map(|kind| kind.key_part()).collect();
    parts.sort_unstable();
    parts.dedup();
    assert_eq!(parts.len(), kinds.len());
}
