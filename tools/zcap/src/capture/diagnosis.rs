//! Why a capture kept nothing, from what the run saw: frames the filters
//! dropped, tunnel packets to other ports, traffic on an interface that
//! needs `--tunnel-less`, no tunnel at all, a file that is decapsulated
//! already.

use std::path::Path;

use crate::cli::Source;
use crate::decap::Sightings;
use crate::input::offline::FileFacts;
use crate::sources::{self, InterfaceKind};

/// What the run saw, besides frames it kept.
pub struct Evidence<'a> {
    /// The source.
    pub source: &'a Source,
    /// The inner UDP ports zcap accepted.
    pub ports: &'a [u16],
    /// Frames the capture filter dropped, and its text.
    pub filtered: (u64, Option<&'a str>),
    /// Frames from devices `--device` does not name.
    pub other_devices: u64,
    /// Malformed datagrams or frames.
    pub malformed: u64,
    /// What a decapsulating input saw.
    pub sightings: Option<&'a Sightings>,
    /// What a capture file held.
    pub file: Option<&'a FileFacts>,
    /// Packets the named interface received during the run.
    pub interface_rx: Option<u64>,
    /// Records a serial stream carried.
    pub stream_records: Option<u64>,
}

fn ports_text(ports: &[u16]) -> String {
    let texts: Vec<String> = ports.iter().map(u16::to_string).collect();
    texts.join(", ")
}

/// The reasons, most specific first; never empty.
pub fn reasons(evidence: &Evidence<'_>) -> Vec<String> {
    let mut reasons = Vec::new();
    if let (filtered @ 1.., Some(text)) = evidence.filtered {
        reasons.push(format!(
            "{filtered} frames did not match the capture filter '{text}'"
        ));
    }
    let refused_devices =
        evidence.sightings.map_or(0, |seen| seen.refused_devices) + evidence.other_devices;
    if refused_devices > 0 {
        reasons.push(format!(
            "{refused_devices} frames came from devices --device does not name"
        ));
    }
    if evidence.malformed > 0 {
        reasons.push(format!(
            "{} capture datagrams were malformed (reported above)",
            evidence.malformed
        ));
    }
    if let Some(reason) = source_reason(evidence) {
        reasons.push(reason);
    }
    if reasons.is_empty() {
        reasons.push("no frame arrived before the capture ended".to_string());
    }
    reasons
}

/// The tunnel carried datagrams to ports zcap does not accept.
fn wrong_ports(seen: &Sightings, accepted: &[u16]) -> Option<String> {
    let (first, _) = seen.refused_ports.iter().max_by_key(|(_, count)| **count)?;
    let total: u64 = seen.refused_ports.values().sum();
    let ports: Vec<u16> = seen.refused_ports.keys().copied().collect();
    Some(format!(
        "the tunnel carried {total} datagrams to UDP port {} but zcap accepts {}: pass --port {first}",
        ports_text(&ports),
        ports_text(accepted)
    ))
}

fn source_reason(evidence: &Evidence<'_>) -> Option<String> {
    let ports = ports_text(evidence.ports);
    match evidence.source {
        Source::Udp { interface, .. } => Some(udp_reason(interface.as_deref(), &ports, evidence)),
        Source::TunnelLess { interface } => {
            let seen = evidence.sightings?;
            if seen.packets == 0 {
                return Some(format!(
                    "no IP packet arrived on {interface}; is it the interface the device sends over? (zcap -D lists them)"
                ));
            }
            if seen.tunnel == 0 {
                return Some(format!(
                    "{} packets arrived on {interface}, none of them a tunnel packet (IPv4 or IPv6 in IP): is capture enabled on the device ('net capture enable <ifindex>'), and does it tunnel to this host ('net capture' shows it)?",
                    seen.packets
                ));
            }
            wrong_ports(seen, evidence.ports)
        }
        Source::Offline { path } => file_reason(path, evidence),
        Source::Serial { path, .. } => match evidence.stream_records {
            Some(0) | None => Some(format!(
                "no capture stream record arrived on {}: does the device send its stream there, at this baud rate (--baud)?",
                path.display()
            )),
            Some(records) => Some(format!(
                "the stream on {} carried {records} records but no packet",
                path.display()
            )),
        },
        Source::Shell(_) => None,
    }
}

fn udp_reason(interface: Option<&str>, ports: &str, evidence: &Evidence<'_>) -> String {
    let enabled = "is capture enabled on the device ('net capture enable <ifindex>'), and does it send to this port ('net capture' shows its peer)?";
    let Some(name) = interface else {
        let tunnels = sources::network_interfaces()
            .into_iter()
            .any(|interface| interface.kind.is_tunnel());
        if !tunnels {
            return format!(
                "this host has no IPIP, SIT or ip6tnl interface, so no tunnel delivers capture datagrams to UDP port {ports}: create the tunnels (net-tools: net-setup.sh -c zeth-tunnel.conf) or read the interface carrying them with -i IFACE --tunnel-less (zcap -D lists them)"
            );
        }
        return format!("no capture datagram arrived on UDP port {ports}: {enabled}");
    };
    let traffic = match evidence.interface_rx {
        Some(count @ 1..) => format!(" ({count} packets arrived on it meanwhile)"),
        _ => String::new(),
    };
    match sources::interface_kind(name) {
        Some(InterfaceKind::Tunnel(_)) | None => {
            format!("no capture datagram arrived on {name}, UDP port {ports}{traffic}: {enabled}")
        }
        Some(_) => format!(
            "{name} is not a tunnel end: the tunnel arrives on it still encapsulated and never reaches a UDP socket{traffic}; read it with -i {name} --tunnel-less"
        ),
    }
}

fn file_reason(path: &Path, evidence: &Evidence<'_>) -> Option<String> {
    let file = evidence.file?;
    let name = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    if file.written_by_zcap {
        return Some(format!(
            "{name} was written by zcap: it holds the device's frames already; open it directly (wireshark {name}) instead of decapsulating it"
        ));
    }
    if file.records == 0 {
        return Some(format!("{name} holds no packets"));
    }
    let seen = evidence.sightings?;
    if seen.packets == 0 {
        let types: Vec<String> = file.unsupported.iter().map(u32::to_string).collect();
        return Some(format!(
            "none of the {} packets in {name} is an IP packet (link types {}); record the interface that carries the tunnel",
            file.records,
            types.join(", ")
        ));
    }
    if seen.tunnel == 0 {
        return Some(format!(
            "none of the {} packets in {name} is a tunnel packet (IPv4 or IPv6 in IP): if it holds the device's frames already (decapsulated), open it directly",
            file.records
        ));
    }
    wrong_ports(seen, evidence.ports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn evidence<'a>(source: &'a Source, sightings: Option<&'a Sightings>) -> Evidence<'a> {
        Evidence {
            source,
            ports: &[4242],
            filtered: (0, None),
            other_devices: 0,
            malformed: 0,
            sightings,
            file: None,
            interface_rx: None,
            stream_records: None,
        }
    }

    #[test]
    fn tunnel_packets_to_other_ports_name_the_port_to_pass() {
        let source = Source::TunnelLess {
            interface: "zeth".into(),
        };
        let mut seen = Sightings {
            packets: 9,
            tunnel: 5,
            ..Sightings::default()
        };
        seen.refused_ports.insert(4243, 4);
        seen.refused_ports.insert(5000, 1);
        let reasons = reasons(&evidence(&source, Some(&seen)));
        assert_eq!(
            reasons,
            ["the tunnel carried 5 datagrams to UDP port 4243, 5000 but zcap accepts 4242: pass --port 4243"]
        );
        let quiet = Sightings {
            packets: 3,
            ..Sightings::default()
        };
        assert!(reasons_of(&source, &quiet).contains("none of them a tunnel packet"));
        assert!(
            reasons_of(&source, &Sightings::default()).starts_with("no IP packet arrived on zeth")
        );
    }

    fn reasons_of(source: &Source, seen: &Sightings) -> String {
        reasons(&evidence(source, Some(seen))).join("; ")
    }

    #[test]
    fn a_tap_read_over_udp_needs_tunnel_less() {
        let source = Source::Udp {
            listen: "::".parse().unwrap(),
            ports: vec![4242],
            interface: Some("lo".into()),
        };
        let mut seen = evidence(&source, None);
        seen.interface_rx = Some(12);
        let text = reasons(&seen).join("; ");
        assert_eq!(
            text,
            "lo is not a tunnel end: the tunnel arrives on it still encapsulated and never reaches a UDP socket (12 packets arrived on it meanwhile); read it with -i lo --tunnel-less"
        );
    }

    #[test]
    fn a_decapsulated_file_is_recognised() {
        let source = Source::Offline {
            path: PathBuf::from("frames.pcapng"),
        };
        let file = FileFacts {
            records: 4,
            written_by_zcap: true,
            ..FileFacts::default()
        };
        let seen = Sightings {
            packets: 4,
            ..Sightings::default()
        };
        let mut facts = evidence(&source, Some(&seen));
        facts.file = Some(&file);
        assert!(reasons(&facts)[0].starts_with("frames.pcapng was written by zcap"));
        let other = FileFacts {
            records: 4,
            ..FileFacts::default()
        };
        facts.file = Some(&other);
        assert!(reasons(&facts)[0]
            .starts_with("none of the 4 packets in frames.pcapng is a tunnel packet"));
    }

    #[test]
    fn filters_come_first_and_something_is_always_said() {
        let source = Source::Shell(Box::new(crate::shell::ShellOptions {
            path: "/dev/pts/9".into(),
            baud: 115_200,
            host_interface: None,
            device_iface: None,
            remote: None,
            local: "2001:db8:200::1".parse().unwrap(),
            peer: "2001:db8:200::2".parse().unwrap(),
            timeout: std::time::Duration::from_secs(1),
        }));
        let mut facts = evidence(&source, None);
        assert_eq!(
            reasons(&facts),
            ["no frame arrived before the capture ended"]
        );
        facts.filtered = (3, Some("icmp6"));
        facts.other_devices = 2;
        assert_eq!(
            reasons(&facts),
            [
                "3 frames did not match the capture filter 'icmp6'",
                "2 frames came from devices --device does not name"
            ]
        );
    }
}
