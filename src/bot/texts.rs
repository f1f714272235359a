//! Every sentence banso shows a person comes from a template in `prompts/`.
//!
//! The templates of both languages are embedded at build time (see
//! `build.rs`); a folder named by `prompts_dir` may override any of them at
//! run time, as `<prompts_dir>/<language>/<name>.j2`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::config::Language;
use crate::domain::fiscal;
use crate::message::Outgoing;
use crate::store::QueuedMessage;

include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));

/// Problems with an override folder, found when banso starts so that a typo
/// in a template is reported once, with its file, instead of at 09:00.
#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("cannot read template override {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template override {path} does not compile: {detail}")]
    Invalid { path: PathBuf, detail: String },
}

/// The rendered texts of one language.
#[derive(Debug)]
pub struct Texts {
    language: Language,
    active: Environment<'static>,
    built_in: Environment<'static>,
    /// Labels already rendered (`render_label`), by template and code:
    /// the templates are fixed once loaded, so a label never changes.
    labels: Mutex<HashMap<(&'static str, &'static str, &'static str), String>>,
}

impl Texts {
    /// The built-in templates of `language`, with overrides from
    /// `override_dir` if given.
    pub fn load(language: Language, override_dir: Option<&Path>) -> Result<Self, TextsError> {
        let built_in = environment_with_builtins(language);
        let mut active = environment_with_builtins(language);
        if let Some(dir) = override_dir {
            apply_overrides(&mut active, language, dir)?;
        }
        Ok(Self {
            language,
            active,
            built_in,
            labels: Mutex::default(),
        })
    }

    /// The built-in templates only: used before the configuration is known.
    pub fn built_in(language: Language) -> Self {
        Self {
            language,
            active: environment_with_builtins(language),
            built_in: environment_with_builtins(language),
            labels: Mutex::default(),
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Renders template `name`. An override that fails at run time falls
    /// back to the built-in text rather than leaving a person with nothing.
    pub fn render(&self, name: &str, context: impl Serialize) -> String {
        let context = Value::from(minijinja::value::Serde(context));
        match render_in(&self.active, name, &context) {
            Ok(text) => text,
            Err(error) => {
                tracing::warn!(template = name, %error, "template failed; using the built-in text");
                render_in(&self.built_in, name, &context).unwrap_or_else(|error| {
                    tracing::error!(template = name, %error, "built-in template failed");
                    format!("[banso: {name}]")
                })
            }
        }
    }

    /// A label (template `name` given one code as `field`, such as a
    /// button's action), rendered once and then reused: the messages of every
    /// consultation carry several buttons, rendered in the intake writer's
    /// transaction, where the profiler found half of its time went to
    /// rendering the same few labels again (BENCHMARKS.md).
    pub fn render_label(
        &self,
        name: &'static str,
        field: &'static str,
        code: &'static str,
    ) -> String {
        let mut labels = self
            .labels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        labels
            .entry((name, field, code))
            .or_insert_with(|| self.render(name, serde_json::json!({ field: code })))
            .clone()
    }

    /// A queued message as it is delivered: its words written out, those
    /// deferred to delivery (`DeferredText`) rendered now.
    pub fn written(&self, queued: &QueuedMessage) -> Outgoing {
        let mut message = queued.message.clone();
        if let Some(deferred) = &queued.deferred {
            let context = serde_json::from_str::<serde_json::Value>(&deferred.context)
                .unwrap_or_else(|error| {
                    tracing::error!(template = deferred.template, %error, "a queued message's context is not JSON");
                    serde_json::Value::Null
                });
            message.text = self.render(&deferred.template, context);
        }
        message
    }

    /// The names of every template of this language (for tests and checks).
    pub fn template_names(&self) -> Vec<String> {
        embedded_templates(self.language)
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}

fn render_in(
    env: &Environment<'static>,
    name: &str,
    context: &Value,
) -> Result<String, minijinja::Error> {
    env.get_template(name)?.render(context)
}

/// The embedded templates of `language`, as `(name, source)`.
pub fn embedded_templates(
    language: Language,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    let prefix = format!("{}/", language.code());
    EMBEDDED_TEMPLATES.iter().filter_map(move |(path, source)| {
        path.strip_prefix(prefix.as_str())
            .map(|name| (name, *source))
    })
}

/// The embedded templates of `language`, each compiled when first used: a
/// process compiles only what it renders, and an idle `banso serve` holds
/// none (BENCHMARKS.md, memory). Every template is compiled and rendered
/// by `tests/templates.rs`.
fn environment_with_builtins(language: Language) -> Environment<'static> {
    let mut env = base_environment();
    env.set_loader(move |name| {
        Ok(embedded_templates(language)
            .find(|(embedded, _)| *embedded == name)
            .map(|(_, source)| source.to_owned()))
    });
    env
}

fn apply_overrides(
    env: &mut Environment<'static>,
    language: Language,
    dir: &Path,
) -> Result<(), TextsError> {
    for (name, _) in embedded_templates(language) {
        let path = dir.join(language.code()).join(format!("{name}.j2"));
        let source = match std::fs::read_to_string(&path) {
            Ok(source) => source,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(TextsError::Unreadable { path, source }),
        };
        env.add_template_owned(name.to_owned(), source)
            .map_err(|error| TextsError::Invalid {
                path: path.clone(),
                detail: error.to_string(),
            })?;
    }
    Ok(())
}

fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.add_filter("jdate", japanese_date_filter);
    env.add_filter("weekday_ja", japanese_weekday_filter);
    env.add_filter("jmonth", japanese_month_filter);
    env.add_filter("jday", japanese_day_filter);
    env.add_filter("mrkdwn", unchanged);
    env.add_filter("mention", |user: String| crate::message::mention(&user));
    env
}

fn parse_iso_date(value: &str) -> Result<NaiveDate, minijinja::Error> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("not a YYYY-MM-DD date: {value}"),
        )
    })
}

/// `{{ "2025-03-31" | jdate }}` → 令和7年3月31日.
fn japanese_date_filter(value: String) -> Result<String, minijinja::Error> {
    Ok(fiscal::japanese_date(parse_iso_date(&value)?))
}

/// `{{ "2024-06-17" | jday }}` → 令和6年6月17日（月）: a date in a sentence.
fn japanese_day_filter(value: String) -> Result<String, minijinja::Error> {
    let date = parse_iso_date(&value)?;
    Ok(format!(
        "{}（{}）",
        fiscal::japanese_date(date),
        fiscal::japanese_weekday(date)
    ))
}

/// `{{ "2024-07" | jmonth }}` → anything else (a contract
/// period's bucket) as it is.
fn japanese_month_filter(value: String) -> String {
    value
        .parse::<crate::domain::month::YearMonth>()
        .map(|month| fiscal::japanese_year_month(month.first_day()))
        .unwrap_or(value)
}

/// `{{ "2024-06-07" | weekday_ja }}` → 金.
fn japanese_weekday_filter(value: String) -> Result<String, minijinja::Error> {
    Ok(fiscal::japanese_weekday(parse_iso_date(&value)?).to_owned())
}

/// `| mrkdwn` once escaped user text for Slack in the templates; the Slack
/// adapter now escapes every text it sends, once, so the filter leaves the
/// text as it is and an override written for the old templates is not
/// escaped twice.
fn unchanged(value: String) -> String {
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Recipient;
    use crate::store::DeferredText;

    fn queued(text: &str, deferred: Option<DeferredText>) -> QueuedMessage {
        QueuedMessage {
            id: 1,
            idempotency_key: "k".into(),
            message: Outgoing {
                to: Recipient::Channel("#team".into()),
                text: text.into(),
                buttons: Vec::new(),
            },
            deferred,
            attempts: 0,
            edits: None,
            in_thread_of: None,
        }
    }

    #[test]
    fn a_queued_message_is_written_out_with_its_deferred_words() {
        let texts = Texts::built_in(Language::Ja);
        assert_eq!(texts.written(&queued("そのまま", None)).text, "そのまま");
        let deferred = DeferredText {
            template: "consult/button_label".into(),
            context: r#"{"action":"assign"}"#.into(),
        };
        let written = texts.written(&queued("", Some(deferred)));
        assert_eq!(
            written.text,
            texts.render(
                "consult/button_label",
                serde_json::json!({ "action": "assign" })
            )
        );
        assert!(!written.text.is_empty());
        // A context that is not JSON still gives the person words.
        let broken = DeferredText {
            template: "consult/button_label".into(),
            context: "{".into(),
        };
        assert!(!texts.written(&queued("", Some(broken))).text.is_empty());
    }

    #[test]
    fn the_old_mrkdwn_filter_leaves_text_as_typed() {
        let mut env = base_environment();
        env.add_template("t", "{{ v | mrkdwn }}").unwrap();
        let rendered = env
            .get_template("t")
            .unwrap()
            .render(minijinja::context! { v => "<!channel> & <@U1>" })
            .unwrap();
        assert_eq!(rendered, "<!channel> & <@U1>");
    }

    #[test]
    fn both_languages_have_the_same_templates() {
        let names = |language| {
            let mut names: Vec<_> = embedded_templates(language).map(|(name, _)| name).collect();
            names.sort();
            names
        };
        assert_eq!(names(Language::Ja), names(Language::En));
        assert!(!names(Language::Ja).is_empty());
    }

    #[test]
    fn an_override_replaces_one_template_and_keeps_the_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("ja/console")).unwrap();
        std::fs::write(dir.path().join("ja/console/now.j2"), "いま {{ now }}").unwrap();
        let texts = Texts::load(Language::Ja, Some(dir.path())).unwrap();
        let text = texts.render(
            "console/now",
            serde_json::json!({"now": "X", "now_ja": "Y"}),
        );
        assert_eq!(text, "いま X");
        let built_in = Texts::built_in(Language::Ja);
        assert_eq!(
            texts.render("console/bye", serde_json::json!({})),
            built_in.render("console/bye", serde_json::json!({}))
        );
    }

    #[test]
    fn a_broken_override_is_reported_with_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("en/console")).unwrap();
        std::fs::write(dir.path().join("en/console/now.j2"), "{% if %}").unwrap();
        let error = Texts::load(Language::En, Some(dir.path())).unwrap_err();
        assert!(error.to_string().contains("now.j2"), "{error}");
    }

    #[test]
    fn an_override_failing_at_run_time_falls_back_to_the_built_in_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("ja/console")).unwrap();
        std::fs::write(
            dir.path().join("ja/console/now.j2"),
            "{{ no_such_variable }}",
        )
        .unwrap();
        let texts = Texts::load(Language::Ja, Some(dir.path())).unwrap();
        let context =
            serde_json::json!({"now": "2024-06-07T09:00:00+09:00", "now_ja": "令和6年6月7日"});
        assert_eq!(
            texts.render("console/now", &context),
            Texts::built_in(Language::Ja).render("console/now", &context)
        );
    }

    #[test]
    fn date_filters_write_japanese_dates() {
        let texts = Texts::built_in(Language::Ja);
        let mut env = base_environment();
        env.add_template("t", "{{ d | jdate }}（{{ d | weekday_ja }}）")
            .unwrap();
        let rendered = env
            .get_template("t")
            .unwrap()
            .render(minijinja::context! { d => "2025-03-31" })
            .unwrap();
        assert_eq!(rendered, "令和7年3月31日（月）");
        assert_eq!(texts.language(), Language::Ja);
    }
}
