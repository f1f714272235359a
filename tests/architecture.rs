//! Architecture invariants (ARCHITECTURE.md), checked on the source text:
//! `domain` reads no clock, does no I/O, is not async, touches no database
//! and knows nothing of Slack; the bot core knows nothing of Slack either.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source folder exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The source without `//` comments, so a comment may name what the code
/// must not use.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable source");
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

const FORBIDDEN_IN_DOMAIN: &[(&str, &str)] = &[
    ("std::fs", "file I/O"),
    ("std::io", "I/O"),
    ("std::net", "network I/O"),
    ("std::process", "processes"),
    ("std::env", "the environment"),
    ("std::thread", "threads"),
    ("SystemTime", "the system clock"),
    ("Instant::now", "the system clock"),
    ("Utc::now", "the system clock"),
    ("Local::now", "the system clock"),
    ("Local", "the machine's time zone"),
    ("tokio", "async runtime"),
    ("async ", "async code"),
    (".await", "async code"),
    ("sqlx", "the database"),
    ("slack", "Slack"),
    ("Slack", "Slack"),
    ("println!", "printing"),
    ("eprintln!", "printing"),
    ("crate::store", "the store"),
    ("crate::bot", "the bot layer"),
    ("crate::chat", "chat adapters"),
    ("crate::config", "configuration loading"),
    ("tracing", "logging"),
];

/// The only crates `domain` may name.
const ALLOWED_CRATES_IN_DOMAIN: &[&str] = &[
    "std",
    "core",
    "chrono",
    "chrono_tz",
    "serde",
    "thiserror",
    "crate",
    "super",
    "self",
    "proptest",
];

#[test]
fn domain_is_pure() {
    let files = rust_files(Path::new("src/domain"));
    assert!(files.len() >= 3, "src/domain should hold the rules");
    let mut violations = Vec::new();
    for file in &files {
        let code = code_of(file);
        for (pattern, what) in FORBIDDEN_IN_DOMAIN {
            if code.contains(pattern) {
                violations.push(format!("{}: uses {what} ({pattern})", file.display()));
            }
        }
        for line in code.lines().map(str::trim) {
            let Some(path) = line
                .strip_prefix("use ")
                .or_else(|| line.strip_prefix("pub use "))
            else {
                continue;
            };
            let root = path.split([':', ';', ' ', '{']).next().unwrap_or_default();
            // `use Status::*;` brings in a local enum's variants.
            let local_type = root.starts_with(|c: char| c.is_ascii_uppercase());
            if !local_type && !ALLOWED_CRATES_IN_DOMAIN.contains(&root) {
                violations.push(format!("{}: depends on {root}", file.display()));
            }
            if root == "crate" && !path.starts_with("crate::domain") {
                violations.push(format!(
                    "{}: depends on {path} outside domain",
                    file.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "domain must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_bot_core_knows_nothing_of_slack() {
    for file in rust_files(Path::new("src/bot")) {
        let code = code_of(&file);
        assert!(
            !code.contains("slack_morphism") && !code.contains("crate::chat"),
            "{} reaches into a chat adapter",
            file.display()
        );
    }
}

#[test]
fn only_the_clock_reads_the_time() {
    for file in rust_files(Path::new("src")) {
        if file.ends_with("bot/clock.rs") {
            continue;
        }
        let code = code_of(&file);
        for pattern in ["Utc::now", "Local::now", "SystemTime::now"] {
            assert!(
                !code.contains(pattern),
                "{} reads the time with {pattern}",
                file.display()
            );
        }
    }
}

#[test]
fn the_checks_catch_a_violation() {
    // Guard against a check that cannot fail: a forbidden line is found.
    let sample = "use sqlx::AnyPool;\nlet now = chrono::Utc::now();";
    assert!(
        FORBIDDEN_IN_DOMAIN
            .iter()
            .any(|(pattern, _)| sample.contains(pattern))
    );
}
