//! `/work`: the contract's capped work other than consultations —
//! procurement reviews, audit items, site audits and whatever else the
//! config gives a cap (`[quota.KIND]`). One mechanism for every kind: the
//! policy and period from `quotas`, the counting and the exactly-once
//! threshold alerts from the store's quota functions; only what an item
//! records differs by kind (`domain::work`).

use serde_json::{Value, json};

use super::Bot;
use super::consultations::notices::month_ja;
use super::quotas::{bucket_of, policy_of, work_kinds};
use crate::domain::quota::month_of_receipt;
use crate::domain::work::{AttributeError, attributes};
use crate::message::{Outgoing, Recipient, UserId};
use crate::store::{NewMessage, RecordedWork, WorkItem};

fn view(item: &WorkItem) -> Value {
    json!({
        "kind": item.kind,
        "number": item.number,
        "title": item.title,
        "attributes": item.attributes,
        "counted": item.counted,
        "position": item.quota_position,
        "by": item.recorded_by,
    })
}

fn period_label(bucket: &str) -> Value {
    json!({ "bucket": bucket, "month_ja": bucket.parse().ok().map(month_ja) })
}

/// Every configured kind with its count in the current period, for `/work`
/// and `/quota`.
pub async fn summary(bot: &Bot) -> anyhow::Result<Vec<Value>> {
    let month = month_of_receipt(bot.clock().now());
    let mut kinds = Vec::new();
    for kind in work_kinds(bot) {
        let Some(policy) = policy_of(bot, &kind) else {
            continue;
        };
        let bucket = bucket_of(bot, &kind, month);
        let counted = bot.store().quota_count(&kind, &bucket).await?;
        let held = bot.store().held_work(&kind, &bucket).await?;
        kinds.push(json!({
            "kind": kind,
            "counted": counted,
            "limit": policy.limit(),
            "held": held,
            "period": period_label(&bucket),
        }));
    }
    Ok(kinds)
}

fn refused(bot: &Bot, user: &UserId) -> Option<Vec<Outgoing>> {
    (!bot.directory().role_of(user).is_team())
        .then(|| bot.reply(user, "work/not_permitted", json!({})))
}

fn unknown_kind(bot: &Bot, user: &UserId, kind: &str) -> Vec<Outgoing> {
    bot.reply(
        user,
        "work/unknown_kind",
        json!({ "kind": kind, "kinds": work_kinds(bot) }),
    )
}

pub async fn list(bot: &Bot, user: &UserId, kind: Option<&str>) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(refusal) = refused(bot, user) {
        return Ok(refusal);
    }
    let Some(kind) = kind else {
        let kinds = summary(bot).await?;
        return Ok(bot.reply(user, "work/summary", json!({ "kinds": kinds })));
    };
    if policy_of(bot, kind).is_none() || !work_kinds(bot).iter().any(|known| known == kind) {
        return Ok(unknown_kind(bot, user, kind));
    }
    let items: Vec<Value> = bot
        .store()
        .work_items(kind)
        .await?
        .iter()
        .map(view)
        .collect();
    Ok(bot.reply(user, "work/list", json!({ "kind": kind, "items": items })))
}

pub async fn add(
    bot: &Bot,
    user: &UserId,
    kind: &str,
    title: &str,
    given: &[(String, String)],
) -> anyhow::Result<Vec<Outgoing>> {
    if let Some(refusal) = refused(bot, user) {
        return Ok(refusal);
    }
    let policy = match policy_of(bot, kind) {
        Some(policy) if work_kinds(bot).iter().any(|known| known == kind) => policy,
        _ => return Ok(unknown_kind(bot, user, kind)),
    };
    let attributes = match attributes(kind, given) {
        Ok(attributes) => attributes,
        Err(error) => {
            let (problem, key, value) = match &error {
                AttributeError::UnknownKey(key) => ("unknown_key", key.clone(), String::new()),
                AttributeError::Missing { key } => ("missing", (*key).to_owned(), String::new()),
                AttributeError::Invalid { key, value } => {
                    ("invalid", (*key).to_owned(), value.clone())
                }
                AttributeError::PlanningReview { amount } => {
                    ("planning_review", "type".to_owned(), amount.clone())
                }
            };
            return Ok(bot.reply(
                user,
                "work/bad_attribute",
                json!({ "kind": kind, "problem": problem, "key": key, "value": value }),
            ));
        }
    };
    let now = bot.clock().now();
    let bucket = bucket_of(bot, kind, month_of_receipt(now));
    let limit = policy.limit();
    let recorded = bot
        .store()
        .record_work(
            kind,
            title,
            &attributes,
            &policy,
            &bucket,
            user.as_str(),
            now.timestamp(),
            |recorded| threshold_alerts(bot, recorded, limit),
        )
        .await?;
    Ok(bot.reply(
        user,
        "work/added",
        json!({ "item": view(&recorded.item), "limit": limit, "period": period_label(&bucket) }),
    ))
}

/// The project leader hears when a kind's count reaches a threshold, once
/// per threshold and period.
fn threshold_alerts(bot: &Bot, recorded: &RecordedWork, limit: u32) -> Vec<NewMessage> {
    let item = &recorded.item;
    let bucket = item.quota_bucket.clone().unwrap_or_default();
    let mut messages = Vec::new();
    for threshold in &recorded.newly_alerted {
        let text = bot.texts().render(
            "work/threshold_alert",
            json!({ "kind": item.kind, "threshold": threshold, "limit": limit, "period": period_label(&bucket) }),
        );
        for leader in bot.directory().project_leaders() {
            messages.push(NewMessage {
                idempotency_key: format!("quota:{}:{bucket}:{threshold}:{leader}", item.kind),
                message: Outgoing {
                    to: Recipient::User(leader),
                    text: text.clone(),
                    buttons: Vec::new(),
                },
            });
        }
    }
    messages
}
