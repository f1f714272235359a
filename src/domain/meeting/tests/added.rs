//! Meetings added one at a time (作業会議 5(2)ウ, the audit's 事前説明会 and
//! 監査報告会 4(1)イ, 臨時): held as given, moved and cancelled by key like
//! the others, reminded on the open day before and shortly before.

use super::*;

fn work_meeting(key: &str, at: NaiveDateTime) -> Adjustment {
    Adjustment::Add(AddedMeeting {
        key: key.to_owned(),
        kind: MeetingKind::Work,
        at,
        duration_minutes: 60,
        place: Some("本庁舎5階 会議室A".to_owned()),
        url: Some("https://meet.example.jp/work".to_owned()),
        agenda: Some("監査項目の確認".to_owned()),
    })
}

#[test]
fn an_added_meeting_is_held_as_given_with_its_place_link_and_agenda() {
    let added = [work_meeting(
        "work_meeting:2024-06-20T10:00",
        wall(2024, 6, 20, 10, 0),
    )];
    let meetings = plan(&default_rules(), &added);
    let work = find(&meetings, "work_meeting:2024-06-20T10:00").expect("held");
    assert_eq!(work.kind, MeetingKind::Work);
    assert_eq!(
        (work.starts_at, work.ends_at),
        (jst(2024, 6, 20, 10, 0), jst(2024, 6, 20, 11, 0))
    );
    assert_eq!(work.place.as_deref(), Some("本庁舎5階 会議室A"));
    assert_eq!(work.url.as_deref(), Some("https://meet.example.jp/work"));
    assert_eq!(work.agenda.as_deref(), Some("監査項目の確認"));
    assert!(work.deliverables.is_empty() && work.deadline.is_none());
    // Reminded as the biweekly meeting is: 17:00 on the open day before
    // (Wednesday the 19th) and an hour before.
    let reminders = plan_reminders(&meetings, &default_rules().reminders, &CALENDAR);
    assert_eq!(
        reminders_of(&reminders, "work_meeting:2024-06-20T10:00"),
        [
            (ReminderKind::PreviousDay, wall(2024, 6, 19, 17, 0)),
            (ReminderKind::HourBefore, wall(2024, 6, 20, 9, 0)),
        ]
    );
}

#[test]
fn an_added_meeting_moves_and_is_cancelled_by_its_key_and_is_added_once() {
    let key = "work_meeting:2024-06-20T10:00";
    let at = wall(2024, 6, 20, 10, 0);
    let moved = [
        work_meeting(key, at),
        work_meeting(key, wall(2024, 6, 21, 10, 0)),
        Adjustment::Move {
            key: key.to_owned(),
            to: wall(2024, 6, 24, 14, 0),
        },
    ];
    let meetings = plan(&default_rules(), &moved);
    let held: Vec<_> = meetings
        .iter()
        .filter(|meeting| meeting.key == key)
        .collect();
    assert_eq!(held.len(), 1, "added once: {held:?}");
    assert_eq!(held[0].starts_at, jst(2024, 6, 24, 14, 0));
    assert!(held[0].moved);
    let cancelled = [
        work_meeting(key, at),
        Adjustment::Cancel {
            key: key.to_owned(),
        },
    ];
    assert!(find(&plan(&default_rules(), &cancelled), key).is_none());
    // Added again after the cancel: held, as the latest add says.
    let mut again = cancelled.to_vec();
    again.push(work_meeting(key, wall(2024, 6, 20, 15, 0)));
    let meetings = plan(&default_rules(), &again);
    let held = find(&meetings, key).expect("held again");
    assert_eq!(held.starts_at, jst(2024, 6, 20, 15, 0));
    assert!(!held.moved);
    // Outside the period planned, it is not held.
    let outside = [work_meeting(
        "work_meeting:2025-04-10T10:00",
        wall(2025, 4, 10, 10, 0),
    )];
    assert!(of_kind(&plan(&default_rules(), &outside), MeetingKind::Work).is_empty());
}

#[test]
fn the_added_kinds_are_read_as_people_type_them() {
    for (typed, kind) in [
        ("作業会議", MeetingKind::Work),
        ("work", MeetingKind::Work),
        ("事前説明会", MeetingKind::Briefing),
        ("説明会", MeetingKind::Briefing),
        ("監査報告会", MeetingKind::AuditReport),
        ("Audit-Report", MeetingKind::AuditReport),
        ("臨時", MeetingKind::Extra),
    ] {
        assert_eq!(MeetingKind::typed(typed), Some(kind), "{typed}");
        assert_eq!(MeetingKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(
        MeetingKind::typed("定例"),
        None,
        "planned by rule, not added"
    );
    assert_eq!(MeetingKind::from_code("regular_meeting"), None);
}
