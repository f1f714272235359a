//! Every key of `banso.toml`, declared once: one call on a table's reader names the key, the
//! kind of value it takes, its default and its check, and the field it is assigned to is where
//! it lands in [`Settings`]. The same declarations are the schema unknown keys are checked
//! against (with suggestions), the reading of the file and of the `BANSO_*` overrides (types,
//! lines), and the validation; [`Settings::default`] is what they give for an empty file.
//! Only the open-ended `[quota.<kind>]` tables need more than declarations: which names are
//! kinds.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveTime, Weekday};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::convert::{BOOLEAN, CLOSED_DAYS, INTEGER, INTEGERS, TEMPORAL, TEMPORALS, TEXT, TEXTS};
use super::env::{Env, EnvOverrides, MapEnv, SlackSecrets, database_url};
use super::meetings::MeetingSettings;
use super::problem::ConfigProblem;
use super::problem::{ProblemKind, closest};
use super::reader::{Reading, TableReader};
use super::settings::{
    CONTRACT_KINDS, Channels, ContractPeriod, Language, QuotaPeriod, QuotaRule, Roles, Settings,
    default_alert_points,
};
use super::source::{LineIndex, Locator, Sourced, join_key};
use super::validate::{
    alert_points, any_text, contract_period, in_range, optional_text, parse_channel,
    parse_closed_day, parse_duration, parse_language, parse_limit, parse_monthly_rule,
    parse_on_closed_day, parse_open_day, parse_optional_date, parse_time, parse_with, report,
};
use crate::domain::calendar::{CalendarRules, ResponseTargets};
use crate::domain::meeting::{
    BiweeklyRule, KickoffRule, MonthlyRule, NthWeek, OnClosedDay, RegularRule, ReminderTimes,
};

/// Work kinds the contract names. A quota kind one or two letters off one of these is almost
/// certainly a typo, and silently creating a second quota for it would hide the mistake.
const KNOWN_WORK_KINDS: [&str; 6] = [
    "consultation",
    "procurement_review",
    "site_audit",
    "cloud_evaluation",
    "training",
    "audit_item",
];

impl Default for Settings {
    /// What an empty file and an empty environment give: every key's declared default.
    fn default() -> Self {
        let env = MapEnv::default();
        let mut reading = Reading::new(LineIndex::new(""), EnvOverrides::collect(&env));
        read_settings(None, &env, &mut reading)
    }
}

/// The keys the schema declares, in the order it reads them (with the contract's quota kinds).
#[cfg(test)]
pub(super) fn declared_keys() -> Vec<super::reader::DeclaredKey> {
    let env = MapEnv::default();
    let mut reading = Reading::new(LineIndex::new(""), EnvOverrides::collect(&env));
    read_settings(None, &env, &mut reading);
    reading.declared
}

/// Reads the whole document (none: an empty file) against the schema, from the top-level keys
/// down, with the environment-only values beside them.
pub(super) fn read_settings(
    document: Option<&DeTable<'_>>,
    env: &dyn Env,
    reading: &mut Reading,
) -> Settings {
    let mut root = TableReader::new(String::new(), document);
    let prompts_dir = |dir: &_| optional_text(dir).map(|dir| dir.map(PathBuf::from));
    let language = root.value("language", TEXT, Language::Ja, parse_language, reading);
    let prompts_dir = root.value("prompts_dir", TEXT, None, prompts_dir, reading);
    let contract = read_contract(root.table("contract", reading), reading);
    let has_contract = contract.is_some();
    let settings = Settings {
        language,
        prompts_dir,
        contract,
        calendar: read_calendar(root.table("calendar", reading), reading),
        roles: read_roles(root.table("roles", reading), reading),
        channels: read_channels(root.table("channels", reading), reading),
        quotas: read_quotas(root.table("quota", reading), reading),
        meetings: read_meetings(root.table("meetings", reading), has_contract, reading),
        reminders: read_reminders(root.table("reminders", reading), reading),
        response: read_response(root.table("response", reading), reading),
        database_url: database_url(env),
        slack: SlackSecrets::from_env(env),
    };
    root.finish(reading);
    settings
}

/// Both dates or neither, so each is only read here and checked with the other.
fn read_contract(mut table: TableReader<'_, '_>, reading: &mut Reading) -> Option<ContractPeriod> {
    let start = table.raw("start", TEMPORAL, reading);
    let end = table.raw("end", TEMPORAL, reading);
    table.finish(reading);
    contract_period(start, end, &mut reading.problems)
}

fn read_calendar(mut table: TableReader<'_, '_>, reading: &mut Reading) -> CalendarRules {
    // 地方自治法 第4条の2: a city office is closed at the year end unless it says otherwise.
    let year_end_closure = table.value(
        "year_end_closure",
        BOOLEAN,
        true,
        |flag| Ok(flag.value),
        reading,
    );
    let mut extra_closed = table.list(
        "extra_closed",
        CLOSED_DAYS,
        Vec::new(),
        parse_closed_day,
        reading,
    );
    extra_closed.sort();
    extra_closed.dedup_by_key(|(date, _)| *date);
    let open_day = |day: &_| parse_open_day(day, &extra_closed);
    let mut extra_open = table.list("extra_open", TEMPORALS, Vec::new(), open_day, reading);
    extra_open.sort();
    extra_open.dedup();
    table.finish(reading);
    CalendarRules {
        year_end_closure,
        extra_closed,
        extra_open,
    }
}

fn read_roles(mut table: TableReader<'_, '_>, reading: &mut Reading) -> Roles {
    let roles = Roles {
        project_manager: table.list("project_manager", TEXTS, names(&["pm"]), any_text, reading),
        project_leader: table.list(
            "project_leader",
            TEXTS,
            names(&["leader"]),
            any_text,
            reading,
        ),
        coordinators: table.list("coordinators", TEXTS, names(&["coord"]), any_text, reading),
        consultants: table.list(
            "consultants",
            TEXTS,
            names(&["consultant"]),
            any_text,
            reading,
        ),
    };
    table.finish(reading);
    roles
}

fn read_channels(mut table: TableReader<'_, '_>, reading: &mut Reading) -> Channels {
    let channels = Channels {
        team: table.value("team", TEXT, "#banso-team".into(), parse_channel, reading),
        meetings: table.value("meetings", TEXT, "#banso".into(), parse_channel, reading),
    };
    table.finish(reading);
    channels
}

/// `[quota.<kind>]`: the kinds the contract names always, plus every kind named in the file or
/// an override.
/// Every key of `[quota]` is a kind name, so only badly formed or misspelt names are reported.
fn read_quotas<'a, 'i>(
    quota: TableReader<'a, 'i>,
    reading: &mut Reading,
) -> BTreeMap<String, QuotaRule> {
    let mut kinds: BTreeMap<String, Option<&'a DeTable<'i>>> = CONTRACT_KINDS
        .iter()
        .map(|(kind, _, _)| ((*kind).to_owned(), None))
        .collect();
    for kind in reading.env_tables_below(&quota.path) {
        // A misspelt kind stays undeclared, so its variables are reported with the fix.
        if matches!(classify_kind(&kind), KindName::Known | KindName::New) {
            kinds.entry(kind).or_insert(None);
        }
    }
    for (name, value) in quota.table.into_iter().flatten() {
        if let Some(table) = quota_kind_table(&quota.path, name, value, reading) {
            kinds.insert(name.get_ref().to_string(), Some(table));
        }
    }
    let mut quotas = BTreeMap::new();
    for (kind, table) in kinds {
        let reader = TableReader::new(join_key(&quota.path, &kind), table);
        let rule = read_quota(&kind, reader, reading);
        quotas.insert(kind, rule);
    }
    quotas
}

enum KindName {
    Known,
    New,
    Misspelt(&'static str),
    Malformed,
}

fn classify_kind(name: &str) -> KindName {
    if KNOWN_WORK_KINDS.contains(&name) {
        KindName::Known
    } else if let Some(known) = closest(name, KNOWN_WORK_KINDS) {
        KindName::Misspelt(known)
    } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        KindName::New
    } else {
        KindName::Malformed
    }
}

/// The table of one `[quota.<kind>]`, or `None` after reporting why it cannot be one.
fn quota_kind_table<'a, 'i>(
    parent: &str,
    name: &Spanned<DeString<'i>>,
    value: &'a Spanned<DeValue<'i>>,
    reading: &mut Reading,
) -> Option<&'a DeTable<'i>> {
    let key = join_key(parent, name.get_ref());
    let origin = Locator::File(&reading.lines).origin(name.span());
    let kind = match classify_kind(name.get_ref()) {
        KindName::Known | KindName::New => match value.get_ref() {
            DeValue::Table(table) => return Some(table),
            _ => ProblemKind::WrongType { expected: "table" },
        },
        KindName::Misspelt(known) => ProblemKind::UnknownKey {
            suggestion: Some(join_key(parent, known)),
        },
        KindName::Malformed => ProblemKind::InvalidValue {
            value: name.get_ref().to_string(),
            expected: "kind name of a-z and _",
        },
    };
    reading.problems.push(origin.problem(&key, kind));
    None
}

/// One kind's quota; its defaults are the contract's cap for the kind (`CONTRACT_KINDS`).
/// The alert points are checked against the limit, and follow it when left out.
fn read_quota(kind: &str, mut table: TableReader<'_, '_>, reading: &mut Reading) -> QuotaRule {
    let defaults = QuotaRule::default_for(kind);
    let limit = match table.raw("limit", INTEGER, reading) {
        Some(limit) => report(parse_limit(&limit), &mut reading.problems),
        None => Some(defaults.limit),
    };
    let period_code = |period: &_| parse_with(period, QuotaPeriod::from_code, "month or contract");
    let period = table.value("period", TEXT, defaults.period, period_code, reading);
    let alert_at = match (table.raw("alert_at", INTEGERS, reading), limit) {
        (None, Some(limit)) => default_alert_points(limit),
        (Some(points), Some(limit)) => alert_points(&points, limit, &mut reading.problems),
        // With no valid limit there is nothing to check the alert points against.
        (_, None) => Vec::new(),
    };
    table.finish(reading);
    QuotaRule {
        limit: limit.unwrap_or(defaults.limit),
        period,
        alert_at,
    }
}

fn read_meetings(
    mut table: TableReader<'_, '_>,
    has_contract: bool,
    reading: &mut Reading,
) -> MeetingSettings {
    let regular = read_regular_meeting(table.table("regular", reading), reading);
    let biweekly = read_biweekly_meeting(table.table("biweekly", reading), reading);
    let kickoff_table = table.table("kickoff", reading);
    let kickoff = read_kickoff(
        kickoff_table,
        regular.duration_minutes,
        has_contract,
        reading,
    );
    table.finish(reading);
    MeetingSettings {
        regular,
        biweekly,
        kickoff,
    }
}

/// 定例報告会 (仕様書 5(2)イ).
fn read_regular_meeting(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RegularRule {
    let second_tuesday = MonthlyRule {
        nth: NthWeek::Second,
        weekday: Weekday::Tue,
    };
    let deliverables = names(&[
        "会議次第",
        "進捗状況報告書",
        "課題管理表",
        "概要スケジュール",
    ]);
    let rule = RegularRule {
        rule: table.value("rule", TEXT, second_tuesday, parse_monthly_rule, reading),
        time: table.value("time", TEMPORAL, clock(10, 0), parse_time, reading),
        duration_minutes: table.value("duration_minutes", INTEGER, 60, parse_duration, reading),
        on_closed_day: table.value(
            "on_closed_day",
            TEXT,
            OnClosedDay::NextOpenDay,
            parse_on_closed_day,
            reading,
        ),
        // 仕様書 5(2)イ: 原則２開庁日前.
        deadline_open_days_before: table.value(
            "deadline_open_days_before",
            INTEGER,
            2,
            |days| in_range(days, 0..=30, "0..=30"),
            reading,
        ),
        deliverables: table.list("deliverables", TEXTS, deliverables, any_text, reading),
    };
    table.finish(reading);
    rule
}

/// The meeting every two weeks (仕様書 6(3)).
fn read_biweekly_meeting(mut table: TableReader<'_, '_>, reading: &mut Reading) -> BiweeklyRule {
    let rule = BiweeklyRule {
        anchor: table.value("anchor", TEMPORAL, None, parse_optional_date, reading),
        time: table.value("time", TEMPORAL, clock(14, 0), parse_time, reading),
        duration_minutes: table.value("duration_minutes", INTEGER, 60, parse_duration, reading),
        on_closed_day: table.value(
            "on_closed_day",
            TEXT,
            OnClosedDay::NextOpenDay,
            parse_on_closed_day,
            reading,
        ),
        url: table.value("url", TEXT, None, optional_text, reading),
    };
    table.finish(reading);
    rule
}

/// When the kickoff is held, as the file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KickoffDay {
    /// `""` or absent: the fifth open day after the contract's start, when
    /// the file gives a contract period (else none: its start is not known).
    Default,
    /// `"none"`: no kickoff (the contract's kickoff was held before banso).
    NotHeld,
    On(chrono::NaiveDate),
}

fn parse_kickoff_day(raw: &Sourced<String>) -> Result<KickoffDay, ConfigProblem> {
    match raw.value.trim() {
        "none" | "なし" => Ok(KickoffDay::NotHeld),
        _ => Ok(parse_optional_date(raw)?.map_or(KickoffDay::Default, KickoffDay::On)),
    }
}

/// キックオフ会議 (仕様書 5(2)ア): planned by default once a contract period is configured.
/// It has no length of its own in the file, so it takes the regular meeting's.
fn read_kickoff(
    mut table: TableReader<'_, '_>,
    duration_minutes: u32,
    has_contract: bool,
    reading: &mut Reading,
) -> Option<KickoffRule> {
    let day = table.value(
        "date",
        TEMPORAL,
        KickoffDay::Default,
        parse_kickoff_day,
        reading,
    );
    let time = table.value("time", TEMPORAL, clock(10, 0), parse_time, reading);
    let deliverables = table.list(
        "deliverables",
        TEXTS,
        names(&["実施計画書"]),
        any_text,
        reading,
    );
    table.finish(reading);
    let date = match day {
        KickoffDay::On(date) => Some(date),
        KickoffDay::Default if has_contract => None,
        KickoffDay::Default | KickoffDay::NotHeld => return None,
    };
    Some(KickoffRule {
        date,
        time,
        duration_minutes,
        deliverables,
    })
}

fn read_reminders(mut table: TableReader<'_, '_>, reading: &mut Reading) -> ReminderTimes {
    let times = ReminderTimes {
        heads_up: table.value("heads_up", TEMPORAL, clock(9, 0), parse_time, reading),
        due: table.value("due", TEMPORAL, clock(9, 0), parse_time, reading),
        escalation: table.value("escalation", TEMPORAL, clock(15, 0), parse_time, reading),
        meeting_day: table.value("meeting_day", TEMPORAL, clock(9, 0), parse_time, reading),
        biweekly_previous_day: table.value(
            "biweekly_previous_day",
            TEMPORAL,
            clock(17, 0),
            parse_time,
            reading,
        ),
        biweekly_before_minutes: table.value(
            "biweekly_before_minutes",
            INTEGER,
            60,
            |minutes| in_range(minutes, 0..=1440, "0..=1440"),
            reading,
        ),
    };
    table.finish(reading);
    times
}

/// The response targets of consultations, in open days (issue 13).
fn read_response(mut table: TableReader<'_, '_>, reading: &mut Reading) -> ResponseTargets {
    let defaults = ResponseTargets::default();
    let targets = ResponseTargets {
        first_response_open_days: table.value(
            "first_response_open_days",
            INTEGER,
            defaults.first_response_open_days,
            |days| in_range(days, 0..=30, "0..=30"),
            reading,
        ),
        answer_open_days: table.value(
            "answer_open_days",
            INTEGER,
            defaults.answer_open_days,
            |days| in_range(days, 0..=60, "0..=60"),
            reading,
        ),
        office_closes: table.value(
            "office_closes",
            TEMPORAL,
            defaults.office_closes,
            parse_time,
            reading,
        ),
        reminder_at: table.value(
            "reminder",
            TEMPORAL,
            defaults.reminder_at,
            parse_time,
            reading,
        ),
        missed_notice_at: table.value(
            "missed_notice",
            TEMPORAL,
            defaults.missed_notice_at,
            parse_time,
            reading,
        ),
    };
    table.finish(reading);
    targets
}

/// A time of day written in the code, for the defaults.
pub(super) fn clock(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("default clock times are valid")
}

/// A default list of names.
fn names(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}
