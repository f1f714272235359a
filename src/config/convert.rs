//! The kinds of value a key takes, and the converters from one spanned TOML value to a raw value
//! of that kind, each reporting a wrong type instead of giving up, so one run finds every problem.
//! Also the problems for keys the schema does not have, which a converter of tables needs too.

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::env::{secret_var_for_name, secret_var_for_value};
use super::problem::{ProblemKind, Problems, closest};
use super::source::{At, Locator, Sourced, join_key};

/// The kind of value a key takes, as the schema check reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ValueKind {
    /// A string.
    Text,
    /// A date or time: a string, or TOML's own `2024-04-01` / `10:00`.
    Temporal,
    Integer,
    Boolean,
    /// An array of strings.
    Texts,
    /// An array of dates or times.
    Temporals,
    /// An array of integers.
    Integers,
    /// `calendar.extra_closed`: an array of `{ date = "…", reason = "…" }`.
    ClosedDays,
}

impl ValueKind {
    /// The TOML type a value of the wrong type is reported against.
    pub(super) fn expected(self) -> &'static str {
        match self {
            ValueKind::Text | ValueKind::Temporal => "string",
            ValueKind::Integer => "integer",
            ValueKind::Boolean => "boolean",
            ValueKind::Texts | ValueKind::Temporals => "array of strings",
            ValueKind::Integers => "array of integers",
            ValueKind::ClosedDays => "array of tables",
        }
    }

    /// Whether an override's text is taken as the value whatever TOML would read it as.
    pub(super) fn wants_text(self) -> bool {
        matches!(self, ValueKind::Text | ValueKind::Temporal)
    }
}

/// Turns one TOML value into a raw value, reporting a wrong type instead.
pub(super) type Converter<T> = fn(&Spanned<DeValue<'_>>, At<'_>, &mut Problems) -> Option<T>;

/// A kind with the converter that reads it, typed by the raw value it gives.
pub(super) struct Kind<R> {
    pub(super) name: ValueKind,
    pub(super) convert: Converter<R>,
}

pub(super) const TEXT: Kind<Sourced<String>> = Kind {
    name: ValueKind::Text,
    convert: to_text,
};
pub(super) const TEMPORAL: Kind<Sourced<String>> = Kind {
    name: ValueKind::Temporal,
    convert: to_temporal,
};
pub(super) const INTEGER: Kind<Sourced<i64>> = Kind {
    name: ValueKind::Integer,
    convert: to_integer,
};
pub(super) const BOOLEAN: Kind<Sourced<bool>> = Kind {
    name: ValueKind::Boolean,
    convert: to_boolean,
};
pub(super) const TEXTS: Kind<Vec<Sourced<String>>> = Kind {
    name: ValueKind::Texts,
    convert: to_texts,
};
pub(super) const TEMPORALS: Kind<Vec<Sourced<String>>> = Kind {
    name: ValueKind::Temporals,
    convert: to_temporals,
};
pub(super) const INTEGERS: Kind<Vec<Sourced<i64>>> = Kind {
    name: ValueKind::Integers,
    convert: to_integers,
};
pub(super) const CLOSED_DAYS: Kind<Vec<ClosedDayEntry>> = Kind {
    name: ValueKind::ClosedDays,
    convert: to_closed_days,
};

/// One entry of `calendar.extra_closed` that has a date.
#[derive(Debug)]
pub(super) struct ClosedDayEntry {
    pub(super) date: Sourced<String>,
    pub(super) reason: Option<String>,
}

/// Keys of one `calendar.extra_closed` entry.
const CLOSED_DAY_KEYS: [&str; 2] = ["date", "reason"];

fn wrong_type(expected: &'static str) -> ProblemKind {
    ProblemKind::WrongType { expected }
}

/// A string; a date or time is the wrong type here.
fn to_text(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Sourced<String>> {
    text_or_datetime(value, at, problems, false)
}

/// A string, or a TOML date or time read as its text.
fn to_temporal(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Sourced<String>> {
    text_or_datetime(value, at, problems, true)
}

fn text_or_datetime(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
    datetime_allowed: bool,
) -> Option<Sourced<String>> {
    let text = match value.get_ref() {
        DeValue::String(text) => text.to_string(),
        // `start = 2024-04-01` and `time = 10:00` are natural TOML; stage two reads their text.
        DeValue::Datetime(datetime) if datetime_allowed => datetime.to_string(),
        _ => {
            let expected = ValueKind::Text.expected();
            problems.push(at.problem(value.span(), wrong_type(expected)));
            return None;
        }
    };
    if let (Locator::File(_), Some(env_var)) = (at.locator, secret_var_for_value(&text)) {
        problems.push(at.problem(value.span(), ProblemKind::SecretInFile { env_var }));
        return None;
    }
    Some(at.sourced(text, value.span()))
}

fn to_integer(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Sourced<i64>> {
    let DeValue::Integer(integer) = value.get_ref() else {
        let expected = ValueKind::Integer.expected();
        problems.push(at.problem(value.span(), wrong_type(expected)));
        return None;
    };
    match i64::from_str_radix(integer.as_str(), integer.radix()) {
        Ok(number) => Some(at.sourced(number, value.span())),
        Err(_) => {
            let kind = ProblemKind::InvalidValue {
                value: integer.to_string(),
                expected: ValueKind::Integer.expected(),
            };
            problems.push(at.problem(value.span(), kind));
            None
        }
    }
}

fn to_boolean(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Sourced<bool>> {
    match value.get_ref() {
        DeValue::Boolean(flag) => Some(at.sourced(*flag, value.span())),
        _ => {
            let expected = ValueKind::Boolean.expected();
            problems.push(at.problem(value.span(), wrong_type(expected)));
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
    kind: ValueKind,
    element: Converter<T>,
) -> Option<Vec<T>> {
    let Some(items) = value.get_ref().as_array() else {
        problems.push(at.problem(value.span(), wrong_type(kind.expected())));
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(|item| element(item, at, problems))
            .collect(),
    )
}

fn to_texts(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<Sourced<String>>> {
    to_list(value, at, problems, ValueKind::Texts, to_text)
}

fn to_temporals(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<Sourced<String>>> {
    to_list(value, at, problems, ValueKind::Temporals, to_temporal)
}

fn to_integers(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<Sourced<i64>>> {
    to_list(value, at, problems, ValueKind::Integers, to_integer)
}

fn to_closed_days(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<ClosedDayEntry>> {
    let Some(items) = value.get_ref().as_array() else {
        let expected = ValueKind::ClosedDays.expected();
        problems.push(at.problem(value.span(), wrong_type(expected)));
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

/// One `{ date = "…", reason = "…" }` entry; `None` when it has no usable date, after saying why.
fn to_closed_day(
    item: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<ClosedDayEntry> {
    let Some(table) = item.get_ref().as_table() else {
        problems.push(at.problem(item.span(), wrong_type("table")));
        return None;
    };
    let mut date = None;
    let mut reason = None;
    for (name, value) in table {
        let key = join_key(at.key, name.get_ref());
        let field_at = At {
            key: &key,
            locator: at.locator,
        };
        match name.get_ref().as_ref() {
            "date" => date = to_temporal(value, field_at, problems),
            "reason" => reason = to_text(value, field_at, problems).map(|reason| reason.value),
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
    Some(ClosedDayEntry {
        date: date?,
        reason,
    })
}

/// Problems for a key the schema does not have: a secret put in the file, or an unknown key
/// with the closest known one suggested and any secrets inside it.
pub(super) fn unexpected_key_problems(
    parent: &str,
    name: &Spanned<DeString<'_>>,
    value: &Spanned<DeValue<'_>>,
    known: &[&str],
    locator: Locator<'_>,
) -> Problems {
    let key = join_key(parent, name.get_ref());
    let origin = locator.origin(name.span());
    if let Some(env_var) = secret_var_for_entry(name.get_ref(), value.get_ref()) {
        return vec![origin.problem(&key, ProblemKind::SecretInFile { env_var })];
    }
    let suggestion =
        closest(name.get_ref(), known.iter().copied()).map(|near| join_key(parent, near));
    let mut problems = vec![origin.problem(&key, ProblemKind::UnknownKey { suggestion })];
    // In `[slack] bot_token = "…"` the secret needs naming too, or it would stay in the file.
    if let Some(table) = value.get_ref().as_table() {
        problems.extend(secret_problems_within(&key, table, locator));
    }
    problems
}

/// Secrets anywhere inside an unknown table; each is named so none stays in the file.
fn secret_problems_within(parent: &str, table: &DeTable<'_>, locator: Locator<'_>) -> Problems {
    let mut problems = Vec::new();
    for (name, value) in table {
        let key = join_key(parent, name.get_ref());
        if let Some(env_var) = secret_var_for_entry(name.get_ref(), value.get_ref()) {
            let origin = locator.origin(name.span());
            problems.push(origin.problem(&key, ProblemKind::SecretInFile { env_var }));
        } else if let Some(inner) = value.get_ref().as_table() {
            problems.extend(secret_problems_within(&key, inner, locator));
        }
    }
    problems
}

/// The variable a secret belongs in, if the key's name or its text value looks like one.
fn secret_var_for_entry(name: &str, value: &DeValue<'_>) -> Option<&'static str> {
    secret_var_for_name(name).or_else(|| value.as_str().and_then(secret_var_for_value))
}
