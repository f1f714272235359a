//! The `banso` command line: parses arguments, loads the configuration and
//! hands over to the library. Exit status 0 on success, 1 when something
//! outside banso failed (e.g. the database), 2 for bad input or config.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use banso::bot::calendar_queries::{self, Format};
use banso::bot::clock::{AdjustableClock, Clock, ManualClock, ShiftedSystemClock, SystemClock};
use banso::bot::meetings::preview;
use banso::bot::texts::Texts;
use banso::bot::{Bot, BotParts, exports, open_day_calendar};
use banso::chat::console::{Console, LineSource, OutputFormat, spawn_line_reader};
use banso::chat::slack::Transport;
use banso::chat::slack::web_api::DEFAULT_API_URL;
use banso::config::{self, ConfigProblem, Env, Language, ProcessEnv, Settings};
use banso::domain::month::YearMonth;
use banso::export::files::{FileError, write_whole};
use banso::export::ics::{IcsNames, calendar_ics};
use banso::message::UserId;
use banso::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "banso",
    version,
    about = "情報セキュリティ対策等支援業務の伴走ボット (security-support Slack bot)"
)]
struct Cli {
    /// Configuration file (default: $BANSO_CONFIG, else ./banso.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Run the bot core in a terminal, without Slack (the main job).
    Console(ConsoleArgs),
    /// Connect to Slack: Socket Mode when SLACK_APP_TOKEN is set, else the HTTP Events API.
    Serve {
        /// Address for /slack/commands, /slack/interactions, /slack/events and /healthz.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
        listen: std::net::SocketAddr,
    },
    /// The open-day (開庁日) calendar as data.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Every meeting, deadline and reminder the configuration produces.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Write the stored data as the Excel files the city works in.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Destroy all stored data at the contract's end (仕様書 11), once `banso export all` has
    /// saved everything since the last change. Without --confirm, shows what would go.
    Purge {
        /// Really destroy it.
        #[arg(long)]
        confirm: bool,
    },
    /// Apply database migrations (also done at every start).
    Migrate,
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, clap::Args)]
struct ConsoleArgs {
    /// Run the lines of FILE instead of reading standard input.
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
    /// Print each outgoing message as one JSON line.
    #[arg(long)]
    json: bool,
    /// Start the clock at this instant (RFC 3339) and move it only with :advance.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    now: Option<DateTime<chrono::FixedOffset>>,
    /// The user to act as first.
    #[arg(long = "as", value_name = "USER", default_value = "staff", value_parser = parse_user)]
    user: UserId,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
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

#[derive(Debug, Subcommand)]
enum CalendarCommand {
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
struct RangeArgs {
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: NaiveDate,
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: NaiveDate,
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
}

#[derive(Debug, Subcommand)]
enum ScheduleCommand {
    /// List meetings and reminders in time order; nothing is sent.
    Preview {
        /// Plan this fiscal year (2024 = 令和6年度) when the config sets no contract period.
        #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1949..=2199))]
        fiscal_year: Option<i32>,
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
    },
    /// Write an iCalendar (RFC 5545) file of meetings and deadlines to stdout.
    Ics {
        #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1949..=2199))]
        fiscal_year: Option<i32>,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DocumentFormatArg {
    Xlsx,
    Docx,
}

#[derive(Debug, clap::Args)]
struct ExportTarget {
    /// The file to write (default: the usual name, e.g. 相談対応記録_2024-06.xlsx, here).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file and list every problem with its line.
    Check {
        /// The file to check (default: the one banso would load).
        file: Option<PathBuf>,
    },
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| String::from("YYYY-MM-DD"))
}

fn parse_month(text: &str) -> Result<YearMonth, String> {
    text.trim().parse().map_err(|_| String::from("YYYY-MM"))
}

fn parse_instant(text: &str) -> Result<DateTime<chrono::FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|_| String::from("RFC 3339"))
}

fn parse_user(text: &str) -> Result<UserId, String> {
    UserId::parse(text).map_err(|_| String::from("user"))
}

/// A failure, already rendered for a person, and its exit status.
struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    fn usage(message: String) -> Self {
        Self { message, status: 2 }
    }

    fn runtime(message: String) -> Self {
        Self { message, status: 1 }
    }
}

/// glibc gives every thread that allocates an arena of its own (up to
/// eight per core), each with pages of its own; banso's threads allocate
/// little, so two arenas serve them all and an idle `banso serve` keeps
/// less memory (BENCHMARKS.md, memory).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    const M_ARENA_MAX: std::ffi::c_int = -8;
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: mallopt only sets an allocator parameter; it is called before
    // any other thread exists.
    unsafe {
        mallopt(M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    init_tracing();
    let language = language_from_env(&ProcessEnv);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return exit_for_clap_error(&error, &Texts::built_in(language)),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let config_path = resolve_config_path(cli.config.as_deref(), &ProcessEnv);
    if let CliCommand::Config(ConfigCommand::Check { file }) = &cli.command {
        return check_config(file.as_deref().or(config_path.as_deref()));
    }
    let settings = load_settings(config_path.as_deref())?;
    let texts = Texts::load(settings.language, settings.prompts_dir.as_deref())
        .map_err(|error| Failure::usage(error.to_string()))?;
    match cli.command {
        CliCommand::Calendar(command) => run_calendar(&settings, &texts, command),
        CliCommand::Console(args) => run_async(run_console(settings, texts, args)),
        CliCommand::Serve { listen } => run_async(run_serve(settings, texts, listen)),
        CliCommand::Schedule(command) => run_schedule(&settings, &texts, command),
        CliCommand::Export(ExportCommand::All { out, force }) => {
            run_async(run_export_all(settings, texts, out, force))
        }
        CliCommand::Export(command) => run_async(run_export(settings, texts, command)),
        CliCommand::Purge { confirm } => run_async(run_purge(settings, texts, confirm)),
        CliCommand::Migrate => run_async(run_migrate(settings, texts)),
        CliCommand::Config(_) => unreachable!("handled above"),
    }
}

fn run_async(work: impl Future<Output = Result<(), Failure>>) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::runtime(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(work)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BANSO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Before the configuration is read, texts follow `BANSO_LANGUAGE`.
fn language_from_env(env: &dyn Env) -> Language {
    match env.var("BANSO_LANGUAGE").as_deref().map(str::trim) {
        Some("en") => Language::En,
        _ => Language::Ja,
    }
}

/// `--config`, else `$BANSO_CONFIG`, else `./banso.toml` when it exists.
fn resolve_config_path(flag: Option<&Path>, env: &dyn Env) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_owned());
    }
    if let Some(path) = env
        .var("BANSO_CONFIG")
        .filter(|path| !path.trim().is_empty())
    {
        return Some(PathBuf::from(path));
    }
    let default = PathBuf::from("banso.toml");
    default.exists().then_some(default)
}

fn load_settings(path: Option<&Path>) -> Result<Settings, Failure> {
    config::load_settings(path, &ProcessEnv).map_err(|problems| {
        let texts = Texts::built_in(language_from_env(&ProcessEnv));
        Failure::usage(render_problems(&texts, path, &problems))
    })
}

fn render_problems(texts: &Texts, path: Option<&Path>, problems: &[ConfigProblem]) -> String {
    let file = path
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let lines: Vec<String> = problems
        .iter()
        .map(|problem| {
            texts.render(
                "cli/config_problem",
                json!({ "file": file, "problem": problem }),
            )
        })
        .collect();
    lines.join("\n")
}

fn check_config(path: Option<&Path>) -> Result<(), Failure> {
    let texts = Texts::built_in(language_from_env(&ProcessEnv));
    match config::load_settings(path, &ProcessEnv) {
        Ok(settings) => {
            let file = path.map(|path| path.display().to_string());
            let texts = Texts::built_in(settings.language);
            println!("{}", texts.render("cli/config_ok", json!({ "file": file })));
            Ok(())
        }
        Err(problems) => Err(Failure::usage(render_problems(&texts, path, &problems))),
    }
}

fn run_calendar(
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
    println!("{output}");
    Ok(())
}

fn run_schedule(
    settings: &Settings,
    texts: &Texts,
    command: ScheduleCommand,
) -> Result<(), Failure> {
    let fiscal_year = match &command {
        ScheduleCommand::Preview { fiscal_year, .. } | ScheduleCommand::Ics { fiscal_year } => {
            *fiscal_year
        }
    };
    let today = SystemClock.now_in_city().date_naive();
    let period = preview::period(settings, fiscal_year, today).map_err(
        |preview::PeriodError::OutsideContract { start, end }| {
            Failure::usage(texts.render(
                "cli/outside_contract",
                json!({ "start": start.to_string(), "end": end.to_string() }),
            ))
        },
    )?;
    let calendar = open_day_calendar(settings);
    let output = match command {
        ScheduleCommand::Preview {
            format: FormatArg::Json,
            ..
        } => serde_json::to_string(&preview::entries(settings, &calendar, period))
            .expect("plain data serialises"),
        ScheduleCommand::Preview {
            format: FormatArg::Text,
            ..
        } => {
            let entries = preview::entries(settings, &calendar, period);
            texts.render("cli/schedule_preview", json!({ "entries": entries, "from": period.0.to_string(), "to": period.1.to_string() }))
        }
        ScheduleCommand::Ics { .. } => {
            let name = |field: &str| texts.render("cli/ics_names", json!({ "field": field }));
            let names = IcsNames {
                calendar: name("calendar"),
                regular: name("regular"),
                biweekly: name("biweekly"),
                kickoff: name("kickoff"),
                deadline: name("deadline"),
                deliverables: name("deliverables"),
                url: name("url"),
            };
            calendar_ics(
                &preview::meetings(settings, &calendar, period),
                &names,
                SystemClock.now(),
            )
        }
    };
    print!("{output}");
    if !output.ends_with('\n') {
        println!();
    }
    Ok(())
}

async fn open_store(settings: &Settings, texts: &Texts) -> Result<Store, Failure> {
    Store::open(&settings.database_url)
        .await
        .map_err(|error| database_unavailable(texts, error))
}

/// `banso export …`: builds the file, writes it whole (or not at all) and
/// records the export in the history.
async fn run_export(
    settings: Settings,
    texts: Texts,
    command: ExportCommand,
) -> Result<(), Failure> {
    let store = open_store(&settings, &texts).await?;
    let texts = Arc::new(texts);
    let bot = Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: Arc::new(SystemClock),
        texts: texts.clone(),
    });
    let (kind, month, target, extension) = match &command {
        ExportCommand::Consultations { month, target } => {
            ("consultations", Some(*month), target, "xlsx")
        }
        ExportCommand::Kadai { target } => ("kadai", None, target, "xlsx"),
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
            (
                "progress",
                Some(*month),
                target,
                if docx { "docx" } else { "xlsx" },
            )
        }
    };
    let made = match &command {
        ExportCommand::Consultations { month, .. } => exports::consultations(&bot, *month).await,
        ExportCommand::Kadai { .. } => exports::kadai(&bot).await,
        ExportCommand::All { .. } => unreachable!("handled by run_export_all"),
        ExportCommand::Progress { month, .. } => {
            let format = if extension == "docx" {
                exports::DocumentFormat::Docx
            } else {
                exports::DocumentFormat::Xlsx
            };
            exports::progress(&bot, *month, format).await
        }
    };
    let result = match made {
        Ok(made) => {
            let path = target.out.clone().unwrap_or_else(|| {
                PathBuf::from(exports::default_file_name(&bot, kind, month, extension))
            });
            write_export(&bot, &texts, kind, month, &path, made, target.force).await
        }
        Err(error) => Err(export_failure(&texts, error)),
    };
    store.close().await;
    result
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
async fn run_export_all(
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
        let files = exports::everything(&bot)
            .await
            .map_err(|error| export_failure(&texts, error))?;
        let count = files.len();
        for (name, made) in files {
            let path = dir.join(&name);
            write_whole(&path, &made.bytes, force).map_err(|error| file_failure(&texts, error))?;
        }
        let folder = dir.display().to_string();
        exports::record(&bot, "all", None, &folder, count, "cli")
            .await
            .map_err(|error| database_unavailable(&texts, error))?;
        println!(
            "{}",
            texts
                .render(
                    "cli/export_all_done",
                    json!({ "path": folder, "files": count })
                )
                .trim_end()
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// `banso purge`: refuses unless `banso export all` ran after the last
/// change; without `--confirm` only shows what would be removed.
async fn run_purge(settings: Settings, texts: Texts, confirm: bool) -> Result<(), Failure> {
    let store = open_store(&settings, &texts).await?;
    let unavailable = |error: banso::store::StoreError| database_unavailable(&texts, error);
    let result = async {
        let rows = store.stored_rows().await.map_err(unavailable)?;
        let tables: Vec<_> = rows
            .iter()
            .map(|(table, count)| json!({ "table": table, "rows": count }))
            .collect();
        if rows.iter().all(|(_, count)| *count == 0) {
            println!(
                "{}",
                texts.render("cli/purge_nothing", json!({})).trim_end()
            );
            return Ok(());
        }
        let changed = store.last_change_at().await.map_err(unavailable)?;
        let exported = store.last_export_at("all").await.map_err(unavailable)?;
        let when = |at: Option<i64>| {
            at.and_then(|at| DateTime::from_timestamp(at, 0)).map(|at| {
                at.with_timezone(&banso::bot::clock::CITY_TIME_ZONE)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
        };
        if exported.is_none() || exported < changed {
            return Err(Failure::usage(texts.render(
                "cli/purge_needs_export",
                json!({ "changed": when(changed), "exported": when(exported) }),
            )));
        }
        if !confirm {
            return Err(Failure::usage(texts.render(
                "cli/purge_dry_run",
                json!({ "tables": tables, "exported": when(exported) }),
            )));
        }
        let removed = store.purge_all().await.map_err(unavailable)?;
        let removed: Vec<_> = removed
            .iter()
            .map(|(table, count)| json!({ "table": table, "rows": count }))
            .collect();
        println!(
            "{}",
            texts
                .render("cli/purge_done", json!({ "tables": removed }))
                .trim_end()
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// The database could not be used: exit status 1, with what it said.
fn database_unavailable(texts: &Texts, detail: impl std::fmt::Display) -> Failure {
    Failure::runtime(texts.render(
        "cli/database_unavailable",
        json!({ "detail": detail.to_string() }),
    ))
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
    kind: &str,
    month: Option<YearMonth>,
    path: &Path,
    made: exports::Exported,
    force: bool,
) -> Result<(), Failure> {
    write_whole(path, &made.bytes, force).map_err(|error| file_failure(texts, error))?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    exports::record(
        bot,
        kind,
        month.map(|m| m.to_string()),
        &file_name,
        made.rows,
        "cli",
    )
    .await
    .map_err(|error| database_unavailable(texts, error))?;
    println!(
        "{}",
        texts
            .render(
                "cli/export_done",
                json!({ "path": path.display().to_string(), "rows": made.rows, "kind": kind }),
            )
            .trim_end()
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

async fn run_migrate(settings: Settings, texts: Texts) -> Result<(), Failure> {
    let store = Store::connect(&settings.database_url)
        .await
        .map_err(|error| database_unavailable(&texts, error))?;
    let report = store
        .migrate()
        .await
        .map_err(|error| database_unavailable(&texts, error))?;
    println!(
        "{}",
        texts.render(
            "cli/migrated",
            json!({ "applied_now": report.applied_now, "applied_before": report.applied_before }),
        )
    );
    store.close().await;
    Ok(())
}

async fn run_console(settings: Settings, texts: Texts, args: ConsoleArgs) -> Result<(), Failure> {
    let source = match &args.script {
        Some(path) => LineSource::Script(path.clone()),
        None => LineSource::Stdin,
    };
    let mut reader = spawn_line_reader(source).map_err(|error| {
        let file = args.script.as_ref().map(|path| path.display().to_string());
        Failure::usage(texts.render(
            "cli/script_unreadable",
            json!({ "file": file, "detail": error.to_string() }),
        ))
    })?;
    let store = open_store(&settings, &texts).await?;
    let clock: Arc<dyn AdjustableClock> = match args.now {
        Some(instant) => Arc::new(ManualClock::starting_at(instant.to_utc())),
        None => Arc::new(ShiftedSystemClock::default()),
    };
    let texts = Arc::new(texts);
    let bot = Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: clock.clone(),
        texts: texts.clone(),
    });
    let format = if args.json {
        OutputFormat::Json
    } else {
        OutputFormat::Text
    };
    let interactive = reader.is_interactive();
    if interactive && format == OutputFormat::Text {
        println!(
            "{}",
            texts.render("console/welcome", json!({ "user": args.user }))
        );
    }
    let mut console =
        Console::new(bot, clock, std::io::stdout(), format, args.user).echo_input(!interactive);
    let result = console.run(&mut reader).await;
    store.close().await;
    result.map_err(|error| Failure::runtime(format!("{error:#}")))
}

async fn run_serve(
    settings: Settings,
    texts: Texts,
    listen: std::net::SocketAddr,
) -> Result<(), Failure> {
    let missing =
        |var: &str| Failure::usage(texts.render("cli/serve_missing", json!({ "var": var })));
    let token = settings
        .slack
        .bot_token
        .clone()
        .ok_or_else(|| missing("SLACK_BOT_TOKEN"))?;
    let api_url = settings.slack.api_url.clone();
    if let Some(url) = &api_url
        && url.starts_with("http://")
        && !is_loopback_url(url)
    {
        return Err(Failure::usage(
            texts.render("cli/plain_http_api", json!({ "url": url })),
        ));
    }
    // Socket Mode when an app-level token is set; else the HTTP Events API.
    let transport = match settings.slack.app_token.clone() {
        Some(app_token) => Transport::SocketMode {
            app_token,
            api_base: api_url
                .clone()
                .unwrap_or_else(|| DEFAULT_API_URL.to_owned()),
        },
        None => Transport::Http {
            signing_secret: settings
                .slack
                .signing_secret
                .clone()
                .ok_or_else(|| missing("SLACK_SIGNING_SECRET"))?,
        },
    };
    let store = open_store(&settings, &texts).await?;
    let texts = Arc::new(texts);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let team_channel = settings.channels.team.clone();
    let bot = Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: clock.clone(),
        texts: texts.clone(),
    });
    let api = banso::chat::slack::web_api::WebApi::new(token, api_url.as_deref());
    let sender =
        banso::chat::slack::sender::Sender::new(store.clone(), clock, api.clone(), team_channel);
    let served =
        banso::chat::slack::serve(bot, transport, api, sender, listen, shutdown_signal()).await;
    store.close().await;
    served.map_err(|error| {
        Failure::runtime(texts.render(
            "cli/serve_failed",
            json!({ "detail": format!("{error:#}") }),
        ))
    })
}

fn is_loopback_url(url: &str) -> bool {
    let host = url
        .trim_start_matches("http://")
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    matches!(host, "127.0.0.1" | "localhost" | "[") || host.starts_with("127.")
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Clap's own errors are English paragraphs; a person gets one line in
/// their language instead, with what to do next.
fn exit_for_clap_error(error: &clap::Error, texts: &Texts) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        Some(ContextValue::Strings(values)) => values.join(", "),
        _ => String::new(),
    };
    let (template, values) = match error.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => (
            "cli/bad_value",
            json!({ "argument": context(ContextKind::InvalidArg), "value": context(ContextKind::InvalidValue), "expected": expected_for(&context(ContextKind::InvalidArg)) }),
        ),
        ErrorKind::UnknownArgument => (
            "cli/unknown_argument",
            json!({ "argument": context(ContextKind::InvalidArg), "suggestion": context(ContextKind::SuggestedArg) }),
        ),
        ErrorKind::InvalidSubcommand => (
            "cli/unknown_subcommand",
            json!({ "name": context(ContextKind::InvalidSubcommand), "suggestion": context(ContextKind::SuggestedSubcommand) }),
        ),
        ErrorKind::MissingRequiredArgument => (
            "cli/missing_argument",
            json!({ "argument": context(ContextKind::InvalidArg) }),
        ),
        _ => ("cli/bad_usage", json!({})),
    };
    eprintln!("{}", texts.render(template, values));
    ExitCode::from(2)
}

/// What a value of an argument looks like, for the error line.
fn expected_for(argument: &str) -> &'static str {
    if argument.contains("DATE") {
        "date"
    } else if argument.contains("RFC3339") {
        "instant"
    } else if argument.contains("--format") {
        "format"
    } else if argument.contains("--open-days") {
        "integer"
    } else if argument.contains("USER") {
        "user"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
