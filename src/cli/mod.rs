//! The `banso` command line: parses arguments, loads the configuration and
//! hands over to the rest of the library, one file per command family.
//! Exit status 0 on success, 1 when something outside banso failed (e.g.
//! the database), 2 for bad input or config.

mod args;
mod calendar;
mod config;
mod console;
mod errors;
mod export;
mod migrate;
mod purge;
mod schedule;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::bot::texts::Texts;
use crate::config::{ProcessEnv, Settings};
use crate::store::{Store, StoreError};
use calendar::CalendarCommand;
use config::ConfigCommand;
use console::ConsoleArgs;
use export::ExportCommand;
use schedule::ScheduleCommand;

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

/// The whole command line: what `main` hands over to once the process is
/// set up.
pub fn main() -> ExitCode {
    init_tracing();
    let language = config::language_from_env(&ProcessEnv);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return errors::exit_for_clap_error(&error, &Texts::built_in(language)),
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
    let config_path = config::resolve_config_path(cli.config.as_deref(), &ProcessEnv);
    if let CliCommand::Config(ConfigCommand::Check { file }) = &cli.command {
        return config::check_config(file.as_deref().or(config_path.as_deref()));
    }
    let settings = config::load_settings(config_path.as_deref())?;
    let texts = Texts::load(settings.language, settings.prompts_dir.as_deref())
        .map_err(|error| Failure::usage(error.to_string()))?;
    match cli.command {
        CliCommand::Calendar(command) => calendar::run_calendar(&settings, &texts, command),
        CliCommand::Console(args) => run_async(console::run_console(settings, texts, args)),
        CliCommand::Serve { listen } => run_async(serve::run_serve(settings, texts, listen)),
        CliCommand::Schedule(command) => schedule::run_schedule(&settings, &texts, command),
        CliCommand::Export(ExportCommand::All { out, force }) => {
            run_async(export::run_export_all(settings, texts, out, force))
        }
        CliCommand::Export(command) => run_async(export::run_export(settings, texts, command)),
        CliCommand::Purge { confirm } => run_async(purge::run_purge(settings, texts, confirm)),
        CliCommand::Migrate => run_async(migrate::run_migrate(settings, texts)),
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

async fn open_store(settings: &Settings, texts: &Texts) -> Result<Store, Failure> {
    Store::open(&settings.database_url)
        .await
        .map_err(|error| store_failure(texts, error))
}

/// A store that could not be opened, in the person's words: a folder
/// banso may not write is named; anything else is "unavailable".
fn store_failure(texts: &Texts, error: StoreError) -> Failure {
    match error {
        StoreError::ReadOnly { folder } => Failure::runtime(texts.render(
            "cli/database_read_only",
            json!({ "folder": folder.display().to_string() }),
        )),
        error => database_unavailable(texts, error),
    }
}

/// Writes `text` and a newline to standard output. A closed output
/// (`banso calendar … | head`) is not an error: what is left is dropped
/// quietly, as other command-line tools do, rather than a panic.
fn say(text: impl std::fmt::Display) {
    say_raw(format_args!("{text}\n"));
}

/// `say` without the newline.
fn say_raw(text: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(text).and_then(|()| out.flush())
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        tracing::warn!(%error, "standard output could not be written");
    }
}

/// The database could not be used: exit status 1, with what it said.
fn database_unavailable(texts: &Texts, detail: impl std::fmt::Display) -> Failure {
    Failure::runtime(texts.render(
        "cli/database_unavailable",
        json!({ "detail": detail.to_string() }),
    ))
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
