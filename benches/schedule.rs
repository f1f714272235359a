//! Planning a fiscal year of meetings and reminders, and the scheduler's
//! due-job queries over 10,000 materialised jobs on SQLite. Run with
//! `cargo bench --bench schedule`; figures go to BENCHMARKS.md.

use std::hint::black_box;

use banso::config::Settings;
use banso::domain::calendar::OpenDayCalendar;
use banso::domain::meeting::{plan_meetings, plan_reminders};
use banso::store::{PlannedJob, Store};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

const JOBS: i64 = 10_000;

fn bench_plan(c: &mut Criterion) {
    let settings = Settings::default();
    let rules = settings.meetings.to_rules(&settings.reminders);
    let calendar = OpenDayCalendar::japanese_default();
    let period = (
        NaiveDate::from_ymd_opt(2024, 4, 1).expect("valid date"),
        NaiveDate::from_ymd_opt(2025, 3, 31).expect("valid date"),
    );
    c.bench_function("plan fiscal year 2024 (meetings + reminders)", |b| {
        b.iter(|| {
            let meetings = plan_meetings(&rules, black_box(period), &[], &calendar);
            plan_reminders(&meetings, &rules.reminders, &calendar)
        })
    });
}

fn bench_due_queries(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let store = runtime.block_on(async {
        let store = Store::open(&url).await.expect("open store");
        let jobs: Vec<PlannedJob> = (0..JOBS)
            .map(|n| PlannedJob {
                idempotency_key: format!("job-{n}"),
                kind: "due".to_owned(),
                meeting_key: format!("regular:{n}"),
                meeting_starts_at: 2_000_000_000 + n * 3_600,
                due_at: 1_900_000_000 + n * 3_600,
            })
            .collect();
        store.sync_jobs(&jobs, 0).await.expect("materialise jobs");
        store
    });
    let mut group = c.benchmark_group("scheduler with 10,000 pending jobs");
    group.bench_function("next_job_due_at", |b| {
        b.iter(|| runtime.block_on(store.next_job_due_at()).expect("query"))
    });
    group.bench_function("claim_due_job (nothing due yet)", |b| {
        b.iter(|| {
            runtime
                .block_on(store.claim_due_job("bench", black_box(1_000_000_000), 120))
                .expect("query")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_plan, bench_due_queries);
criterion_main!(benches);
