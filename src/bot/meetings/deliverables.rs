//! The deliverables due before a regular meeting or the kickoff (仕様書
//! 5(2)イ: 会議の次第、必要な資料…原則２開庁日前に提出): the checklist with a
//! 提出済 button per item (and undo), the escalation of what is missing, and
//! the notice when the set is complete.

use serde_json::json;

use super::{Bot, meetings_channel, upcoming, view};
use crate::bot::buttons::ButtonAction;
use crate::domain::consultation::Role;
use crate::domain::meeting::Meeting;
use crate::message::{Button, Outgoing, Recipient, UserId};
use crate::store::NewMessage;

/// Each item of a meeting, submitted or not, with who and when.
async fn checklist(bot: &Bot, meeting: &Meeting) -> anyhow::Result<Vec<serde_json::Value>> {
    let submitted = bot.store().submitted_deliverables(&meeting.key).await?;
    Ok(meeting
        .deliverables
        .iter()
        .map(|item| {
            let done = submitted.iter().find(|(name, _, _)| name == item);
            json!({
                "item": item,
                "submitted": done.is_some(),
                "by": done.map(|(_, by, _)| by),
                "at": done.and_then(|(_, _, at)| chrono::DateTime::from_timestamp(*at, 0)).map(super::local_time),
            })
        })
        .collect())
}

fn buttons(bot: &Bot, meeting: &Meeting, items: &[serde_json::Value]) -> Vec<Button> {
    items
        .iter()
        .map(|entry| {
            let item = entry["item"].as_str().unwrap_or_default();
            let submitted = entry["submitted"].as_bool().unwrap_or(false);
            let action = if submitted {
                ButtonAction::DeliverableUndo
            } else {
                ButtonAction::DeliverableSubmit
            };
            action.button(
                bot.texts().render(
                    "meeting/deliverable_button",
                    json!({ "item": item, "submitted": submitted }),
                ),
                format!("{}|{}", meeting.key, item),
            )
        })
        .collect()
}

/// The checklist as a channel message (the heads-up and the due reminder).
pub async fn checklist_message(
    bot: &Bot,
    meeting: &Meeting,
    template: &str,
    late: bool,
) -> anyhow::Result<Outgoing> {
    let items = checklist(bot, meeting).await?;
    // The 課題管理表 is one of the materials: its overdue items are named.
    let overdue = crate::bot::kadai::overdue(bot).await?;
    let text = bot.texts().render(
        template,
        json!({ "m": view(meeting), "items": items, "late": late, "overdue": overdue }),
    );
    let mut buttons = buttons(bot, meeting, &items);
    // The regular meeting's 課題管理表 and 進捗状況報告書 are made from what
    // banso holds: a button sends fresh drafts to whoever presses it.
    if meeting.kind == crate::domain::meeting::MeetingKind::Regular {
        buttons.push(
            ButtonAction::Drafts.button(
                bot.texts()
                    .render("meeting/drafts_button", json!({}))
                    .trim()
                    .to_owned(),
                meeting.key.clone(),
            ),
        );
    }
    Ok(Outgoing {
        to: meetings_channel(bot),
        text,
        buttons,
    })
}

/// The reminder in the meetings channel as it should read now, after a
/// press on it: the checklist as it stands, in the words of the reminder of
/// this moment (the heads-up before the deadline day, the due reminder from
/// it on); `None` for a meeting that is not planned or has no deadline. A
/// 遅延 note belonged to the first sending, not to the redrawn message.
pub async fn channel_message_now(bot: &Bot, meeting_key: &str) -> anyhow::Result<Option<Outgoing>> {
    let Some(meeting) = super::plan(bot)
        .await?
        .into_iter()
        .find(|meeting| meeting.key == meeting_key)
    else {
        return Ok(None);
    };
    let Some(deadline) = meeting.deadline else {
        return Ok(None);
    };
    let template = if bot.today() < deadline {
        "meeting/deliverables_heads_up"
    } else {
        "meeting/deliverables_due"
    };
    Ok(Some(
        checklist_message(bot, &meeting, template, false).await?,
    ))
}

/// On the deadline day: the leader and the manager hear what is missing.
/// Nothing is sent when the set is complete.
pub async fn escalation(bot: &Bot, meeting: &Meeting, late: bool) -> anyhow::Result<Vec<Outgoing>> {
    let items = checklist(bot, meeting).await?;
    let missing: Vec<_> = items
        .iter()
        .filter(|entry| entry["submitted"] == false)
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let text = bot.texts().render(
        "meeting/deliverables_escalation",
        json!({ "m": view(meeting), "missing": missing, "late": late }),
    );
    let settings = bot.settings();
    let recipients = settings
        .roles
        .project_leader
        .iter()
        .chain(&settings.roles.project_manager);
    Ok(recipients
        .filter_map(|id| UserId::parse(id).ok())
        .map(|user| Outgoing {
            to: Recipient::User(user),
            text: text.clone(),
            buttons: Vec::new(),
        })
        .collect())
}

/// `/deliverables`: the checklist of the next meeting that has deliverables.
pub async fn show_next(bot: &Bot, user: &UserId) -> anyhow::Result<Vec<Outgoing>> {
    let next = upcoming(bot, 400)
        .await?
        .into_iter()
        .find(|meeting| meeting.deadline.is_some());
    let Some(meeting) = next else {
        return Ok(bot.reply(user, "meeting/no_deliverables", json!({})));
    };
    let items = checklist(bot, &meeting).await?;
    let text = bot.texts().render(
        "meeting/deliverables_status",
        json!({ "m": view(&meeting), "items": items }),
    );
    Ok(vec![Outgoing {
        to: Recipient::User(user.clone()),
        text,
        buttons: buttons(bot, &meeting, &items),
    }])
}

/// A 提出済 or undo press. The contractor's team and the coordinators may
/// mark items; staff may not. Completing the set tells the channel.
pub async fn press(
    bot: &Bot,
    user: &UserId,
    action: &ButtonAction,
    value: &str,
) -> anyhow::Result<Option<Vec<Outgoing>>> {
    let submit = match action {
        ButtonAction::DeliverableSubmit => true,
        ButtonAction::DeliverableUndo => false,
        _ => return Ok(None),
    };
    let action = action.code();
    if bot.directory().role_of(user) == Role::Staff {
        return Ok(Some(bot.reply(user, "meeting/not_permitted", json!({}))));
    }
    let Some((key, item)) = value.split_once('|') else {
        return Ok(Some(bot.reply(
            user,
            "chat/unknown_button",
            json!({ "action": action }),
        )));
    };
    let Some(meeting) = super::plan(bot)
        .await?
        .into_iter()
        .find(|meeting| meeting.key == key)
    else {
        return Ok(Some(bot.reply(
            user,
            "chat/unknown_button",
            json!({ "action": action }),
        )));
    };
    if !meeting.deliverables.iter().any(|known| known == item) {
        return Ok(Some(bot.reply(
            user,
            "chat/unknown_button",
            json!({ "action": action }),
        )));
    }
    let now = bot.clock().now().timestamp();
    let changed = if submit {
        // Announced once per meeting (its key), even if an item is undone
        // and redone; queued with the submission that completes the list.
        let complete = NewMessage {
            idempotency_key: format!("deliverables-complete:{}", meeting.key),
            message: Outgoing {
                to: meetings_channel(bot),
                text: bot.texts().render(
                    "meeting/deliverables_complete",
                    json!({ "m": view(&meeting) }),
                ),
                buttons: Vec::new(),
            },
            deferred: None,
            edits: None,
            in_thread_of: None,
        };
        bot.store()
            .submit_deliverable(
                key,
                item,
                user.as_str(),
                now,
                &meeting.deliverables,
                &complete,
            )
            .await?
    } else {
        bot.store().withdraw_deliverable(key, item).await?
    };
    let items = checklist(bot, &meeting).await?;
    let text = bot.texts().render(
        "meeting/deliverable_marked",
        json!({ "m": view(&meeting), "item": item, "submitted": submit, "changed": changed, "items": items }),
    );
    Ok(Some(vec![Outgoing {
        to: Recipient::User(user.clone()),
        text,
        buttons: buttons(bot, &meeting, &items),
    }]))
}
