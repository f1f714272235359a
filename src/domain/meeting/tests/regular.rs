//! The monthly 定例報告会 (仕様書 5(2)イ) over FY2024: the rule's days, days moved off
//! holidays, the materials deadline two open days before, and the closed-day policies.

use super::*;

/// FY2024 with the defaults: (meeting day, deadline); each key names the meeting's month.
/// 8/12 is 振替休日 and 1/13 成人の日, so those deadlines reach back past them; 2/11
/// 建国記念の日 moves February to the 12th.
const FY2024_REGULAR: [(Ymd, Ymd); 12] = [
    ((2024, 4, 9), (2024, 4, 5)),
    ((2024, 5, 14), (2024, 5, 10)),
    ((2024, 6, 11), (2024, 6, 7)),
    ((2024, 7, 9), (2024, 7, 5)),
    ((2024, 8, 13), (2024, 8, 8)),
    ((2024, 9, 10), (2024, 9, 6)),
    ((2024, 10, 8), (2024, 10, 4)),
    ((2024, 11, 12), (2024, 11, 8)),
    ((2024, 12, 10), (2024, 12, 6)),
    ((2025, 1, 14), (2025, 1, 9)),
    ((2025, 2, 12), (2025, 2, 7)),
    ((2025, 3, 11), (2025, 3, 7)),
];

#[test]
fn fy2024_has_twelve_regular_meetings_with_their_deadlines() {
    let rules = default_rules();
    let regular = of_kind(&plan(&rules, &[]), MeetingKind::Regular);
    let expected: Vec<Meeting> = FY2024_REGULAR
        .iter()
        .map(|&((my, mm, md), (dy, dm, dd))| Meeting {
            key: format!("regular:{my:04}-{mm:02}"),
            kind: MeetingKind::Regular,
            starts_at: jst(my, mm, md, 10, 0),
            ends_at: jst(my, mm, md, 11, 0),
            scheduled_date: date(my, mm, md),
            moved: false,
            deadline: Some(date(dy, dm, dd)),
            deliverables: rules.regular.deliverables.clone(),
            url: None,
            place: None,
            agenda: None,
        })
        .collect();
    assert_eq!(regular, expected);
}

#[test]
fn the_worked_examples_of_the_contract_year_hold() {
    let meetings = plan(&default_rules(), &[]);
    let deadline = |key: &str| find(&meetings, key).and_then(|meeting| meeting.deadline);
    assert_eq!(deadline("regular:2024-06"), Some(date(2024, 6, 7)));
    assert_eq!(deadline("regular:2024-08"), Some(date(2024, 8, 8)));
    assert_eq!(deadline("regular:2025-01"), Some(date(2025, 1, 9)));
    let february = find(&meetings, "regular:2025-02").unwrap();
    assert!(!CALENDAR.is_open(date(2025, 2, 11)), "建国記念の日");
    assert_eq!(february.starts_at, jst(2025, 2, 12, 10, 0));
    assert_eq!(february.scheduled_date, date(2025, 2, 12));
    assert!(
        !february.moved,
        "a closed-day move is the rule's, not a command's"
    );
    assert_eq!(february.deadline, Some(date(2025, 2, 7)));
    assert_eq!(february.starts_at.to_rfc3339(), "2025-02-12T10:00:00+09:00");
}

#[test]
fn previous_open_day_policy_moves_february_back() {
    let mut rules = default_rules();
    rules.regular.on_closed_day = OnClosedDay::PreviousOpenDay;
    let meetings = plan(&rules, &[]);
    let february = find(&meetings, "regular:2025-02").unwrap();
    assert_eq!(february.starts_at, jst(2025, 2, 10, 10, 0));
    assert_eq!(february.deadline, Some(date(2025, 2, 6)));
    assert_eq!(of_kind(&meetings, MeetingKind::Regular).len(), 12);
}

#[test]
fn skip_policy_holds_no_february_meeting() {
    let mut rules = default_rules();
    rules.regular.on_closed_day = OnClosedDay::Skip;
    let regular = of_kind(&plan(&rules, &[]), MeetingKind::Regular);
    assert_eq!(regular.len(), 11);
    assert!(find(&regular, "regular:2025-02").is_none());
    assert_eq!(
        find(&regular, "regular:2025-03").unwrap().starts_at,
        jst(2025, 3, 11, 10, 0)
    );
}

#[test]
fn a_rule_on_a_monday_meets_the_happy_monday_holidays() {
    // 第2月曜: 10/14 スポーツの日 and 1/13 成人の日 are holidays on that very rule.
    let mut rules = default_rules();
    rules.regular.rule = MonthlyRule::parse("第2月曜").unwrap();
    let meetings = plan(&rules, &[]);
    let day = |key: &str| find(&meetings, key).unwrap().date();
    assert_eq!(day("regular:2024-10"), date(2024, 10, 15));
    assert_eq!(day("regular:2025-01"), date(2025, 1, 14));
    assert_eq!(day("regular:2024-04"), date(2024, 4, 8));
}

#[test]
fn deadline_counts_open_days_and_zero_means_the_meeting_day() {
    let mut rules = default_rules();
    rules.regular.deadline_open_days_before = 0;
    let meetings = plan(&rules, &[]);
    assert_eq!(
        find(&meetings, "regular:2024-08").unwrap().deadline,
        Some(date(2024, 8, 13))
    );
    rules.regular.deadline_open_days_before = 5;
    let meetings = plan(&rules, &[]);
    // 8/13 back five open days: 8/9, 8/8, 8/7, 8/6, 8/5 (8/12 is 振替休日).
    assert_eq!(
        find(&meetings, "regular:2024-08").unwrap().deadline,
        Some(date(2024, 8, 5))
    );
}

#[test]
fn no_deliverables_means_no_deadline() {
    let mut rules = default_rules();
    rules.regular.deliverables.clear();
    let meetings = plan(&rules, &[]);
    assert!(meetings.iter().all(|meeting| meeting.deadline.is_none()));
    let reminders = plan_reminders(&meetings, &rules.reminders, &CALENDAR);
    assert_eq!(
        reminders_of(&reminders, "regular:2024-06"),
        [(ReminderKind::MeetingDay, wall(2024, 6, 11, 9, 0))]
    );
}

#[test]
fn a_partial_period_holds_only_the_meetings_inside_it() {
    let rules = default_rules();
    let period = (date(2024, 6, 12), date(2024, 8, 13));
    let keys: Vec<String> = plan_meetings(&rules, period, &[], &CALENDAR)
        .into_iter()
        .filter(|meeting| meeting.kind == MeetingKind::Regular)
        .map(|meeting| meeting.key)
        .collect();
    assert_eq!(keys, ["regular:2024-07", "regular:2024-08"]);
    let backwards = (date(2025, 3, 31), date(2024, 4, 1));
    assert!(plan_meetings(&rules, backwards, &[], &CALENDAR).is_empty());
}

#[test]
fn meeting_kinds_keep_their_codes() {
    assert_eq!(MeetingKind::Regular.code(), "regular_meeting");
    assert_eq!(MeetingKind::Biweekly.code(), "biweekly_meeting");
    assert_eq!(MeetingKind::Kickoff.code(), "kickoff");
    assert_eq!(regular_key(month(2024, 6)), "regular:2024-06");
    assert_eq!(biweekly_key(date(2024, 4, 4)), "biweekly:2024-04-04");
}
