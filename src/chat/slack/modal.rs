//! The consultation form as a Slack modal: `/consult` alone opens it
//! (views.open, within Slack's three seconds), and its submission is
//! checked field by field — errors are shown on the field, in the person's
//! language — before the consultation is stored.

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::web_api::{ApiError, WebApi};
use crate::bot::Bot;
use crate::bot::consultations::form::{self, FormInput};
use crate::domain::consultation::Category;
use crate::message::{Outgoing, UserId};

/// The modal's `callback_id`.
pub const CALLBACK_ID: &str = "consult_form";

fn label(bot: &Bot, field: &str) -> String {
    bot.texts()
        .render("modal/labels", json!({ "field": field }))
}

fn text_input(
    bot: &Bot,
    field: &str,
    multiline: bool,
    optional: bool,
    initial: Option<&str>,
) -> Value {
    let mut element =
        json!({ "type": "plain_text_input", "action_id": "value", "multiline": multiline });
    if let Some(initial) = initial {
        // A plain_text input: markers in plain words.
        element["initial_value"] = json!(crate::message::plain_text(initial));
    }
    json!({ "type": "input", "block_id": field, "optional": optional, "label": { "type": "plain_text", "text": label(bot, field) }, "element": element })
}

/// The form, with the department filled in if banso knows it.
pub fn consult_view(bot: &Bot, department: Option<&str>) -> Value {
    let options: Vec<Value> = Category::ALL
        .iter()
        .map(|category| {
            let text = bot.texts().render(
                "consult/category_label",
                json!({ "category": category.code() }),
            );
            json!({ "text": { "type": "plain_text", "text": text }, "value": category.code() })
        })
        .collect();
    let category = json!({
        "type": "input", "block_id": "category", "label": { "type": "plain_text", "text": label(bot, "category") },
        "element": { "type": "static_select", "action_id": "value", "options": options },
    });
    let date = json!({
        "type": "input", "block_id": "desired_date", "optional": true,
        "label": { "type": "plain_text", "text": label(bot, "desired_date") },
        "element": { "type": "datepicker", "action_id": "value" },
    });
    json!({
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": { "type": "plain_text", "text": label(bot, "modal_title") },
        "submit": { "type": "plain_text", "text": label(bot, "submit") },
        "close": { "type": "plain_text", "text": label(bot, "close") },
        "blocks": [
            text_input(bot, "title", false, false, None),
            text_input(bot, "department", false, true, department),
            category,
            text_input(bot, "details", true, false, None),
            date,
        ],
    })
}

/// Opens the form for the person who typed `/consult`.
pub async fn open(
    bot: &Bot,
    api: &WebApi,
    user: &UserId,
    trigger_id: &str,
) -> Result<(), ApiError> {
    let department = bot.department_of(user).await.ok().flatten();
    api.open_view(trigger_id, &consult_view(bot, department.as_deref()))
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
fn field_value(state: Option<&SlackViewState>, field: &str) -> String {
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
) -> anyhow::Result<(Option<Value>, Vec<Outgoing>)> {
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
            let errors: serde_json::Map<String, Value> = errors
                .iter()
                .map(|error| {
                    let message = bot.texts().render(
                        "modal/field_error",
                        json!({ "problem": error.problem, "today": today }),
                    );
                    (error.field.to_owned(), Value::String(message))
                })
                .collect();
            Ok((
                Some(json!({ "response_action": "errors", "errors": errors })),
                Vec::new(),
            ))
        }
    }
}
