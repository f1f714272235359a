//! The store on every backend: migrations, isolation and the SQLite pragmas.

mod support;

use std::time::Duration;

use banso::domain::consultation::{Category, Status};
use banso::domain::quota::QuotaPolicy;
use banso::message::{Outgoing, Recipient};
use banso::store::{
    Backend, ConsultationDraft, IntakeTerms, ListFilter, NewMessage, Person, Recorded, Store,
};

#[tokio::test]
async fn migrations_apply_once_and_are_idempotent() {
    for test in support::all_stores().await {
        let store = &test.store;
        let again = store.migrate().await.expect("migrate again");
        assert_eq!(again.applied_now, 0, "{}", test.label);
        assert_eq!(
            again.applied_before,
            store.known_migrations(),
            "{}",
            test.label
        );
        assert!(store.known_migrations() >= 1);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_person_is_remembered_and_can_change_department() {
    for test in support::all_stores().await {
        let store = &test.store;
        assert_eq!(store.person("U1").await.unwrap(), None, "{}", test.label);
        let mut person = Person {
            user_id: "U1".into(),
            display_name: Some("山田 太郎".into()),
            department: Some("総務局".into()),
            updated_at: 1_717_718_400,
        };
        store.save_person(&person).await.unwrap();
        assert_eq!(
            store.person("U1").await.unwrap().as_ref(),
            Some(&person),
            "{}",
            test.label
        );
        person.department = Some("行財政局 情報化推進室".into());
        person.updated_at += 60;
        store.save_person(&person).await.unwrap();
        assert_eq!(
            store.person("U1").await.unwrap(),
            Some(person),
            "{}",
            test.label
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn postgres_tests_are_isolated_from_each_other() {
    // Two stores side by side see only their own rows (a schema each on
    // PostgreSQL, a file each on SQLite).
    let first = support::all_stores().await;
    let second = support::all_stores().await;
    for (a, b) in first.iter().zip(&second) {
        let person = Person {
            user_id: "only-in-a".into(),
            display_name: None,
            department: None,
            updated_at: 0,
        };
        a.store.save_person(&person).await.unwrap();
        assert_eq!(
            b.store.person("only-in-a").await.unwrap(),
            None,
            "{}",
            a.label
        );
    }
    for test in first.into_iter().chain(second) {
        test.cleanup().await;
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_a_busy_timeout() {
    let test = support::sqlite_store().await;
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(test.store.pool())
        .await
        .unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(test.store.pool())
        .await
        .unwrap();
    assert_eq!(journal.to_lowercase(), "wal");
    assert!(busy >= 1_000, "busy_timeout {busy}");
    test.cleanup().await;
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data_for_the_pool_life() {
    let store = Store::open("sqlite::memory:")
        .await
        .expect("open in-memory store");
    let person = Person {
        user_id: "U2".into(),
        display_name: None,
        department: Some("消防局".into()),
        updated_at: 1,
    };
    store.save_person(&person).await.unwrap();
    assert_eq!(store.person("U2").await.unwrap(), Some(person));
    assert_eq!(store.backend(), Backend::Sqlite);
}

#[tokio::test]
async fn an_unsupported_or_unreachable_database_is_an_error_not_a_panic() {
    let unsupported = Store::open("mysql://root@127.0.0.1/test")
        .await
        .unwrap_err();
    assert!(unsupported.to_string().contains("sqlite"), "{unsupported}");
    let missing_dir = Store::open("sqlite:///nonexistent-dir-for-banso/x.db").await;
    assert!(missing_dir.is_err());
}

fn draft(requester: &str) -> ConsultationDraft {
    ConsultationDraft {
        requester: requester.into(),
        department: Some("総務課".into()),
        title: format!("{requester} の相談"),
        category: Category::Other,
        details: "本文".into(),
        desired_date: None,
    }
}

/// A limit of 10 with alerts at 8 and 10.
fn june_policy() -> QuotaPolicy {
    QuotaPolicy::new(10, vec![8, 10]).unwrap()
}

/// A consultation received in June 2024 under `policy`.
fn june_terms(policy: &QuotaPolicy) -> IntakeTerms<'_> {
    IntakeTerms {
        quota_kind: "consultation",
        policy,
        bucket: "2024-06".into(),
        received_at: 1_718_000_000,
        received_month: "2024-06".parse().unwrap(),
        ask_department: None,
        replay_claim: None,
    }
}

/// Records one consultation of `requester` in June 2024 under a limit of
/// 10 (alerts at 8 and 10), queueing one message; `explode` makes building
/// that message panic, as a bug in the bot's code would.
async fn intake(store: Store, requester: String, explode: bool) -> Result<Recorded, String> {
    let policy = june_policy();
    let terms = june_terms(&policy);
    let recorded = store
        .record_consultation(&draft(&requester), &terms, move |recorded| {
            assert!(!explode, "message builder failed");
            vec![NewMessage {
                idempotency_key: format!("created:{}", recorded.consultation.short_id),
                message: Outgoing {
                    to: Recipient::Channel("#team".into()),
                    text: recorded.consultation.short_id.clone(),
                    buttons: Vec::new(),
                },
                deferred: None,
                edits: None,
                in_thread_of: None,
            }]
        })
        .await;
    recorded.map_err(|error| error.to_string())
}

/// Sixty requests at once (on SQLite they share commits): each stored once
/// with its own short id, ten counted and fifty held, each threshold
/// claimed once, one message each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_intakes_are_each_stored_once_in_order() {
    for test in support::all_stores().await {
        sixty_intakes_at_once(&test.store, test.label).await;
        test.cleanup().await;
    }
    // In-memory SQLite has no intake writer: the sqlx path, on SQLite.
    sixty_intakes_at_once(&in_memory().await, "sqlite::memory:").await;
}

async fn sixty_intakes_at_once(store: &Store, label: &str) {
    let tasks: Vec<_> = (0..60)
        .map(|n| tokio::spawn(intake(store.clone(), format!("U{n:03}"), false)))
        .collect();
    let mut recorded = Vec::new();
    for task in tasks {
        recorded.push(task.await.unwrap().expect("recorded"));
    }
    let mut short_ids: Vec<_> = recorded
        .iter()
        .map(|r| r.consultation.short_id.clone())
        .collect();
    short_ids.sort();
    let expected: Vec<_> = (1..=60).map(|n| format!("2406-{n:03}")).collect();
    assert_eq!(short_ids, expected, "{label}");
    let counted = recorded
        .iter()
        .filter(|r| r.consultation.status == Status::Received)
        .count();
    assert_eq!(counted, 10, "{label}");
    let mut alerted: Vec<u32> = recorded
        .iter()
        .flat_map(|r| r.newly_alerted.clone())
        .collect();
    alerted.sort();
    assert_eq!(alerted, vec![8, 10], "{label}");
    assert_eq!(
        store.quota_count("consultation", "2024-06").await.unwrap(),
        10,
        "{label}"
    );
    assert_eq!(
        store.pending_messages(1_000).await.unwrap().len(),
        60,
        "{label}"
    );
}

/// A request whose processing fails is not stored and leaves no trace;
/// the requests around it (on SQLite, in the same commit) are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_intake_takes_nothing_with_it() {
    for test in support::all_stores().await {
        one_of_twenty_intakes_fails(&test.store, test.label).await;
        test.cleanup().await;
    }
    one_of_twenty_intakes_fails(&in_memory().await, "sqlite::memory:").await;
}

async fn one_of_twenty_intakes_fails(store: &Store, label: &str) {
    let tasks: Vec<_> = (0..20)
        .map(|n| tokio::spawn(intake(store.clone(), format!("U{n:03}"), n == 7)))
        .collect();
    let mut stored = 0;
    let mut failed = 0;
    for task in tasks {
        // On the sqlx path the panic reaches the caller's task; on the
        // intake writer it is that request's error. Either way it fails.
        match task.await {
            Ok(Ok(_)) => stored += 1,
            Ok(Err(message)) => {
                assert!(message.contains("failed"), "{message}");
                failed += 1;
            }
            Err(join) => {
                assert!(join.is_panic());
                failed += 1;
            }
        }
    }
    assert_eq!((stored, failed), (19, 1), "{label}");
    let all = store
        .list_consultations(&ListFilter {
            limit: 100,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 19, "{label}");
    assert!(all.iter().all(|c| c.requester != "U007"), "{label}");
    assert_eq!(
        store.quota_count("consultation", "2024-06").await.unwrap(),
        10,
        "{label}"
    );
    assert_eq!(
        store.pending_messages(1_000).await.unwrap().len(),
        19,
        "{label}"
    );
    // The store (and on a SQLite file its writer) goes on after the failure.
    let after = intake(store.clone(), "U100".into(), false).await.unwrap();
    assert_eq!(after.consultation.short_id, "2406-020", "{label}");
}

/// When another process holds SQLite's write lock, a new consultation
/// waits for it on the writer's thread and is stored once it is free:
/// the request's own thread, which writes at once when nothing is in the
/// way, never sleeps in SQLite's busy handler (here it is the only thread:
/// had it slept, the lock could not have been released until the busy
/// timeout passed).
#[tokio::test(flavor = "current_thread")]
async fn an_intake_waits_for_a_lock_another_process_holds_without_blocking_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("banso.db");
    let store = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let first = intake(store.clone(), "U001".into(), false).await.unwrap();
    assert_eq!(first.consultation.short_id, "2406-001");
    // The writer is open and idle now: the next intake would be written
    // on the caller's thread, but another process has the lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let waiting = tokio::spawn(intake(store.clone(), "U002".into(), false));
    let started = std::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Had the intake slept in the busy handler, this one thread would have
    // been held for the whole busy timeout (5 s) before the sleep ended.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the caller's thread waited for the lock"
    );
    assert!(!waiting.is_finished(), "stored while the lock was held");
    other.execute_batch("COMMIT").unwrap();
    let second = waiting.await.unwrap().expect("stored after the lock");
    assert_eq!(second.consultation.short_id, "2406-002");
    // And with the lock free again, the next one is written at once, on
    // the request's own thread (whose messages are built where it is
    // written).
    let written_on = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = written_on.clone();
    let policy = june_policy();
    let terms = june_terms(&policy);
    let third = store
        .record_consultation(&draft("U003"), &terms, move |_| {
            *seen.lock().unwrap() = std::thread::current().name().map(str::to_owned);
            Vec::new()
        })
        .await
        .unwrap();
    assert_eq!(third.consultation.short_id, "2406-003");
    let thread = written_on.lock().unwrap().clone();
    assert_ne!(thread.as_deref(), Some("banso-intake"), "{thread:?}");
    assert_eq!(store.pending_messages(10).await.unwrap().len(), 2);
}

async fn in_memory() -> Store {
    Store::open("sqlite::memory:")
        .await
        .expect("open in-memory store")
}

/// Migration 10 rebuilds the consultations, the outbox and the replay
/// claims on SQLite: a database made before it keeps every row, the links
/// of its history, its unsent messages and the claims it remembers.
#[tokio::test]
async fn a_sqlite_database_from_before_the_lean_tables_keeps_everything() {
    use sqlx::Row as _;
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let earlier = dir.path().join("migrations");
    std::fs::create_dir(&earlier).unwrap();
    let ours = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(&ours).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < "20261201000010" {
            std::fs::copy(&path, earlier.join(&name)).unwrap();
        }
    }
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("banso.db").display()
    );
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(earlier.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for statement in [
        "INSERT INTO consultations (id, short_id, month_seq, requester, department, title, category, details, \
         status, intake_status, received_at, received_month, quota_kind, quota_bucket, quota_position, updated_at) \
         VALUES (7, '2611-003', 3, 'U1', '総務局', 'VPNの相談', 'other', 'A&B社のVPN', 'received', 'received', \
         1764547200, '2026-11', 'consultation', '2026-11', 3, 1764547200)",
        "INSERT INTO consultation_events (consultation_id, at, actor, kind, to_status) \
         VALUES (7, 1764547200, 'U1', 'created', 'received')",
        "INSERT INTO outbox (idempotency_key, recipient, text, buttons, created_at) \
         VALUES ('c7:created:team', '#banso-team', '新しい相談', '[]', 1764547200)",
        "INSERT INTO slack_request_claims (signature, sent_at) VALUES ('v0=before', 1764547200)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::open(&url)
        .await
        .expect("migrations 10 and later apply");
    let found = store
        .consultation_by_short_id("2611-003")
        .await
        .unwrap()
        .expect("found by its short id after the rebuild");
    assert_eq!((found.id, found.title.as_str()), (7, "VPNの相談"));
    assert_eq!(found.details, "A&B社のVPN");
    assert_eq!(
        store.consultation_by_short_id("2611-004").await.unwrap(),
        None
    );
    let pool = store.pool();
    let orphans = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(
        orphans.is_empty(),
        "history still points at its consultation"
    );
    let history: i64 =
        sqlx::query("SELECT COUNT(*) FROM consultation_events WHERE consultation_id = 7")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
    assert_eq!(history, 1);
    let unsent: i64 = sqlx::query(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND idempotency_key = 'c7:created:team'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .get(0);
    assert_eq!(unsent, 1, "an unsent message is still waiting to go out");
    assert!(
        !store
            .claim_signed_request("v0=before", 1764547200)
            .await
            .unwrap(),
        "a claim taken before the rebuild still refuses its replay"
    );
    assert!(
        store
            .claim_signed_request("v0=after", 1764547201)
            .await
            .unwrap()
    );
    // A new consultation takes the next id, not one of the old ones.
    let policy = QuotaPolicy::new(10, vec![8, 10]).unwrap();
    let recorded = store
        .record_consultation(
            &ConsultationDraft {
                requester: "U2".into(),
                department: Some("財政局".into()),
                title: "次の相談".into(),
                category: Category::Other,
                details: "次の相談".into(),
                desired_date: None,
            },
            &IntakeTerms {
                quota_kind: "consultation",
                policy: &policy,
                bucket: "2026-11".into(),
                received_at: 1764547300,
                received_month: "2026-11".parse().unwrap(),
                ask_department: None,
                replay_claim: None,
            },
            |_| Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(recorded.consultation.id, 8);
    assert_eq!(recorded.consultation.short_id, "2611-004");
    let again = store.migrate().await.unwrap();
    assert_eq!(again.applied_now, 0);
    store.close().await;
}

/// The purge's own check, on every backend: it deletes only data an export
/// of everything held, checked under a lock that holds every writer off
/// (SQLite's write lock, PostgreSQL's table locks).
#[tokio::test]
async fn the_purge_deletes_only_what_an_export_of_everything_held() {
    use banso::store::ExportRecord;
    for test in support::all_stores().await {
        let store = &test.store;
        let person = |user_id: &str, updated_at| Person {
            user_id: user_id.into(),
            display_name: None,
            department: Some("総務課".into()),
            updated_at,
        };
        let export = |at| ExportRecord {
            kind: "all".into(),
            scope: None,
            file_name: "返還".into(),
            rows: 1,
            exported_by: "cli".into(),
            exported_at: at,
        };
        store.save_person(&person("tanaka", 1_000)).await.unwrap();
        let digest = store.data_digest().await.unwrap();
        store
            .record_full_export(&export(2_000), &digest)
            .await
            .unwrap();
        store.save_person(&person("sato", 500)).await.unwrap();
        assert_ne!(store.data_digest().await.unwrap(), digest, "{}", test.label);
        assert_eq!(
            store.purge_all_if_exported().await.unwrap(),
            None,
            "{}",
            test.label
        );
        let digest = store.data_digest().await.unwrap();
        store
            .record_full_export(&export(2_100), &digest)
            .await
            .unwrap();
        let removed = store
            .purge_all_if_exported()
            .await
            .unwrap()
            .expect("purged");
        assert!(
            removed.contains(&("people", 2)),
            "{}: {removed:?}",
            test.label
        );
        test.cleanup().await;
    }
}

/// The lease by which one replica exports the database's figures, and
/// the figures themselves, on both backends.
#[tokio::test]
async fn one_replica_at_a_time_holds_a_lease_and_the_figures_count_the_outbox_and_jobs() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let t = 1_718_000_000_000_i64;
        assert!(
            store
                .take_singleton_lease("metrics", "a", t, 60_000)
                .await
                .unwrap(),
            "{label}"
        );
        assert!(
            !store
                .take_singleton_lease("metrics", "b", t + 1, 60_000)
                .await
                .unwrap(),
            "{label}"
        );
        assert!(
            store
                .take_singleton_lease("metrics", "a", t + 30_000, 60_000)
                .await
                .unwrap(),
            "{label}: renewed"
        );
        assert!(
            !store
                .take_singleton_lease("metrics", "b", t + 60_000, 60_000)
                .await
                .unwrap(),
            "{label}: the renewal counts"
        );
        assert!(
            store
                .take_singleton_lease("metrics", "b", t + 90_000, 60_000)
                .await
                .unwrap(),
            "{label}: taken over"
        );
        assert!(
            store
                .take_singleton_lease("other", "a", t, 1)
                .await
                .unwrap(),
            "{label}: leases are by name"
        );

        let empty = store.operations_figures(t).await.unwrap();
        assert_eq!(empty, banso::store::OperationsFigures::default(), "{label}");
        let messages: Vec<banso::store::NewMessage> = (0..3)
            .map(|n| banso::store::NewMessage {
                idempotency_key: format!("figures:{n}"),
                message: banso::message::Outgoing {
                    to: banso::message::Recipient::Channel(format!("C{n}")),
                    text: format!("m{n}"),
                    buttons: Vec::new(),
                },
                deferred: None,
                edits: None,
                in_thread_of: None,
            })
            .collect();
        store
            .enqueue_messages(&messages, t / 1000 - 120)
            .await
            .unwrap();
        store
            .take_channel_turn(&messages[0].message.to, "sender-a", 1, t, 90_000)
            .await
            .unwrap();
        let figures = store.operations_figures(t).await.unwrap();
        assert_eq!(figures.outbox_pending, 3, "{label}");
        assert_eq!(figures.outbox_claimed, 1, "{label}");
        assert_eq!(figures.outbox_oldest_pending_seconds, 120, "{label}");
        assert_eq!(
            store
                .operations_figures(t + 90_000)
                .await
                .unwrap()
                .outbox_claimed,
            0,
            "{label}: an expired turn is no claim"
        );
        test.cleanup().await;
    }
}
