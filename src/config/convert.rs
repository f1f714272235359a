//! Converters from one spanned TOML value to a raw value, each reporting a wrong type instead
//! of giving up, so one run finds every problem.

use toml::Spanned;
use toml::de::DeValue;

use super::env::secret_var_for_value;
use super::problem::{ProblemKind, Problems};
use super::raw::{RawClosedDay, RawInteger, RawText, RawTexts, Sourced};
use super::reader::{At, Converter, Locator, join_key, unexpected_key_problems};

/// Keys of one `calendar.extra_closed` entry.
const CLOSED_DAY_KEYS: [&str; 2] = ["date", "reason"];

/// A string; a date or time is the wrong type here.
pub(super) fn to_text(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> RawText {
    text_or_datetime(value, at, problems, false)
}

/// A string, or a TOML date or time read as its text.
pub(super) fn to_temporal(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> RawText {
    text_or_datetime(value, at, problems, true)
}

fn text_or_datetime(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
    datetime_allowed: bool,
) -> RawText {
    let text = match value.get_ref() {
        DeValue::String(text) => text.to_string(),
        // `start = 2024-04-01` and `time = 10:00` are natural TOML; stage two reads their text.
        DeValue::Datetime(datetime) if datetime_allowed => datetime.to_string(),
        _ => {
            problems.push(at.problem(value.span(), ProblemKind::WrongType { expected: "string" }));
            return None;
        }
    };
    if let (Locator::File(_), Some(env_var)) = (at.locator, secret_var_for_value(&text)) {
        problems.push(at.problem(value.span(), ProblemKind::SecretInFile { env_var }));
        return None;
    }
    Some(at.sourced(text, value.span()))
}

pub(super) fn to_integer(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> RawInteger {
    let DeValue::Integer(integer) = value.get_ref() else {
        problems.push(at.problem(
            value.span(),
            ProblemKind::WrongType {
                expected: "integer",
            },
        ));
        return None;
    };
    match i64::from_str_radix(integer.as_str(), integer.radix()) {
        Ok(number) => Some(at.sourced(number, value.span())),
        Err(_) => {
            let kind = ProblemKind::InvalidValue {
                value: integer.to_string(),
                expected: "integer",
            };
            problems.push(at.problem(value.span(), kind));
            None
        }
    }
}

pub(super) fn to_boolean(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Sourced<bool>> {
    match value.get_ref() {
        DeValue::Boolean(flag) => Some(at.sourced(*flag, value.span())),
        _ => {
            problems.push(at.problem(
                value.span(),
                ProblemKind::WrongType {
                    expected: "boolean",
                },
            ));
            None
        }
    }
}

/// An array converted element by element. Good elements are kept even when others are bad, so
/// stage two can still check them and every problem shows up in one run.
fn to_list<T>(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
    expected: &'static str,
    element: Converter<T>,
) -> Option<Vec<T>> {
    let Some(items) = value.get_ref().as_array() else {
        problems.push(at.problem(value.span(), ProblemKind::WrongType { expected }));
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(|item| element(item, at, problems))
            .collect(),
    )
}

pub(super) fn to_texts(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> RawTexts {
    to_list(value, at, problems, "array of strings", to_text)
}

pub(super) fn to_temporals(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> RawTexts {
    to_list(value, at, problems, "array of strings", to_temporal)
}

pub(super) fn to_integers(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<Sourced<i64>>> {
    to_list(value, at, problems, "array of integers", to_integer)
}

pub(super) fn to_closed_days(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<RawClosedDay>> {
    let Some(items) = value.get_ref().as_array() else {
        let kind = ProblemKind::WrongType {
            expected: "array of tables",
        };
        problems.push(at.problem(value.span(), kind));
        return None;
    };
    let days = items.iter().enumerate().filter_map(|(index, item)| {
        let key = format!("{}[{index}]", at.key);
        let item_at = At {
            key: &key,
            locator: at.locator,
        };
        to_closed_day(item, item_at, problems)
    });
    Some(days.collect())
}

/// One `{ date = "…", reason = "…" }` entry.
fn to_closed_day(
    item: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<RawClosedDay> {
    let Some(table) = item.get_ref().as_table() else {
        problems.push(at.problem(item.span(), ProblemKind::WrongType { expected: "table" }));
        return None;
    };
    let mut day = RawClosedDay::default();
    for (name, value) in table {
        let key = join_key(at.key, name.get_ref());
        let field_at = At {
            key: &key,
            locator: at.locator,
        };
        match name.get_ref().as_ref() {
            "date" => day.date = to_temporal(value, field_at, problems),
            "reason" => day.reason = to_text(value, field_at, problems),
            _ => problems.extend(unexpected_key_problems(
                at.key,
                name,
                value,
                &CLOSED_DAY_KEYS,
                at.locator,
            )),
        }
    }
    if !table.contains_key("date") {
        // An entry without a date closes nothing; say so rather than drop it silently.
        let kind = ProblemKind::InvalidValue {
            value: String::new(),
            expected: "YYYY-MM-DD",
        };
        let origin = at.locator.origin(item.span());
        problems.push(origin.problem(&join_key(at.key, "date"), kind));
    }
    Some(day)
}
