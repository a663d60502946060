//! The tshark-like one-line summary of a frame: time, device, link type,
//! direction, then what the frame carries (addresses, protocol, a few
//! protocol fields). Decoding beyond the link header uses etherparse;
//! the words of the info column are tshark's (`messages`).

mod messages;
mod time;

use std::fmt::Write as _;

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, TransportSlice};
use zephyr_net_capture::wire::{ethernet, sll};

use crate::link::inspect::Direction;
use crate::link::LinkType;

pub use time::{TimeColumn, TimeFormat};

/// Everything a summary line shows.
pub struct Line<'a> {
    /// The time column (see [`TimeColumn`]).
    pub time: &'a str,
    /// The device: its address, or its capture device and interface.
    pub device: &'a str,
    /// The frame's link type.
    pub link: LinkType,
    /// Its direction.
    pub direction: Direction,
    /// The frame.
    pub frame: &'a [u8],
}

impl Line<'_> {
    /// The line, columns aligned for a terminal.
    pub fn render(&self) -> String {
        format!(
            "{} {:<18} {:<4} {:<3} {}",
            self.time,
            self.device,
            self.link.to_string(),
            self.direction.arrow(),
            describe(self.link, self.frame)
        )
    }
}

/// What a frame of `link` carries, in a few words.
pub fn describe(link: LinkType, frame: &[u8]) -> String {
    match link {
        LinkType::Ethernet => match ethernet::Frame::parse(frame) {
            Ok(eth) => {
                let inner = network(eth.ethertype, eth.payload);
                inner.unwrap_or_else(|| {
                    format!(
                        "{} → {} ethertype 0x{:04x} len={}",
                        mac(&eth.src),
                        mac(&eth.dst),
                        eth.ethertype,
                        frame.len()
                    )
                })
            }
            Err(_) => format!("[malformed Ethernet, {} bytes]", frame.len()),
        },
        LinkType::RawIp => match LaxSlicedPacket::from_ip(frame) {
            Ok(packet) => layers(&packet).unwrap_or_else(|| format!("IP len={}", frame.len())),
            Err(_) => format!("[malformed IP, {} bytes]", frame.len()),
        },
        LinkType::Sll => match sll::Sll1Repr::parse(frame) {
            Ok(header) => cooked(
                header.hatype,
                header.protocol,
                frame.get(sll::SLL1_HEADER_LEN..).unwrap_or_default(),
            ),
            Err(_) => format!("[malformed SLL, {} bytes]", frame.len()),
        },
        LinkType::Sll2 => match sll::Sll2Repr::parse(frame) {
            Ok(header) => cooked(
                header.hatype,
                header.protocol,
                frame.get(sll::SLL2_HEADER_LEN..).unwrap_or_default(),
            ),
            Err(_) => format!("[malformed SLL2, {} bytes]", frame.len()),
        },
        LinkType::Ppp => ppp(frame),
        LinkType::Ieee802154 | LinkType::Ieee802154Fcs => ieee802154(frame),
        LinkType::Other(linktype) => format!("link type {linktype} len={}", frame.len()),
    }
}

/// A PPP frame: protocol (after an optional FF 03 address and control),
/// then IPv4/IPv6 decoded further.
fn ppp(frame: &[u8]) -> String {
    let body = match frame {
        [0xff, 0x03, rest @ ..] => rest,
        _ => frame,
    };
    // The protocol field may be compressed to one byte (odd first byte).
    let (protocol, payload) = match body {
        [first, rest @ ..] if first & 1 == 1 => (u16::from(*first), rest),
        [high, low, rest @ ..] => (u16::from_be_bytes([*high, *low]), rest),
        _ => return format!("[malformed PPP, {} bytes]", frame.len()),
    };
    let ethertype = match protocol {
        0x0021 => ethernet::ethertype::IPV4,
        0x0057 => ethernet::ethertype::IPV6,
        _ => 0,
    };
    if let Some(text) = network(ethertype, payload) {
        return text;
    }
    let name = match protocol {
        0xc021 => "LCP".to_string(),
        0xc023 => "PAP".to_string(),
        0xc223 => "CHAP".to_string(),
        0x8021 => "IPCP".to_string(),
        0x8057 => "IPV6CP".to_string(),
        other => format!("protocol 0x{other:04x}"),
    };
    format!("PPP {name} len={}", payload.len())
}

/// An IEEE 802.15.4 MAC frame: its frame type from the frame control field.
fn ieee802154(frame: &[u8]) -> String {
    let Some(&control) = frame.first() else {
        return "[malformed IEEE 802.15.4, 0 bytes]".to_string();
    };
    let kind = match control & 0b111 {
        0 => "beacon",
        1 => "data",
        2 => "ack",
        3 => "MAC command",
        _ => "frame",
    };
    format!("IEEE 802.15.4 {kind} len={}", frame.len())
}

fn cooked(hatype: u16, protocol: u16, payload: &[u8]) -> String {
    if let Some(text) = network(protocol, payload) {
        return text;
    }
    let what = match (hatype, protocol) {
        (512, 0x0019) | (512, 0x0007) => "PPP-HDLC".to_string(),
        (280, _) => "CAN".to_string(),
        _ => format!("hatype {hatype} protocol 0x{protocol:04x}"),
    };
    format!("{what} len={}", payload.len())
}

fn network(ethertype: u16, payload: &[u8]) -> Option<String> {
    let known = [
        ethernet::ethertype::IPV4,
        ethernet::ethertype::IPV6,
        ethernet::ethertype::ARP,
    ];
    if !known.contains(&ethertype) {
        return None;
    }
    layers(&LaxSlicedPacket::from_ether_type(
        EtherType(ethertype),
        payload,
    ))
}

fn layers(packet: &LaxSlicedPacket<'_>) -> Option<String> {
    let (src, dst) = match packet.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => (
            ip.header().source_addr().to_string(),
            ip.header().destination_addr().to_string(),
        ),
        LaxNetSlice::Ipv6(ip) => (
            ip.header().source_addr().to_string(),
            ip.header().destination_addr().to_string(),
        ),
        LaxNetSlice::Arp(arp) => {
            return Some(format!(
                "ARP {}",
                messages::arp(
                    arp.operation().0,
                    arp.sender_hw_addr(),
                    arp.sender_protocol_addr(),
                    arp.target_protocol_addr()
                )
            ))
        }
    };
    let mut text = format!("{src} → {dst} ");
    match &packet.transport {
        Some(TransportSlice::Udp(udp)) => {
            let _ = write!(
                text,
                "UDP {} → {} len={}",
                udp.source_port(),
                udp.destination_port(),
                udp.payload().len()
            );
        }
        Some(TransportSlice::Tcp(tcp)) => {
            let mut flags = String::new();
            for (set, name) in [
                (tcp.syn(), "SYN"),
                (tcp.ack(), "ACK"),
                (tcp.fin(), "FIN"),
                (tcp.rst(), "RST"),
                (tcp.psh(), "PSH"),
            ] {
                if set {
                    if !flags.is_empty() {
                        flags.push(',');
                    }
                    flags.push_str(name);
                }
            }
            let _ = write!(
                text,
                "TCP {} → {} [{flags}] seq={} len={}",
                tcp.source_port(),
                tcp.destination_port(),
                tcp.sequence_number(),
                tcp.payload().len()
            );
        }
        Some(TransportSlice::Icmpv4(icmp)) => {
            let _ = write!(text, "ICMP {}", messages::icmpv4(icmp.slice()));
        }
        Some(TransportSlice::Icmpv6(icmp)) => {
            let _ = write!(text, "ICMPv6 {}", messages::icmpv6(icmp.slice()));
        }
        Some(_) | None => {
            let protocol = match packet.net.as_ref() {
                Some(LaxNetSlice::Ipv4(ip)) => ip.header().protocol().0,
                Some(LaxNetSlice::Ipv6(ip)) => ip.header().next_header().0,
                _ => 0,
            };
            let _ = write!(text, "IP proto {protocol}");
        }
    }
    Some(text)
}

/// A MAC address as `02:00:5e:00:53:01`.
pub(crate) fn mac(bytes: &[u8; 6]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

#[cfg(test)]
mod tests;
