//! Reading one table of the schema at a time. Each key is declared by one call on a
//! [`TableReader`], naming the key, its kind, its default and its check: that call looks the
//! value up (an override variable wins over the file), reads it as its kind (stage one), gives
//! it its meaning or reports why it has none (stage two), and records the key, so the table
//! reports whatever else the file has as unknown and the environment whatever else it sets.

use std::collections::BTreeSet;

use toml::de::{DeTable, DeValue};

use super::convert::{Kind, ValueKind, unexpected_key_problems};
use super::env::{EnvOverrides, override_var, parse_override};
use super::problem::{ConfigProblem, ProblemKind, Problems};
use super::source::{At, LineIndex, Locator, join_key};

/// A key the schema has, as recorded when it was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DeclaredKey {
    /// Dotted path, e.g. `meetings.regular.time`.
    pub(super) path: String,
    pub(super) kind: ValueKind,
}

/// State shared while reading the schema.
pub(super) struct Reading {
    pub(super) lines: LineIndex,
    env: EnvOverrides,
    pub(super) problems: Problems,
    /// Every key declared so far, in the order the schema reads them.
    pub(super) declared: Vec<DeclaredKey>,
}

impl Reading {
    pub(super) fn new(lines: LineIndex, env: EnvOverrides) -> Self {
        Self {
            lines,
            env,
            problems: Vec::new(),
            declared: Vec::new(),
        }
    }

    /// Lower-cased names of the tables below `path` that some override names.
    pub(super) fn env_tables_below(&self, path: &str) -> Vec<String> {
        self.env.tables_named_below(path)
    }

    /// Every problem found, once the whole schema has been read: the variables of the declared
    /// keys are known, every other override variable is reported.
    pub(super) fn into_problems(self) -> Problems {
        let known: BTreeSet<String> = self
            .declared
            .iter()
            .map(|key| override_var(&key.path))
            .collect();
        let mut problems = self.problems;
        problems.extend(self.env.unknown_var_problems(&known));
        problems
    }
}

/// Reads one table of the schema. The schema is the sequence of calls made on it: each call
/// declares a key, so whatever the file has beyond those keys is unknown and reported by
/// `finish`.
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

    /// Declares `key` as taking values of `kind` and reads its value, if it has one, without
    /// giving it a meaning: for keys whose meaning depends on a neighbour (both contract
    /// dates, the alert points against the limit).
    pub(super) fn raw<R>(
        &mut self,
        key: &'static str,
        kind: Kind<R>,
        reading: &mut Reading,
    ) -> Option<R> {
        self.asked.push(key);
        let dotted = join_key(&self.path, key);
        let var = override_var(&dotted);
        reading.declared.push(DeclaredKey {
            path: dotted.clone(),
            kind: kind.name,
        });
        if let Some(text) = reading.env.value(&var) {
            let value = parse_override(&text, kind.name.wants_text());
            let at = At {
                key: &dotted,
                locator: Locator::Env(&var),
            };
            return (kind.convert)(&value, at, &mut reading.problems);
        }
        let value = self.table?.get(key)?;
        let at = At {
            key: &dotted,
            locator: Locator::File(&reading.lines),
        };
        (kind.convert)(value, at, &mut reading.problems)
    }

    /// Declares `key` with its kind, default and check, and gives its value: the checked
    /// value; `default` when the key is absent; `default` too when the value has the wrong
    /// type or no meaning, after reporting it, so the rest can still be checked in the same run.
    pub(super) fn value<R, T>(
        &mut self,
        key: &'static str,
        kind: Kind<R>,
        default: T,
        check: impl FnOnce(&R) -> Result<T, ConfigProblem>,
        reading: &mut Reading,
    ) -> T {
        match self.raw(key, kind, reading).as_ref().map(check) {
            None => default,
            Some(Ok(value)) => value,
            Some(Err(problem)) => {
                reading.problems.push(problem);
                default
            }
        }
    }

    /// Declares a list `key` whose items are checked one by one: an item without a meaning is
    /// reported and left out, the others kept; `default` when the key is absent.
    pub(super) fn list<R, T>(
        &mut self,
        key: &'static str,
        kind: Kind<Vec<R>>,
        default: Vec<T>,
        mut check: impl FnMut(&R) -> Result<T, ConfigProblem>,
        reading: &mut Reading,
    ) -> Vec<T> {
        let Some(items) = self.raw(key, kind, reading) else {
            return default;
        };
        items
            .iter()
            .filter_map(|item| {
                check(item)
                    .map_err(|problem| reading.problems.push(problem))
                    .ok()
            })
            .collect()
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
