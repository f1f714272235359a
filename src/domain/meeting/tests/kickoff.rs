//! The kickoff (仕様書 5(2)ア) with its 実施計画書, due like the regular meeting's materials.

use super::*;

fn with_kickoff(day: NaiveDate) -> MeetingRules {
    MeetingRules {
        kickoff: Some(KickoffRule {
            date: Some(day),
            time: clock(10, 0),
            duration_minutes: 90,
            deliverables: vec!["実施計画書".to_owned()],
        }),
        ..default_rules()
    }
}

#[test]
fn the_kickoff_is_one_meeting_with_its_plan_due_two_open_days_before() {
    let rules = with_kickoff(date(2024, 4, 10));
    let meetings = plan(&rules, &[]);
    let kickoffs = of_kind(&meetings, MeetingKind::Kickoff);
    assert_eq!(
        kickoffs,
        [Meeting {
            key: KICKOFF_KEY.to_owned(),
            kind: MeetingKind::Kickoff,
            starts_at: jst(2024, 4, 10, 10, 0),
            ends_at: jst(2024, 4, 10, 11, 30),
            scheduled_date: date(2024, 4, 10),
            moved: false,
            deadline: Some(date(2024, 4, 8)),
            deliverables: vec!["実施計画書".to_owned()],
            url: None,
            place: None,
            agenda: None,
        }]
    );
    let reminders = plan_reminders(&meetings, &rules.reminders, &CALENDAR);
    assert_eq!(
        reminders_of(&reminders, "kickoff"),
        [
            (ReminderKind::DeliverablesHeadsUp, wall(2024, 4, 4, 9, 0)),
            (ReminderKind::DeliverablesDue, wall(2024, 4, 8, 9, 0)),
            (
                ReminderKind::DeliverablesEscalation,
                wall(2024, 4, 8, 15, 0)
            ),
            (ReminderKind::MeetingDay, wall(2024, 4, 10, 9, 0)),
        ]
    );
}

#[test]
fn a_kickoff_on_a_closed_day_moves_and_is_never_skipped() {
    // 2024-04-29 is 昭和の日.
    let mut rules = with_kickoff(date(2024, 4, 29));
    let day = |rules: &MeetingRules| find(&plan(rules, &[]), "kickoff").map(Meeting::date);
    assert_eq!(day(&rules), Some(date(2024, 4, 30)));
    rules.regular.on_closed_day = OnClosedDay::PreviousOpenDay;
    assert_eq!(day(&rules), Some(date(2024, 4, 26)));
    rules.regular.on_closed_day = OnClosedDay::Skip;
    assert_eq!(day(&rules), Some(date(2024, 4, 30)));
}

#[test]
fn a_kickoff_outside_the_period_or_cancelled_is_not_held() {
    let rules = with_kickoff(date(2024, 3, 27));
    assert!(find(&plan(&rules, &[]), "kickoff").is_none());
    let rules = with_kickoff(date(2024, 4, 10));
    let cancelled = [Adjustment::Cancel {
        key: "kickoff".to_owned(),
    }];
    assert!(find(&plan(&rules, &cancelled), "kickoff").is_none());
    assert!(default_rules().kickoff.is_none());
    assert!(of_kind(&plan(&default_rules(), &[]), MeetingKind::Kickoff).is_empty());
}

#[test]
fn a_kickoff_without_a_date_is_the_fifth_open_day_after_the_contracts_start() {
    // FY2024 starts on Monday 1 April: the 2nd, 3rd, 4th, 5th and 8th are
    // the five open days after it.
    let mut rules = with_kickoff(date(2024, 4, 10));
    if let Some(kickoff) = rules.kickoff.as_mut() {
        kickoff.date = None;
    }
    let meetings = plan(&rules, &[]);
    let kickoff = find(&meetings, "kickoff").expect("a kickoff");
    assert_eq!(kickoff.starts_at, jst(2024, 4, 8, 10, 0));
    // Its 実施計画書 is due two open days before: Thursday the 4th.
    assert_eq!(kickoff.deadline, Some(date(2024, 4, 4)));
}
