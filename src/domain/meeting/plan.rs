//! Planning the meetings of a contract period: the series the rules give, days moved off
//! closed days, then the single-occurrence changes made by command.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use super::super::calendar::OpenDayCalendar;
use super::super::month::YearMonth;
use super::{
    Adjustment, BiweeklyRule, KickoffRule, Meeting, MeetingKind, MeetingRules, OnClosedDay,
    RegularRule, tokyo,
};

/// The series repeats every two weeks (仕様書 6(3): ２週間に１度).
const BIWEEKLY_INTERVAL_DAYS: i64 = 14;

/// The key of a month's regular meeting: `regular:2024-06`.
pub fn regular_key(month: YearMonth) -> String {
    format!("regular:{month}")
}

/// The key of a biweekly occurrence: `biweekly:` and its series date.
pub fn biweekly_key(series_date: NaiveDate) -> String {
    format!("biweekly:{series_date}")
}

/// The key of the kickoff.
pub const KICKOFF_KEY: &str = "kickoff";

/// A kickoff without a configured date is held on this open day after the
/// contract's first day.
const KICKOFF_OPEN_DAYS_AFTER_START: i32 = 5;

/// Plans the meetings of `period` (both days included; normally the contract period, from
/// whose start the biweekly series counts when it has no anchor). An occurrence is planned
/// when the day the rules give it lies in the period; it is returned when the day it is
/// finally held does too. Sorted by start, then key.
pub fn plan_meetings(
    rules: &MeetingRules,
    period: (NaiveDate, NaiveDate),
    adjustments: &[Adjustment],
    calendar: &OpenDayCalendar,
) -> Vec<Meeting> {
    let (start, end) = period;
    if start > end {
        return Vec::new();
    }
    let changes = changes_by_key(adjustments);
    let mut occurrences = regular_occurrences(&rules.regular, period, &changes, calendar);
    occurrences.extend(biweekly_occurrences(&rules.biweekly, period, calendar));
    if let Some(kickoff) = &rules.kickoff {
        occurrences.extend(kickoff_occurrence(
            kickoff,
            &rules.regular,
            period,
            calendar,
        ));
    }
    occurrences.extend(added_occurrences(adjustments));
    let deadline_days = rules.regular.deadline_open_days_before;
    let mut meetings: Vec<Meeting> = occurrences
        .into_iter()
        .filter_map(|occurrence| {
            let change = changes.get(&occurrence.key);
            finish(occurrence, change, deadline_days, calendar)
        })
        .filter(|meeting| (start..=end).contains(&meeting.date()))
        .collect();
    meetings.sort_by(|a, b| (a.starts_at, &a.key).cmp(&(b.starts_at, &b.key)));
    meetings
}

/// What the commands made of one occurrence. Commands apply in order, so the latest wins:
/// a move or a new regular date after a cancel holds the meeting again.
#[derive(Debug, Default)]
struct Changes {
    set_at: Option<NaiveDateTime>,
    moved_to: Option<NaiveDateTime>,
    cancelled: bool,
}

fn changes_by_key(adjustments: &[Adjustment]) -> BTreeMap<String, Changes> {
    let mut changes: BTreeMap<String, Changes> = BTreeMap::new();
    for adjustment in adjustments {
        match adjustment {
            Adjustment::Move { key, to } => {
                let change = changes.entry(key.clone()).or_default();
                change.moved_to = Some(*to);
                change.cancelled = false;
            }
            Adjustment::Cancel { key } => changes.entry(key.clone()).or_default().cancelled = true,
            Adjustment::SetRegular { month, at } => {
                let change = changes.entry(regular_key(*month)).or_default();
                *change = Changes {
                    set_at: Some(*at),
                    ..Changes::default()
                };
            }
            // Planned from the list itself (`added_occurrences`); added
            // again (after a cancel), it starts afresh.
            Adjustment::Add(added) => {
                changes.insert(added.key.clone(), Changes::default());
            }
        }
    }
    changes
}

/// An occurrence as the rules place it, before the commands' moves and cancels.
struct Occurrence {
    key: String,
    kind: MeetingKind,
    at: NaiveDateTime,
    duration_minutes: u32,
    deliverables: Vec<String>,
    url: Option<String>,
    place: Option<String>,
    agenda: Option<String>,
}

/// The meetings people added, each once (a key added again is the latest).
fn added_occurrences(adjustments: &[Adjustment]) -> Vec<Occurrence> {
    let mut seen = std::collections::BTreeSet::new();
    adjustments
        .iter()
        .rev()
        .filter_map(|adjustment| match adjustment {
            Adjustment::Add(added) if seen.insert(added.key.clone()) => Some(Occurrence {
                key: added.key.clone(),
                kind: added.kind,
                at: added.at,
                duration_minutes: added.duration_minutes,
                deliverables: Vec::new(),
                url: added.url.clone(),
                place: added.place.clone(),
                agenda: added.agenda.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Where a meeting due on `date` is held. A closed day moves by `policy`; a day chosen by a
/// person (`explicit`) is moved but never skipped.
fn place(
    date: NaiveDate,
    policy: OnClosedDay,
    explicit: bool,
    calendar: &OpenDayCalendar,
) -> Option<NaiveDate> {
    match policy {
        _ if calendar.is_open(date) => Some(date),
        OnClosedDay::NextOpenDay => calendar.next_open_day_on_or_after(date),
        OnClosedDay::PreviousOpenDay => calendar.previous_open_day_on_or_before(date),
        OnClosedDay::Skip if explicit => calendar.next_open_day_on_or_after(date),
        OnClosedDay::Skip => None,
    }
}

/// One 定例報告会 a month (仕様書 5(2)イ: 月１回程度), on the rule's day or the day set by
/// command for that month.
fn regular_occurrences(
    rule: &RegularRule,
    period: (NaiveDate, NaiveDate),
    changes: &BTreeMap<String, Changes>,
    calendar: &OpenDayCalendar,
) -> Vec<Occurrence> {
    months_to_plan(period, changes)
        .into_iter()
        .filter_map(|month| {
            let set_at = changes
                .get(&regular_key(month))
                .and_then(|change| change.set_at);
            regular_occurrence(rule, month, set_at, period, calendar)
        })
        .collect()
}

/// The months of the period, and those a command set a regular meeting for (whose day may
/// still lie in the period).
fn months_to_plan(
    (start, end): (NaiveDate, NaiveDate),
    changes: &BTreeMap<String, Changes>,
) -> BTreeSet<YearMonth> {
    let mut months = BTreeSet::new();
    let mut month = YearMonth::of(start);
    while month <= YearMonth::of(end) {
        months.insert(month);
        month = month.next();
    }
    let set_months = changes
        .keys()
        .filter_map(|key| key.strip_prefix("regular:"));
    months.extend(set_months.filter_map(|month| month.parse::<YearMonth>().ok()));
    months
}

/// The month's regular meeting, if its day (set by command, else the rule's) lies in the
/// period and is not skipped.
fn regular_occurrence(
    rule: &RegularRule,
    month: YearMonth,
    set_at: Option<NaiveDateTime>,
    (start, end): (NaiveDate, NaiveDate),
    calendar: &OpenDayCalendar,
) -> Option<Occurrence> {
    let base = match set_at {
        Some(at) => at,
        None => rule.rule.date_in(month)?.and_time(rule.time),
    };
    if !(start..=end).contains(&base.date()) {
        return None;
    }
    let day = place(base.date(), rule.on_closed_day, set_at.is_some(), calendar)?;
    Some(Occurrence {
        key: regular_key(month),
        kind: MeetingKind::Regular,
        at: day.and_time(base.time()),
        duration_minutes: rule.duration_minutes,
        deliverables: rule.deliverables.clone(),
        url: None,
        place: None,
        agenda: None,
    })
}

/// The first Thursday on or after `date`: the biweekly series' default first day.
fn first_thursday_on_or_after(date: NaiveDate) -> NaiveDate {
    let ahead =
        (7 + Weekday::Thu.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date + Duration::days(i64::from(ahead))
}

/// The meeting every two weeks (仕様書 6(3)), counted from the anchor.
fn biweekly_occurrences(
    rule: &BiweeklyRule,
    (start, end): (NaiveDate, NaiveDate),
    calendar: &OpenDayCalendar,
) -> Vec<Occurrence> {
    let anchor = rule
        .anchor
        .unwrap_or_else(|| first_thursday_on_or_after(start));
    // Skip the series days before the period without walking through them.
    let behind = (start - anchor).num_days().max(0);
    let periods_behind = (behind + BIWEEKLY_INTERVAL_DAYS - 1) / BIWEEKLY_INTERVAL_DAYS;
    let first = anchor + Duration::days(periods_behind * BIWEEKLY_INTERVAL_DAYS);
    let series = std::iter::successors(Some(first), |day| {
        day.checked_add_signed(Duration::days(BIWEEKLY_INTERVAL_DAYS))
    });
    series
        .take_while(|day| *day <= end)
        .filter_map(|series_date| {
            let day = place(series_date, rule.on_closed_day, false, calendar)?;
            Some(Occurrence {
                key: biweekly_key(series_date),
                kind: MeetingKind::Biweekly,
                at: day.and_time(rule.time),
                duration_minutes: rule.duration_minutes,
                deliverables: Vec::new(),
                url: rule.url.clone(),
                place: None,
                agenda: None,
            })
        })
        .collect()
}

/// The kickoff (仕様書 5(2)ア), on its configured day; a closed day moves like the regular
/// meeting's, and a one-off meeting is never skipped.
fn kickoff_occurrence(
    kickoff: &KickoffRule,
    regular: &RegularRule,
    (start, end): (NaiveDate, NaiveDate),
    calendar: &OpenDayCalendar,
) -> Option<Occurrence> {
    let date = match kickoff.date {
        Some(date) => date,
        None => calendar.shift_open_days(start, KICKOFF_OPEN_DAYS_AFTER_START)?,
    };
    if !(start..=end).contains(&date) {
        return None;
    }
    let day = place(date, regular.on_closed_day, true, calendar)?;
    Some(Occurrence {
        key: KICKOFF_KEY.to_owned(),
        kind: MeetingKind::Kickoff,
        at: day.and_time(kickoff.time),
        duration_minutes: kickoff.duration_minutes,
        deliverables: kickoff.deliverables.clone(),
        url: None,
        place: None,
        agenda: None,
    })
}

/// The deliverables deadline of a meeting on `date`: the end of the open day `open_days`
/// open days before it (仕様書 5(2)イ: 原則２開庁日前); 0 means the meeting day, or the
/// open day before it if the meeting was moved onto a closed day.
fn deadline_before(
    date: NaiveDate,
    open_days: u32,
    calendar: &OpenDayCalendar,
) -> Option<NaiveDate> {
    match i32::try_from(open_days).ok()? {
        0 => calendar.previous_open_day_on_or_before(date),
        n => calendar.shift_open_days(date, -n),
    }
}

/// The meeting an occurrence becomes after the commands: `None` when cancelled.
fn finish(
    occurrence: Occurrence,
    change: Option<&Changes>,
    deadline_days: u32,
    calendar: &OpenDayCalendar,
) -> Option<Meeting> {
    if change.is_some_and(|change| change.cancelled) {
        return None;
    }
    let moved_to = change.and_then(|change| change.moved_to);
    let at = moved_to.unwrap_or(occurrence.at);
    let starts_at = tokyo(at);
    let has_deliverables = !occurrence.deliverables.is_empty();
    Some(Meeting {
        key: occurrence.key,
        kind: occurrence.kind,
        starts_at,
        ends_at: starts_at + Duration::minutes(i64::from(occurrence.duration_minutes)),
        scheduled_date: occurrence.at.date(),
        moved: moved_to.is_some(),
        deadline: has_deliverables
            .then(|| deadline_before(at.date(), deadline_days, calendar))
            .flatten(),
        deliverables: occurrence.deliverables,
        url: occurrence.url,
        place: occurrence.place,
        agenda: occurrence.agenda,
    })
}
