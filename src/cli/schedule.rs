//! `banso schedule …`: every meeting, deadline and reminder the
//! configuration produces, as a list or an iCalendar file; nothing is sent.

use clap::Subcommand;
use serde_json::json;

use super::Failure;
use super::args::FormatArg;
use crate::bot::clock::{Clock, SystemClock};
use crate::bot::meetings::preview;
use crate::bot::open_day_calendar;
use crate::bot::texts::Texts;
use crate::config::Settings;
use crate::domain::meeting::MeetingKind;
use crate::export::ics::{IcsNames, calendar_ics};

#[derive(Debug, Subcommand)]
pub(super) enum ScheduleCommand {
    /// List meetings and reminders in time order; nothing is sent.
    Preview {
        /// Plan this fiscal year (2024 = 令和6年度) when the config sets no contract period.
        #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1949..=2199))]
        fiscal_year: Option<i32>,
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
    },
    /// Write an iCalendar (RFC 5545) file of meetings and deadlines to stdout.
    Ics {
        #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1949..=2199))]
        fiscal_year: Option<i32>,
    },
}

pub(super) fn run_schedule(
    settings: &Settings,
    texts: &Texts,
    command: ScheduleCommand,
) -> Result<(), Failure> {
    let fiscal_year = match &command {
        ScheduleCommand::Preview { fiscal_year, .. } | ScheduleCommand::Ics { fiscal_year } => {
            *fiscal_year
        }
    };
    let today = SystemClock.now_in_city().date_naive();
    let period = preview::period(settings, fiscal_year, today).map_err(
        |preview::PeriodError::OutsideContract { start, end }| {
            Failure::usage(texts.render(
                "cli/outside_contract",
                json!({ "start": start.to_string(), "end": end.to_string() }),
            ))
        },
    )?;
    let calendar = open_day_calendar(settings);
    let output = match command {
        ScheduleCommand::Preview {
            format: FormatArg::Json,
            ..
        } => serde_json::to_string(&preview::entries(settings, &calendar, period))
            .expect("plain data serialises"),
        ScheduleCommand::Preview {
            format: FormatArg::Text,
            ..
        } => {
            let entries = preview::entries(settings, &calendar, period);
            texts.render("cli/schedule_preview", json!({ "entries": entries, "from": period.0.to_string(), "to": period.1.to_string() }))
        }
        ScheduleCommand::Ics { .. } => {
            let name = |field: &str| texts.render("cli/ics_names", json!({ "field": field }));
            let names = IcsNames {
                calendar: name("calendar"),
                regular: name("regular"),
                biweekly: name("biweekly"),
                kickoff: name("kickoff"),
                added: MeetingKind::ADDED
                    .into_iter()
                    .map(|kind| (kind, name(kind.code())))
                    .collect(),
                deadline: name("deadline"),
                deliverables: name("deliverables"),
                url: name("url"),
            };
            calendar_ics(
                &preview::meetings(settings, &calendar, period),
                &names,
                SystemClock.now(),
            )
        }
    };
    super::say_raw(format_args!("{output}"));
    if !output.ends_with('\n') {
        super::say("");
    }
    Ok(())
}
