//! The contract's capped work other than consultations (仕様書 4): each kind
//! is counted against its cap by the same quota mechanism as
//! consultations; what differs is what an item records.
//!
//! - `procurement_review` (調達審査, 4(2)ア): its type — a: the previous
//!   contractor's planning-review cases, b: important budget cases, c: a
//!   planning review (企画審査) of 30,000千円 or more or of importance —
//!   at most 30 of a, b and c together (4(2)ア(ｲ)); the amount requested in
//!   千円; and which of the viewpoints a–h of the city's system-use
//!   guideline (4(2)ア(ｱ)) the review covered.
//! - `audit_item` (監査項目, 4(1)イ(ｴ)a): about 30, each citing the audit
//!   criterion (監査基準 No. 1–8) it rests on.
//! - `site_audit` (リモート保守拠点監査, 4(1)ウ, 想定4件), `cloud_evaluation`
//!   (ISMAP 未取得サービスの評価, 4(1)エ), `training` (研修, 4(2)イ) and
//!   any other configured kind: a title only.

use std::collections::BTreeMap;

/// The amount from which a procurement review is a planning review
/// (企画審査), in 千円 (4(2)ア(ｲ)c).
pub const PLANNING_REVIEW_FROM_THOUSAND_YEN: u64 = 30_000;

/// The viewpoints of the city's system-use guideline (4(2)ア(ｱ) a–h).
pub const VIEWPOINTS: [char; 8] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/// The audit criteria of 4(1)イ(ｳ), numbered 1 to 8.
pub const AUDIT_CRITERIA: std::ops::RangeInclusive<u32> = 1..=8;

/// What an item records besides its title, as validated `key → value`
/// pairs (stored as JSON).
pub type Attributes = BTreeMap<String, String>;

/// Why the words given for an item were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("unknown key {0}")]
    UnknownKey(String),
    #[error("{key} is required")]
    Missing { key: &'static str },
    /// `key` as the person typed it (`観点` or `viewpoints`).
    #[error("{key}={value} is not valid")]
    Invalid { key: String, value: String },
    /// A review of 30,000千円 or more is a planning review: type c.
    #[error("amount {amount} needs type c")]
    PlanningReview { amount: String },
}

/// Checks and normalises the `key=value` words given for an item of
/// `kind`. Japanese keys are accepted beside English ones.
pub fn attributes(kind: &str, given: &[(String, String)]) -> Result<Attributes, AttributeError> {
    let mut attributes = Attributes::new();
    for (typed_key, typed_value) in given {
        let value = typed_value.trim();
        // Digits and separators as a Japanese input method types them.
        let half = half_width(value);
        let invalid = || AttributeError::Invalid {
            key: typed_key.clone(),
            value: value.to_owned(),
        };
        let (key, value) = match (kind, typed_key.as_str()) {
            ("procurement_review", "type" | "区分") => {
                let normal = half.to_ascii_lowercase();
                if !["a", "b", "c"].contains(&normal.as_str()) {
                    return Err(invalid());
                }
                ("type", normal)
            }
            ("procurement_review", "amount" | "金額") => {
                let digits: String = half.chars().filter(|c| *c != ',').collect();
                let amount: u64 = digits.parse().map_err(|_| invalid())?;
                ("amount", amount.to_string())
            }
            ("procurement_review", "viewpoints" | "観点") => {
                let mut letters: Vec<char> = half
                    .split([',', '、'])
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(|part| {
                        let mut chars = part.chars();
                        match (chars.next().map(|c| c.to_ascii_lowercase()), chars.next()) {
                            (Some(letter), None) if VIEWPOINTS.contains(&letter) => Ok(letter),
                            _ => Err(invalid()),
                        }
                    })
                    .collect::<Result<_, _>>()?;
                letters.sort_unstable();
                letters.dedup();
                (
                    "viewpoints",
                    letters
                        .iter()
                        .map(char::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                )
            }
            ("audit_item", "criterion" | "基準") => {
                let number: u32 = half.parse().map_err(|_| invalid())?;
                if !AUDIT_CRITERIA.contains(&number) {
                    return Err(invalid());
                }
                ("criterion", number.to_string())
            }
            (_, other) => return Err(AttributeError::UnknownKey(other.to_owned())),
        };
        attributes.insert(key.to_owned(), value);
    }
    let planning_amount = attributes
        .get("amount")
        .and_then(|amount| amount.parse().ok())
        .is_some_and(is_planning_review_amount);
    match kind {
        "procurement_review" if !attributes.contains_key("type") => {
            Err(AttributeError::Missing { key: "type" })
        }
        // 30,000千円 or more is a planning review (type c), 4(2)ア(ｲ)c.
        "procurement_review" if planning_amount && attributes["type"] != "c" => {
            Err(AttributeError::PlanningReview {
                amount: attributes["amount"].clone(),
            })
        }
        "audit_item" if !attributes.contains_key("criterion") => {
            Err(AttributeError::Missing { key: "criterion" })
        }
        _ => Ok(attributes),
    }
}

/// Full-width digits, letters and separators (`３`, `ａ`, `，`, `、` stays)
/// as their ASCII forms, as a Japanese input method may type them.
fn half_width(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '０'..='９' | 'ａ'..='ｚ' | 'Ａ'..='Ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '，' => ',',
            other => other,
        })
        .collect()
}

/// A procurement review of this amount (千円) is a planning review.
pub fn is_planning_review_amount(amount: u64) -> bool {
    amount >= PLANNING_REVIEW_FROM_THOUSAND_YEN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_procurement_review_needs_its_type_and_checks_the_rest() {
        let ok = attributes(
            "procurement_review",
            &given(&[("区分", "C"), ("金額", "35,000"), ("観点", "g,a,g")]),
        )
        .unwrap();
        assert_eq!(ok["type"], "c");
        assert_eq!(ok["amount"], "35000");
        assert_eq!(ok["viewpoints"], "a,g");
        assert_eq!(
            attributes("procurement_review", &given(&[("amount", "100")])),
            Err(AttributeError::Missing { key: "type" })
        );
        assert!(matches!(
            attributes("procurement_review", &given(&[("type", "d")])),
            Err(AttributeError::Invalid { key, .. }) if key == "type"
        ));
        // The error names the key as it was typed.
        assert_eq!(
            attributes(
                "procurement_review",
                &given(&[("区分", "a"), ("観点", "b,h,z")])
            ),
            Err(AttributeError::Invalid {
                key: "観点".into(),
                value: "b,h,z".into(),
            })
        );
        assert_eq!(
            attributes(
                "procurement_review",
                &given(&[("type", "b"), ("amount", "30000")])
            ),
            Err(AttributeError::PlanningReview {
                amount: "30000".into()
            })
        );
        assert!(
            attributes(
                "procurement_review",
                &given(&[("type", "b"), ("amount", "29999")])
            )
            .is_ok()
        );
        assert!(is_planning_review_amount(30_000));
        assert!(!is_planning_review_amount(29_999));
    }

    #[test]
    fn an_audit_item_cites_one_of_the_eight_criteria() {
        assert_eq!(
            attributes("audit_item", &given(&[("基準", "3")])).unwrap()["criterion"],
            "3"
        );
        assert!(attributes("audit_item", &given(&[("criterion", "9")])).is_err());
        // Full-width digits, as a Japanese input method types them.
        assert_eq!(
            attributes("audit_item", &given(&[("基準", "３")])).unwrap()["criterion"],
            "3"
        );
        let review = attributes(
            "procurement_review",
            &given(&[("区分", "ａ"), ("金額", "１２，０００")]),
        )
        .unwrap();
        assert_eq!(
            (review["type"].as_str(), review["amount"].as_str()),
            ("a", "12000")
        );
        assert_eq!(
            attributes("audit_item", &given(&[])),
            Err(AttributeError::Missing { key: "criterion" })
        );
    }

    #[test]
    fn other_kinds_take_a_title_only() {
        assert_eq!(attributes("site_audit", &given(&[])), Ok(Attributes::new()));
        assert_eq!(
            attributes("site_audit", &given(&[("type", "a")])),
            Err(AttributeError::UnknownKey("type".into()))
        );
    }
}
