//! Walking the spanned TOML tree: locating values by line or variable, and reading one table
//! at a time so that every key the schema does not ask for is reported.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::convert::{
    to_boolean, to_closed_days, to_integer, to_integers, to_temporal, to_temporals, to_text,
    to_texts,
};
use super::env::{
    EnvOverrides, override_var, parse_override, secret_var_for_name, secret_var_for_value,
};
use super::problem::{ConfigProblem, ProblemKind, Problems, closest};
use super::raw::{Origin, RawClosedDay, RawInteger, RawText, RawTexts, Sourced};

/// Byte offset to 1-based line number.
pub(super) struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub(super) fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(newline, _)| newline + 1));
        Self { line_starts }
    }

    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }
}

/// How to tell where a value in a TOML tree came from: the file's lines, or one variable
/// (whose value was parsed as a tree of its own).
#[derive(Clone, Copy)]
pub(super) enum Locator<'a> {
    File(&'a LineIndex),
    Env(&'a str),
}

impl Locator<'_> {
    pub(super) fn origin(self, span: Range<usize>) -> Origin {
        match self {
            Locator::File(lines) => Origin::File {
                line: lines.line_of(span.start),
            },
            Locator::Env(var) => Origin::Env {
                var: var.to_owned(),
            },
        }
    }
}

/// The key being read and how to locate it; handed to each converter.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) key: &'a str,
    pub(super) locator: Locator<'a>,
}

impl At<'_> {
    pub(super) fn sourced<T>(self, value: T, span: Range<usize>) -> Sourced<T> {
        Sourced {
            value,
            key: self.key.to_owned(),
            origin: self.locator.origin(span),
        }
    }

    pub(super) fn problem(self, span: Range<usize>, kind: ProblemKind) -> ConfigProblem {
        self.locator.origin(span).problem(self.key, kind)
    }
}

/// Turns one TOML value into a raw value, reporting a wrong type instead.
pub(super) type Converter<T> = fn(&Spanned<DeValue<'_>>, At<'_>, &mut Problems) -> Option<T>;

/// State shared while reading stage one.
pub(super) struct Reading {
    pub(super) lines: LineIndex,
    pub(super) env: EnvOverrides,
    pub(super) problems: Problems,
}

/// `parent.key`, or just `key` at the top level.
pub(super) fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// A value found for a key: in the file, or in an override variable (which wins).
enum Found<'a, 'i> {
    File(&'a Spanned<DeValue<'i>>),
    Env { var: String, text: String },
}

/// Reads one table of the schema. The schema is the sequence of calls made on it: each call
/// names a key, so whatever the file has beyond those keys is unknown and reported by `finish`.
pub(super) struct TableReader<'a, 'i> {
    pub(super) path: String,
    pub(super) table: Option<&'a DeTable<'i>>,
    asked: Vec<&'static str>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    pub(super) fn new(path: String, table: Option<&'a DeTable<'i>>) -> Self {
        Self {
            path,
            table,
            asked: Vec::new(),
        }
    }

    fn find(&mut self, key: &'static str, reading: &mut Reading) -> Option<Found<'a, 'i>> {
        self.asked.push(key);
        let var = override_var(&join_key(&self.path, key));
        if let Some(text) = reading.env.consult(&var) {
            return Some(Found::Env { var, text });
        }
        self.table?.get(key).map(Found::File)
    }

    fn read<T>(
        &mut self,
        key: &'static str,
        reading: &mut Reading,
        wants_text: bool,
        convert: Converter<T>,
    ) -> Option<T> {
        let dotted = join_key(&self.path, key);
        match self.find(key, reading)? {
            Found::File(value) => {
                let at = At {
                    key: &dotted,
                    locator: Locator::File(&reading.lines),
                };
                convert(value, at, &mut reading.problems)
            }
            Found::Env { var, text } => {
                let value = parse_override(&text, wants_text);
                let at = At {
                    key: &dotted,
                    locator: Locator::Env(&var),
                };
                convert(&value, at, &mut reading.problems)
            }
        }
    }

    pub(super) fn text(&mut self, key: &'static str, reading: &mut Reading) -> RawText {
        self.read(key, reading, true, to_text)
    }

    /// A date or time: a string, or TOML's own `2024-04-01` / `10:00`.
    pub(super) fn temporal(&mut self, key: &'static str, reading: &mut Reading) -> RawText {
        self.read(key, reading, true, to_temporal)
    }

    pub(super) fn integer(&mut self, key: &'static str, reading: &mut Reading) -> RawInteger {
        self.read(key, reading, false, to_integer)
    }

    pub(super) fn boolean(
        &mut self,
        key: &'static str,
        reading: &mut Reading,
    ) -> Option<Sourced<bool>> {
        self.read(key, reading, false, to_boolean)
    }

    pub(super) fn texts(&mut self, key: &'static str, reading: &mut Reading) -> RawTexts {
        self.read(key, reading, false, to_texts)
    }

    pub(super) fn temporals(&mut self, key: &'static str, reading: &mut Reading) -> RawTexts {
        self.read(key, reading, false, to_temporals)
    }

    pub(super) fn integers(
        &mut self,
        key: &'static str,
        reading: &mut Reading,
    ) -> Option<Vec<Sourced<i64>>> {
        self.read(key, reading, false, to_integers)
    }

    pub(super) fn closed_days(
        &mut self,
        key: &'static str,
        reading: &mut Reading,
    ) -> Option<Vec<RawClosedDay>> {
        self.read(key, reading, false, to_closed_days)
    }

    /// The reader for a sub-table; a file value that is not a table is reported and read as
    /// absent, so its own keys still take their defaults and overrides.
    pub(super) fn table(
        &mut self,
        key: &'static str,
        reading: &mut Reading,
    ) -> TableReader<'a, 'i> {
        self.asked.push(key);
        let path = join_key(&self.path, key);
        let mut table = None;
        if let Some(value) = self.table.and_then(|table| table.get(key)) {
            match value.get_ref() {
                DeValue::Table(inner) => table = Some(inner),
                _ => reading.problems.push(
                    Locator::File(&reading.lines)
                        .origin(value.span())
                        .problem(&path, ProblemKind::WrongType { expected: "table" }),
                ),
            }
        }
        TableReader::new(path, table)
    }

    /// Reports every key of the file's table that the schema did not ask for.
    pub(super) fn finish(self, reading: &mut Reading) {
        let Some(table) = self.table else { return };
        for (name, value) in table {
            if self
                .asked
                .iter()
                .any(|known| *known == name.get_ref().as_ref())
            {
                continue;
            }
            let locator = Locator::File(&reading.lines);
            let problems = unexpected_key_problems(&self.path, name, value, &self.asked, locator);
            reading.problems.extend(problems);
        }
    }
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
