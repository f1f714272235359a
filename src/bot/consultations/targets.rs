//! The response targets in open days (issue 13): each new consultation
//! gets, in the jobs table, a reminder on the open day before each target
//! (to its assignee, or the team while nobody has taken it) and a notice
//! to the project leader on the open day after a missed one. Each is a
//! job of its own, so it goes out once, durably, and a target met by then
//! sends nothing.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::notices::ConsultationView;
use crate::bot::Bot;
use crate::bot::clock::{CITY_TIME_ZONE, city_time, epoch_of_city_time};
use crate::domain::calendar::{ResponseTargets, Target};
use crate::domain::consultation::Status;
use crate::message::{Outgoing, Recipient};
use crate::store::{ClaimedJob, Consultation, JobOutcome, NewMessage, PlannedJob, Responses};

/// The job kinds: every kind of a consultation's job starts with this, so
/// the meeting re-plan leaves them alone.
pub const JOB_KIND_PREFIX: &str = "consult_";
const REMINDER: &str = "consult_target_reminder";
const MISSED: &str = "consult_target_missed";

/// The jobs of a new consultation's targets; none while it is held (a
/// coordinator's decision comes first: `jobs_from`).
pub fn jobs_of(bot: &Bot, consultation: &Consultation) -> Vec<PlannedJob> {
    if consultation.status == Status::Held {
        return Vec::new();
    }
    plan_jobs(bot, consultation, consultation.received_at, "")
}

/// The jobs of the targets of a held consultation let in at `at` (epoch
/// seconds): counted from then, as if received then.
pub fn jobs_from(bot: &Bot, consultation: &Consultation, at: i64) -> Vec<PlannedJob> {
    plan_jobs(bot, consultation, at, &format!(":r{at}"))
}

/// The jobs of targets counted from `from`; `suffix` keeps a later plan's
/// keys apart from an earlier one's.
fn plan_jobs(bot: &Bot, consultation: &Consultation, from: i64, suffix: &str) -> Vec<PlannedJob> {
    let targets = &bot.settings().response;
    let Some(plans) = targets.plan(bot.calendar(), city_time(from), consultation.desired_date)
    else {
        return Vec::new();
    };
    let mut jobs = Vec::new();
    for plan in plans {
        let subject = format!("c{}:{}", consultation.id, plan.target.code());
        let due_day = epoch_of_city_time(plan.due_day.and_hms_opt(0, 0, 0).unwrap_or_default());
        let mut job = |kind: &str, at: NaiveDateTime| {
            jobs.push(PlannedJob {
                idempotency_key: format!("{subject}:{kind}{suffix}"),
                kind: kind.to_owned(),
                meeting_key: subject.clone(),
                meeting_starts_at: due_day,
                due_at: epoch_of_city_time(at),
            });
        };
        if let Some(at) = plan.remind_at {
            job(REMINDER, at);
        }
        job(MISSED, plan.missed_at);
    }
    jobs
}

/// When the team first replied and when it answered, as the target needs.
fn replied_at(target: Target, responses: &Responses) -> Option<i64> {
    match target {
        Target::FirstResponse => responses.first_response_at,
        Target::Answer => responses.answered_at,
    }
}

/// What a due target job says, if anything: nothing once the target is
/// met or the consultation no longer waits for the team (ended, or held
/// for a coordinator's decision); postponed to the next open day when a
/// catch-up after downtime would send it on a closed day.
pub async fn job_messages(
    bot: &Bot,
    job: &ClaimedJob,
    now: DateTime<chrono::Utc>,
) -> anyhow::Result<(JobOutcome, Vec<NewMessage>)> {
    let skipped = Ok((JobOutcome::Skipped, Vec::new()));
    let Some((id, target)) = job
        .meeting_key
        .strip_prefix('c')
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(id, target)| Some((id.parse::<i64>().ok()?, Target::from_code(target)?)))
    else {
        return skipped;
    };
    let due_day: NaiveDate = city_time(job.meeting_starts_at).date();
    let consultation = bot.store().consultation(id).await?;
    if !consultation.status.is_open() || consultation.status == Status::Held {
        return skipped;
    }
    let responses = bot.store().responses_of(id).await?;
    let replied = replied_at(target, &responses).map(city_time);
    let local_now = now.with_timezone(&CITY_TIME_ZONE).naive_local();
    let today = local_now.date();
    let targets = &bot.settings().response;
    let reminder = job.kind == REMINDER;
    let message = if reminder {
        if replied.is_some() || today > due_day {
            return skipped;
        }
        if !bot.calendar().is_open(today) {
            return postpone(bot, today, targets.reminder_at, Some(due_day));
        }
        let to = match consultation
            .assignee
            .as_deref()
            .and_then(|assignee| crate::message::UserId::parse(assignee).ok())
        {
            Some(assignee) => Recipient::User(assignee),
            None => bot.directory().team_channel(),
        };
        vec![Outgoing {
            to,
            text: bot.texts().render(
                "consult/target_reminder",
                json!({ "c": ConsultationView::of(&consultation), "target": target.code(),
                        "due": due_day.to_string(), "today": today.to_string() }),
            ),
            buttons: Vec::new(),
        }]
    } else {
        if replied.is_some_and(|at| ResponseTargets::met(due_day, at)) {
            return skipped;
        }
        if !bot.calendar().is_open(today) {
            return postpone(bot, today, targets.missed_notice_at, None);
        }
        let text = bot.texts().render(
            "consult/target_missed",
            json!({ "c": ConsultationView::of(&consultation), "target": target.code(),
                    "due": due_day.to_string(), "replied": replied.map(|at| at.date().to_string()) }),
        );
        bot.directory()
            .project_leaders()
            .into_iter()
            .map(|leader| Outgoing {
                to: Recipient::User(leader),
                text: text.clone(),
                buttons: Vec::new(),
            })
            .collect()
    };
    if message.is_empty() {
        return skipped;
    }
    Ok((JobOutcome::Sent, job.keyed(message)))
}

/// The next open day after `today` at `at`, unless that is past
/// `no_later_than` (then there is nothing left to remind of).
fn postpone(
    bot: &Bot,
    today: NaiveDate,
    at: chrono::NaiveTime,
    no_later_than: Option<NaiveDate>,
) -> anyhow::Result<(JobOutcome, Vec<NewMessage>)> {
    match bot.calendar().shift_open_days(today, 1) {
        Some(day) if no_later_than.is_none_or(|last| day <= last) => Ok((
            JobOutcome::Postponed {
                until: epoch_of_city_time(day.and_time(at)),
            },
            Vec::new(),
        )),
        _ => Ok((JobOutcome::Skipped, Vec::new())),
    }
}

/// A consultation past one of its targets, for `/quota`.
#[derive(Debug, serde::Serialize)]
pub struct PastTarget {
    pub short_id: String,
    pub title: String,
    pub target: &'static str,
    pub due: String,
    /// When it was done after all (late), if it was.
    pub done: Option<String>,
}

/// A month's response figures, for `/quota`: the median and the worst
/// open days to the first response and to the answer, over the
/// consultations received in the month that have them, and those past a
/// target (late, or still waiting past its day).
#[derive(Debug, Default, serde::Serialize)]
pub struct MonthResponse {
    /// As shown: `2`, `1.5`.
    pub first_median: Option<String>,
    pub first_worst: Option<i64>,
    pub first_count: usize,
    pub answer_median: Option<String>,
    pub answer_worst: Option<i64>,
    pub answer_count: usize,
    pub past_targets: Vec<PastTarget>,
}

/// The median of sorted open-day counts, as shown: a whole number, or
/// one and a half between two.
fn median(sorted: &[i64]) -> Option<String> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return Some(sorted[n / 2].to_string());
    }
    let twice = sorted[n / 2 - 1] + sorted[n / 2];
    Some(if twice % 2 == 0 {
        (twice / 2).to_string()
    } else {
        format!("{}.5", twice / 2)
    })
}

pub async fn month_figures(
    bot: &Bot,
    month: crate::domain::month::YearMonth,
) -> anyhow::Result<MonthResponse> {
    use futures_util::TryStreamExt;
    let targets = bot.settings().response;
    let responses = bot.store().responses_of_month(month).await?;
    let consultations: Vec<(Consultation, Option<String>)> = bot
        .store()
        .consultations_received_in(month)
        .try_collect()
        .await?;
    let today = bot.clock().now_in_city().date_naive();
    let calendar = bot.calendar();
    let (mut first_days, mut answer_days, mut past) = (Vec::new(), Vec::new(), Vec::new());
    for (consultation, _) in &consultations {
        if consultation.status == Status::Held {
            continue;
        }
        let replies = responses.get(&consultation.id).cloned().unwrap_or_default();
        // A consultation let in from 保留 counts from the decision.
        let received = city_time(replies.let_in_at.unwrap_or(consultation.received_at));
        let Some(plans) = targets.plan(calendar, received, consultation.desired_date) else {
            continue;
        };
        for plan in plans {
            let replied = replied_at(plan.target, &replies).map(city_time);
            if let Some(at) = replied {
                let days = calendar.open_days_to_reply(received, at, targets.office_closes);
                match plan.target {
                    Target::FirstResponse => first_days.push(days),
                    Target::Answer => answer_days.push(days),
                }
            }
            let late = match replied {
                Some(at) => !ResponseTargets::met(plan.due_day, at),
                None => consultation.status.is_open() && today > plan.due_day,
            };
            if late {
                past.push(PastTarget {
                    short_id: consultation.short_id.clone(),
                    title: consultation.title.clone(),
                    target: plan.target.code(),
                    due: plan.due_day.to_string(),
                    done: replied.map(|at| at.date().to_string()),
                });
            }
        }
    }
    first_days.sort_unstable();
    answer_days.sort_unstable();
    Ok(MonthResponse {
        first_median: median(&first_days),
        first_worst: first_days.last().copied(),
        first_count: first_days.len(),
        answer_median: median(&answer_days),
        answer_worst: answer_days.last().copied(),
        answer_count: answer_days.len(),
        past_targets: past,
    })
}
