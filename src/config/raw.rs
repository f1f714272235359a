//! Stage one's output: values of the right TOML type whose meaning is not yet checked, each
//! remembering the key it was read under and where it came from.

use std::collections::BTreeMap;

use super::problem::{ConfigProblem, ProblemKind};

/// Where a raw value came from, so a problem can point back at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    File { line: usize },
    Env { var: String },
}

impl Origin {
    pub(super) fn problem(&self, key: &str, kind: ProblemKind) -> ConfigProblem {
        match self {
            Origin::File { line } => ConfigProblem {
                key: key.to_owned(),
                line: Some(*line),
                kind,
            },
            // The operator set a variable, not a key: name the variable so it can be found.
            Origin::Env { var } => ConfigProblem {
                key: var.clone(),
                line: None,
                kind,
            },
        }
    }
}

/// A raw value with the dotted key it was read under and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sourced<T> {
    pub(super) value: T,
    pub(super) key: String,
    pub(super) origin: Origin,
}

impl<T: ToString> Sourced<T> {
    pub(super) fn invalid(&self, expected: &'static str) -> ConfigProblem {
        let kind = ProblemKind::InvalidValue {
            value: self.value.to_string(),
            expected,
        };
        self.origin.problem(&self.key, kind)
    }
}

pub(super) type RawText = Option<Sourced<String>>;
pub(super) type RawInteger = Option<Sourced<i64>>;
pub(super) type RawTexts = Option<Vec<Sourced<String>>>;

/// The file and overrides read against the schema: right types, meaning not yet checked.
#[derive(Debug, Default)]
pub(super) struct RawSettings {
    pub(super) language: RawText,
    pub(super) prompts_dir: RawText,
    pub(super) contract: RawContract,
    pub(super) calendar: RawCalendar,
    pub(super) roles: RawRoles,
    pub(super) channels: RawChannels,
    pub(super) quotas: BTreeMap<String, RawQuota>,
    pub(super) meetings: RawMeetings,
    pub(super) reminders: RawReminders,
}

#[derive(Debug, Default)]
pub(super) struct RawContract {
    pub(super) start: RawText,
    pub(super) end: RawText,
}

#[derive(Debug, Default)]
pub(super) struct RawCalendar {
    pub(super) year_end_closure: Option<Sourced<bool>>,
    pub(super) extra_closed: Option<Vec<RawClosedDay>>,
    pub(super) extra_open: RawTexts,
}

#[derive(Debug, Default)]
pub(super) struct RawClosedDay {
    pub(super) date: RawText,
    pub(super) reason: RawText,
}

#[derive(Debug, Default)]
pub(super) struct RawRoles {
    pub(super) project_manager: RawTexts,
    pub(super) project_leader: RawTexts,
    pub(super) coordinators: RawTexts,
    pub(super) consultants: RawTexts,
}

#[derive(Debug, Default)]
pub(super) struct RawChannels {
    pub(super) team: RawText,
    pub(super) meetings: RawText,
}

#[derive(Debug, Default)]
pub(super) struct RawQuota {
    pub(super) limit: RawInteger,
    pub(super) period: RawText,
    pub(super) alert_at: Option<Vec<Sourced<i64>>>,
}

#[derive(Debug, Default)]
pub(super) struct RawMeetings {
    pub(super) regular: RawRegularMeeting,
    pub(super) biweekly: RawBiweeklyMeeting,
    pub(super) kickoff: RawKickoff,
}

#[derive(Debug, Default)]
pub(super) struct RawRegularMeeting {
    pub(super) rule: RawText,
    pub(super) time: RawText,
    pub(super) duration_minutes: RawInteger,
    pub(super) on_closed_day: RawText,
    pub(super) deadline_open_days_before: RawInteger,
    pub(super) deliverables: RawTexts,
}

#[derive(Debug, Default)]
pub(super) struct RawBiweeklyMeeting {
    pub(super) anchor: RawText,
    pub(super) time: RawText,
    pub(super) duration_minutes: RawInteger,
    pub(super) on_closed_day: RawText,
    pub(super) url: RawText,
}

#[derive(Debug, Default)]
pub(super) struct RawKickoff {
    pub(super) date: RawText,
    pub(super) time: RawText,
    pub(super) deliverables: RawTexts,
}

#[derive(Debug, Default)]
pub(super) struct RawReminders {
    pub(super) heads_up: RawText,
    pub(super) due: RawText,
    pub(super) escalation: RawText,
    pub(super) meeting_day: RawText,
    pub(super) biweekly_previous_day: RawText,
    pub(super) biweekly_before_minutes: RawInteger,
}
