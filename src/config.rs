//! PLACEHOLDER (being replaced by the real module).
use chrono::NaiveDate;
use std::path::PathBuf;
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Language {
    Ja,
    En,
}
impl Language {
    pub fn code(&self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }
}
#[derive(Debug, Clone, Default)]
pub struct CalendarSettings {
    pub year_end_closure: bool,
    pub extra_closed: Vec<(NaiveDate, String)>,
    pub extra_open: Vec<NaiveDate>,
}
#[derive(Debug, Clone, Default)]
pub struct Channels {
    pub team: String,
    pub meetings: String,
}
#[derive(Debug, Clone)]
pub struct Settings {
    pub language: Language,
    pub prompts_dir: Option<PathBuf>,
    pub calendar: CalendarSettings,
    pub database_url: String,
    pub channels: Channels,
}
impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::Ja,
            prompts_dir: None,
            calendar: CalendarSettings {
                year_end_closure: true,
                ..Default::default()
            },
            database_url: "sqlite://banso.db?mode=rwc".into(),
            channels: Channels::default(),
        }
    }
}
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
    fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)>;
}
pub struct ProcessEnv;
impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
    fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        std::env::vars()
            .filter(|(k, _)| k.starts_with(prefix))
            .collect()
    }
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigProblem {
    pub key: String,
    pub line: Option<usize>,
    pub kind: ProblemKind,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    Syntax {
        detail: String,
    },
    UnknownKey {
        suggestion: Option<String>,
    },
    WrongType {
        expected: &'static str,
    },
    InvalidValue {
        value: String,
        expected: &'static str,
    },
    SecretInFile {
        env_var: &'static str,
    },
    FileUnreadable {
        detail: String,
    },
}
pub fn parse_settings(_text: &str, _env: &dyn Env) -> Result<Settings, Vec<ConfigProblem>> {
    Ok(Settings::default())
}
pub fn load_settings(
    _path: Option<&std::path::Path>,
    _env: &dyn Env,
) -> Result<Settings, Vec<ConfigProblem>> {
    Ok(Settings::default())
}
