//! The `kms-replica-console` binary: the window by default, headless subcommands beside it.
//! Everything is in the library's `cli`; this file only looks at descriptor 1 before the Rust
//! runtime can hide that it was closed.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether descriptor 1 was closed when the process started (`audit >&-`). Rust's runtime
/// reopens a closed standard descriptor on /dev/null read-write before `main`, which then looks
/// exactly like `/dev/null` opened read-write on purpose (a process supervisor, Python's
/// `subprocess.DEVNULL`): only a look before the runtime's tells them apart.
static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Runs from the ELF `.init_array`, which the C library calls before `main` and so before the
/// Rust runtime touches the standard descriptors.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_STDOUT_AT_START: extern "C" fn() = {
    extern "C" fn record() {
        // SAFETY: F_GETFD on a descriptor number only reads the process's descriptor table;
        // -1 (EBADF) means descriptor 1 is not open.
        let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
        STDOUT_CLOSED_AT_START.store(closed, Ordering::Relaxed);
    }
    record
};

fn main() -> ExitCode {
    kms_replica_console::cli::main(!STDOUT_CLOSED_AT_START.load(Ordering::Relaxed))
}
