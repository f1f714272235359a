//! Exports as people ask for them: the data read from the store, the words
//! from the templates (`prompts/*/export/`), the file from `crate::export`.
//! Every export is recorded in the history (who, what, when).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime};
use serde_json::json;

use super::Bot;
use super::clock::CITY_TIME_ZONE;
use super::consultations::notices::month_ja;
use super::quotas::{QUOTA_KIND, consultation_policy as policy};
use crate::domain::month::YearMonth;
use crate::domain::quota::summarise_month;
use futures_util::TryStreamExt;
use rust_xlsxwriter::Workbook;

use crate::export::consultations::{
    ConsultationLine, ConsultationWords, HistoryLine, MonthFigures, history_row, list_row,
    summary_pairs,
};
use crate::export::progress::{
    ProgressReport, Section, SectionTable, progress_document, progress_workbook,
};
use crate::export::xlsx::{Cell, TableWriter, pairs_sheet, table_workbook};
use crate::store::{ExportRecord, NamedConsultation, StoreError};

/// A file made, before it is written anywhere.
#[derive(Debug)]
pub struct Exported {
    pub bytes: Vec<u8>,
    /// Data rows in it (consultations, items).
    pub rows: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The month lies outside the configured contract.
    #[error("{month} is outside the contract ({start} to {end})")]
    OutsideContract {
        month: YearMonth,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
    },
    /// An overriding template does not give the expected lines.
    #[error("template {template}: {problem}")]
    Words {
        template: &'static str,
        problem: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot build the document: {0}")]
    Docx(std::io::Error),
    /// Reading the plan or the counts failed (a store error underneath).
    #[error("{0:#}")]
    Data(#[from] anyhow::Error),
}

/// Refuses a month outside the configured contract (with no contract
/// configured, any month).
pub fn check_month(bot: &Bot, month: YearMonth) -> Result<(), ExportError> {
    if let Some(contract) = bot.settings().contract {
        let (first, last) = (month.first_day(), month.last_day());
        if last < contract.start || first > contract.end {
            return Err(ExportError::OutsideContract {
                month,
                start: contract.start,
                end: contract.end,
            });
        }
    }
    Ok(())
}

/// 相談対応記録 of `month`: the list, the figures and the history. On a
/// SQLite file the rows stream from a bulk reader on a blocking thread
/// into constant-memory sheets; through the pool (PostgreSQL) they are
/// read first.
pub async fn consultations(bot: &Bot, month: YearMonth) -> Result<Exported, ExportError> {
    check_month(bot, month)?;
    consultations_of(bot, month).await
}

async fn consultations_of(bot: &Bot, month: YearMonth) -> Result<Exported, ExportError> {
    let words = consultation_words(bot)?;
    let store = bot.store();
    let requests = store
        .counted_requests(QUOTA_KIND, month, month.next())
        .await?;
    let summary = summarise_month(&policy(bot), month, &requests);
    let names = store.display_names().await?;
    let made_at = city_time(bot.clock().now().timestamp());
    let figures = move |received: usize| MonthFigures {
        month: month_ja(month),
        limit: summary.limit,
        counted: summary.counted,
        exceptions: summary.exceptions,
        carried_in: summary.carried_in,
        remaining: summary.remaining,
        held: summary.held,
        carried_out: summary.carried_out,
        received: u32::try_from(received).unwrap_or(u32::MAX),
        made_at,
    };
    if let Some(reader) = store.bulk_reader()? {
        let bot = bot.clone();
        let made = tokio::task::spawn_blocking(move || {
            let received = reader.count_received_in(month)?;
            let entries = reader.count_history_of_month(month)?;
            let figures = figures(received);
            reader.consultations_received_in(month, |list| {
                reader.history_of_month(month, |history| {
                    assemble(
                        &bot,
                        &words,
                        &figures,
                        &names,
                        (received, list),
                        (entries, history),
                    )
                })
            })??
        })
        .await
        .map_err(|error| ExportError::Data(anyhow::anyhow!("the export stopped: {error}")))?;
        return made;
    }
    let received: Vec<_> = store.consultations_received_in(month).try_collect().await?;
    let history: Vec<_> = store.history_of_month(month).try_collect().await?;
    let figures = figures(received.len());
    let (count, entries) = (received.len(), history.len());
    assemble(
        bot,
        &words,
        &figures,
        &names,
        (count, &mut received.into_iter().map(Ok)),
        (entries, &mut history.into_iter().map(Ok)),
    )
}

type Rows<'r, T> = (usize, &'r mut dyn Iterator<Item = Result<T, StoreError>>);

/// Writes the workbook from the rows, in order: `list` and `history` each
/// say how many rows they will give (the tables are declared first); a
/// row beyond that count — received since it was taken — waits for the
/// next export.
fn assemble(
    bot: &Bot,
    words: &ConsultationWords,
    figures: &MonthFigures,
    names: &HashMap<String, String>,
    (received, list): Rows<'_, NamedConsultation>,
    (entries, history): Rows<'_, (String, crate::store::Event)>,
) -> Result<Exported, ExportError> {
    let name_of = |id: String| names.get(&id).cloned().unwrap_or(id);
    let mut labels = Labels::new(bot);
    let mut workbook = Workbook::new();
    // The fastest deflate: a month of 100,000 consultations saves in about
    // 1.5 s less, for a file of 18.6 MB instead of 11.1 MB (BENCHMARKS.md).
    workbook.set_zip_compression_level(1);
    let mut table = TableWriter::start(
        &mut workbook,
        &words.list_sheet,
        "Consultations",
        &words.list_headers,
        received,
    )?;
    let mut rows = 0;
    for consultation in list.take(received) {
        let (consultation, name) = consultation?;
        let note = consultation.decline_reason.or_else(|| {
            consultation
                .exception
                .then(|| labels.get("note", "exception"))
        });
        let line = ConsultationLine {
            short_id: consultation.short_id,
            received_at: city_time(consultation.received_at),
            requester: name.unwrap_or(consultation.requester),
            department: consultation.department,
            title: consultation.title,
            category: labels.get("category", consultation.category.code()),
            details: consultation.details,
            desired_date: consultation.desired_date,
            status: labels.get("status", consultation.status.code()),
            assignee: consultation.assignee.map(name_of),
            counted_in: consultation.quota_bucket,
            position: consultation.quota_position,
            note,
        };
        table.write_row(&list_row(line))?;
        rows += 1;
    }
    table.finish()?;
    pairs_sheet(
        &mut workbook,
        &words.summary_sheet,
        &summary_pairs(words, figures),
    )?;
    let mut table = TableWriter::start(
        &mut workbook,
        &words.history_sheet,
        "History",
        &words.history_headers,
        entries,
    )?;
    for entry in history.take(entries) {
        let (short_id, event) = entry?;
        let line = HistoryLine {
            short_id,
            at: city_time(event.at),
            actor: name_of(event.actor),
            what: labels.get("event", &event.kind),
            from: event.from_status.map(|code| labels.get("status", &code)),
            to: event.to_status.map(|code| labels.get("status", &code)),
            detail: event.detail.map(|detail| labels.detail(&detail)),
        };
        table.write_row(&history_row(line))?;
    }
    table.finish()?;
    let bytes = workbook.save_to_buffer()?;
    Ok(Exported { bytes, rows })
}

/// Which file a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Xlsx,
    Docx,
}

/// 進捗状況報告書 of `month`: the consultations and their figures, every
/// capped kind of work, the open issues and next month's meetings.
pub async fn progress(
    bot: &Bot,
    month: YearMonth,
    format: DocumentFormat,
) -> Result<Exported, ExportError> {
    check_month(bot, month)?;
    progress_of(bot, month, format).await
}

async fn progress_of(
    bot: &Bot,
    month: YearMonth,
    format: DocumentFormat,
) -> Result<Exported, ExportError> {
    let store = bot.store();
    let mut labels = Labels::new(bot);
    let requests = store
        .counted_requests(QUOTA_KIND, month, month.next())
        .await?;
    let summary = summarise_month(&policy(bot), month, &requests);
    let mut consultation_rows = Vec::new();
    let mut consultations = store.consultations_received_in(month);
    while let Some((consultation, _)) = consultations.try_next().await? {
        consultation_rows.push(vec![
            Cell::Text(consultation.short_id),
            Cell::Date(city_time(consultation.received_at).date()),
            Cell::Text(consultation.title),
            Cell::Text(labels.get("category", consultation.category.code())),
            Cell::Text(labels.get("status", consultation.status.code())),
        ]);
    }
    drop(consultations);
    let work = super::work::summary(bot).await?;
    let work_rows: Vec<Vec<Cell>> = work
        .iter()
        .map(|kind| {
            let number = |key: &str| Cell::Number(kind[key].as_f64().unwrap_or(0.0));
            vec![
                Cell::Text(labels.get("work_kind", kind["kind"].as_str().unwrap_or_default())),
                number("counted"),
                number("limit"),
                Cell::Text(labels.get(
                    "period",
                    kind["period"]["bucket"].as_str().unwrap_or_default(),
                )),
                number("held"),
            ]
        })
        .collect();
    let today = bot.today();
    let open_items = store.kadai_items(false).await?;
    let overdue = open_items
        .iter()
        .filter(|item| crate::domain::kadai::is_overdue(item.status, item.due, today))
        .count();
    let kadai_rows: Vec<Vec<Cell>> = open_items
        .iter()
        .map(|item| {
            // The 課題管理表's row without the status and the dates: the
            // report lists open items only.
            let row = kadai_cells(item, today, &mut labels);
            [0, 1, 2, 3, 4, 6]
                .map(|column| row[column].clone())
                .to_vec()
        })
        .collect();
    let next = month.next();
    let plan_rows: Vec<Vec<Cell>> = super::meetings::plan(bot)
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
        .collect();
    let words = report_words(
        bot,
        json!({
            "month": month.to_string(), "month_ja": month_ja(month),
            "first": month.first_day().to_string(), "last": month.last_day().to_string(),
            "made": today.to_string(),
            "next_month": next.to_string(), "next_month_ja": month_ja(next),
            "s": {
                "received": consultation_rows.len(), "counted": summary.counted, "limit": summary.limit,
                "remaining": summary.remaining, "held": summary.held, "exceptions": summary.exceptions,
                "carried_in": summary.carried_in, "carried_out": summary.carried_out,
            },
            "open": open_items.len(), "overdue": overdue,
        }),
    )?;
    let rows = consultation_rows.len();
    let section = |key: &str, name: &str, rows: Vec<Vec<Cell>>| -> Result<Section, ExportError> {
        Ok(Section {
            heading: words.one(&format!("{key}_heading"))?,
            lines: words.all(&format!("{key}_line")),
            table: SectionTable {
                sheet: words.one(&format!("{key}_sheet"))?,
                name: name.to_owned(),
                headers: words.columns(&format!("{key}_headers"), rows.first().map(Vec::len))?,
                rows,
                empty: words.one(&format!("{key}_empty"))?,
            },
        })
    };
    let report = ProgressReport {
        title: words.one("title")?,
        preface: words.all("preface"),
        overview_sheet: words.one("overview_sheet")?,
        sections: vec![
            section("consultations", "Consultations", consultation_rows)?,
            section("work", "Work", work_rows)?,
            section("kadai", "Issues", kadai_rows)?,
            section("plan", "NextMonth", plan_rows)?,
        ],
    };
    let bytes = match format {
        DocumentFormat::Xlsx => progress_workbook(&report)?,
        DocumentFormat::Docx => progress_document(&report).map_err(ExportError::Docx)?,
    };
    Ok(Exported { bytes, rows })
}

/// `key=text` lines of a report template.
struct ReportWords {
    template: &'static str,
    lines: Vec<(String, String)>,
}

impl ReportWords {
    fn problem(&self, problem: String) -> ExportError {
        ExportError::Words {
            template: self.template,
            problem,
        }
    }

    fn one(&self, key: &str) -> Result<String, ExportError> {
        self.lines
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, text)| text.clone())
            .ok_or_else(|| self.problem(format!("no line {key}=")))
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.lines
            .iter()
            .filter(|(name, _)| name == key)
            .map(|(_, text)| text.clone())
            .collect()
    }

    /// Column headers separated by `|`; as many as the rows have cells.
    fn columns(&self, key: &str, cells: Option<usize>) -> Result<Vec<String>, ExportError> {
        let headers: Vec<String> = self
            .one(key)?
            .split('|')
            .map(|header| header.trim().to_owned())
            .collect();
        match cells {
            Some(cells) if cells != headers.len() => Err(self.problem(format!(
                "{key} has {} columns, the table {cells}",
                headers.len()
            ))),
            _ => Ok(headers),
        }
    }
}

fn report_words(bot: &Bot, context: serde_json::Value) -> Result<ReportWords, ExportError> {
    const TEMPLATE: &str = "export/progress";
    let text = bot.texts().render(TEMPLATE, context);
    let lines = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect();
    Ok(ReportWords {
        template: TEMPLATE,
        lines,
    })
}

/// 課題管理表: every item, open and done, by due date.
pub async fn kadai(bot: &Bot) -> Result<Exported, ExportError> {
    const TEMPLATE: &str = "export/kadai";
    let (sheet, headers) = sheet_words(bot, TEMPLATE, KADAI_COLUMNS)?;
    let items = bot.store().kadai_items(true).await?;
    let today = bot.today();
    let mut labels = Labels::new(bot);
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|item| kadai_cells(item, today, &mut labels))
        .collect();
    let bytes = table_workbook(&sheet, "Issues", &headers, rows.into_iter())?;
    Ok(Exported {
        bytes,
        rows: items.len(),
    })
}

const KADAI_COLUMNS: usize = 10;

/// An item as the 課題管理表 shows it, in the order of `export/kadai`.
fn kadai_cells(
    item: &crate::store::KadaiItem,
    today: chrono::NaiveDate,
    labels: &mut Labels<'_>,
) -> Vec<Cell> {
    let overdue = crate::domain::kadai::is_overdue(item.status, item.due, today);
    vec![
        Cell::Text(crate::domain::kadai::label(item.number)),
        Cell::Text(item.title.clone()),
        Cell::Text(item.owner.clone()),
        item.due.into(),
        Cell::Text(labels.get("priority", item.priority.code())),
        Cell::Text(labels.get("kadai_status", item.status.code())),
        Cell::from(overdue.then(|| labels.get("note", "overdue"))),
        item.meeting.into(),
        Cell::DateTime(city_time(item.created_at)),
        item.done_at
            .map_or(Cell::Empty, |at| Cell::DateTime(city_time(at))),
    ]
}

/// A one-sheet template: the sheet name, then `columns` headers.
fn sheet_words(
    bot: &Bot,
    template: &'static str,
    columns: usize,
) -> Result<(String, Vec<String>), ExportError> {
    let text = bot.texts().render(template, json!({}));
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.len() != columns + 1 {
        return Err(ExportError::Words {
            template,
            problem: format!("expected a sheet name and {columns} headers"),
        });
    }
    let sheet = lines.remove(0);
    Ok((sheet, lines))
}

/// The contract's capped work: a sheet per kind (configured or recorded),
/// every item with what it records.
pub async fn work(bot: &Bot) -> Result<Exported, ExportError> {
    const TEMPLATE: &str = "export/work";
    let (_, headers) = sheet_words(bot, TEMPLATE, WORK_COLUMNS)?;
    let mut kinds = super::quotas::work_kinds(bot);
    for kind in bot.store().work_kinds_recorded().await? {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut labels = Labels::new(bot);
    let mut workbook = Workbook::new();
    let mut rows = 0;
    for (index, kind) in kinds.iter().enumerate() {
        let items = bot.store().work_items(kind).await?;
        let mut table = TableWriter::start(
            &mut workbook,
            &labels.get("work_kind", kind),
            &format!("Work{}", index + 1),
            &headers,
            items.len(),
        )?;
        for item in &items {
            let details = labels.get_with("work_details", &item.attributes);
            table.write_row(&[
                Cell::Number(item.number as f64),
                Cell::Text(item.title.clone()),
                Cell::from(details),
                item.quota_position
                    .map_or(Cell::Empty, |n| Cell::Number(n as f64)),
                Cell::from(
                    item.quota_bucket
                        .as_deref()
                        .map(|bucket| labels.get("period", bucket)),
                ),
                Cell::Text(
                    labels.get("work_status", if item.counted { "counted" } else { "held" }),
                ),
                Cell::Text(item.recorded_by.clone()),
                Cell::DateTime(city_time(item.recorded_at)),
            ])?;
        }
        table.finish()?;
        rows += items.len();
    }
    Ok(Exported {
        bytes: workbook.save_to_buffer()?,
        rows,
    })
}

const WORK_COLUMNS: usize = 8;

/// Everything stored, for the contract's end (仕様書 11): every month's
/// 相談対応記録 and 進捗状況報告書 (whatever contract it fell in), the
/// 課題管理表 and the capped work, each with its usual file name.
pub async fn everything(bot: &Bot) -> Result<Vec<(String, Exported)>, ExportError> {
    let mut files = Vec::new();
    for month in bot.store().consultation_months().await? {
        files.push((
            default_file_name(bot, "consultations", Some(month), "xlsx"),
            consultations_of(bot, month).await?,
        ));
        files.push((
            default_file_name(bot, "progress", Some(month), "xlsx"),
            progress_of(bot, month, DocumentFormat::Xlsx).await?,
        ));
    }
    files.push((
        default_file_name(bot, "kadai", None, "xlsx"),
        kadai(bot).await?,
    ));
    files.push((
        default_file_name(bot, "work", None, "xlsx"),
        work(bot).await?,
    ));
    Ok(files)
}

/// Records an export in the history.
pub async fn record(
    bot: &Bot,
    kind: &str,
    scope: Option<String>,
    file_name: &str,
    rows: usize,
    by: &str,
) -> Result<(), StoreError> {
    bot.store()
        .record_export(&ExportRecord {
            kind: kind.to_owned(),
            scope,
            file_name: file_name.to_owned(),
            rows: i64::try_from(rows).unwrap_or(i64::MAX),
            exported_by: by.to_owned(),
            exported_at: bot.clock().now().timestamp(),
        })
        .await
}

/// The file name people expect: `相談対応記録_2024-06.xlsx`.
pub fn default_file_name(
    bot: &Bot,
    kind: &str,
    month: Option<YearMonth>,
    extension: &str,
) -> String {
    bot.texts()
        .render(
            "export/file_name",
            json!({ "kind": kind, "month": month.map(|m| m.to_string()), "extension": extension }),
        )
        .trim()
        .to_owned()
}

fn city_time(epoch: i64) -> NaiveDateTime {
    DateTime::from_timestamp(epoch, 0)
        .unwrap_or_default()
        .with_timezone(&CITY_TIME_ZONE)
        .naive_local()
}

/// Labels of codes (statuses, categories, events), each rendered once.
struct Labels<'b> {
    bot: &'b Bot,
    known: HashMap<(&'static str, String), String>,
}

impl<'b> Labels<'b> {
    fn new(bot: &'b Bot) -> Self {
        Self {
            bot,
            known: HashMap::new(),
        }
    }

    fn get(&mut self, what: &'static str, code: &str) -> String {
        let bot = self.bot;
        self.known
            .entry((what, code.to_owned()))
            .or_insert_with(|| {
                bot.texts()
                    .render("export/label", json!({ "what": what, "code": code }))
                    .trim()
                    .to_owned()
            })
            .clone()
    }

    /// A label rendered from a value rather than a code (not cached).
    fn get_with(&mut self, what: &'static str, value: &impl serde::Serialize) -> String {
        self.bot
            .texts()
            .render("export/label", json!({ "what": what, "code": value }))
            .trim()
            .to_owned()
    }

    /// A transition's detail is an action code or a person's words (a
    /// decline's reason); codes are shown as their labels.
    fn detail(&mut self, detail: &str) -> String {
        let label = self.get("action", detail);
        if label.is_empty() {
            detail.to_owned()
        } else {
            label
        }
    }
}

/// The sheet names and headers from `export/consultations`: three blocks
/// separated by a blank line, each a sheet name and then its headers.
fn consultation_words(bot: &Bot) -> Result<ConsultationWords, ExportError> {
    const TEMPLATE: &str = "export/consultations";
    let text = bot.texts().render(TEMPLATE, json!({}));
    let blocks: Vec<Vec<String>> = text
        .split("\n\n")
        .map(|block| {
            block
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|block| !block.is_empty())
        .collect();
    let expected = [
        ConsultationWords::LIST_COLUMNS,
        ConsultationWords::SUMMARY_ROWS,
        ConsultationWords::HISTORY_COLUMNS,
    ];
    let fits = blocks.len() == 3
        && blocks
            .iter()
            .zip(expected)
            .all(|(block, wanted)| block.len() == wanted + 1);
    if !fits {
        return Err(ExportError::Words {
            template: TEMPLATE,
            problem: format!(
                "expected three blocks of a sheet name and {}, {} and {} lines",
                expected[0], expected[1], expected[2]
            ),
        });
    }
    let mut blocks = blocks.into_iter();
    let mut take = || {
        let mut block = blocks.next().expect("checked: three blocks");
        let name = block.remove(0);
        (name, block)
    };
    let (list_sheet, list_headers) = take();
    let (summary_sheet, summary_labels) = take();
    let (history_sheet, history_headers) = take();
    Ok(ConsultationWords {
        list_sheet,
        list_headers,
        summary_sheet,
        summary_labels,
        history_sheet,
        history_headers,
    })
}
