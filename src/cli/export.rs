//! `banso export …`: builds a file from the stored data, writes it whole
//! (or not at all) and records the export in the history.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::args::parse_month;
use super::{Failure, database_unavailable, open_store};
use crate::bot::clock::SystemClock;
use crate::bot::exports::{self, DocumentFormat, ExportKind, ExportRequest, MadeFile};
use crate::bot::texts::Texts;
use crate::bot::{Bot, BotParts};
use crate::config::Settings;
use crate::domain::month::YearMonth;
use crate::export::files::{FileError, write_whole};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub(super) enum ExportCommand {
    /// 相談対応記録: a month's consultations, its figures and their history (.xlsx).
    Consultations {
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: YearMonth,
        #[command(flatten)]
        target: ExportTarget,
    },
    /// 進捗状況報告書: the month's progress report (.xlsx; .docx with --format docx or a .docx --out).
    Progress {
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: YearMonth,
        #[arg(long, value_enum)]
        format: Option<DocumentFormatArg>,
        #[command(flatten)]
        target: ExportTarget,
    },
    /// Everything stored, for the contract's end (仕様書 11): every month's 相談対応記録 and
    /// 進捗状況報告書, the 課題管理表 and the capped work, as files in DIR.
    All {
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace files of the same names.
        #[arg(long)]
        force: bool,
    },
    /// 課題管理表: every issue and action item, open and done (.xlsx).
    Kadai {
        #[command(flatten)]
        target: ExportTarget,
    },
    /// The contract's capped work (調達審査, 監査項目, …): a sheet per kind, every item (.xlsx).
    Work {
        #[command(flatten)]
        target: ExportTarget,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum DocumentFormatArg {
    Xlsx,
    Docx,
}

#[derive(Debug, clap::Args)]
pub(super) struct ExportTarget {
    /// The file to write (default: the usual name, e.g. 相談対応記録_2024-06.xlsx, here).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

/// `banso export …`: builds the file, writes it whole (or not at all) and
/// records the export in the history.
pub(super) async fn run_export(
    settings: Settings,
    texts: Texts,
    command: ExportCommand,
) -> Result<(), Failure> {
    let store = open_store(&settings, &texts).await?;
    let texts = Arc::new(texts);
    let bot = bot_for(settings, &store, &texts);
    let (request, target) = request_of(&command);
    let result = match exports::make(&bot, &request).await {
        Ok(made) => {
            let path = target
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(&made.file_name));
            write_export(&bot, &texts, &path, &made, target.force).await
        }
        Err(error) => Err(export_failure(&texts, error)),
    };
    store.close().await;
    result
}

/// What a command asks the core to make, and where it goes. A progress
/// report is a Word document with `--format docx`, or without `--format`
/// when `--out` names a `.docx` file.
fn request_of(command: &ExportCommand) -> (ExportRequest, &ExportTarget) {
    let request = |kind, month| ExportRequest {
        kind,
        month,
        format: DocumentFormat::Xlsx,
    };
    match command {
        ExportCommand::Consultations { month, target } => {
            (request(ExportKind::Consultations, Some(*month)), target)
        }
        ExportCommand::Kadai { target } => (request(ExportKind::Kadai, None), target),
        ExportCommand::Work { target } => (request(ExportKind::Work, None), target),
        ExportCommand::All { .. } => unreachable!("handled by run_export_all"),
        ExportCommand::Progress {
            month,
            format,
            target,
        } => {
            let docx = match format {
                Some(format) => matches!(format, DocumentFormatArg::Docx),
                None => target
                    .out
                    .as_ref()
                    .and_then(|out| out.extension())
                    .is_some_and(|extension| extension.eq_ignore_ascii_case("docx")),
            };
            let format = if docx {
                DocumentFormat::Docx
            } else {
                DocumentFormat::Xlsx
            };
            let request = ExportRequest {
                format,
                ..request(ExportKind::Progress, Some(*month))
            };
            (request, target)
        }
    }
}

fn bot_for(settings: Settings, store: &Store, texts: &Arc<Texts>) -> Bot {
    Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: Arc::new(SystemClock),
        texts: texts.clone(),
    })
}

/// `banso export all --out DIR`: every file, each written whole; one entry
/// in the history.
pub(super) async fn run_export_all(
    settings: Settings,
    texts: Texts,
    dir: PathBuf,
    force: bool,
) -> Result<(), Failure> {
    let store = open_store(&settings, &texts).await?;
    let texts = Arc::new(texts);
    let bot = bot_for(settings, &store, &texts);
    let result = async {
        std::fs::create_dir_all(&dir).map_err(|error| {
            Failure::usage(texts.render(
                "cli/export_unwritable",
                json!({ "path": dir.display().to_string(), "detail": error.to_string() }),
            ))
        })?;
        // Taken before the export reads anything: a change made while it
        // runs makes the data differ from this digest, so a purge then
        // asks for another export rather than destroy the change.
        let digest = store
            .data_digest()
            .await
            .map_err(|error| database_unavailable(&texts, error))?;
        let files = exports::everything(&bot)
            .await
            .map_err(|error| export_failure(&texts, error))?;
        let count = files.len();
        for made in files {
            let path = dir.join(&made.file_name);
            write_whole(&path, &made.bytes, force).map_err(|error| file_failure(&texts, error))?;
        }
        let folder = dir.display().to_string();
        exports::record_all(&bot, &folder, count, "cli", &digest)
            .await
            .map_err(|error| database_unavailable(&texts, error))?;
        super::say(
            texts
                .render(
                    "cli/export_all_done",
                    json!({ "path": folder, "files": count }),
                )
                .trim_end(),
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

fn file_failure(texts: &Texts, error: FileError) -> Failure {
    match error {
        FileError::Exists(path) => Failure::usage(texts.render(
            "cli/export_exists",
            json!({ "path": path.display().to_string() }),
        )),
        FileError::Unwritable { path, source } => Failure::usage(texts.render(
            "cli/export_unwritable",
            json!({ "path": path.display().to_string(), "detail": source.to_string() }),
        )),
    }
}

async fn write_export(
    bot: &Bot,
    texts: &Texts,
    path: &Path,
    made: &MadeFile,
    force: bool,
) -> Result<(), Failure> {
    write_whole(path, &made.bytes, force).map_err(|error| file_failure(texts, error))?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    made.record(bot, &file_name, "cli")
        .await
        .map_err(|error| database_unavailable(texts, error))?;
    super::say(
        texts
            .render(
                "cli/export_done",
                json!({ "path": path.display().to_string(), "rows": made.rows, "kind": made.kind }),
            )
            .trim_end(),
    );
    Ok(())
}

fn export_failure(texts: &Texts, error: exports::ExportError) -> Failure {
    match error {
        exports::ExportError::OutsideContract { month, start, end } => Failure::usage(texts.render(
            "cli/export_outside_contract",
            json!({ "month": month.to_string(), "start": start.to_string(), "end": end.to_string() }),
        )),
        exports::ExportError::Words { template, problem } => Failure::usage(texts.render(
            "cli/export_template",
            json!({ "template": template, "problem": problem }),
        )),
        exports::ExportError::Store(error) => database_unavailable(texts, error),
        exports::ExportError::Xlsx(error) => Failure::runtime(error.to_string()),
        exports::ExportError::Docx(error) => Failure::runtime(error.to_string()),
        exports::ExportError::Data(error) => database_unavailable(texts, format!("{error:#}")),
    }
}
