//! The environment: the variables banso reads, the injected [`Env`] that reads them, secrets
//! that must never be printed, and the `BANSO_*` variables that override file keys.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use toml::Spanned;
use toml::de::DeValue;

use super::problem::{ConfigProblem, ProblemKind, Problems, closest};

/// Prefix of every variable that overrides a file key, e.g. `BANSO_CHANNELS__TEAM`.
pub const OVERRIDE_PREFIX: &str = "BANSO_";
/// Path of the configuration file; read by the command line, not an override.
pub const CONFIG_PATH_VAR: &str = "BANSO_CONFIG";
/// Database URL; environment only, because it differs per machine.
pub const DATABASE_URL_VAR: &str = "BANSO_DATABASE_URL";
/// Log filter; read by the logging setup, not an override.
pub const LOG_VAR: &str = "BANSO_LOG";
/// PostgreSQL URL for the store tests; not an override.
pub const TEST_POSTGRES_URL_VAR: &str = "BANSO_TEST_POSTGRES_URL";
/// Slack bot token (`xoxb-…`).
pub const SLACK_BOT_TOKEN_VAR: &str = "SLACK_BOT_TOKEN";
/// Slack app-level token for Socket Mode (`xapp-…`).
pub const SLACK_APP_TOKEN_VAR: &str = "SLACK_APP_TOKEN";
/// Slack signing secret for verifying requests.
pub const SLACK_SIGNING_SECRET_VAR: &str = "SLACK_SIGNING_SECRET";
/// Base URL of the Slack Web API, for pointing the bot at a test server.
pub const SLACK_API_URL_VAR: &str = "SLACK_API_URL";
/// The workspace (`T…`) banso serves; requests from any other are refused.
pub const SLACK_TEAM_ID_VAR: &str = "SLACK_TEAM_ID";
/// Where a person's department is in their Slack profile: `title`, or the
/// id (`Xf…`) of a custom profile field. Unset: people tell banso.
pub const SLACK_DEPARTMENT_FIELD_VAR: &str = "SLACK_DEPARTMENT_FIELD";
/// Database used when `BANSO_DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://banso.db?mode=rwc";

/// `BANSO_*` variables with a meaning of their own, so they are never taken as key overrides.
const RESERVED_VARS: [&str; 4] = [
    CONFIG_PATH_VAR,
    DATABASE_URL_VAR,
    LOG_VAR,
    TEST_POSTGRES_URL_VAR,
];

/// Read access to environment variables, injected so tests never touch the process environment.
pub trait Env {
    /// The value of one variable, if it is set.
    fn var(&self, name: &str) -> Option<String>;
    /// Every variable whose name starts with `prefix`, as `(name, value)` pairs.
    fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)>;
}

/// The environment of the running process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        // `std::env::vars` panics on any non-UTF-8 variable; skipping those is kinder.
        std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .filter(|(name, _)| name.starts_with(prefix))
            .collect()
    }
}

/// A fixed set of variables, for tests and tools.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapEnv(pub BTreeMap<String, String>);

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for MapEnv {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        )
    }
}

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    }
}

/// A credential from the environment. It has no `Display` and no `Serialize`, and `Debug` prints
/// a placeholder, so it cannot reach a log line, a template or a Slack message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself; call only where it is sent to Slack.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret([redacted])")
    }
}

/// Slack credentials and endpoint, all from the environment. Each is optional here because the
/// console mode runs without Slack; the Slack mode checks for the ones it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlackSecrets {
    /// `SLACK_BOT_TOKEN`.
    pub bot_token: Option<Secret>,
    /// `SLACK_APP_TOKEN`.
    pub app_token: Option<Secret>,
    /// `SLACK_SIGNING_SECRET`.
    pub signing_secret: Option<Secret>,
    /// `SLACK_API_URL`; `None` means Slack's own.
    pub api_url: Option<String>,
    /// `SLACK_TEAM_ID`; `None` accepts the workspace the signing secret
    /// belongs to without a further check.
    pub team_id: Option<String>,
    /// `SLACK_DEPARTMENT_FIELD`: `title` or a custom field id (`Xf…`);
    /// `None` leaves the department to the person.
    pub department_field: Option<String>,
}

/// The `BANSO_*` override variables. Which of them are known is up to the schema: the
/// variables of the keys it declares (see `Reading::into_problems`); the rest are reported.
pub(super) struct EnvOverrides {
    vars: BTreeMap<String, String>,
}

impl EnvOverrides {
    /// The override variables in `env`, without the reserved ones.
    pub(super) fn collect(env: &dyn Env) -> Self {
        let vars = env
            .vars_with_prefix(OVERRIDE_PREFIX)
            .into_iter()
            .filter(|(name, _)| !RESERVED_VARS.contains(&name.as_str()))
            .collect();
        Self { vars }
    }

    /// The value of `var`, if set.
    pub(super) fn value(&self, var: &str) -> Option<String> {
        self.vars.get(var).cloned()
    }

    /// Lower-cased names of the tables below `path` that some override names, so that e.g.
    /// `BANSO_QUOTA__TRAINING__LIMIT` works without a `[quota.training]` table in the file.
    pub(super) fn tables_named_below(&self, path: &str) -> Vec<String> {
        let prefix = format!("{}__", override_var(path));
        self.vars
            .keys()
            .filter_map(|var| var.strip_prefix(&prefix)?.split_once("__"))
            .map(|(name, _)| name)
            .filter(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            })
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// A problem for each variable that is not one of `known`: a secret where it does not
    /// belong, or a misspelt key with the nearest known variable suggested.
    pub(super) fn unknown_var_problems(&self, known: &BTreeSet<String>) -> Problems {
        let unknown = self.vars.iter().filter(|(var, _)| !known.contains(*var));
        unknown
            .map(|(var, value)| {
                let secret = secret_var_for_name(var).or_else(|| secret_var_for_value(value));
                let kind = match secret {
                    Some(env_var) => ProblemKind::SecretInFile { env_var },
                    None => ProblemKind::UnknownKey {
                        suggestion: closest(var, known.iter().map(String::as_str))
                            .map(str::to_owned),
                    },
                };
                ConfigProblem {
                    key: var.clone(),
                    line: None,
                    kind,
                }
            })
            .collect()
    }
}

/// The override variable for a dotted key: `meetings.regular.rule` → `BANSO_MEETINGS__REGULAR__RULE`.
pub(super) fn override_var(dotted_key: &str) -> String {
    let path = dotted_key.replace('.', "__").to_ascii_uppercase();
    format!("{OVERRIDE_PREFIX}{path}")
}

/// An override is a TOML value when it parses as one (`12`, `true`, `["a", "b"]`), else plain
/// text. A key that wants text takes the raw text whenever TOML would read something else, so
/// `BANSO_CHANNELS__TEAM=123` is the channel `"123"`, not a wrong type.
pub(super) fn parse_override(text: &str, wants_text: bool) -> Spanned<DeValue<'_>> {
    match DeValue::parse(text) {
        Ok(value) if !wants_text || value.get_ref().is_str() => value,
        _ => Spanned::new(0..text.len(), DeValue::String(Cow::Borrowed(text))),
    }
}

/// The variable a secret-looking key name belongs in, if the name looks like a secret.
pub(super) fn secret_var_for_name(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    if name.contains("secret") || name.contains("signing") {
        Some(SLACK_SIGNING_SECRET_VAR)
    } else if name.contains("token") && name.contains("app") {
        Some(SLACK_APP_TOKEN_VAR)
    } else if name.contains("token") {
        Some(SLACK_BOT_TOKEN_VAR)
    } else {
        None
    }
}

/// The variable a value with Slack's credential prefix belongs in: such a value is a secret
/// whatever key it was put under.
pub(super) fn secret_var_for_value(value: &str) -> Option<&'static str> {
    let value = value.trim_start();
    if value.starts_with("xapp-") {
        Some(SLACK_APP_TOKEN_VAR)
    } else if ["xoxb-", "xoxp-", "xoxa-", "xoxe-"]
        .iter()
        .any(|prefix| value.starts_with(prefix))
    {
        Some(SLACK_BOT_TOKEN_VAR)
    } else {
        None
    }
}

impl SlackSecrets {
    /// The Slack variables of `env`.
    pub(super) fn from_env(env: &dyn Env) -> Self {
        Self {
            bot_token: env_text(env, SLACK_BOT_TOKEN_VAR).map(Secret::new),
            app_token: env_text(env, SLACK_APP_TOKEN_VAR).map(Secret::new),
            signing_secret: env_text(env, SLACK_SIGNING_SECRET_VAR).map(Secret::new),
            api_url: env_text(env, SLACK_API_URL_VAR),
            team_id: env_text(env, SLACK_TEAM_ID_VAR),
            department_field: env_text(env, SLACK_DEPARTMENT_FIELD_VAR),
        }
    }
}

/// `BANSO_DATABASE_URL`, else the SQLite file.
pub(super) fn database_url(env: &dyn Env) -> String {
    env_text(env, DATABASE_URL_VAR).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// A variable's value; an empty one counts as unset, as most shells and `.env` files mean it.
fn env_text(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name).filter(|value| !value.is_empty())
}
