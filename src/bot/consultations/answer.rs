//! Writing the advice (仕様書 4(1)ア(ｱ)「専門家の知見からアドバイス等を行う
//! こと」): the team notice's 回答する asks for the answer's words — a
//! modal in Slack, a question in a chat or the console — and a reply the
//! team typed in the notice's thread is kept in the history, and sent to
//! the requester as the answer when a consultant says so (the message
//! shortcut 「回答として送る」).

use serde_json::json;

use super::form::Conversation;
use super::{refuse, visible};
use crate::bot::Bot;
use crate::domain::consultation::{self, Action, Actor, MAX_TEXT_CHARS};
use crate::message::{Outgoing, UserId};
use crate::store::Consultation;

/// The history entry of a reply the team typed in a consultation's
/// thread: kept for the team, never shown to the requester.
pub const TEAM_NOTE: &str = "team_note";

/// The consultation `short_id`, if `user` may answer it now; otherwise
/// the replies that say why not (the refusal recorded, as a press's is).
pub async fn answerable(
    bot: &Bot,
    user: &UserId,
    short_id: &str,
) -> anyhow::Result<Result<Consultation, Vec<Outgoing>>> {
    let consultation = match visible(bot, user, short_id).await? {
        Ok(consultation) => consultation,
        Err(reply) => return Ok(Err(reply)),
    };
    let actor = Actor {
        role: bot.directory().role_of(user),
        is_coordinator: bot.directory().is_coordinator(user),
        is_requester: consultation.requester == user.as_str(),
    };
    match consultation::transition(consultation.status, Action::Answer, actor) {
        Ok(_) => Ok(Ok(consultation)),
        Err(error) => {
            let now = bot.clock().now().timestamp();
            Ok(Err(refuse(
                bot,
                user,
                &consultation,
                Action::Answer,
                error,
                now,
            )
            .await?))
        }
    }
}

/// 回答する pressed where no modal can open (a chat, the console): the
/// next line `user` types is the answer.
pub async fn ask(bot: &Bot, user: &UserId, short_id: &str) -> anyhow::Result<Vec<Outgoing>> {
    let consultation = match answerable(bot, user, short_id).await? {
        Ok(consultation) => consultation,
        Err(replies) => return Ok(replies),
    };
    bot.save_conversation(
        user,
        &Conversation::Answer {
            short_id: consultation.short_id.clone(),
        },
    )
    .await?;
    Ok(bot.reply(
        user,
        "consult/answer_prompt",
        json!({ "short_id": consultation.short_id, "title": consultation.title }),
    ))
}

/// Why the words of an answer cannot be sent as they are, if they cannot:
/// none, or more than a consultation's text may hold.
pub fn problem_of(words: &str) -> Option<&'static str> {
    let words = words.trim();
    if words.is_empty() {
        Some("empty")
    } else if words.chars().count() > MAX_TEXT_CHARS {
        Some("too_long")
    } else {
        None
    }
}

/// The answer `words` to `short_id`, written by `user`: kept, sent to the
/// requester, the consultation marked 回答済 (or refused, with why).
pub async fn send(
    bot: &Bot,
    user: &UserId,
    short_id: &str,
    words: &str,
) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(problem) = problem_of(words) {
        return Ok(bot.reply(
            user,
            "consult/answer_refused",
            json!({ "short_id": short_id, "problem": problem, "limit": MAX_TEXT_CHARS }),
        ));
    }
    super::act(bot, user, Action::Answer, short_id, Some(words.trim())).await
}

/// A reply a team member typed in the thread of consultation `id`'s team
/// notice: kept in its history for the team. Someone outside the team (a
/// guest of the channel) is not recorded.
pub async fn team_note(bot: &Bot, user: &UserId, id: i64, words: &str) -> anyhow::Result<bool> {
    let words = words.trim();
    if !bot.directory().role_of(user).is_team() || words.is_empty() {
        return Ok(false);
    }
    let words: String = words.chars().take(MAX_TEXT_CHARS).collect();
    let now = bot.clock().now().timestamp();
    bot.store()
        .record_event(id, now, user.as_str(), TEAM_NOTE, Some(&words))
        .await?;
    Ok(true)
}
