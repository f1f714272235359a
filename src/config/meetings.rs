//! Meeting settings: the regular, biweekly and kickoff meetings as configured, and their
//! conversion into the domain's [`MeetingRules`]. The day-of-month rule (`"2nd tue"`,
//! `"第2火曜"`) and the closed-day policy are domain types, re-exported here.

use chrono::{NaiveDate, NaiveTime, Weekday};

pub use crate::domain::meeting::{MonthlyRule, NthWeek, OnClosedDay};

use super::settings::{ReminderSettings, clock, owned_strings};
use crate::domain::meeting::{BiweeklyRule, KickoffRule, MeetingRules, RegularRule, ReminderTimes};

/// The three kinds of meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingSettings {
    /// The monthly regular meeting (定例会).
    pub regular: RegularMeetingSettings,
    /// The biweekly meeting.
    pub biweekly: BiweeklyMeetingSettings,
    /// The one kickoff meeting.
    pub kickoff: KickoffSettings,
}

/// The monthly regular meeting and the deliverables due before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularMeetingSettings {
    /// Which day of the month.
    pub rule: MonthlyRule,
    /// Start time.
    pub time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// What to do when the day is closed.
    pub on_closed_day: OnClosedDay,
    /// Deliverables are due this many open days before the meeting.
    pub deadline_open_days_before: u32,
    /// Deliverables due before each meeting.
    pub deliverables: Vec<String>,
}

impl Default for RegularMeetingSettings {
    fn default() -> Self {
        Self {
            rule: MonthlyRule {
                nth: NthWeek::Second,
                weekday: Weekday::Tue,
            },
            time: clock(10, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            deadline_open_days_before: 2,
            deliverables: owned_strings(&[
                "会議次第",
                "進捗状況報告書",
                "課題管理表",
                "概要スケジュール",
            ]),
        }
    }
}

/// The meeting held every other week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiweeklyMeetingSettings {
    /// Date of the first meeting; `None` means the first Thursday on or after the contract start.
    pub anchor: Option<NaiveDate>,
    /// Start time.
    pub time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// What to do when the day is closed.
    pub on_closed_day: OnClosedDay,
    /// Web-meeting link, if any.
    pub url: Option<String>,
}

impl Default for BiweeklyMeetingSettings {
    fn default() -> Self {
        Self {
            anchor: None,
            time: clock(14, 0),
            duration_minutes: 60,
            on_closed_day: OnClosedDay::NextOpenDay,
            url: None,
        }
    }
}

/// The kickoff meeting, if one is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KickoffSettings {
    /// Its date; `None` means no kickoff.
    pub date: Option<NaiveDate>,
    /// Start time.
    pub time: NaiveTime,
    /// Deliverables due before it.
    pub deliverables: Vec<String>,
}

impl Default for KickoffSettings {
    fn default() -> Self {
        Self {
            date: None,
            time: clock(10, 0),
            deliverables: owned_strings(&["実施計画書"]),
        }
    }
}

impl MeetingSettings {
    /// The rules the planner works from, with the reminder times. The kickoff has no length
    /// of its own in the file, so it takes the regular meeting's.
    pub fn to_rules(&self, reminders: &ReminderSettings) -> MeetingRules {
        let regular = &self.regular;
        let biweekly = &self.biweekly;
        MeetingRules {
            regular: RegularRule {
                rule: regular.rule,
                time: regular.time,
                duration_minutes: regular.duration_minutes,
                on_closed_day: regular.on_closed_day,
                deadline_open_days_before: regular.deadline_open_days_before,
                deliverables: regular.deliverables.clone(),
            },
            biweekly: BiweeklyRule {
                anchor: biweekly.anchor,
                time: biweekly.time,
                duration_minutes: biweekly.duration_minutes,
                on_closed_day: biweekly.on_closed_day,
                url: biweekly.url.clone(),
            },
            kickoff: self.kickoff.date.map(|date| KickoffRule {
                date,
                time: self.kickoff.time,
                duration_minutes: regular.duration_minutes,
                deliverables: self.kickoff.deliverables.clone(),
            }),
            reminders: ReminderTimes::from(reminders),
        }
    }
}

impl From<&ReminderSettings> for ReminderTimes {
    fn from(settings: &ReminderSettings) -> Self {
        ReminderTimes {
            heads_up: settings.heads_up,
            due: settings.due,
            escalation: settings.escalation,
            meeting_day: settings.meeting_day,
            biweekly_previous_day: settings.biweekly_previous_day,
            biweekly_before_minutes: settings.biweekly_before_minutes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_rules_are_read_in_english_and_japanese() {
        let rule = |nth, weekday| Some(MonthlyRule { nth, weekday });
        let cases = [
            ("2nd tue", rule(NthWeek::Second, Weekday::Tue)),
            ("1st Monday", rule(NthWeek::First, Weekday::Mon)),
            ("  LAST fri ", rule(NthWeek::Last, Weekday::Fri)),
            ("fourth thursday", rule(NthWeek::Fourth, Weekday::Thu)),
            ("第2火曜", rule(NthWeek::Second, Weekday::Tue)),
            ("第３水曜日", rule(NthWeek::Third, Weekday::Wed)),
            ("毎月第1木曜", rule(NthWeek::First, Weekday::Thu)),
            ("最終金曜日", rule(NthWeek::Last, Weekday::Fri)),
            ("5th tue", None),
            ("2nd sat", None),
            ("第2土曜", None),
            ("第5火曜", None),
            ("tue", None),
            ("2nd tue please", None),
            ("第2火曜午後", None),
        ];
        for (text, expected) in cases {
            assert_eq!(MonthlyRule::parse(text), expected, "{text}");
        }
    }

    #[test]
    fn the_defaults_become_the_contract_rules() {
        let mut settings = MeetingSettings::default();
        let rules = settings.to_rules(&ReminderSettings::default());
        assert_eq!(rules.regular.rule, MonthlyRule::parse("2nd tue").unwrap());
        assert_eq!(rules.regular.deadline_open_days_before, 2);
        assert_eq!(rules.biweekly.anchor, None);
        assert_eq!(rules.kickoff, None);
        assert_eq!(rules.reminders.biweekly_previous_day, clock(17, 0));
        let kickoff_date = NaiveDate::from_ymd_opt(2024, 4, 10).unwrap();
        settings.kickoff.date = Some(kickoff_date);
        let kickoff = settings
            .to_rules(&ReminderSettings::default())
            .kickoff
            .unwrap();
        assert_eq!((kickoff.date, kickoff.time), (kickoff_date, clock(10, 0)));
        assert_eq!(kickoff.deliverables, ["実施計画書"]);
    }
}
