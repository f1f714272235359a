//! The open-day calendar as data (`banso calendar …`): holidays, open days,
//! whether a day is open, and open-day shifts, as text for people or JSON
//! for other tools. Pure apart from the texts it renders.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::texts::Texts;
use crate::domain::calendar::OpenDayCalendar;

/// Text for people (Japanese names by default) or JSON for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// A request the calendar cannot answer; each renders one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    ReversedRange { from: NaiveDate, to: NaiveDate },
    ZeroShift,
    OutOfRange,
}

impl QueryError {
    pub fn render(&self, texts: &Texts) -> String {
        match self {
            QueryError::ReversedRange { from, to } => texts.render(
                "cli/reversed_range",
                json!({ "from": from.to_string(), "to": to.to_string() }),
            ),
            QueryError::ZeroShift => texts.render("cli/zero_shift", json!({})),
            QueryError::OutOfRange => texts.render("cli/out_of_range", json!({})),
        }
    }
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), QueryError> {
    if from > to {
        return Err(QueryError::ReversedRange { from, to });
    }
    Ok(())
}

#[derive(Serialize)]
struct HolidayView {
    date: String,
    name: &'static str,
}

/// National holidays (incl. 振替休日 and 国民の休日) in `[from, to]`.
pub fn holidays(
    calendar: &OpenDayCalendar,
    texts: &Texts,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<String, QueryError> {
    check_range(from, to)?;
    let holidays: Vec<HolidayView> = calendar
        .holidays_between(from, to)
        .into_iter()
        .map(|holiday| HolidayView {
            date: holiday.date.to_string(),
            name: holiday.name,
        })
        .collect();
    Ok(match format {
        Format::Json => serde_json::to_string(&holidays).expect("plain data serialises"),
        Format::Text => texts.render(
            "cli/holidays",
            json!({ "holidays": holidays, "from": from.to_string(), "to": to.to_string() }),
        ),
    })
}

/// Every open day in `[from, to]`.
pub fn open_days(
    calendar: &OpenDayCalendar,
    texts: &Texts,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<String, QueryError> {
    check_range(from, to)?;
    let days: Vec<String> = calendar
        .open_days_between(from, to)
        .iter()
        .map(NaiveDate::to_string)
        .collect();
    Ok(match format {
        Format::Json => json!(days).to_string(),
        Format::Text => texts.render(
            "cli/open_days",
            json!({ "days": days, "from": from.to_string(), "to": to.to_string() }),
        ),
    })
}

// Field order is the documented JSON shape (README.md, "The open-day
// calendar as data"), which other tools read.
#[derive(Serialize)]
struct IsOpenView {
    date: String,
    open: bool,
    reason: Option<String>,
}

#[derive(Serialize)]
struct ShiftView {
    from: String,
    open_days: i32,
    date: String,
}

/// Whether `date` is an open day, and if not, why.
pub fn is_open(
    calendar: &OpenDayCalendar,
    texts: &Texts,
    date: NaiveDate,
    format: Format,
) -> String {
    let reason = calendar.closed_reason(date);
    let view = IsOpenView {
        date: date.to_string(),
        open: reason.is_none(),
        reason: reason.as_ref().map(|reason| reason.name_ja().to_owned()),
    };
    match format {
        Format::Json => serde_json::to_string(&view).expect("plain data serialises"),
        Format::Text => texts.render(
            "cli/is_open",
            json!({
                "date": date.to_string(),
                "open": reason.is_none(),
                "reason": reason.as_ref().map(|reason| reason.name_ja()),
                "reason_code": reason.as_ref().map(|reason| reason.code()),
            }),
        ),
    }
}

/// The `open_days`-th open day after (`> 0`) or before (`< 0`) `from`.
pub fn shift(
    calendar: &OpenDayCalendar,
    texts: &Texts,
    from: NaiveDate,
    open_days: i32,
    format: Format,
) -> Result<String, QueryError> {
    if open_days == 0 {
        return Err(QueryError::ZeroShift);
    }
    let date = calendar
        .shift_open_days(from, open_days)
        .ok_or(QueryError::OutOfRange)?;
    let view = ShiftView {
        from: from.to_string(),
        open_days,
        date: date.to_string(),
    };
    Ok(match format {
        Format::Json => serde_json::to_string(&view).expect("plain data serialises"),
        Format::Text => texts.render(
            "cli/shift",
            json!({ "from": from.to_string(), "open_days": open_days, "count": open_days.unsigned_abs(), "date": date.to_string() }),
        ),
    })
}
