//! Recognising the capture tunnel's own traffic on the link that carries it.
//!
//! Capturing the interface that carries the tunnel would otherwise feed on
//! itself (W14): the tunnel peer answers a tunnel packet with an ICMP
//! error quoting it, that error is captured and tunnelled, and each round is
//! larger than the last. Tunnel packets are marked so the stack does not
//! capture them, but ICMP errors about them and packets the stack rebuilt
//! (fragments) carry no mark, so they are recognised by their contents.

use super::link::LinkLayer;
use super::{icmp, ip, ip_proto, IpAddr};

/// How captured frames of an interface begin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Ethernet II header (Ethernet L2).
    Ethernet,
    /// A bare IP packet (dummy and loopback L2).
    RawIp,
    /// A 2-byte PPP protocol field, then the packet (PPP L2).
    Ppp,
    /// IEEE 802.15.4 (6LoWPAN): compressed headers, not looked into.
    Ieee802154,
    /// Something else; nothing is recognised.
    Other,
}

impl Link {
    /// How frames of this link carry IP packets; `None` for [`Link::Other`],
    /// whose frames are not looked into.
    pub const fn layer(self) -> Option<LinkLayer> {
        match self {
            Link::Ethernet => Some(LinkLayer::Ethernet),
            Link::RawIp => Some(LinkLayer::RawIp),
            Link::Ppp => Some(LinkLayer::Ppp),
            Link::Ieee802154 | Link::Other => None,
        }
    }
}

/// Whether the IP packet `packet` is tunnel traffic to or from `remote` (the
/// outer peer), or an ICMP error quoting a packet sent to it.
pub fn is_tunnel_packet(packet: &[u8], remote: &IpAddr) -> bool {
    let Some(header) = ip::parse(packet) else {
        return false;
    };
    if ip_proto::is_tunnel(header.protocol) && (header.dst == *remote || header.src == *remote) {
        return true;
    }
    if header.later_fragment {
        return false;
    }
    let quoted = match header.protocol {
        ip_proto::ICMP => icmp::quoted_by_icmpv4_error(header.payload),
        ip_proto::ICMPV6 => icmp::quoted_by_icmpv6_error(header.payload),
        _ => None,
    };
    quoted
        .and_then(ip::parse)
        .is_some_and(|inner| ip_proto::is_tunnel(inner.protocol) && inner.dst == *remote)
}

/// Whether a captured frame of a `link` interface is tunnel traffic (see
/// [`is_tunnel_packet`]).
pub fn is_tunnel_frame(frame: &[u8], link: Link, remote: &IpAddr) -> bool {
    link.layer()
        .and_then(|layer| layer.ip_packet(frame))
        .is_some_and(|packet| is_tunnel_packet(packet, remote))
}

#[cfg(test)]
mod tests;
