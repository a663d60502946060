//! The serial line to the device's shell: commands typed in small pieces
//! (a UART's receive ring is smaller than a long command), answers read
//! up to the next prompt, and a background reader that keeps the line
//! drained while the capture runs.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags};

use super::protocol;
use crate::error::{describe, Fatal};

/// Bytes written at once, and the pause after each piece.
const PIECE: usize = 8;
const PIECE_PAUSE: Duration = Duration::from_millis(20);
/// How long one poll of the line waits.
const POLL: Duration = Duration::from_millis(50);

/// Why a command got no usable answer.
#[derive(Debug)]
pub enum NoAnswer {
    /// Nothing ended in a prompt within the time allowed; what did arrive.
    Timeout(String),
    /// The line failed.
    Io(io::Error),
}

/// An open shell line.
pub struct ShellPort {
    file: File,
    path: PathBuf,
}

impl ShellPort {
    /// Opens `path` at `baud` in raw mode.
    pub fn open(path: &Path, baud: u32) -> Result<ShellPort, Fatal> {
        Ok(ShellPort {
            file: crate::input::serial::open_shell_port(path, baud)?,
            path: path.to_path_buf(),
        })
    }

    /// The port's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends what arrives within `wait` to `raw`; returns whether
    /// anything came. Terminal codes are stripped from the whole of what
    /// arrived, since a UART may cut one in two.
    fn read_into(&mut self, raw: &mut Vec<u8>, wait: Duration) -> io::Result<bool> {
        let millis = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.file.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, millis) {
            Ok(0) | Err(Errno::EINTR) => return Ok(false),
            Ok(_) => {}
            Err(err) => return Err(io::Error::from(err)),
        }
        let mut buf = [0u8; 4096];
        match self.file.read(&mut buf) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the line hung up",
            )),
            Ok(len) => {
                raw.extend_from_slice(buf.get(..len).unwrap_or_default());
                Ok(true)
            }
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(false)
            }
            Err(err) => Err(err),
        }
    }

    /// Discards what the device printed so far (log lines, old prompts).
    fn discard_pending(&mut self) -> io::Result<()> {
        let mut ignored = Vec::new();
        while self.read_into(&mut ignored, Duration::ZERO)? {
            ignored.clear();
        }
        Ok(())
    }

    /// Reads until `done` accepts what arrived (as text, terminal codes
    /// stripped) or `timeout` passes.
    fn read_until<T>(
        &mut self,
        timeout: Duration,
        done: impl Fn(&str) -> Option<T>,
    ) -> Result<T, NoAnswer> {
        let mut raw = Vec::new();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.read_into(&mut raw, POLL).map_err(NoAnswer::Io)? {
                let text = protocol::strip_terminal_codes(&String::from_utf8_lossy(&raw));
                if let Some(found) = done(&text) {
                    return Ok(found);
                }
            }
        }
        let text = protocol::strip_terminal_codes(&String::from_utf8_lossy(&raw));
        Err(NoAnswer::Timeout(text))
    }

    /// Types `line` and Enter.
    fn type_line(&mut self, line: &str) -> io::Result<()> {
        for piece in line.as_bytes().chunks(PIECE) {
            self.write_all_slowly(piece)?;
            thread::sleep(PIECE_PAUSE);
        }
        self.write_all_slowly(b"\n")
    }

    /// `write_all` on a non-blocking descriptor.
    fn write_all_slowly(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !bytes.is_empty() {
            match self.file.write(bytes) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(written) => bytes = bytes.get(written..).unwrap_or_default(),
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the line does not take input",
                        ));
                    }
                    thread::sleep(PIECE_PAUSE);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Presses Enter on an empty line and waits for the prompt.
    pub fn sync(&mut self, timeout: Duration) -> Result<(), NoAnswer> {
        self.discard_pending().map_err(NoAnswer::Io)?;
        self.type_line("").map_err(NoAnswer::Io)?;
        self.read_until(timeout, |text| {
            protocol::ends_with_prompt(text).then_some(())
        })
    }

    /// Runs `command` and returns the lines it printed.
    pub fn run(&mut self, command: &str, timeout: Duration) -> Result<Vec<String>, NoAnswer> {
        self.discard_pending().map_err(NoAnswer::Io)?;
        self.type_line(command).map_err(NoAnswer::Io)?;
        self.read_until(timeout, |text| protocol::answer(text, command))
    }

    /// Keeps reading (and dropping) what the device prints until
    /// [`Draining::stop`], so that its output never fills the line.
    pub fn drain_in_background(self) -> Draining {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let reader = thread::spawn(move || {
            let mut port = self;
            let mut ignored = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match port.read_into(&mut ignored, POLL) {
                    Ok(_) => ignored.clear(),
                    // A line that went away is reported by the next command.
                    Err(_) => thread::sleep(POLL),
                }
            }
            port
        });
        Draining { stop, reader }
    }
}

/// A shell line being drained by a background thread.
pub struct Draining {
    stop: Arc<AtomicBool>,
    reader: JoinHandle<ShellPort>,
}

impl Draining {
    /// Stops the reader and gives the line back.
    pub fn stop(self) -> Result<ShellPort, Fatal> {
        self.stop.store(true, Ordering::Relaxed);
        self.reader
            .join()
            .map_err(|_| Fatal::runtime("the reader of the device's shell line failed"))
    }
}

/// One line about a command that got no answer.
pub fn no_answer(path: &Path, command: &str, error: &NoAnswer, timeout: Duration) -> Fatal {
    let what = if command.is_empty() {
        "a prompt".to_string()
    } else {
        format!("'{command}'")
    };
    match error {
        NoAnswer::Timeout(partial) if partial.trim().is_empty() => Fatal::input(format!(
            "the shell on {} did not answer {what} within {} s; check that the device runs and that this is its shell's port (baud rate: --baud)",
            path.display(),
            timeout.as_secs()
        )),
        NoAnswer::Timeout(partial) => Fatal::input(format!(
            "the shell on {} did not finish {what} with a prompt within {} s (it printed: {}); is it Zephyr's shell?",
            path.display(),
            timeout.as_secs(),
            tail(partial)
        )),
        NoAnswer::Io(err) => Fatal::input(format!(
            "cannot talk to the shell on {}: {}",
            path.display(),
            describe(err)
        )),
    }
}

/// The last non-empty line of `text`, shortened.
fn tail(text: &str) -> String {
    let last = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default();
    last.chars().take(80).collect()
}
