//! `/work`: the contract's capped work other than consultations —
//! procurement reviews, audit items, site audits and whatever else the
//! config gives a cap (`[quota.KIND]`). One mechanism for every kind: the
//! policy and period from `quotas`, the counting and the exactly-once
//! threshold alerts from the store's quota functions; only what an item
//! records differs by kind (`domain::work`).

use serde::Serialize;
use serde_json::{Value, json};

use super::Bot;
use super::consultations::notices::month_ja;
use super::quotas::{bucket_of, policy_of, work_kinds};
use crate::domain::month::YearMonth;
use crate::domain::quota::month_of_receipt;
use crate::domain::work::{AttributeError, attributes};
use crate::message::{Outgoing, Recipient, UserId};
use crate::store::{NewMessage, RecordedWork, StoreError, WorkItem};

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

/// The period a count is kept in, as the templates name it: the bucket
/// (`2024-06` or `contract:2024-04-01`) and, for a month, its Japanese name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodLabel {
    pub bucket: String,
    pub month_ja: Option<String>,
}

impl PeriodLabel {
    pub fn of(bucket: &str) -> Self {
        Self {
            bucket: bucket.to_owned(),
            month_ja: bucket.parse().ok().map(month_ja),
        }
    }
}

/// A capped kind's count in one period, against its limit (`/work`,
/// `/quota`, the 進捗状況報告書; the templates read it as serialized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkSummary {
    pub kind: String,
    /// Items counted against the limit in the period.
    pub counted: u32,
    pub limit: u32,
    /// Items recorded beyond the limit in the period (not counted).
    pub held: u32,
    pub period: PeriodLabel,
}

/// Every configured kind with its count in the period holding `month`:
/// the month itself, or for a `period = "contract"` kind the contract
/// period that month falls in.
pub async fn summary(bot: &Bot, month: YearMonth) -> Result<Vec<WorkSummary>, StoreError> {
    let mut kinds = Vec::new();
    for kind in work_kinds(bot) {
        let Some(policy) = policy_of(bot, &kind) else {
            continue;
        };
        let bucket = bucket_of(bot, &kind, month);
        let counted = bot.store().quota_count(&kind, &bucket).await?;
        let held = bot.store().held_work(&kind, &bucket).await?;
        kinds.push(WorkSummary {
            period: PeriodLabel::of(&bucket),
            kind,
            counted: count(counted),
            limit: policy.limit(),
            held: count(held),
        });
    }
    Ok(kinds)
}

/// A stored count as the counts are kept elsewhere (a limit is a `u32`).
fn count(stored: i64) -> u32 {
    u32::try_from(stored.max(0)).unwrap_or(u32::MAX)
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
        let kinds = summary(bot, month_of_receipt(bot.clock().now())).await?;
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
            // A key the person did not type (a missing one) is named as
            // the Japanese form writes it.
            let key_ja = match key.as_str() {
                "type" => "区分",
                "amount" => "金額",
                "viewpoints" => "観点",
                "criterion" => "基準",
                other => other,
            };
            return Ok(bot.reply(
                user,
                "work/bad_attribute",
                json!({ "kind": kind, "problem": problem, "key": key, "key_ja": key_ja, "value": value }),
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
        json!({ "item": view(&recorded.item), "limit": limit, "period": PeriodLabel::of(&bucket) }),
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
            json!({ "kind": item.kind, "threshold": threshold, "limit": limit, "period": PeriodLabel::of(&bucket) }),
        );
        for leader in bot.directory().project_leaders() {
            messages.push(NewMessage {
                idempotency_key: format!("quota:{}:{bucket}:{threshold}:{leader}", item.kind),
                message: Outgoing {
                    to: Recipient::User(leader),
                    text: text.clone(),
                    buttons: Vec::new(),
                },
                deferred: None,
                edits: None,
                in_thread_of: None,
            });
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The templates (`work/summary`, `quota/report`, `macros/work`) read
    /// the summary by these names, as when it was built as JSON.
    #[test]
    fn a_summary_reads_in_the_templates_by_the_same_names() {
        let summary = WorkSummary {
            kind: "site_audit".to_owned(),
            counted: 4,
            limit: 4,
            held: 1,
            period: PeriodLabel::of("contract:2024-04-01"),
        };
        assert_eq!(
            serde_json::to_value(&summary).unwrap(),
            json!({
                "kind": "site_audit", "counted": 4, "limit": 4, "held": 1,
                "period": { "bucket": "contract:2024-04-01", "month_ja": null },
            })
        );
        assert_eq!(
            serde_json::to_value(PeriodLabel::of("2024-06")).unwrap(),
            json!({ "bucket": "2024-06", "month_ja": "令和6年6月" })
        );
    }
}
