//! The reminders before each meeting: the deliverables' heads-up, due and escalation
//! notices (仕様書 5(2)イ: 資料は原則２開庁日前), and the meeting notices. A reminder is
//! only ever posted on an open day.

use chrono::{DateTime, Duration, NaiveDateTime};
use chrono_tz::Tz;
use serde::Serialize;

use super::super::calendar::OpenDayCalendar;
use super::{Meeting, MeetingKind, ReminderTimes, tokyo};

/// The heads-up comes this many open days before the deliverables deadline.
const HEADS_UP_OPEN_DAYS_BEFORE_DEADLINE: i32 = 2;

/// What a reminder is about. Ordered as they come before one meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ReminderKind {
    /// Deliverables are due soon (two open days before the deadline).
    DeliverablesHeadsUp,
    /// Deliverables are due today.
    DeliverablesDue,
    /// Deliverables still missing on the deadline day.
    DeliverablesEscalation,
    /// The regular meeting or kickoff is today.
    MeetingDay,
    /// The biweekly meeting is on the next open day.
    PreviousDay,
    /// The biweekly meeting starts soon (`biweekly_before_minutes`).
    HourBefore,
}

impl ReminderKind {
    /// The message kind, for templates and logs; every meeting notice shares one code.
    pub fn code(self) -> &'static str {
        match self {
            ReminderKind::DeliverablesHeadsUp => "deliverables_heads_up",
            ReminderKind::DeliverablesDue => "deliverables_due",
            ReminderKind::DeliverablesEscalation => "deliverables_escalation",
            ReminderKind::MeetingDay | ReminderKind::PreviousDay | ReminderKind::HourBefore => {
                "meeting_notice"
            }
        }
    }

    /// Distinct for every kind and stable, for idempotency keys.
    pub fn key_part(self) -> &'static str {
        match self {
            ReminderKind::DeliverablesHeadsUp => "heads_up",
            ReminderKind::DeliverablesDue => "due",
            ReminderKind::DeliverablesEscalation => "escalation",
            ReminderKind::MeetingDay => "meeting_day",
            ReminderKind::PreviousDay => "previous_day",
            ReminderKind::HourBefore => "hour_before",
        }
    }
}

/// One reminder to post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub at: DateTime<Tz>,
    pub meeting_key: String,
    pub meeting_starts_at: DateTime<Tz>,
    /// `meeting_key:key_part`, e.g. `regular:2024-06:heads_up`; the same whenever the
    /// meeting moves, so a reminder is posted once per occurrence.
    pub idempotency_key: String,
}

/// The reminders before `meetings`, sorted by time, then kind, then meeting key.
///
/// Regular meetings and the kickoff get, when they have a deadline, a heads-up two open days
/// before it, a due notice and an escalation on the deadline day, and a notice on the
/// meeting day. Biweekly meetings get a notice on the open day before and one shortly
/// before the start. A reminder that would fall on a closed day (a meeting moved onto
/// one) comes on the previous open day at the same time; one that would come after the
/// meeting has started is left out.
pub fn plan_reminders(
    meetings: &[Meeting],
    times: &ReminderTimes,
    calendar: &OpenDayCalendar,
) -> Vec<Reminder> {
    let mut reminders: Vec<Reminder> = meetings
        .iter()
        .flat_map(|meeting| reminders_for(meeting, times, calendar))
        .collect();
    reminders.sort_by(|a, b| (a.at, a.kind, &a.meeting_key).cmp(&(b.at, b.kind, &b.meeting_key)));
    reminders
}

fn reminders_for(
    meeting: &Meeting,
    times: &ReminderTimes,
    calendar: &OpenDayCalendar,
) -> Vec<Reminder> {
    let wanted = match meeting.kind {
        MeetingKind::Regular | MeetingKind::Kickoff => {
            let mut wanted = deliverables_times(meeting, times, calendar);
            wanted.push((
                ReminderKind::MeetingDay,
                meeting.date().and_time(times.meeting_day),
            ));
            wanted
        }
        // The added meetings are reminded as the biweekly one is: the open
        // day before, and shortly before the start.
        MeetingKind::Biweekly
        | MeetingKind::Work
        | MeetingKind::Briefing
        | MeetingKind::AuditReport
        | MeetingKind::Extra => biweekly_times(meeting, times, calendar),
    };
    wanted
        .into_iter()
        .filter_map(|(kind, at)| {
            let at = tokyo(on_open_day(at, calendar)?);
            (at <= meeting.starts_at).then(|| Reminder {
                kind,
                at,
                meeting_key: meeting.key.clone(),
                meeting_starts_at: meeting.starts_at,
                idempotency_key: format!("{}:{}", meeting.key, kind.key_part()),
            })
        })
        .collect()
}

/// The deliverables reminders: heads-up, due and escalation (仕様書 5(2)イ).
fn deliverables_times(
    meeting: &Meeting,
    times: &ReminderTimes,
    calendar: &OpenDayCalendar,
) -> Vec<(ReminderKind, NaiveDateTime)> {
    let Some(deadline) = meeting.deadline else {
        return Vec::new();
    };
    let mut wanted = Vec::new();
    let heads_up_day = calendar.shift_open_days(deadline, -HEADS_UP_OPEN_DAYS_BEFORE_DEADLINE);
    if let Some(day) = heads_up_day {
        wanted.push((
            ReminderKind::DeliverablesHeadsUp,
            day.and_time(times.heads_up),
        ));
    }
    wanted.push((ReminderKind::DeliverablesDue, deadline.and_time(times.due)));
    wanted.push((
        ReminderKind::DeliverablesEscalation,
        deadline.and_time(times.escalation),
    ));
    wanted
}

/// The biweekly notices: the open day before, and shortly before the start (仕様書 6(3)).
fn biweekly_times(
    meeting: &Meeting,
    times: &ReminderTimes,
    calendar: &OpenDayCalendar,
) -> Vec<(ReminderKind, NaiveDateTime)> {
    let mut wanted = Vec::new();
    if let Some(day) = calendar.shift_open_days(meeting.date(), -1) {
        wanted.push((
            ReminderKind::PreviousDay,
            day.and_time(times.biweekly_previous_day),
        ));
    }
    let before = Duration::minutes(i64::from(times.biweekly_before_minutes));
    wanted.push((
        ReminderKind::HourBefore,
        meeting.starts_at.naive_local() - before,
    ));
    wanted
}

/// `at` if its day is open, else the same time on the previous open day.
fn on_open_day(at: NaiveDateTime, calendar: &OpenDayCalendar) -> Option<NaiveDateTime> {
    if calendar.is_open(at.date()) {
        return Some(at);
    }
    let day = calendar.previous_open_day_on_or_before(at.date())?;
    Some(day.and_time(at.time()))
}
