//! 進捗状況報告書 of a month: the consultations and their figures, every
//! capped kind of work in the period holding the month, the open issues
//! and next month's meetings — one content, written as a workbook or as a
//! Word document. The words come from `export/progress`.

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use serde_json::json;

use super::kadai::item_cells;
use super::words::{Labels, ReportWords, city_time};
use super::{DocumentFormat, ExportError, Exported};
use crate::bot::Bot;
use crate::bot::consultations::notices::month_ja;
use crate::bot::consultations::targets::{MonthResponse, month_figures};
use crate::bot::quotas::{QUOTA_KIND, consultation_policy};
use crate::domain::kadai::is_overdue;
use crate::domain::month::YearMonth;
use crate::domain::quota::{MonthSummary, summarise_month};
use crate::export::progress::{
    ProgressReport, Section, SectionTable, progress_document, progress_workbook,
};
use crate::export::xlsx::Cell;
use crate::message::plain_text;
use crate::store::KadaiItem;

const TEMPLATE: &str = "export/progress";

/// 進捗状況報告書 of `month`, refused outside the contract.
pub async fn progress(
    bot: &Bot,
    month: YearMonth,
    format: DocumentFormat,
) -> Result<Exported, ExportError> {
    super::check_month(bot, month)?;
    progress_of(bot, month, format).await
}

/// The same, for any month (the contract's end exports every month).
pub(super) async fn progress_of(
    bot: &Bot,
    month: YearMonth,
    format: DocumentFormat,
) -> Result<Exported, ExportError> {
    let today = bot.today();
    let read = read_report(bot, month, today).await?;
    let words = ReportWords::render(bot, TEMPLATE, report_context(month, today, &read));
    let rows = read.consultations.len();
    let report = progress_report(&words, read)?;
    let bytes = match format {
        DocumentFormat::Xlsx => progress_workbook(&report)?,
        DocumentFormat::Docx => progress_document(&report).map_err(ExportError::Docx)?,
    };
    Ok(Exported { bytes, rows })
}

/// What the report says, read before its words are rendered (the lines
/// quote the figures).
struct ReportData {
    summary: MonthSummary,
    consultations: Vec<Vec<Cell>>,
    work: Vec<Vec<Cell>>,
    open_items: usize,
    overdue: usize,
    kadai: Vec<Vec<Cell>>,
    plan: Vec<Vec<Cell>>,
    /// Open days to the first response and to the answer, and what is
    /// past its target (issue 13).
    response: MonthResponse,
    /// The consultations counted in each month of the contract up to the
    /// one reported, against the limit: the chart's figures.
    monthly: Vec<Vec<Cell>>,
}

async fn read_report(
    bot: &Bot,
    month: YearMonth,
    today: NaiveDate,
) -> Result<ReportData, ExportError> {
    let mut labels = Labels::new(bot);
    let requests = bot
        .store()
        .counted_requests(QUOTA_KIND, month, month.next())
        .await?;
    let open = bot.store().kadai_items(false).await?;
    Ok(ReportData {
        summary: summarise_month(&consultation_policy(bot), month, &requests),
        consultations: consultation_rows(bot, month, &mut labels).await?,
        work: work_rows(bot, month, &mut labels).await?,
        open_items: open.len(),
        overdue: open
            .iter()
            .filter(|item| is_overdue(item.status, item.due, today))
            .count(),
        kadai: kadai_rows(&open, today, &mut labels),
        plan: plan_rows(bot, month.next(), &mut labels).await?,
        response: plain_titles(month_figures(bot, month).await?),
        monthly: monthly_rows(bot, month).await?,
    })
}

/// The contract's months up to `month` (at most a year back, with no
/// contract configured): each month's counted consultations and the limit.
async fn monthly_rows(bot: &Bot, month: YearMonth) -> Result<Vec<Vec<Cell>>, ExportError> {
    let first = bot.settings().contract.map_or(
        month.first_day() - chrono::Duration::days(330),
        |contract| contract.start,
    );
    let first = YearMonth::of(first);
    let policy = consultation_policy(bot);
    let requests = bot
        .store()
        .counted_requests(QUOTA_KIND, first, month)
        .await?;
    let mut rows = Vec::new();
    let mut at = first;
    while at <= month {
        let summary = summarise_month(&policy, at, &requests);
        rows.push(vec![
            Cell::Text(month_ja(at)),
            Cell::Number(f64::from(summary.counted)),
            Cell::Number(f64::from(summary.limit)),
        ]);
        at = at.next();
    }
    Ok(rows)
}

/// The figures with their titles in plain words, as a file shows them.
fn plain_titles(mut response: MonthResponse) -> MonthResponse {
    for past in &mut response.past_targets {
        past.title = plain_text(&past.title);
    }
    response
}

/// Section 1: the consultations received in the month.
async fn consultation_rows(
    bot: &Bot,
    month: YearMonth,
    labels: &mut Labels<'_>,
) -> Result<Vec<Vec<Cell>>, ExportError> {
    let mut rows = Vec::new();
    let mut consultations = bot.store().consultations_received_in(month);
    while let Some((consultation, _)) = consultations.try_next().await? {
        rows.push(vec![
            Cell::Text(consultation.short_id),
            Cell::Date(city_time(consultation.received_at).date()),
            Cell::Text(plain_text(&consultation.title)),
            Cell::Text(labels.get("category", consultation.category.code())),
            Cell::Text(labels.get("status", consultation.status.code())),
        ]);
    }
    Ok(rows)
}

/// Section 2: every capped kind's count in the period holding the month
/// reported — not today's, so that a past month's report says what that
/// month's period came to.
async fn work_rows(
    bot: &Bot,
    month: YearMonth,
    labels: &mut Labels<'_>,
) -> Result<Vec<Vec<Cell>>, ExportError> {
    Ok(crate::bot::work::summary(bot, month)
        .await?
        .iter()
        .map(|kind| {
            vec![
                Cell::Text(labels.get("work_kind", &kind.kind)),
                Cell::Number(f64::from(kind.counted)),
                Cell::Number(f64::from(kind.limit)),
                Cell::Text(labels.get("period", &kind.period.bucket)),
                Cell::Number(f64::from(kind.held)),
            ]
        })
        .collect())
}

/// Section 3: the open items, as the 課題管理表 shows them without the
/// status and the dates (the report lists open items only).
fn kadai_rows(open: &[KadaiItem], today: NaiveDate, labels: &mut Labels<'_>) -> Vec<Vec<Cell>> {
    open.iter()
        .map(|item| {
            let row = item_cells(item, today, labels);
            [0, 1, 2, 3, 4, 6]
                .map(|column| row[column].clone())
                .to_vec()
        })
        .collect()
}

/// Section 4: the meetings of the month after the one reported.
async fn plan_rows(
    bot: &Bot,
    next: YearMonth,
    labels: &mut Labels<'_>,
) -> Result<Vec<Vec<Cell>>, ExportError> {
    Ok(crate::bot::meetings::plan(bot)
        .await?
        .iter()
        .filter(|meeting| next.contains(meeting.date()))
        .map(|meeting| {
            vec![
                Cell::Date(meeting.date()),
                Cell::Text(meeting.starts_at.format("%H:%M").to_string()),
                Cell::Text(labels.get("meeting", meeting.kind.code())),
                meeting.deadline.into(),
            ]
        })
        .collect())
}

/// What `export/progress` quotes: the month, the figures, the counts.
fn report_context(month: YearMonth, today: NaiveDate, read: &ReportData) -> serde_json::Value {
    let (s, next) = (&read.summary, month.next());
    json!({
        "month": month.to_string(), "month_ja": month_ja(month),
        "first": month.first_day().to_string(), "last": month.last_day().to_string(),
        "made": today.to_string(),
        "next_month": next.to_string(), "next_month_ja": month_ja(next),
        "s": {
            "received": read.consultations.len(), "counted": s.counted, "limit": s.limit,
            "remaining": s.remaining, "held": s.held, "exceptions": s.exceptions,
            "carried_in": s.carried_in, "carried_out": s.carried_out,
        },
        "open": read.open_items, "overdue": read.overdue,
        "response": read.response,
    })
}

fn progress_report(words: &ReportWords, read: ReportData) -> Result<ProgressReport, ExportError> {
    Ok(ProgressReport {
        title: words.one("title")?,
        preface: words.all("preface"),
        overview_sheet: words.one("overview_sheet")?,
        sections: vec![
            section(words, "consultations", "Consultations", read.consultations)?,
            {
                let mut monthly = section(words, "monthly", "Monthly", read.monthly)?;
                monthly.table.chart = Some(words.one("monthly_chart")?);
                monthly
            },
            section(words, "work", "Work", read.work)?,
            section(words, "kadai", "Issues", read.kadai)?,
            section(words, "plan", "NextMonth", read.plan)?,
        ],
    })
}

/// A section from its `{key}_…` lines; `name` is its Excel table's name.
fn section(
    words: &ReportWords,
    key: &str,
    name: &str,
    rows: Vec<Vec<Cell>>,
) -> Result<Section, ExportError> {
    Ok(Section {
        heading: words.one(&format!("{key}_heading"))?,
        lines: words.all(&format!("{key}_line")),
        table: SectionTable {
            sheet: words.one(&format!("{key}_sheet"))?,
            name: name.to_owned(),
            headers: words.columns(&format!("{key}_headers"), rows.first().map(Vec::len))?,
            rows,
            empty: words.one(&format!("{key}_empty"))?,
            chart: None,
        },
    })
}
