//! The configured meetings: the domain's rules for the regular, biweekly and kickoff meetings.
//! The reminder times are a table of their own in the file (`[reminders]`), so they are kept
//! beside the meetings in [`Settings`](super::Settings) and joined with them for the planner.

use crate::domain::meeting::{BiweeklyRule, KickoffRule, MeetingRules, RegularRule, ReminderTimes};

/// The three kinds of meeting, as the domain plans them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSettings {
    /// The monthly regular meeting (定例報告会).
    pub regular: RegularRule,
    /// The biweekly meeting.
    pub biweekly: BiweeklyRule,
    /// The one kickoff meeting; `None` when there is none (`date = "none"`, or no date
    /// and no `[contract]` to count the default day from).
    pub kickoff: Option<KickoffRule>,
}

impl MeetingSettings {
    /// The rules the planner works from: these meetings with the reminder times.
    pub fn to_rules(&self, reminders: &ReminderTimes) -> MeetingRules {
        MeetingRules {
            regular: self.regular.clone(),
            biweekly: self.biweekly.clone(),
            kickoff: self.kickoff.clone(),
            reminders: reminders.clone(),
        }
    }
}
