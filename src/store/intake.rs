//! The intake writer: on a SQLite file, new consultations are written on
//! one connection of their own, and the intakes that arrive together are
//! committed in one transaction (group commit).
//!
//! Each request is still stored before it is acknowledged: its answer is
//! sent only after the commit that holds it. What the group saves is the
//! per-transaction cost (BEGIN, COMMIT, the WAL frames of the counter and
//! index pages) and the hand-off of every statement to a driver thread,
//! which is what limited a busy `banso serve` (BENCHMARKS.md). A group is
//! first written without savepoints; only if one of its intakes fails is
//! it written again with a savepoint for each, so that the failing one is
//! rolled back alone and the others commit.
//!
//! Who commits: when the connection is free and nothing is queued, the
//! request's own thread writes its intake at once (`try_now`), as a bare
//! server would: a lone request costs no hand-off to the writer's thread
//! and back, two thread wake-ups that were most of its wait
//! (BENCHMARKS.md). Otherwise, or if another process holds SQLite's write
//! lock at that moment, it joins the queue of the writer's thread, which
//! commits whatever has gathered in one group. The caller's thread never
//! waits for a lock on this path: SQLite's busy handler is off while it
//! begins its transaction.
//!
//! What an intake writes, and in what order, is defined once, in
//! `consultations::record_intake`, which PostgreSQL and in-memory SQLite
//! run through sqlx: this module only runs its statements on its
//! rusqlite connection (`OnConnection`).
//!
//! The writer also takes the replay claims of signed Slack requests
//! (`request_claims`): each is one statement in the same group commit as
//! the intakes waiting beside it, so the guard in front of every request
//! costs no transaction of its own.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as BlockingMutex};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql, TransactionBehavior, named_params};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::consultations::{
    ConsultationDraft, InsertedConsultation, IntakeTerms, Recorded, Statement, Statements, Value,
    record_intake, run_without_waiting,
};
use super::outbox::{INSERT_OUTBOX_ROW, NewMessage, encode_recipient};
use super::request_claims::{CLAIM_SIGNED_REQUEST, ReplayClaim};
use super::{SQLITE_BUSY_TIMEOUT_MS, StoreError};
use crate::domain::month::YearMonth;
use crate::domain::quota::QuotaPolicy;

/// At most this many intakes and claims share a commit; more wait for the
/// next.
const MOST_IN_ONE_COMMIT: usize = 128;

/// Builds an intake's messages from what it recorded; `Fn`, as a group
/// written again with savepoints builds them again.
type BuildMessages = Box<dyn Fn(&Recorded) -> Vec<NewMessage> + Send>;

/// One consultation to record.
struct Intake {
    draft: ConsultationDraft,
    terms: OwnedTerms,
    messages: BuildMessages,
}

/// A signed request's replay claim.
struct Claim {
    signature: String,
    sent_at: i64,
}

/// What the writer's queue carries: a job and where its answer goes,
/// after the commit that holds it.
enum Job {
    Intake(Box<Intake>, oneshot::Sender<Result<Recorded, StoreError>>),
    Claim(Claim, oneshot::Sender<Result<bool, StoreError>>),
}

/// The jobs of one commit.
#[derive(Default)]
struct Group {
    intakes: Vec<Intake>,
    claims: Vec<Claim>,
    intake_answers: Vec<oneshot::Sender<Result<Recorded, StoreError>>>,
    claim_answers: Vec<oneshot::Sender<Result<bool, StoreError>>>,
}

impl Group {
    fn add(&mut self, job: Job) {
        match job {
            Job::Intake(intake, answer) => {
                self.intakes.push(*intake);
                self.intake_answers.push(answer);
            }
            Job::Claim(claim, answer) => {
                self.claims.push(claim);
                self.claim_answers.push(answer);
            }
        }
    }

    fn len(&self) -> usize {
        self.intakes.len() + self.claims.len()
    }

    /// Tells each job its outcome; a request whose caller went away is
    /// stored all the same.
    fn answer(self, (recorded, claimed): GroupOutcomes) {
        for (answer, outcome) in self.intake_answers.into_iter().zip(recorded) {
            let _ = answer.send(outcome);
        }
        for (answer, outcome) in self.claim_answers.into_iter().zip(claimed) {
            let _ = answer.send(outcome);
        }
    }

    /// Tells every job of the group the same failure.
    fn fail(self, message: &str) {
        let failed = || StoreError::Write(message.to_owned());
        let outcomes = (
            self.intakes.iter().map(|_| Err(failed())).collect(),
            self.claims.iter().map(|_| Err(failed())).collect(),
        );
        self.answer(outcomes);
    }
}

/// `IntakeTerms` owned, to cross to the writer thread.
struct OwnedTerms {
    quota_kind: String,
    policy: QuotaPolicy,
    bucket: String,
    received_at: i64,
    received_month: YearMonth,
    ask_department: Option<String>,
    replay_claim: Option<ReplayClaim>,
}

impl OwnedTerms {
    fn borrowed(&self) -> IntakeTerms<'_> {
        IntakeTerms {
            quota_kind: &self.quota_kind,
            policy: &self.policy,
            bucket: self.bucket.clone(),
            received_at: self.received_at,
            received_month: self.received_month,
            ask_department: self.ask_department.as_deref(),
            replay_claim: self.replay_claim.as_ref(),
        }
    }
}

/// What the writer's thread and the callers share.
struct Shared {
    /// The writer's connection, opened with the first job (an idle
    /// process holds none); whoever holds it commits.
    connection: BlockingMutex<Option<Connection>>,
    /// Jobs sent to the writer's thread and not yet taken into a group: a
    /// caller writes at once only when this is zero, so that it never
    /// overtakes requests already waiting.
    queued: AtomicUsize,
    /// Whether callers may write at once: the writer's thread says no
    /// while the groups it commits hold several jobs (requests arrive
    /// faster than one commit each: they are cheaper together), and yes
    /// again when one arrives alone.
    now_allowed: AtomicBool,
    /// The store's: the writer takes its turn like every other writer of
    /// this process.
    gate: Arc<Mutex<()>>,
}

/// The handle the store keeps; the thread ends when the last clone of the
/// store is dropped.
#[derive(Clone)]
pub(crate) struct IntakeWriter {
    jobs: mpsc::UnboundedSender<Job>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for IntakeWriter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IntakeWriter")
            .field("queued", &self.shared.queued.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl IntakeWriter {
    /// Starts the writer's thread for `path`.
    /// `write_gate` is the store's: the writer takes its turn like every
    /// other writer of this process.
    pub(crate) fn start(path: &Path, write_gate: Arc<Mutex<()>>) -> Result<Self, StoreError> {
        let path = path.to_owned();
        let shared = Arc::new(Shared {
            connection: BlockingMutex::new(None),
            queued: AtomicUsize::new(0),
            now_allowed: AtomicBool::new(true),
            gate: write_gate,
        });
        let (jobs, queue) = mpsc::unbounded_channel();
        let for_thread = shared.clone();
        std::thread::Builder::new()
            .name("banso-intake".into())
            .spawn(move || run(&path, queue, &for_thread))
            .map_err(|error| {
                StoreError::Write(format!("cannot start the intake writer: {error}"))
            })?;
        Ok(Self { jobs, shared })
    }

    /// Records one consultation: at once if the writer is idle, else in
    /// the writer's next group; returns after the commit that holds it.
    pub(crate) async fn record(
        &self,
        draft: &ConsultationDraft,
        terms: &IntakeTerms<'_>,
        messages: BuildMessages,
    ) -> Result<Recorded, StoreError> {
        let intake = Intake {
            draft: draft.clone(),
            terms: OwnedTerms {
                quota_kind: terms.quota_kind.to_owned(),
                policy: terms.policy.clone(),
                bucket: terms.bucket.clone(),
                received_at: terms.received_at,
                received_month: terms.received_month,
                ask_department: terms.ask_department.map(str::to_owned),
                replay_claim: terms.replay_claim.cloned(),
            },
            messages,
        };
        let intake = match self.try_now(std::slice::from_ref(&intake), &[]) {
            Some((mut recorded, _)) => {
                return recorded.pop().expect("one outcome for one intake");
            }
            None => intake,
        };
        let (answer, answered) = oneshot::channel();
        self.send(Job::Intake(Box::new(intake), answer))?;
        answered.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Claims a signed request (at once or in the writer's next group) and
    /// returns after its commit: true if no claim on `signature` was
    /// committed before.
    pub(crate) async fn claim(&self, signature: &str, sent_at: i64) -> Result<bool, StoreError> {
        let claim = Claim {
            signature: signature.to_owned(),
            sent_at,
        };
        if let Some((_, mut claimed)) = self.try_now(&[], std::slice::from_ref(&claim)) {
            return claimed.pop().expect("one outcome for one claim");
        }
        let (answer, answered) = oneshot::channel();
        self.send(Job::Claim(claim, answer))?;
        answered.await.map_err(|_| StoreError::WriterStopped)?
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        self.shared.queued.fetch_add(1, Ordering::AcqRel);
        self.jobs.send(job).map_err(|_| {
            self.shared.queued.fetch_sub(1, Ordering::AcqRel);
            StoreError::WriterStopped
        })
    }

    /// Commits these jobs on the caller's thread if that costs no wait:
    /// nothing queued before them, the connection open and free, this
    /// process's write gate free, and SQLite's write lock free (another
    /// process may hold it). `None` if any of those is not so: the caller
    /// queues the jobs for the writer's thread instead.
    fn try_now(&self, intakes: &[Intake], claims: &[Claim]) -> Option<GroupOutcomes> {
        if !self.shared.now_allowed.load(Ordering::Relaxed)
            || self.shared.queued.load(Ordering::Acquire) != 0
        {
            return None;
        }
        let mut connection = self.shared.connection.try_lock().ok()?;
        let connection = connection.as_mut()?;
        let _turn = self.shared.gate.try_lock().ok()?;
        commit_group(connection, intakes, claims, Wait::Never).ok()
    }
}

/// The file a `sqlite:` URL names, if the intake writer can open it
/// beside the pool: not an in-memory database, and no options other than
/// the read-write modes.
pub(crate) fn file_of_url(url: &str) -> Option<PathBuf> {
    let (path, options) = super::sqlite_file_and_options(url)?;
    let plain_options = options
        .split('&')
        .filter(|option| !option.is_empty())
        .all(|option| option == "mode=rwc" || option == "mode=rw");
    plain_options.then_some(path)
}

fn open(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // As the pool's connections (`pool_options`): WAL, NORMAL, checkpoints
    // left to the background task.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "cache_size", -16000)?;
    connection.busy_timeout(std::time::Duration::from_millis(u64::from(
        SQLITE_BUSY_TIMEOUT_MS,
    )))?;
    connection.set_prepared_statement_cache_capacity(16);
    Ok(connection)
}

/// The connection is opened with the first job, so an idle process
/// holds none (BENCHMARKS.md, memory); if opening fails, that group is
/// answered with the error and the next one tries again.
fn run(path: &Path, mut queue: mpsc::UnboundedReceiver<Job>, shared: &Shared) {
    while let Some(first) = queue.blocking_recv() {
        let mut group = Group::default();
        group.add(first);
        // A caller writing at once holds the connection meanwhile; what
        // arrives while it does joins this group.
        let mut guard = shared
            .connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while group.len() < MOST_IN_ONE_COMMIT {
            match queue.try_recv() {
                Ok(next) => group.add(next),
                Err(_) => break,
            }
        }
        shared.queued.fetch_sub(group.len(), Ordering::AcqRel);
        shared.now_allowed.store(group.len() < 2, Ordering::Relaxed);
        let connection = match &mut *guard {
            Some(connection) => connection,
            None => match open(path) {
                Ok(opened) => guard.insert(opened),
                Err(error) => {
                    tracing::error!(%error, "the intake writer cannot open the database");
                    group.fail(&error.to_string());
                    continue;
                }
            },
        };
        let turn = shared.gate.blocking_lock();
        let outcomes = commit_group(
            connection,
            &group.intakes,
            &group.claims,
            Wait::AsLongAsNeeded,
        )
        .unwrap_or_else(|error| all_failed(&error, group.intakes.len(), group.claims.len()));
        // Free before the answers wake their callers, so that the next
        // request of one of them can be written at once.
        drop(turn);
        drop(guard);
        group.answer(outcomes);
    }
}

/// Each intake's outcome and each claim's (first or not), in their order.
type GroupOutcomes = (
    Vec<Result<Recorded, StoreError>>,
    Vec<Result<bool, StoreError>>,
);

/// The same failure for every job of a group.
fn all_failed(error: &rusqlite::Error, intakes: usize, claims: usize) -> GroupOutcomes {
    (
        (0..intakes).map(|_| Err(error_of(error))).collect(),
        (0..claims).map(|_| Err(error_of(error))).collect(),
    )
}

/// How long beginning a group's transaction may wait for SQLite's write
/// lock, which another process (a console, a second `serve`) may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// The busy timeout, on the writer's own thread.
    AsLongAsNeeded,
    /// Not at all, on a caller's thread: the jobs go to the queue instead.
    Never,
}

/// Writes a group in one transaction and returns each job's outcome; if
/// the commit fails, every job of the group fails with it. `Err` if the
/// transaction could not begin: nothing was written. The intakes are
/// first written side by side with no savepoints (a savepoint copies each
/// page it first changes: 7% of the writer's time in the profile,
/// BENCHMARKS.md); only if one of them fails is the group rolled back and
/// written again with a savepoint for each, so that the failing one is
/// rolled back alone and the others commit.
fn commit_group(
    connection: &mut Connection,
    group: &[Intake],
    claims: &[Claim],
    wait: Wait,
) -> Result<GroupOutcomes, rusqlite::Error> {
    match write_group(connection, group, claims, Isolation::Together, wait)? {
        Some(outcomes) => Ok(outcomes),
        None => Ok(
            write_group(connection, group, claims, Isolation::EachAlone, wait)?
                .expect("a group written with savepoints always has outcomes"),
        ),
    }
}

/// How the intakes of a group are kept apart within its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isolation {
    /// Not at all: one failure fails the attempt (`None`).
    Together,
    /// A savepoint each: a failure is that intake's alone.
    EachAlone,
}

/// Begins the write transaction, waiting for SQLite's write lock as
/// `wait` allows. The busy timeout is set back at once: the statements
/// after BEGIN IMMEDIATE hold the lock and never wait for it.
fn begin(connection: &Connection, wait: Wait) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    // The writer never nests transactions: each group begins on a
    // connection with none open.
    let immediate =
        || rusqlite::Transaction::new_unchecked(connection, TransactionBehavior::Immediate);
    if wait == Wait::AsLongAsNeeded {
        return immediate();
    }
    connection.busy_timeout(Duration::ZERO)?;
    let began = immediate();
    let restored =
        connection.busy_timeout(Duration::from_millis(u64::from(SQLITE_BUSY_TIMEOUT_MS)));
    let transaction = began?;
    restored?;
    Ok(transaction)
}

fn write_group(
    connection: &mut Connection,
    group: &[Intake],
    claims: &[Claim],
    isolation: Isolation,
    wait: Wait,
) -> Result<Option<GroupOutcomes>, rusqlite::Error> {
    let mut transaction = begin(connection, wait)?;
    // One statement each: a statement that fails changes nothing, so a
    // claim needs no savepoint of its own.
    let claimed: Vec<Result<bool, StoreError>> = claims
        .iter()
        .map(|claim| {
            let mut insert = transaction.prepare_cached(CLAIM_SIGNED_REQUEST)?;
            let inserted = insert.execute(named_params! {
                "$1": claim.signature,
                "$2": claim.sent_at,
            })?;
            Ok(inserted == 1)
        })
        .collect();
    let mut outcomes = Vec::with_capacity(group.len());
    for intake in group {
        let outcome = match isolation {
            Isolation::Together => match write_one(&transaction, intake) {
                Ok(recorded) => Ok(recorded),
                // The whole attempt is rolled back (the transaction is
                // dropped uncommitted) and the group written again.
                Err(_) => return Ok(None),
            },
            Isolation::EachAlone => {
                transaction
                    .savepoint()
                    .map_err(StoreError::from)
                    .and_then(|savepoint| {
                        let recorded = write_one(&savepoint, intake)?;
                        savepoint.commit()?;
                        Ok(recorded)
                    })
            }
        };
        // A failed savepoint is rolled back when dropped.
        outcomes.push(outcome);
    }
    Ok(Some(match transaction.commit() {
        Ok(()) => (outcomes, claimed),
        Err(error) => {
            tracing::error!(%error, "an intake group could not be committed");
            all_failed(&error, group.len(), claims.len())
        }
    }))
}

/// `rusqlite::Error` is not `Clone`; a group's shared failure is told to
/// each of its intakes in words.
fn error_of(error: &rusqlite::Error) -> StoreError {
    StoreError::Write(error.to_string())
}

fn write_one(connection: &Connection, intake: &Intake) -> Result<Recorded, StoreError> {
    let messages = &intake.messages;
    let terms = intake.terms.borrowed();
    let mut statements = OnConnection(connection);
    let steps = record_intake(&mut statements, &intake.draft, &terms, |recorded| {
        // The messages are built by the bot's code; a panic there fails
        // this intake, not the writer.
        catch_unwind(AssertUnwindSafe(|| messages(recorded)))
            .map_err(|_| StoreError::Write("building the messages of an intake failed".into()))
    });
    run_without_waiting(steps)
}

/// The intake's statements on the writer's connection (inside the
/// intake's savepoint). Each is prepared once and kept in the connection's
/// cache; each completes before it returns, so the steps never wait.
struct OnConnection<'c>(&'c Connection);

/// The names SQLite gives the `$1`… placeholders of the shared SQL: a
/// value is bound by its name, not its position, because SQLite numbers
/// named parameters in the order they first appear in the text.
const PLACEHOLDERS: [&str; 13] = [
    "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13",
];

impl OnConnection<'_> {
    fn bound(&self, statement: Statement<'_>) -> Result<rusqlite::CachedStatement<'_>, StoreError> {
        if statement.values.len() > PLACEHOLDERS.len() {
            return Err(StoreError::Write(format!(
                "a statement of {} values; the intake writer binds at most {}",
                statement.values.len(),
                PLACEHOLDERS.len()
            )));
        }
        let mut prepared = self.0.prepare_cached(statement.sql)?;
        for (placeholder, value) in PLACEHOLDERS.iter().zip(statement.values) {
            prepared.raw_bind_parameter(*placeholder, value)?;
        }
        Ok(prepared)
    }
}

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Integer(Some(integer)) => ValueRef::Integer(integer),
            Value::Text(Some(text)) => ValueRef::Text(text.as_bytes()),
            Value::Integer(None) | Value::Text(None) => ValueRef::Null,
        }))
    }
}

impl Statements for OnConnection<'_> {
    async fn optional_integer(
        &mut self,
        statement: Statement<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let mut prepared = self.bound(statement)?;
        let mut rows = prepared.raw_query();
        Ok(match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        })
    }

    async fn inserted_consultation(
        &mut self,
        statement: Statement<'_>,
    ) -> Result<InsertedConsultation, StoreError> {
        let mut prepared = self.bound(statement)?;
        let mut rows = prepared.raw_query();
        let row = rows.next()?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    }

    async fn changed_rows(&mut self, statement: Statement<'_>) -> Result<u64, StoreError> {
        let changed = self.bound(statement)?.raw_execute()?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    /// One prepared row insert per message: in process, a statement costs
    /// no round trip, and its SQL stays the same whatever the count.
    async fn enqueue(&mut self, messages: &[NewMessage], now: i64) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        let mut insert = self.0.prepare_cached(INSERT_OUTBOX_ROW)?;
        for new in messages {
            // An intake's messages are new posts: its row has no place
            // for an edit or a thread.
            debug_assert!(new.edits.is_none() && new.in_thread_of.is_none());
            let buttons = serde_json::to_string(&new.message.buttons).expect("buttons serialise");
            insert.execute(named_params! {
                "$1": new.idempotency_key,
                "$2": encode_recipient(&new.message.to),
                "$3": new.message.text,
                "$4": buttons,
                "$5": now,
                "$6": new.deferred.as_ref().map(|deferred| deferred.template.as_str()),
                "$7": new.deferred.as_ref().map(|deferred| deferred.context.as_str()),
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(connection: &Connection, sql: &'static str, values: &[Value<'_>]) -> Option<i64> {
        run_without_waiting(OnConnection(connection).optional_integer(Statement { sql, values }))
            .unwrap()
    }

    #[test]
    fn values_are_bound_by_placeholder_not_by_position() {
        let connection = Connection::open_in_memory().unwrap();
        // SQLite numbers `$2` first here; the value of `$2` must still be
        // the second one given.
        let difference = ask(
            &connection,
            "SELECT $2 - $1",
            &[Value::Integer(Some(1)), Value::Integer(Some(10))],
        );
        assert_eq!(difference, Some(9));
        let nulls = ask(
            &connection,
            "SELECT ($1 IS NULL) + ($2 IS NULL) + (length($3) = 2)",
            &[
                Value::Text(None),
                Value::Integer(None),
                Value::Text(Some("相談")),
            ],
        );
        assert_eq!(nulls, Some(3));
        assert_eq!(ask(&connection, "SELECT 1 WHERE 0", &[]), None);
    }

    #[test]
    fn a_statement_with_more_values_than_placeholders_is_refused() {
        let connection = Connection::open_in_memory().unwrap();
        let values = [Value::Integer(Some(1)); PLACEHOLDERS.len() + 1];
        let refused = run_without_waiting(OnConnection(&connection).changed_rows(Statement {
            sql: "SELECT 1",
            values: &values,
        }));
        assert!(matches!(refused, Err(StoreError::Write(_))));
    }

    #[test]
    fn only_plain_files_get_a_writer() {
        assert_eq!(
            file_of_url("sqlite://data/banso.db?mode=rwc"),
            Some(PathBuf::from("data/banso.db"))
        );
        assert_eq!(
            file_of_url("sqlite:///var/lib/banso.db"),
            Some(PathBuf::from("/var/lib/banso.db"))
        );
        assert_eq!(
            file_of_url("sqlite:banso.db"),
            Some(PathBuf::from("banso.db"))
        );
        assert_eq!(file_of_url("sqlite::memory:"), None);
        assert_eq!(file_of_url("sqlite://a.db?mode=ro"), None);
        assert_eq!(file_of_url("sqlite://a.db?mode=rwc&immutable=1"), None);
        assert_eq!(file_of_url("postgres://x/y"), None);
    }
}
