//! Per-device totals, printed when the capture ends.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::net::IpAddr;

use crate::input::DecapCounts;
use crate::link::LinkType;
use crate::stream::clock::Drift;
use crate::stream::Counters;

/// Who sent a frame: a device's address (UDP tunnel), or a capture device
/// of the device at the other end of a serial stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceId {
    /// The sender of the capture datagrams.
    Ip(IpAddr),
    /// `NET_CAPTURE<n>` on the serial device.
    Capture(u8),
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceId::Ip(addr) => write!(f, "{addr}"),
            DeviceId::Capture(index) => write!(f, "NET_CAPTURE{index}"),
        }
    }
}

/// What one device sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceTotals {
    /// Frames received.
    pub packets: u64,
    /// Bytes of those frames.
    pub bytes: u64,
    /// Frames or datagrams that could not be decoded.
    pub malformed: u64,
    /// Frames lost before reaching zcap, attributed to the device whose
    /// frame came next: datagrams the host dropped (socket queue full), or
    /// on a serial stream records the device dropped plus those lost on the
    /// line.
    pub drops: u64,
    /// Frames a pcap file could not hold (another link type).
    pub not_written: u64,
    /// Link types its frames had.
    pub links: BTreeSet<LinkType>,
}

/// Totals of all devices; `None` collects what no device can be named for.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    devices: BTreeMap<Option<DeviceId>, DeviceTotals>,
}

impl Totals {
    /// The totals of `device`, created on first use.
    pub fn device(&mut self, device: Option<DeviceId>) -> &mut DeviceTotals {
        self.devices.entry(device).or_default()
    }

    /// Frames received from all devices.
    pub fn packets(&self) -> u64 {
        self.devices.values().map(|totals| totals.packets).sum()
    }

    /// Malformed datagrams or frames from all devices.
    pub fn malformed(&self) -> u64 {
        self.devices.values().map(|totals| totals.malformed).sum()
    }

    /// The closing table.
    pub fn render(&self, decap: Option<&DecapCounts>) -> String {
        let mut text = format!(
            "{:<40} {:<9} {:>10} {:>12} {:>9} {:>7}\n",
            "device", "links", "packets", "bytes", "malformed", "drops"
        );
        for (device, totals) in &self.devices {
            let name = device.map_or_else(|| "(unknown)".to_string(), |id| id.to_string());
            let links: Vec<String> = totals.links.iter().map(|link| link.to_string()).collect();
            let links = if links.is_empty() {
                "-".to_string()
            } else {
                links.join(",")
            };
            let _ = writeln!(
                text,
                "{name:<40} {links:<9} {:>10} {:>12} {:>9} {:>7}",
                totals.packets, totals.bytes, totals.malformed, totals.drops
            );
            if totals.not_written > 0 {
                let _ = writeln!(
                    text,
                    "  {} frames of {name} not written: a pcap file holds one link type; use -F pcapng",
                    totals.not_written
                );
            }
        }
        if self.devices.is_empty() {
            text.push_str("(no capture datagrams received)\n");
        }
        if let Some(decap) = decap {
            let _ = writeln!(
                text,
                "tunnel: {} packets ignored (not capture traffic or filtered out), {} reassembled from fragments, {} reassembly failures ({} timed out, {} evicted, {} invalid)",
                decap.ignored,
                decap.reassembled,
                decap.reassembly.total(),
                decap.reassembly.timed_out,
                decap.reassembly.evicted,
                decap.reassembly.invalid
            );
        }
        text
    }
}

/// The closing lines for a serial capture stream read from `source`;
/// `unseen` packet records were announced at the end but never arrived.
pub fn render_stream(
    source: &str,
    counters: &Counters,
    unseen: u64,
    drift: Option<Drift>,
) -> String {
    let mut text = String::new();
    let damaged: Vec<String> = counters
        .corrupt
        .iter()
        .map(|(what, count)| format!("{count} {what}"))
        .collect();
    let damaged = if damaged.is_empty() {
        String::new()
    } else {
        format!(" ({})", damaged.join(", "))
    };
    let _ = writeln!(
        text,
        "stream {source}: {} records ({} packets), {} damaged frames{damaged}, {} malformed records, {} unknown records skipped",
        counters.records,
        counters.packets,
        counters.corrupt_total(),
        counters.malformed,
        counters.unknown,
    );
    let _ = writeln!(
        text,
        "losses: {} packets dropped by the device, {} lost on the line (sequence gaps the device did not account for), {} announced but not seen at the end",
        counters.device_drops, counters.line_drops, unseen
    );
    if let Some(stats) = &counters.stats {
        let _ = writeln!(
            text,
            "device counters (latest stats record): sent {}, lost_full {}, lost_too_big {}, lost_other {}",
            stats.sent, stats.lost_full, stats.lost_too_big, stats.lost_other
        );
    }
    match drift {
        Some(drift) => {
            let _ = writeln!(
                text,
                "device clock: {:+.1} ppm against the host over {:.1} s",
                drift.ppm,
                drift.host_span_ns as f64 / 1e9
            );
        }
        None if counters.records > 0 => {
            text.push_str("device clock: drift not measured (under 1 s of records)\n");
        }
        None => {}
    }
    if let Some((hello, ring)) = &counters.hello {
        let name = if hello.is_empty() { "(no text)" } else { hello };
        let _ = writeln!(
            text,
            "device: {name}, ring buffer {ring} bytes; restarts seen: {}",
            counters.restarts
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_summary_names_each_kind_of_loss() {
        let mut counters = Counters {
            records: 12,
            packets: 10,
            device_drops: 3,
            line_drops: 2,
            restarts: 1,
            hello: Some(("Zephyr 4.1.99 mps2/an385".to_string(), 8192)),
            ..Counters::default()
        };
        counters.corrupt.insert("CRC mismatch", 2);
        let drift = Drift {
            ppm: 12.34,
            host_span_ns: 60_000_000_000,
        };
        let text = render_stream("/dev/ttyACM0", &counters, 1, Some(drift));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].starts_with(
                "stream /dev/ttyACM0: 12 records (10 packets), 2 damaged frames (2 CRC mismatch),"
            ),
            "{text}"
        );
        assert!(
            lines[1].starts_with("losses: 3 packets dropped by the device, 2 lost on the line"),
            "{text}"
        );
        assert!(
            lines[1].ends_with("1 announced but not seen at the end"),
            "{text}"
        );
        assert_eq!(
            lines[2],
            "device clock: +12.3 ppm against the host over 60.0 s"
        );
        assert_eq!(
            lines[3],
            "device: Zephyr 4.1.99 mps2/an385, ring buffer 8192 bytes; restarts seen: 1"
        );
    }

    #[test]
    fn table_lists_each_device_with_its_counts() {
        let mut totals = Totals::default();
        let dev: IpAddr = "2001:db8:200::1".parse().unwrap();
        let entry = totals.device(Some(DeviceId::Ip(dev)));
        entry.packets = 3;
        entry.bytes = 300;
        entry.malformed = 1;
        entry.links.insert(LinkType::Sll2);
        entry.links.insert(LinkType::Ethernet);
        totals.device(None).malformed = 2;
        assert_eq!(totals.packets(), 3);
        let text = totals.render(None);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        let fields: Vec<&str> = lines[2].split_whitespace().collect();
        assert_eq!(
            fields,
            ["2001:db8:200::1", "eth,sll2", "3", "300", "1", "0"]
        );
        assert!(lines[1].starts_with("(unknown)"));
    }
}
