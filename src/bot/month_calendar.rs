//! `/calendar [YYYY-MM]`: a month's open days (開庁日) and its closed days
//! with their reasons, so people can check the office calendar in chat.

use serde::Serialize;

use super::Bot;
use crate::domain::fiscal;
use crate::domain::month::YearMonth;

#[derive(Serialize)]
struct ClosedDayView {
    date: String,
    reason: String,
    reason_code: &'static str,
}

#[derive(Serialize)]
struct MonthView {
    month: String,
    month_ja: String,
    open_count: usize,
    open_days: Vec<String>,
    closed_days: Vec<ClosedDayView>,
}

/// The reply to `/calendar`; the current month (in the city's time zone)
/// when none is given.
pub(super) fn render(bot: &Bot, month: Option<YearMonth>) -> String {
    let month = month.unwrap_or_else(|| YearMonth::of(bot.clock().now_in_city().date_naive()));
    let (first, last) = (month.first_day(), month.last_day());
    let calendar = bot.calendar();
    let view = MonthView {
        month: month.to_string(),
        month_ja: fiscal::japanese_year_month(first),
        open_count: calendar.open_days_between(first, last).len(),
        open_days: calendar
            .open_days_between(first, last)
            .iter()
            .map(|date| date.to_string())
            .collect(),
        closed_days: calendar
            .closed_days_between(first, last)
            .into_iter()
            .map(|(date, reason)| ClosedDayView {
                date: date.to_string(),
                reason: reason.name_ja().to_owned(),
                reason_code: reason.code(),
            })
            .collect(),
    };
    bot.texts().render("chat/calendar_month", view)
}
