//! The contract's caps, as pure decisions: which month a request counts in,
//! whether it fits under the limit, which alert thresholds it reaches, and
//! a month's summary (仕様書 4(1)ア(ｱ): 上限１０件／月).
//!
//! Counting happens atomically in the store; this module says what the
//! numbers mean.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Tokyo;
use serde::Serialize;

use super::consultation::Status;
use super::month::YearMonth;

/// A validated cap: at least 1, with alert thresholds within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaPolicy {
    limit: u32,
    alert_at: Vec<u32>,
}

impl QuotaPolicy {
    /// `None` when the limit is 0 or a threshold lies outside `1..=limit`.
    pub fn new(limit: u32, mut alert_at: Vec<u32>) -> Option<Self> {
        alert_at.sort_unstable();
        alert_at.dedup();
        let thresholds_fit = alert_at
            .iter()
            .all(|threshold| (1..=limit).contains(threshold));
        (limit >= 1 && thresholds_fit).then_some(Self { limit, alert_at })
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn alert_at(&self) -> &[u32] {
        &self.alert_at
    }

    /// The thresholds a count has reached. The store records each
    /// (month, threshold) once, so an alert fires exactly once per month
    /// however the count later moves (仕様: 各閾値は月に一度だけ通知).
    pub fn thresholds_reached(&self, counted: u32) -> Vec<u32> {
        self.alert_at
            .iter()
            .copied()
            .filter(|threshold| *threshold <= counted)
            .collect()
    }

    /// Where a new request stands when `counted` already count this month.
    pub fn intake(&self, counted: u32) -> Intake {
        if counted < self.limit {
            Intake::Counted {
                position: counted + 1,
            }
        } else {
            Intake::OverLimit
        }
    }
}

/// What happens to a new request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intake {
    /// It counts, as the `position`-th of the month.
    Counted { position: u32 },
    /// Over the limit: recorded and held for a coordinator (保留（上限超過）).
    OverLimit,
}

/// The month a request received at `received_at` counts in: the calendar
/// month in Asia/Tokyo, whatever the server's time zone.
pub fn month_of_receipt(received_at: DateTime<Utc>) -> YearMonth {
    YearMonth::of(received_at.with_timezone(&Tokyo).date_naive())
}

/// How a request counts, as far as a monthly summary cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedRequest {
    pub status: Status,
    /// The month it was received in.
    pub received_in: YearMonth,
    /// The month whose quota it uses (`None` while held or if it never
    /// counts): the receipt month, or the next one when carried over.
    pub counts_in: Option<YearMonth>,
    /// Approved over the limit as an exception.
    pub exception: bool,
    /// For a held request carried over into a month already at its
    /// limit, the month it now waits in (else its receipt month).
    pub held_in: Option<YearMonth>,
}

/// One month's quota use, as `/quota` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthSummary {
    pub counted: u32,
    pub limit: u32,
    pub remaining: u32,
    pub held: u32,
    pub exceptions: u32,
    /// Counted in this month, carried over from the previous one.
    pub carried_in: u32,
    /// Received in this month, carried over to the next one.
    pub carried_out: u32,
}

/// Summarises `month` from every request that touches it.
pub fn summarise_month(
    policy: &QuotaPolicy,
    month: YearMonth,
    requests: &[CountedRequest],
) -> MonthSummary {
    let counts_here = |request: &&CountedRequest| {
        request.counts_in == Some(month) && request.status.counts_toward_quota()
    };
    let counted = requests.iter().filter(counts_here).count() as u32;
    let exceptions = requests
        .iter()
        .filter(counts_here)
        .filter(|request| request.exception)
        .count() as u32;
    let carried_in = requests
        .iter()
        .filter(counts_here)
        .filter(|request| request.received_in != month)
        .count() as u32;
    let held = requests
        .iter()
        .filter(|request| {
            request.held_in.unwrap_or(request.received_in) == month
                && request.status == Status::Held
        })
        .count() as u32;
    let carried_out = requests
        .iter()
        .filter(|request| {
            request.received_in == month && request.counts_in.is_some_and(|other| other != month)
        })
        .filter(|request| request.status.counts_toward_quota())
        .count() as u32;
    MonthSummary {
        counted,
        limit: policy.limit,
        remaining: policy.limit.saturating_sub(counted),
        held,
        exceptions,
        carried_in,
        carried_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn month(text: &str) -> YearMonth {
        text.parse().unwrap()
    }

    fn policy() -> QuotaPolicy {
        QuotaPolicy::new(10, vec![10, 8]).unwrap()
    }

    #[test]
    fn policies_are_validated() {
        assert_eq!(policy().alert_at(), &[8, 10]);
        assert!(QuotaPolicy::new(0, vec![]).is_none());
        assert!(QuotaPolicy::new(10, vec![11]).is_none());
        assert!(QuotaPolicy::new(10, vec![0]).is_none());
        assert_eq!(QuotaPolicy::new(3, vec![3, 3]).unwrap().alert_at(), &[3]);
    }

    #[test]
    fn intake_counts_up_to_the_limit_then_holds() {
        let cases = [
            (0, Intake::Counted { position: 1 }),
            (8, Intake::Counted { position: 9 }),
            (9, Intake::Counted { position: 10 }),
            (10, Intake::OverLimit),
            (11, Intake::OverLimit),
        ];
        for (counted, expected) in cases {
            assert_eq!(policy().intake(counted), expected, "{counted} counted");
        }
    }

    #[test]
    fn thresholds_reached_by_a_count() {
        let cases: [(u32, &[u32]); 5] = [(0, &[]), (7, &[]), (8, &[8]), (9, &[8]), (10, &[8, 10])];
        for (counted, expected) in cases {
            assert_eq!(policy().thresholds_reached(counted), expected, "{counted}");
        }
    }

    #[test]
    fn the_month_of_receipt_is_the_tokyo_month() {
        let tokyo = |y, m, d, h, min| {
            Tokyo
                .with_ymd_and_hms(y, m, d, h, min, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        let cases = [
            (tokyo(2024, 6, 30, 23, 59), "2024-06"),
            (tokyo(2024, 7, 1, 0, 0), "2024-07"),
            // 2024-06-30T15:30Z is already July 1st in Tokyo.
            (
                Utc.with_ymd_and_hms(2024, 6, 30, 15, 30, 0).unwrap(),
                "2024-07",
            ),
            (
                Utc.with_ymd_and_hms(2024, 6, 30, 14, 59, 0).unwrap(),
                "2024-06",
            ),
            (tokyo(2025, 1, 1, 0, 0), "2025-01"),
        ];
        for (instant, expected) in cases {
            assert_eq!(month_of_receipt(instant), month(expected), "{instant}");
        }
    }

    fn request(
        status: Status,
        received: &str,
        counts_in: Option<&str>,
        exception: bool,
    ) -> CountedRequest {
        CountedRequest {
            status,
            received_in: month(received),
            counts_in: counts_in.map(month),
            exception,
            held_in: None,
        }
    }

    #[test]
    fn a_month_summary_with_carry_over_exceptions_and_withdrawals() {
        let mut requests = vec![request(Status::Received, "2024-06", Some("2024-06"), false); 9];
        requests.push(request(
            Status::Withdrawn,
            "2024-06",
            Some("2024-06"),
            false,
        ));
        requests.push(request(
            Status::OutOfScope,
            "2024-06",
            Some("2024-06"),
            false,
        ));
        requests.push(request(Status::Closed, "2024-06", Some("2024-06"), true));
        requests.push(request(Status::Held, "2024-06", None, false));
        requests.push(request(Status::Received, "2024-06", Some("2024-07"), false));
        requests.push(request(Status::Declined, "2024-06", None, false));
        requests.push(request(Status::Answered, "2024-05", Some("2024-06"), false));
        let june = summarise_month(&policy(), month("2024-06"), &requests);
        assert_eq!(
            june,
            MonthSummary {
                counted: 11,
                limit: 10,
                remaining: 0,
                held: 1,
                exceptions: 1,
                carried_in: 1,
                carried_out: 1,
            }
        );
        let july = summarise_month(&policy(), month("2024-07"), &requests);
        assert_eq!(
            (july.counted, july.remaining, july.carried_in, july.held),
            (1, 9, 1, 0)
        );
    }
}
