//! Who a sender is among the replicas, and whether the process behind a
//! sender's name is gone (a process of this machine that no longer runs):
//! its channels are then taken over at once, not after their leases.

use std::sync::atomic::{AtomicU64, Ordering};

/// A name no other sender has, from which a sender of the same machine
/// can tell whether its process is gone: `sender:` then the kernel's boot
/// id, the process id namespace, the process id, the process's start time
/// (in clock ticks since boot; a pid used again has another) and the
/// sender's number within the process (tests run several in one). Where
/// these cannot be read (not Linux), a random or process id stands in and
/// the name says nothing of liveness.
pub(super) fn sender_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "sender:{}:{}",
        process_name(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// This process's name among the replicas (in its senders' names and the
/// leases it holds).
pub(crate) fn process_name() -> &'static str {
    static PROCESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROCESS.get_or_init(|| match this_process() {
        Some(process) => process.name(),
        None => std::fs::read_to_string("/proc/sys/kernel/random/uuid")
            .map(|uuid| format!("other:{}", uuid.trim()))
            .unwrap_or_else(|_| format!("other:pid{}", std::process::id())),
    })
}

/// Who a process is, as far as its machine can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProcessIdentity {
    boot_id: String,
    pid_namespace: String,
    pid: u32,
    start_ticks: u64,
}

impl ProcessIdentity {
    fn name(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.boot_id, self.pid_namespace, self.pid, self.start_ticks
        )
    }

    /// Reads a sender's name back (None if it is not of this form).
    fn of_sender(name: &str) -> Option<Self> {
        let mut fields = name.strip_prefix("sender:")?.split(':');
        let identity = Self {
            boot_id: fields.next()?.to_owned(),
            pid_namespace: fields.next()?.to_owned(),
            pid: fields.next()?.parse().ok()?,
            start_ticks: fields.next()?.parse().ok()?,
        };
        fields.next()?;
        Some(identity)
    }
}

fn this_process() -> Option<ProcessIdentity> {
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let namespace = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let pid_namespace: String = namespace
        .to_string_lossy()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let pid = std::process::id();
    Some(ProcessIdentity {
        boot_id: boot_id.trim().to_owned(),
        pid_namespace,
        pid,
        start_ticks: start_ticks(pid)?,
    })
}

/// A process's start time from `/proc/PID/stat` (field 22, counted after
/// the parenthesised command name, which may hold spaces).
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the sender named `holder` is known to be gone: a process of
/// this machine (the same boot) and of the same process id namespace,
/// whose process id no longer runs (`kill(pid, 0)` says there is no such
/// process) or runs another program started since (its start time,
/// readable, differs). A process `/proc` hides or the kernel will not let
/// this one signal (another user's, `hidepid`) counts as running. Of
/// another machine or container nothing is known: its turn frees itself
/// when its lease ends.
pub(super) fn holder_is_gone(holder: &str) -> bool {
    static OURS: std::sync::OnceLock<Option<ProcessIdentity>> = std::sync::OnceLock::new();
    let (Some(ours), Some(theirs)) = (
        OURS.get_or_init(this_process),
        ProcessIdentity::of_sender(holder),
    ) else {
        return false;
    };
    if theirs.boot_id != ours.boot_id || theirs.pid_namespace != ours.pid_namespace {
        return false;
    }
    let Ok(pid) = libc::pid_t::try_from(theirs.pid) else {
        return false;
    };
    // SAFETY: signal 0 sends nothing; it only asks whether `pid` exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0
        || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH);
    if !exists {
        return true;
    }
    start_ticks(theirs.pid).is_some_and(|started| started != theirs.start_ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sender_of_a_gone_process_of_this_machine_is_known_gone_and_no_other() {
        let ours = this_process().expect("Linux's /proc");
        let name = sender_name();
        assert_eq!(
            ProcessIdentity::of_sender(&name).as_ref(),
            Some(&ours),
            "{name}"
        );
        assert!(!holder_is_gone(&name), "this process runs");
        let exited = std::process::Command::new("true")
            .spawn()
            .and_then(|mut child| {
                let pid = child.id();
                child.wait().map(|_| pid)
            })
            .unwrap();
        let gone = ProcessIdentity {
            pid: exited,
            ..ours.clone()
        };
        assert!(holder_is_gone(&format!("sender:{}:1", gone.name())));
        // The same pid started at another time is another process.
        let reused = ProcessIdentity {
            start_ticks: ours.start_ticks + 1,
            ..ours.clone()
        };
        assert!(holder_is_gone(&format!("sender:{}:1", reused.name())));
        // Of another machine, another container, or a name of no known
        // form, nothing is known.
        let elsewhere = ProcessIdentity {
            boot_id: "another-boot".into(),
            pid: exited,
            ..ours.clone()
        };
        assert!(!holder_is_gone(&format!("sender:{}:1", elsewhere.name())));
        let container = ProcessIdentity {
            pid_namespace: "1".into(),
            pid: exited,
            ..ours
        };
        assert!(!holder_is_gone(&format!("sender:{}:1", container.name())));
        assert!(!holder_is_gone("dead-replica"));
        assert!(!holder_is_gone("sender:other:abc:1"));
    }
}
