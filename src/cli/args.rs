//! Value parsers and value enums shared by several commands: a bad value is
//! refused by clap with a short name of what was expected, which
//! `errors.rs` turns into one line for a person.

use chrono::{DateTime, NaiveDate};
use clap::ValueEnum;

use crate::bot::calendar_queries::Format;
use crate::domain::month::YearMonth;
use crate::message::UserId;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum FormatArg {
    Text,
    Json,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
        }
    }
}

pub(super) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| String::from("YYYY-MM-DD"))
}

pub(super) fn parse_month(text: &str) -> Result<YearMonth, String> {
    text.trim().parse().map_err(|_| String::from("YYYY-MM"))
}

pub(super) fn parse_instant(text: &str) -> Result<DateTime<chrono::FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|_| String::from("RFC 3339"))
}

pub(super) fn parse_user(text: &str) -> Result<UserId, String> {
    UserId::parse(text).map_err(|_| String::from("user"))
}
