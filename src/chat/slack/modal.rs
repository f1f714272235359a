//! The consultation form as a Slack modal: `/consult` alone opens it
//! (views.open, within Slack's three seconds), and its submission is
//! checked field by field — errors are shown on the field, in the person's
//! language — before the consultation is stored.

pub mod answer;

use std::collections::HashMap;

use serde_json::json;
use slack_morphism::prelude::*;

use super::web_api::{ApiError, WebApi};
use crate::bot::Bot;
use crate::bot::consultations::form::{self, FormInput};
use crate::domain::consultation::Category;
use crate::message::{Outgoing, UserId};

/// The modal's `callback_id`.
pub const CALLBACK_ID: &str = "consult_form";

pub(super) fn label(bot: &Bot, field: &str) -> SlackBlockPlainTextOnly {
    bot.texts()
        .render("modal/labels", json!({ "field": field }))
        .into()
}

/// The element's `action_id`: each input holds one element, so one name
/// does for all (`field_value` reads it back).
fn value_id() -> SlackActionId {
    SlackActionId("value".to_owned())
}

fn input(bot: &Bot, field: &str, element: SlackInputBlockElement, optional: bool) -> SlackBlock {
    SlackInputBlock::new(label(bot, field), element)
        .with_block_id(SlackBlockId(field.to_owned()))
        .with_optional(optional)
        .into()
}

fn text_input(
    bot: &Bot,
    field: &str,
    multiline: bool,
    optional: bool,
    initial: Option<&str>,
) -> SlackBlock {
    // A plain_text input: markers in plain words.
    let element = SlackBlockPlainTextInputElement::new()
        .with_action_id(value_id())
        .with_multiline(multiline)
        .opt_initial_value(initial.map(crate::message::plain_text));
    input(bot, field, element.into(), optional)
}

/// The form, with the department filled in if banso knows it.
pub fn consult_view(bot: &Bot, department: Option<&str>) -> SlackView {
    let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = Category::ALL
        .iter()
        .map(|category| {
            let text = bot.texts().render(
                "consult/category_label",
                json!({ "category": category.code() }),
            );
            SlackBlockChoiceItem::new(text.into(), category.code().to_owned())
        })
        .collect();
    let category = SlackBlockStaticSelectElement::new()
        .with_action_id(value_id())
        .with_options(options);
    let date = SlackBlockDatePickerElement::new().with_action_id(value_id());
    let blocks = vec![
        text_input(bot, "title", false, false, None),
        text_input(bot, "department", false, true, department),
        input(bot, "category", category.into(), false),
        text_input(bot, "details", true, false, None),
        input(bot, "desired_date", date.into(), true),
    ];
    SlackView::Modal(
        SlackModalView::new(label(bot, "modal_title"), blocks)
            .with_callback_id(SlackCallbackId(CALLBACK_ID.to_owned()))
            .with_submit(label(bot, "submit"))
            .with_close(label(bot, "close")),
    )
}

/// Opens the form for the person who typed `/consult`.
pub async fn open(
    bot: &Bot,
    api: &WebApi,
    user: &UserId,
    trigger_id: &str,
) -> Result<(), ApiError> {
    let department = bot.department_of(user).await.ok().flatten();
    api.open_view(trigger_id, consult_view(bot, department.as_deref()))
        .await
}

/// The `callback_id` of a submitted view, if it is a modal.
pub fn callback_of(view: &SlackStatefulView) -> Option<&str> {
    match &view.view {
        SlackView::Modal(modal) => modal.callback_id.as_ref().map(|id| id.0.as_str()),
        SlackView::Home(_) => None,
    }
}

/// A field as the person typed it: Slack sends a modal's values without
/// entities or markup, so they are not decoded (`mrkdwn::typed`).
pub(super) fn field_value(state: Option<&SlackViewState>, field: &str) -> String {
    let value = state
        .and_then(|state| state.values.get(&SlackBlockId(field.to_owned())))
        .and_then(|actions| actions.get(&SlackActionId("value".to_owned())));
    let typed = value
        .and_then(|value| {
            value
                .value
                .as_deref()
                .or(value
                    .selected_option
                    .as_ref()
                    .map(|option| option.value.as_str()))
                .or(value.selected_date.as_deref())
        })
        .unwrap_or_default();
    super::mrkdwn::typed(typed)
}

/// A `view_submission` of the form by `user`: field errors go back to the
/// modal; otherwise the consultation is stored and the modal closes (the
/// direct replies, such as a question, are returned for the outbox).
pub async fn submit(
    bot: &Bot,
    user: &UserId,
    view: &SlackStatefulView,
) -> anyhow::Result<(Option<SlackViewSubmissionResponse>, Vec<Outgoing>)> {
    let state = view.state_params.state.as_ref();
    let input = FormInput {
        title: field_value(state, "title"),
        department: field_value(state, "department"),
        category: field_value(state, "category"),
        details: field_value(state, "details"),
        desired_date: field_value(state, "desired_date"),
    };
    match form::submit(bot, user, &input).await? {
        Ok(replies) => Ok((None, replies)),
        Err(errors) => {
            let today = bot.clock().now_in_city().date_naive().to_string();
            let errors: HashMap<String, String> = errors
                .iter()
                .map(|error| {
                    let message = bot.texts().render(
                        "modal/field_error",
                        json!({
                            "problem": error.problem,
                            "today": today,
                            "reason": error.reason,
                            "suggestion": error.suggestion.map(|day| day.to_string()),
                        }),
                    );
                    (error.field.to_owned(), message)
                })
                .collect();
            let errors = SlackViewSubmissionErrorsResponse::new(errors);
            Ok((
                Some(SlackViewSubmissionResponse::Errors(errors)),
                Vec::new(),
            ))
        }
    }
}
