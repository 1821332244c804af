//! Everything the command prints on stdout goes through here, so that a
//! reader that stops early (`mtattest verify … --json | head -1`) ends the
//! program quietly with exit 1 instead of a panic ("failed printing to
//! stdout: Broken pipe", exit 101): Rust ignores SIGPIPE, so the write
//! itself fails, and `println!` would panic on that failure.

use std::io::Write as _;

/// The exit code when stdout is closed before the output was written
/// (`EPIPE`), or writing to it fails otherwise: the I/O error code of the
/// exit-code table. The reader has gone, so nothing is said about it.
pub const EXIT_OUTPUT_FAILED: u8 = 1;

/// Writes `text` to stdout; see [`write_bytes`].
pub fn write(text: &str) {
    write_bytes(text.as_bytes());
}

/// Writes `bytes` to stdout and flushes them. If stdout is closed (broken
/// pipe) the process ends here, quietly, with [`EXIT_OUTPUT_FAILED`]; any
/// other write error ends it with that code and one line on stderr.
pub fn write_bytes(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            // stderr may be gone too: nothing more to do then.
            let _ = writeln!(std::io::stderr(), "mtattest: writing to stdout: {e}");
        }
        std::process::exit(i32::from(EXIT_OUTPUT_FAILED));
    }
}

/// `print!` that ends the program quietly on a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(&format!($($arg)*))
    };
}

/// `println!` that ends the program quietly on a closed stdout.
macro_rules! outln {
    () => {
        $crate::output::write("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::write(&format!("{}\n", format_args!($($arg)*)))
    };
}
