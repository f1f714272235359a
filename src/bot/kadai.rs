//! `/kadai`: the 課題管理表 — the contract's open issues and action items,
//! kept by the team (consultants, coordinators, the leader and the
//! manager). A due date must be an open day (開庁日); a closed one is
//! refused with the next open day suggested.

use serde_json::{Value, json};

use super::Bot;
use super::command::KadaiFields;
use crate::domain::kadai::{is_overdue, label};
use crate::message::{Outgoing, UserId};
use crate::store::{KadaiChange, KadaiItem};

/// How an item is shown in templates.
pub fn view(bot: &Bot, item: &KadaiItem) -> Value {
    let today = bot.today();
    json!({
        "id": label(item.number),
        "title": item.title,
        "owner": item.owner,
        // The creator (the default owner) or a Slack user id is mentioned;
        // a name as typed is shown as typed.
        "owner_is_user": item.owner == item.created_by || is_slack_user_id(&item.owner),
        "due": item.due.map(|date| date.to_string()),
        "priority": item.priority.code(),
        "status": item.status.code(),
        "meeting": item.meeting.map(|date| date.to_string()),
        "overdue": is_overdue(item.status, item.due, today),
    })
}

fn is_slack_user_id(text: &str) -> bool {
    text.len() >= 3
        && text.starts_with(['U', 'W'])
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The open items past their due date, for the deliverables reminder.
pub async fn overdue(bot: &Bot) -> anyhow::Result<Vec<Value>> {
    let today = bot.today();
    Ok(bot
        .store()
        .kadai_items(false)
        .await?
        .iter()
        .filter(|item| is_overdue(item.status, item.due, today))
        .map(|item| view(bot, item))
        .collect())
}

fn refused(bot: &Bot, user: &UserId) -> Option<Vec<Outgoing>> {
    (!bot.directory().role_of(user).is_team())
        .then(|| bot.reply(user, "kadai/not_permitted", json!({})))
}

/// A due date on a closed day is refused, with the next open day
/// suggested.
fn refuse_closed_days(bot: &Bot, user: &UserId, fields: &KadaiFields) -> Option<Vec<Outgoing>> {
    bot.refuse_closed_day(user, fields.due?, "kadai/closed_day")
}

fn change_of(fields: KadaiFields) -> KadaiChange {
    KadaiChange {
        title: fields.title,
        owner: fields.owner,
        due: fields.due,
        priority: fields.priority,
        meeting: fields.meeting,
    }
}

pub async fn add(bot: &Bot, user: &UserId, fields: KadaiFields) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(refusal) = refused(bot, user).or_else(|| refuse_closed_days(bot, user, &fields)) {
        return Ok(refusal);
    }
    let now = bot.clock().now().timestamp();
    let item = bot
        .store()
        .add_kadai(&change_of(fields), user.as_str(), now)
        .await?;
    Ok(bot.reply(user, "kadai/added", json!({ "item": view(bot, &item) })))
}

pub async fn update(
    bot: &Bot,
    user: &UserId,
    number: i64,
    fields: KadaiFields,
) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(refusal) = refused(bot, user).or_else(|| refuse_closed_days(bot, user, &fields)) {
        return Ok(refusal);
    }
    let now = bot.clock().now().timestamp();
    match bot
        .store()
        .update_kadai(number, &change_of(fields), now)
        .await?
    {
        Some(item) => Ok(bot.reply(user, "kadai/updated", json!({ "item": view(bot, &item) }))),
        None => Ok(not_found(bot, user, number)),
    }
}

pub async fn done(bot: &Bot, user: &UserId, number: i64) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(refusal) = refused(bot, user) {
        return Ok(refusal);
    }
    let now = bot.clock().now().timestamp();
    match bot.store().finish_kadai(number, now).await? {
        Some(item) => Ok(bot.reply(user, "kadai/done", json!({ "item": view(bot, &item) }))),
        None => Ok(not_found(bot, user, number)),
    }
}

pub async fn list(bot: &Bot, user: &UserId, all: bool) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(refusal) = refused(bot, user) {
        return Ok(refusal);
    }
    let items: Vec<Value> = bot
        .store()
        .kadai_items(all)
        .await?
        .iter()
        .map(|item| view(bot, item))
        .collect();
    Ok(bot.reply(user, "kadai/list", json!({ "items": items, "all": all })))
}

fn not_found(bot: &Bot, user: &UserId, number: i64) -> Vec<Outgoing> {
    bot.reply(user, "kadai/not_found", json!({ "id": label(number) }))
}
