//! `banso config check`, and where the configuration comes from: the
//! file's path, the language of texts before it is read, and its problems
//! rendered one a line.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use super::Failure;
use crate::bot::texts::Texts;
use crate::config::{self, ConfigProblem, Env, Language, ProcessEnv, Settings};

#[derive(Debug, Subcommand)]
pub(super) enum ConfigCommand {
    /// Validate a configuration file and list every problem with its line.
    Check {
        /// The file to check (default: the one banso would load).
        file: Option<PathBuf>,
    },
}

/// Before the configuration is read, texts follow `BANSO_LANGUAGE`.
pub(super) fn language_from_env(env: &dyn Env) -> Language {
    match env.var("BANSO_LANGUAGE").as_deref().map(str::trim) {
        Some("en") => Language::En,
        _ => Language::Ja,
    }
}

/// `--config`, else `$BANSO_CONFIG`, else `./banso.toml` when it exists.
pub(super) fn resolve_config_path(flag: Option<&Path>, env: &dyn Env) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_owned());
    }
    if let Some(path) = env
        .var("BANSO_CONFIG")
        .filter(|path| !path.trim().is_empty())
    {
        return Some(PathBuf::from(path));
    }
    let default = PathBuf::from("banso.toml");
    default.exists().then_some(default)
}

pub(super) fn load_settings(path: Option<&Path>) -> Result<Settings, Failure> {
    config::load_settings(path, &ProcessEnv).map_err(|problems| {
        let texts = Texts::built_in(language_from_env(&ProcessEnv));
        Failure::usage(render_problems(&texts, path, &problems))
    })
}

fn render_problems(texts: &Texts, path: Option<&Path>, problems: &[ConfigProblem]) -> String {
    let file = path
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let lines: Vec<String> = problems
        .iter()
        .map(|problem| {
            texts.render(
                "cli/config_problem",
                json!({ "file": file, "problem": problem }),
            )
        })
        .collect();
    lines.join("\n")
}

pub(super) fn check_config(path: Option<&Path>) -> Result<(), Failure> {
    let texts = Texts::built_in(language_from_env(&ProcessEnv));
    match config::load_settings(path, &ProcessEnv) {
        Ok(settings) => {
            let file = path.map(|path| path.display().to_string());
            let texts = Texts::built_in(settings.language);
            super::say(texts.render("cli/config_ok", json!({ "file": file })));
            Ok(())
        }
        Err(problems) => Err(Failure::usage(render_problems(&texts, path, &problems))),
    }
}
