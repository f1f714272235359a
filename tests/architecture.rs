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

use architecture::modules::{ModuleGraph, rust_files};

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
    }
    violations
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
    for (layer, _) in LAYERS {
        assert!(top.contains(layer), "src/{layer} is missing");
    }
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

const READS_OF_THE_TIME: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "time::Instant",
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
        let code = code_of(&file);
        for pattern in READS_OF_THE_TIME {
            if code.contains(pattern) {
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

/// Lines of code before the file's unit tests: neither blank nor only a
/// comment.
fn lines_of_code(file: &Path) -> usize {
    let text = std::fs::read_to_string(file).expect("readable source");
    text.lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
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
            "// tokio is named in a comment only\nuse sqlx::AnyPool;\nfn f() { let now = chrono::Utc::now(); }\n",
        )]);
        let violations = domain_violations(&tree.path().join("rule.rs"));
        assert_eq!(violations.len(), 3, "{violations:?}");
        assert!(violations[0].contains("Utc::now"), "{violations:?}");
        assert!(violations[1].contains("sqlx"), "{violations:?}");
        assert!(violations[2].contains("depends on sqlx"), "{violations:?}");
    }

    #[test]
    fn a_planted_read_of_the_time_is_found_outside_the_clock() {
        let tree = plant(&[
            ("bot/clock.rs", "fn now() { chrono::Utc::now(); }\n"),
            (
                "chat/sender.rs",
                "use tokio::time::Instant;\nfn f() { Instant::now(); }\n",
            ),
            ("store/jobs.rs", "// SystemTime is only named here\n"),
        ]);
        let violations = time_violations(tree.path());
        assert_eq!(violations.len(), 2, "{violations:?}");
        assert!(violations.iter().all(|v| v.contains("sender.rs")));
    }

    #[test]
    fn a_planted_long_file_is_found() {
        let long = "fn f() {}\n".repeat(601);
        let with_tests = format!("{}#[cfg(test)]\n{}", "fn f() {}\n".repeat(600), long);
        let tree = plant(&[
            ("long.rs", &long),
            ("fits.rs", &with_tests),
            ("domain/tests/big.rs", &long),
        ]);
        let oversized = oversized_files(tree.path(), 600);
        assert_eq!(oversized.len(), 1, "{oversized:?}");
        assert!(oversized[0].contains("long.rs: 601"), "{oversized:?}");
    }
}
