//! `/quota [YYYY-MM]`: the month's consultation count against the limit,
//! what is held and carried over, and the last six months as a small table.

use serde_json::json;

use super::Bot;
use super::consultations::notices::month_ja;
use super::quotas::QUOTA_KIND;
use crate::domain::month::YearMonth;
use crate::domain::quota::{month_of_receipt, summarise_month};
use crate::message::{Outgoing, UserId};

const HISTORY_MONTHS: usize = 6;

pub(super) async fn render(
    bot: &Bot,
    user: &UserId,
    month: Option<YearMonth>,
) -> anyhow::Result<Vec<Outgoing>> {
    let month = month.unwrap_or_else(|| month_of_receipt(bot.clock().now()));
    let mut months = vec![month];
    for _ in 1..HISTORY_MONTHS {
        let earliest = *months.last().expect("starts non-empty");
        months.push(earliest.previous());
    }
    months.reverse();
    // Only months of the contract (the one holding the month asked for):
    // before it banso counted nothing.
    let contract = bot.settings().contract_period(month.first_day());
    months.retain(|each| {
        *each == month || (each.last_day() >= contract.start && each.first_day() <= contract.end)
    });
    let policy = super::quotas::consultation_policy(bot);
    // Carry-over reaches one month beyond the receipt month.
    let requests = bot
        .store()
        .counted_requests(QUOTA_KIND, months[0], month.next())
        .await?;
    let rows: Vec<_> = months
        .iter()
        .map(|each| json!({ "month": each.to_string(), "month_ja": month_ja(*each), "summary": summarise_month(&policy, *each, &requests) }))
        .collect();
    let current = summarise_month(&policy, month, &requests);
    // The contract's other capped work, in its current period (whatever
    // month was asked for): one look at every count (staff see
    // consultations only).
    let work = if bot.directory().role_of(user).is_team() {
        super::work::summary(bot, month_of_receipt(bot.clock().now())).await?
    } else {
        Vec::new()
    };
    // How soon the team replied, and what is past its target: the
    // consultations' titles are the team's to see.
    let response = if bot.directory().role_of(user).is_team() {
        Some(super::consultations::targets::month_figures(bot, month).await?)
    } else {
        None
    };
    Ok(bot.reply(
        user,
        "quota/report",
        json!({ "month": month.to_string(), "month_ja": month_ja(month), "summary": current, "history": rows, "work": work, "response": response }),
    ))
}
