//! What banso does with a slash command, an interaction or an event once
//! its transport (HTTP or Socket Mode) has verified it and read it into
//! slack-morphism's types: the same handlers for both. Each returns what
//! goes back in the acknowledgement and leaves the Web API work that must
//! follow the ack (views.open, uploads, publishing) to run after it.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::SlackApi;
use super::mrkdwn;
use super::{modal, profiles};
use crate::bot::buttons::ButtonAction;
use crate::bot::{Bot, PressedOn};
use crate::domain::consultation::Action;
use crate::message::{Outgoing, UserId};
use crate::store::{NewMessage, ReplayClaim};

mod after_ack;
mod threads;

use after_ack::{
    deliver_drafts, deliver_export, open_answer, open_form, publish_home, replace_original,
};

/// Web API work that waits for the acknowledgement (Bolt's `ack()` first).
pub(super) type AfterAck = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a slash command is answered with, and what follows the answer.
pub(super) struct Handled {
    /// The acknowledgement's body; `None` for a silent one (over HTTP an
    /// empty 200, in Socket Mode an ack without a payload).
    pub(super) answer: Option<SlackCommandEventResponse>,
    /// Started by the transport once the ack is on its way.
    pub(super) after_ack: Option<AfterAck>,
}

impl Handled {
    fn answer(answer: Option<SlackCommandEventResponse>) -> Self {
        Self {
            answer,
            after_ack: None,
        }
    }
}

/// The direct replies as one ephemeral answer; none (a silent
/// acknowledgement) when there is nothing to say.
fn ephemeral(replies: &[Outgoing]) -> Option<SlackCommandEventResponse> {
    let replies: Vec<Outgoing> = replies
        .iter()
        .filter(|reply| !reply.text.trim().is_empty() || !reply.buttons.is_empty())
        .cloned()
        .collect();
    if replies.is_empty() {
        return None;
    }
    Some(super::blocks::ephemeral(&replies))
}

/// The answer to a request banso could not read (a payload
/// slack-morphism refused, a user id that is none): a sentence the person
/// understands instead of Slack's "failed with the error".
pub(super) fn unreadable_answer(bot: &Bot) -> SlackCommandEventResponse {
    let text = bot.texts().render("chat/unreadable_request", json!({}));
    super::blocks::notice(&text)
}

/// Tells the person behind an interaction banso could not read that it
/// was not taken, through the payload's `response_url` when it has one
/// (read by hand: slack-morphism refused the payload); a payload without
/// one (a `view_submission`) cannot be answered, and is only logged.
pub(super) fn answer_unreadable_interaction(bot: &Bot, payload: &Value) {
    let Some(response_url) = payload["response_url"]
        .as_str()
        .and_then(|url| url::Url::parse(url).ok())
    else {
        return;
    };
    tokio::spawn(after_ack::respond(
        response_url,
        unreadable_answer(bot).content,
    ));
}

/// An answer that missed its acknowledgement, sent through the request's
/// `response_url` (only the person sees it).
pub(super) async fn answer_later(response_url: url::Url, answer: SlackMessageContent) {
    after_ack::respond(response_url, answer).await;
}

/// A person's id as the bot core takes it, or `None` (logged) if Slack's
/// is not one.
fn person(id: &SlackUserId) -> Option<UserId> {
    UserId::parse(&id.0)
        .inspect_err(|_| tracing::warn!("a request named a user id banso cannot read"))
        .ok()
}

/// Why a signed slash command was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotRun {
    /// Its request was claimed before: a replay, answered without effect.
    Replay,
    /// Its claim could not be taken (the database is unavailable).
    Unavailable,
}

/// Takes a request's claim before an effect other than a consultation's
/// intake (which takes it in its own transaction).
async fn claim_first(bot: &Bot, claim: Option<&ReplayClaim>) -> Result<(), NotRun> {
    let Some(claim) = claim else {
        return Ok(());
    };
    match bot
        .store()
        .claim_signed_request(&claim.signature, claim.sent_at)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(NotRun::Replay),
        Err(error) => Err(unavailable(&error)),
    }
}

/// A claim that could not be taken refuses its request (Slack may send it
/// again): logged once, here.
fn unavailable(error: &crate::store::StoreError) -> NotRun {
    tracing::error!(%error, "could not claim a request; refused it");
    NotRun::Unavailable
}

/// Runs a slash command: Slack's ephemeral answer, and the Web API work
/// that follows the ack. Socket Mode's commands, deduplicated by their
/// `trigger_id` instead of a signature.
pub(super) async fn run_command(
    bot: &Bot,
    api: Option<&SlackApi>,
    event: &SlackCommandEvent,
) -> Handled {
    run_command_claimed(bot, api, event, None)
        .await
        .unwrap_or_else(|_| Handled::answer(None))
}

/// Runs a signed slash command at most once: its request's `claim` is
/// taken before its effects, or with them when it records a
/// consultation.
pub(super) async fn run_command_once(
    bot: &Bot,
    api: Option<&SlackApi>,
    event: &SlackCommandEvent,
    claim: &ReplayClaim,
) -> Result<Handled, NotRun> {
    run_command_claimed(bot, api, event, Some(claim)).await
}

async fn run_command_claimed(
    bot: &Bot,
    api: Option<&SlackApi>,
    event: &SlackCommandEvent,
    claim: Option<&ReplayClaim>,
) -> Result<Handled, NotRun> {
    let Some(user) = person(&event.user_id) else {
        return Ok(Handled::answer(Some(unreadable_answer(bot))));
    };
    profiles::ensure(bot, api, &user).await;
    let command = event.command.0.as_str();
    // Slack sends what was typed with entities and `<…>` markup.
    let text = mrkdwn::decode(event.text.as_deref().unwrap_or_default());
    // `/consult` alone opens the form as a modal, right after a silent
    // ack; without the Web API (or if Slack refuses) the form runs as a
    // direct-message dialogue instead.
    if command == "/consult"
        && text.trim().is_empty()
        && let Some(api) = api
    {
        claim_first(bot, claim).await?;
        let trigger = event.trigger_id.0.clone();
        let opening = open_form(bot.clone(), api.client.clone(), user, trigger);
        return Ok(Handled {
            answer: None,
            after_ack: Some(Box::pin(opening)),
        });
    }
    let line = format!("{command} {text}");
    // A file is made and uploaded after the answer (Slack waits three
    // seconds at most); the answer says it is coming.
    if let Some(api) = api
        && crate::bot::file_exports::is_export_request(&line)
    {
        claim_first(bot, claim).await?;
        tokio::spawn(deliver_export(
            bot.clone(),
            api.client.clone(),
            user.clone(),
            line,
        ));
        let replies = bot.reply(&user, "export/coming", json!({}));
        return Ok(Handled::answer(ephemeral(&replies)));
    }
    let replies = match claim {
        None => bot.handle_text(&user, line.trim()).await,
        Some(claim) => match bot.handle_text_once(&user, &line, claim).await {
            Ok(Some(replies)) => replies,
            Ok(None) => return Err(NotRun::Replay),
            Err(error) => return Err(unavailable(&error)),
        },
    };
    Ok(Handled::answer(ephemeral(&replies)))
}

/// Runs an interaction: the answer a `view_submission` gets back (its
/// field errors), or none; button presses and shortcuts answer through
/// the outbox and `response_url`.
pub(super) async fn run_interaction(
    bot: &Bot,
    api: Option<&SlackApi>,
    event: &SlackInteractionEvent,
) -> Result<Option<SlackViewSubmissionResponse>, &'static str> {
    match event {
        SlackInteractionEvent::ViewSubmission(submission) => {
            let Some(user) = person(&submission.user.id) else {
                return Err("view_submission from an unreadable user");
            };
            profiles::ensure(bot, api, &user).await;
            let submitted = match modal::callback_of(&submission.view) {
                Some(modal::CALLBACK_ID) => modal::submit(bot, &user, &submission.view).await,
                Some(modal::answer::CALLBACK_ID) => {
                    modal::answer::submit(bot, &user, &submission.view).await
                }
                _ => {
                    tracing::info!("view_submission of another view ignored");
                    return Ok(None);
                }
            };
            let Ok((answer, replies)) = submitted else {
                return Err("form submission failed");
            };
            let key = format!("form:{}", submission.view.state_params.id.0);
            queue_replies(bot, replies, &key).await;
            Ok(answer)
        }
        SlackInteractionEvent::MessageAction(shortcut) => {
            let Some(user) = person(&shortcut.user.id) else {
                return Err("message_action from an unreadable user");
            };
            profiles::ensure(bot, api, &user).await;
            run_message_shortcut(bot, &user, shortcut).await;
            Ok(None)
        }
        SlackInteractionEvent::BlockActions(press) => {
            let Some(user) = press.user.as_ref().and_then(|user| person(&user.id)) else {
                return Err("block_actions without a user");
            };
            profiles::ensure(bot, api, &user).await;
            run_press(bot, api, &user, press).await
        }
        _ => {
            tracing::info!("interaction type not handled");
            Ok(None)
        }
    }
}

/// A button press: applied, its replies queued as DMs, and the pressed
/// message redrawn in place when the press changes what it shows.
async fn run_press(
    bot: &Bot,
    api: Option<&SlackApi>,
    user: &UserId,
    press: &SlackInteractionBlockActionsEvent,
) -> Result<Option<SlackViewSubmissionResponse>, &'static str> {
    let Some(action) = press.actions.as_ref().and_then(|actions| actions.first()) else {
        return Err("block_actions without an action");
    };
    let action_id = action.action_id.0.as_str();
    let value = action.value.as_deref().unwrap_or_default();
    let action = ButtonAction::parse(super::blocks::action_of(action_id));
    // 回答する opens a modal for the answer's words (after the ack, within
    // the trigger's three seconds); the pressed message stays as it is.
    if let (ButtonAction::Consultation(Action::Answer), Some(api)) = (&action, api) {
        tokio::spawn(open_answer(
            bot.clone(),
            api.client.clone(),
            user.clone(),
            value.to_owned(),
            press.trigger_id.0.clone(),
        ));
        return Ok(None);
    }
    if action.wants_files() {
        if let Some(api) = api {
            tokio::spawn(deliver_drafts(
                bot.clone(),
                api.client.clone(),
                user.clone(),
                value.to_owned(),
            ));
        }
    } else {
        let replies = bot.handle_button(user, &action, value).await;
        let key = format!("interaction:{}", press.trigger_id.0);
        queue_replies(bot, replies, &key).await;
    }
    // The pressed message shows the new state in place, for everyone who
    // sees it (response_url, replace_original).
    if let Some(response_url) = &press.response_url
        && let Some(message) = bot
            .message_after_press(user, &action, value, pressed_on(press))
            .await
    {
        tokio::spawn(replace_original(response_url.0.clone(), message));
    }
    Ok(None)
}

/// Where the pressed message is: in a channel, seen by everyone there, or
/// seen by the presser alone (an ephemeral answer, a direct message — a
/// `D…` conversation). Unknown counts as the presser's alone, so nothing
/// others see is replaced by mistake.
fn pressed_on(press: &SlackInteractionBlockActionsEvent) -> PressedOn {
    let (container_channel, ephemeral) = match &press.container {
        SlackInteractionActionContainer::Message(message) => {
            (message.channel_id.as_ref(), message.is_ephemeral)
        }
        SlackInteractionActionContainer::MessageAttachment(attachment) => {
            (attachment.channel_id.as_ref(), attachment.is_ephemeral)
        }
        SlackInteractionActionContainer::View(_) => (None, None),
    };
    let channel = container_channel.or(press.channel.as_ref().map(|channel| &channel.id));
    let personal =
        ephemeral == Some(true) || channel.is_none_or(|channel| channel.0.starts_with('D'));
    if personal {
        PressedOn::PersonalMessage
    } else {
        PressedOn::ChannelMessage
    }
}

/// 「セキュリティ相談として登録」: the message becomes a consultation of the
/// person who used the shortcut, with a link back to the message.
async fn run_message_shortcut(
    bot: &Bot,
    user: &UserId,
    shortcut: &SlackInteractionMessageActionEvent,
) {
    let key = format!("shortcut:{}", shortcut.trigger_id.0);
    match shortcut.callback_id.0.as_str() {
        "register_consultation" => {}
        "send_as_answer" => {
            let replies = threads::send_as_answer(bot, user, shortcut).await;
            queue_replies(bot, replies, &key).await;
            return;
        }
        other => {
            tracing::info!(callback = other, "message shortcut not handled");
            return;
        }
    }
    let message = shortcut.message.as_ref();
    let text = mrkdwn::decode(
        message
            .and_then(|message| message.content.text.as_deref())
            .unwrap_or_default(),
    );
    // slack-morphism has no permalink without a Web API call
    // (chat.getPermalink), which cannot come before the ack: the
    // archive URL is Slack's documented shape.
    let link = match (&shortcut.channel, message) {
        (Some(channel), Some(message)) => Some(crate::message::link(
            &format!(
                "https://slack.com/archives/{}/p{}",
                channel.id.0,
                message.origin.ts.0.replace('.', "")
            ),
            None,
        )),
        _ => None,
    };
    let replies = bot.consult_from_message(user, &text, link.as_deref()).await;
    queue_replies(bot, replies, &key).await;
}

/// Direct replies that cannot be the answer to the request itself go to
/// the user as DMs through the outbox.
async fn queue_replies(bot: &Bot, replies: Vec<Outgoing>, key: &str) {
    let now = bot.clock().now().timestamp();
    let queued: Vec<NewMessage> = replies
        .into_iter()
        .enumerate()
        .map(|(n, message)| NewMessage {
            idempotency_key: format!("{key}:{n}"),
            message,
            deferred: None,
            edits: None,
            in_thread_of: None,
        })
        .collect();
    if let Err(error) = bot.store().enqueue_messages(&queued, now).await {
        tracing::error!(%error, "could not queue replies");
    }
}

/// Who sent a message event and what they typed (decoded from Slack's
/// markup), if both can be read.
fn sender_and_text(message: &SlackMessageEvent) -> Option<(UserId, String)> {
    let user = message.sender.user.as_ref().and_then(person)?;
    let text = message.content.as_ref()?.text.as_deref()?;
    Some((user, mrkdwn::decode(text)))
}

/// Runs an event callback once, whatever the retries (Slack retries a
/// delivery it did not see acknowledged, with the same `event_id`).
pub(super) async fn run_event(
    bot: &Bot,
    api: Option<&SlackApi>,
    callback: &SlackPushEventCallback,
) {
    let event_id = callback.event_id.0.as_str();
    let now = bot.clock().now().timestamp();
    match bot.store().first_sight_of_event(event_id, now).await {
        Ok(true) => handle_event(bot, api, event_id, &callback.event).await,
        Ok(false) => tracing::info!(event_id, "retried event ignored"),
        Err(error) => tracing::error!(%error, "could not record an event"),
    }
}

/// The App Home tab is published when opened. A direct message to the bot
/// is a line typed in chat: the answer to a form question, a department,
/// or a command without the slash menu; the replies go back as direct
/// messages through the outbox. A reply in the thread of a consultation's
/// team notice is kept in its history (`threads`). Messages from bots
/// (including banso itself) and edits are ignored.
async fn handle_event(
    bot: &Bot,
    api: Option<&SlackApi>,
    event_id: &str,
    event: &SlackEventCallbackBody,
) {
    match event {
        SlackEventCallbackBody::AppHomeOpened(opened) => {
            if opened.tab.as_deref() == Some("messages") {
                return;
            }
            if let (Some(api), Some(user)) = (api, person(&opened.user)) {
                // Published in the background: the event is acknowledged now.
                tokio::spawn(publish_home(bot.clone(), api.client.clone(), user));
            }
        }
        SlackEventCallbackBody::Message(message) => {
            let is_direct_message = message
                .origin
                .channel_type
                .as_ref()
                .is_some_and(|kind| kind.0 == "im");
            let from_a_person = message.sender.bot_id.is_none() && message.subtype.is_none();
            if !is_direct_message && threads::is_thread_reply(message) {
                threads::keep_team_reply(bot, api, event_id, message).await;
                return;
            }
            if !(is_direct_message && from_a_person) {
                tracing::info!(event_id, "message event not handled");
                return;
            }
            let Some((user, text)) = sender_and_text(message) else {
                return;
            };
            profiles::ensure(bot, api, &user).await;
            let replies = bot.handle_text(&user, &text).await;
            queue_replies(bot, replies, &format!("event:{event_id}")).await;
        }
        _ => tracing::info!(event_id, "event not handled"),
    }
}
