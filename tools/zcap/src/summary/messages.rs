//! The info column of ARP, ICMP and ICMPv6 packets, worded as tshark
//! words it ("Who has 192.0.2.1? Tell 192.0.2.2", "Neighbor
//! Solicitation for 2001:db8::1 from 00:00:5e:00:53:ff", "Multicast
//! Listener Report Message v2"), read from the message bytes so that no
//! decoder's type names leak into the line.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::mac;

/// Echo request/reply identifier and sequence number, as tshark shows
/// them.
fn echo(message: &[u8]) -> String {
    match message.get(4..8) {
        Some(&[id_high, id_low, seq_high, seq_low]) => format!(
            " id=0x{:04x}, seq={}",
            u16::from_be_bytes([id_high, id_low]),
            u16::from_be_bytes([seq_high, seq_low])
        ),
        _ => String::new(),
    }
}

/// An ICMP message (RFC 792), from its type byte on.
pub fn icmpv4(message: &[u8]) -> String {
    let (Some(&kind), code) = (message.first(), message.get(1).copied().unwrap_or(0)) else {
        return "[malformed ICMP, 0 bytes]".to_string();
    };
    match kind {
        0 => format!("Echo (ping) reply{}", echo(message)),
        8 => format!("Echo (ping) request{}", echo(message)),
        3 => {
            let reason = match code {
                0 => "Network unreachable",
                1 => "Host unreachable",
                2 => "Protocol unreachable",
                3 => "Port unreachable",
                4 => "Fragmentation needed",
                13 => "Communication administratively filtered",
                _ => "",
            };
            with_reason("Destination unreachable", reason, code)
        }
        5 => "Redirect".to_string(),
        11 if code == 1 => "Time-to-live exceeded (Fragment reassembly time exceeded)".to_string(),
        11 => "Time-to-live exceeded (Time to live exceeded in transit)".to_string(),
        12 => "Parameter problem".to_string(),
        13 => "Timestamp request".to_string(),
        14 => "Timestamp reply".to_string(),
        other => format!("Type {other}, code {code}"),
    }
}

fn with_reason(what: &str, reason: &str, code: u8) -> String {
    if reason.is_empty() {
        format!("{what} (code {code})")
    } else {
        format!("{what} ({reason})")
    }
}

/// NDP option types (RFC 4861 section 4.6).
const SOURCE_LINK_ADDR: u8 = 1;
const TARGET_LINK_ADDR: u8 = 2;

/// The link-layer address in the NDP option `wanted` among `options`.
fn ndp_link_addr(mut options: &[u8], wanted: u8) -> Option<String> {
    while let [kind, units, ..] = options {
        let len = usize::from(*units) * 8;
        if len == 0 {
            return None;
        }
        let option = options.get(..len)?;
        if *kind == wanted {
            return <[u8; 6]>::try_from(option.get(2..8)?).ok().map(|m| mac(&m));
        }
        options = options.get(len..)?;
    }
    None
}

/// The target address of a neighbour solicitation or advertisement.
fn ndp_target(message: &[u8]) -> Option<Ipv6Addr> {
    <[u8; 16]>::try_from(message.get(8..24)?)
        .ok()
        .map(Ipv6Addr::from)
}

fn from_source(options: &[u8]) -> String {
    ndp_link_addr(options, SOURCE_LINK_ADDR)
        .map(|addr| format!(" from {addr}"))
        .unwrap_or_default()
}

/// An ICMPv6 message (RFC 4443, 4861, 3810), from its type byte on.
pub fn icmpv6(message: &[u8]) -> String {
    let (Some(&kind), code) = (message.first(), message.get(1).copied().unwrap_or(0)) else {
        return "[malformed ICMPv6, 0 bytes]".to_string();
    };
    let after = |at: usize| message.get(at..).unwrap_or_default();
    match kind {
        1 => {
            let reason = match code {
                0 => "no route to destination",
                1 => "administratively prohibited",
                3 => "Address unreachable",
                4 => "Port unreachable",
                _ => "",
            };
            with_reason("Destination Unreachable", reason, code)
        }
        2 => "Packet Too Big".to_string(),
        3 if code == 1 => "Time Exceeded (fragment reassembly time exceeded)".to_string(),
        3 => "Time Exceeded (hop limit exceeded in transit)".to_string(),
        4 => "Parameter Problem".to_string(),
        128 => format!("Echo (ping) request{}", echo(message)),
        129 => format!("Echo (ping) reply{}", echo(message)),
        130 => "Multicast Listener Query".to_string(),
        131 => "Multicast Listener Report".to_string(),
        132 => "Multicast Listener Done".to_string(),
        133 => format!("Router Solicitation{}", from_source(after(8))),
        134 => format!("Router Advertisement{}", from_source(after(16))),
        135 => match ndp_target(message) {
            Some(target) => format!(
                "Neighbor Solicitation for {target}{}",
                from_source(after(24))
            ),
            None => "Neighbor Solicitation".to_string(),
        },
        136 => match ndp_target(message) {
            Some(target) => {
                let flags = message.get(4).copied().unwrap_or(0);
                let names: Vec<&str> = [(0x80, "rtr"), (0x40, "sol"), (0x20, "ovr")]
                    .iter()
                    .filter(|(bit, _)| flags & bit != 0)
                    .map(|(_, name)| *name)
                    .collect();
                let flags = if names.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", names.join(", "))
                };
                let at = ndp_link_addr(after(24), TARGET_LINK_ADDR)
                    .map(|addr| format!(" is at {addr}"))
                    .unwrap_or_default();
                format!("Neighbor Advertisement {target}{flags}{at}")
            }
            None => "Neighbor Advertisement".to_string(),
        },
        137 => "Redirect".to_string(),
        143 => "Multicast Listener Report Message v2".to_string(),
        other => format!("Type {other}, code {code}"),
    }
}

/// ARP operation codes (RFC 826).
const ARP_REQUEST: u16 = 1;
const ARP_REPLY: u16 = 2;

/// An ARP packet for IPv4 over a 6-byte hardware address, or a short
/// description of any other.
pub fn arp(operation: u16, sender_hw: &[u8], sender_ip: &[u8], target_ip: &[u8]) -> String {
    let ip = |bytes: &[u8]| <[u8; 4]>::try_from(bytes).ok().map(Ipv4Addr::from);
    let hw = <[u8; 6]>::try_from(sender_hw).ok().map(|m| mac(&m));
    let (Some(sender), Some(target)) = (ip(sender_ip), ip(target_ip)) else {
        return format!("ARP operation {operation} (not IPv4)");
    };
    match operation {
        ARP_REQUEST if sender.is_unspecified() => format!("Who has {target}? (ARP Probe)"),
        ARP_REQUEST if sender == target => format!("Gratuitous ARP for {target} (Request)"),
        ARP_REQUEST => format!("Who has {target}? Tell {sender}"),
        ARP_REPLY => match hw {
            Some(_) if sender == target => format!("Gratuitous ARP for {sender} (Reply)"),
            Some(hw) => format!("{sender} is at {hw}"),
            None => format!("{sender} is at an address of {} bytes", sender_hw.len()),
        },
        other => format!("ARP operation {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x00, 0x53, 0x01];

    #[test]
    fn arp_reads_like_tshark() {
        let (a, b) = ([192, 0, 2, 1], [192, 0, 2, 2]);
        assert_eq!(arp(1, &MAC, &b, &a), "Who has 192.0.2.1? Tell 192.0.2.2");
        assert_eq!(arp(2, &MAC, &a, &b), "192.0.2.1 is at 02:00:5e:00:53:01");
        assert_eq!(
            arp(1, &MAC, &a, &a),
            "Gratuitous ARP for 192.0.2.1 (Request)"
        );
        assert_eq!(arp(1, &MAC, &[0; 4], &a), "Who has 192.0.2.1? (ARP Probe)");
        assert_eq!(arp(9, &MAC, &a, &b), "ARP operation 9");
        assert_eq!(arp(1, &MAC, &[1; 16], &a), "ARP operation 1 (not IPv4)");
    }

    #[test]
    fn icmpv6_neighbour_discovery_names_target_and_link_address() {
        let target: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let mut solicitation = vec![135, 0, 0, 0, 0, 0, 0, 0];
        solicitation.extend_from_slice(&target.octets());
        solicitation.extend_from_slice(&[SOURCE_LINK_ADDR, 1]);
        solicitation.extend_from_slice(&MAC);
        assert_eq!(
            icmpv6(&solicitation),
            "Neighbor Solicitation for 2001:db8::1 from 02:00:5e:00:53:01"
        );
        let mut advertisement = vec![136, 0, 0, 0, 0x60, 0, 0, 0];
        advertisement.extend_from_slice(&target.octets());
        advertisement.extend_from_slice(&[TARGET_LINK_ADDR, 1]);
        advertisement.extend_from_slice(&MAC);
        assert_eq!(
            icmpv6(&advertisement),
            "Neighbor Advertisement 2001:db8::1 (sol, ovr) is at 02:00:5e:00:53:01"
        );
        // A zero-length option ends the walk instead of looping.
        solicitation[25] = 0;
        assert_eq!(
            icmpv6(&solicitation),
            "Neighbor Solicitation for 2001:db8::1"
        );
    }

    #[test]
    fn icmp_types_are_named_as_tshark_names_them() {
        assert_eq!(
            icmpv6(&[143, 0, 0, 0, 0, 0, 0, 1]),
            "Multicast Listener Report Message v2"
        );
        assert_eq!(
            icmpv6(&[128, 0, 0, 0, 0, 0x42, 0, 7]),
            "Echo (ping) request id=0x0042, seq=7"
        );
        assert_eq!(
            icmpv6(&[1, 4, 0, 0]),
            "Destination Unreachable (Port unreachable)"
        );
        assert_eq!(
            icmpv4(&[0, 0, 0, 0, 0, 1, 0, 2]),
            "Echo (ping) reply id=0x0001, seq=2"
        );
        assert_eq!(
            icmpv4(&[3, 3, 0, 0]),
            "Destination unreachable (Port unreachable)"
        );
        assert_eq!(icmpv4(&[3, 9, 0, 0]), "Destination unreachable (code 9)");
        assert_eq!(icmpv4(&[42, 1]), "Type 42, code 1");
        assert_eq!(icmpv4(&[]), "[malformed ICMP, 0 bytes]");
    }
}
