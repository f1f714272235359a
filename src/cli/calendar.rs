//! `banso calendar …`: the open-day (開庁日) calendar as data.

use chrono::NaiveDate;
use clap::Subcommand;

use super::Failure;
use super::args::{FormatArg, parse_date};
use crate::bot::calendar_queries;
use crate::bot::open_day_calendar;
use crate::bot::texts::Texts;
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub(super) enum CalendarCommand {
    /// National holidays (incl. 振替休日, 国民の休日) between two dates.
    Holidays(RangeArgs),
    /// Open days between two dates.
    OpenDays(RangeArgs),
    /// Whether a date is an open day, and why not.
    IsOpen {
        #[arg(value_name = "DATE", value_parser = parse_date)]
        date: NaiveDate,
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
    },
    /// The date N open days after (N > 0) or before (N < 0) a date.
    Shift {
        #[arg(value_name = "DATE", value_parser = parse_date)]
        date: NaiveDate,
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        open_days: i32,
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
    },
}

#[derive(Debug, clap::Args)]
pub(super) struct RangeArgs {
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: NaiveDate,
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: NaiveDate,
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
}

pub(super) fn run_calendar(
    settings: &Settings,
    texts: &Texts,
    command: CalendarCommand,
) -> Result<(), Failure> {
    let calendar = open_day_calendar(settings);
    let output = match command {
        CalendarCommand::Holidays(range) => {
            calendar_queries::holidays(&calendar, texts, range.from, range.to, range.format.into())
        }
        CalendarCommand::OpenDays(range) => {
            calendar_queries::open_days(&calendar, texts, range.from, range.to, range.format.into())
        }
        CalendarCommand::IsOpen { date, format } => Ok(calendar_queries::is_open(
            &calendar,
            texts,
            date,
            format.into(),
        )),
        CalendarCommand::Shift {
            date,
            open_days,
            format,
        } => calendar_queries::shift(&calendar, texts, date, open_days, format.into()),
    };
    let output = output.map_err(|error| Failure::usage(error.render(texts)))?;
    super::say(output);
    Ok(())
}
