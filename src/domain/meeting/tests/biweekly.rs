//! The meeting every two weeks (仕様書 6(3)): the default anchor, the series over FY2024,
//! and 2025-03-20 (春分の日, a Thursday of the series) under each closed-day policy.

use chrono::Duration;

use super::*;

fn biweekly_dates(rules: &MeetingRules) -> Vec<NaiveDate> {
    of_kind(&plan(rules, &[]), MeetingKind::Biweekly)
        .iter()
        .map(Meeting::date)
        .collect()
}

/// The FY2024 series: every 14 days from the first Thursday, 2024-04-04.
fn fy2024_series() -> Vec<NaiveDate> {
    std::iter::successors(Some(date(2024, 4, 4)), |day| {
        Some(*day + Duration::days(14))
    })
    .take_while(|day| *day <= FY2024.1)
    .collect()
}

#[test]
fn the_default_anchor_is_the_first_thursday_of_the_period() {
    let meetings = plan(&default_rules(), &[]);
    let first = of_kind(&meetings, MeetingKind::Biweekly)[0].clone();
    assert_eq!(first.key, "biweekly:2024-04-04");
    assert_eq!(first.starts_at, jst(2024, 4, 4, 14, 0));
    assert_eq!(first.ends_at, jst(2024, 4, 4, 15, 0));
    assert_eq!(first.deadline, None);
    // FY2027 starts on a Thursday, which is itself the anchor.
    let fy2027 = plan_meetings(&default_rules(), fiscal_year(2027), &[], &CALENDAR);
    assert_eq!(
        of_kind(&fy2027, MeetingKind::Biweekly)[0].date(),
        date(2027, 4, 1)
    );
}

#[test]
fn only_one_series_day_of_fy2024_is_closed() {
    let closed: Vec<NaiveDate> = fy2024_series()
        .into_iter()
        .filter(|day| !CALENDAR.is_open(*day))
        .collect();
    assert_eq!(closed, [date(2025, 3, 20)], "春分の日");
    assert_eq!(fy2024_series().len(), 26);
}

#[test]
fn a_holiday_moves_to_the_next_open_day_by_default() {
    let expected: Vec<NaiveDate> = fy2024_series()
        .into_iter()
        .map(|day| {
            if day == date(2025, 3, 20) {
                date(2025, 3, 21)
            } else {
                day
            }
        })
        .collect();
    assert_eq!(biweekly_dates(&default_rules()), expected);
    let meetings = plan(&default_rules(), &[]);
    let moved = find(&meetings, "biweekly:2025-03-20").unwrap();
    assert_eq!(moved.starts_at, jst(2025, 3, 21, 14, 0));
    assert_eq!(moved.scheduled_date, date(2025, 3, 21));
    assert!(!moved.moved);
}

#[test]
fn a_holiday_moves_back_or_is_skipped_by_policy() {
    let mut rules = default_rules();
    rules.biweekly.on_closed_day = OnClosedDay::PreviousOpenDay;
    let meetings = plan(&rules, &[]);
    let moved = find(&meetings, "biweekly:2025-03-20").unwrap();
    assert_eq!(moved.starts_at, jst(2025, 3, 19, 14, 0));

    rules.biweekly.on_closed_day = OnClosedDay::Skip;
    let dates = biweekly_dates(&rules);
    assert_eq!(dates.len(), 25);
    assert!(!dates.contains(&date(2025, 3, 20)) && !dates.contains(&date(2025, 3, 21)));
}

#[test]
fn an_anchor_before_the_period_keeps_its_rhythm() {
    let mut rules = default_rules();
    rules.biweekly.anchor = Some(date(2024, 3, 7));
    assert_eq!(
        biweekly_dates(&rules)[..2],
        [date(2024, 4, 4), date(2024, 4, 18)]
    );
    rules.biweekly.anchor = Some(date(2024, 3, 14));
    assert_eq!(
        biweekly_dates(&rules)[..2],
        [date(2024, 4, 11), date(2024, 4, 25)]
    );
    rules.biweekly.anchor = Some(date(2025, 4, 3));
    assert!(biweekly_dates(&rules).is_empty());
}

#[test]
fn an_anchor_in_the_period_starts_the_series_there() {
    let mut rules = default_rules();
    rules.biweekly.anchor = Some(date(2024, 4, 17));
    rules.biweekly.url = Some("https://meet.example.jp/banso".to_owned());
    let meetings = of_kind(&plan(&rules, &[]), MeetingKind::Biweekly);
    assert_eq!(meetings[0].key, "biweekly:2024-04-17");
    assert_eq!(meetings[1].key, "biweekly:2024-05-01");
    assert!(
        meetings
            .iter()
            .all(|meeting| meeting.url.as_deref() == Some("https://meet.example.jp/banso"))
    );
}

#[test]
fn meetings_are_sorted_by_start() {
    let meetings = plan(&default_rules(), &[]);
    assert_eq!(meetings.len(), 12 + 26);
    assert!(
        meetings
            .windows(2)
            .all(|pair| pair[0].starts_at <= pair[1].starts_at)
    );
}
