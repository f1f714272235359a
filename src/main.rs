//! The `banso` binary: sets up the process and hands over to the command
//! line in `banso::cli`.

use std::process::ExitCode;

/// glibc gives every thread that allocates an arena of its own (up to
/// eight per core), each with pages of its own; banso's threads allocate
/// little, so two arenas serve them all and an idle `banso serve` keeps
/// less memory (BENCHMARKS.md, memory).
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
