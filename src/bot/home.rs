//! The personal overview (Slack's App Home tab): a person's open
//! consultations; for the team, also this month's quota, what is held, the
//! next meetings and the next deliverables' status.

use serde_json::json;

use super::Bot;
use super::consultations::notices::{ConsultationView, month_ja};
use super::consultations::page_and_total;
use super::quotas::{QUOTA_KIND, consultation_policy as policy};
use crate::domain::quota::{month_of_receipt, summarise_month};
use crate::message::UserId;
use crate::store::ListFilter;

const NEXT_MEETINGS: usize = 3;
/// The most of a person's own open consultations shown (the newest).
const MINE_SHOWN: i64 = 20;
/// The most of the team's open consultations shown (the newest).
const OPEN_SHOWN: i64 = 50;

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
    let mine: Vec<ConsultationView> = mine.iter().map(ConsultationView::of).collect();
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
