//! Errors that end a run. Each is one line that names the thing that failed
//! and the fix, and carries the exit code documented in `--help` and the
//! README.

use std::fmt;
use std::io;

/// Exit code: the capture ran and ended normally.
pub const EXIT_OK: u8 = 0;
/// Exit code: an I/O error during the capture (a write failed, a socket broke).
pub const EXIT_RUNTIME: u8 = 1;
/// Exit code: the command line is wrong (clap uses the same code).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: an input could not be opened (port in use, missing capability,
/// unknown interface, unreadable capture file, unusable serial port).
pub const EXIT_INPUT: u8 = 3;
/// Exit code: an output could not be opened (unwritable file or fifo).
pub const EXIT_OUTPUT: u8 = 4;
/// Exit code: the capture ended without a single frame (zcap says why).
pub const EXIT_NOTHING: u8 = 5;

/// The text `--help` shows after the options.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  capture ended normally (Ctrl-C, -c or -a limit, end of the -r file, reader closed the pipe)
  1  an I/O error stopped a running capture
  2  bad command line
  3  an input could not be opened (port in use, no CAP_NET_RAW, unknown interface, unreadable file,
     serial port not permitted, busy or not a serial device), or the device's shell did not answer
     or refused the capture setup (--shell)
  4  an output could not be opened (unwritable file or fifo)
  5  nothing was captured (zcap says why: no tunnel seen, another port, an interface that needs
     --tunnel-less, a file decapsulated already, the filters)";

/// A failure that ends the run.
#[derive(Debug, PartialEq, Eq)]
pub struct Fatal {
    /// The process exit code.
    pub code: u8,
    /// One line: what failed and how to fix it.
    pub message: String,
}

impl Fatal {
    /// An input could not be opened.
    pub fn input(message: impl Into<String>) -> Fatal {
        Fatal {
            code: EXIT_INPUT,
            message: message.into(),
        }
    }

    /// An output could not be opened.
    pub fn output(message: impl Into<String>) -> Fatal {
        Fatal {
            code: EXIT_OUTPUT,
            message: message.into(),
        }
    }

    /// The command line is inconsistent.
    pub fn usage(message: impl Into<String>) -> Fatal {
        Fatal {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    /// The capture ended without a frame; `message` says why.
    pub fn nothing(message: impl Into<String>) -> Fatal {
        Fatal {
            code: EXIT_NOTHING,
            message: message.into(),
        }
    }

    /// A running capture failed.
    pub fn runtime(message: impl Into<String>) -> Fatal {
        Fatal {
            code: EXIT_RUNTIME,
            message: message.into(),
        }
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A short lower-case description of an I/O error, without the
/// "(os error N)" suffix, so it reads well inside a one-line message.
pub fn describe(err: &io::Error) -> String {
    use nix::errno::Errno;
    // Errno first: EPERM and EACCES share a kind but need different fixes.
    let by_errno = match err.raw_os_error().map(Errno::from_raw) {
        Some(Errno::EPERM) => Some("operation not permitted"),
        Some(Errno::ENODEV) => Some("no such device"),
        Some(Errno::EISDIR) => Some("is a directory"),
        Some(Errno::ENOSPC) => Some("no space left on device"),
        Some(Errno::EROFS) => Some("read-only file system"),
        _ => None,
    };
    let text = by_errno.or(match err.kind() {
        io::ErrorKind::AddrInUse => Some("address in use"),
        io::ErrorKind::AddrNotAvailable => Some("address not available on this host"),
        io::ErrorKind::PermissionDenied => Some("permission denied"),
        io::ErrorKind::NotFound => Some("no such file or directory"),
        io::ErrorKind::AlreadyExists => Some("already exists"),
        io::ErrorKind::BrokenPipe => Some("the reader closed the pipe"),
        _ => None,
    });
    match text {
        Some(text) => text.to_string(),
        None => strip_os_error(&err.to_string()),
    }
}

fn strip_os_error(text: &str) -> String {
    let trimmed = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_as_short_phrases() {
        let in_use = io::Error::from(io::ErrorKind::AddrInUse);
        assert_eq!(describe(&in_use), "address in use");
        let eperm = io::Error::from_raw_os_error(nix::errno::Errno::EPERM as i32);
        assert_eq!(describe(&eperm), "operation not permitted");
        let other = io::Error::from_raw_os_error(nix::errno::Errno::EMLINK as i32);
        assert_eq!(describe(&other), "too many links");
    }
}
