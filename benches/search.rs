//! `/consult search` over 100,000 consultations on SQLite and on
//! PostgreSQL (when `BANSO_TEST_POSTGRES_URL` names one): the latency of
//! `Store::search_consultations`, the query a search runs, for words of two,
//! three and six characters, as the team (everything) and as a member of
//! staff (their own), p50/p95/max over every query of its class. Also the
//! time to index the 100,000. Run with `cargo bench --bench search`;
//! figures go to BENCHMARKS.md (issue 13: p95 under 20 ms).

use std::time::{Duration, Instant};

use banso::domain::search::Query;
use banso::store::Store;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const CONSULTATIONS: usize = 100_000;
const IN_ONE_INSERT: usize = 500;
const INDEX_BATCH: i64 = 1_000;
const RUNS_PER_QUERY: usize = 30;
/// Requesters: about 120 consultations each, as a busy department's.
const REQUESTERS: usize = 800;

const SUBJECTS: &[&str] = &[
    "端末",
    "ノートPC",
    "USBメモリ",
    "VPN装置",
    "メールサーバ",
    "ファイル共有",
    "複合機",
    "無線LAN",
    "庁内ネットワーク",
    "クラウドサービス",
    "業務システム",
    "ウェブサイト",
    "スマートフォン",
    "外部委託先",
    "個人情報",
    "特定個人情報",
    "入退室管理",
    "バックアップ",
    "ログ",
    "アカウント",
];
const TOPICS: &[&str] = &[
    "暗号化",
    "パスワード管理",
    "多要素認証",
    "脆弱性対応",
    "ウイルス対策",
    "持ち出し",
    "廃棄",
    "監査",
    "アクセス権限",
    "設定変更",
    "更新手順",
    "障害対応",
    "標的型攻撃メール",
    "誤送信",
    "紛失",
    "委託契約",
    "利用規程",
    "教育",
    "点検",
    "インシデント報告",
];
const SENTENCES: &[&str] = &[
    "{s}の{t}について助言をお願いします。",
    "先週から{s}で不具合が出ており、{t}の観点で問題がないか確認したいです。",
    "{t}の手順書を作成中ですが、{s}の扱いが分かりません。",
    "課内で{s}を使う際の{t}のルールを決めたいと考えています。",
    "他の自治体では{s}の{t}をどうしているか教えてください。",
    "監査で{s}の{t}について指摘を受けました。対応の優先度を知りたいです。",
    "{s}の契約更新にあわせて{t}を見直す予定です。",
    "至急、{s}に関する{t}の判断が必要です。",
];

/// The queries of each class. Common and rare words alike, and one
/// found nowhere (the slowest case for a scan).
const TWO: &[&str] = &["監査", "暗号", "端末", "廃棄", "紛失", "規程", "鯨肉"];
const THREE: &[&str] = &["暗号化", "脆弱性", "複合機", "手順書", "持ち出", "鯨の肉"];
const SIX: &[&str] = &[
    "パスワード管",
    "標的型攻撃メ",
    "特定個人情報",
    "多要素認証の",
    "廃棄のルール",
    "存在しない語句",
];

fn fill(template: &str, rng: &mut StdRng) -> String {
    template
        .replace("{s}", SUBJECTS.choose(rng).expect("subjects"))
        .replace("{t}", TOPICS.choose(rng).expect("topics"))
}

async fn seed(store: &Store) {
    let mut rng = StdRng::seed_from_u64(13);
    let pool = store.pool();
    let mut n = 0usize;
    while n < CONSULTATIONS {
        let mut sql = String::from(
            "INSERT INTO consultations (short_id, month_seq, requester, department, title, category, details, \
             desired_date, status, intake_status, received_at, received_month, quota_kind, quota_bucket, \
             quota_position, exception, updated_at) VALUES ",
        );
        for row in n..(n + IN_ONE_INSERT).min(CONSULTATIONS) {
            let title = fill("{s}の{t}について", &mut rng);
            let sentences = rng.random_range(2..=4);
            let details: String = (0..sentences)
                .map(|_| fill(SENTENCES.choose(&mut rng).expect("sentences"), &mut rng))
                .collect();
            let at = 1_600_000_000 + row as i64 * 600;
            if row > n {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('{:06}', {row}, 'U{:05}', '総務局 総務課', '{title}', 'technical', '{details}', NULL, 'answered', \
                 'received', {at}, '2024-06', 'consultation', NULL, NULL, 0, {at})",
                row,
                row % REQUESTERS,
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .expect("seed consultations");
        n += IN_ONE_INSERT;
    }
}

async fn index_all(store: &Store) -> Duration {
    let started = Instant::now();
    loop {
        let pending = store
            .consultations_to_index(INDEX_BATCH)
            .await
            .expect("pending");
        if pending.is_empty() {
            return started.elapsed();
        }
        let ids: Vec<i64> = pending.iter().map(|new| new.consultation_id).collect();
        store
            .index_consultations(&ids, &[], &[], 0)
            .await
            .expect("index");
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

async fn measure(store: &Store, label: &str) {
    for (class, queries) in [("2 chars", TWO), ("3 chars", THREE), ("6 chars", SIX)] {
        for (viewer, requester) in [("team", None), ("staff", Some("U00042"))] {
            let mut times = Vec::new();
            let mut found = Vec::new();
            for typed in queries {
                let query = Query::parse(typed).expect("a query");
                let mut hits = 0;
                for _ in 0..RUNS_PER_QUERY {
                    let started = Instant::now();
                    let page = store
                        .search_consultations(&query, requester, 20)
                        .await
                        .expect("search");
                    times.push(started.elapsed());
                    hits = page.consultations.len();
                }
                let mut own = times[times.len() - RUNS_PER_QUERY..].to_vec();
                own.sort();
                found.push(format!(
                    "{typed}:{hits}@{:.1}",
                    percentile(&own, 0.5).as_secs_f64() * 1e3
                ));
            }
            times.sort();
            println!(
                "{label:8} {class} {viewer:5}  p50 {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms   ({})",
                percentile(&times, 0.5).as_secs_f64() * 1e3,
                percentile(&times, 0.95).as_secs_f64() * 1e3,
                times.last().expect("times").as_secs_f64() * 1e3,
                found.join(" "),
            );
        }
    }
}

async fn run(store: Store, label: &str) {
    let started = Instant::now();
    seed(&store).await;
    println!(
        "{label}: seeded {CONSULTATIONS} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let took = index_all(&store).await;
    println!(
        "{label}: indexed {CONSULTATIONS} in {:.1} s ({:.0} a second)",
        took.as_secs_f64(),
        CONSULTATIONS as f64 / took.as_secs_f64()
    );
    if store.backend() == banso::store::Backend::Postgres {
        sqlx::query("ANALYZE")
            .execute(store.pool())
            .await
            .expect("analyze");
    }
    measure(&store, label).await;
    store.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("search.db").display());
    let only = std::env::var("BANSO_BENCH_SEARCH_ONLY").unwrap_or_default();
    if only != "postgres" {
        run(Store::open(&url).await.expect("open SQLite"), "sqlite").await;
    }
    if only == "sqlite" {
        return;
    }
    if let Some(url) = std::env::var("BANSO_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        use sqlx::Connection;
        let schema = format!("banso_bench_search_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&url).await.expect("PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
            .execute(&mut admin)
            .await
            .expect("schema");
        let separator = if url.contains('?') { '&' } else { '?' };
        let schema_url = format!("{url}{separator}options=-csearch_path%3D{schema}");
        run(
            Store::open(&schema_url).await.expect("open PostgreSQL"),
            "postgres",
        )
        .await;
        if std::env::var_os("BANSO_BENCH_SEARCH_KEEP").is_some() {
            println!("kept schema {schema}");
            return;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA \"{schema}\" CASCADE"
        )))
        .execute(&mut admin)
        .await
        .expect("drop schema");
    }
}
