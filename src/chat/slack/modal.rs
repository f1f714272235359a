//! The consultation form as a Slack modal: `/consult` alone opens it
//! (views.open, within Slack's three seconds), and its submission is
//! checked field by field — errors are shown on the field, in the person's
//! language — before the consultation is stored.

use serde_json::{Value, json};

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

/// A field as the person typed it: Slack sends a modal's values without
/// entities or markup, so they are not decoded (`mrkdwn::typed`).
fn field_value(values: &Value, field: &str) -> String {
    let value = &values[field]["value"];
    let typed = value["value"]
        .as_str()
        .or_else(|| value["selected_option"]["value"].as_str())
        .or_else(|| value["selected_date"].as_str())
        .unwrap_or_default();
    super::mrkdwn::typed(typed)
}

/// A `view_submission`: field errors go back to the modal; otherwise the
/// consultation is stored and the modal closes (the direct replies, such
/// as a question, are returned for the outbox).
pub async fn submit(bot: &Bot, payload: &Value) -> anyhow::Result<(Option<Value>, Vec<Outgoing>)> {
    let Some(user) = payload["user"]["id"]
        .as_str()
        .and_then(|id| UserId::parse(id).ok())
    else {
        anyhow::bail!("view_submission without a user");
    };
    let values = &payload["view"]["state"]["values"];
    let input = FormInput {
        title: field_value(values, "title"),
        department: field_value(values, "department"),
        category: field_value(values, "category"),
        details: field_value(values, "details"),
        desired_date: field_value(values, "desired_date"),
    };
    match form::submit(bot, &user, &input).await? {
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
