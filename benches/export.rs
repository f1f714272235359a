//! `banso export consultations` of a month with 100,000 consultations (and
//! as many history entries): the time to read them and build the workbook,
//! and the peak resident memory of the `banso export` process. Run with
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

/// Runs `banso export consultations` on the seeded database as a person
/// would, and samples the child's peak resident memory (`VmHWM`) until it
/// exits.
fn export_with_the_binary(dir: &std::path::Path, url: &str) -> (std::time::Duration, f64, u64) {
    let out = dir.join("相談対応記録_2024-06.xlsx");
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_banso"))
        .args(["export", "consultations", "--month", "2024-06", "--out"])
        .arg(&out)
        .env("BANSO_DATABASE_URL", url)
        .env_remove("BANSO_CONFIG")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start banso export");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0.0_f64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kb) = status
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
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "banso export failed");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let elapsed = started.elapsed();
    let size = std::fs::metadata(&out).map(|meta| meta.len()).unwrap_or(0);
    (elapsed, peak_kb / 1024.0, size)
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
        // In this process too, to see the build apart from the process.
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
        println!(
            "built in-process: {} consultations ({} history entries) in {:.2} s, {:.1} MB file",
            made.rows,
            made.rows * 2,
            started.elapsed().as_secs_f64(),
            made.bytes.len() as f64 / 1e6,
        );
        store.close().await;
    });
    for run in 1..=3 {
        let (elapsed, peak_mb, size) = export_with_the_binary(dir.path(), &url);
        let _ = std::fs::remove_file(dir.path().join("相談対応記録_2024-06.xlsx"));
        println!(
            "banso export consultations (run {run}): {:.2} s from start to exit, peak RSS {:.0} MB, {:.1} MB file",
            elapsed.as_secs_f64(),
            peak_mb,
            size as f64 / 1e6
        );
    }
}
