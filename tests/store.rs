//! The store on every backend: migrations, isolation and the SQLite pragmas.

mod support;

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

/// Records one consultation of `requester` in June 2024 under a limit of
/// 10 (alerts at 8 and 10), queueing one message; `explode` makes building
/// that message panic, as a bug in the bot's code would.
async fn intake(store: Store, requester: String, explode: bool) -> Result<Recorded, String> {
    let policy = QuotaPolicy::new(10, vec![8, 10]).unwrap();
    let terms = IntakeTerms {
        quota_kind: "consultation",
        policy: &policy,
        bucket: "2024-06".into(),
        received_at: 1_718_000_000,
        received_month: "2024-06".parse().unwrap(),
        ask_department: None,
        replay_claim: None,
    };
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

async fn in_memory() -> Store {
    Store::open("sqlite::memory:")
        .await
        .expect("open in-memory store")
}
