//! The open-day calendar's hot paths: `is_open` over 100,000 random dates
//! and `shift_open_days` by ±1..=20 open days. Run with
//! `cargo bench --bench calendar`; figures go to BENCHMARKS.md.

use std::hint::black_box;

use banso::domain::calendar::{OpenDayCalendar, national_holidays_in_year};
use chrono::{Days, NaiveDate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DATES: usize = 100_000;

fn random_dates(count: usize) -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1973, 1, 1).expect("valid date");
    let last = NaiveDate::from_ymd_opt(2150, 12, 31).expect("valid date");
    let span = (last - first).num_days() as u64;
    let mut rng = StdRng::seed_from_u64(20_241_126);
    (0..count)
        .map(|_| first + Days::new(rng.random_range(0..=span)))
        .collect()
}

fn bench_is_open(c: &mut Criterion) {
    let calendar = OpenDayCalendar::japanese_default();
    let dates = random_dates(DATES);
    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(DATES as u64));
    group.bench_function("is_open x 100k random dates", |b| {
        b.iter(|| {
            dates
                .iter()
                .filter(|date| calendar.is_open(black_box(**date)))
                .count()
        })
    });
    group.finish();
}

fn bench_shift(c: &mut Criterion) {
    let calendar = OpenDayCalendar::japanese_default();
    let dates = random_dates(DATES);
    let mut rng = StdRng::seed_from_u64(7);
    let shifts: Vec<i32> = (0..DATES)
        .map(|_| {
            let n = rng.random_range(1..=20);
            if rng.random_bool(0.5) { n } else { -n }
        })
        .collect();
    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(DATES as u64));
    group.bench_function("shift ±1..20 x 100k", |b| {
        b.iter(|| {
            dates
                .iter()
                .zip(&shifts)
                .filter_map(|(date, n)| calendar.shift_open_days(black_box(*date), black_box(*n)))
                .count()
        })
    });
    group.finish();
}

fn bench_setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("calendar");
    group.bench_function("build OpenDayCalendar", |b| {
        b.iter_batched(
            || (),
            |()| OpenDayCalendar::japanese_default(),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("national_holidays_in_year(2026)", |b| {
        b.iter(|| national_holidays_in_year(black_box(2026)))
    });
    group.finish();
}

criterion_group!(benches, bench_is_open, bench_shift, bench_setup);
criterion_main!(benches);
