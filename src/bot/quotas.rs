//! The quota mechanism's configuration side, shared by every kind of
//! counted work (consultations and the contract's other work): a kind's
//! policy and the period an item counts in.

use super::Bot;
use crate::config::QuotaPeriod;
use crate::domain::month::YearMonth;
use crate::domain::quota::QuotaPolicy;

/// The configured kinds other than consultations, in name order.
pub fn work_kinds(bot: &Bot) -> Vec<String> {
    bot.settings()
        .quotas
        .keys()
        .filter(|kind| kind.as_str() != super::consultations::QUOTA_KIND)
        .cloned()
        .collect()
}

/// A configured kind's policy (`None` for a kind not in the config).
pub fn policy_of(bot: &Bot, kind: &str) -> Option<QuotaPolicy> {
    let rule = bot.settings().quotas.get(kind)?;
    QuotaPolicy::new(rule.limit, rule.alert_at.clone())
}

/// The period an item of `kind` received in `month` counts in: the month
/// (`2024-06`), or with `period = "contract"` the contract period holding
/// that month (`contract:2024-04-01`), so that a new contract starts from
/// zero.
pub fn bucket_of(bot: &Bot, kind: &str, month: YearMonth) -> String {
    let period = bot.settings().quotas.get(kind).map(|rule| rule.period);
    match period {
        Some(QuotaPeriod::Contract) => {
            let contract = bot.settings().contract_period(month.first_day());
            format!("contract:{}", contract.start)
        }
        _ => month.to_string(),
    }
}
