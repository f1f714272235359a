//! `/metrics` in Prometheus's text format: what an operator watches of
//! `banso serve` (README, "Running banso as a service").
//!
//! Of this process: Slack Web API calls by method and status, and
//! acknowledgements by endpoint and outcome with a latency histogram.
//! Of the database, shared by every replica: the outbox (messages
//! pending, being posted, given up; the oldest one's age) and the
//! scheduler's jobs (pending, late). Those are exported by one replica
//! only — the one holding the `metrics` lease in the database, renewed at
//! each of its scrapes — so that a sum over replicas does not count them
//! twice; another replica takes the lease over when the holder stops
//! being scraped for a minute.
//!
//! The process's figures live in one registry for the process (`global`):
//! a Web API call is counted wherever it is made, without a handle
//! threaded through every caller. Each update is an atomic add on a
//! handle resolved once per label set (about 50 ns a counter and a
//! histogram together, BENCHMARKS.md).

use std::sync::{Mutex, OnceLock, PoisonError};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::bot::clock::Stopwatch;
use crate::store::{OperationsFigures, Store};

/// How long the replica that exported the database's figures keeps the
/// right to: a scrape interval is 15 s to a minute.
const DATABASE_FIGURES_LEASE_MS: i64 = 60_000;
/// The lease is renewed (a write) only when less than this is left of
/// it, not at every scrape.
const RENEW_WHEN_LEFT_MS: i64 = 40_000;
/// A replica that found the lease held elsewhere asks again after this.
const ASK_AGAIN_AFTER_MS: i64 = 15_000;
/// The database's figures are read at most this often: a scrape of
/// `/metrics` costs the database little, however often it comes.
const FIGURES_FRESH_MS: i64 = 5_000;

/// The latency buckets of acknowledgements, in seconds: Slack waits three
/// seconds at most, and an ack should take milliseconds.
const ACK_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0,
];

/// The process's figures.
pub struct Metrics {
    registry: Registry,
    api_calls: IntCounterVec,
    /// The acknowledgements' histogram, resolved once per endpoint and
    /// outcome: the ack path pays an index, not the hashing of labels.
    acks: Vec<Vec<prometheus::Histogram>>,
    database: Mutex<DatabaseFigures>,
}

/// What this replica knows of the database's figures between scrapes.
#[derive(Debug, Default, Clone, Copy)]
struct DatabaseFigures {
    /// Until when this replica holds the lease (epoch ms; 0 if not).
    held_until_ms: i64,
    /// Before this, the lease is not asked for again (held elsewhere).
    not_before_ms: i64,
    /// The figures last read, and when.
    read: Option<(i64, OperationsFigures)>,
}

/// Where an acknowledgement went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckEndpoint {
    Commands,
    Interactions,
    Events,
    SocketMode,
}

impl AckEndpoint {
    const ALL: [AckEndpoint; 4] = [
        AckEndpoint::Commands,
        AckEndpoint::Interactions,
        AckEndpoint::Events,
        AckEndpoint::SocketMode,
    ];

    fn label(self) -> &'static str {
        match self {
            AckEndpoint::Commands => "commands",
            AckEndpoint::Interactions => "interactions",
            AckEndpoint::Events => "events",
            AckEndpoint::SocketMode => "socket_mode",
        }
    }
}

/// Times an acknowledgement that is sent when a scope ends (Socket
/// Mode's listener acks when the callback returns), as acknowledged.
pub struct AckTiming {
    endpoint: AckEndpoint,
    watch: Stopwatch,
}

impl AckTiming {
    pub fn start(endpoint: AckEndpoint) -> Self {
        Self {
            endpoint,
            watch: Stopwatch::start(),
        }
    }
}

impl Drop for AckTiming {
    fn drop(&mut self) {
        global().ack(self.endpoint, AckOutcome::Ok, self.watch.seconds());
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckOutcome {
    /// Acknowledged (a replay or a redelivery, acknowledged and not run
    /// again, too).
    Ok,
    /// Its signature did not verify, or it was too old (401).
    Unverified,
    /// Refused for another reason: another workspace, an unreadable
    /// payload (4xx).
    Refused,
    /// banso could not take it: the database failed (5xx).
    Error,
}

impl AckOutcome {
    const ALL: [AckOutcome; 4] = [
        AckOutcome::Ok,
        AckOutcome::Unverified,
        AckOutcome::Refused,
        AckOutcome::Error,
    ];

    fn label(self) -> &'static str {
        match self {
            AckOutcome::Ok => "ok",
            AckOutcome::Unverified => "unverified",
            AckOutcome::Refused => "refused",
            AckOutcome::Error => "error",
        }
    }

    /// The outcome an HTTP status says.
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=399 => AckOutcome::Ok,
            401 => AckOutcome::Unverified,
            400..=499 => AckOutcome::Refused,
            _ => AckOutcome::Error,
        }
    }
}

/// The process's registry of figures.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let api_calls = IntCounterVec::new(
            Opts::new(
                "banso_slack_api_calls_total",
                "Slack Web API calls by method and status: ok, the HTTP status of a refusal or failure (429, 5xx), network, or Slack's error code.",
            ),
            &["method", "status"],
        )
        .expect("a valid metric");
        let acks = HistogramVec::new(
            HistogramOpts::new(
                "banso_ack_seconds",
                "Time from a Slack request's arrival to its acknowledgement, by endpoint and outcome.",
            )
            .buckets(ACK_BUCKETS.to_vec()),
            &["endpoint", "outcome"],
        )
        .expect("a valid metric");
        registry
            .register(Box::new(api_calls.clone()))
            .expect("registered once");
        registry
            .register(Box::new(acks.clone()))
            .expect("registered once");
        let acks = AckEndpoint::ALL
            .iter()
            .map(|endpoint| {
                AckOutcome::ALL
                    .iter()
                    .map(|outcome| acks.with_label_values(&[endpoint.label(), outcome.label()]))
                    .collect()
            })
            .collect();
        Self {
            registry,
            api_calls,
            acks,
            database: Mutex::default(),
        }
    }

    /// One Web API call and what Slack answered.
    pub fn api_call(&self, method: &str, status: &str) {
        self.api_calls.with_label_values(&[method, status]).inc();
    }

    /// One acknowledgement: where, how it ended, how long it took.
    pub fn ack(&self, endpoint: AckEndpoint, outcome: AckOutcome, seconds: f64) {
        self.acks[endpoint as usize][outcome as usize].observe(seconds);
    }

    /// The text of `/metrics`: the process's figures, and the database's
    /// when this replica holds (or takes) the lease to export them. The
    /// lease is written only when it is to be taken or is running out,
    /// and the figures read at most every few seconds.
    pub async fn render(&self, store: &Store, holder: &str, now_ms: i64) -> String {
        let mut families = self.registry.gather();
        if let Some(figures) = self.database_figures(store, holder, now_ms).await {
            families.extend(database_families(&figures));
        }
        let mut text = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&families, &mut text) {
            tracing::warn!(%error, "metrics not encoded");
        }
        String::from_utf8(text).unwrap_or_default()
    }

    async fn database_figures(
        &self,
        store: &Store,
        holder: &str,
        now_ms: i64,
    ) -> Option<OperationsFigures> {
        let known = *self.database.lock().unwrap_or_else(PoisonError::into_inner);
        let holding = if known.held_until_ms - now_ms >= RENEW_WHEN_LEFT_MS {
            true
        } else if now_ms < known.not_before_ms {
            false
        } else {
            match store
                .take_singleton_lease("metrics", holder, now_ms, DATABASE_FIGURES_LEASE_MS)
                .await
            {
                Ok(taken) => {
                    let mut state = self.database.lock().unwrap_or_else(PoisonError::into_inner);
                    if taken {
                        state.held_until_ms = now_ms + DATABASE_FIGURES_LEASE_MS;
                    } else {
                        state.held_until_ms = 0;
                        state.not_before_ms = now_ms + ASK_AGAIN_AFTER_MS;
                    }
                    taken
                }
                Err(error) => {
                    tracing::warn!(%error, "the metrics lease could not be taken");
                    false
                }
            }
        };
        if !holding {
            return None;
        }
        if let Some((at, figures)) = known.read
            && now_ms - at < FIGURES_FRESH_MS
        {
            return Some(figures);
        }
        match store.operations_figures(now_ms).await {
            Ok(figures) => {
                self.database
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .read = Some((now_ms, figures));
                Some(figures)
            }
            Err(error) => {
                tracing::warn!(%error, "the database's figures could not be read");
                None
            }
        }
    }
}

/// The database's figures as gauges of a registry made for one scrape.
fn database_families(figures: &OperationsFigures) -> Vec<prometheus::proto::MetricFamily> {
    let registry = Registry::new();
    let gauge = |name: &str, help: &str, value: i64| {
        let gauge = IntGauge::new(name, help).expect("a valid metric");
        gauge.set(value);
        registry.register(Box::new(gauge)).expect("registered once");
    };
    gauge(
        "banso_outbox_pending",
        "Messages waiting in the outbox (those being posted included).",
        figures.outbox_pending,
    );
    gauge(
        "banso_outbox_claimed",
        "Channels whose turn a sender holds: messages being posted now.",
        figures.outbox_claimed,
    );
    gauge(
        "banso_outbox_given_up",
        "Messages given up after their last try (the team channel was told).",
        figures.outbox_given_up,
    );
    gauge(
        "banso_outbox_oldest_pending_seconds",
        "Age of the oldest message waiting in the outbox; 0 when none waits.",
        figures.outbox_oldest_pending_seconds,
    );
    gauge(
        "banso_jobs_pending",
        "Scheduled jobs (reminders) not yet run.",
        figures.jobs_pending,
    );
    gauge(
        "banso_jobs_late",
        "Scheduled jobs past their time by more than a minute and not yet run.",
        figures.jobs_late,
    );
    registry.gather()
}
