//! The quota mechanism's configuration side, shared by every kind of
//! counted work (consultations and the contract's other work): a kind's
//! policy and the period an item counts in.

use super::Bot;
use crate::config::QuotaPeriod;
use crate::domain::month::YearMonth;
use crate::domain::quota::QuotaPolicy;

/// The quota kind consultations count under (`[quota.consultation]`).
pub const QUOTA_KIND: &str = "consultation";

/// The consultation quota's policy, from the config (仕様書 4(1)ア(ｱ):
/// 上限10件/月 by default).
pub fn consultation_policy(bot: &Bot) -> QuotaPolicy {
    policy_of(bot, QUOTA_KIND).unwrap_or_else(|| {
        QuotaPolicy::new(10, vec![8, 10]).expect("the documented default is valid")
    })
}

/// The configured kinds other than consultations, in name order.
pub fn work_kinds(bot: &Bot) -> Vec<String> {
    bot.settings()
        .quotas
        .keys()
        .filter(|kind| kind.as_str() != QUOTA_KIND)
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
