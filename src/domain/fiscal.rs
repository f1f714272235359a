//! PLACEHOLDER (being replaced by the real module).
use chrono::{Datelike, NaiveDate};
pub fn japanese_date(d: NaiveDate) -> String {
    format!("令和{}年{}月{}日", d.year() - 2018, d.month(), d.day())
}
pub fn japanese_year_month(d: NaiveDate) -> String {
    format!("令和{}年{}月", d.year() - 2018, d.month())
}
pub fn japanese_weekday(d: NaiveDate) -> &'static str {
    ["月", "火", "水", "木", "金", "土", "日"][d.weekday().num_days_from_monday() as usize]
}
