//! What the capture loop tells the user while it runs: notices (once per
//! device and kind), malformed frames, and a line per packet.

use std::io::{self, Write};

use super::Session;
use crate::cli::Lines;
use crate::link::inspect::Direction;
use crate::link::LinkType;
use crate::stats::DeviceId;
use crate::summary::Line;

impl Session<'_> {
    /// Reports a problem once per device and kind; later ones are counted.
    pub(super) fn report_once(
        &mut self,
        device: Option<DeviceId>,
        problem: &'static str,
        text: String,
    ) {
        if self.reported.insert((device, problem)) {
            self.notice(&text);
        }
    }

    /// Tells the user something, without garbling the live counter. Not as
    /// a Wireshark extcap: Wireshark shows whatever an extcap writes to
    /// standard error as an error.
    pub(super) fn notice(&mut self, text: &str) {
        if self.config.extcap {
            return;
        }
        self.counter.clear();
        eprintln!("zcap: {text}");
    }

    pub(super) fn malformed(&mut self, device: Option<DeviceId>, reason: &'static str) {
        self.totals.device(device).malformed += 1;
        let from = device.map_or_else(|| "an unknown device".to_string(), |d| d.to_string());
        let what = match device {
            Some(DeviceId::Capture(_)) => "frame",
            _ => "capture datagram",
        };
        self.report_once(
            device,
            reason,
            format!(
                "malformed {what} from {from}: {reason} (counted; further ones are not reported)"
            ),
        );
    }

    pub(super) fn print_line(
        &mut self,
        ts_ns: u64,
        device: &str,
        link: LinkType,
        direction: Direction,
        frame: &[u8],
    ) {
        if self.config.lines == Lines::Off {
            return;
        }
        let time = self.time.render(ts_ns);
        let line = Line {
            time: &time,
            device,
            link,
            direction,
            frame,
        }
        .render();
        let _ = match self.config.lines {
            Lines::Stderr => writeln!(io::stderr().lock(), "{line}"),
            _ => writeln!(io::stdout().lock(), "{line}"),
        };
    }
}
