//! 回答する as a Slack modal: the consultation's receipt number and title,
//! and a box for the advice; its submission sends the answer to the
//! requester (`bot::consultations::answer`), or shows on the box what to
//! fix.

use std::collections::HashMap;

use serde_json::json;
use slack_morphism::prelude::*;

use super::{field_value, label};
use crate::bot::Bot;
use crate::bot::consultations::answer;
use crate::chat::slack::web_api::WebApi;
use crate::domain::consultation::MAX_TEXT_CHARS;
use crate::message::{Outgoing, UserId, plain_text, prefix_keeping_markers};
use crate::store::Consultation;

/// The modal's `callback_id`; its `private_metadata` is the receipt number.
pub const CALLBACK_ID: &str = "consult_answer";

/// The longest error shown under the box.
const ERROR_CHARS: usize = 300;

/// How much of the question the modal repeats above the box.
const QUESTION_CHARS: usize = 600;

/// The modal for answering `consultation`.
pub fn answer_view(bot: &Bot, consultation: &Consultation) -> SlackView {
    let question = prefix_keeping_markers(&consultation.details, QUESTION_CHARS);
    let more = if question.len() < consultation.details.len() {
        "…"
    } else {
        ""
    };
    let about = format!(
        "{} {}\n\n{}{more}",
        consultation.short_id,
        plain_text(&consultation.title),
        plain_text(question),
    );
    let element = SlackBlockPlainTextInputElement::new()
        .with_action_id(SlackActionId("value".to_owned()))
        .with_multiline(true)
        .with_max_length(u64::try_from(MAX_TEXT_CHARS).unwrap_or(u64::MAX));
    let blocks = vec![
        SlackSectionBlock::new()
            .with_block_id(SlackBlockId("answer_of".to_owned()))
            .with_text(SlackBlockText::Plain(SlackBlockPlainText::new(about)))
            .into(),
        SlackInputBlock::new(label(bot, "answer"), element.into())
            .with_block_id(SlackBlockId("answer".to_owned()))
            .into(),
    ];
    SlackView::Modal(
        SlackModalView::new(label(bot, "answer_title"), blocks)
            .with_callback_id(SlackCallbackId(CALLBACK_ID.to_owned()))
            .with_private_metadata(consultation.short_id.clone())
            .with_submit(label(bot, "answer_submit"))
            .with_close(label(bot, "close")),
    )
}

/// After the ack of a press of 回答する: the modal, if `user` may answer
/// `short_id` now; otherwise why not, as a DM. If Slack will not open it,
/// the answer is asked for in the DM instead.
pub async fn open(
    bot: &Bot,
    api: &WebApi,
    user: &UserId,
    short_id: &str,
    trigger_id: &str,
) -> Vec<Outgoing> {
    let consultation = match answer::answerable(bot, user, short_id).await {
        Ok(Ok(consultation)) => consultation,
        Ok(Err(replies)) => return replies,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "could not read a consultation to answer"
            );
            return bot.handle_button(user, &answer_button(), short_id).await;
        }
    };
    match api
        .open_view(trigger_id, answer_view(bot, &consultation))
        .await
    {
        Ok(()) => Vec::new(),
        Err(error) => {
            tracing::warn!(%error, "could not open the answer modal; asking in the DM");
            bot.handle_button(user, &answer_button(), short_id).await
        }
    }
}

fn answer_button() -> crate::bot::buttons::ButtonAction {
    crate::bot::buttons::ButtonAction::Consultation(crate::domain::consultation::Action::Answer)
}

/// A submitted answer modal: what to fix shown on the box, or the answer
/// sent (the replies, such as a refusal, returned for the outbox).
pub async fn submit(
    bot: &Bot,
    user: &UserId,
    view: &SlackStatefulView,
) -> anyhow::Result<(Option<SlackViewSubmissionResponse>, Vec<Outgoing>)> {
    let SlackView::Modal(modal) = &view.view else {
        return Ok((None, Vec::new()));
    };
    let short_id = modal.private_metadata.clone().unwrap_or_default();
    let words = field_value(view.state_params.state.as_ref(), "answer");
    if let Some(problem) = answer::problem_of(&words) {
        let message = bot.texts().render(
            "consult/answer_refused",
            json!({ "short_id": short_id, "problem": problem, "limit": MAX_TEXT_CHARS }),
        );
        let errors = HashMap::from([("answer".to_owned(), message)]);
        return Ok((
            Some(SlackViewSubmissionResponse::Errors(
                SlackViewSubmissionErrorsResponse::new(errors),
            )),
            Vec::new(),
        ));
    }
    // Refused (withdrawn or answered meanwhile, say): why, on the box, so
    // that the words typed are not lost with a closed modal.
    let replies = answer::send(bot, user, &short_id, &words).await?;
    if let Some(refusal) = replies.iter().find(|reply| !reply.text.trim().is_empty()) {
        let why: String = plain_text(&refusal.text)
            .replace('*', "")
            .chars()
            .take(ERROR_CHARS)
            .collect();
        let errors = HashMap::from([("answer".to_owned(), why)]);
        return Ok((
            Some(SlackViewSubmissionResponse::Errors(
                SlackViewSubmissionErrorsResponse::new(errors),
            )),
            Vec::new(),
        ));
    }
    Ok((None, replies))
}
