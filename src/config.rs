//! Configuration: `banso.toml` plus the environment, checked once into one [`Settings`].
//!
//! Loading runs in two stages, like ripgrep's `LowArgs` → `HiArgs`:
//!
//! 1. **Raw** (`RawSettings`): the file is parsed into a spanned TOML tree and read against the
//!    schema, with `BANSO_*` overrides taking the place of file values. Every raw value keeps
//!    where it came from (file line or variable name). Syntax errors, unknown keys, wrong types
//!    and secrets written into the file are found here.
//! 2. **Validated** ([`Settings`]): each raw value is given its meaning (times, dates, rules,
//!    limits) and the documented defaults fill the gaps. Values without a meaning are found here.
//!
//! Neither stage stops at the first problem, so an operator fixing the file sees every problem in
//! one run. Problems are data ([`ConfigProblem`]); their sentences live in the prompt templates,
//! in Japanese and English. Secrets come only from the environment, as [`Secret`]s that cannot be
//! printed. The environment is read only through an injected [`Env`], so tests never touch the
//! process environment.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::Serialize;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

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
/// Database used when `BANSO_DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://banso.db?mode=rwc";

/// `BANSO_*` variables with a meaning of their own, so they are never taken as key overrides.
const RESERVED_VARS: [&str; 4] = [
    CONFIG_PATH_VAR,
    DATABASE_URL_VAR,
    LOG_VAR,
    TEST_POSTGRES_URL_VAR,
];

/// Work kinds the contract names. A quota kind one or two letters off one of these is almost
/// certainly a typo, and silently creating a second quota for it would hide the mistake.
const KNOWN_WORK_KINDS: [&str; 6] = [
    "consultation",
    "procurement_review",
    "site_audit",
    "cloud_evaluation",
    "training",
    "audit_item",
];

/// Keys of one `calendar.extra_closed` entry.
const CLOSED_DAY_KEYS: [&str; 2] = ["date", "reason"];

// ---------------------------------------------------------------------------------------------
// Environment access
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

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
}

// ---------------------------------------------------------------------------------------------
// Validated settings
// ---------------------------------------------------------------------------------------------

/// Everything the bot is configured with, checked. Built by [`load_settings`] or
/// [`parse_settings`] and passed explicitly to whatever needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Which `prompts/` set every text comes from.
    pub language: Language,
    /// Folder whose templates override the built-in ones, as written (relative to the working
    /// directory when relative).
    pub prompts_dir: Option<PathBuf>,
    /// `None` means the fiscal year containing today; see [`Settings::contract_period`].
    pub contract: Option<ContractPeriod>,
    /// Adjustments to the open-day calendar.
    pub calendar: CalendarSettings,
    /// Who plays which part.
    pub roles: Roles,
    /// Where the bot posts.
    pub channels: Channels,
    /// Quota per work kind; always has `"consultation"`.
    pub quotas: BTreeMap<String, QuotaRule>,
    /// Meeting schedule and deliverables.
    pub meetings: MeetingSettings,
    /// When reminders are posted.
    pub reminders: ReminderSettings,
    /// From `BANSO_DATABASE_URL`.
    pub database_url: String,
    /// From the `SLACK_*` variables.
    pub slack: SlackSecrets,
}

impl Settings {
    /// The contract period in force: the configured one, else the fiscal year containing `today`.
    pub fn contract_period(&self, today: NaiveDate) -> ContractPeriod {
        self.contract
            .unwrap_or_else(|| ContractPeriod::fiscal_year_containing(today))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::default(),
            prompts_dir: None,
            contract: None,
            calendar: CalendarSettings::default(),
            roles: Roles::default(),
            channels: Channels::default(),
            quotas: BTreeMap::from([("consultation".to_owned(), QuotaRule::default())]),
            meetings: MeetingSettings::default(),
            reminders: ReminderSettings::default(),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            slack: SlackSecrets::default(),
        }
    }
}

/// Language of the prompt set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Japanese, the city's working language.
    #[default]
    Ja,
    /// English.
    En,
}

impl Language {
    /// The code used in the file and as the `prompts/` folder name.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }

    /// The language for a code, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ja" => Some(Language::Ja),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// The contract period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContractPeriod {
    /// First day of the contract.
    pub start: NaiveDate,
    /// Last day of the contract.
    pub end: NaiveDate,
}

impl ContractPeriod {
    /// The Japanese fiscal year (April 1 to March 31) that contains `date`.
    pub fn fiscal_year_containing(date: NaiveDate) -> Self {
        let year = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        Self {
            start: calendar_date(year, 4, 1),
            end: calendar_date(year + 1, 3, 31),
        }
    }

    /// Whether `date` falls within the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start..=self.end).contains(&date)
    }
}

/// Adjustments to which days the city office is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSettings {
    /// Whether December 29 to January 3 is closed.
    pub year_end_closure: bool,
    /// Extra closed days with their reason, sorted by date.
    pub extra_closed: Vec<(NaiveDate, String)>,
    /// Days open although they would be closed, sorted.
    pub extra_open: Vec<NaiveDate>,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        Self {
            year_end_closure: true,
            extra_closed: Vec::new(),
            extra_open: Vec::new(),
        }
    }
}

/// Slack user ids (`U…`) or console names for each role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    /// Project manager.
    pub project_manager: Vec<String>,
    /// Project leader.
    pub project_leader: Vec<String>,
    /// The city's coordinators (情報化推進室).
    pub coordinators: Vec<String>,
    /// Consultants who answer consultations.
    pub consultants: Vec<String>,
}

impl Default for Roles {
    fn default() -> Self {
        Self {
            project_manager: owned_strings(&["pm"]),
            project_leader: owned_strings(&["leader"]),
            coordinators: owned_strings(&["coord"]),
            consultants: owned_strings(&["consultant"]),
        }
    }
}

/// Channels the bot posts to, by name (`#…`) or id (`C…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    /// Private channel for consultations, decisions and escalations.
    pub team: String,
    /// Channel for meeting notices and deliverable reminders.
    pub meetings: String,
}

impl Default for Channels {
    fn default() -> Self {
        Self {
            team: "#banso-team".to_owned(),
            meetings: "#banso".to_owned(),
        }
    }
}

/// How much of one kind of work the contract allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRule {
    /// Items allowed per period.
    pub limit: u32,
    /// What the limit is counted over.
    pub period: QuotaPeriod,
    /// Counts at which the team is warned; sorted, without duplicates, each in `1..=limit`.
    pub alert_at: Vec<u32>,
}

impl Default for QuotaRule {
    /// The consultation quota: ten a month, warned at eight and ten.
    fn default() -> Self {
        Self {
            limit: 10,
            period: QuotaPeriod::Month,
            alert_at: default_alert_points(10),
        }
    }
}

/// What a quota limit is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaPeriod {
    /// Each calendar month.
    Month,
    /// The whole contract period.
    Contract,
}

impl QuotaPeriod {
    /// The code used in the file.
    pub fn code(self) -> &'static str {
        match self {
            QuotaPeriod::Month => "month",
            QuotaPeriod::Contract => "contract",
        }
    }

    /// The period for a code, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "month" => Some(QuotaPeriod::Month),
            "contract" => Some(QuotaPeriod::Contract),
            _ => None,
        }
    }
}

/// A weekday in a given week of every month, such as the second Tuesday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonthlyRule {
    /// Which occurrence in the month.
    pub nth: NthWeek,
    /// Monday to Friday; meetings are never on weekends.
    pub weekday: Weekday,
}

/// Which occurrence of a weekday in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NthWeek {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth.
    Fourth,
    /// The last, which may be the fourth or the fifth.
    Last,
}

impl MonthlyRule {
    /// Reads `"2nd tue"` (also `"second tuesday"`, `"last fri"`) or Japanese such as `"第2火曜"`,
    /// `"第２火曜日"` or `"最終金曜"`. Weekends are refused.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        parse_english_rule(text).or_else(|| parse_japanese_rule(text))
    }
}

/// What to do when a meeting falls on a closed day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnClosedDay {
    /// Move it to the next open day.
    NextOpenDay,
    /// Move it to the previous open day.
    PreviousOpenDay,
    /// Hold no meeting that time.
    Skip,
}

impl OnClosedDay {
    /// The code used in the file.
    pub fn code(self) -> &'static str {
        match self {
            OnClosedDay::NextOpenDay => "next_open_day",
            OnClosedDay::PreviousOpenDay => "previous_open_day",
            OnClosedDay::Skip => "skip",
        }
    }

    /// The choice for a code, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "next_open_day" => Some(OnClosedDay::NextOpenDay),
            "previous_open_day" => Some(OnClosedDay::PreviousOpenDay),
            "skip" => Some(OnClosedDay::Skip),
            _ => None,
        }
    }
}

/// The three kinds of meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingSettings {
    /// The monthly regular meeting (定例会).
    pub regular: RegularMeetingSettings,
    /// The biweekly meeting.
    pub biweekly: BiweeklyMeetingSettings,
    /// The one kickoff meeting.
    pub kickoff: KickoffSettings,
}

/// The monthly regular meeting and the deliverables due before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularMeetingSettings {
    /// Which day of the month.
    pub rule: MonthlyRule,
    /// Start time.
    pub time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// What to do when the day is closed.
    pub on_closed_day: OnClosedDay,
    /// Deliverables are due this many open days before the meeting.
    pub deadline_open_days_before: u32,
    /// Deliverables due before each meeting.
    pub deliverables: Vec<String>,
}

impl Default for RegularMeetingSettings {
    fn default() -> Self {
        Self {
            rule: MonthlyRule {
                nth: NthWeek::Second,
                weekday: Weekday::Tue,
            },
            time: clock(10, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            deadline_open_days_before: 2,
            deliverables: owned_strings(&[
                "会議次第",
                "進捗状況報告書",
                "課題管理表",
                "概要スケジュール",
            ]),
        }
    }
}

/// The meeting held every other week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiweeklyMeetingSettings {
    /// Date of the first meeting; `None` means the first Thursday on or after the contract start.
    pub anchor: Option<NaiveDate>,
    /// Start time.
    pub time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// What to do when the day is closed.
    pub on_closed_day: OnClosedDay,
    /// Web-meeting link, if any.
    pub url: Option<String>,
}

impl Default for BiweeklyMeetingSettings {
    fn default() -> Self {
        Self {
            anchor: None,
            time: clock(14, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            url: None,
        }
    }
}

/// The kickoff meeting, if one is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KickoffSettings {
    /// Its date; `None` means no kickoff.
    pub date: Option<NaiveDate>,
    /// Start time.
    pub time: NaiveTime,
    /// Deliverables due before it.
    pub deliverables: Vec<String>,
}

impl Default for KickoffSettings {
    fn default() -> Self {
        Self {
            date: None,
            time: clock(10, 0),
            deliverables: owned_strings(&["実施計画書"]),
        }
    }
}

/// When reminders are posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Two open days before a deliverable deadline.
    pub heads_up: NaiveTime,
    /// On the deadline day.
    pub due: NaiveTime,
    /// On the deadline day, if deliverables are missing.
    pub escalation: NaiveTime,
    /// On the day of a meeting.
    pub meeting_day: NaiveTime,
    /// On the open day before a biweekly meeting.
    pub biweekly_previous_day: NaiveTime,
    /// This many minutes before a biweekly meeting.
    pub biweekly_before_minutes: u32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            heads_up: clock(9, 0),
            due: clock(9, 0),
            escalation: clock(15, 0),
            meeting_day: clock(9, 0),
            biweekly_previous_day: clock(17, 0),
            biweekly_before_minutes: 60,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

/// One thing wrong with the configuration. It is data, not a sentence: the prompt templates turn
/// it into Japanese or English. Serialized flat, e.g.
/// `{"key": "language", "line": 1, "kind": "invalid_value", "value": "fr", "expected": "ja or en"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigProblem {
    /// Dotted key path (`quota.consultation.limit`, `calendar.extra_closed[0].date`), the
    /// variable name for a problem from the environment, the path for an unreadable file, or
    /// empty for a syntax error.
    pub key: String,
    /// 1-based line in the file; `None` for the environment.
    pub line: Option<usize>,
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ProblemKind,
}

/// What is wrong, with what a template needs to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// The file is not valid TOML; `detail` is the parser's one-line message.
    Syntax { detail: String },
    /// No such key; `suggestion` is the closest known key, if one is close.
    UnknownKey { suggestion: Option<String> },
    /// The value has the wrong TOML type, e.g. `"string"`, `"integer"`, `"table"`.
    WrongType { expected: &'static str },
    /// The value has the right type but no meaning, e.g. expected `"HH:MM"`.
    InvalidValue {
        value: String,
        expected: &'static str,
    },
    /// A credential was written into the file; it belongs in `env_var`.
    SecretInFile { env_var: &'static str },
    /// The file could not be read; `detail` is the system's message.
    FileUnreadable { detail: String },
}

type Problems = Vec<ConfigProblem>;

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

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
    let mut reading = Reading {
        lines,
        env: EnvOverrides::collect(env),
        problems: Vec::new(),
    };
    let raw = read_raw_settings(document.get_ref(), &mut reading);
    let mut problems = reading.problems;
    problems.extend(reading.env.unconsulted_problems());
    let settings = validate_settings(&raw, env, &mut problems);
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(in_reading_order(problems))
    }
}

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

// ---------------------------------------------------------------------------------------------
// Stage one: raw values, each remembering where it came from
// ---------------------------------------------------------------------------------------------

/// Where a raw value came from, so a problem can point back at it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    File { line: usize },
    Env { var: String },
}

impl Origin {
    fn problem(&self, key: &str, kind: ProblemKind) -> ConfigProblem {
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

/// A raw value with the dotted key it was read under and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sourced<T> {
    value: T,
    key: String,
    origin: Origin,
}

impl<T: ToString> Sourced<T> {
    fn invalid(&self, expected: &'static str) -> ConfigProblem {
        let kind = ProblemKind::InvalidValue {
            value: self.value.to_string(),
            expected,
        };
        self.origin.problem(&self.key, kind)
    }
}

type RawText = Option<Sourced<String>>;
type RawInteger = Option<Sourced<i64>>;
type RawTexts = Option<Vec<Sourced<String>>>;

/// The file and overrides read against the schema: right types, meaning not yet checked.
#[derive(Debug, Default)]
struct RawSettings {
    language: RawText,
    prompts_dir: RawText,
    contract: RawContract,
    calendar: RawCalendar,
    roles: RawRoles,
    channels: RawChannels,
    quotas: BTreeMap<String, RawQuota>,
    meetings: RawMeetings,
    reminders: RawReminders,
}

#[derive(Debug, Default)]
struct RawContract {
    start: RawText,
    end: RawText,
}

#[derive(Debug, Default)]
struct RawCalendar {
    year_end_closure: Option<Sourced<bool>>,
    extra_closed: Option<Vec<RawClosedDay>>,
    extra_open: RawTexts,
}

#[derive(Debug, Default)]
struct RawClosedDay {
    date: RawText,
    reason: RawText,
}

#[derive(Debug, Default)]
struct RawRoles {
    project_manager: RawTexts,
    project_leader: RawTexts,
    coordinators: RawTexts,
    consultants: RawTexts,
}

#[derive(Debug, Default)]
struct RawChannels {
    team: RawText,
    meetings: RawText,
}

#[derive(Debug, Default)]
struct RawQuota {
    limit: RawInteger,
    period: RawText,
    alert_at: Option<Vec<Sourced<i64>>>,
}

#[derive(Debug, Default)]
struct RawMeetings {
    regular: RawRegularMeeting,
    biweekly: RawBiweeklyMeeting,
    kickoff: RawKickoff,
}

#[derive(Debug, Default)]
struct RawRegularMeeting {
    rule: RawText,
    time: RawText,
    duration_minutes: RawInteger,
    on_closed_day: RawText,
    deadline_open_days_before: RawInteger,
    deliverables: RawTexts,
}

#[derive(Debug, Default)]
struct RawBiweeklyMeeting {
    anchor: RawText,
    time: RawText,
    duration_minutes: RawInteger,
    on_closed_day: RawText,
    url: RawText,
}

#[derive(Debug, Default)]
struct RawKickoff {
    date: RawText,
    time: RawText,
    deliverables: RawTexts,
}

#[derive(Debug, Default)]
struct RawReminders {
    heads_up: RawText,
    due: RawText,
    escalation: RawText,
    meeting_day: RawText,
    biweekly_previous_day: RawText,
    biweekly_before_minutes: RawInteger,
}

/// Byte offset to 1-based line number.
struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(newline, _)| newline + 1));
        Self { line_starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }
}

/// How to tell where a value in a TOML tree came from: the file's lines, or one variable
/// (whose value was parsed as a tree of its own).
#[derive(Clone, Copy)]
enum Locator<'a> {
    File(&'a LineIndex),
    Env(&'a str),
}

impl Locator<'_> {
    fn origin(self, span: Range<usize>) -> Origin {
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
struct At<'a> {
    key: &'a str,
    locator: Locator<'a>,
}

impl At<'_> {
    fn sourced<T>(self, value: T, span: Range<usize>) -> Sourced<T> {
        Sourced {
            value,
            key: self.key.to_owned(),
            origin: self.locator.origin(span),
        }
    }

    fn problem(self, span: Range<usize>, kind: ProblemKind) -> ConfigProblem {
        self.locator.origin(span).problem(self.key, kind)
    }
}

/// Turns one TOML value into a raw value, reporting a wrong type instead.
type Converter<T> = fn(&Spanned<DeValue<'_>>, At<'_>, &mut Problems) -> Option<T>;

/// State shared while reading stage one.
struct Reading {
    lines: LineIndex,
    env: EnvOverrides,
    problems: Problems,
}

/// The `BANSO_*` override variables, and which of them the schema asked for; the rest are
/// unknown and get reported.
struct EnvOverrides {
    vars: BTreeMap<String, String>,
    consulted: BTreeSet<String>,
}

impl EnvOverrides {
    fn collect(env: &dyn Env) -> Self {
        let vars = env
            .vars_with_prefix(OVERRIDE_PREFIX)
            .into_iter()
            .filter(|(name, _)| !RESERVED_VARS.contains(&name.as_str()))
            .collect();
        Self {
            vars,
            consulted: BTreeSet::new(),
        }
    }

    fn consult(&mut self, var: &str) -> Option<String> {
        self.consulted.insert(var.to_owned());
        self.vars.get(var).cloned()
    }

    /// Lower-cased names of the tables below `path` that some override names, so that e.g.
    /// `BANSO_QUOTA__TRAINING__LIMIT` works without a `[quota.training]` table in the file.
    fn tables_named_below(&self, path: &str) -> Vec<String> {
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

    fn unconsulted_problems(&self) -> Problems {
        let unknown = self
            .vars
            .iter()
            .filter(|(var, _)| !self.consulted.contains(*var));
        unknown
            .map(|(var, value)| {
                let secret = secret_var_for_name(var).or_else(|| secret_var_for_value(value));
                let kind = match secret {
                    Some(env_var) => ProblemKind::SecretInFile { env_var },
                    None => ProblemKind::UnknownKey {
                        suggestion: closest(var, self.consulted.iter().map(String::as_str))
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
fn override_var(dotted_key: &str) -> String {
    let path = dotted_key.replace('.', "__").to_ascii_uppercase();
    format!("{OVERRIDE_PREFIX}{path}")
}

fn join_key(parent: &str, key: &str) -> String {
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
struct TableReader<'a, 'i> {
    path: String,
    table: Option<&'a DeTable<'i>>,
    asked: Vec<&'static str>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    fn new(path: String, table: Option<&'a DeTable<'i>>) -> Self {
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

    fn text(&mut self, key: &'static str, reading: &mut Reading) -> RawText {
        self.read(key, reading, true, to_text)
    }

    /// A date or time: a string, or TOML's own `2024-04-01` / `10:00`.
    fn temporal(&mut self, key: &'static str, reading: &mut Reading) -> RawText {
        self.read(key, reading, true, to_temporal)
    }

    fn integer(&mut self, key: &'static str, reading: &mut Reading) -> RawInteger {
        self.read(key, reading, false, to_integer)
    }

    fn boolean(&mut self, key: &'static str, reading: &mut Reading) -> Option<Sourced<bool>> {
        self.read(key, reading, false, to_boolean)
    }

    fn texts(&mut self, key: &'static str, reading: &mut Reading) -> RawTexts {
        self.read(key, reading, false, to_texts)
    }

    fn temporals(&mut self, key: &'static str, reading: &mut Reading) -> RawTexts {
        self.read(key, reading, false, to_temporals)
    }

    fn integers(&mut self, key: &'static str, reading: &mut Reading) -> Option<Vec<Sourced<i64>>> {
        self.read(key, reading, false, to_integers)
    }

    fn closed_days(
        &mut self,
        key: &'static str,
        reading: &mut Reading,
    ) -> Option<Vec<RawClosedDay>> {
        self.read(key, reading, false, to_closed_days)
    }

    /// The reader for a sub-table; a file value that is not a table is reported and read as
    /// absent, so its own keys still take their defaults and overrides.
    fn table(&mut self, key: &'static str, reading: &mut Reading) -> TableReader<'a, 'i> {
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
    fn finish(self, reading: &mut Reading) {
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

/// An override is a TOML value when it parses as one (`12`, `true`, `["a", "b"]`), else plain
/// text. A key that wants text takes the raw text whenever TOML would read something else, so
/// `BANSO_CHANNELS__TEAM=123` is the channel `"123"`, not a wrong type.
fn parse_override(text: &str, wants_text: bool) -> Spanned<DeValue<'_>> {
    match DeValue::parse(text) {
        Ok(value) if !wants_text || value.get_ref().is_str() => value,
        _ => Spanned::new(0..text.len(), DeValue::String(Cow::Borrowed(text))),
    }
}

fn to_text(value: &Spanned<DeValue<'_>>, at: At<'_>, problems: &mut Problems) -> RawText {
    text_or_datetime(value, at, problems, false)
}

fn to_temporal(value: &Spanned<DeValue<'_>>, at: At<'_>, problems: &mut Problems) -> RawText {
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

fn to_integer(value: &Spanned<DeValue<'_>>, at: At<'_>, problems: &mut Problems) -> RawInteger {
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

fn to_boolean(
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

fn to_texts(value: &Spanned<DeValue<'_>>, at: At<'_>, problems: &mut Problems) -> RawTexts {
    to_list(value, at, problems, "array of strings", to_text)
}

fn to_temporals(value: &Spanned<DeValue<'_>>, at: At<'_>, problems: &mut Problems) -> RawTexts {
    to_list(value, at, problems, "array of strings", to_temporal)
}

fn to_integers(
    value: &Spanned<DeValue<'_>>,
    at: At<'_>,
    problems: &mut Problems,
) -> Option<Vec<Sourced<i64>>> {
    to_list(value, at, problems, "array of integers", to_integer)
}

fn to_closed_days(
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

/// Problems for a key the schema does not have: a secret put in the file, or an unknown key
/// with the closest known one suggested and any secrets inside it.
fn unexpected_key_problems(
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

/// The variable a secret-looking key name belongs in, if the name looks like a secret.
fn secret_var_for_name(name: &str) -> Option<&'static str> {
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
fn secret_var_for_value(value: &str) -> Option<&'static str> {
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

/// The candidate nearest to `word` by edit distance, if it is within two edits.
fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

// --- The schema ---------------------------------------------------------------------------

fn read_raw_settings(document: &DeTable<'_>, reading: &mut Reading) -> RawSettings {
    let mut root = TableReader::new(String::new(), Some(document));
    let raw = RawSettings {
        language: root.text("language", reading),
        prompts_dir: root.text("prompts_dir", reading),
        contract: read_contract(root.table("contract", reading), reading),
        calendar: read_calendar(root.table("calendar", reading), reading),
        roles: read_roles(root.table("roles", reading), reading),
        channels: read_channels(root.table("channels", reading), reading),
        quotas: read_quotas(root.table("quota", reading), reading),
        meetings: read_meetings(root.table("meetings", reading), reading),
        reminders: read_reminders(root.table("reminders", reading), reading),
    };
    root.finish(reading);
    raw
}

fn read_contract(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawContract {
    let raw = RawContract {
        start: table.temporal("start", reading),
        end: table.temporal("end", reading),
    };
    table.finish(reading);
    raw
}

fn read_calendar(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawCalendar {
    let raw = RawCalendar {
        year_end_closure: table.boolean("year_end_closure", reading),
        extra_closed: table.closed_days("extra_closed", reading),
        extra_open: table.temporals("extra_open", reading),
    };
    table.finish(reading);
    raw
}

fn read_roles(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawRoles {
    let raw = RawRoles {
        project_manager: table.texts("project_manager", reading),
        project_leader: table.texts("project_leader", reading),
        coordinators: table.texts("coordinators", reading),
        consultants: table.texts("consultants", reading),
    };
    table.finish(reading);
    raw
}

fn read_channels(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawChannels {
    let raw = RawChannels {
        team: table.text("team", reading),
        meetings: table.text("meetings", reading),
    };
    table.finish(reading);
    raw
}

/// `[quota.<kind>]`: `consultation` always, plus every kind named in the file or an override.
/// Every key of `[quota]` is a kind name, so only badly formed or misspelt names are reported.
fn read_quotas<'a, 'i>(
    quota: TableReader<'a, 'i>,
    reading: &mut Reading,
) -> BTreeMap<String, RawQuota> {
    let mut kinds: BTreeMap<String, Option<&'a DeTable<'i>>> =
        BTreeMap::from([("consultation".to_owned(), None)]);
    for kind in reading.env.tables_named_below(&quota.path) {
        // A misspelt kind stays unconsulted, so its variables are reported with the fix.
        if matches!(classify_kind(&kind), KindName::Known | KindName::New) {
            kinds.entry(kind).or_insert(None);
        }
    }
    for (name, value) in quota.table.into_iter().flatten() {
        if let Some(table) = quota_kind_table(&quota.path, name, value, reading) {
            kinds.insert(name.get_ref().to_string(), Some(table));
        }
    }
    let mut quotas = BTreeMap::new();
    for (kind, table) in kinds {
        let reader = TableReader::new(join_key(&quota.path, &kind), table);
        quotas.insert(kind, read_quota(reader, reading));
    }
    quotas
}

enum KindName {
    Known,
    New,
    Misspelt(&'static str),
    Malformed,
}

fn classify_kind(name: &str) -> KindName {
    if KNOWN_WORK_KINDS.contains(&name) {
        KindName::Known
    } else if let Some(known) = closest(name, KNOWN_WORK_KINDS) {
        KindName::Misspelt(known)
    } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        KindName::New
    } else {
        KindName::Malformed
    }
}

/// The table of one `[quota.<kind>]`, or `None` after reporting why it cannot be one.
fn quota_kind_table<'a, 'i>(
    parent: &str,
    name: &Spanned<DeString<'i>>,
    value: &'a Spanned<DeValue<'i>>,
    reading: &mut Reading,
) -> Option<&'a DeTable<'i>> {
    let key = join_key(parent, name.get_ref());
    let origin = Locator::File(&reading.lines).origin(name.span());
    let kind = match classify_kind(name.get_ref()) {
        KindName::Known | KindName::New => match value.get_ref() {
            DeValue::Table(table) => return Some(table),
            _ => ProblemKind::WrongType { expected: "table" },
        },
        KindName::Misspelt(known) => ProblemKind::UnknownKey {
            suggestion: Some(join_key(parent, known)),
        },
        KindName::Malformed => ProblemKind::InvalidValue {
            value: name.get_ref().to_string(),
            expected: "kind name of a-z and _",
        },
    };
    reading.problems.push(origin.problem(&key, kind));
    None
}

fn read_quota(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawQuota {
    let raw = RawQuota {
        limit: table.integer("limit", reading),
        period: table.text("period", reading),
        alert_at: table.integers("alert_at", reading),
    };
    table.finish(reading);
    raw
}

fn read_meetings(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawMeetings {
    let raw = RawMeetings {
        regular: read_regular_meeting(table.table("regular", reading), reading),
        biweekly: read_biweekly_meeting(table.table("biweekly", reading), reading),
        kickoff: read_kickoff(table.table("kickoff", reading), reading),
    };
    table.finish(reading);
    raw
}

fn read_regular_meeting(
    mut table: TableReader<'_, '_>,
    reading: &mut Reading,
) -> RawRegularMeeting {
    let raw = RawRegularMeeting {
        rule: table.text("rule", reading),
        time: table.temporal("time", reading),
        duration_minutes: table.integer("duration_minutes", reading),
        on_closed_day: table.text("on_closed_day", reading),
        deadline_open_days_before: table.integer("deadline_open_days_before", reading),
        deliverables: table.texts("deliverables", reading),
    };
    table.finish(reading);
    raw
}

fn read_biweekly_meeting(
    mut table: TableReader<'_, '_>,
    reading: &mut Reading,
) -> RawBiweeklyMeeting {
    let raw = RawBiweeklyMeeting {
        anchor: table.temporal("anchor", reading),
        time: table.temporal("time", reading),
        duration_minutes: table.integer("duration_minutes", reading),
        on_closed_day: table.text("on_closed_day", reading),
        url: table.text("url", reading),
    };
    table.finish(reading);
    raw
}

fn read_kickoff(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawKickoff {
    let raw = RawKickoff {
        date: table.temporal("date", reading),
        time: table.temporal("time", reading),
        deliverables: table.texts("deliverables", reading),
    };
    table.finish(reading);
    raw
}

fn read_reminders(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawReminders {
    let raw = RawReminders {
        heads_up: table.temporal("heads_up", reading),
        due: table.temporal("due", reading),
        escalation: table.temporal("escalation", reading),
        meeting_day: table.temporal("meeting_day", reading),
        biweekly_previous_day: table.temporal("biweekly_previous_day", reading),
        biweekly_before_minutes: table.integer("biweekly_before_minutes", reading),
    };
    table.finish(reading);
    raw
}

// ---------------------------------------------------------------------------------------------
// Stage two: meaning and defaults
// ---------------------------------------------------------------------------------------------

fn validate_settings(raw: &RawSettings, env: &dyn Env, problems: &mut Problems) -> Settings {
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
            .map(|(kind, quota)| (kind.clone(), validate_quota(quota, problems)))
            .collect(),
        meetings: validate_meetings(&raw.meetings, defaults.meetings, problems),
        reminders: validate_reminders(&raw.reminders, defaults.reminders, problems),
        database_url: env_text(env, DATABASE_URL_VAR).unwrap_or(defaults.database_url),
        slack: SlackSecrets {
            bot_token: env_text(env, SLACK_BOT_TOKEN_VAR).map(Secret),
            app_token: env_text(env, SLACK_APP_TOKEN_VAR).map(Secret),
            signing_secret: env_text(env, SLACK_SIGNING_SECRET_VAR).map(Secret),
            api_url: env_text(env, SLACK_API_URL_VAR),
        },
    }
}

/// A variable's value; an empty one counts as unset, as most shells and `.env` files mean it.
fn env_text(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name).filter(|value| !value.is_empty())
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

fn validate_quota(raw: &RawQuota, problems: &mut Problems) -> QuotaRule {
    let defaults = QuotaRule::default();
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

/// Two before the limit and at the limit: `[8, 10]` for the default of ten.
fn default_alert_points(limit: u32) -> Vec<u32> {
    let early = limit.checked_sub(2).filter(|early| *early >= 1);
    early.into_iter().chain([limit]).collect()
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

// --- Monthly rules ------------------------------------------------------------------------

/// `"2nd tue"`, `"second tuesday"`, `"last fri"`; any letter case.
fn parse_english_rule(text: &str) -> Option<MonthlyRule> {
    let lower = text.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    let (nth, weekday) = (words.next()?, words.next()?);
    if words.next().is_some() {
        return None;
    }
    let nth = match nth {
        "1st" | "first" => NthWeek::First,
        "2nd" | "second" => NthWeek::Second,
        "3rd" | "third" => NthWeek::Third,
        "4th" | "fourth" => NthWeek::Fourth,
        "last" => NthWeek::Last,
        _ => return None,
    };
    let weekday = match weekday {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        _ => return None,
    };
    Some(MonthlyRule { nth, weekday })
}

/// `"第2火曜"`, `"第２火曜日"`, `"毎月第2火曜"`, `"最終金曜"`: the forms used in city documents.
fn parse_japanese_rule(text: &str) -> Option<MonthlyRule> {
    let text = text.strip_prefix("毎月").unwrap_or(text).trim_start();
    let (nth, rest) = match text.strip_prefix("最終") {
        Some(rest) => (NthWeek::Last, rest),
        None => {
            let mut chars = text.strip_prefix('第')?.chars();
            let nth = match chars.next().and_then(digit_value)? {
                1 => NthWeek::First,
                2 => NthWeek::Second,
                3 => NthWeek::Third,
                4 => NthWeek::Fourth,
                _ => return None,
            };
            (nth, chars.as_str())
        }
    };
    let mut chars = rest.trim_start().chars();
    let weekday = match chars.next()? {
        '月' => Weekday::Mon,
        '火' => Weekday::Tue,
        '水' => Weekday::Wed,
        '木' => Weekday::Thu,
        '金' => Weekday::Fri,
        _ => return None,
    };
    matches!(chars.as_str(), "" | "曜" | "曜日").then_some(MonthlyRule { nth, weekday })
}

/// An ASCII or full-width digit, since Japanese text often uses full-width numbers.
fn digit_value(character: char) -> Option<u32> {
    character.to_digit(10).or_else(|| {
        ('０'..='９')
            .contains(&character)
            .then(|| u32::from(character) - u32::from('０'))
    })
}

// --- Small helpers ------------------------------------------------------------------------

fn clock(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("default clock times are valid")
}

fn calendar_date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("fiscal-year bounds are valid dates")
}

fn owned_strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> MapEnv {
        vars.iter().copied().collect()
    }

    fn parse(text: &str) -> Result<Settings, Vec<ConfigProblem>> {
        parse_settings(text, &MapEnv::default())
    }

    fn problems_of(text: &str) -> Vec<ConfigProblem> {
        parse(text).expect_err("the text should have problems")
    }

    fn problem(key: &str, line: Option<usize>, kind: ProblemKind) -> ConfigProblem {
        ConfigProblem {
            key: key.to_owned(),
            line,
            kind,
        }
    }

    fn invalid(value: &str, expected: &'static str) -> ProblemKind {
        ProblemKind::InvalidValue {
            value: value.to_owned(),
            expected,
        }
    }

    fn unknown(suggestion: Option<&str>) -> ProblemKind {
        ProblemKind::UnknownKey {
            suggestion: suggestion.map(str::to_owned),
        }
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn no_file_and_no_environment_gives_the_documented_defaults() {
        let settings = parse("").unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.language.code(), "ja");
        assert_eq!(settings.quotas["consultation"].alert_at, vec![8, 10]);
        assert_eq!(settings.meetings.regular.time, clock(10, 0));
        assert_eq!(settings.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(load_settings(None, &MapEnv::default()).unwrap(), settings);
    }

    #[test]
    fn the_example_file_yields_exactly_the_defaults() {
        let example = include_str!("../banso.example.toml");
        assert_eq!(parse(example), Ok(Settings::default()));
    }

    /// Variable, value, and the edit that turns the defaults into the expected settings.
    type OverrideCase = (&'static str, &'static str, fn(&mut Settings));

    #[test]
    fn scalar_overrides_are_applied() {
        #[rustfmt::skip]
        let cases: &[OverrideCase] = &[
            ("BANSO_LANGUAGE", "en", |s| s.language = Language::En),
            ("BANSO_LANGUAGE", "\"en\"", |s| s.language = Language::En),
            ("BANSO_PROMPTS_DIR", "/srv/prompts", |s| s.prompts_dir = Some("/srv/prompts".into())),
            ("BANSO_CHANNELS__TEAM", "C0123", |s| s.channels.team = "C0123".into()),
            // A text key takes the raw text even when it would parse as another TOML type.
            ("BANSO_CHANNELS__MEETINGS", "123", |s| s.channels.meetings = "123".into()),
            ("BANSO_CALENDAR__YEAR_END_CLOSURE", "false", |s| s.calendar.year_end_closure = false),
            ("BANSO_MEETINGS__REGULAR__RULE", "3rd wed", |s| {
                s.meetings.regular.rule = MonthlyRule { nth: NthWeek::Third, weekday: Weekday::Wed }
            }),
            ("BANSO_MEETINGS__BIWEEKLY__TIME", "15:30", |s| s.meetings.biweekly.time = clock(15, 30)),
            ("BANSO_MEETINGS__KICKOFF__DATE", "2024-04-10", |s| s.meetings.kickoff.date = Some(date(2024, 4, 10))),
            ("BANSO_REMINDERS__BIWEEKLY_BEFORE_MINUTES", "30", |s| s.reminders.biweekly_before_minutes = 30),
            ("BANSO_DATABASE_URL", "postgres://db/banso", |s| s.database_url = "postgres://db/banso".into()),
            ("SLACK_API_URL", "http://127.0.0.1:9/api", |s| s.slack.api_url = Some("http://127.0.0.1:9/api".into())),
        ];
        assert_overrides(cases);
    }

    #[test]
    fn list_and_quota_overrides_are_applied() {
        #[rustfmt::skip]
        let cases: &[OverrideCase] = &[
            ("BANSO_ROLES__CONSULTANTS", "[\"U01\", \"U02\"]", |s| s.roles.consultants = vec!["U01".into(), "U02".into()]),
            ("BANSO_QUOTA__CONSULTATION__ALERT_AT", "[5, 3, 5]", |s| consultation(s).alert_at = vec![3, 5]),
            // Left out, the alert points follow the limit: two before it and at it.
            ("BANSO_QUOTA__CONSULTATION__LIMIT", "12", |s| {
                *consultation(s) = QuotaRule { limit: 12, alert_at: vec![10, 12], ..QuotaRule::default() }
            }),
            ("BANSO_QUOTA__SITE_AUDIT__LIMIT", "2", |s| {
                let rule = QuotaRule { limit: 2, alert_at: vec![2], ..QuotaRule::default() };
                s.quotas.insert("site_audit".into(), rule);
            }),
            ("BANSO_CALENDAR__EXTRA_CLOSED", "[{ date = 2024-08-14, reason = \"点検\" }]", |s| {
                s.calendar.extra_closed = vec![(date(2024, 8, 14), "点検".into())]
            }),
        ];
        assert_overrides(cases);
    }

    fn consultation(settings: &mut Settings) -> &mut QuotaRule {
        settings.quotas.get_mut("consultation").unwrap()
    }

    /// Each case sets one variable; the result must be the defaults changed by the case's edit.
    fn assert_overrides(cases: &[OverrideCase]) {
        for (var, value, edit) in cases {
            let mut expected = Settings::default();
            edit(&mut expected);
            let settings = parse_settings("", &env(&[(var, value)]));
            assert_eq!(settings, Ok(expected), "{var}={value}");
        }
    }

    #[test]
    fn contract_overrides_need_both_dates() {
        let vars = env(&[
            ("BANSO_CONTRACT__START", "2024-04-01"),
            ("BANSO_CONTRACT__END", "2025-03-31"),
        ]);
        let settings = parse_settings("", &vars).unwrap();
        let period = ContractPeriod {
            start: date(2024, 4, 1),
            end: date(2025, 3, 31),
        };
        assert_eq!(settings.contract, Some(period));
    }

    #[test]
    fn an_override_wins_over_the_file() {
        let text = "[channels]\nteam = \"#from-file\"\n";
        let settings =
            parse_settings(text, &env(&[("BANSO_CHANNELS__TEAM", "#from-env")])).unwrap();
        assert_eq!(settings.channels.team, "#from-env");
    }

    #[test]
    fn a_bad_override_is_reported_under_its_variable_name() {
        let cases = [
            ("BANSO_LANGUAGE", "fr", invalid("fr", "ja or en")),
            (
                "BANSO_QUOTA__CONSULTATION__LIMIT",
                "many",
                ProblemKind::WrongType {
                    expected: "integer",
                },
            ),
            (
                "BANSO_ROLES__CONSULTANTS",
                "alice",
                ProblemKind::WrongType {
                    expected: "array of strings",
                },
            ),
        ];
        for (var, value, kind) in cases {
            let problems = parse_settings("", &env(&[(var, value)])).unwrap_err();
            assert_eq!(problems, vec![problem(var, None, kind)], "{var}={value}");
        }
    }

    #[test]
    fn an_unknown_override_variable_is_reported_with_a_suggestion() {
        let vars = env(&[
            ("BANSO_CHANELS__TEAM", "C0123"),
            ("BANSO_NOTHING_LIKE_ANY_KEY", "1"),
            ("BANSO_SLACK__BOT_TOKEN", "xoxb-1"),
            ("BANSO_CONFIG", "/etc/banso.toml"),
            ("BANSO_LOG", "debug"),
            ("BANSO_TEST_POSTGRES_URL", "postgres://x"),
        ]);
        let problems = parse_settings("", &vars).unwrap_err();
        assert_eq!(
            problems,
            vec![
                problem(
                    "BANSO_CHANELS__TEAM",
                    None,
                    unknown(Some("BANSO_CHANNELS__TEAM"))
                ),
                problem("BANSO_NOTHING_LIKE_ANY_KEY", None, unknown(None)),
                problem(
                    "BANSO_SLACK__BOT_TOKEN",
                    None,
                    ProblemKind::SecretInFile {
                        env_var: SLACK_BOT_TOKEN_VAR
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_misspelt_quota_kind_override_is_not_a_new_quota() {
        let vars = env(&[("BANSO_QUOTA__CONSULTATON__LIMIT", "3")]);
        let problems = parse_settings("", &vars).unwrap_err();
        let suggestion = unknown(Some("BANSO_QUOTA__CONSULTATION__LIMIT"));
        assert_eq!(
            problems,
            vec![problem("BANSO_QUOTA__CONSULTATON__LIMIT", None, suggestion)]
        );
    }

    #[test]
    fn secrets_come_from_the_environment_and_are_redacted() {
        let vars = env(&[
            ("SLACK_BOT_TOKEN", "xoxb-very-secret"),
            ("SLACK_APP_TOKEN", "xapp-very-secret"),
            ("SLACK_SIGNING_SECRET", "signing-very-secret"),
        ]);
        let settings = parse_settings("", &vars).unwrap();
        let bot_token = settings.slack.bot_token.as_ref().unwrap();
        assert_eq!(bot_token.expose(), "xoxb-very-secret");
        assert_eq!(format!("{bot_token:?}"), "Secret([redacted])");
        let printed = format!("{settings:?} {settings:#?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert_eq!(printed.matches("Secret([redacted])").count(), 6);
    }

    #[test]
    fn empty_environment_values_count_as_unset() {
        let vars = env(&[("SLACK_BOT_TOKEN", ""), ("BANSO_DATABASE_URL", "")]);
        assert_eq!(parse_settings("", &vars), Ok(Settings::default()));
    }

    #[test]
    fn an_unknown_key_is_reported_with_its_line_and_a_suggestion() {
        let text = "language = \"ja\"\n\n[channels]\nteem = \"#x\"\n\n\
                    [meetings.regualr]\nrule = \"2nd tue\"\n";
        assert_eq!(
            problems_of(text),
            vec![
                problem("channels.teem", Some(4), unknown(Some("channels.team"))),
                problem(
                    "meetings.regualr",
                    Some(6),
                    unknown(Some("meetings.regular"))
                ),
            ]
        );
        let far = problems_of("colour = \"blue\"\n");
        assert_eq!(far, vec![problem("colour", Some(1), unknown(None))]);
    }

    #[test]
    fn every_problem_in_a_file_is_reported_with_its_line() {
        let text = "\
language = \"ja\"
[channels]
tema = \"#banso-team\"
meetings = \"#banso\"

[meetings.regular]
rule = \"2nd tue\"
duration_minutes = 60
time = \"25:00\"
";
        assert_eq!(
            problems_of(text),
            vec![
                problem("channels.tema", Some(3), unknown(Some("channels.team"))),
                problem("meetings.regular.time", Some(9), invalid("25:00", "HH:MM")),
            ]
        );
    }

    #[test]
    fn invalid_values_are_reported_with_key_line_and_expectation() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, usize, &str, &str)] = &[
            // file text, key, line, value, expected
            ("[reminders]\ndue = \"9時\"", "reminders.due", 2, "9時", "HH:MM"),
            ("[meetings.kickoff]\ndate = \"2024-13-01\"", "meetings.kickoff.date", 2, "2024-13-01", "YYYY-MM-DD"),
            ("[contract]\nstart = 2025-04-01\nend = 2024-03-31", "contract.end", 3, "2024-03-31", "start <= end"),
            ("[contract]\nstart = 2025-04-01", "contract.start", 2, "2025-04-01", "start and end together"),
            ("[quota.consultation]\nalert_at = [\n  8,\n  12,\n]", "quota.consultation.alert_at", 4, "12", "1..=limit"),
            ("[quota.consultation]\nlimit = 0", "quota.consultation.limit", 2, "0", "1 or more"),
            ("[quota.consultation]\nperiod = \"week\"", "quota.consultation.period", 2, "week", "month or contract"),
            ("[meetings.regular]\nrule = \"5th tue\"", "meetings.regular.rule", 2, "5th tue", "e.g. 2nd tue"),
            ("[meetings.regular]\nrule = \"2nd sat\"", "meetings.regular.rule", 2, "2nd sat", "e.g. 2nd tue"),
            ("[meetings.biweekly]\non_closed_day = \"later\"", "meetings.biweekly.on_closed_day", 2, "later",
                "next_open_day, previous_open_day or skip"),
            ("[meetings.regular]\nduration_minutes = -5", "meetings.regular.duration_minutes", 2, "-5", "1..=1440"),
            ("language = \"fr\"", "language", 1, "fr", "ja or en"),
            ("[channels]\nteam = \" \"", "channels.team", 2, " ", "channel name or id"),
            ("[quota.Site-Audit]\nlimit = 1", "quota.Site-Audit", 1, "Site-Audit", "kind name of a-z and _"),
        ];
        for (text, key, line, value, expected) in cases {
            let expected = ProblemKind::InvalidValue {
                value: value.to_string(),
                expected,
            };
            assert_eq!(
                problems_of(text),
                vec![problem(key, Some(*line), expected)],
                "{text}"
            );
        }
    }

    #[test]
    fn wrong_types_are_reported_with_the_expected_type() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, usize, &str)] = &[
            ("language = 1", "language", 1, "string"),
            ("[quota.consultation]\nlimit = \"ten\"", "quota.consultation.limit", 2, "integer"),
            ("[quota.consultation]\nlimit = 10.0", "quota.consultation.limit", 2, "integer"),
            ("[calendar]\nyear_end_closure = \"yes\"", "calendar.year_end_closure", 2, "boolean"),
            ("[roles]\nconsultants = \"alice\"", "roles.consultants", 2, "array of strings"),
            ("[roles]\nconsultants = [\n\"alice\",\n3]", "roles.consultants", 4, "string"),
            ("channels = \"#x\"", "channels", 1, "table"),
            ("[calendar]\nextra_closed = [\"2024-08-14\"]", "calendar.extra_closed[0]", 2, "table"),
        ];
        for (text, key, line, expected) in cases {
            let kind = ProblemKind::WrongType { expected };
            assert_eq!(
                problems_of(text),
                vec![problem(key, Some(*line), kind)],
                "{text}"
            );
        }
    }

    #[test]
    fn a_secret_in_the_file_points_to_its_environment_variable() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, usize, &str)] = &[
            ("[slack]\nbot_token = \"x\"", "slack.bot_token", 2, SLACK_BOT_TOKEN_VAR),
            ("[slack]\napp_token = \"x\"", "slack.app_token", 2, SLACK_APP_TOKEN_VAR),
            ("signing_secret = \"x\"", "signing_secret", 1, SLACK_SIGNING_SECRET_VAR),
            ("[channels]\nteam = \"xoxb-123-456\"", "channels.team", 2, SLACK_BOT_TOKEN_VAR),
            ("[roles]\nslack = \"xapp-1-2\"", "roles.slack", 2, SLACK_APP_TOKEN_VAR),
        ];
        for (text, key, line, env_var) in cases {
            let kind = ProblemKind::SecretInFile { env_var };
            let problems = problems_of(text);
            assert!(
                problems.contains(&problem(key, Some(*line), kind)),
                "{text}: {problems:?}"
            );
        }
        let unknown_table = problems_of("[slack]\nbot_token = \"x\"");
        assert_eq!(unknown_table[0], problem("slack", Some(1), unknown(None)));
        assert_eq!(unknown_table.len(), 2);
    }

    #[test]
    fn a_syntax_error_is_reported_with_its_line() {
        let problems = problems_of("language = \"ja\"\n\n[channels]\nteam = #banso-team\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        let ProblemKind::Syntax { detail } = &problems[0].kind else {
            panic!("expected a syntax problem: {problems:?}");
        };
        assert!(!detail.is_empty() && !detail.contains('\n'), "{detail}");
        let duplicate = problems_of("language = \"ja\"\nlanguage = \"en\"\n");
        assert_eq!(duplicate[0].line, Some(2));
    }

    #[test]
    fn extra_closed_days_are_parsed_sorted_and_checked() {
        let text = r#"
[calendar]
year_end_closure = false
extra_closed = [
  { date = "2024-08-14", reason = "庁舎設備点検" },
  { date = 2024-05-07, reason = "システム停止" },
  { date = "2024-06-01" },
]
extra_open = ["2024-12-28", 2024-12-27]
"#;
        let calendar = parse(text).unwrap().calendar;
        let expected = CalendarSettings {
            year_end_closure: false,
            extra_closed: vec![
                (date(2024, 5, 7), "システム停止".into()),
                (date(2024, 6, 1), String::new()),
                (date(2024, 8, 14), "庁舎設備点検".into()),
            ],
            extra_open: vec![date(2024, 12, 27), date(2024, 12, 28)],
        };
        assert_eq!(calendar, expected);
    }

    #[test]
    fn extra_closed_entries_report_each_problem_at_its_line() {
        let text = r#"[calendar]
extra_closed = [
  { date = "2024-08-32", reason = "x" },
  { reason = "no date" },
  { date = "2024-08-14", reasn = "typo" },
]
extra_open = ["2024-08-14"]
"#;
        assert_eq!(
            problems_of(text),
            vec![
                problem(
                    "calendar.extra_closed[0].date",
                    Some(3),
                    invalid("2024-08-32", "YYYY-MM-DD")
                ),
                problem(
                    "calendar.extra_closed[1].date",
                    Some(4),
                    invalid("", "YYYY-MM-DD")
                ),
                problem(
                    "calendar.extra_closed[2].reasn",
                    Some(5),
                    unknown(Some("calendar.extra_closed[2].reason"))
                ),
                problem(
                    "calendar.extra_open",
                    Some(7),
                    invalid("2024-08-14", "not also in extra_closed")
                ),
            ]
        );
    }

    #[test]
    fn other_quota_kinds_take_the_same_keys() {
        let text =
            "[quota.site_audit]\nlimit = 2\nperiod = \"contract\"\n\n[quota.training]\nlimit = 4\n";
        let quotas = parse(text).unwrap().quotas;
        assert_eq!(quotas.len(), 3);
        assert_eq!(quotas["consultation"], QuotaRule::default());
        let site_audit = QuotaRule {
            limit: 2,
            period: QuotaPeriod::Contract,
            alert_at: vec![2],
        };
        assert_eq!(quotas["site_audit"], site_audit);
        assert_eq!(quotas["training"].alert_at, vec![2, 4]);
        let misspelt = problems_of("[quota.trainig]\nlimit = 4\n");
        assert_eq!(
            misspelt,
            vec![problem(
                "quota.trainig",
                Some(1),
                unknown(Some("quota.training"))
            )]
        );
        let typo = problems_of("[quota.site_audit]\nlimt = 4\n");
        assert_eq!(
            typo,
            vec![problem(
                "quota.site_audit.limt",
                Some(2),
                unknown(Some("quota.site_audit.limit"))
            )]
        );
    }

    #[test]
    fn alert_points_are_sorted_and_deduplicated() {
        let quota = &parse("[quota.consultation]\nlimit = 6\nalert_at = [6, 3, 6, 1]\n")
            .unwrap()
            .quotas["consultation"];
        assert_eq!(quota.alert_at, vec![1, 3, 6]);
        assert_eq!(default_alert_points(1), vec![1]);
        assert_eq!(default_alert_points(2), vec![2]);
        assert_eq!(default_alert_points(3), vec![1, 3]);
    }

    #[test]
    fn monthly_rules_are_read_in_english_and_japanese() {
        let rule = |nth, weekday| Some(MonthlyRule { nth, weekday });
        let cases = [
            ("2nd tue", rule(NthWeek::Second, Weekday::Tue)),
            ("1st Monday", rule(NthWeek::First, Weekday::Mon)),
            ("  LAST fri ", rule(NthWeek::Last, Weekday::Fri)),
            ("fourth thursday", rule(NthWeek::Fourth, Weekday::Thu)),
            ("第2火曜", rule(NthWeek::Second, Weekday::Tue)),
            ("第３水曜日", rule(NthWeek::Third, Weekday::Wed)),
            ("毎月第1木曜", rule(NthWeek::First, Weekday::Thu)),
            ("最終金曜日", rule(NthWeek::Last, Weekday::Fri)),
            ("5th tue", None),
            ("2nd sat", None),
            ("第2土曜", None),
            ("第5火曜", None),
            ("tue", None),
            ("2nd tue please", None),
            ("第2火曜午後", None),
        ];
        for (text, expected) in cases {
            assert_eq!(MonthlyRule::parse(text), expected, "{text}");
        }
    }

    #[test]
    fn dates_and_times_may_be_toml_values_or_strings() {
        let text = "[contract]\nstart = 2024-04-01\nend = \"2025-03-31\"\n\
                    [reminders]\ndue = 08:30\nescalation = \"16:00\"\n";
        let settings = parse(text).unwrap();
        assert_eq!(
            settings.contract,
            Some(ContractPeriod {
                start: date(2024, 4, 1),
                end: date(2025, 3, 31)
            })
        );
        assert_eq!(settings.reminders.due, clock(8, 30));
        assert_eq!(settings.reminders.escalation, clock(16, 0));
    }

    #[test]
    fn the_default_contract_is_the_fiscal_year_containing_today() {
        let settings = Settings::default();
        let january = ContractPeriod {
            start: date(2024, 4, 1),
            end: date(2025, 3, 31),
        };
        assert_eq!(settings.contract_period(date(2025, 1, 15)), january);
        assert_eq!(settings.contract_period(date(2024, 4, 1)), january);
        assert_eq!(
            settings.contract_period(date(2025, 4, 1)).start,
            date(2025, 4, 1)
        );
        assert!(january.contains(date(2025, 3, 31)) && !january.contains(date(2025, 4, 1)));
    }

    #[test]
    fn load_settings_reads_a_file_and_reports_an_unreadable_one() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("banso.toml");
        std::fs::write(&path, "\u{feff}language = \"en\"\n").unwrap();
        let settings = load_settings(Some(&path), &MapEnv::default()).unwrap();
        assert_eq!(settings.language, Language::En);
        let missing = folder.path().join("missing.toml");
        let problems = load_settings(Some(&missing), &MapEnv::default()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, missing.display().to_string());
        assert!(matches!(
            problems[0].kind,
            ProblemKind::FileUnreadable { .. }
        ));
    }

    #[test]
    fn problems_serialize_flat_for_templates() {
        let json =
            serde_json::to_value(problem("language", Some(1), invalid("fr", "ja or en"))).unwrap();
        let expected = serde_json::json!({
            "key": "language", "line": 1, "kind": "invalid_value", "value": "fr", "expected": "ja or en"
        });
        assert_eq!(json, expected);
        let json = serde_json::to_value(problem("BANSO_X", None, unknown(None))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "key": "BANSO_X", "line": null, "kind": "unknown_key", "suggestion": null })
        );
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        let cases = [
            ("", "", 0),
            ("team", "team", 0),
            ("teem", "team", 1),
            ("tema", "team", 2),
            ("", "abc", 3),
            ("相談", "相談室", 1),
        ];
        for (a, b, distance) in cases {
            assert_eq!(edit_distance(a, b), distance, "{a} {b}");
        }
    }
}
