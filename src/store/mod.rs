//! The database: one code base for SQLite (the embedded default) and
//! PostgreSQL (when several replicas share work), through sqlx's `AnyPool`
//! and runtime queries with `$1` placeholders, which both backends accept.
//!
//! Times are stored as i64 epoch seconds or RFC 3339 text, because `Any`
//! has no chrono types.

mod consultations;
mod exports;
mod intake;
mod jobs;
mod kadai;
mod meetings;
mod operations;
mod outbox;
mod people;
mod purge;
mod request_claims;
mod work;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use consultations::{
    Applied, Change, Consultation, ConsultationDraft, Event, Indexed, IntakeTerms, ListFilter,
    QuotaChange, Recorded, SearchHits,
};
pub use exports::{CountedRows, ExportRecord, MonthRows, NamedConsultation, Responses};
pub use jobs::{ClaimedJob, JobOutcome, JobRecord, PlannedJob, SyncReport};
pub use kadai::{KadaiChange, KadaiItem};
pub use meetings::{NewAdjustment, StoredAdjustment};
pub use operations::OperationsFigures;
pub use outbox::{ChannelTurn, DeferredText, NewMessage, OutboxBacklog, QueuedMessage, TurnEnd};
pub use people::Person;
pub use request_claims::ReplayClaim;
pub use work::{RecordedWork, WorkItem};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a SQLite writer waits for another before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Write(error.to_string())
    }
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite:… or postgres://…)")]
    UnsupportedUrl,
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// A SQLite file banso may not write, or a folder where it may not
    /// create the file or its journal (`-wal`, `-shm`).
    #[error("the database in {} cannot be written", folder.display())]
    ReadOnly { folder: std::path::PathBuf },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("unreadable stored data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Write(String),
    #[error("the intake writer has stopped")]
    WriterStopped,
    /// The request of an intake was claimed before (`ReplayClaim`): a
    /// replay, which records nothing.
    #[error("this request was taken before")]
    Replayed,
    /// The blocking thread reading (and writing) an export ended early.
    #[error("the export stopped: {0}")]
    ExportStopped(String),
}

/// A connection pool and the backend behind it.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; writers of this process queue here
    /// (in order, without sleeping) rather than in SQLite's busy handler,
    /// which polls with growing sleeps and makes the slowest request slow.
    write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
    /// New consultations on a SQLite file, committed in groups (`intake`).
    intake_writer: Option<intake::IntakeWriter>,
    /// The SQLite file, for bulk reads on a connection of their own.
    sqlite_file: Option<std::path::PathBuf>,
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied_before: usize,
    pub applied_now: usize,
}

impl Store {
    /// Connects without applying migrations. A SQLite file is created if
    /// missing and opened in WAL mode with a busy timeout.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url_creating_file(url),
            Backend::Postgres => url.to_owned(),
        };
        if backend == Backend::Sqlite {
            check_writable(&url)?;
        }
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Connect)?;
        let pool = pool_options(backend, &url)
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        if backend == Backend::Sqlite && !url.contains(":memory:") {
            tokio::spawn(checkpoint_wal_in_the_background(pool.clone()));
        }
        let write_gate =
            (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let sqlite_file = intake::file_of_url(&url);
        let intake_writer = match (&write_gate, &sqlite_file) {
            (Some(gate), Some(file)) => Some(intake::IntakeWriter::start(file, gate.clone())?),
            _ => None,
        };
        Ok(Self {
            pool,
            backend,
            write_gate,
            intake_writer,
            sqlite_file,
        })
    }

    /// Connects and brings the schema up to date: what every command does.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the embedded migrations of this backend that are not yet
    /// applied; safe to run any number of times and from several processes.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let applied_before = self.applied_migration_count().await?;
        self.backend.migrator().run(&self.pool).await?;
        let applied_after = self.applied_migration_count().await?;
        Ok(MigrationReport {
            applied_before,
            applied_now: applied_after - applied_before,
        })
    }

    async fn applied_migration_count(&self) -> Result<usize, StoreError> {
        let exists: i64 = sqlx::query_scalar(match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Backend::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations' AND schemaname = current_schema()",
        })
        .fetch_one(&self.pool)
        .await?;
        if exists == 0 {
            return Ok(0);
        }
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Every migration this binary carries, in order.
    pub fn known_migrations(&self) -> usize {
        self.backend.migrator().iter().count()
    }

    /// Waits for this process's turn to write (SQLite only; PostgreSQL
    /// takes concurrent writers as they come).
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for in-flight queries, folds the WAL back into the database
    /// file and closes every connection.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await;
        }
        self.pool.close().await;
    }
}

/// How often the WAL is folded back into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(500);

/// SQLite's automatic checkpoint runs inside whichever commit crosses the
/// threshold, stalling that request; banso turns it off and checkpoints
/// here instead, between requests, without blocking writers (PASSIVE).
async fn checkpoint_wal_in_the_background(pool: AnyPool) {
    let mut interval = tokio::time::interval(CHECKPOINT_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::debug!(%error, "WAL checkpoint skipped");
        }
    }
}

/// Before a SQLite file is opened: the file (if it exists) must open for
/// writing, and its folder must take new files (SQLite creates the `-wal`
/// and `-shm` files beside it). Otherwise the pool would retry its
/// connection until its timeout, logging each failure, and the person
/// would learn only that the database is unavailable.
fn check_writable(url: &str) -> Result<(), StoreError> {
    let Some(path) = sqlite_file_of_url(url) else {
        return Ok(());
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let refused = |error: &std::io::Error| {
        matches!(
            error.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        )
    };
    let read_only = || StoreError::ReadOnly {
        folder: std::path::absolute(&folder).unwrap_or_else(|_| folder.clone()),
    };
    if path.exists()
        && let Err(error) = std::fs::OpenOptions::new().write(true).open(&path)
        && refused(&error)
    {
        return Err(read_only());
    }
    if !folder.exists() {
        // SQLite's own error names a missing folder.
        return Ok(());
    }
    let probe = folder.join(format!(".banso-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(error) if refused(&error) => Err(read_only()),
        Err(_) => Ok(()),
    }
}

/// The file a `sqlite:` URL names and its options (`a=b&c=d`), or `None`
/// for another scheme or an in-memory database: the one reading of such a
/// URL, for the intake writer and the writability check.
pub(crate) fn sqlite_file_and_options(url: &str) -> Option<(std::path::PathBuf, &str)> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, options) = rest.split_once('?').unwrap_or((rest, ""));
    (!path.is_empty() && !path.contains(":memory:"))
        .then(|| (std::path::PathBuf::from(path), options))
}

/// The file a `sqlite:` URL names, unless it is opened read-only, in
/// memory or immutable on purpose: then nothing is written beside it.
fn sqlite_file_of_url(url: &str) -> Option<std::path::PathBuf> {
    let (path, options) = sqlite_file_and_options(url)?;
    let nothing_written = options.split('&').any(|option| {
        matches!(
            option,
            "mode=ro" | "mode=memory" | "immutable=1" | "immutable=true"
        )
    });
    (!nothing_written).then_some(path)
}

/// `sqlite:banso.db` alone fails when the file is missing; a newcomer's first
/// run should create it, so default to `mode=rwc` unless a mode is given.
fn sqlite_url_creating_file(url: &str) -> String {
    if url.contains(":memory:") || url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn pool_options(backend: Backend, url: &str) -> AnyPoolOptions {
    let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
    match backend {
        Backend::Postgres => options.max_connections(10),
        // Each connection to `sqlite::memory:` is a database of its own, so
        // an in-memory store is one connection kept open for the pool's life.
        Backend::Sqlite if url.contains(":memory:") => options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None),
        Backend::Sqlite => options
            .max_connections(8)
            .after_connect(|connection, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the one writer. NORMAL: a
                    // commit is in the WAL before banso acknowledges it, so a
                    // crash of banso loses nothing; only a power cut can lose
                    // the last commits (ARCHITECTURE.md, BENCHMARKS.md).
                    connection.execute("PRAGMA journal_mode = WAL").await?;
                    connection.execute("PRAGMA synchronous = NORMAL").await?;
                    connection.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    // Reads through a memory map and a larger page cache spare
                    // a system call per page on the request path.
                    connection.execute("PRAGMA mmap_size = 268435456").await?;
                    connection.execute("PRAGMA cache_size = -16000").await?;
                    connection.execute("PRAGMA temp_store = MEMORY").await?;
                    connection
                        .execute(sqlx::AssertSqlSafe(format!(
                            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"
                        )))
                        .await?;
                    connection.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/sys` takes no new file even from root: the case of a folder banso
    /// may not write, without depending on who runs the tests.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_folder_that_cannot_be_written_is_named_before_connecting() {
        match check_writable("sqlite:///sys/banso.db?mode=rwc") {
            Err(StoreError::ReadOnly { folder }) => {
                assert_eq!(folder, std::path::PathBuf::from("/sys"));
            }
            other => panic!("expected ReadOnly, got {other:?}"),
        }
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/banso.db", dir.path().display());
        assert!(check_writable(&url).is_ok());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no probe left"
        );
        // In memory, or opened read-only on purpose: nothing to check.
        assert!(check_writable("sqlite::memory:").is_ok());
        assert!(check_writable("sqlite:///sys/banso.db?mode=ro").is_ok());
        assert!(check_writable("sqlite:///sys/banso.db?mode=memory").is_ok());
        assert!(check_writable("sqlite:///sys/banso.db?immutable=true").is_ok());
    }

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(Backend::of_url("sqlite://banso.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://postgres@127.0.0.1/test"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("postgresql://x/y"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://x/y"), None);
    }

    #[test]
    fn sqlite_files_are_created_unless_a_mode_is_given() {
        assert_eq!(
            sqlite_url_creating_file("sqlite:banso.db"),
            "sqlite:banso.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite://a.db?mode=ro"),
            "sqlite://a.db?mode=ro"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite::memory:"),
            "sqlite::memory:"
        );
    }
}
