//! The validated settings: what the rest of banso is given. The rules of the calendar, the
//! meetings and the reminders are the domain's own types; their defaults, like every key's,
//! are declared with the key (`keys`), so [`Settings::default`] is what an empty file gives.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};

use super::env::SlackSecrets;
use super::meetings::MeetingSettings;
use crate::domain::calendar::{CalendarRules, ResponseTargets};
use crate::domain::meeting::ReminderTimes;

/// Everything the bot is configured with, checked. Built by
/// [`load_settings`](super::load_settings) or [`parse_settings`](super::parse_settings) and
/// passed explicitly to whatever needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Which `prompts/` set every text comes from.
    pub language: Language,
    /// Folder whose templates override the built-in ones, as written (relative to the working
    /// directory when relative).
    pub prompts_dir: Option<PathBuf>,
    /// `None` means the fiscal year containing today; see [`Settings::contract_period`].
    pub contract: Option<ContractPeriod>,
    /// The city's adjustments to the open-day calendar.
    pub calendar: CalendarRules,
    /// Who plays which part.
    pub roles: Roles,
    /// Where the bot posts.
    pub channels: Channels,
    /// Quota per work kind; always has `"consultation"`.
    pub quotas: BTreeMap<String, QuotaRule>,
    /// Meeting schedule and deliverables.
    pub meetings: MeetingSettings,
    /// When reminders are posted.
    pub reminders: ReminderTimes,
    /// How soon consultations are to be answered, in open days.
    pub response: ResponseTargets,
    /// From `BANSO_DATABASE_URL`.
    pub database_url: String,
    /// From the `SLACK_*` variables.
    pub slack: SlackSecrets,
}

impl Settings {
    /// The contract period in force: the configured one, else the fiscal year containing `today`.
    pub fn contract_period(&self, today: NaiveDate) -> ContractPeriod {
        self.contract
            .unwrap_or_else(|| ContractPeriod::fiscal_year_containing(today))
    }
}

/// Language of the prompt set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Japanese, the city's working language.
    Ja,
    /// English.
    En,
}

impl Default for Language {
    /// The language an empty file gives.
    fn default() -> Self {
        Settings::default().language
    }
}

impl Language {
    /// The code used in the file and as the `prompts/` folder name.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }

    /// The language for a code, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ja" => Some(Language::Ja),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// The contract period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContractPeriod {
    /// First day of the contract.
    pub start: NaiveDate,
    /// Last day of the contract.
    pub end: NaiveDate,
}

impl ContractPeriod {
    /// The Japanese fiscal year (April 1 to March 31) that contains `date`.
    pub fn fiscal_year_containing(date: NaiveDate) -> Self {
        let year = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        Self {
            start: calendar_date(year, 4, 1),
            end: calendar_date(year + 1, 3, 31),
        }
    }

    /// Whether `date` falls within the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start..=self.end).contains(&date)
    }
}

/// Slack user ids (`U…`) or console names for each role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    /// Project manager.
    pub project_manager: Vec<String>,
    /// Project leader.
    pub project_leader: Vec<String>,
    /// The city's coordinators (情報化推進室).
    pub coordinators: Vec<String>,
    /// Consultants who answer consultations.
    pub consultants: Vec<String>,
}

impl Default for Roles {
    /// The roles an empty file gives.
    fn default() -> Self {
        Settings::default().roles
    }
}

/// Channels the bot posts to, by name (`#…`) or id (`C…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    /// Private channel for consultations, decisions and escalations.
    pub team: String,
    /// Channel for meeting notices and deliverable reminders.
    pub meetings: String,
}

impl Default for Channels {
    /// The channels an empty file gives.
    fn default() -> Self {
        Settings::default().channels
    }
}

/// How much of one kind of work the contract allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRule {
    /// Items allowed per period.
    pub limit: u32,
    /// What the limit is counted over.
    pub period: QuotaPeriod,
    /// Counts at which the team is warned; sorted, without duplicates, each in `1..=limit`.
    pub alert_at: Vec<u32>,
}

impl Default for QuotaRule {
    /// The consultation quota: ten a month, warned at eight and ten.
    fn default() -> Self {
        Self {
            limit: 10,
            period: QuotaPeriod::Month,
            alert_at: default_alert_points(10),
        }
    }
}

/// The kinds of capped work the contract names, with their caps
/// (仕様書 4): consultations, ten a month (4(1)ア); procurement reviews,
/// thirty for the contract (4(2)ア(ｲ)); remote-maintenance site audits,
/// four (4(1)ウ, 想定件数); audit items, about thirty (4(1)イ(ｴ)a).
pub const CONTRACT_KINDS: [(&str, u32, QuotaPeriod); 4] = [
    ("consultation", 10, QuotaPeriod::Month),
    ("procurement_review", 30, QuotaPeriod::Contract),
    ("site_audit", 4, QuotaPeriod::Contract),
    ("audit_item", 30, QuotaPeriod::Contract),
];

impl QuotaRule {
    /// The default of a kind: the contract's cap for the kinds it names,
    /// the consultation default otherwise.
    pub fn default_for(kind: &str) -> Self {
        match CONTRACT_KINDS.iter().find(|(name, _, _)| *name == kind) {
            Some((_, limit, period)) => Self {
                limit: *limit,
                period: *period,
                alert_at: default_alert_points(*limit),
            },
            None => Self::default(),
        }
    }
}

/// What a quota limit is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaPeriod {
    /// Each calendar month.
    Month,
    /// The whole contract period.
    Contract,
}

impl QuotaPeriod {
    /// The code used in the file.
    pub fn code(self) -> &'static str {
        match self {
            QuotaPeriod::Month => "month",
            QuotaPeriod::Contract => "contract",
        }
    }

    /// The period for a code, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "month" => Some(QuotaPeriod::Month),
            "contract" => Some(QuotaPeriod::Contract),
            _ => None,
        }
    }
}

/// Two before the limit and at the limit: `[8, 10]` for the default of ten.
pub(super) fn default_alert_points(limit: u32) -> Vec<u32> {
    let early = limit.checked_sub(2).filter(|early| *early >= 1);
    early.into_iter().chain([limit]).collect()
}

/// A date computed from a year, for the fiscal-year bounds.
fn calendar_date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("fiscal-year bounds are valid dates")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn the_default_contract_is_the_fiscal_year_containing_today() {
        let settings = Settings::default();
        let january = ContractPeriod {
            start: date(2024, 4, 1),
            end: date(2025, 3, 31),
        };
        assert_eq!(settings.contract_period(date(2025, 1, 15)), january);
        assert_eq!(settings.contract_period(date(2024, 4, 1)), january);
        assert_eq!(
            settings.contract_period(date(2025, 4, 1)).start,
            date(2025, 4, 1)
        );
        assert!(january.contains(date(2025, 3, 31)) && !january.contains(date(2025, 4, 1)));
    }
}
