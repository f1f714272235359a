//! Which Slack workspace a request comes from, and whether banso serves
//! it. The signing secret belongs to the app, and an app can be installed
//! in several workspaces; `SLACK_TEAM_ID` keeps banso to one: a workspace
//! (`T…`), or, for an app installed across an Enterprise Grid organisation,
//! that organisation (`E…`). A request that does not name it is refused
//! like one that names another — a missing id is no exemption.

use std::collections::HashMap;

use serde_json::Value;

/// The ids a request names for where it comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Origin<'a> {
    pub(super) team: Option<&'a str>,
    pub(super) enterprise: Option<&'a str>,
}

/// Slack sends an absent id as a missing field, `null` or `""` depending
/// on the payload; all three are no id.
fn id(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|id| !id.is_empty())
}

impl<'a> Origin<'a> {
    /// A slash command's form fields (`team_id`, `enterprise_id`).
    pub(super) fn of_command(fields: &'a HashMap<String, String>) -> Self {
        Self {
            team: id(fields.get("team_id").map(String::as_str)),
            enterprise: id(fields.get("enterprise_id").map(String::as_str)),
        }
    }

    /// An interaction payload (`team.id`, `enterprise.id`; some carry the
    /// organisation as `team.enterprise_id` instead).
    pub(super) fn of_interaction(payload: &'a Value) -> Self {
        Self {
            team: id(payload["team"]["id"].as_str()),
            enterprise: id(payload["enterprise"]["id"].as_str())
                .or_else(|| id(payload["team"]["enterprise_id"].as_str())),
        }
    }

    /// An Events API envelope (`team_id`, `enterprise_id`).
    pub(super) fn of_event(envelope: &'a Value) -> Self {
        Self {
            team: id(envelope["team_id"].as_str()),
            enterprise: id(envelope["enterprise_id"].as_str()),
        }
    }
}

/// Whether a request from `origin` is one banso serves: any, without
/// `SLACK_TEAM_ID`; else one whose workspace is the `T…` it names, or
/// whose organisation is the `E…` it names.
pub(super) fn is_ours(team_id: Option<&str>, origin: Origin<'_>) -> bool {
    let Some(expected) = team_id else {
        return true;
    };
    if expected.starts_with('E') {
        origin.enterprise == Some(expected)
    } else {
        origin.team == Some(expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn origin<'a>(team: Option<&'a str>, enterprise: Option<&'a str>) -> Origin<'a> {
        Origin { team, enterprise }
    }

    #[test]
    fn which_requests_are_ours() {
        let cases = [
            (None, origin(None, None), true, "no SLACK_TEAM_ID: any"),
            (Some("T1"), origin(Some("T1"), None), true, "our workspace"),
            (
                Some("T1"),
                origin(Some("T1"), Some("E1")),
                true,
                "in an organisation",
            ),
            (
                Some("T1"),
                origin(Some("T9"), None),
                false,
                "another workspace",
            ),
            (Some("T1"), origin(None, None), false, "no team"),
            (
                Some("T1"),
                origin(None, Some("E1")),
                false,
                "an organisation's request without a team",
            ),
            (
                Some("E1"),
                origin(Some("T5"), Some("E1")),
                true,
                "a workspace of our organisation",
            ),
            (
                Some("E1"),
                origin(None, Some("E1")),
                true,
                "our organisation itself",
            ),
            (
                Some("E1"),
                origin(Some("T5"), Some("E2")),
                false,
                "another enterprise",
            ),
            (Some("E1"), origin(Some("T5"), None), false, "no enterprise"),
        ];
        for (team_id, origin, ours, name) in cases {
            assert_eq!(is_ours(team_id, origin), ours, "{name}");
        }
    }

    #[test]
    fn ids_are_read_where_each_payload_keeps_them() {
        let fields: HashMap<String, String> = [("team_id", "T1"), ("enterprise_id", "")]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        assert_eq!(Origin::of_command(&fields), origin(Some("T1"), None));
        let press = json!({ "team": { "id": "T1", "enterprise_id": "E1" }, "enterprise": null });
        assert_eq!(
            Origin::of_interaction(&press),
            origin(Some("T1"), Some("E1"))
        );
        let org_wide = json!({ "team": null, "enterprise": { "id": "E1" } });
        assert_eq!(Origin::of_interaction(&org_wide), origin(None, Some("E1")));
        let event = json!({ "team_id": "T1", "enterprise_id": "E1" });
        assert_eq!(Origin::of_event(&event), origin(Some("T1"), Some("E1")));
        assert_eq!(Origin::of_event(&json!({})), origin(None, None));
    }
}
