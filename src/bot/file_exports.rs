//! `/banso export …` in chat (leader, manager and coordinators): the
//! requested file is made by the core and handed to the adapter, which
//! delivers it its own way — Slack uploads it to the requester's direct
//! messages (files upload v2), the console saves it in the working
//! folder. Every export is recorded in the history.

use serde_json::json;

use super::Bot;
use super::command::{Command, parse};
use super::exports::{self, DocumentFormat, ExportError, ExportKind, ExportRequest};
use crate::domain::consultation::Role;
use crate::domain::month::YearMonth;
use crate::domain::quota::month_of_receipt;
use crate::message::{Outgoing, UserId};

/// A file made for a person, with what to tell them once it is delivered.
#[derive(Debug)]
pub struct ExportFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The line sent with the file.
    pub comment: String,
}

/// What a chat line asking for an export came to.
#[derive(Debug)]
pub enum ExportOutcome {
    File(ExportFile),
    /// A refusal or a problem, as replies to the person.
    Replies(Vec<Outgoing>),
}

/// The drafts for the regular meeting `meeting_key` (`regular:2024-06`):
/// the 課題管理表 and the 進捗状況報告書 of the month before the meeting's.
/// Sent to the presser, never into the channel: they hold consultation
/// titles.
pub async fn drafts(bot: &Bot, user: &UserId, meeting_key: &str) -> Vec<ExportOutcome> {
    let meeting_month = meeting_key
        .strip_prefix("regular:")
        .and_then(|month| month.parse::<YearMonth>().ok())
        .unwrap_or_else(|| month_of_receipt(bot.clock().now()));
    let reported = meeting_month.previous();
    let request = |kind, month| ExportRequest {
        kind,
        month,
        format: DocumentFormat::Xlsx,
    };
    vec![
        make(bot, user, request(ExportKind::Kadai, None)).await,
        make(bot, user, request(ExportKind::Progress, Some(reported))).await,
    ]
}

/// Who may take data out: the leader, the manager and the coordinators.
pub(super) fn may_export(bot: &Bot, user: &UserId) -> bool {
    matches!(
        bot.directory().role_of(user),
        Role::ProjectLeader | Role::ProjectManager | Role::Coordinator
    )
}

/// Whether `line` asks for a file (so an adapter can answer at once and
/// make it in the background).
pub fn is_export_request(line: &str) -> bool {
    matches!(parse(line.trim()), Ok(Command::Export { .. }))
}

/// `None` if `line` is not an export request (the adapter then handles it
/// as any other line).
pub async fn export_request(bot: &Bot, user: &UserId, line: &str) -> Option<ExportOutcome> {
    let Ok(Command::Export { kind, month, docx }) = parse(line.trim()) else {
        return None;
    };
    let format = if docx {
        DocumentFormat::Docx
    } else {
        DocumentFormat::Xlsx
    };
    let request = ExportRequest {
        kind,
        month,
        format,
    };
    Some(make(bot, user, request).await)
}

/// Makes the file for a person who may export, records it and says what
/// it is; a refusal or a failure as replies.
async fn make(bot: &Bot, user: &UserId, request: ExportRequest) -> ExportOutcome {
    if !may_export(bot, user) {
        return ExportOutcome::Replies(bot.reply(user, "export/not_permitted", json!({})));
    }
    let made = match exports::make(bot, &request).await {
        Ok(made) => made,
        Err(error) => return ExportOutcome::Replies(failed(bot, user, error)),
    };
    if let Err(error) = made.record(bot, &made.file_name, user.as_str()).await {
        tracing::error!(%error, "an export could not be recorded");
        return ExportOutcome::Replies(bot.reply(user, "chat/internal_error", json!({})));
    }
    let comment = bot
        .texts()
        .render(
            "export/delivered",
            json!({ "file": made.file_name, "rows": made.rows, "kind": made.kind }),
        )
        .trim()
        .to_owned();
    ExportOutcome::File(ExportFile {
        file_name: made.file_name,
        bytes: made.bytes,
        comment,
    })
}

/// A month outside the contract is said as such; anything else is logged
/// and the person hears that it failed, never the error's text.
fn failed(bot: &Bot, user: &UserId, error: ExportError) -> Vec<Outgoing> {
    match error {
        ExportError::OutsideContract { month, start, end } => bot.reply(
            user,
            "export/outside_contract",
            json!({ "month": month.to_string(), "start": start.to_string(), "end": end.to_string() }),
        ),
        error => {
            tracing::error!(%error, "an export failed");
            bot.reply(user, "chat/internal_error", json!({}))
        }
    }
}
