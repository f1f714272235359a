//! Stage two: gives each raw value its meaning (times, dates, rules, limits), reports the values
//! that have none, and fills the gaps with the documented defaults.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime};

use super::env::{
    DATABASE_URL_VAR, Env, SLACK_API_URL_VAR, SLACK_APP_TOKEN_VAR, SLACK_BOT_TOKEN_VAR,
    SLACK_DEPARTMENT_FIELD_VAR, SLACK_SIGNING_SECRET_VAR, SLACK_TEAM_ID_VAR, Secret, SlackSecrets,
    env_text,
};
use super::meetings::{
    BiweeklyMeetingSettings, KickoffSettings, MeetingSettings, MonthlyRule, OnClosedDay,
    RegularMeetingSettings,
};
use super::problem::{ConfigProblem, Problems};
use super::raw::{
    RawBiweeklyMeeting, RawCalendar, RawChannels, RawClosedDay, RawContract, RawKickoff,
    RawMeetings, RawQuota, RawRegularMeeting, RawReminders, RawRoles, RawSettings, RawText,
    RawTexts, Sourced,
};
use super::settings::{
    CalendarSettings, Channels, ContractPeriod, Language, QuotaPeriod, QuotaRule, ReminderSettings,
    Roles, Settings, default_alert_points,
};

/// The settings the raw values and the environment describe. Every value without a meaning is
/// reported and replaced by its default, so the rest can still be checked in the same run.
pub(super) fn validate_settings(
    raw: &RawSettings,
    env: &dyn Env,
    problems: &mut Problems,
) -> Settings {
    let defaults = Settings::default();
    let language = check_or(&raw.language, defaults.language, problems, |value| {
        parse_with(value, Language::from_code, "ja or en")
    });
    Settings {
        language,
        prompts_dir: non_blank_text(&raw.prompts_dir).map(PathBuf::from),
        contract: validate_contract(&raw.contract, problems),
        calendar: validate_calendar(&raw.calendar, defaults.calendar, problems),
        roles: validate_roles(&raw.roles, defaults.roles),
        channels: validate_channels(&raw.channels, defaults.channels, problems),
        quotas: raw
            .quotas
            .iter()
            .map(|(kind, quota)| (kind.clone(), validate_quota(kind, quota, problems)))
            .collect(),
        meetings: validate_meetings(&raw.meetings, defaults.meetings, problems),
        reminders: validate_reminders(&raw.reminders, defaults.reminders, problems),
        database_url: env_text(env, DATABASE_URL_VAR).unwrap_or(defaults.database_url),
        slack: SlackSecrets {
            bot_token: env_text(env, SLACK_BOT_TOKEN_VAR).map(Secret::new),
            app_token: env_text(env, SLACK_APP_TOKEN_VAR).map(Secret::new),
            signing_secret: env_text(env, SLACK_SIGNING_SECRET_VAR).map(Secret::new),
            api_url: env_text(env, SLACK_API_URL_VAR),
            team_id: env_text(env, SLACK_TEAM_ID_VAR),
            department_field: env_text(env, SLACK_DEPARTMENT_FIELD_VAR),
        },
    }
}

/// Gives a raw value its meaning, or reports it and keeps the default; an absent value takes
/// the default.
fn check_or<R, T>(
    raw: &Option<Sourced<R>>,
    default: T,
    problems: &mut Problems,
    check: impl FnOnce(&Sourced<R>) -> Result<T, ConfigProblem>,
) -> T {
    match raw.as_ref().map(check) {
        None => default,
        Some(Ok(value)) => value,
        Some(Err(problem)) => {
            problems.push(problem);
            default
        }
    }
}

fn report<T>(result: Result<T, ConfigProblem>, problems: &mut Problems) -> Option<T> {
    result.map_err(|problem| problems.push(problem)).ok()
}

fn parse_with<T>(
    raw: &Sourced<String>,
    parse: impl FnOnce(&str) -> Option<T>,
    expected: &'static str,
) -> Result<T, ConfigProblem> {
    parse(&raw.value).ok_or_else(|| raw.invalid(expected))
}

fn parse_time(raw: &Sourced<String>) -> Result<NaiveTime, ConfigProblem> {
    // Seconds are accepted because TOML's own time values (`10:00:00`) carry them.
    ["%H:%M", "%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(raw.value.trim(), format).ok())
        .ok_or_else(|| raw.invalid("HH:MM"))
}

fn parse_date(raw: &Sourced<String>) -> Result<NaiveDate, ConfigProblem> {
    NaiveDate::parse_from_str(raw.value.trim(), "%Y-%m-%d").map_err(|_| raw.invalid("YYYY-MM-DD"))
}

/// `""` means "none" for optional dates, so the example file can show every key.
fn parse_optional_date(raw: &Sourced<String>) -> Result<Option<NaiveDate>, ConfigProblem> {
    if raw.value.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(raw).map(Some)
    }
}

fn in_range(
    raw: &Sourced<i64>,
    range: RangeInclusive<u32>,
    expected: &'static str,
) -> Result<u32, ConfigProblem> {
    u32::try_from(raw.value)
        .ok()
        .filter(|number| range.contains(number))
        .ok_or_else(|| raw.invalid(expected))
}

fn non_blank_text(raw: &RawText) -> Option<String> {
    raw.as_ref()
        .map(|text| text.value.clone())
        .filter(|text| !text.trim().is_empty())
}

fn texts_or(raw: &RawTexts, default: Vec<String>) -> Vec<String> {
    match raw {
        Some(items) => items.iter().map(|item| item.value.clone()).collect(),
        None => default,
    }
}

/// Both dates or neither; an empty date counts as not given.
fn validate_contract(raw: &RawContract, problems: &mut Problems) -> Option<ContractPeriod> {
    let given = |raw: &RawText| raw.clone().filter(|date| !date.value.trim().is_empty());
    match (given(&raw.start), given(&raw.end)) {
        (None, None) => None,
        (Some(only), None) | (None, Some(only)) => {
            problems.push(only.invalid("start and end together"));
            None
        }
        (Some(start), Some(end)) => {
            let start_date = report(parse_date(&start), problems);
            let end_date = report(parse_date(&end), problems);
            let period = ContractPeriod {
                start: start_date?,
                end: end_date?,
            };
            if period.start > period.end {
                problems.push(end.invalid("start <= end"));
                return None;
            }
            Some(period)
        }
    }
}

fn validate_calendar(
    raw: &RawCalendar,
    defaults: CalendarSettings,
    problems: &mut Problems,
) -> CalendarSettings {
    let mut extra_closed = match &raw.extra_closed {
        Some(days) => days
            .iter()
            .filter_map(|day| validate_closed_day(day, problems))
            .collect(),
        None => defaults.extra_closed,
    };
    extra_closed.sort();
    extra_closed.dedup_by_key(|(date, _)| *date);
    let mut extra_open: Vec<NaiveDate> = match &raw.extra_open {
        Some(dates) => dates
            .iter()
            .filter_map(|date| report(validate_open_day(date, &extra_closed), problems))
            .collect(),
        None => defaults.extra_open,
    };
    extra_open.sort();
    extra_open.dedup();
    CalendarSettings {
        year_end_closure: raw
            .year_end_closure
            .as_ref()
            .map_or(defaults.year_end_closure, |flag| flag.value),
        extra_closed,
        extra_open,
    }
}

/// A missing date was reported in stage one, so such an entry is dropped quietly here.
fn validate_closed_day(day: &RawClosedDay, problems: &mut Problems) -> Option<(NaiveDate, String)> {
    let date = report(parse_date(day.date.as_ref()?), problems)?;
    let reason = day.reason.as_ref().map(|reason| reason.value.clone());
    Some((date, reason.unwrap_or_default()))
}

/// A day both closed and open is a contradiction the calendar could only resolve by guessing.
fn validate_open_day(
    raw: &Sourced<String>,
    extra_closed: &[(NaiveDate, String)],
) -> Result<NaiveDate, ConfigProblem> {
    let date = parse_date(raw)?;
    if extra_closed.iter().any(|(closed, _)| *closed == date) {
        return Err(raw.invalid("not also in extra_closed"));
    }
    Ok(date)
}

fn validate_roles(raw: &RawRoles, defaults: Roles) -> Roles {
    Roles {
        project_manager: texts_or(&raw.project_manager, defaults.project_manager),
        project_leader: texts_or(&raw.project_leader, defaults.project_leader),
        coordinators: texts_or(&raw.coordinators, defaults.coordinators),
        consultants: texts_or(&raw.consultants, defaults.consultants),
    }
}

fn validate_channels(raw: &RawChannels, defaults: Channels, problems: &mut Problems) -> Channels {
    let channel = |raw: &Sourced<String>| {
        Some(raw.value.trim().to_owned())
            .filter(|channel| !channel.is_empty())
            .ok_or_else(|| raw.invalid("channel name or id"))
    };
    Channels {
        team: check_or(&raw.team, defaults.team, problems, channel),
        meetings: check_or(&raw.meetings, defaults.meetings, problems, channel),
    }
}

fn validate_quota(kind: &str, raw: &RawQuota, problems: &mut Problems) -> QuotaRule {
    let defaults = QuotaRule::default_for(kind);
    let limit = match &raw.limit {
        Some(limit) => report(in_range(limit, 1..=u32::MAX, "1 or more"), problems),
        None => Some(defaults.limit),
    };
    let period = check_or(&raw.period, defaults.period, problems, |period| {
        parse_with(period, QuotaPeriod::from_code, "month or contract")
    });
    let alert_at = match (&raw.alert_at, limit) {
        (None, Some(limit)) => default_alert_points(limit),
        (Some(points), Some(limit)) => validate_alert_points(points, limit, problems),
        // With no valid limit there is nothing to check the alert points against.
        (_, None) => Vec::new(),
    };
    QuotaRule {
        limit: limit.unwrap_or(defaults.limit),
        period,
        alert_at,
    }
}

fn validate_alert_points(points: &[Sourced<i64>], limit: u32, problems: &mut Problems) -> Vec<u32> {
    let mut valid: Vec<u32> = points
        .iter()
        .filter_map(|point| report(in_range(point, 1..=limit, "1..=limit"), problems))
        .collect();
    valid.sort_unstable();
    valid.dedup();
    valid
}

fn validate_meetings(
    raw: &RawMeetings,
    defaults: MeetingSettings,
    problems: &mut Problems,
) -> MeetingSettings {
    MeetingSettings {
        regular: validate_regular_meeting(&raw.regular, defaults.regular, problems),
        biweekly: validate_biweekly_meeting(&raw.biweekly, defaults.biweekly, problems),
        kickoff: validate_kickoff(&raw.kickoff, defaults.kickoff, problems),
    }
}

fn parse_duration(raw: &Sourced<i64>) -> Result<u32, ConfigProblem> {
    in_range(raw, 1..=1440, "1..=1440")
}

fn parse_on_closed_day(raw: &Sourced<String>) -> Result<OnClosedDay, ConfigProblem> {
    parse_with(
        raw,
        OnClosedDay::from_code,
        "next_open_day, previous_open_day or skip",
    )
}

fn validate_regular_meeting(
    raw: &RawRegularMeeting,
    defaults: RegularMeetingSettings,
    problems: &mut Problems,
) -> RegularMeetingSettings {
    RegularMeetingSettings {
        rule: check_or(&raw.rule, defaults.rule, problems, |rule| {
            parse_with(rule, MonthlyRule::parse, "e.g. 2nd tue")
        }),
        time: check_or(&raw.time, defaults.time, problems, parse_time),
        duration_minutes: check_or(
            &raw.duration_minutes,
            defaults.duration_minutes,
            problems,
            parse_duration,
        ),
        on_closed_day: check_or(
            &raw.on_closed_day,
            defaults.on_closed_day,
            problems,
            parse_on_closed_day,
        ),
        deadline_open_days_before: check_or(
            &raw.deadline_open_days_before,
            defaults.deadline_open_days_before,
            problems,
            |days| in_range(days, 0..=30, "0..=30"),
        ),
        deliverables: texts_or(&raw.deliverables, defaults.deliverables),
    }
}

fn validate_biweekly_meeting(
    raw: &RawBiweeklyMeeting,
    defaults: BiweeklyMeetingSettings,
    problems: &mut Problems,
) -> BiweeklyMeetingSettings {
    BiweeklyMeetingSettings {
        anchor: check_or(&raw.anchor, defaults.anchor, problems, parse_optional_date),
        time: check_or(&raw.time, defaults.time, problems, parse_time),
        duration_minutes: check_or(
            &raw.duration_minutes,
            defaults.duration_minutes,
            problems,
            parse_duration,
        ),
        on_closed_day: check_or(
            &raw.on_closed_day,
            defaults.on_closed_day,
            problems,
            parse_on_closed_day,
        ),
        url: if raw.url.is_some() {
            non_blank_text(&raw.url)
        } else {
            defaults.url
        },
    }
}

fn validate_kickoff(
    raw: &RawKickoff,
    defaults: KickoffSettings,
    problems: &mut Problems,
) -> KickoffSettings {
    KickoffSettings {
        date: check_or(&raw.date, defaults.date, problems, parse_optional_date),
        time: check_or(&raw.time, defaults.time, problems, parse_time),
        deliverables: texts_or(&raw.deliverables, defaults.deliverables),
    }
}

fn validate_reminders(
    raw: &RawReminders,
    defaults: ReminderSettings,
    problems: &mut Problems,
) -> ReminderSettings {
    ReminderSettings {
        heads_up: check_or(&raw.heads_up, defaults.heads_up, problems, parse_time),
        due: check_or(&raw.due, defaults.due, problems, parse_time),
        escalation: check_or(&raw.escalation, defaults.escalation, problems, parse_time),
        meeting_day: check_or(&raw.meeting_day, defaults.meeting_day, problems, parse_time),
        biweekly_previous_day: check_or(
            &raw.biweekly_previous_day,
            defaults.biweekly_previous_day,
            problems,
            parse_time,
        ),
        biweekly_before_minutes: check_or(
            &raw.biweekly_before_minutes,
            defaults.biweekly_before_minutes,
            problems,
            |minutes| in_range(minutes, 0..=1440, "0..=1440"),
        ),
    }
}
