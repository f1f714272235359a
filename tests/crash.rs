//! Kills a real `banso console` with SIGKILL at defined points of its work
//! — right after its Nth consultation confirmation or its Nth outbox
//! message in a run — and restarts it on the same SQLite file, as a person
//! would: typing on from the first line whose answer they did not see, and
//! looking (here: in the database) whether a question whose answer they did
//! not see got through before asking it again. At the end every
//! consultation is stored exactly once, every confirmation was shown,
//! every reminder of the period was delivered and none was queued twice.
//!
//! The console reads its lines from a pipe that stays open, so it cannot
//! finish on its own: every kill lands mid-run, whatever the machine's
//! speed, and the lines queued behind the kill point keep it busy.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use chrono::{DateTime, Duration, FixedOffset};

const START: &str = "2024-04-01T08:00:00+09:00";
const DAYS: usize = 300;
/// A consultation every third day: about ten a month, so some months go
/// over the limit and the held path is exercised too.
const CONSULT_EVERY: usize = 3;
const USER: &str = "tanaka";

/// Where a run is killed: right after it printed the Nth line of a kind.
#[derive(Debug, Clone, Copy)]
enum KillAfter {
    /// The Nth confirmation to the requester (`c<id>:created:requester`):
    /// what they saw must be durable.
    Confirmations(usize),
    /// The Nth outbox message of any kind (reminders, notices).
    OutboxMessages(usize),
}

const KILL_POINTS: [KillAfter; 8] = [
    KillAfter::Confirmations(1),
    KillAfter::OutboxMessages(1),
    KillAfter::Confirmations(4),
    KillAfter::OutboxMessages(9),
    KillAfter::Confirmations(12),
    KillAfter::OutboxMessages(40),
    KillAfter::Confirmations(2),
    KillAfter::OutboxMessages(80),
];

/// The subject of the consultation asked on `day`, if one is.
fn subject(day: usize) -> Option<String> {
    day.is_multiple_of(CONSULT_EVERY)
        .then(|| format!("ネットワーク相談{day:03}"))
}

fn clock_on(day: usize) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(START).unwrap() + Duration::days(day as i64)
}

/// How far the person has got: days before `day` are done, and on `day`
/// the consultation is already in (or there is none).
#[derive(Debug, Clone, Copy)]
struct Progress {
    day: usize,
    consulted: bool,
}

impl Progress {
    fn finished(&self) -> bool {
        self.day == DAYS
    }

    /// The lines still to type: each day's consultation, a `:now` that
    /// shows it was answered, and the move to the next day.
    fn remaining_lines(&self) -> String {
        let mut lines = format!(":as {USER}\n/dept 総務局 総務課\n");
        for day in self.day..DAYS {
            if let Some(subject) = subject(day)
                && !(day == self.day && self.consulted)
            {
                lines.push_str(&format!("/consult {subject}\n:now\n"));
            }
            lines.push_str(":advance 1d\n");
        }
        lines
    }

    /// Follows the console's answers: `:now` after a consultation says it
    /// was answered, `:advance` that the day is done.
    fn follow(&mut self, line: &serde_json::Value) {
        match line["console"].as_str() {
            Some("now") => self.consulted = true,
            Some("advance") => {
                self.day += 1;
                self.consulted = subject(self.day).is_none();
            }
            _ => {}
        }
    }
}

fn console(dir: &Path, progress: Progress) -> Child {
    Command::new(env!("CARGO_BIN_EXE_banso"))
        .args([
            "console",
            "--json",
            "--now",
            &clock_on(progress.day).to_rfc3339(),
        ])
        .current_dir(dir)
        .env_remove("BANSO_CONFIG")
        .env(
            "BANSO_DATABASE_URL",
            format!("sqlite://{}", dir.join("banso.db").display()),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr_log(dir))
        .spawn()
        .expect("start banso console")
}

/// The consoles' logs, appended to one file (a pipe nobody reads could
/// fill and stop the console).
fn stderr_log(dir: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("stderr.log"))
        .expect("open the log")
}

/// Everything a run printed, and what follows from it.
#[derive(Default)]
struct Transcript {
    /// Outbox messages by key → (to, text).
    messages: BTreeMap<String, (String, String)>,
    /// Outbox lines printed, counting a message shown twice twice.
    printed: usize,
}

impl Transcript {
    /// Takes one printed line; returns whether it was an outbox message
    /// and whether it was a confirmation to the requester. A line cut
    /// short by the kill is not JSON and is ignored.
    fn take(&mut self, line: &serde_json::Value) -> (bool, bool) {
        let (Some(id), Some(to), Some(text)) = (
            line["id"].as_str(),
            line["to"].as_str(),
            line["text"].as_str(),
        ) else {
            return (false, false);
        };
        self.printed += 1;
        let previous = self
            .messages
            .insert(id.to_owned(), (to.to_owned(), text.to_owned()));
        if let Some(previous) = previous {
            assert_eq!(
                previous,
                (to.to_owned(), text.to_owned()),
                "one id, two different messages"
            );
        }
        (true, id.ends_with(":created:requester"))
    }
}

/// The lines go in from another thread (the pipe may fill), which hands
/// the pipe back so it stays open until the kill.
fn type_lines(mut stdin: ChildStdin, lines: String) -> std::thread::JoinHandle<ChildStdin> {
    std::thread::spawn(move || {
        // After a kill the pipe is broken; what was not written is retyped.
        let _ = stdin.write_all(lines.as_bytes());
        stdin
    })
}

/// A console that never reaches its kill point would wait for input
/// forever (the pipe stays open): after two minutes it is killed, and the
/// run fails instead of hanging. Dropping the returned sender calls it off.
fn watchdog(pid: u32) -> std::sync::mpsc::Sender<()> {
    let (call_off, called_off) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if called_off.recv_timeout(std::time::Duration::from_secs(120))
            == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    call_off
}

/// Runs the console from `progress` and kills it right after the line
/// `kill` names; returns the progress seen.
fn run_and_kill(
    dir: &Path,
    progress: Progress,
    kill: KillAfter,
    seen: &mut Transcript,
) -> Progress {
    let mut child = console(dir, progress);
    let typing = type_lines(child.stdin.take().unwrap(), progress.remaining_lines());
    let watchdog = watchdog(child.id());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut progress = progress;
    let (mut outbox, mut confirmations) = (0, 0);
    let mut killed = false;
    for line in lines.by_ref() {
        let Ok(Ok(line)) = line.map(|line| serde_json::from_str::<serde_json::Value>(&line)) else {
            continue;
        };
        let (is_outbox, is_confirmation) = seen.take(&line);
        progress.follow(&line);
        outbox += usize::from(is_outbox);
        confirmations += usize::from(is_confirmation);
        let reached = match kill {
            KillAfter::Confirmations(n) => confirmations == n,
            KillAfter::OutboxMessages(n) => outbox == n,
        };
        assert!(
            !progress.finished(),
            "the whole period ran before the kill point {kill:?}"
        );
        if reached {
            child.kill().expect("SIGKILL");
            killed = true;
            break;
        }
    }
    drop(watchdog);
    assert!(
        killed,
        "the console ended (or hung and was stopped) before the kill point {kill:?}"
    );
    // What it printed before it died was seen too.
    for line in lines {
        let Ok(Ok(line)) = line.map(|line| serde_json::from_str::<serde_json::Value>(&line)) else {
            continue;
        };
        seen.take(&line);
        progress.follow(&line);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by the signal, not finished");
    drop(typing.join().unwrap());
    progress
}

/// Runs the console from `progress` to the end of the period.
fn run_to_the_end(dir: &Path, progress: Progress, seen: &mut Transcript) {
    let mut child = console(dir, progress);
    let mut lines = progress.remaining_lines();
    lines.push_str(":quit\n");
    let typing = type_lines(child.stdin.take().unwrap(), lines);
    // Read while it runs: its output is more than a pipe holds.
    let output = child.wait_with_output().unwrap();
    drop(typing.join().unwrap());
    assert!(
        output.status.success(),
        "{}",
        std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default()
    );
    let mut progress = progress;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Ok(line) = serde_json::from_str::<serde_json::Value>(line) {
            seen.take(&line);
            progress.follow(&line);
        }
    }
    assert!(progress.finished(), "the last run went through the period");
}

/// The consultations in the database: (id, title).
fn stored_consultations(dir: &Path) -> Vec<(i64, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", dir.join("banso.db").display());
        let store = banso::store::Store::open(&url).await.unwrap();
        let stored = store
            .list_consultations(&banso::store::ListFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap();
        store.close().await;
        stored.into_iter().map(|c| (c.id, c.title)).collect()
    })
}

/// Every message the outbox ever held: (key, whether it is marked sent).
fn outbox(dir: &Path) -> Vec<(String, bool)> {
    let connection = rusqlite::Connection::open_with_flags(
        dir.join("banso.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut statement = connection
        .prepare("SELECT idempotency_key, sent_at IS NOT NULL FROM outbox")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every confirmation shown so far is for a consultation that is stored,
/// under the subject it confirmed.
fn assert_confirmed_are_stored(seen: &Transcript, stored: &[(i64, String)], after: &str) {
    for (id, (_, text)) in &seen.messages {
        let Some(number) = id
            .strip_suffix(":created:requester")
            .and_then(|rest| rest.strip_prefix('c'))
        else {
            continue;
        };
        let number: i64 = number.parse().unwrap();
        let title = stored
            .iter()
            .find(|(stored_id, _)| *stored_id == number)
            .map(|(_, title)| title)
            .unwrap_or_else(|| panic!("{after}: confirmed {id} was lost: {text}"));
        assert!(text.contains(title.as_str()), "{after}: {id} says {text}");
    }
}

/// What `banso schedule preview` promises for the scripted period.
fn expected_reminders(dir: &Path) -> usize {
    let output = Command::new(env!("CARGO_BIN_EXE_banso"))
        .args([
            "schedule",
            "preview",
            "--fiscal-year",
            "2024",
            "--format",
            "json",
        ])
        .current_dir(dir)
        .env_remove("BANSO_CONFIG")
        .output()
        .expect("run schedule preview");
    let entries: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("preview JSON");
    let (start, end) = (clock_on(0), clock_on(DAYS));
    entries
        .iter()
        .filter(|entry| {
            !entry["kind"].as_str().unwrap().ends_with("meeting") && entry["kind"] != "kickoff"
        })
        .filter(|entry| {
            let at = DateTime::parse_from_rfc3339(entry["at"].as_str().unwrap()).unwrap();
            at >= start && at <= end
        })
        .count()
}

#[test]
fn consoles_killed_mid_run_and_restarted_lose_and_double_no_consultation_and_no_reminder() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Transcript::default();
    let mut progress = Progress {
        day: 0,
        consulted: subject(0).is_none(),
    };
    for (run, kill) in KILL_POINTS.into_iter().enumerate() {
        progress = run_and_kill(dir.path(), progress, kill, &mut seen);
        let after = format!("after kill {run} ({kill:?}, day {})", progress.day);
        println!("{after}");
        let stored = stored_consultations(dir.path());
        assert_confirmed_are_stored(&seen, &stored, &after);
        // A question whose answer was not seen: in already, or asked again.
        if !progress.consulted {
            let subject = subject(progress.day).unwrap();
            progress.consulted = stored.iter().any(|(_, title)| *title == subject);
        }
    }
    run_to_the_end(dir.path(), progress, &mut seen);

    let stored = stored_consultations(dir.path());
    assert_confirmed_are_stored(&seen, &stored, "at the end");
    let mut titles: Vec<&str> = stored.iter().map(|(_, title)| title.as_str()).collect();
    titles.sort_unstable();
    let expected: Vec<String> = (0..DAYS).filter_map(subject).collect();
    assert_eq!(titles, expected, "each consultation stored exactly once");
    for (id, _) in &stored {
        assert!(
            seen.messages
                .contains_key(&format!("c{id}:created:requester")),
            "consultation {id} was never confirmed"
        );
    }

    // Nothing queued was lost on the way to the screen: every message of
    // the outbox was shown (at least once) and is marked sent.
    let queued = outbox(dir.path());
    assert!(queued.len() > expected.len() * 2, "{} queued", queued.len());
    for (key, sent) in &queued {
        assert!(seen.messages.contains_key(key), "{key} was never shown");
        assert!(sent, "{key} is not marked sent");
    }
    assert_eq!(queued.len(), seen.messages.len(), "shown but never queued");

    // Every reminder job of the period became exactly one set of messages:
    // ids are `<job>><recipient>`, and a job's recipients are fixed. (The
    // consultations' response-target jobs are planned with each
    // consultation, not in the schedule's preview.)
    let jobs: BTreeSet<&str> = seen
        .messages
        .keys()
        .filter_map(|id| id.split_once('>').map(|(job, _)| job))
        .filter(|job| !job.contains(":consult_target_"))
        .collect();
    assert_eq!(jobs.len(), expected_reminders(dir.path()), "reminders lost");
    // A kill between printing a message and marking it sent shows it again
    // after the restart, under the same id: at most once per kill.
    assert!(
        seen.printed - seen.messages.len() <= KILL_POINTS.len(),
        "{} printed, {} distinct",
        seen.printed,
        seen.messages.len()
    );
}
