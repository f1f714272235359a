//! The schema: which tables and keys `banso.toml` has, written as the reads that stage one
//! makes, plus the open-ended `[quota.<kind>]` tables.

use std::collections::BTreeMap;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::problem::{ProblemKind, closest};
use super::raw::{
    RawBiweeklyMeeting, RawCalendar, RawChannels, RawContract, RawKickoff, RawMeetings, RawQuota,
    RawRegularMeeting, RawReminders, RawRoles, RawSettings,
};
use super::reader::{Locator, Reading, TableReader, join_key};

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

/// Reads the whole document against the schema, from the top-level keys down.
pub(super) fn read_raw_settings(document: &DeTable<'_>, reading: &mut Reading) -> RawSettings {
    let mut root = TableReader::new(String::new(), Some(document));
    let raw = RawSettings {
        language: root.text("language", reading),
        prompts_dir: root.text("prompts_dir", reading),
        contract: read_contract(root.table("contract", reading), reading),
        calendar: read_calendar(root.table("calendar", reading), reading),
        roles: read_roles(root.table("roles", reading), reading),
        channels: read_channels(root.table("channels", reading), reading),
        quotas: read_quotas(root.table("quota", reading), reading),
        meetings: read_meetings(root.table("meetings", reading), reading),
        reminders: read_reminders(root.table("reminders", reading), reading),
    };
    root.finish(reading);
    raw
}

fn read_contract(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawContract {
    let raw = RawContract {
        start: table.temporal("start", reading),
        end: table.temporal("end", reading),
    };
    table.finish(reading);
    raw
}

fn read_calendar(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawCalendar {
    let raw = RawCalendar {
        year_end_closure: table.boolean("year_end_closure", reading),
        extra_closed: table.closed_days("extra_closed", reading),
        extra_open: table.temporals("extra_open", reading),
    };
    table.finish(reading);
    raw
}

fn read_roles(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawRoles {
    let raw = RawRoles {
        project_manager: table.texts("project_manager", reading),
        project_leader: table.texts("project_leader", reading),
        coordinators: table.texts("coordinators", reading),
        consultants: table.texts("consultants", reading),
    };
    table.finish(reading);
    raw
}

fn read_channels(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawChannels {
    let raw = RawChannels {
        team: table.text("team", reading),
        meetings: table.text("meetings", reading),
    };
    table.finish(reading);
    raw
}

/// `[quota.<kind>]`: the kinds the contract names always, plus every kind named in the file or
/// an override.
/// Every key of `[quota]` is a kind name, so only badly formed or misspelt names are reported.
fn read_quotas<'a, 'i>(
    quota: TableReader<'a, 'i>,
    reading: &mut Reading,
) -> BTreeMap<String, RawQuota> {
    let mut kinds: BTreeMap<String, Option<&'a DeTable<'i>>> = super::settings::CONTRACT_KINDS
        .iter()
        .map(|(kind, _, _)| ((*kind).to_owned(), None))
        .collect();
    for kind in reading.env.tables_named_below(&quota.path) {
        // A misspelt kind stays unconsulted, so its variables are reported with the fix.
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
        quotas.insert(kind, read_quota(reader, reading));
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

fn read_quota(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawQuota {
    let raw = RawQuota {
        limit: table.integer("limit", reading),
        period: table.text("period", reading),
        alert_at: table.integers("alert_at", reading),
    };
    table.finish(reading);
    raw
}

fn read_meetings(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawMeetings {
    let raw = RawMeetings {
        regular: read_regular_meeting(table.table("regular", reading), reading),
        biweekly: read_biweekly_meeting(table.table("biweekly", reading), reading),
        kickoff: read_kickoff(table.table("kickoff", reading), reading),
    };
    table.finish(reading);
    raw
}

fn read_regular_meeting(
    mut table: TableReader<'_, '_>,
    reading: &mut Reading,
) -> RawRegularMeeting {
    let raw = RawRegularMeeting {
        rule: table.text("rule", reading),
        time: table.temporal("time", reading),
        duration_minutes: table.integer("duration_minutes", reading),
        on_closed_day: table.text("on_closed_day", reading),
        deadline_open_days_before: table.integer("deadline_open_days_before", reading),
        deliverables: table.texts("deliverables", reading),
    };
    table.finish(reading);
    raw
}

fn read_biweekly_meeting(
    mut table: TableReader<'_, '_>,
    reading: &mut Reading,
) -> RawBiweeklyMeeting {
    let raw = RawBiweeklyMeeting {
        anchor: table.temporal("anchor", reading),
        time: table.temporal("time", reading),
        duration_minutes: table.integer("duration_minutes", reading),
        on_closed_day: table.text("on_closed_day", reading),
        url: table.text("url", reading),
    };
    table.finish(reading);
    raw
}

fn read_kickoff(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawKickoff {
    let raw = RawKickoff {
        date: table.temporal("date", reading),
        time: table.temporal("time", reading),
        deliverables: table.texts("deliverables", reading),
    };
    table.finish(reading);
    raw
}

fn read_reminders(mut table: TableReader<'_, '_>, reading: &mut Reading) -> RawReminders {
    let raw = RawReminders {
        heads_up: table.temporal("heads_up", reading),
        due: table.temporal("due", reading),
        escalation: table.temporal("escalation", reading),
        meeting_day: table.temporal("meeting_day", reading),
        biweekly_previous_day: table.temporal("biweekly_previous_day", reading),
        biweekly_before_minutes: table.integer("biweekly_before_minutes", reading),
    };
    table.finish(reading);
    raw
}
