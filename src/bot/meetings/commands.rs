//! `/meeting` in chat: the next meetings, a month's meetings, and the
//! single-occurrence changes (move, cancel, an explicit regular date) that
//! the leader, the manager and the coordinators may make. Every change is
//! stored, re-plans the reminders and is announced in the meetings channel.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::json;

use super::{
    Bot, may_change_meetings, meeting_on, meetings_channel, plan, replan, rules, upcoming, view,
};
use crate::bot::clock::CITY_TIME_ZONE;
use crate::bot::command::MeetingToAdd;
use crate::domain::meeting::{
    AddedMeeting, Adjustment, Meeting, MeetingKind, plan_meetings, regular_key,
};
use crate::domain::month::YearMonth;
use crate::message::{Outgoing, UserId};
use crate::store::{NewAdjustment, NewMessage};

const NEXT_COUNT: usize = 5;

/// `/meeting`: the next few meetings.
pub async fn next(bot: &Bot, user: &UserId) -> anyhow::Result<Vec<Outgoing>> {
    let meetings: Vec<_> = upcoming(bot, NEXT_COUNT).await?.iter().map(view).collect();
    Ok(bot.reply(
        user,
        "meeting/list",
        json!({ "meetings": meetings, "month": null }),
    ))
}

/// `/meeting list [YYYY-MM]`: a month's meetings (this month by default).
pub async fn list(
    bot: &Bot,
    user: &UserId,
    month: Option<YearMonth>,
) -> anyhow::Result<Vec<Outgoing>> {
    let month = month.unwrap_or_else(|| YearMonth::of(bot.clock().now_in_city().date_naive()));
    let meetings: Vec<_> = plan(bot)
        .await?
        .iter()
        .filter(|meeting| month.contains(meeting.date()))
        .map(view)
        .collect();
    Ok(bot.reply(
        user,
        "meeting/list",
        json!({ "meetings": meetings, "month": month.to_string() }),
    ))
}

/// Checks the permission and finds the meeting on `date`.
async fn target(
    bot: &Bot,
    user: &UserId,
    date: NaiveDate,
) -> anyhow::Result<Result<Meeting, Vec<Outgoing>>> {
    if !may_change_meetings(bot, user) {
        return Ok(Err(bot.reply(user, "meeting/not_permitted", json!({}))));
    }
    let meetings = plan(bot).await?;
    Ok(match meeting_on(&meetings, date) {
        Some(meeting) => Ok(meeting.clone()),
        None => Err(bot.reply(
            user,
            "meeting/not_found",
            json!({ "date": date.to_string() }),
        )),
    })
}

/// A closed day is refused with the next open day suggested.
fn refuse_closed_day(bot: &Bot, user: &UserId, date: NaiveDate) -> Option<Vec<Outgoing>> {
    bot.refuse_closed_day(user, date, "meeting/closed_day")
}

/// `/meeting move DATE NEWDATE [HH:MM]`: one occurrence moves; its time of
/// day stays unless given.
pub async fn move_meeting(
    bot: &Bot,
    user: &UserId,
    date: NaiveDate,
    to: NaiveDate,
    time: Option<NaiveTime>,
) -> anyhow::Result<Vec<Outgoing>> {
    let meeting = match target(bot, user, date).await? {
        Ok(meeting) => meeting,
        Err(reply) => return Ok(reply),
    };
    if let Some(refusal) = refuse_closed_day(bot, user, to) {
        return Ok(refusal);
    }
    let time = time.unwrap_or_else(|| meeting.starts_at.with_timezone(&CITY_TIME_ZONE).time());
    let to = to.and_time(time);
    let change = Change {
        adjustment: Adjustment::Move {
            key: meeting.key.clone(),
            to,
        },
        kind: "move",
        target: meeting.key.clone(),
        new_start: Some(to),
        label: "moved",
        details: None,
    };
    apply(bot, user, Some(&meeting), &meeting.key, change).await
}

/// `/meeting cancel DATE`: one occurrence is not held; its reminders go.
pub async fn cancel(bot: &Bot, user: &UserId, date: NaiveDate) -> anyhow::Result<Vec<Outgoing>> {
    let meeting = match target(bot, user, date).await? {
        Ok(meeting) => meeting,
        Err(reply) => return Ok(reply),
    };
    let change = Change {
        adjustment: Adjustment::Cancel {
            key: meeting.key.clone(),
        },
        kind: "cancel",
        target: meeting.key.clone(),
        new_start: None,
        label: "cancelled",
        details: None,
    };
    apply(bot, user, Some(&meeting), &meeting.key, change).await
}

/// `/meeting set-regular DATE HH:MM`: that month's regular meeting on an
/// explicit day instead of the rule's.
pub async fn set_regular(
    bot: &Bot,
    user: &UserId,
    date: NaiveDate,
    time: NaiveTime,
) -> anyhow::Result<Vec<Outgoing>> {
    if !may_change_meetings(bot, user) {
        return Ok(bot.reply(user, "meeting/not_permitted", json!({})));
    }
    if let Some(refusal) = refuse_closed_day(bot, user, date) {
        return Ok(refusal);
    }
    let (start, end) = super::contract_period(bot);
    if date < start || date > end {
        return Ok(bot.reply(
            user,
            "meeting/outside_contract",
            json!({ "date": date.to_string(), "start": start.to_string(), "end": end.to_string() }),
        ));
    }
    let month = YearMonth::of(date);
    let key = regular_key(month);
    let before = plan(bot)
        .await?
        .into_iter()
        .find(|meeting| meeting.key == key && meeting.kind == MeetingKind::Regular);
    let at = date.and_time(time);
    let change = Change {
        adjustment: Adjustment::SetRegular { month, at },
        kind: "set_regular",
        target: month.to_string(),
        new_start: Some(at),
        label: "set",
        details: None,
    };
    apply(bot, user, before.as_ref(), &key, change).await
}

/// A change to one occurrence, in the domain's terms and as stored.
struct Change {
    adjustment: Adjustment,
    kind: &'static str,
    target: String,
    new_start: Option<NaiveDateTime>,
    label: &'static str,
    /// An added meeting's kind, length, place, URL and agenda (JSON).
    details: Option<String>,
}

/// An added meeting's length when none is typed.
const ADDED_MINUTES: u32 = 60;

/// What an `add` row keeps besides its key and time.
#[derive(serde::Serialize, serde::Deserialize)]
struct AddedDetails {
    kind: String,
    minutes: u32,
    place: Option<String>,
    url: Option<String>,
    agenda: Option<String>,
}

/// An `add` row as the domain's added meeting; `None` for one this version
/// cannot read (left out of the plan, never fatal).
pub(super) fn added_meeting(
    key: String,
    at: NaiveDateTime,
    details: Option<&str>,
) -> Option<AddedMeeting> {
    let details: AddedDetails = serde_json::from_str(details?)
        .inspect_err(|error| {
            tracing::warn!(meeting = key, %error, "an added meeting's details cannot be read; left out of the plan");
        })
        .ok()?;
    Some(AddedMeeting {
        key,
        kind: MeetingKind::from_code(&details.kind)?,
        at,
        duration_minutes: details.minutes,
        place: details.place,
        url: details.url,
        agenda: details.agenda,
    })
}

/// `/meeting add KIND DATE TIME [場所=…] [URL=…] [議題=…] [時間=分]`: a
/// 作業会議 (仕様書 5(2)ウ), the audit's 事前説明会 or 監査報告会, or a 臨時
/// meeting, held on an open day of the contract, in a room or on the Web
/// (5(2)エ), announced and reminded like the others.
pub async fn add(bot: &Bot, user: &UserId, typed: MeetingToAdd) -> anyhow::Result<Vec<Outgoing>> {
    if !may_change_meetings(bot, user) {
        return Ok(bot.reply(user, "meeting/not_permitted", json!({})));
    }
    if let Some(refusal) = refuse_closed_day(bot, user, typed.date) {
        return Ok(refusal);
    }
    let (start, end) = super::contract_period(bot);
    if typed.date < start || typed.date > end {
        return Ok(bot.reply(
            user,
            "meeting/outside_contract",
            json!({ "date": typed.date.to_string(), "start": start.to_string(), "end": end.to_string() }),
        ));
    }
    let at = typed.date.and_time(typed.time);
    let planned = plan(bot).await?;
    let starts = |meeting: &Meeting| {
        meeting
            .starts_at
            .with_timezone(&CITY_TIME_ZONE)
            .naive_local()
    };
    if let Some(clash) = planned
        .iter()
        .find(|meeting| meeting.kind == typed.kind && starts(meeting) == at)
    {
        return Ok(bot.reply(user, "meeting/already_added", json!({ "key": clash.key })));
    }
    // Its key names the kind and the time; one taken by a meeting of that
    // kind moved elsewhere gets a number, so the two stay apart.
    let first = format!("{}:{}", typed.kind.code(), at.format("%Y-%m-%dT%H:%M"));
    let key = (1..)
        .map(|n| {
            if n == 1 {
                first.clone()
            } else {
                format!("{first}#{n}")
            }
        })
        .find(|key| planned.iter().all(|meeting| meeting.key != *key))
        .unwrap_or(first);
    let details = AddedDetails {
        kind: typed.kind.code().to_owned(),
        minutes: typed.minutes.unwrap_or(ADDED_MINUTES),
        place: typed.place,
        url: typed.url,
        agenda: typed.agenda,
    };
    let change = Change {
        adjustment: Adjustment::Add(AddedMeeting {
            key: key.clone(),
            kind: typed.kind,
            at,
            duration_minutes: details.minutes,
            place: details.place.clone(),
            url: details.url.clone(),
            agenda: details.agenda.clone(),
        }),
        kind: "add",
        target: key.clone(),
        new_start: Some(at),
        label: "added",
        details: Some(serde_json::to_string(&details).expect("details serialise")),
    };
    apply(bot, user, None, &key, change).await
}

/// Stores the change together with its announcement to the meetings
/// channel (one transaction), then re-plans the reminders.
async fn apply(
    bot: &Bot,
    user: &UserId,
    before: Option<&Meeting>,
    key: &str,
    change: Change,
) -> anyhow::Result<Vec<Outgoing>> {
    let mut adjustments = super::adjustments(bot).await?;
    adjustments.push(change.adjustment);
    let after = plan_meetings(
        &rules(bot.settings()),
        super::contract_period(bot),
        &adjustments,
        bot.calendar(),
    )
    .into_iter()
    .find(|meeting| meeting.key == key);
    let Some(shown) = before.or(after.as_ref()) else {
        return Ok(bot.reply(user, "meeting/not_found", json!({ "date": key })));
    };
    // A change that changes nothing (moved to where it is, set to the day
    // it already is) is neither stored nor announced.
    if let (Some(before), Some(after)) = (before, after.as_ref())
        && before.starts_at == after.starts_at
        && before.ends_at == after.ends_at
    {
        return Ok(bot.reply(user, "meeting/unchanged", json!({ "m": view(before) })));
    }
    let reminders = &bot.settings().reminders;
    let context = json!({
        "before": view(shown), "after": after.as_ref().map(view), "change": change.label, "by": user,
        "previous_day_at": reminders.biweekly_previous_day.format("%H:%M").to_string(),
        "minutes_before": reminders.biweekly_before_minutes,
    });
    let message = Outgoing {
        to: meetings_channel(bot),
        text: bot.texts().render("meeting/changed", &context),
        buttons: Vec::new(),
    };
    let now = bot.clock().now().timestamp();
    let announcement = NewMessage {
        idempotency_key: format!("meeting-change:{key}:{}:{now}", change.label),
        message,
        deferred: None,
        edits: None,
        in_thread_of: None,
    };
    let new_start = change
        .new_start
        .map(|at| at.format("%Y-%m-%dT%H:%M").to_string());
    bot.store()
        .add_meeting_adjustment(
            NewAdjustment {
                kind: change.kind,
                target: &change.target,
                new_start: new_start.as_deref(),
                details: change.details.as_deref(),
                created_by: user.as_str(),
            },
            now,
            &[announcement],
        )
        .await?;
    let report = replan(bot).await?;
    tracing::info!(
        meeting = key,
        change = change.label,
        cancelled_reminders = report.cancelled,
        "meeting changed"
    );
    Ok(Vec::new())
}
