//! Meetings in the bot: the regular report meeting (定例報告会, 仕様書 5(2)イ),
//! the biweekly meeting (6(3)) and the kickoff (5(2)ア) planned from the
//! config and the changes people made; the reminder plan written to the
//! jobs table; and what each reminder says when the scheduler fires it.

pub mod commands;
pub mod deliverables;
pub mod preview;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;

use super::Bot;
use super::clock::CITY_TIME_ZONE;
use crate::config::Settings;
use crate::domain::meeting::{
    Adjustment, Meeting, MeetingKind, MeetingRules, Reminder, ReminderKind, plan_meetings,
    plan_reminders,
};
use crate::message::{Outgoing, Recipient, UserId};
use crate::store::{ClaimedJob, JobOutcome, NewMessage, PlannedJob, SyncReport};

/// A reminder this much past its time carries a 遅延 (late) note.
const LATE_AFTER_MINUTES: i64 = 5;

/// The domain's meeting rules from the config.
pub fn rules(settings: &Settings) -> MeetingRules {
    settings.meetings.to_rules(&settings.reminders)
}

/// The period meetings are planned for. A configured `[contract]` is used
/// as it is: nothing is scheduled outside it. Without one, the fiscal year
/// containing today and the next one, so that a banso running across
/// April 1 plans April's meetings (and their March reminders) in time.
pub fn contract_period(bot: &Bot) -> (NaiveDate, NaiveDate) {
    let today = bot.clock().now_in_city().date_naive();
    match bot.settings().contract {
        Some(contract) => (contract.start, contract.end),
        None => {
            let this_year = crate::domain::fiscal::FiscalYear::containing(today);
            (this_year.first_day(), this_year.next().last_day())
        }
    }
}

/// The changes people made, as the domain's adjustments (oldest first, so
/// a later change to the same occurrence wins).
pub async fn adjustments(bot: &Bot) -> anyhow::Result<Vec<Adjustment>> {
    let stored = bot.store().meeting_adjustments().await?;
    Ok(stored
        .into_iter()
        .filter_map(|adjustment| {
            let at = adjustment.new_start.as_deref().and_then(|text| {
                chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()
            });
            match (adjustment.kind.as_str(), at) {
                ("move", Some(to)) => Some(Adjustment::Move {
                    key: adjustment.target,
                    to,
                }),
                ("cancel", _) => Some(Adjustment::Cancel {
                    key: adjustment.target,
                }),
                ("set_regular", Some(at)) => adjustment
                    .target
                    .parse()
                    .ok()
                    .map(|month| Adjustment::SetRegular { month, at }),
                ("add", Some(at)) => {
                    commands::added_meeting(adjustment.target, at, adjustment.details.as_deref())
                        .map(Adjustment::Add)
                }
                _ => None,
            }
        })
        .collect())
}

/// Every meeting of the contract period, as planned now.
pub async fn plan(bot: &Bot) -> anyhow::Result<Vec<Meeting>> {
    let adjustments = adjustments(bot).await?;
    Ok(plan_meetings(
        &rules(bot.settings()),
        contract_period(bot),
        &adjustments,
        bot.calendar(),
    ))
}

/// The job's idempotency key: the occurrence, the time it is held and the
/// kind. A moved meeting gets fresh reminders; the same plan never twice.
pub fn job_key(reminder: &Reminder) -> String {
    format!(
        "{}@{}:{}",
        reminder.meeting_key,
        reminder.meeting_starts_at.format("%Y-%m-%dT%H:%M"),
        reminder.kind.key_part()
    )
}

/// Writes the reminder plan to the jobs table and wakes the scheduler.
pub async fn replan(bot: &Bot) -> anyhow::Result<SyncReport> {
    let meetings = plan(bot).await?;
    let reminders = plan_reminders(&meetings, &rules(bot.settings()).reminders, bot.calendar());
    let jobs: Vec<PlannedJob> = reminders
        .iter()
        .map(|reminder| PlannedJob {
            idempotency_key: job_key(reminder),
            kind: reminder.kind.key_part().to_owned(),
            meeting_key: reminder.meeting_key.clone(),
            meeting_starts_at: reminder.meeting_starts_at.timestamp(),
            due_at: reminder.at.timestamp(),
        })
        .collect();
    let report = bot
        .store()
        .sync_jobs(&jobs, bot.clock().now().timestamp())
        .await?;
    bot.jobs_changed().notify_one();
    Ok(report)
}

fn reminder_kind(key_part: &str) -> Option<ReminderKind> {
    [
        ReminderKind::DeliverablesHeadsUp,
        ReminderKind::DeliverablesDue,
        ReminderKind::DeliverablesEscalation,
        ReminderKind::MeetingDay,
        ReminderKind::PreviousDay,
        ReminderKind::HourBefore,
    ]
    .into_iter()
    .find(|kind| kind.key_part() == key_part)
}

/// What a due job says, and to whom. A reminder whose meeting has started
/// is skipped (recorded, not sent); one sent late says so (遅延).
pub async fn reminder_messages(
    bot: &Bot,
    job: &ClaimedJob,
    now: DateTime<Utc>,
) -> anyhow::Result<(JobOutcome, Vec<NewMessage>)> {
    let meeting = plan(bot).await?.into_iter().find(|meeting| {
        meeting.key == job.meeting_key && meeting.starts_at.timestamp() == job.meeting_starts_at
    });
    let (Some(meeting), Some(kind)) = (meeting, reminder_kind(&job.kind)) else {
        return Ok((JobOutcome::Skipped, Vec::new()));
    };
    if now.timestamp() >= job.meeting_starts_at {
        return Ok((JobOutcome::Skipped, Vec::new()));
    }
    let late = now.timestamp() - job.due_at > LATE_AFTER_MINUTES * 60;
    let messages = match kind {
        ReminderKind::DeliverablesEscalation => {
            deliverables::escalation(bot, &meeting, late).await?
        }
        ReminderKind::DeliverablesDue => vec![
            deliverables::checklist_message(bot, &meeting, "meeting/deliverables_due", late)
                .await?,
        ],
        ReminderKind::DeliverablesHeadsUp => vec![
            deliverables::checklist_message(bot, &meeting, "meeting/deliverables_heads_up", late)
                .await?,
        ],
        ReminderKind::MeetingDay | ReminderKind::PreviousDay | ReminderKind::HourBefore => {
            let text = bot.texts().render(
                "meeting/notice",
                json!({ "m": view(&meeting), "kind": kind.key_part(), "late": late }),
            );
            vec![Outgoing {
                to: meetings_channel(bot),
                text,
                buttons: Vec::new(),
            }]
        }
    };
    if messages.is_empty() {
        return Ok((JobOutcome::Skipped, Vec::new()));
    }
    Ok((JobOutcome::Sent, job.keyed(messages)))
}

/// The channel for meeting notices and deliverable reminders.
pub fn meetings_channel(bot: &Bot) -> Recipient {
    Recipient::Channel(bot.settings().channels.meetings.clone())
}

/// What templates see of a meeting.
pub fn view(meeting: &Meeting) -> serde_json::Value {
    let local = |at: &DateTime<Tz>| at.with_timezone(&CITY_TIME_ZONE);
    json!({
        "key": meeting.key,
        "kind": meeting.kind.code(),
        "date": meeting.date().to_string(),
        "start": local(&meeting.starts_at).format("%H:%M").to_string(),
        "end": local(&meeting.ends_at).format("%H:%M").to_string(),
        "starts_at": meeting.starts_at.to_rfc3339(),
        "moved": meeting.moved,
        "scheduled_date": meeting.scheduled_date.to_string(),
        "deadline": meeting.deadline.map(|date| date.to_string()),
        "deliverables": meeting.deliverables,
        "url": meeting.url,
        "place": meeting.place,
        "agenda": meeting.agenda,
    })
}

/// The next meetings from now.
pub async fn upcoming(bot: &Bot, count: usize) -> anyhow::Result<Vec<Meeting>> {
    let now = bot.clock().now();
    Ok(plan(bot)
        .await?
        .into_iter()
        .filter(|meeting| meeting.ends_at > now)
        .take(count)
        .collect())
}

/// Who may change meetings: the leader, the manager and the coordinators.
pub fn may_change_meetings(bot: &Bot, user: &UserId) -> bool {
    use crate::domain::consultation::Role;
    matches!(
        bot.directory().role_of(user),
        Role::ProjectLeader | Role::ProjectManager | Role::Coordinator
    )
}

/// Kinds in the order people think of them, for listings.
pub fn kind_order(kind: MeetingKind) -> u8 {
    match kind {
        MeetingKind::Kickoff => 0,
        MeetingKind::Regular => 1,
        MeetingKind::Biweekly => 2,
        MeetingKind::Work => 3,
        MeetingKind::Briefing => 4,
        MeetingKind::AuditReport => 5,
        MeetingKind::Extra => 6,
    }
}

/// Helper for tests and the console: the meeting held on `date`, preferring
/// the regular meeting when two share a day.
pub fn meeting_on(meetings: &[Meeting], date: NaiveDate) -> Option<&Meeting> {
    meetings
        .iter()
        .filter(|meeting| meeting.date() == date)
        .min_by_key(|meeting| kind_order(meeting.kind))
}

/// `at` as a Tokyo wall-clock string.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&CITY_TIME_ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
