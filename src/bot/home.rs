//! The personal overview (Slack's App Home tab): a person's open
//! consultations; for the team, also this month's quota, what is held, the
//! next meetings and the next deliverables' status.

use serde_json::json;

use super::Bot;
use super::consultations::notices::{ConsultationView, month_ja};
use super::consultations::page_and_total;
use super::quotas::{QUOTA_KIND, consultation_policy as policy};
use crate::domain::consultation::Status;
use crate::domain::quota::{month_of_receipt, summarise_month};
use crate::message::{UserId, prefix_keeping_markers};
use crate::store::{Consultation, ListFilter};

const NEXT_MEETINGS: usize = 3;
/// The most of a person's own open consultations shown (the newest).
const MINE_SHOWN: i64 = 20;
/// The most of the team's open consultations shown (the newest).
const OPEN_SHOWN: i64 = 50;

/// How much of the latest answer the overview repeats.
const ANSWER_SHOWN: usize = 80;

/// A person's own consultation in the overview, with the start of the
/// latest answer once it is answered (the conversation, at a glance).
#[derive(serde::Serialize)]
struct Mine {
    #[serde(flatten)]
    c: ConsultationView,
    answer: Option<String>,
}

async fn with_answers(bot: &Bot, mine: &[Consultation]) -> anyhow::Result<Vec<Mine>> {
    let mut shown = Vec::with_capacity(mine.len());
    for consultation in mine {
        let answer = if consultation.status == Status::Answered {
            bot.store()
                .responses_of(consultation.id)
                .await?
                .latest_answer
                .map(|answer| {
                    // One line under the consultation's, however it was typed.
                    let answer = answer.split_whitespace().collect::<Vec<_>>().join(" ");
                    let start = prefix_keeping_markers(&answer, ANSWER_SHOWN);
                    let more = if start.len() < answer.len() {
                        "…"
                    } else {
                        ""
                    };
                    format!("{start}{more}")
                })
        } else {
            None
        };
        shown.push(Mine {
            c: ConsultationView::of(consultation),
            answer,
        });
    }
    Ok(shown)
}

/// The overview's text for `user`.
pub async fn overview(bot: &Bot, user: &UserId) -> anyhow::Result<String> {
    let role = bot.directory().role_of(user);
    let (mine, mine_total) = page_and_total(
        bot,
        ListFilter {
            visible_to: Some(user.to_string()),
            requester: Some(user.to_string()),
            open_only: true,
            limit: MINE_SHOWN,
        },
    )
    .await?;
    let mine = with_answers(bot, &mine).await?;
    if !role.is_team() {
        return Ok(bot.texts().render(
            "home/overview",
            json!({ "team": false, "mine": mine, "mine_total": mine_total }),
        ));
    }
    let month = month_of_receipt(bot.clock().now());
    let requests = bot
        .store()
        .counted_requests(QUOTA_KIND, month.previous(), month.next())
        .await?;
    let summary = summarise_month(&policy(bot), month, &requests);
    let (open, open_total) = page_and_total(
        bot,
        ListFilter {
            open_only: true,
            limit: OPEN_SHOWN,
            ..ListFilter::default()
        },
    )
    .await?;
    let open: Vec<ConsultationView> = open.iter().map(ConsultationView::of).collect();
    let meetings: Vec<_> = super::meetings::upcoming(bot, NEXT_MEETINGS)
        .await?
        .iter()
        .map(super::meetings::view)
        .collect();
    Ok(bot.texts().render(
        "home/overview",
        json!({ "team": true, "mine": mine, "open": open, "summary": summary, "month_ja": month_ja(month), "meetings": meetings, "mine_total": mine_total, "open_total": open_total }),
    ))
}
