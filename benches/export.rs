//! `banso export consultations` of a month with 100,000 consultations (and
//! as many history entries): the time to read them and build the workbook,
//! and the process's peak resident memory. Run with
//! `cargo bench --bench export`; figures go to BENCHMARKS.md.

use std::sync::Arc;
use std::time::Instant;

use banso::bot::clock::ManualClock;
use banso::bot::exports;
use banso::bot::texts::Texts;
use banso::bot::{Bot, BotParts};
use banso::config::{Language, Settings};
use banso::store::Store;

const CONSULTATIONS: usize = 100_000;
const IN_ONE_INSERT: usize = 500;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches(" kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Writes the month straight into the tables, in large inserts: the
/// benchmark measures the export, not the intake.
async fn seed(store: &Store) {
    let pool = store.pool();
    let mut id = 0usize;
    while id < CONSULTATIONS {
        let mut consultations = String::from(
            "INSERT INTO consultations (short_id, month_seq, requester, department, title, category, details, \
             desired_date, status, intake_status, received_at, received_month, quota_kind, quota_bucket, \
             quota_position, exception, updated_at) VALUES ",
        );
        let mut events = String::from(
            "INSERT INTO consultation_events (consultation_id, at, actor, kind, from_status, to_status, detail) VALUES ",
        );
        for n in id..(id + IN_ONE_INSERT).min(CONSULTATIONS) {
            let seq = n + 1;
            let at = 1_717_200_000 + n as i64 * 20;
            let (status, position) = if seq <= 10 {
                ("answered", seq.to_string())
            } else {
                ("held", "NULL".to_owned())
            };
            if n > id {
                consultations.push(',');
                events.push(',');
            }
            consultations.push_str(&format!(
                "('2406-{seq:06}', {seq}, 'U{:04}', '総務局 総務課', 'VPN装置の脆弱性への対応について {seq}', 'technical', \
                 '庁内のVPN装置に関する脆弱性情報が公開されました。影響の有無と対応の優先度について助言をお願いします。（{seq}）', \
                 '2024-06-28', '{status}', 'received', {at}, '2024-06', 'consultation', \
                 {}, {position}, 0, {at})",
                n % 500,
                if position == "NULL" { "NULL" } else { "'2024-06'" },
            ));
            events.push_str(&format!(
                "({seq}, {}, 'consultant', 'transition', 'received', '{status}', 'answer')",
                at + 3_600
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(consultations))
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(events))
            .execute(pool)
            .await
            .unwrap();
        id += IN_ONE_INSERT;
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("export.db").display());
    runtime.block_on(async {
        let store = Store::open(&url).await.unwrap();
        seed(&store).await;
        let before = peak_rss_mb();
        let clock = ManualClock::starting_at(
            chrono::DateTime::parse_from_rfc3339("2024-07-01T09:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        let bot = Bot::new(BotParts {
            settings: Arc::new(Settings::default()),
            store: store.clone(),
            clock: Arc::new(clock),
            texts: Arc::new(Texts::built_in(Language::Ja)),
        });
        let started = Instant::now();
        let made = exports::consultations(&bot, "2024-06".parse().unwrap())
            .await
            .unwrap();
        let built = started.elapsed();
        let path = dir.path().join("相談対応記録_2024-06.xlsx");
        banso::export::files::write_whole(&path, &made.bytes, false).unwrap();
        let total = started.elapsed();
        println!(
            "export of {} consultations ({} history entries): built in {:.2} s, written in {:.2} s; \
             {:.1} MB file; peak RSS {:.0} MB (after seeding {:.0} MB)",
            made.rows,
            made.rows * 2,
            built.as_secs_f64(),
            total.as_secs_f64(),
            made.bytes.len() as f64 / 1e6,
            peak_rss_mb(),
            before,
        );
    });
}
