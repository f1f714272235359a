//! Consultations (相談) end to end: intake, the quota, the lifecycle and the
//! queries (仕様書 4(1)ア(ｱ)). The store applies each change atomically with
//! the messages it causes; this module decides what the change is.

pub mod answer;
pub mod form;
pub mod notices;
pub mod search;
pub mod targets;

use serde_json::json;

use super::Bot;
use super::buttons::ButtonAction;
use super::command::ListScope;
use super::quotas::{QUOTA_KIND, consultation_policy as policy};
use crate::domain::consultation::{
    self, Action, Actor, Category, QuotaEffect, Role, TransitionError,
};
use crate::domain::quota::month_of_receipt;
use crate::message::{Outgoing, UserId};
use crate::store::{
    Applied, Change, Consultation, ConsultationDraft, IntakeTerms, ListFilter, QuotaChange,
    ReplayClaim, StoreError,
};
use notices::ConsultationView;

/// The longest title taken from the first line of a quick `/consult`.
const QUICK_TITLE_CHARS: usize = 40;
/// The most consultations `/consult list` shows (the newest).
const LIST_LIMIT: i64 = 50;

/// The contract's monthly limit of consultations.
pub(crate) fn consultation_limit(bot: &Bot) -> u32 {
    policy(bot).limit()
}

/// The period a consultation counts in (see `quotas::bucket_of`).
fn bucket_for(bot: &Bot, month: crate::domain::month::YearMonth) -> String {
    super::quotas::bucket_of(bot, QUOTA_KIND, month)
}

/// `/consult <text>`: recorded at once; the first line becomes the title.
/// With the claim of the signed request it came in (`ReplayClaim`), the
/// claim is taken in the consultation's own transaction, and a replay
/// fails with `StoreError::Replayed`, recording nothing.
pub async fn record_quick(
    bot: &Bot,
    user: &UserId,
    text: &str,
    replay_claim: Option<&ReplayClaim>,
) -> anyhow::Result<Vec<Outgoing>> {
    let first_line = text.lines().next().unwrap_or_default().trim();
    // Never half a mention or half a link in a title.
    let mut title =
        crate::message::prefix_keeping_markers(first_line, QUICK_TITLE_CHARS).to_owned();
    if title.len() < first_line.len() {
        title.push('…');
    }
    let draft = ConsultationDraft {
        requester: user.to_string(),
        // Filled in by the store from what the person told banso.
        department: None,
        title,
        category: Category::Other,
        details: text.to_owned(),
        desired_date: None,
    };
    record(bot, user, draft, replay_claim).await
}

/// Records a validated consultation and queues its messages; then, if a
/// staff member's department is not known yet, asks for it.
pub async fn record(
    bot: &Bot,
    user: &UserId,
    draft: ConsultationDraft,
    replay_claim: Option<&ReplayClaim>,
) -> anyhow::Result<Vec<Outgoing>> {
    let now = bot.clock().now();
    let month = month_of_receipt(now);
    let policy = policy(bot);
    // A staff member whose department banso does not know yet is asked
    // for it: the question is stored in the intake's own transaction.
    let ask_department = (bot.directory().role_of(user) == Role::Staff)
        .then(|| bot.conversation_state(&form::Conversation::Department))
        .transpose()?;
    let terms = IntakeTerms {
        quota_kind: QUOTA_KIND,
        policy: &policy,
        bucket: bucket_for(bot, month),
        received_at: now.timestamp(),
        received_month: month,
        ask_department: ask_department.as_deref(),
        replay_claim,
    };
    let limit = policy.limit();
    let notifier = bot.clone();
    let recorded = bot
        .store()
        .record_consultation(&draft, &terms, move |recorded| {
            notices::on_created(
                &notifier,
                &recorded.consultation,
                &recorded.newly_alerted,
                limit,
            )
        })
        .await?;
    if recorded.consultation.department.is_none() && ask_department.is_some() {
        // The question was saved with the consultation.
        return Ok(bot.reply(user, "consult/ask_department", json!({})));
    }
    Ok(Vec::new())
}

/// Finds a consultation the user may see, or says it is not there. Staff
/// see their own and their department's; the team sees all. The answer is
/// the same for "does not exist" and "not yours", so ids leak nothing.
async fn visible(
    bot: &Bot,
    user: &UserId,
    short_id: &str,
) -> anyhow::Result<Result<Consultation, Vec<Outgoing>>> {
    let found = bot.store().consultation_by_short_id(short_id).await?;
    let role = bot.directory().role_of(user);
    match found {
        Some(consultation) if may_see(role, user, &consultation) => Ok(Ok(consultation)),
        _ => Ok(Err(bot.reply(
            user,
            "consult/not_found",
            json!({ "short_id": short_id }),
        ))),
    }
}

/// Staff see their own consultations; the team sees all. A department is
/// what a person typed about themselves, so it labels consultations but
/// grants no access: otherwise anyone could read a department's
/// consultations by claiming to belong to it (仕様書 8: 守秘義務).
fn may_see(role: Role, user: &UserId, consultation: &Consultation) -> bool {
    role.is_team() || consultation.requester == user.as_str()
}

/// How long the question about a mistyped subcommand may be answered by
/// recording the line after all: longer, and a second press could not be
/// told from the first (the press is claimed by the question's instant,
/// and claims are kept for Slack's five-minute window).
const RECORD_ANYWAY_SECONDS: i64 = 300;
/// Slack carries at most 2,000 characters in a button's value, counted
/// in UTF-16 units: 950 characters fit whatever they are (an emoji is two).
const RECORD_ANYWAY_CHARS: usize = 950;

/// Asks whether `suggestion` was meant by a `/consult` line that looks
/// like a mistyped subcommand or a receipt number; the line is not
/// recorded (it would count against the quota), but a button records it
/// after all.
pub fn did_you_mean(bot: &Bot, user: &UserId, text: &str, suggestion: &str) -> Vec<Outgoing> {
    let can_record = text.chars().count() <= RECORD_ANYWAY_CHARS;
    let typed = crate::message::prefix_keeping_markers(text, 40);
    let mut replies = bot.reply(
        user,
        "consult/did_you_mean",
        json!({
            "typed": typed,
            "cut": typed.len() < text.len(),
            "suggestion": suggestion,
            "can_record": can_record,
            "minutes": RECORD_ANYWAY_SECONDS / 60,
        }),
    );
    if can_record && let Some(reply) = replies.first_mut() {
        let asked_ms = bot.clock().now().timestamp_millis();
        reply.buttons.push(ButtonAction::RecordAnyway.button(
            bot.texts().render("consult/record_anyway", json!({})),
            format!("{asked_ms}|{text}"),
        ));
    }
    replies
}

/// The button of `did_you_mean` pressed: the line recorded as a
/// consultation, once however often it is pressed, within its time.
pub async fn record_anyway(bot: &Bot, user: &UserId, value: &str) -> anyhow::Result<Vec<Outgoing>> {
    let Some((asked_ms, text)) = value
        .split_once('|')
        .and_then(|(asked, text)| Some((asked.parse::<i64>().ok()?, text)))
    else {
        return Ok(bot.reply(
            user,
            "chat/unknown_button",
            json!({ "action": "record_anyway" }),
        ));
    };
    let now = bot.clock().now().timestamp();
    let asked = asked_ms.div_euclid(1000);
    if now - asked > RECORD_ANYWAY_SECONDS || text.trim().is_empty() {
        return Ok(bot.reply(
            user,
            "consult/record_anyway_expired",
            json!({ "minutes": RECORD_ANYWAY_SECONDS / 60 }),
        ));
    }
    let claim = ReplayClaim {
        signature: format!("record-anyway:{user}:{asked_ms}"),
        sent_at: asked,
    };
    match record_quick(bot, user, text, Some(&claim)).await {
        Err(error) if matches!(error.downcast_ref(), Some(StoreError::Replayed)) => Ok(Vec::new()),
        other => other,
    }
}

/// A button or `/consult ACTION ID`: checks the rules, applies the change
/// with its quota effect and messages, or explains the refusal (and records
/// it in the history).
pub async fn act(
    bot: &Bot,
    user: &UserId,
    action: Action,
    short_id: &str,
    reason: Option<&str>,
) -> anyhow::Result<Vec<Outgoing>> {
    let consultation = match visible(bot, user, short_id).await? {
        Ok(consultation) => consultation,
        Err(reply) => return Ok(reply),
    };
    let actor = Actor {
        role: bot.directory().role_of(user),
        is_coordinator: bot.directory().is_coordinator(user),
        is_requester: consultation.requester == user.as_str(),
    };
    let now = bot.clock().now().timestamp();
    let to = match consultation::transition(consultation.status, action, actor) {
        Ok(to) => to,
        Err(error) => return refuse(bot, user, &consultation, action, error, now).await,
    };
    // Asked only once the decline is allowed, so nobody is asked for a
    // reason that would then be refused.
    if action == Action::Decline && reason.is_none() {
        return bot.ask_decline_reason(user, &consultation.short_id).await;
    }
    // A requester reopens with a question for the team: asked for it
    // first (the button 追加で質問する), as a decline is for its reason.
    if action == Action::Reopen && actor.is_requester && !actor.role.is_team() && reason.is_none() {
        return bot.ask_follow_up(user, &consultation.short_id).await;
    }
    let policy = policy(bot);
    if action == Action::CarryOver
        && let Some(refusal) = refuse_carry_over(bot, user, &consultation, now).await?
    {
        return Ok(refusal);
    }
    let quota = match consultation::quota_effect(consultation.status, to, action) {
        QuotaEffect::None => QuotaChange::None,
        QuotaEffect::Release => QuotaChange::Release,
        QuotaEffect::TakeAsException => QuotaChange::Take {
            bucket: bucket_for(bot, consultation.waiting_month()),
            policy: &policy,
            exception: true,
        },
        QuotaEffect::TakeInNextPeriod => QuotaChange::Take {
            bucket: bucket_for(bot, consultation.waiting_month().next()),
            policy: &policy,
            exception: false,
        },
    };
    let assignee = matches!(action, Action::Assign | Action::Answer).then_some(user.as_str());
    let change = Change {
        consultation_id: consultation.id,
        from: consultation.status,
        to,
        action,
        actor: user.as_str(),
        at: now,
        assignee,
        decline_reason: reason.filter(|_| action == Action::Decline),
        // A reopening's words are the requester's question; the team
        // reopens without (its words would read as the requester's).
        words: reason
            .filter(|_| {
                action == Action::Answer
                    || (action == Action::Reopen && actor.is_requester && !actor.role.is_team())
            })
            .map(str::trim)
            .filter(|text| !text.is_empty()),
        quota,
        held_month: consultation.held_month.map(|month| month.to_string()),
        // Let in from 保留, its targets count from now.
        jobs: if consultation.status == consultation::Status::Held {
            targets::jobs_from(bot, &consultation, now)
        } else {
            Vec::new()
        },
    };
    let limit = policy.limit();
    let applied = bot
        .store()
        .apply_change(&change, |changed, alerted, event_id| {
            // A carry-over into a month already at its limit: held there.
            if action == Action::CarryOver && changed.status == consultation::Status::Held {
                return notices::held_over(bot, user, changed, event_id, limit);
            }
            let notice = notices::ChangeNotice {
                words: change.words,
                before: consultation.status,
                actor: user,
                event_id,
            };
            notices::on_changed(bot, notice, changed, alerted, limit)
        })
        .await?;
    Ok(match applied {
        Applied::Done {
            consultation: held, ..
        } if action == Action::CarryOver && held.status == consultation::Status::Held => {
            let mut replies = bot.reply(
                user,
                "consult/carry_over_full",
                notices::held_over_context(bot, &held, limit, user),
            );
            if let Some(reply) = replies.first_mut() {
                reply.buttons = notices::team_buttons(bot, &held);
            }
            replies
        }
        Applied::Done { .. } => Vec::new(),
        Applied::Conflict { current } => bot.reply(
            user,
            "consult/conflict",
            json!({ "c": ConsultationView::of(&current) }),
        ),
    })
}

/// A carry-over (翌月に繰越) that cannot be: into a month past the
/// contract's end (仕様書: the work ends with the contract). The
/// consultation stays 保留 where it waits; the coordinator is told what to
/// do instead. (A carry-over into a month already at its limit is not
/// refused: the store holds it there, in the change's transaction.)
async fn refuse_carry_over(
    bot: &Bot,
    user: &UserId,
    consultation: &Consultation,
    now: i64,
) -> anyhow::Result<Option<Vec<Outgoing>>> {
    let target = consultation.waiting_month().next();
    let contract = bot
        .settings()
        .contract_period(consultation.received_month.first_day());
    if target.first_day() <= contract.end {
        return Ok(None);
    }
    bot.store()
        .record_event(
            consultation.id,
            now,
            user.as_str(),
            "refused_transition",
            Some(Action::CarryOver.code()),
        )
        .await?;
    Ok(Some(bot.reply(
        user,
        "consult/carry_over_past_contract",
        json!({ "c": ConsultationView::of(consultation), "end": contract.end.to_string() }),
    )))
}

async fn refuse(
    bot: &Bot,
    user: &UserId,
    consultation: &Consultation,
    action: Action,
    error: TransitionError,
    now: i64,
) -> anyhow::Result<Vec<Outgoing>> {
    let (template, kind) = match error {
        TransitionError::NotPermitted { .. } => {
            ("consult/refused_permission", "refused_permission")
        }
        TransitionError::InvalidTransition { .. } => {
            ("consult/refused_transition", "refused_transition")
        }
    };
    bot.store()
        .record_event(
            consultation.id,
            now,
            user.as_str(),
            kind,
            Some(action.code()),
        )
        .await?;
    Ok(bot.reply(
        user,
        template,
        json!({ "c": ConsultationView::of(consultation), "action": action.code() }),
    ))
}

/// `/consult show ID`: the details and history. A read by anyone but the
/// requester is recorded (仕様書 8: 守秘義務).
pub async fn show(bot: &Bot, user: &UserId, short_id: &str) -> anyhow::Result<Vec<Outgoing>> {
    let consultation = match visible(bot, user, short_id).await? {
        Ok(consultation) => consultation,
        Err(reply) => return Ok(reply),
    };
    if consultation.requester != user.as_str() {
        bot.store()
            .record_event(
                consultation.id,
                bot.clock().now().timestamp(),
                user.as_str(),
                "read",
                None,
            )
            .await?;
    }
    let events = bot.store().consultation_events(consultation.id).await?;
    // The team's replies in its thread stay with the team.
    let for_team = bot.directory().role_of(user).is_team();
    let history: Vec<_> = events
        .iter()
        .filter(|event| for_team || event.kind != answer::TEAM_NOTE)
        .map(|event| {
            let at = chrono::DateTime::from_timestamp(event.at, 0)
                .map(|instant| instant.with_timezone(&super::clock::CITY_TIME_ZONE).format("%Y-%m-%d %H:%M").to_string());
            json!({ "at": at, "actor": event.actor, "kind": event.kind, "from": event.from_status, "to": event.to_status, "detail": event.detail })
        })
        .collect();
    Ok(bot.reply(
        user,
        "consult/show",
        json!({ "c": ConsultationView::of(&consultation), "history": history }),
    ))
}

/// The consultations a filter finds, at most its limit (the newest), and
/// how many it finds in all: a full page may not be all, and a capped
/// list says so (最新50件／全79件). Counted by reading them, as the store
/// has no count of a filtered list; the contract's volumes (10 a month)
/// keep that small.
pub async fn page_and_total(
    bot: &Bot,
    filter: ListFilter,
) -> anyhow::Result<(Vec<Consultation>, usize)> {
    let page = bot.store().list_consultations(&filter).await?;
    let total = if page.len() < usize::try_from(filter.limit).unwrap_or(usize::MAX) {
        page.len()
    } else {
        let everything = ListFilter {
            limit: i64::MAX,
            ..filter
        };
        bot.store().list_consultations(&everything).await?.len()
    };
    Ok((page, total))
}

/// `/consult list [mine|open|all]`: staff default to their own, the team
/// to what is open.
pub async fn list(
    bot: &Bot,
    user: &UserId,
    scope: Option<ListScope>,
) -> anyhow::Result<Vec<Outgoing>> {
    let role = bot.directory().role_of(user);
    let scope = scope.unwrap_or(if role.is_team() {
        ListScope::Open
    } else {
        ListScope::Mine
    });
    let filter = ListFilter {
        visible_to: (!role.is_team()).then(|| user.to_string()),
        requester: (scope == ListScope::Mine).then(|| user.to_string()),
        open_only: scope == ListScope::Open,
        limit: LIST_LIMIT,
    };
    let (consultations, total) = page_and_total(bot, filter).await?;
    let items: Vec<ConsultationView> = consultations.iter().map(ConsultationView::of).collect();
    let scope_code = match scope {
        ListScope::Mine => "mine",
        ListScope::Open => "open",
        ListScope::All => "all",
    };
    Ok(bot.reply(
        user,
        "consult/list",
        json!({ "items": items, "total": total, "scope": scope_code }),
    ))
}
