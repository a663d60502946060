//! Per-device totals, printed when the capture ends.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use crate::input::DecapCounts;
use crate::link::LinkType;

/// What one device sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceTotals {
    /// Frames received.
    pub packets: u64,
    /// Bytes of those frames.
    pub bytes: u64,
    /// Frames or datagrams that could not be decoded.
    pub malformed: u64,
    /// Datagrams the host dropped (socket queue full), attributed to the
    /// device whose frame came next.
    pub drops: u64,
    /// Frames a pcap file could not hold (another link type).
    pub not_written: u64,
    /// Link types its frames had.
    pub links: BTreeSet<LinkType>,
}

/// Totals of all devices; `None` collects what no device can be named for.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    devices: BTreeMap<Option<IpAddr>, DeviceTotals>,
}

impl Totals {
    /// The totals of `device`, created on first use.
    pub fn device(&mut self, device: Option<IpAddr>) -> &mut DeviceTotals {
        self.devices.entry(device).or_default()
    }

    /// Frames received from all devices.
    pub fn packets(&self) -> u64 {
        self.devices.values().map(|totals| totals.packets).sum()
    }

    /// The closing table.
    pub fn render(&self, decap: Option<&DecapCounts>) -> String {
        let mut text = format!(
            "{:<40} {:<9} {:>10} {:>12} {:>9} {:>7}\n",
            "device", "links", "packets", "bytes", "malformed", "drops"
        );
        for (device, totals) in &self.devices {
            let name = device.map_or_else(|| "(unknown)".to_string(), |addr| addr.to_string());
            let links: Vec<&str> = totals.links.iter().map(|link| link.name()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_each_device_with_its_counts() {
        let mut totals = Totals::default();
        let dev: IpAddr = "2001:db8:200::1".parse().unwrap();
        let entry = totals.device(Some(dev));
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
