//! Configuration: `banso.toml` plus the environment, checked once into one [`Settings`].
//!
//! Loading runs in two stages, like ripgrep's `LowArgs` → `HiArgs`:
//!
//! 1. **Raw**: the file is parsed into a spanned TOML tree and each key's value is read as the
//!    kind of value the key takes, with `BANSO_*` overrides taking the place of file values.
//!    Every raw value keeps where it came from (file line or variable name). Syntax errors,
//!    unknown keys, wrong types and secrets written into the file are found here.
//! 2. **Validated** ([`Settings`]): each raw value is given its meaning (times, dates, rules,
//!    limits) and the documented defaults fill the gaps. Values without a meaning are found here.
//!
//! Both stages run key by key, driven by one declaration per key (`keys`): its path, its kind,
//! its default, its check and the field of [`Settings`] it lands in. The calendar, meeting and
//! reminder rules land directly in the domain's types, so nothing converts them afterwards.
//!
//! Neither stage stops at the first problem, so an operator fixing the file sees every problem in
//! one run. Problems are data ([`ConfigProblem`]); their sentences live in the prompt templates,
//! in Japanese and English. Secrets come only from the environment, as [`Secret`]s that cannot be
//! printed. The environment is read only through an injected [`Env`], so tests never touch the
//! process environment.
//!
//! The submodules, each using only those before it: `problem` is what is reported; `env` the
//! variables, the injected environment and the override rules; `source` where a value came
//! from; `convert` the kinds of value and stage one's converters; `reader` the table reader on
//! which keys are declared; `meetings` and `settings` what is produced; `validate` stage two's
//! checks; `keys` the declarations themselves.

mod convert;
mod env;
mod keys;
mod meetings;
mod problem;
mod reader;
mod settings;
mod source;
mod validate;

#[cfg(test)]
mod tests;

use std::path::Path;

use toml::de::DeTable;

pub use env::{
    CONFIG_PATH_VAR, DATABASE_URL_VAR, DEFAULT_DATABASE_URL, Env, LOG_VAR, MapEnv, OVERRIDE_PREFIX,
    ProcessEnv, SLACK_API_URL_VAR, SLACK_APP_TOKEN_VAR, SLACK_BOT_TOKEN_VAR,
    SLACK_DEPARTMENT_FIELD_VAR, SLACK_SIGNING_SECRET_VAR, SLACK_TEAM_ID_VAR, Secret, SlackSecrets,
    TEST_POSTGRES_URL_VAR,
};
pub use meetings::MeetingSettings;
pub use problem::{ConfigProblem, ProblemKind};
pub use settings::{Channels, ContractPeriod, Language, QuotaPeriod, QuotaRule, Roles, Settings};

use env::EnvOverrides;
use keys::read_settings;
use problem::Problems;
use reader::Reading;
use source::LineIndex;

/// Loads the settings from the file at `path` (none: defaults) and the environment, reporting
/// every problem found.
pub fn load_settings(path: Option<&Path>, env: &dyn Env) -> Result<Settings, Vec<ConfigProblem>> {
    let text = match path {
        None => String::new(),
        Some(path) => std::fs::read_to_string(path).map_err(|error| {
            vec![ConfigProblem {
                key: path.display().to_string(),
                line: None,
                kind: ProblemKind::FileUnreadable {
                    detail: error.to_string(),
                },
            }]
        })?,
    };
    parse_settings(&text, env)
}

/// Reads settings from the text of a configuration file and the environment, reporting every
/// problem found, in file order, then the environment's.
pub fn parse_settings(text: &str, env: &dyn Env) -> Result<Settings, Vec<ConfigProblem>> {
    // Editors on the city's Windows PCs may save a byte-order mark, which TOML does not allow.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = LineIndex::new(text);
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        // A tree recovered from broken syntax would only bury the real problem in noise.
        let problems = syntax_errors
            .iter()
            .map(|error| syntax_problem(error, &lines))
            .collect();
        return Err(in_reading_order(problems));
    }
    let mut reading = Reading::new(lines, EnvOverrides::collect(env));
    let settings = read_settings(Some(document.get_ref()), env, &mut reading);
    let problems = reading.into_problems();
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(in_reading_order(problems))
    }
}

/// A syntax error as a problem. The parser's message may span several lines, but a template
/// prints it inline, so it is folded onto one.
fn syntax_problem(error: &toml::de::Error, lines: &LineIndex) -> ConfigProblem {
    ConfigProblem {
        key: String::new(),
        line: error.span().map(|span| lines.line_of(span.start)),
        kind: ProblemKind::Syntax {
            detail: error
                .message()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        },
    }
}

/// File problems by line, then environment problems, so the list reads like the file.
fn in_reading_order(mut problems: Problems) -> Problems {
    problems.sort_by(|a, b| {
        (a.line.is_none(), a.line, &a.key).cmp(&(b.line.is_none(), b.line, &b.key))
    });
    problems
}
