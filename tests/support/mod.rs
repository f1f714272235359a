//! Shared test harness: a fresh store per test on SQLite always, and on
//! PostgreSQL too when `BANSO_TEST_POSTGRES_URL` is set (CI sets it). With
//! the variable set, an unreachable server fails the test; it never skips.

#![allow(dead_code)]

use banso::store::{Backend, Store};
use sqlx::Connection;

/// A store of its own for one test, and what it takes to clean it up.
pub struct TestStore {
    pub store: Store,
    pub label: &'static str,
    /// What the store was opened with, for a second replica of it.
    url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestStore {
    /// Drops the PostgreSQL schema the test used (SQLite files go with the
    /// temporary directory).
    /// The same database opened again, as a second process would: a pool
    /// of its own (and on SQLite an intake writer and a write gate of its
    /// own).
    /// The URL the store was opened with (a schema's search path on
    /// PostgreSQL), for a `banso` process of the test to open.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn second_replica(&self) -> Store {
        Store::open(&self.url).await.expect("open the store again")
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((url, schema)) = self.postgres {
            let mut connection = sqlx::PgConnection::connect(&url)
                .await
                .expect("reconnect to drop the test schema");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
            )))
            .execute(&mut connection)
            .await
            .expect("drop the test schema");
        }
    }
}

/// A fresh, migrated SQLite store in a temporary directory.
pub async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("banso.db").display());
    let store = Store::open(&url).await.expect("open SQLite store");
    assert_eq!(store.backend(), Backend::Sqlite);
    TestStore {
        store,
        url,
        label: "sqlite",
        _sqlite_dir: Some(dir),
        postgres: None,
    }
}

/// A fresh, migrated PostgreSQL store in a schema of its own, if the
/// environment names a server.
pub async fn postgres_store() -> Option<TestStore> {
    let url = std::env::var("BANSO_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())?;
    let schema = format!("banso_test_{}", unique_suffix());
    let mut admin = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|error| {
            panic!("BANSO_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {error}")
        });
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut admin)
        .await
        .expect("create the test schema");
    admin.close().await.ok();
    let separator = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{separator}options=-csearch_path%3D{schema}");
    let store = Store::open(&schema_url)
        .await
        .expect("open PostgreSQL store");
    assert_eq!(store.backend(), Backend::Postgres);
    Some(TestStore {
        store,
        url: schema_url,
        label: "postgres",
        _sqlite_dir: None,
        postgres: Some((url, schema)),
    })
}

/// Every backend this run tests: SQLite, then PostgreSQL when configured.
pub async fn all_stores() -> Vec<TestStore> {
    let mut stores = vec![sqlite_store().await];
    stores.extend(postgres_store().await);
    stores
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

use std::sync::Arc;

use banso::bot::clock::ManualClock;
use banso::bot::texts::Texts;
use banso::bot::{Bot, BotParts};
use banso::config::{Language, Settings};
use banso::message::{Outgoing, Recipient, UserId};
use chrono::{DateTime, Utc};

/// The bot core on a test store, with a clock that moves only when told.
pub fn bot_on(store: &Store, now: &str) -> (Bot, ManualClock) {
    let instant: DateTime<Utc> = DateTime::parse_from_rfc3339(now)
        .expect("RFC 3339 instant")
        .to_utc();
    let clock = ManualClock::starting_at(instant);
    let bot = Bot::new(BotParts {
        settings: Arc::new(Settings::default()),
        store: store.clone(),
        clock: Arc::new(clock.clone()),
        texts: Arc::new(Texts::built_in(Language::Ja)),
    });
    (bot, clock)
}

pub fn user(name: &str) -> UserId {
    UserId::parse(name).expect("valid user name")
}

/// Everything queued in the outbox, marked delivered, oldest first, its
/// words written out as the test bots' (built-in Japanese) texts render
/// them.
pub async fn deliver(store: &Store) -> Vec<Outgoing> {
    let texts = Texts::built_in(Language::Ja);
    let mut delivered = Vec::new();
    loop {
        let pending = store.pending_messages(500).await.expect("read outbox");
        if pending.is_empty() {
            return delivered;
        }
        for queued in pending {
            store
                .mark_message_sent(queued.id, 0)
                .await
                .expect("mark sent");
            delivered.push(texts.written(&queued));
        }
    }
}

pub fn to_user<'a>(messages: &'a [Outgoing], name: &str) -> Vec<&'a Outgoing> {
    messages
        .iter()
        .filter(|message| message.to == Recipient::User(user(name)))
        .collect()
}

pub fn to_channel<'a>(messages: &'a [Outgoing], channel: &str) -> Vec<&'a Outgoing> {
    messages
        .iter()
        .filter(|message| message.to == Recipient::Channel(channel.to_owned()))
        .collect()
}

/// What `who` is told when they type `line`: the direct replies' texts,
/// one after the other.
pub async fn say(bot: &Bot, who: &str, line: &str) -> String {
    bot.handle_text(&user(who), line)
        .await
        .iter()
        .map(|reply| reply.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sends a signed `/consult TEXT` from U0TANAKA to a `banso serve` at
/// `base`, as Slack would (form-encoded, v0 signature with `secret`), and
/// checks that it was acknowledged with an answer for the user.
pub async fn signed_consult(base: &str, secret: &str, text: &str) {
    use hmac::{Hmac, KeyInit, Mac};
    let body = format!(
        "command=%2Fconsult&text={}&user_id=U0TANAKA&team_id=T1&channel_id=C0CONSULT&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcommands%2FT1%2F1%2Fabc&trigger_id=13345224609.738474920.8088930838d88f008e0",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    );
    let timestamp = chrono::Utc::now().timestamp();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    let answer = reqwest::Client::new()
        .post(format!("{base}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let answer: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
}
