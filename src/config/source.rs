//! Where a value came from: a line of the file or an override variable, so that every problem
//! can point back at what the operator wrote.

use std::ops::Range;

use super::problem::{ConfigProblem, ProblemKind};

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

/// Where a raw value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    File { line: usize },
    Env { var: String },
}

impl Origin {
    pub(super) fn problem(&self, key: &str, kind: ProblemKind) -> ConfigProblem {
        match self {
            Origin::File { line } => ConfigProblem {
                key: key.to_owned(),
                line: Some(*line),
                kind,
            },
            // The operator set a variable, not a key: name the variable so it can be found.
            Origin::Env { var } => ConfigProblem {
                key: var.clone(),
                line: None,
                kind,
            },
        }
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

/// A raw value with the dotted key it was read under and where it came from: the right TOML
/// type, its meaning not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sourced<T> {
    pub(super) value: T,
    pub(super) key: String,
    pub(super) origin: Origin,
}

impl<T: ToString> Sourced<T> {
    pub(super) fn invalid(&self, expected: &'static str) -> ConfigProblem {
        let kind = ProblemKind::InvalidValue {
            value: self.value.to_string(),
            expected,
        };
        self.origin.problem(&self.key, kind)
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

/// `parent.key`, or just `key` at the top level.
pub(super) fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}
