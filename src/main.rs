//! The `banso` binary: sets up the process and hands over to the command
//! line in `banso::cli`.

use std::process::ExitCode;

/// glibc gives every thread that allocates an arena of its own (up to
/// eight per core), each with pages of its own; four serve banso's threads
/// (two tokio workers, the intake writer, the SQLite pool's worker) with
/// less waiting on the arenas' locks than two did under load, and an idle
/// `banso serve` still keeps less memory than with one per thread
/// (BENCHMARKS.md: speed and memory).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    const M_ARENA_MAX: std::ffi::c_int = -8;
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: mallopt only sets an allocator parameter; it is called before
    // any other thread exists.
    unsafe {
        mallopt(M_ARENA_MAX, 4);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    // First, while this is the only thread: later arenas follow the limit.
    limit_malloc_arenas();
    banso::cli::main()
}
