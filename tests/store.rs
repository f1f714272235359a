//! The store on every backend: migrations, isolation and the SQLite pragmas.

mod support;

use banso::store::{Backend, Person, Store};

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
