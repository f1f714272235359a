//! 相談対応記録: a month's consultations as an Excel workbook — the list, the
//! count against the quota (仕様書 4(1): 月10件程度), and each one's
//! history — for the regular meeting and the city's own records: the rows
//! and figures as cells; the caller streams them into `xlsx::TableWriter`s.
//! The words (sheet names, headers, labels) are passed in from the
//! templates.

use chrono::{NaiveDate, NaiveDateTime};

use super::xlsx::Cell;

/// Sheet names and column headers, in the user's language.
#[derive(Debug, Clone)]
pub struct ConsultationWords {
    pub list_sheet: String,
    /// 16 headers, in the order of `ConsultationLine`'s fields.
    pub list_headers: Vec<String>,
    pub summary_sheet: String,
    /// 10 labels, in the order of `MonthFigures`' fields.
    pub summary_labels: Vec<String>,
    pub history_sheet: String,
    /// 7 headers, in the order of `HistoryLine`'s fields.
    pub history_headers: Vec<String>,
}

impl ConsultationWords {
    pub const LIST_COLUMNS: usize = 16;
    pub const SUMMARY_ROWS: usize = 10;
    pub const HISTORY_COLUMNS: usize = 7;
}

/// One consultation as the list shows it (labels already in words).
#[derive(Debug, Clone)]
pub struct ConsultationLine {
    pub short_id: String,
    /// In the city's time.
    pub received_at: NaiveDateTime,
    /// The requester's name where banso knows it, else their id.
    pub requester: String,
    pub department: Option<String>,
    pub title: String,
    pub category: String,
    pub details: String,
    pub desired_date: Option<NaiveDate>,
    pub status: String,
    pub assignee: Option<String>,
    /// The period whose quota it uses (`2024-06`, or the contract).
    pub counted_in: Option<String>,
    /// Its place in that period's count.
    pub position: Option<i64>,
    /// Why it was declined or held, or that it counts as an exception.
    pub note: Option<String>,
    /// The advice last sent to the requester.
    pub latest_answer: Option<String>,
    /// Open days from its receipt to the team's first word to the
    /// requester (assignment or answer), and to its first answer.
    pub open_days_to_first_response: Option<i64>,
    pub open_days_to_answer: Option<i64>,
}

/// One entry of a consultation's history.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub short_id: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub what: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub detail: Option<String>,
}

/// The month's figures, as `/quota` shows them.
#[derive(Debug, Clone)]
pub struct MonthFigures {
    /// 令和6年6月.
    pub month: String,
    pub limit: u32,
    pub counted: u32,
    pub exceptions: u32,
    pub carried_in: u32,
    pub remaining: u32,
    pub held: u32,
    pub carried_out: u32,
    pub received: u32,
    pub made_at: NaiveDateTime,
}

/// The list's row of a consultation.
pub fn list_row(line: ConsultationLine) -> Vec<Cell> {
    vec![
        Cell::Text(line.short_id),
        Cell::DateTime(line.received_at),
        Cell::Text(line.requester),
        line.department.into(),
        Cell::Text(line.title),
        Cell::Text(line.category),
        Cell::Text(line.details),
        line.desired_date.into(),
        Cell::Text(line.status),
        line.assignee.into(),
        line.counted_in.into(),
        line.position
            .map_or(Cell::Empty, |n| Cell::Number(n as f64)),
        line.note.into(),
        line.latest_answer.into(),
        line.open_days_to_first_response
            .map_or(Cell::Empty, |n| Cell::Number(n as f64)),
        line.open_days_to_answer
            .map_or(Cell::Empty, |n| Cell::Number(n as f64)),
    ]
}

/// The history's row of an entry.
pub fn history_row(line: HistoryLine) -> Vec<Cell> {
    vec![
        Cell::Text(line.short_id),
        Cell::DateTime(line.at),
        Cell::Text(line.actor),
        Cell::Text(line.what),
        line.from.into(),
        line.to.into(),
        line.detail.into(),
    ]
}

/// The summary sheet's label–value pairs.
pub fn summary_pairs(words: &ConsultationWords, figures: &MonthFigures) -> Vec<(String, Cell)> {
    words
        .summary_labels
        .iter()
        .cloned()
        .zip([
            Cell::Text(figures.month.clone()),
            Cell::Number(f64::from(figures.limit)),
            Cell::Number(f64::from(figures.counted)),
            Cell::Number(f64::from(figures.exceptions)),
            Cell::Number(f64::from(figures.carried_in)),
            Cell::Number(f64::from(figures.remaining)),
            Cell::Number(f64::from(figures.held)),
            Cell::Number(f64::from(figures.carried_out)),
            Cell::Number(f64::from(figures.received)),
            Cell::DateTime(figures.made_at),
        ])
        .collect()
}
