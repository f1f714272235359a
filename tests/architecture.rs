//! Architecture invariants (ARCHITECTURE.md), checked on the source text:
//! no import cycle between modules; the layers (`domain` pure and naming
//! nothing of the crate, `export` only `domain` and `message`, `store`
//! neither `bot` nor `chat`, `bot` not `chat`); time read only through the
//! `Clock`; a thin `main.rs`; no file over 600 lines of code. Each checker
//! is also run on a planted violation, so a check that cannot fail is
//! caught.

mod architecture {
    pub mod modules;
}

use std::collections::BTreeSet;
use std::path::Path;

use architecture::modules::{ModuleGraph, rust_files, strip_comments_and_strings, tokens};

/// The source without comments and string literals, so a comment may name
/// what the code must not use, and a string cannot hide code after `//`.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable source");
    strip_comments_and_strings(&text)
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

/// What one domain file does that domain must not.
fn domain_violations(file: &Path) -> Vec<String> {
    let code = code_of(file);
    let mut violations = Vec::new();
    for (pattern, what) in FORBIDDEN_IN_DOMAIN {
        if code.contains(pattern) {
            violations.push(format!("{}: uses {what} ({pattern})", file.display()));
        }
    }
    // Every path that starts with a crate banso depends on, in a `use` or
    // written out in the code.
    let tokens = tokens(&code);
    let crates = dependency_crates();
    for (i, token) in tokens.iter().enumerate() {
        let starts_a_path =
            tokens.get(i + 1).is_some_and(|next| next == "::") && (i == 0 || tokens[i - 1] != "::");
        if starts_a_path
            && crates.contains(token)
            && !ALLOWED_CRATES_IN_DOMAIN.contains(&token.as_str())
        {
            let found = format!("{}: depends on {token}", file.display());
            if !violations.contains(&found) {
                violations.push(found);
            }
        }
    }
    violations
}

/// The crates named in `Cargo.toml`'s dependency tables, as code names
/// them (`futures-util` is `futures_util`).
fn dependency_crates() -> Vec<String> {
    let manifest = std::fs::read_to_string("Cargo.toml").expect("the manifest");
    let mut crates = Vec::new();
    let mut in_dependencies = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line.ends_with("dependencies]");
        } else if in_dependencies && let Some((name, _)) = line.split_once('=') {
            crates.push(name.trim().replace('-', "_"));
        }
    }
    assert!(crates.contains(&String::from("sqlx")), "dependencies read");
    crates
}

#[test]
fn domain_is_pure() {
    let files = rust_files(Path::new("src/domain"));
    assert!(files.len() >= 3, "src/domain should hold the rules");
    let violations: Vec<String> = files.iter().flat_map(|f| domain_violations(f)).collect();
    assert!(
        violations.is_empty(),
        "domain must stay pure:\n{}",
        violations.join("\n")
    );
}

/// The top-level modules each layer may name; a layer not listed may name
/// any. `cli` is the outermost layer.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("message", &[]),
    ("export", &["domain", "message"]),
    ("config", &["domain"]),
    ("store", &["domain", "message", "config"]),
    ("bot", &["domain", "message", "config", "store", "export"]),
    (
        "scheduler",
        &["domain", "message", "config", "store", "bot"],
    ),
    (
        "chat",
        &[
            "domain",
            "message",
            "config",
            "store",
            "export",
            "bot",
            "scheduler",
        ],
    ),
];

fn layer_violations(graph: &ModuleGraph) -> Vec<String> {
    let mut violations = Vec::new();
    for (layer, allowed) in LAYERS {
        for used in graph.top_level_uses(layer) {
            if !allowed.contains(&used.as_str()) {
                violations.push(format!("{layer} uses {used}"));
            }
        }
    }
    violations
}

#[test]
fn each_layer_names_only_the_layers_inside_it() {
    let graph = ModuleGraph::of_source_tree(Path::new("src"));
    let top: BTreeSet<&str> = graph
        .files
        .keys()
        .filter_map(|module| module.first().map(String::as_str))
        .collect();
    let mut layered: BTreeSet<&str> = LAYERS.iter().map(|(layer, _)| *layer).collect();
    layered.insert("cli");
    assert_eq!(
        top, layered,
        "every top-level module has its place in LAYERS"
    );
    let violations = layer_violations(&graph);
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_import_cycle_between_modules() {
    let graph = ModuleGraph::of_source_tree(Path::new("src"));
    assert!(graph.files.len() > 50, "the whole crate was read");
    let cycles = graph.cycles();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
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

/// Files besides `bot/clock.rs` that may read the time, each with why.
const MAY_READ_THE_TIME: &[(&str, &str)] = &[];

/// Names that read the time (or hold a reading of it), as tokens: an alias
/// (`use std::time::{Instant as T}`) still names `Instant`.
const READS_OF_THE_TIME: &[&[&str]] = &[
    &["Utc", "::", "now"],
    &["Local", "::", "now"],
    &["SystemTime"],
    &["Instant"],
    // slack-morphism's (and jiff's, which it uses) readings of the clock.
    &["SlackDateTime", "::", "now"],
    &["Timestamp", "::", "now"],
    &["current_unix_seconds"],
];

fn time_violations(src: &Path) -> Vec<String> {
    let mut violations = Vec::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap_or(&file);
        let allowed = relative == Path::new("bot/clock.rs")
            || MAY_READ_THE_TIME
                .iter()
                .any(|(path, _)| relative == Path::new(path));
        if allowed {
            continue;
        }
        let tokens = tokens(&std::fs::read_to_string(&file).expect("readable source"));
        for pattern in READS_OF_THE_TIME {
            if tokens
                .windows(pattern.len())
                .any(|window| window == *pattern)
            {
                let pattern = pattern.concat();
                violations.push(format!("{} reads the time with {pattern}", file.display()));
            }
        }
    }
    violations
}

#[test]
fn only_the_clock_reads_the_time() {
    let violations = time_violations(Path::new("src"));
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// Lines of code before the file's unit tests (`#[cfg(test)]` on a
/// `mod`): neither blank nor only a comment.
fn lines_of_code(file: &Path) -> usize {
    let text = std::fs::read_to_string(file).expect("readable source");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect();
    lines
        .windows(2)
        .position(|pair| pair[0] == "#[cfg(test)]" && pair[1].starts_with("mod "))
        .unwrap_or(lines.len())
}

fn oversized_files(src: &Path, limit: usize) -> Vec<String> {
    rust_files(src)
        .into_iter()
        .filter(|file| {
            let in_tests = file.components().any(|part| part.as_os_str() == "tests")
                || file.ends_with("tests.rs");
            !in_tests
        })
        .filter_map(|file| {
            let lines = lines_of_code(&file);
            (lines > limit).then(|| format!("{}: {lines} lines of code", file.display()))
        })
        .collect()
}

#[test]
fn no_file_over_600_lines_of_code() {
    let oversized = oversized_files(Path::new("src"), 600);
    assert!(oversized.is_empty(), "{}", oversized.join("\n"));
}

#[test]
fn main_only_parses_and_hands_over() {
    let lines = lines_of_code(Path::new("src/main.rs"));
    assert!(lines <= 40, "src/main.rs has {lines} lines of code");
    let code = code_of(Path::new("src/main.rs"));
    assert!(code.contains("banso::cli::"), "main hands over to cli");
}

mod the_checkers_themselves {
    //! Each checker on a planted tree: it must find what is planted and
    //! nothing in a clean tree.

    use super::*;

    fn plant(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temporary folder");
        for (path, text) in files {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().expect("has a folder")).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    #[test]
    fn a_planted_cycle_between_siblings_is_found() {
        let tree = plant(&[
            ("lib.rs", "pub mod bot;\npub mod store;\n"),
            (
                "bot/mod.rs",
                "pub mod a;\npub mod b;\nuse crate::store::Store;\n",
            ),
            ("bot/a.rs", "use super::{Bot, b::helper};\n"),
            (
                "bot/b/mod.rs",
                "pub mod deep;\n// use super::a::Thing; is only a comment\n",
            ),
            (
                "bot/b/deep.rs",
                "fn f() { let s = \"crate::store\"; crate::bot::a::thing(); }\n",
            ),
            ("store/mod.rs", "use crate::bot::Bot;\n"),
        ]);
        let cycles = ModuleGraph::of_source_tree(tree.path()).cycles();
        assert_eq!(
            cycles,
            ["crate: bot -> store -> bot", "bot: a -> b -> a"],
            "{cycles:?}"
        );
    }

    #[test]
    fn a_cycle_through_a_re_export_is_found() {
        let tree = plant(&[
            ("lib.rs", "pub mod store;\n"),
            (
                "store/mod.rs",
                "mod intake;\nmod lifecycle;\npub(crate) use intake::{claim as claim_alerts, Slot};\n",
            ),
            ("store/intake.rs", "use super::lifecycle::record_event;\n"),
            (
                "store/lifecycle.rs",
                "fn f() { super::claim_alerts(); let s: crate::store::Slot; }\n",
            ),
        ]);
        let cycles = ModuleGraph::of_source_tree(tree.path()).cycles();
        assert_eq!(
            cycles,
            ["store: intake -> lifecycle -> intake"],
            "{cycles:?}"
        );
    }

    #[test]
    fn a_clean_tree_has_no_cycle() {
        let tree = plant(&[
            ("lib.rs", "pub mod bot;\npub mod store;\n"),
            (
                "bot/mod.rs",
                "pub mod a;\npub mod b;\nuse crate::store::Store;\n",
            ),
            (
                "bot/a.rs",
                "use super::{Bot, b::helper};\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::bot::a::x;\n}\n",
            ),
            (
                "bot/b.rs",
                "use super::Bot;\nuse crate::store::{self, Store as S};\n",
            ),
            ("store/mod.rs", "pub(crate) use std::fmt;\n"),
        ]);
        let graph = ModuleGraph::of_source_tree(tree.path());
        assert_eq!(graph.cycles(), Vec::<String>::new());
        assert_eq!(
            graph.top_level_uses("bot"),
            BTreeSet::from(["store".to_owned()])
        );
    }

    #[test]
    fn a_layer_naming_an_outer_layer_is_found() {
        let tree = plant(&[
            (
                "lib.rs",
                "pub mod domain;\npub mod store;\npub mod export;\npub mod message;\n",
            ),
            ("domain/mod.rs", "pub mod rule;\n#[cfg(test)]\nmod tests;\n"),
            (
                "domain/rule.rs",
                "fn f() -> crate::store::Store { todo!() }\n",
            ),
            (
                "domain/tests.rs",
                "use crate::store::Store;\n#[test]\nfn t() {}\n",
            ),
            (
                "export/mod.rs",
                "use crate::{domain::rule, message::Outgoing};\n#[cfg(test)]\nmod tests {\n    use crate::store::Store;\n}\n",
            ),
            ("store/mod.rs", "use crate::message::Outgoing;\n"),
            ("message.rs", "\n"),
        ]);
        let graph = ModuleGraph::of_source_tree(tree.path());
        assert_eq!(layer_violations(&graph), ["domain uses store"]);
    }

    #[test]
    fn a_planted_impurity_in_domain_is_found() {
        let tree = plant(&[(
            "rule.rs",
            "// tokio is named in a comment only\nuse sqlx::AnyPool;\nfn f() { let now = chrono::Utc::now(); }\nfn g() -> String { rust_xlsxwriter::Workbook::new(); String::from(\"sqlx\") }\n",
        )]);
        let violations = domain_violations(&tree.path().join("rule.rs"));
        assert_eq!(violations.len(), 4, "{violations:?}");
        assert!(violations[0].contains("Utc::now"), "{violations:?}");
        assert!(violations[1].contains("(sqlx)"), "{violations:?}");
        assert!(violations[2].contains("depends on sqlx"), "{violations:?}");
        assert!(
            violations[3].contains("depends on rust_xlsxwriter"),
            "{violations:?}"
        );
    }

    #[test]
    fn a_planted_read_of_the_time_is_found_outside_the_clock() {
        let tree = plant(&[
            ("bot/clock.rs", "fn now() { chrono::Utc::now(); }\n"),
            (
                "chat/sender.rs",
                "use tokio::time::Instant;\nfn f() { Instant::now(); }\n",
            ),
            (
                "chat/alias.rs",
                "use std::time::{Instant as Moment};\nfn f() { Moment::now(); }\n",
            ),
            (
                "chat/after_a_url.rs",
                "fn f() { let url = \"http://x\"; let now = chrono::Utc::now(); }\n",
            ),
            (
                "store/jobs.rs",
                "// SystemTime is only named here\nconst S: &str = \"Utc::now\";\n",
            ),
        ]);
        let violations = time_violations(tree.path());
        assert_eq!(violations.len(), 3, "{violations:?}");
        assert!(violations[0].contains("after_a_url.rs reads the time with Utc::now"));
        assert!(violations[1].contains("alias.rs reads the time with Instant"));
        assert!(violations[2].contains("sender.rs reads the time with Instant"));
    }

    #[test]
    fn a_planted_long_file_is_found() {
        let long = "fn f() {}\n".repeat(601);
        let with_tests = format!(
            "{}#[cfg(test)]\nmod tests {{\n{long}}}\n",
            "fn f() {}\n".repeat(600)
        );
        // A test-only helper is not where the tests begin.
        let helper_first = format!("#[cfg(test)]\nfn helper() {{}}\n{long}");
        let tree = plant(&[
            ("long.rs", &long),
            ("fits.rs", &with_tests),
            ("helper_first.rs", &helper_first),
            ("domain/tests/big.rs", &long),
        ]);
        let oversized = oversized_files(tree.path(), 600);
        assert_eq!(oversized.len(), 2, "{oversized:?}");
        assert!(
            oversized[0].contains("helper_first.rs: 603"),
            "{oversized:?}"
        );
        assert!(oversized[1].contains("long.rs: 601"), "{oversized:?}");
    }
}
