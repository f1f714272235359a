//! The thread of a consultation's team notice: replies the team types
//! there are kept in the consultation's history (events `message.groups`
//! and `message.channels`), and 「回答として送る」 (a message shortcut: a bot
//! cannot put a button on a person's message) sends one to the requester
//! as the answer.

use serde_json::json;
use slack_morphism::prelude::*;

use super::{SlackApi, mrkdwn, profiles};
use crate::bot::Bot;
use crate::bot::consultations::answer;
use crate::message::{Outgoing, UserId};
use crate::store::Consultation;

/// A reply in a thread of a channel, by a person, as typed (not an edit,
/// a deletion or a bot's post; a reply also sent to the channel counts).
pub(super) fn is_thread_reply(message: &SlackMessageEvent) -> bool {
    let in_thread = message
        .origin
        .thread_ts
        .as_ref()
        .is_some_and(|thread| *thread != message.origin.ts);
    let typed = match &message.subtype {
        None => true,
        Some(subtype) => *subtype == SlackMessageEventType::ThreadBroadcast,
    };
    in_thread && typed && message.sender.bot_id.is_none()
}

/// The consultation whose team notice is the root of the thread `thread`
/// in `channel`, if there is one.
async fn consultation_of_thread(
    bot: &Bot,
    channel: Option<&SlackChannelId>,
    thread: Option<&SlackTs>,
) -> Option<Consultation> {
    let (channel, thread) = (channel?, thread?);
    bot.store()
        .consultation_of_team_notice(&channel.0, &thread.0)
        .await
        .inspect_err(|error| tracing::error!(%error, "could not look up a thread's consultation"))
        .ok()
        .flatten()
}

/// A team member's reply in a consultation's thread, kept in its history
/// (the event is handled once: `run_event`). Replies in other threads, and
/// from people outside the team, are left alone.
pub(super) async fn keep_team_reply(
    bot: &Bot,
    api: Option<&SlackApi>,
    event_id: &str,
    message: &SlackMessageEvent,
) {
    let Some(consultation) = consultation_of_thread(
        bot,
        message.origin.channel.as_ref(),
        message.origin.thread_ts.as_ref(),
    )
    .await
    else {
        tracing::info!(event_id, "a thread reply outside a consultation's thread");
        return;
    };
    let Some((user, words)) = super::sender_and_text(message) else {
        return;
    };
    profiles::ensure(bot, api, &user).await;
    match answer::team_note(bot, &user, consultation.id, &words).await {
        Ok(true) => tracing::info!(event_id, "a team reply kept in a consultation's history"),
        Ok(false) => tracing::info!(
            event_id,
            "a thread reply not kept (not the team's, or empty)"
        ),
        Err(error) => tracing::error!(
            event_id,
            error = format!("{error:#}"),
            "could not keep a team reply"
        ),
    }
}

/// 「回答として送る」 on a message: a person's reply in a consultation's
/// thread becomes its answer, sent by the one who used the shortcut; used
/// anywhere else, it says where it works.
pub(super) async fn send_as_answer(
    bot: &Bot,
    user: &UserId,
    shortcut: &SlackInteractionMessageActionEvent,
) -> Vec<Outgoing> {
    let not_here = || bot.reply(user, "consult/answer_not_in_thread", json!({}));
    let Some(message) = shortcut.message.as_ref() else {
        return not_here();
    };
    let is_reply = message
        .origin
        .thread_ts
        .as_ref()
        .is_some_and(|thread| *thread != message.origin.ts);
    if !is_reply || message.sender.bot_id.is_some() {
        return not_here();
    }
    let channel = shortcut.channel.as_ref().map(|channel| &channel.id);
    let Some(consultation) =
        consultation_of_thread(bot, channel, message.origin.thread_ts.as_ref()).await
    else {
        return not_here();
    };
    let words = mrkdwn::decode(message.content.text.as_deref().unwrap_or_default());
    match answer::send(bot, user, &consultation.short_id, &words).await {
        Ok(replies) => replies,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "could not send a reply as the answer"
            );
            bot.reply(user, "chat/internal_error", json!({}))
        }
    }
}
