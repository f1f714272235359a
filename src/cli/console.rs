//! `banso console`: the bot core in a terminal, without Slack, reading
//! standard input or a script, on the system clock or one that moves only
//! when told.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::DateTime;
use serde_json::json;

use super::args::{parse_instant, parse_user};
use super::{Failure, open_store};
use crate::bot::clock::{AdjustableClock, ManualClock, ShiftedSystemClock};
use crate::bot::texts::Texts;
use crate::bot::{Bot, BotParts};
use crate::chat::console::{Console, LineSource, OutputFormat, spawn_line_reader};
use crate::config::Settings;
use crate::message::UserId;

#[derive(Debug, clap::Args)]
pub(super) struct ConsoleArgs {
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

pub(super) async fn run_console(
    settings: Settings,
    texts: Texts,
    args: ConsoleArgs,
) -> Result<(), Failure> {
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
        super::say(texts.render("console/welcome", json!({ "user": args.user })));
    }
    let mut console =
        Console::new(bot, clock, std::io::stdout(), format, args.user).echo_input(!interactive);
    let result = console.run(&mut reader).await;
    store.close().await;
    result.map_err(|error| Failure::runtime(format!("{error:#}")))
}
