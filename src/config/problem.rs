//! What is wrong with a configuration, as data for the templates, and the "did you mean"
//! suggestion offered for a misspelt key.

use serde::Serialize;

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

pub(super) type Problems = Vec<ConfigProblem>;

/// The candidate nearest to `word` by edit distance, if it is within two edits.
pub(super) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_serialize_flat_for_templates() {
        let invalid = ConfigProblem {
            key: "language".to_owned(),
            line: Some(1),
            kind: ProblemKind::InvalidValue {
                value: "fr".to_owned(),
                expected: "ja or en",
            },
        };
        let json = serde_json::to_value(invalid).unwrap();
        let expected = serde_json::json!({
            "key": "language", "line": 1, "kind": "invalid_value", "value": "fr", "expected": "ja or en"
        });
        assert_eq!(json, expected);
        let unknown = ConfigProblem {
            key: "BANSO_X".to_owned(),
            line: None,
            kind: ProblemKind::UnknownKey { suggestion: None },
        };
        let json = serde_json::to_value(unknown).unwrap();
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
