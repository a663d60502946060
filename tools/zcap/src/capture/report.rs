//! The end of a run: the summary on standard error (totals per device,
//! the stream's and the tunnel's counters, the files written), and, when
//! nothing was captured, why.

use std::io::{self, Write};

use super::diagnosis::{self, Evidence};
use super::Session;
use crate::cli::{Config, Source};
use crate::error::Fatal;
use crate::input::Input;
use crate::output::Output;
use crate::sources;

/// The receive counter of the interface the source names, now.
pub(super) fn interface_rx(config: &Config) -> Option<u64> {
    match &config.source {
        Source::Udp {
            interface: Some(name),
            ..
        }
        | Source::TunnelLess { interface: name } => sources::received_packets(name),
        _ => None,
    }
}

impl Session<'_> {
    /// Prints the summary; an error saying why when nothing was captured
    /// (not as an extcap, whose stops are Wireshark's).
    pub(super) fn report(
        &mut self,
        input: &mut Input,
        output: &Output,
        rx_before: Option<u64>,
    ) -> Result<(), Fatal> {
        let decap = input.decap_counts(true);
        let file = match input {
            Input::Offline { reader, .. } => Some(reader.facts()),
            _ => None,
        };
        for linktype in file.iter().flat_map(|facts| &facts.unsupported) {
            self.notice(&format!(
                "skipped frames of link type {linktype}, which cannot carry the tunnel"
            ));
        }
        let stream_records = match input {
            Input::Serial(serial) => Some(serial.receiver().counters().records),
            _ => None,
        };
        if self.config.extcap {
            return Ok(());
        }
        let mut err = io::stderr().lock();
        let _ = write!(err, "{}", self.totals.render(decap.as_ref()));
        if let Input::Serial(serial) = input {
            let receiver = serial.receiver();
            let _ = write!(
                err,
                "{}",
                crate::stats::render_stream(
                    &serial.path().display().to_string(),
                    receiver.counters(),
                    receiver.unseen_at_end(),
                    receiver.drift()
                )
            );
        }
        for file in output.files() {
            let _ = writeln!(err, "zcap: wrote {}", file.display());
        }
        if self.totals.packets() > 0 {
            return Ok(());
        }
        let malformed = self.totals.malformed();
        let interface_rx = rx_before
            .zip(interface_rx(self.config))
            .map(|(before, after)| after.saturating_sub(before));
        let evidence = Evidence {
            source: &self.config.source,
            ports: &self.config.ports,
            filtered: (
                self.filtered,
                self.config.filter.as_ref().map(|filter| filter.text()),
            ),
            other_devices: self.other_devices,
            malformed,
            sightings: decap.as_ref().map(|counts| &counts.sightings),
            file: file.as_ref(),
            interface_rx,
            stream_records,
        };
        Err(Fatal::nothing(format!(
            "nothing was captured: {}",
            diagnosis::reasons(&evidence).join("; ")
        )))
    }
}
