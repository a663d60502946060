//! The live packet counter on a terminal: people get a counter that
//! updates in place; pipes and files get nothing.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

const REDRAW: Duration = Duration::from_millis(500);

/// A counter drawn on standard error.
pub struct Counter {
    enabled: bool,
    drawn: bool,
    last_draw: Instant,
    packets_at_last_draw: u64,
}

impl Counter {
    /// A counter, shown only when `wanted` and standard error is a terminal.
    pub fn new(wanted: bool) -> Counter {
        Counter {
            enabled: wanted && io::stderr().is_terminal(),
            drawn: false,
            last_draw: Instant::now(),
            packets_at_last_draw: 0,
        }
    }

    /// Redraws the counter if it is due.
    pub fn update(&mut self, packets: u64) {
        if !self.enabled {
            return;
        }
        let elapsed = self.last_draw.elapsed();
        if elapsed < REDRAW {
            return;
        }
        let rate =
            (packets - self.packets_at_last_draw.min(packets)) as f64 / elapsed.as_secs_f64();
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[Kzcap: {packets} packets, {rate:.0} packets/s");
        let _ = err.flush();
        self.drawn = true;
        self.last_draw = Instant::now();
        self.packets_at_last_draw = packets;
    }

    /// Erases the counter line, before other output or at exit.
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
            self.drawn = false;
        }
    }
}
