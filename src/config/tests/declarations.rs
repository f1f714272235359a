//! Every declared key, one by one, in the file and as its override variable: the schema knows
//! it (no unknown-key problem, and a misspelling of it suggests it), stage one reads it as its
//! kind (a value of another type is reported with the key and line, or the variable), and
//! stage two checks it (a value of its kind either changes the settings or is reported under
//! the key as having no meaning). A key that is declared is therefore read and validated.

use super::*;
use crate::config::convert::ValueKind;
use crate::config::env::override_var;
use crate::config::keys::declared_keys;
use crate::config::reader::DeclaredKey;

/// A value of `kind`, as TOML, that is no key's default.
fn sample(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text => "\"zz-sample\"",
        ValueKind::Temporal => "\"2031-02-03\"",
        ValueKind::Integer => "7",
        ValueKind::Boolean => "false",
        ValueKind::Texts => "[\"zz-sample\"]",
        ValueKind::Temporals => "[\"2031-02-03\"]",
        ValueKind::Integers => "[7]",
        ValueKind::ClosedDays => "[{ date = \"2031-02-03\" }]",
    }
}

/// A value of another TOML type than `kind` takes.
fn wrong_value(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Integer | ValueKind::Boolean => "\"zz-sample\"",
        _ => "1",
    }
}

/// What a key needs beside it in its table to have an effect: the kickoff's time and
/// deliverables matter only to a kickoff with a date.
fn neighbours(path: &str) -> &'static [(&'static str, &'static str)] {
    match path {
        "meetings.kickoff.time" | "meetings.kickoff.deliverables" => &[("date", "2024-04-10")],
        _ => &[],
    }
}

/// The file setting the key at `path` (named `name` there) to `value`, with its neighbours
/// after it, and the line the key is on.
fn file_setting(path: &str, name: &str, value: &str) -> (String, usize) {
    let after: String = neighbours(path)
        .iter()
        .map(|(name, value)| format!("{name} = {value}\n"))
        .collect();
    match path.rsplit_once('.') {
        None => (format!("{name} = {value}\n{after}"), 1),
        Some((table, _)) => (format!("[{table}]\n{name} = {value}\n{after}"), 2),
    }
}

/// The override variables of the key's neighbours.
fn neighbour_vars(path: &str) -> Vec<(String, String)> {
    let table = path.rsplit_once('.').map_or("", |(table, _)| table);
    let var = |name: &str| override_var(&format!("{table}.{name}"));
    neighbours(path)
        .iter()
        .map(|(name, value)| (var(name), (*value).to_owned()))
        .collect()
}

/// The settings with only the key's neighbours set, to tell whether the key itself landed.
fn without_the_key(path: &str) -> Settings {
    let vars: MapEnv = neighbour_vars(path).into_iter().collect();
    parse_settings("", &vars).expect("the neighbours are valid")
}

fn name_of(key: &DeclaredKey) -> &str {
    key.path.rsplit('.').next().unwrap()
}

/// A value of the key's kind lands in the settings or is reported as having no meaning, under
/// `reported_as` and nothing else.
fn assert_checked(
    key: &DeclaredKey,
    result: Result<Settings, Vec<ConfigProblem>>,
    reported_as: &str,
) {
    match result {
        Ok(settings) => assert_ne!(settings, without_the_key(&key.path), "{key:?} did not land"),
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in problems {
                assert_eq!(problem.key, reported_as, "{key:?}");
                assert!(
                    matches!(problem.kind, ProblemKind::InvalidValue { .. }),
                    "{key:?}: {problem:?}"
                );
            }
        }
    }
}

#[test]
fn the_schema_declares_each_key_once() {
    let keys = declared_keys();
    let mut paths: Vec<&str> = keys.iter().map(|key| key.path.as_str()).collect();
    assert!(paths.len() >= 40, "{paths:?}");
    assert!(paths.contains(&"meetings.regular.deadline_open_days_before"));
    assert!(paths.contains(&"quota.audit_item.alert_at"));
    paths.sort_unstable();
    let count = paths.len();
    paths.dedup();
    assert_eq!(paths.len(), count, "a key is declared twice");
}

#[test]
fn every_declared_key_is_known_read_and_validated_in_the_file() {
    for key in declared_keys() {
        let name = name_of(&key);
        let (text, line) = file_setting(&key.path, name, sample(key.kind));
        assert_checked(&key, parse(&text), &key.path);

        let (text, _) = file_setting(&key.path, name, wrong_value(key.kind));
        let wrong = ProblemKind::WrongType {
            expected: key.kind.expected(),
        };
        assert_eq!(
            problems_of(&text),
            vec![problem(&key.path, Some(line), wrong)],
            "{text}"
        );

        let misspelt = format!("{name}x");
        let (text, _) = file_setting(&key.path, &misspelt, sample(key.kind));
        let typo = match key.path.rsplit_once('.') {
            None => misspelt.clone(),
            Some((table, _)) => format!("{table}.{misspelt}"),
        };
        let suggestion = unknown(Some(&key.path));
        assert_eq!(
            problems_of(&text),
            vec![problem(&typo, Some(line), suggestion)],
            "{text}"
        );
    }
}

#[test]
fn every_declared_key_is_known_read_and_validated_as_an_override() {
    for key in declared_keys() {
        let var = override_var(&key.path);
        let with = |value: &str| -> MapEnv {
            let mut vars = neighbour_vars(&key.path);
            vars.push((var.clone(), value.to_owned()));
            vars.into_iter().collect()
        };
        assert_checked(&key, parse_settings("", &with(sample(key.kind))), &var);

        if !key.kind.wants_text() {
            let problems = parse_settings("", &with(wrong_value(key.kind)));
            let wrong = ProblemKind::WrongType {
                expected: key.kind.expected(),
            };
            assert_eq!(problems, Err(vec![problem(&var, None, wrong)]), "{var}");
        }

        let misspelt = format!("{var}X");
        let problems = parse_settings("", &env(&[(&misspelt, sample(key.kind))]));
        let suggestion = unknown(Some(&var));
        assert_eq!(
            problems,
            Err(vec![problem(&misspelt, None, suggestion)]),
            "{misspelt}"
        );
    }
}

#[test]
fn the_example_file_shows_every_declared_key() {
    let example = include_str!("../../../banso.example.toml");
    for key in declared_keys() {
        let (table, name) = key.path.rsplit_once('.').unwrap_or(("", &key.path));
        let section: Vec<&str> = match table {
            "" => example
                .lines()
                .take_while(|line| !line.starts_with('['))
                .collect(),
            table => {
                let header = format!("[{table}]");
                let start = example.lines().position(|line| line == header);
                let start = start.unwrap_or_else(|| panic!("no {header} in the example"));
                let rest = example.lines().skip(start + 1);
                rest.take_while(|line| !line.starts_with('[')).collect()
            }
        };
        let shown = section.iter().any(|line| {
            let line = line.trim_start_matches(['#', ' ']);
            line.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        assert!(shown, "{} is not in the example file", key.path);
    }
}
