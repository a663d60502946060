//! The extcap fifo: Wireshark creates it and opens it for reading when it
//! is ready; zcap waits for that without sleeping through a SIGTERM.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};

use crate::error::{describe, Fatal};

/// How often zcap looks whether Wireshark opened the fifo.
const FIFO_POLL: Duration = Duration::from_millis(50);

/// Opens a fifo for writing once its reader has opened it, checking
/// `stop` meanwhile (a blocking open would sleep through SIGTERM, since
/// the signal handler restarts it); `None` when stopped first.
pub fn wait_for_reader(path: &Path, stop: &AtomicBool) -> Result<Option<File>, Fatal> {
    let failed = |err: &io::Error| {
        Fatal::output(format!(
            "cannot open fifo {}: {}; pass the path Wireshark gave with --fifo",
            path.display(),
            describe(err)
        ))
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let opened = OpenOptions::new()
            .write(true)
            .custom_flags(OFlag::O_NONBLOCK.bits())
            .open(path);
        match opened {
            Ok(fifo) => {
                // Writes block again, as a reader that falls behind needs.
                fcntl(&fifo, FcntlArg::F_SETFL(OFlag::empty()))
                    .map_err(|err| failed(&io::Error::from(err)))?;
                return Ok(Some(fifo));
            }
            // No reader yet.
            Err(err) if err.raw_os_error() == Some(Errno::ENXIO as i32) => thread::sleep(FIFO_POLL),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(failed(&err)),
        }
    }
}
