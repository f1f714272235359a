//! Stage two's checks: each gives a raw value its meaning (a time, a date, a rule, a number in
//! range) or the problem saying what was expected. The keys name them in their declarations;
//! the checks of two keys together (the contract's dates, the alert points against the limit,
//! the open days against the closed ones) are here too.

use std::ops::RangeInclusive;

use chrono::{NaiveDate, NaiveTime};

use super::convert::ClosedDayEntry;
use super::problem::{ConfigProblem, Problems};
use super::settings::{ContractPeriod, Language};
use super::source::Sourced;
use crate::domain::meeting::{MonthlyRule, OnClosedDay};

/// The value, or `None` after reporting why there is none.
pub(super) fn report<T>(result: Result<T, ConfigProblem>, problems: &mut Problems) -> Option<T> {
    result.map_err(|problem| problems.push(problem)).ok()
}

pub(super) fn parse_with<T>(
    raw: &Sourced<String>,
    parse: impl FnOnce(&str) -> Option<T>,
    expected: &'static str,
) -> Result<T, ConfigProblem> {
    parse(&raw.value).ok_or_else(|| raw.invalid(expected))
}

pub(super) fn parse_time(raw: &Sourced<String>) -> Result<NaiveTime, ConfigProblem> {
    // Seconds are accepted because TOML's own time values (`10:00:00`) carry them.
    ["%H:%M", "%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(raw.value.trim(), format).ok())
        .ok_or_else(|| raw.invalid("HH:MM"))
}

pub(super) fn parse_date(raw: &Sourced<String>) -> Result<NaiveDate, ConfigProblem> {
    NaiveDate::parse_from_str(raw.value.trim(), "%Y-%m-%d").map_err(|_| raw.invalid("YYYY-MM-DD"))
}

/// `""` means "none" for optional dates, so the example file can show every key.
pub(super) fn parse_optional_date(
    raw: &Sourced<String>,
) -> Result<Option<NaiveDate>, ConfigProblem> {
    if raw.value.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(raw).map(Some)
    }
}

pub(super) fn in_range(
    raw: &Sourced<i64>,
    range: RangeInclusive<u32>,
    expected: &'static str,
) -> Result<u32, ConfigProblem> {
    u32::try_from(raw.value)
        .ok()
        .filter(|number| range.contains(number))
        .ok_or_else(|| raw.invalid(expected))
}

pub(super) fn parse_language(raw: &Sourced<String>) -> Result<Language, ConfigProblem> {
    parse_with(raw, Language::from_code, "ja or en")
}

/// A meeting's length.
pub(super) fn parse_duration(raw: &Sourced<i64>) -> Result<u32, ConfigProblem> {
    in_range(raw, 1..=1440, "1..=1440")
}

pub(super) fn parse_monthly_rule(raw: &Sourced<String>) -> Result<MonthlyRule, ConfigProblem> {
    parse_with(raw, MonthlyRule::parse, "e.g. 2nd tue")
}

pub(super) fn parse_on_closed_day(raw: &Sourced<String>) -> Result<OnClosedDay, ConfigProblem> {
    parse_with(
        raw,
        OnClosedDay::from_code,
        "next_open_day, previous_open_day or skip",
    )
}

/// A channel name or id; blank is none of either.
pub(super) fn parse_channel(raw: &Sourced<String>) -> Result<String, ConfigProblem> {
    Some(raw.value.trim().to_owned())
        .filter(|channel| !channel.is_empty())
        .ok_or_else(|| raw.invalid("channel name or id"))
}

/// Any text, with `""` (or blanks) meaning none, so the example file can show every key.
pub(super) fn optional_text(raw: &Sourced<String>) -> Result<Option<String>, ConfigProblem> {
    Ok(Some(raw.value.clone()).filter(|text| !text.trim().is_empty()))
}

/// Any text, as written.
pub(super) fn any_text(raw: &Sourced<String>) -> Result<String, ConfigProblem> {
    Ok(raw.value.clone())
}

/// Both dates or neither; an empty date counts as not given.
pub(super) fn contract_period(
    start: Option<Sourced<String>>,
    end: Option<Sourced<String>>,
    problems: &mut Problems,
) -> Option<ContractPeriod> {
    let given = |raw: Option<Sourced<String>>| raw.filter(|date| !date.value.trim().is_empty());
    match (given(start), given(end)) {
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

/// A closed day and its reason (none: an empty one).
pub(super) fn parse_closed_day(day: &ClosedDayEntry) -> Result<(NaiveDate, String), ConfigProblem> {
    let date = parse_date(&day.date)?;
    Ok((date, day.reason.clone().unwrap_or_default()))
}

/// A day both closed and open is a contradiction the calendar could only resolve by guessing.
pub(super) fn parse_open_day(
    raw: &Sourced<String>,
    extra_closed: &[(NaiveDate, String)],
) -> Result<NaiveDate, ConfigProblem> {
    let date = parse_date(raw)?;
    if extra_closed.iter().any(|(closed, _)| *closed == date) {
        return Err(raw.invalid("not also in extra_closed"));
    }
    Ok(date)
}

/// A quota's limit: one or more.
pub(super) fn parse_limit(raw: &Sourced<i64>) -> Result<u32, ConfigProblem> {
    in_range(raw, 1..=u32::MAX, "1 or more")
}

/// The alert points within `1..=limit`, sorted and without duplicates.
pub(super) fn alert_points(
    points: &[Sourced<i64>],
    limit: u32,
    problems: &mut Problems,
) -> Vec<u32> {
    let mut valid: Vec<u32> = points
        .iter()
        .filter_map(|point| report(in_range(point, 1..=limit, "1..=limit"), problems))
        .collect();
    valid.sort_unstable();
    valid.dedup();
    valid
}
