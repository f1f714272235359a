//! Exports as people ask for them: the data read from the store, the words
//! from the templates (`prompts/*/export/`), the file from `crate::export`.
//! One module per document; `make` is the one way in for the command line
//! and for chat (which month, which format, which file name). Every export
//! is recorded in the history (who, what, when).

mod consultations;
mod kadai;
mod progress;
mod words;
mod work;

use serde_json::json;

pub use self::consultations::consultations;
pub use self::kadai::kadai;
pub use self::progress::progress;
pub use self::work::work;
use super::Bot;
pub use super::command::ExportKind;
use crate::domain::month::YearMonth;
use crate::domain::quota::month_of_receipt;
use crate::store::{ExportRecord, StoreError};

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

/// Which file a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Xlsx,
    Docx,
}

impl DocumentFormat {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
        }
    }
}

/// A file asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportRequest {
    pub kind: ExportKind,
    /// The month reported, for the kinds that are of a month (相談対応記録,
    /// 進捗状況報告書); `None` is the current month by the clock. The
    /// other kinds hold everything stored and ignore it.
    pub month: Option<YearMonth>,
    /// Only the 進捗状況報告書 can be a Word document; every other kind is
    /// a workbook whatever is asked.
    pub format: DocumentFormat,
}

/// A file made for a request, with what the history and the person need.
#[derive(Debug)]
pub struct MadeFile {
    /// The name people expect (`export/file_name`), with the extension of
    /// the format made.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Data rows in it (consultations, items).
    pub rows: usize,
    /// `consultations`, `progress`, `kadai` or `work`: what the history
    /// and the templates call the kind.
    pub kind: &'static str,
    /// The month, for the kinds that are of one.
    pub scope: Option<YearMonth>,
}

impl MadeFile {
    /// Records the file in the history under the name it was written as
    /// (the usual name, or the one the person chose) and by whom (a user
    /// id, or `cli`).
    pub async fn record(&self, bot: &Bot, file_name: &str, by: &str) -> Result<(), StoreError> {
        let scope = self.scope.map(|month| month.to_string());
        record(bot, self.kind, scope, file_name, self.rows, by).await
    }
}

/// Makes the file `request` asks for: a month outside the configured
/// contract is refused (for the kinds that are of a month).
pub async fn make(bot: &Bot, request: &ExportRequest) -> Result<MadeFile, ExportError> {
    let month = request
        .month
        .unwrap_or_else(|| month_of_receipt(bot.clock().now()));
    if is_of_a_month(request.kind) {
        check_month(bot, month)?;
    }
    build(bot, request.kind, month, request.format).await
}

/// Whether a kind is one month's (the others hold everything stored).
fn is_of_a_month(kind: ExportKind) -> bool {
    matches!(kind, ExportKind::Consultations | ExportKind::Progress)
}

/// Makes a file without checking the month against the contract.
async fn build(
    bot: &Bot,
    kind: ExportKind,
    month: YearMonth,
    format: DocumentFormat,
) -> Result<MadeFile, ExportError> {
    let format = match kind {
        ExportKind::Progress => format,
        _ => DocumentFormat::Xlsx,
    };
    let (code, made) = match kind {
        ExportKind::Consultations => (
            "consultations",
            consultations::consultations_of(bot, month).await?,
        ),
        ExportKind::Progress => ("progress", progress::progress_of(bot, month, format).await?),
        ExportKind::Kadai => ("kadai", kadai(bot).await?),
        ExportKind::Work => ("work", work(bot).await?),
    };
    let scope = is_of_a_month(kind).then_some(month);
    Ok(MadeFile {
        file_name: default_file_name(bot, code, scope, format.extension()),
        bytes: made.bytes,
        rows: made.rows,
        kind: code,
        scope,
    })
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

/// Everything stored, for the contract's end (仕様書 11): every month's
/// 相談対応記録 and 進捗状況報告書 (whatever contract it fell in), the
/// 課題管理表 and the capped work, each with its usual file name.
pub async fn everything(bot: &Bot) -> Result<Vec<MadeFile>, ExportError> {
    let mut requests = Vec::new();
    for month in bot.store().consultation_months().await? {
        requests.push((ExportKind::Consultations, month));
        requests.push((ExportKind::Progress, month));
    }
    // The month is not read by these two.
    let now = month_of_receipt(bot.clock().now());
    requests.extend([(ExportKind::Kadai, now), (ExportKind::Work, now)]);
    let mut files = Vec::new();
    for (kind, month) in requests {
        files.push(build(bot, kind, month, DocumentFormat::Xlsx).await?);
    }
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
        .record_export(&export_record(bot, kind, scope, file_name, rows, by))
        .await
}

/// Records an export of everything, with the digest of the data as it
/// was before the export read it (`Store::data_digest`): a purge destroys
/// only data an export of everything held.
pub async fn record_all(
    bot: &Bot,
    folder: &str,
    files: usize,
    by: &str,
    data_digest: &str,
) -> Result<(), StoreError> {
    bot.store()
        .record_full_export(
            &export_record(bot, "all", None, folder, files, by),
            data_digest,
        )
        .await
}

/// An export as the history keeps it, made now.
fn export_record(
    bot: &Bot,
    kind: &str,
    scope: Option<String>,
    file_name: &str,
    rows: usize,
    by: &str,
) -> ExportRecord {
    ExportRecord {
        kind: kind.to_owned(),
        scope,
        file_name: file_name.to_owned(),
        rows: i64::try_from(rows).unwrap_or(i64::MAX),
        exported_by: by.to_owned(),
        exported_at: bot.clock().now().timestamp(),
    }
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
