//! The messages a consultation's changes cause, rendered from `prompts/`
//! and keyed for the outbox so that a retried change never sends twice.
//! Confidentiality (仕様書 8): details go only to the requester and the
//! private team channel.

use serde::Serialize;
use serde_json::json;

use crate::bot::Bot;
use crate::bot::buttons::ButtonAction;
use crate::domain::consultation::{Action, Status};
use crate::domain::month::YearMonth;
use crate::message::{Button, Outgoing, Recipient, UserId};
use crate::store::{Consultation, DeferredText, NewMessage};

/// What templates see of a consultation.
#[derive(Debug, Serialize)]
pub struct ConsultationView {
    pub short_id: String,
    pub title: String,
    pub details: String,
    pub requester: String,
    pub department: Option<String>,
    pub category: &'static str,
    pub desired_date: Option<String>,
    pub status: &'static str,
    pub assignee: Option<String>,
    pub received: String,
    pub received_month: String,
    pub quota_bucket: Option<String>,
    pub quota_position: Option<i64>,
    pub exception: bool,
    pub decline_reason: Option<String>,
    /// `YYYY-MM` a held consultation waits in after a carry-over into a
    /// full month.
    pub held_month: Option<String>,
}

impl ConsultationView {
    pub fn of(consultation: &Consultation) -> Self {
        let received = chrono::DateTime::from_timestamp(consultation.received_at, 0)
            .map(|instant| {
                instant
                    .with_timezone(&crate::bot::clock::CITY_TIME_ZONE)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        Self {
            short_id: consultation.short_id.clone(),
            title: consultation.title.clone(),
            details: consultation.details.clone(),
            requester: consultation.requester.clone(),
            department: consultation.department.clone(),
            category: consultation.category.code(),
            desired_date: consultation.desired_date.map(|date| date.to_string()),
            status: consultation.status.code(),
            assignee: consultation.assignee.clone(),
            received,
            received_month: consultation.received_month.to_string(),
            quota_bucket: consultation.quota_bucket.clone(),
            quota_position: consultation.quota_position,
            exception: consultation.exception,
            decline_reason: consultation.decline_reason.clone(),
            held_month: consultation.held_month.map(|month| month.to_string()),
        }
    }
}

fn button(bot: &Bot, action: Action, consultation: &Consultation) -> Button {
    ButtonAction::Consultation(action).button(
        bot.texts()
            .render_label("consult/button_label", "action", action.code()),
        consultation.short_id.clone(),
    )
}

fn message(key: String, to: Recipient, text: String, buttons: Vec<Button>) -> NewMessage {
    NewMessage {
        idempotency_key: key,
        message: Outgoing { to, text, buttons },
        deferred: None,
        edits: None,
        in_thread_of: None,
    }
}

/// A message whose words are rendered when it is delivered: the
/// messages of a new consultation are built inside the intake writer's
/// transaction, which renders nothing (`store::DeferredText`).
fn rendered_on_delivery(
    key: String,
    to: Recipient,
    template: &str,
    context: &str,
    buttons: Vec<Button>,
) -> NewMessage {
    NewMessage {
        idempotency_key: key,
        message: Outgoing {
            to,
            text: String::new(),
            buttons,
        },
        deferred: Some(DeferredText {
            template: template.to_owned(),
            context: context.to_owned(),
        }),
        edits: None,
        in_thread_of: None,
    }
}

fn requester_of(consultation: &Consultation) -> Option<UserId> {
    UserId::parse(&consultation.requester).ok()
}

/// The buttons the team works a consultation with, for its current state.
pub fn team_buttons(bot: &Bot, consultation: &Consultation) -> Vec<Button> {
    let actions: &[Action] = match consultation.status {
        Status::Received => &[Action::Assign, Action::Answer, Action::MarkOutOfScope],
        Status::InProgress => &[Action::Assign, Action::Answer, Action::MarkOutOfScope],
        Status::Answered => &[Action::Close, Action::Reopen, Action::MarkOutOfScope],
        Status::Held => &[Action::ApproveException, Action::CarryOver, Action::Decline],
        _ => &[],
    };
    actions
        .iter()
        .map(|action| button(bot, *action, consultation))
        .collect()
}

/// What the requester may press on their own consultation, in the
/// requester's words (解決した, 追加で質問する).
fn requester_buttons(bot: &Bot, consultation: &Consultation) -> Vec<Button> {
    let actions: &[Action] = match consultation.status {
        Status::Received | Status::InProgress | Status::Held => &[Action::Withdraw],
        Status::Answered => &[Action::Close, Action::Reopen, Action::Withdraw],
        _ => &[],
    };
    actions
        .iter()
        .map(|action| {
            ButtonAction::Consultation(*action).button(
                bot.texts()
                    .render_label("consult/requester_button_label", "action", action.code()),
                consultation.short_id.clone(),
            )
        })
        .collect()
}

/// The team notice's buttons: for a new consultation the four of the
/// contract's workflow (担当する, 回答済, 完了, 対象外; one pressed out of
/// order is refused with the reason), none while it is held, and later
/// what applies to where it stands.
fn notice_buttons(bot: &Bot, consultation: &Consultation) -> Vec<Button> {
    match consultation.status {
        Status::Held => Vec::new(),
        Status::Received => [
            Action::Assign,
            Action::Answer,
            Action::Close,
            Action::MarkOutOfScope,
        ]
        .iter()
        .map(|action| button(bot, *action, consultation))
        .collect(),
        _ => team_buttons(bot, consultation),
    }
}

/// The key of a consultation's team notice, the root of its thread in
/// the team channel.
pub fn team_notice_key(id: i64) -> String {
    format!("c{id}:created:team")
}

/// The team notice of `consultation`, edited in place to show it as it
/// now stands (its card, with the buttons that now apply).
pub fn root_redrawn(bot: &Bot, consultation: &Consultation, key: &str) -> NewMessage {
    let mut card = card(bot, consultation, false);
    // While held, the decision is the coordinators' (in their DMs): the
    // channel's notice offers nothing to press, as when it was posted.
    if consultation.status == Status::Held {
        card.buttons.clear();
    }
    NewMessage {
        edits: Some(team_notice_key(consultation.id)),
        ..message(
            key.to_owned(),
            bot.directory().team_channel(),
            card.text,
            card.buttons,
        )
    }
}

/// The team notices of consultations whose requester's department became
/// known after intake (「所属未登録」 in the notice), edited in place to
/// name it: a new or held one as the notice it was, one being worked as
/// its card (a pressed notice shows the card by now); an ended one is
/// left as it is.
pub fn department_known(bot: &Bot, filled: &[Consultation], limit: u32) -> Vec<NewMessage> {
    filled
        .iter()
        .filter_map(|consultation| {
            let id = consultation.id;
            match consultation.status {
                Status::Received | Status::Held => {}
                Status::InProgress | Status::Answered => {
                    let key = format!("c{id}:created:team:department");
                    return Some(root_redrawn(bot, consultation, &key));
                }
                _ => return None,
            }
            let view = ConsultationView::of(consultation);
            let month = consultation.waiting_month();
            let context = serde_json::to_string(&CreatedContext {
                c: &view,
                limit,
                held: consultation.status == Status::Held,
                month_ja: month_ja(month),
                next_month_ja: month_ja(month.next()),
            })
            .expect("a consultation's context serialises");
            let mut notice = rendered_on_delivery(
                format!("c{id}:created:team:department"),
                bot.directory().team_channel(),
                "consult/team_notice",
                &context,
                notice_buttons(bot, consultation),
            );
            notice.edits = Some(team_notice_key(id));
            Some(notice)
        })
        .collect()
}

/// What the messages of a new consultation are rendered with: one
/// context for all of them, serialised once, in the intake's transaction.
#[derive(Serialize)]
struct CreatedContext<'a> {
    c: &'a ConsultationView,
    limit: u32,
    held: bool,
    month_ja: String,
    next_month_ja: String,
}

/// The messages of a newly recorded consultation.
pub fn on_created(
    bot: &Bot,
    consultation: &Consultation,
    newly_alerted: &[u32],
    limit: u32,
) -> Vec<NewMessage> {
    let view = ConsultationView::of(consultation);
    let id = consultation.id;
    let held = consultation.status == Status::Held;
    let month = consultation.received_month;
    let context = serde_json::to_string(&CreatedContext {
        c: &view,
        limit,
        held,
        month_ja: month_ja(month),
        next_month_ja: month_ja(month.next()),
    })
    .expect("a consultation's context serialises");
    let mut messages = Vec::new();
    if let Some(requester) = requester_of(consultation) {
        messages.push(rendered_on_delivery(
            format!("c{id}:created:requester"),
            Recipient::User(requester),
            "consult/confirmation",
            &context,
            requester_buttons(bot, consultation),
        ));
    }
    messages.push(rendered_on_delivery(
        team_notice_key(id),
        bot.directory().team_channel(),
        "consult/team_notice",
        &context,
        notice_buttons(bot, consultation),
    ));
    for threshold in newly_alerted {
        messages.extend(threshold_alerts(
            bot,
            &consultation.quota_kind,
            consultation.quota_bucket.as_deref(),
            *threshold,
            limit,
        ));
    }
    if held {
        messages.extend(held_notices(bot, consultation, &context));
    }
    messages
}

/// The project leader hears when a period's count reaches a threshold.
pub fn threshold_alerts(
    bot: &Bot,
    kind: &str,
    bucket: Option<&str>,
    threshold: u32,
    limit: u32,
) -> Vec<NewMessage> {
    let bucket = bucket.unwrap_or_default();
    let context = json!({ "kind": kind, "bucket": bucket, "month_ja": bucket.parse().ok().map(month_ja), "threshold": threshold, "limit": limit }).to_string();
    bot.directory()
        .project_leaders()
        .into_iter()
        .map(|leader| {
            rendered_on_delivery(
                format!("quota:{kind}:{bucket}:{threshold}:{leader}"),
                Recipient::User(leader),
                "consult/threshold_alert",
                &context,
                Vec::new(),
            )
        })
        .collect()
}

/// What the words about a carry-over held in a full month are rendered
/// with: the consultation, the month it now waits in, the limit and who
/// carried it over.
pub fn held_over_context(
    bot: &Bot,
    consultation: &Consultation,
    limit: u32,
    actor: &UserId,
) -> serde_json::Value {
    let waiting = consultation.waiting_month();
    let contract = bot
        .settings()
        .contract_period(consultation.received_month.first_day());
    json!({
        "c": ConsultationView::of(consultation),
        "month_ja": month_ja(waiting),
        "next_month_ja": month_ja(waiting.next()),
        "can_carry_on": waiting.next().first_day() <= contract.end,
        "limit": limit,
        "actor": actor,
    })
}

/// A carry-over into a month already at its limit, held there: the
/// project leaders (but the one who did it) are told, and the team sees
/// it in the consultation's thread, its notice redrawn.
pub fn held_over(
    bot: &Bot,
    actor: &UserId,
    consultation: &Consultation,
    event_id: i64,
    limit: u32,
) -> Vec<NewMessage> {
    let context = held_over_context(bot, consultation, limit, actor);
    let stamp = format!("c{}:e{event_id}", consultation.id);
    let leader_text = bot
        .texts()
        .render("consult/carry_over_full_leader", &context);
    let mut messages: Vec<NewMessage> = bot
        .directory()
        .project_leaders()
        .into_iter()
        .filter(|leader| leader != actor)
        .map(|leader| {
            message(
                format!("{stamp}:held-over:{leader}"),
                Recipient::User(leader),
                leader_text.clone(),
                Vec::new(),
            )
        })
        .collect();
    let team_text = bot.texts().render("consult/held_over_team", &context);
    messages.push(
        message(
            format!("{stamp}:team"),
            bot.directory().team_channel(),
            team_text,
            Vec::new(),
        )
        .in_thread_of(team_notice_key(consultation.id)),
    );
    messages.push(root_redrawn(
        bot,
        consultation,
        &format!("{stamp}:team:root"),
    ));
    messages
}

/// Over the limit: the leader is told, and each coordinator gets the
/// decision (承認 / 翌月に繰越 / 却下).
fn held_notices(bot: &Bot, consultation: &Consultation, context: &str) -> Vec<NewMessage> {
    let id = consultation.id;
    let mut messages: Vec<NewMessage> = bot
        .directory()
        .project_leaders()
        .into_iter()
        .map(|leader| {
            rendered_on_delivery(
                format!("c{id}:held:leader:{leader}"),
                Recipient::User(leader),
                "consult/held_leader",
                context,
                Vec::new(),
            )
        })
        .collect();
    for coordinator in bot.directory().coordinators() {
        messages.push(rendered_on_delivery(
            format!("c{id}:held:decide:{coordinator}"),
            Recipient::User(coordinator),
            "consult/held_decision",
            context,
            team_buttons(bot, consultation),
        ));
    }
    messages
}

/// What a change notice needs besides the consultation.
#[derive(Debug, Clone, Copy)]
pub struct ChangeNotice<'a> {
    /// The words that came with the change — the advice with an answer,
    /// the question with a requester's follow-up — told to the other side
    /// and kept in the team channel.
    pub words: Option<&'a str>,
    pub before: Status,
    pub actor: &'a UserId,
    pub event_id: i64,
}

/// The messages of a state change: the requester is told of each one, and
/// the team channel sees where the consultation now stands.
pub fn on_changed(
    bot: &Bot,
    change: ChangeNotice<'_>,
    consultation: &Consultation,
    newly_alerted: &[u32],
    limit: u32,
) -> Vec<NewMessage> {
    let ChangeNotice {
        words,
        before,
        actor,
        event_id,
    } = change;
    let view = ConsultationView::of(consultation);
    // The history entry's id makes the key unique per change, however fast
    // changes follow each other.
    let stamp = format!("c{}:e{event_id}", consultation.id);
    let context = json!({ "c": view, "actor": actor, "before": before.code(), "words": words });
    let mut messages = Vec::new();
    if let Some(requester) = requester_of(consultation) {
        let text = bot.texts().render("consult/status_changed", &context);
        messages.push(message(
            format!("{stamp}:requester"),
            Recipient::User(requester),
            text,
            requester_buttons(bot, consultation),
        ));
    }
    // In the team notice's thread: what happened; the notice itself,
    // edited in place, shows where the consultation now stands.
    let text = bot.texts().render("consult/team_status", &context);
    messages.push(
        message(
            format!("{stamp}:team"),
            bot.directory().team_channel(),
            text,
            team_buttons(bot, consultation),
        )
        .in_thread_of(team_notice_key(consultation.id)),
    );
    messages.push(root_redrawn(
        bot,
        consultation,
        &format!("{stamp}:team:root"),
    ));
    for threshold in newly_alerted {
        messages.extend(threshold_alerts(
            bot,
            &consultation.quota_kind,
            consultation.quota_bucket.as_deref(),
            *threshold,
            limit,
        ));
    }
    messages
}

pub fn month_ja(month: YearMonth) -> String {
    crate::domain::fiscal::japanese_year_month(month.first_day())
}

/// The consultation as it stands now, for replacing a message whose button
/// was pressed: the details (the message was already in a place allowed to
/// see them), the status, and the buttons that apply for this viewer.
pub fn card(bot: &Bot, consultation: &Consultation, for_requester: bool) -> Outgoing {
    let text = bot.texts().render(
        "consult/card",
        json!({ "c": ConsultationView::of(consultation) }),
    );
    let buttons = if for_requester {
        requester_buttons(bot, consultation)
    } else {
        team_buttons(bot, consultation)
    };
    Outgoing {
        to: Recipient::Channel(String::new()),
        text,
        buttons,
    }
}

/// The similar past consultations of a new one, for the team (its
/// notice's thread): their receipt numbers, titles and states, so that a
/// consultant can reuse the advice given.
pub fn similar_notice(bot: &Bot, consultation: &Consultation, past: &[Consultation]) -> NewMessage {
    let items: Vec<ConsultationView> = past.iter().map(ConsultationView::of).collect();
    let text = bot.texts().render(
        "consult/similar",
        json!({ "c": ConsultationView::of(consultation), "items": items }),
    );
    message(
        format!("c{}:similar", consultation.id),
        bot.directory().team_channel(),
        text,
        Vec::new(),
    )
    .in_thread_of(team_notice_key(consultation.id))
}
