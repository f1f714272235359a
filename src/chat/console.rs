//! `banso console`: the main job without Slack. A REPL on stdin/stdout that
//! runs the real bot core on the real database, with meta-commands to act as
//! another user and to move the clock (README.md, "Two commands").

mod input;
mod meta;

use std::io::Write;
use std::sync::Arc;

use anyhow::Context as _;
use serde_json::json;

use crate::bot::Bot;
use crate::bot::buttons::ButtonAction;
use crate::bot::clock::AdjustableClock;
use crate::message::{Outgoing, Recipient, UserId, plain_text};
use crate::scheduler::Scheduler;
pub use input::{LineSource, spawn_line_reader};
pub use meta::{MetaCommand, MetaError, parse_advance, parse_meta};

/// How many messages with buttons `:click` can reach back to.
const REMEMBERED_BUTTON_MESSAGES: usize = 200;

/// How the console shows what the core sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Readable lines, for people.
    Text,
    /// One JSON object per outgoing message, for other tools.
    Json,
}

/// A console session: the acting user, the clock, and the last buttons each
/// user was shown (for `:click N`).
pub struct Console<W: Write> {
    bot: Bot,
    scheduler: Scheduler,
    clock: Arc<dyn AdjustableClock>,
    out: W,
    format: OutputFormat,
    echo_input: bool,
    user: UserId,
    /// Every message shown so far that had buttons, newest last, for
    /// `:click N` (the newest one the acting user can see).
    shown_with_buttons: Vec<Outgoing>,
}

/// Whether the session goes on after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

impl<W: Write> Console<W> {
    pub fn new(
        bot: Bot,
        clock: Arc<dyn AdjustableClock>,
        out: W,
        format: OutputFormat,
        user: UserId,
    ) -> Self {
        let scheduler = Scheduler::new(bot.clone(), format!("console-{}", std::process::id()));
        Self {
            scheduler,
            bot,
            clock,
            out,
            format,
            echo_input: false,
            user,
            shown_with_buttons: Vec::new(),
        }
    }

    /// Echo each input line before its answer, so a piped transcript reads
    /// like a conversation (text format only).
    pub fn echo_input(mut self, echo: bool) -> Self {
        self.echo_input = echo;
        self
    }

    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The prompt for the next line, e.g. `leader> `.
    pub fn prompt(&self) -> String {
        format!("{}> ", self.user)
    }

    /// Reads lines until `:quit` or the end of input. Messages a previous
    /// run queued but never showed (a crash) are shown first.
    pub async fn run(&mut self, reader: &mut input::LineReader) -> anyhow::Result<()> {
        self.start().await?;
        while let Some(line) = reader.next_line(self.prompt()).await {
            if self.handle_line(&line).await? == Flow::Quit {
                break;
            }
        }
        Ok(())
    }

    /// Plans the reminders, sends what is due now, and shows what an
    /// earlier run queued but never showed (a crash).
    pub async fn start(&mut self) -> anyhow::Result<()> {
        self.scheduler
            .replan()
            .await
            .context("planning reminders")?;
        self.run_due_reminders().await
    }

    /// Fires every reminder due by the console's clock, then delivers.
    async fn run_due_reminders(&mut self) -> anyhow::Result<()> {
        // What a new consultation's indexing tells (similar past ones) is
        // shown with its notices, as `serve` sends it a moment later.
        if let Err(error) = crate::bot::consultations::search::index_round(&self.bot).await {
            tracing::error!(error = format!("{error:#}"), "indexing for search failed");
        }
        // A failed round (e.g. a busy database) is reported and retried on
        // the next line; it does not end the session.
        if let Err(error) = self.scheduler.run_due(self.clock.now()).await {
            tracing::error!(error = format!("{error:#}"), "running reminders failed");
            self.say("error", "console/reminders_failed", json!({}))?;
        }
        self.deliver_outbox().await
    }

    /// Handles one line: a meta-command or what a user types in chat.
    pub async fn handle_line(&mut self, line: &str) -> anyhow::Result<Flow> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(Flow::Continue);
        }
        if self.echo_input && self.format == OutputFormat::Text {
            writeln!(self.out, "{}{line}", self.prompt()).context("writing to the console")?;
        }
        if line.starts_with(':') {
            return self.handle_meta(line).await;
        }
        let messages =
            match crate::bot::file_exports::export_request(&self.bot, &self.user, line).await {
                Some(outcome) => self.save_export(outcome),
                None => self.bot.handle_text(&self.user, line).await,
            };
        // What the change caused (confirmations, notices) first, then the
        // direct reply, which may be a follow-up question.
        self.run_due_reminders().await?;
        self.show(&messages)?;
        Ok(Flow::Continue)
    }

    /// The console delivers an exported file by saving it in the working
    /// folder (never over an existing file).
    fn save_export(&self, outcome: crate::bot::file_exports::ExportOutcome) -> Vec<Outgoing> {
        use crate::bot::file_exports::ExportOutcome;
        let file = match outcome {
            ExportOutcome::File(file) => file,
            ExportOutcome::Replies(replies) => return replies,
        };
        let path = std::path::Path::new(&file.file_name);
        match crate::export::files::write_whole(path, &file.bytes, false) {
            Ok(()) => self.bot.reply(
                &self.user,
                "export/saved",
                serde_json::json!({ "path": file.file_name, "comment": file.comment }),
            ),
            Err(error) => {
                let (exists, detail) = match error {
                    crate::export::files::FileError::Exists(_) => (true, None),
                    crate::export::files::FileError::Unwritable { source, .. } => {
                        (false, Some(source.to_string()))
                    }
                };
                self.bot.reply(
                    &self.user,
                    "export/not_saved",
                    serde_json::json!({ "path": file.file_name, "exists": exists, "detail": detail }),
                )
            }
        }
    }

    /// Shows every queued message and marks it delivered: the console is
    /// the outbox's delivery channel, as the Slack sender is in `serve`.
    pub async fn deliver_outbox(&mut self) -> anyhow::Result<()> {
        loop {
            let pending = self
                .bot
                .store()
                .pending_messages(100)
                .await
                .context("reading the outbox")?;
            if pending.is_empty() {
                return Ok(());
            }
            for queued in pending {
                let message = self.bot.texts().written(&queued);
                if queued.edits.is_some() {
                    // Slack edits the earlier post in place; the console
                    // can only say so and show it again.
                    self.say("edited", "console/edited", json!({}))?;
                }
                self.show_one(&message, Some(&queued.idempotency_key))?;
                let now = self.bot.clock().now().timestamp();
                self.bot
                    .store()
                    .mark_message_sent(queued.id, now)
                    .await
                    .context("updating the outbox")?;
            }
        }
    }

    async fn handle_meta(&mut self, line: &str) -> anyhow::Result<Flow> {
        match parse_meta(line) {
            Ok(MetaCommand::Quit) => {
                self.say("quit", "console/bye", json!({}))?;
                return Ok(Flow::Quit);
            }
            Ok(MetaCommand::As(user)) => {
                self.user = user;
                self.say("as", "console/as", json!({ "user": self.user }))?;
            }
            Ok(MetaCommand::Now) => self.say_now("now")?,
            Ok(MetaCommand::Advance(by)) => {
                self.advance(by).await?;
                self.say_now("advance")?;
            }
            Ok(MetaCommand::Click(n)) => self.click(n).await?,
            Ok(MetaCommand::Help) => self.say("help", "console/help", json!({}))?,
            Err(error) => self.say("error", "console/bad_meta", meta_error_context(&error))?,
        }
        Ok(Flow::Continue)
    }

    /// Moves the clock in steps from one due reminder to the next, so each
    /// fires at its own time, in order, as a running banso would send them.
    async fn advance(&mut self, by: chrono::Duration) -> anyhow::Result<()> {
        let target = self.clock.now() + by;
        while let Some(due) = self
            .bot
            .store()
            .next_job_due_at()
            .await
            .context("reading the jobs")?
        {
            let due = chrono::DateTime::from_timestamp(due, 0).unwrap_or(target);
            if due > target {
                break;
            }
            let stuck = due <= self.clock.now();
            if !stuck {
                self.clock.advance(due - self.clock.now());
            }
            self.run_due_reminders().await?;
            // Something due now that could not be run (another process
            // holds it): move on rather than spin; it is looked at again
            // on the next step.
            if stuck {
                break;
            }
        }
        let rest = target - self.clock.now();
        if rest > chrono::Duration::zero() {
            self.clock.advance(rest);
        }
        self.run_due_reminders().await
    }

    async fn click(&mut self, n: usize) -> anyhow::Result<()> {
        let directory = self.bot.directory();
        let visible = self
            .shown_with_buttons
            .iter()
            .rev()
            .find(|message| match &message.to {
                Recipient::User(user) => *user == self.user,
                Recipient::Channel(channel) => directory.sees_channel(&self.user, channel),
            });
        let button = visible
            .and_then(|message| message.buttons.get(n.wrapping_sub(1)))
            .cloned();
        match button {
            Some(button) => {
                let action = ButtonAction::parse(&button.action);
                let messages = if action.wants_files() {
                    let mut messages = Vec::new();
                    for outcome in
                        crate::bot::file_exports::drafts(&self.bot, &self.user, &button.value).await
                    {
                        messages.extend(self.save_export(outcome));
                    }
                    messages
                } else {
                    self.bot
                        .handle_button(&self.user, &action, &button.value)
                        .await
                };
                self.deliver_outbox().await?;
                self.show(&messages)
            }
            None => self.say(
                "error",
                "console/no_button",
                json!({ "n": n, "user": self.user }),
            ),
        }
    }

    fn say_now(&mut self, kind: &str) -> anyhow::Result<()> {
        let now = self.clock.now_in_city();
        let context = json!({
            "now": now.to_rfc3339(),
            "now_ja": crate::domain::fiscal::japanese_date(now.date_naive()),
            "time": now.format("%H:%M").to_string(),
        });
        self.say(kind, "console/now", context)
    }

    /// Prints a console-level answer (not a chat message).
    fn say(
        &mut self,
        kind: &str,
        template: &str,
        context: serde_json::Value,
    ) -> anyhow::Result<()> {
        let text = plain_text(&self.bot.texts().render(template, context));
        match self.format {
            OutputFormat::Text => writeln!(self.out, "{text}"),
            OutputFormat::Json => {
                writeln!(self.out, "{}", json!({ "console": kind, "text": text }))
            }
        }
        .context("writing to the console")
    }

    fn show(&mut self, messages: &[Outgoing]) -> anyhow::Result<()> {
        for message in messages {
            self.show_one(message, None)?;
        }
        Ok(())
    }

    /// Prints one message. A message from the outbox carries its key in
    /// JSON (`"id"`): delivery to a terminal is at least once (a crash
    /// between printing and marking it sent prints it again after a
    /// restart), and the key lets a reader see it is the same message.
    fn show_one(&mut self, message: &Outgoing, id: Option<&str>) -> anyhow::Result<()> {
        if !message.buttons.is_empty() {
            if self.shown_with_buttons.len() >= REMEMBERED_BUTTON_MESSAGES {
                self.shown_with_buttons.remove(0);
            }
            self.shown_with_buttons.push(message.clone());
        }
        match self.format {
            OutputFormat::Text => write_text_message(&mut self.out, message),
            OutputFormat::Json => write_json_message(&mut self.out, message, id),
        }
        .and_then(|()| self.out.flush())
        .context("writing to the console")
    }
}

fn meta_error_context(error: &MetaError) -> serde_json::Value {
    match error {
        MetaError::Unknown(word) => json!({ "problem": "unknown", "input": word }),
        MetaError::MissingArgument(command) => {
            json!({ "problem": "missing_argument", "input": command })
        }
        MetaError::BadArgument { command, argument } => {
            json!({ "problem": "bad_argument", "input": command, "argument": argument })
        }
    }
}

fn write_text_message(out: &mut impl Write, message: &Outgoing) -> std::io::Result<()> {
    writeln!(out, "[→ {}]", message.to)?;
    let text = plain_text(&message.text);
    for line in text.lines() {
        writeln!(out, "  {line}")?;
    }
    if !message.buttons.is_empty() {
        let buttons: Vec<String> = message
            .buttons
            .iter()
            .enumerate()
            .map(|(index, button)| format!("[{}] {}", index + 1, plain_text(&button.label)))
            .collect();
        writeln!(out, "  {}", buttons.join("  "))?;
    }
    Ok(())
}

fn write_json_message(
    out: &mut impl Write,
    message: &Outgoing,
    id: Option<&str>,
) -> std::io::Result<()> {
    let buttons: Vec<_> = message
        .buttons
        .iter()
        .enumerate()
        .map(|(index, button)| json!({ "n": index + 1, "label": plain_text(&button.label) }))
        .collect();
    let text = plain_text(&message.text);
    let mut line = json!({ "to": message.to, "text": text, "buttons": buttons });
    if let Some(id) = id {
        line["id"] = json!(id);
    }
    writeln!(out, "{line}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Button, link, mention};

    #[test]
    fn markers_read_as_plain_words_in_the_console() {
        let message = Outgoing {
            to: Recipient::Channel("#banso-team".into()),
            text: format!(
                "A&B <重要> {} {}",
                link("https://example.jp/a?b=1&c=2", Some("手順書")),
                mention("tanaka")
            ),
            buttons: vec![Button {
                label: format!("担当: {}", mention("leader")),
                action: "a".into(),
                value: "v".into(),
            }],
        };
        let mut text = Vec::new();
        write_text_message(&mut text, &message).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "[→ #banso-team]\n  A&B <重要> 手順書 (https://example.jp/a?b=1&c=2) tanaka\n  [1] 担当: leader\n"
        );
        let mut line = Vec::new();
        write_json_message(&mut line, &message, None).unwrap();
        let line: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(
            line["text"],
            "A&B <重要> 手順書 (https://example.jp/a?b=1&c=2) tanaka"
        );
        assert_eq!(line["buttons"][0]["label"], "担当: leader");
    }
}
