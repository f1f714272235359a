//! The scheduler: carries out the reminder plan. Every planned reminder is
//! a row of the durable jobs table (see `store::jobs`); this loop sleeps
//! until the next one is due, claims it, asks the bot what to say, and
//! finishes it together with its outbox messages.
//!
//! Time comes only from the bot's `Clock`; `run_due(now)` is the whole
//! work of one wake-up, so tests call it directly instead of waiting.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::bot::Bot;
use crate::bot::{consultations, meetings};
use crate::store::{JobOutcome, SyncReport};

/// How long a claimed job is ours before another scheduler may take it.
const LEASE_SECONDS: i64 = 120;

/// The longest the loop sleeps without looking again: jobs added by
/// another process, or a clock that jumped, are noticed within this.
const LONGEST_SLEEP: Duration = Duration::from_secs(60);

/// The shortest pause between rounds that found nothing to run.
const SHORTEST_SLEEP: Duration = Duration::from_secs(1);

/// A job whose messages cannot be built after this many claims is given
/// up (recorded as skipped, logged) instead of retried for ever.
const MOST_ATTEMPTS: i64 = 5;

/// What one `run_due` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub sent: usize,
    pub skipped: usize,
    /// Finishes refused because the lease was lost (another scheduler or a
    /// re-plan got there first); nothing was sent for these.
    pub lost: usize,
    /// Due on a closed day after downtime, and put off to an open one.
    pub postponed: usize,
}

/// Runs reminders for one process. Several may share a PostgreSQL database.
#[derive(Clone)]
pub struct Scheduler {
    bot: Bot,
    worker: Arc<str>,
}

impl Scheduler {
    /// `worker` names this process in the jobs table (claimed_by).
    pub fn new(bot: Bot, worker: impl Into<String>) -> Self {
        Self {
            bot,
            worker: Arc::from(worker.into()),
        }
    }

    /// Re-plans the jobs table from the configuration and the meeting
    /// changes people made.
    pub async fn replan(&self) -> anyhow::Result<SyncReport> {
        meetings::replan(&self.bot).await
    }

    /// Sends (or records as skipped) every reminder due at `now`.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<RunReport> {
        let mut report = RunReport::default();
        let store = self.bot.store();
        while let Some(job) = store
            .claim_due_job(&self.worker, now.timestamp(), LEASE_SECONDS)
            .await?
        {
            let built = if job
                .kind
                .starts_with(consultations::targets::JOB_KIND_PREFIX)
            {
                consultations::targets::job_messages(&self.bot, &job, now).await
            } else {
                meetings::reminder_messages(&self.bot, &job, now).await
            };
            let (outcome, messages) = match built {
                Ok(built) => built,
                Err(error) if job.attempts >= MOST_ATTEMPTS => {
                    tracing::error!(
                        job = job.idempotency_key,
                        error = format!("{error:#}"),
                        "giving up on a reminder"
                    );
                    (JobOutcome::Skipped, Vec::new())
                }
                // Left claimed: its lease runs out and a later round tries again.
                Err(error) => {
                    tracing::warn!(
                        job = job.idempotency_key,
                        error = format!("{error:#}"),
                        "reminder failed; will retry"
                    );
                    continue;
                }
            };
            let finished = store
                .finish_job(&job, &self.worker, outcome, &messages, now.timestamp())
                .await?;
            match (finished, outcome) {
                (false, _) => report.lost += 1,
                (true, JobOutcome::Sent) => report.sent += 1,
                (true, JobOutcome::Skipped) => report.skipped += 1,
                (true, JobOutcome::Postponed { .. }) => report.postponed += 1,
            }
        }
        Ok(report)
    }

    /// Runs until `shutdown` turns true: sleeps until the next job is due
    /// (or the plan changes), runs what is due, and repeats. A failed round
    /// is logged and retried after a pause, never fatal.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        let changed = self.bot.jobs_changed();
        let mut planned_on = None;
        loop {
            // Re-plan once a day: the plan looks ahead from today.
            let today = self.bot.clock().now_in_city().date_naive();
            if planned_on != Some(today) {
                match self.replan().await {
                    Ok(_) => planned_on = Some(today),
                    Err(error) => {
                        tracing::error!(error = format!("{error:#}"), "re-planning failed")
                    }
                }
            }
            let ran = match self.run_due(self.bot.clock().now()).await {
                Ok(report) => report.sent + report.skipped + report.lost,
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "scheduler round failed");
                    0
                }
            };
            // Something due that this round could not take (held by another
            // process) is looked at again after a pause, not in a spin.
            let sleep = self.time_to_next_job().await;
            let sleep = if ran == 0 {
                sleep.max(SHORTEST_SLEEP)
            } else {
                sleep
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = changed.notified() => {}
                // A dropped sender means the process is ending too.
                result = shutdown.changed() => if result.is_err() { return },
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    async fn time_to_next_job(&self) -> Duration {
        let now = self.bot.clock().now().timestamp();
        match self.bot.store().next_job_due_at().await {
            Ok(Some(due)) => {
                Duration::from_secs(u64::try_from(due - now).unwrap_or(0)).min(LONGEST_SLEEP)
            }
            Ok(None) => LONGEST_SLEEP,
            Err(error) => {
                tracing::warn!(%error, "cannot read the next job; looking again soon");
                Duration::from_secs(5)
            }
        }
    }
}
