//! The Web API work that follows an acknowledgement: the form as a modal,
//! files uploaded to a DM, the App Home tab published, a pressed message
//! redrawn. Each runs in a task of its own, after or beside the ack; a
//! failure reaches the person as a DM through the outbox, or is logged.

use serde_json::json;
use slack_morphism::prelude::*;

use super::queue_replies;
use crate::bot::Bot;
use crate::bot::file_exports::ExportFile;
use crate::chat::slack::blocks::{blocks, fallback_text};
use crate::chat::slack::modal;
use crate::chat::slack::web_api::{self, WebApi};
use crate::message::{Outgoing, UserId};

/// After `/consult`'s ack: the form as a modal (Slack's trigger lasts three
/// seconds from the command), or, if Slack refuses it, the
/// direct-message dialogue, whose first question goes out as a DM.
pub(super) async fn open_form(bot: Bot, api: WebApi, user: UserId, trigger: String) {
    if let Err(error) = modal::open(&bot, &api, &user, &trigger).await {
        tracing::warn!(%error, "could not open the form; using the dialogue");
        let replies = bot.handle_text(&user, "/consult").await;
        queue_replies(&bot, replies, &format!("form-dialogue:{trigger}")).await;
    }
}

/// After the ack of 回答する: the answer modal, or why not (a DM).
pub(super) async fn open_answer(
    bot: Bot,
    api: WebApi,
    user: UserId,
    short_id: String,
    trigger: String,
) {
    let replies = modal::answer::open(&bot, &api, &user, &short_id, &trigger).await;
    queue_replies(&bot, replies, &format!("answer-modal:{trigger}")).await;
}

/// Makes the file asked for and uploads it to the requester's direct
/// messages; a refusal or a failure reaches them as a direct message
/// through the outbox.
pub(super) async fn deliver_export(bot: Bot, api: WebApi, user: UserId, line: String) {
    use crate::bot::file_exports::{ExportOutcome, export_request};
    let key = format!("export:{}:{}", user, bot.clock().now().timestamp_millis());
    let replies = match export_request(&bot, &user, &line).await {
        Some(ExportOutcome::File(file)) => match upload_to_dm(&api, &user, file).await {
            Ok(()) => return,
            Err(file_name) => {
                bot.reply(&user, "export/not_delivered", json!({ "file": file_name }))
            }
        },
        Some(ExportOutcome::Replies(replies)) => replies,
        None => return,
    };
    queue_replies(&bot, replies, &key).await;
}

/// Uploads a file into the person's DM; on failure, the file's name (for
/// the sentence that says it did not arrive).
async fn upload_to_dm(api: &WebApi, user: &UserId, file: ExportFile) -> Result<(), String> {
    let ExportFile {
        file_name,
        bytes,
        comment,
    } = file;
    let uploaded = match api.open_dm(user.as_str()).await {
        Ok(channel) => api.upload_file(&channel, &file_name, bytes, &comment).await,
        Err(error) => Err(error),
    };
    uploaded.map_err(|error| {
        tracing::warn!(%error, "a file could not be uploaded");
        file_name
    })
}

/// The deliverables reminder's drafts, uploaded to the presser's DM.
pub(super) async fn deliver_drafts(bot: Bot, api: WebApi, user: UserId, meeting_key: String) {
    use crate::bot::file_exports::{ExportOutcome, drafts};
    let key = format!("drafts:{}:{}", user, bot.clock().now().timestamp_millis());
    let mut replies = Vec::new();
    for outcome in drafts(&bot, &user, &meeting_key).await {
        match outcome {
            ExportOutcome::File(file) => {
                if let Err(file_name) = upload_to_dm(&api, &user, file).await {
                    replies.extend(bot.reply(
                        &user,
                        "export/not_delivered",
                        json!({ "file": file_name }),
                    ));
                }
            }
            ExportOutcome::Replies(refusal) => {
                // The same refusal for both drafts is said once.
                if replies.is_empty() {
                    replies.extend(refusal);
                }
            }
        }
    }
    queue_replies(&bot, replies, &key).await;
}

/// The pressed message, redrawn for everyone who sees it.
pub(super) async fn replace_original(response_url: url::Url, card: Outgoing) {
    let content = crate::chat::slack::blocks::content(fallback_text(&card), blocks(&card));
    if let Err(error) = web_api::respond(&response_url, content, true).await {
        tracing::warn!(%error, "could not update the pressed message");
    }
}

/// An answer sent to a `response_url`, seen by the person alone.
pub(super) async fn respond(response_url: url::Url, answer: SlackMessageContent) {
    if let Err(error) = web_api::respond(&response_url, answer, false).await {
        tracing::warn!(%error, "could not answer through response_url");
    }
}

/// Renders and publishes a user's App Home tab.
pub(super) async fn publish_home(bot: Bot, api: WebApi, user: UserId) {
    let text = match crate::bot::home::overview(&bot, &user).await {
        Ok(text) => text,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "could not build the home tab");
            return;
        }
    };
    let view = Outgoing {
        to: crate::message::Recipient::User(user.clone()),
        text,
        buttons: Vec::new(),
    };
    if let Err(error) = api.publish_home(user.as_str(), blocks(&view)).await {
        tracing::warn!(%error, "could not publish the home tab");
    }
}
