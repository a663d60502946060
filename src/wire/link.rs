//! The IP packet inside a captured frame, for the link layers the capture
//! tunnel meets: the device's own interfaces (what `feedback` looks
//! through) and the pcap link types of a recording of the interface that
//! carries the tunnel (what zcap decapsulates offline).

use super::{ethernet, sll};

/// pcap link type numbers (the tcpdump.org LINKTYPE_ registry) of the
/// link layers in this module.
pub mod linktype {
    /// BSD loopback: a 4-byte address family in the writer's byte order.
    pub const NULL: u32 = 0;
    /// Ethernet II.
    pub const ETHERNET: u32 = 1;
    /// Raw IPv4 or IPv6, the version in the first nibble.
    pub const RAW: u32 = 101;
    /// Raw IPv4.
    pub const IPV4: u32 = 228;
    /// Raw IPv6.
    pub const IPV6: u32 = 229;
    /// Linux cooked capture v1.
    pub const LINUX_SLL: u32 = super::sll::LINKTYPE_LINUX_SLL;
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: u32 = super::sll::LINKTYPE_LINUX_SLL2;
}

/// Length of the BSD loopback header.
const NULL_HEADER_LEN: usize = 4;

/// How a frame carries its network-layer packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkLayer {
    /// Ethernet II, VLAN tags skipped; IPv4 and IPv6 EtherTypes.
    Ethernet,
    /// The frame is the IP packet.
    RawIp,
    /// A 2-byte PPP protocol field (0x0021 IPv4, 0x0057 IPv6), then the
    /// packet, as Zephyr's PPP L2 hands frames to capture. No `ff 03`
    /// address and control bytes: pcap's LINKTYPE_PPP may have them, so it
    /// does not map here.
    Ppp,
    /// Linux cooked capture v1 with protocol IPv4 or IPv6.
    Sll1,
    /// Linux cooked capture v2 with protocol IPv4 or IPv6.
    Sll2,
    /// BSD loopback: a 4-byte address family, then the packet.
    BsdLoopback,
}

impl LinkLayer {
    /// The link layer of a pcap link type, if frames of it can carry the
    /// tunnel.
    pub const fn from_linktype(number: u32) -> Option<LinkLayer> {
        match number {
            linktype::NULL => Some(LinkLayer::BsdLoopback),
            linktype::ETHERNET => Some(LinkLayer::Ethernet),
            linktype::RAW | linktype::IPV4 | linktype::IPV6 => Some(LinkLayer::RawIp),
            linktype::LINUX_SLL => Some(LinkLayer::Sll1),
            linktype::LINUX_SLL2 => Some(LinkLayer::Sll2),
            _ => None,
        }
    }

    /// The IP packet `frame` carries, or `None` when it carries another
    /// protocol or is too short for its link header. Only the link header
    /// is read: the packet may still be damaged.
    pub fn ip_packet(self, frame: &[u8]) -> Option<&[u8]> {
        match self {
            LinkLayer::RawIp => Some(frame),
            LinkLayer::Ethernet => {
                let parsed = ethernet::Frame::parse(frame).ok()?;
                is_ip_ethertype(parsed.ethertype).then_some(parsed.payload)
            }
            LinkLayer::Ppp => match frame {
                [0x00, 0x21 | 0x57, packet @ ..] => Some(packet),
                _ => None,
            },
            LinkLayer::Sll1 => {
                let header = sll::Sll1Repr::parse(frame).ok()?;
                if !is_ip_ethertype(header.protocol) {
                    return None;
                }
                frame.get(sll::SLL1_HEADER_LEN..)
            }
            LinkLayer::Sll2 => {
                let header = sll::Sll2Repr::parse(frame).ok()?;
                if !is_ip_ethertype(header.protocol) {
                    return None;
                }
                frame.get(sll::SLL2_HEADER_LEN..)
            }
            LinkLayer::BsdLoopback => frame.get(NULL_HEADER_LEN..),
        }
    }
}

const fn is_ip_ethertype(ethertype: u16) -> bool {
    ethertype == ethernet::ethertype::IPV4 || ethertype == ethernet::ethertype::IPV6
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    const PACKET: [u8; 4] = [0x45, 0, 0, 20];

    fn framed(header: &[u8]) -> Vec<u8> {
        let mut frame = header.to_vec();
        frame.extend_from_slice(&PACKET);
        frame
    }

    #[test]
    fn each_link_layer_finds_the_packet_after_its_header() {
        let mut eth = [0u8; 14];
        eth[12..].copy_from_slice(&[0x86, 0xdd]);
        let sll1 = [0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        let mut sll2 = [0u8; 20];
        sll2[..2].copy_from_slice(&[0x08, 0x00]);
        for (layer, header) in [
            (LinkLayer::Ethernet, &eth[..]),
            (LinkLayer::RawIp, &[][..]),
            (LinkLayer::Ppp, &[0x00, 0x21][..]),
            (LinkLayer::Ppp, &[0x00, 0x57][..]),
            (LinkLayer::Sll1, &sll1[..]),
            (LinkLayer::Sll2, &sll2[..]),
            (LinkLayer::BsdLoopback, &2u32.to_le_bytes()[..]),
        ] {
            assert_eq!(
                layer.ip_packet(&framed(header)),
                Some(&PACKET[..]),
                "{layer:?}"
            );
        }
    }

    #[test]
    fn other_protocols_and_short_frames_carry_no_packet() {
        let mut arp = [0u8; 14];
        arp[12..].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(LinkLayer::Ethernet.ip_packet(&framed(&arp)), None);
        assert_eq!(LinkLayer::Ethernet.ip_packet(&[0u8; 13]), None);
        assert_eq!(LinkLayer::Ppp.ip_packet(&framed(&[0xc0, 0x21])), None);
        // HDLC-framed PPP is not what Zephyr's PPP L2 captures.
        assert_eq!(
            LinkLayer::Ppp.ip_packet(&framed(&[0xff, 0x03, 0, 0x21])),
            None
        );
        let cooked_hdlc = [0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x19];
        assert_eq!(LinkLayer::Sll1.ip_packet(&framed(&cooked_hdlc)), None);
        assert_eq!(LinkLayer::Sll2.ip_packet(&[0x08, 0x00, 0, 0]), None);
        assert_eq!(LinkLayer::BsdLoopback.ip_packet(&[2, 0, 0]), None);
    }

    #[test]
    fn pcap_link_types_map_to_their_layer() {
        assert_eq!(LinkLayer::from_linktype(0), Some(LinkLayer::BsdLoopback));
        assert_eq!(LinkLayer::from_linktype(1), Some(LinkLayer::Ethernet));
        for raw in [101, 228, 229] {
            assert_eq!(LinkLayer::from_linktype(raw), Some(LinkLayer::RawIp));
        }
        assert_eq!(LinkLayer::from_linktype(113), Some(LinkLayer::Sll1));
        assert_eq!(LinkLayer::from_linktype(276), Some(LinkLayer::Sll2));
        for other in [9, 147, 195, 230] {
            assert_eq!(LinkLayer::from_linktype(other), None);
        }
    }
}
