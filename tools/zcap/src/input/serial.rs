//! Serial input: the capture stream of a device without a second network
//! link, read from a UART, a USB CDC ACM port or a pseudo-terminal (an
//! emulator's `-serial pty`), in raw mode at the chosen baud rate.
//!
//! A port that is not there yet, or that goes away (the device resets, the
//! emulator restarts, the USB device re-enumerates), does not end the
//! capture: zcap says so once and tries again until it is stopped. A
//! regular file is read as a recorded stream, to its end.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::termios::{self, BaudRate, ControlFlags, SetArg};

use super::{now_ns, Event};
use crate::error::{describe, Fatal};
use crate::stream::{Item, Receiver};

/// How often a missing port is looked for.
const RETRY: Duration = Duration::from_millis(250);
/// Bytes read at once.
const READ_CHUNK: usize = 1 << 16;

/// The baud rates zcap can set, as numbers and as termios constants.
const RATES: [(u32, BaudRate); 23] = [
    (300, BaudRate::B300),
    (600, BaudRate::B600),
    (1200, BaudRate::B1200),
    (2400, BaudRate::B2400),
    (4800, BaudRate::B4800),
    (9600, BaudRate::B9600),
    (19200, BaudRate::B19200),
    (38400, BaudRate::B38400),
    (57600, BaudRate::B57600),
    (115_200, BaudRate::B115200),
    (230_400, BaudRate::B230400),
    (460_800, BaudRate::B460800),
    (500_000, BaudRate::B500000),
    (576_000, BaudRate::B576000),
    (921_600, BaudRate::B921600),
    (1_000_000, BaudRate::B1000000),
    (1_152_000, BaudRate::B1152000),
    (1_500_000, BaudRate::B1500000),
    (2_000_000, BaudRate::B2000000),
    (2_500_000, BaudRate::B2500000),
    (3_000_000, BaudRate::B3000000),
    (3_500_000, BaudRate::B3500000),
    (4_000_000, BaudRate::B4000000),
];

/// The termios constant of `baud`, if zcap can set it.
pub fn baud_rate(baud: u32) -> Option<BaudRate> {
    RATES
        .iter()
        .find(|(number, _)| *number == baud)
        .map(|(_, rate)| *rate)
}

/// The rates [`baud_rate`] accepts, lowest first.
pub fn rates() -> impl Iterator<Item = u32> {
    RATES.iter().map(|(number, _)| *number)
}

/// An open port (or file).
struct Port {
    file: File,
    /// A regular file: its end ends the capture.
    recorded: bool,
}

/// Why a port could not be opened.
enum OpenError {
    /// Not there (yet): try again later.
    Missing(String),
    /// Will not work however long we wait.
    Fatal(Fatal),
}

/// A serial capture stream being read.
pub struct SerialInput {
    path: PathBuf,
    rate: BaudRate,
    baud: u32,
    port: Option<Port>,
    receiver: Receiver,
    pending: VecDeque<Event>,
    items: Vec<crate::stream::Item>,
    buf: Vec<u8>,
    last_attempt: Option<Instant>,
    ended: bool,
}

impl SerialInput {
    /// Opens `path` at `baud` (checked with [`baud_rate`]). A missing port
    /// is waited for; a port that cannot work (no permission, not a
    /// serial device) is an error.
    pub fn open(path: &Path, baud: u32) -> Result<SerialInput, Fatal> {
        let rate = baud_rate(baud).ok_or_else(|| {
            Fatal::usage(format!(
                "unsupported baud rate {baud}; pass --baud with a standard rate such as 115200, 460800 or 921600"
            ))
        })?;
        let mut input = SerialInput {
            path: path.to_path_buf(),
            rate,
            baud,
            port: None,
            receiver: Receiver::new(),
            pending: VecDeque::new(),
            items: Vec::new(),
            buf: vec![0; READ_CHUNK],
            last_attempt: None,
            ended: false,
        };
        match open_port(path, rate, false) {
            Ok(port) => input.port = Some(port),
            Err(OpenError::Fatal(fatal)) => return Err(fatal),
            Err(OpenError::Missing(reason)) => {
                input.last_attempt = Some(Instant::now());
                input.pending.push_back(Event::Notice(format!(
                    "waiting for {} to appear ({reason}); zcap keeps trying until it is stopped",
                    path.display()
                )));
            }
        }
        Ok(input)
    }

    /// What zcap prints when it starts reading.
    pub fn describe(&self) -> String {
        format!(
            "reading the capture stream on {} ({} baud)",
            self.path.display(),
            self.baud
        )
    }

    /// Whether the port is open (else zcap is waiting for it).
    pub fn is_open(&self) -> bool {
        self.port.is_some()
    }

    /// The port's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stream's decoder and counters.
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// Waits up to `timeout_ms` for the next event.
    pub fn next(&mut self, timeout_ms: u16) -> Result<Event, Fatal> {
        if let Some(event) = self.pending.pop_front() {
            return Ok(event);
        }
        if self.ended {
            return Ok(Event::End);
        }
        if self.port.is_none() {
            self.reopen(timeout_ms)?;
        } else {
            self.read(timeout_ms);
        }
        Ok(self.pending.pop_front().unwrap_or(Event::Idle))
    }

    fn reopen(&mut self, timeout_ms: u16) -> Result<(), Fatal> {
        let due = self
            .last_attempt
            .map_or(Duration::ZERO, |last| RETRY.saturating_sub(last.elapsed()));
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        if !due.is_zero() {
            std::thread::sleep(due.min(timeout));
            return Ok(());
        }
        self.last_attempt = Some(Instant::now());
        match open_port(&self.path, self.rate, false) {
            Ok(port) => {
                self.port = Some(port);
                self.pending.push_back(Event::Notice(format!(
                    "{} is there; {}",
                    self.path.display(),
                    self.describe()
                )));
                Ok(())
            }
            Err(OpenError::Missing(_)) => Ok(()),
            Err(OpenError::Fatal(fatal)) => Err(fatal),
        }
    }

    fn read(&mut self, timeout_ms: u16) {
        let Some(port) = self.port.as_mut() else {
            return;
        };
        let mut fds = [PollFd::new(port.file.as_fd(), PollFlags::POLLIN)];
        let result = match poll(&mut fds, timeout_ms) {
            Ok(0) | Err(Errno::EINTR) => return,
            // Data, or a hang-up that the read reports.
            Ok(_) => port.file.read(&mut self.buf),
            Err(err) => Err(io::Error::from(err)),
        };
        match result {
            Ok(0) if port.recorded => {
                self.ended = true;
                self.receiver.reset(&mut self.items);
                self.flush_items();
            }
            Ok(0) => self.lost("hung up".to_string()),
            Ok(len) => {
                let bytes = self.buf.get(..len).unwrap_or_default();
                self.receiver.push(bytes, now_ns(), &mut self.items);
                self.flush_items();
            }
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(err) => self.lost(describe(&err)),
        }
    }

    /// The port went away: report it, and look for it again.
    fn lost(&mut self, reason: String) {
        self.port = None;
        self.last_attempt = Some(Instant::now());
        self.receiver.reset(&mut self.items);
        self.flush_items();
        self.pending.push_back(Event::Notice(format!(
            "{} went away ({reason}); waiting for it to come back until zcap is stopped",
            self.path.display()
        )));
    }

    fn flush_items(&mut self) {
        self.pending.extend(
            self.items
                .drain(..)
                .map(|item: Item| Event::Stream(Box::new(item))),
        );
    }
}

/// Opens a device's shell port for reading and writing, in raw mode at
/// `baud`. Unlike a capture stream, a missing port is an error: there is
/// nobody to talk to.
pub fn open_shell_port(path: &Path, baud: u32) -> Result<File, Fatal> {
    let rate = baud_rate(baud).ok_or_else(|| {
        Fatal::usage(format!(
            "unsupported baud rate {baud}; pass --baud with a standard rate such as 115200"
        ))
    })?;
    match open_port(path, rate, true) {
        Ok(Port {
            recorded: false,
            file,
        }) => Ok(file),
        Ok(_) => Err(Fatal::input(format!(
            "{} is a file, not the device's serial port; pass --shell with a tty such as /dev/ttyACM0",
            path.display()
        ))),
        Err(OpenError::Missing(reason)) => Err(Fatal::input(format!(
            "cannot open {}: {reason}; check that the device is connected (zcap -D lists serial ports)",
            path.display()
        ))),
        Err(OpenError::Fatal(fatal)) => Err(fatal),
    }
}

fn open_port(path: &Path, rate: BaudRate, write: bool) -> Result<Port, OpenError> {
    let name = path.display();
    let file = OpenOptions::new()
        .read(true)
        .write(write)
        .custom_flags((OFlag::O_NOCTTY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).bits())
        .open(path)
        .map_err(|err| match err.raw_os_error().map(Errno::from_raw) {
            Some(Errno::ENOENT | Errno::ENXIO | Errno::ENODEV | Errno::EIO | Errno::EAGAIN) => {
                OpenError::Missing(describe(&err))
            }
            Some(Errno::EACCES | Errno::EPERM) => OpenError::Fatal(Fatal::input(format!(
                "cannot open {name}: {}; add yourself to the group owning it (e.g. sudo usermod -aG dialout $USER, then log in again)",
                describe(&err)
            ))),
            Some(Errno::EBUSY) => OpenError::Fatal(Fatal::input(format!(
                "cannot open {name}: {}; close the program using it (a terminal such as minicom or screen)",
                describe(&err)
            ))),
            _ => OpenError::Fatal(Fatal::input(format!(
                "cannot open {name}: {}; pass --serial with a serial device such as /dev/ttyACM0",
                describe(&err)
            ))),
        })?;
    let kind = file
        .metadata()
        .map_err(|err| {
            OpenError::Fatal(Fatal::input(format!(
                "cannot read {name}: {}",
                describe(&err)
            )))
        })?
        .file_type();
    if kind.is_file() {
        return Ok(Port {
            file,
            recorded: true,
        });
    }
    if !kind.is_char_device() {
        return Err(OpenError::Fatal(Fatal::input(format!(
            "{name} is neither a serial device nor a file; pass --serial with a device such as /dev/ttyACM0"
        ))));
    }
    raw_mode(&file, rate).map_err(|err| {
        let fix = if err == Errno::ENOTTY {
            "it is not a serial device; pass a tty such as /dev/ttyACM0".to_string()
        } else {
            format!("cannot set raw mode: {}", describe(&io::Error::from(err)))
        };
        OpenError::Fatal(Fatal::input(format!("cannot use {name}: {fix}")))
    })?;
    Ok(Port {
        file,
        recorded: false,
    })
}

/// Raw 8N1 at `rate`: no echo, no line editing, no signals from bytes, no
/// CR/LF translation, no software or hardware flow control, modem lines
/// ignored. A pty ignores the rate; the rest matters to it as much.
fn raw_mode(file: &File, rate: BaudRate) -> Result<(), Errno> {
    let mut settings = termios::tcgetattr(file.as_fd())?;
    termios::cfmakeraw(&mut settings);
    settings.control_flags |= ControlFlags::CLOCAL | ControlFlags::CREAD;
    settings.control_flags &= !(ControlFlags::CRTSCTS | ControlFlags::CSTOPB);
    termios::cfsetspeed(&mut settings, rate)?;
    termios::tcsetattr(file.as_fd(), SetArg::TCSANOW, &settings)
}

#[cfg(test)]
mod tests;
