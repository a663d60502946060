//! What a frame of a known link type says about itself: the direction it
//! travelled (SLL packet type) and whether it is too damaged to decode.

use zephyr_net_capture::wire::{ip, sll, Error};

use super::LinkType;

/// Which way a frame went, as far as the frame says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Nothing in the frame tells (Ethernet, raw IP, or an untrustworthy
    /// SLL v2 header from the C implementation).
    Unknown,
    /// Received by the device, with how it was addressed.
    Inbound(Reception),
    /// Sent by the device.
    Outbound,
}

/// How an inbound frame was addressed (pcapng `epb_flags` bits 2-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reception {
    /// Not known (a serial stream's record says inbound, nothing more).
    Unspecified,
    /// To this host.
    Unicast,
    /// To a multicast group.
    Multicast,
    /// To everybody.
    Broadcast,
    /// To another host, seen in promiscuous mode.
    Promiscuous,
}

impl Direction {
    /// The pcapng `epb_flags` word for this direction.
    pub fn epb_flags(self) -> u32 {
        match self {
            Direction::Unknown => 0,
            Direction::Outbound => 0b10,
            Direction::Inbound(reception) => {
                let bits = match reception {
                    Reception::Unspecified => 0,
                    Reception::Unicast => 1,
                    Reception::Multicast => 2,
                    Reception::Broadcast => 3,
                    Reception::Promiscuous => 4,
                };
                0b01 | (bits << 2)
            }
        }
    }

    /// A short word for summaries.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Unknown => "  ",
            Direction::Inbound(_) => "in",
            Direction::Outbound => "out",
        }
    }

    fn from_pkttype(pkttype: u16) -> Direction {
        match pkttype {
            sll::packet_type::HOST => Direction::Inbound(Reception::Unicast),
            sll::packet_type::BROADCAST => Direction::Inbound(Reception::Broadcast),
            sll::packet_type::MULTICAST => Direction::Inbound(Reception::Multicast),
            sll::packet_type::OTHERHOST => Direction::Inbound(Reception::Promiscuous),
            sll::packet_type::OUTGOING => Direction::Outbound,
            _ => Direction::Unknown,
        }
    }
}

/// What one frame says about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Which way it went.
    pub direction: Direction,
    /// Why it cannot be decoded as its link type, if it cannot.
    pub problem: Option<&'static str>,
    /// An SLL v2 header as the C implementation wrote it on little-endian
    /// devices: zero pkttype and halen, host-order ifindex.
    pub legacy_sll2: bool,
}

/// Whether an SLL v2 header carries the C implementation's byte-swapped
/// interface index (a small index stored little-endian reads as a large
/// big-endian number whose low bytes are zero). Its zero pkttype and halen
/// then say nothing.
pub fn is_legacy_sll2(header: &sll::Sll2Repr) -> bool {
    let swapped = header.ifindex.swap_bytes();
    header.ifindex > 0xffff && swapped != 0 && swapped <= 0xffff && header.pkttype == 0
}

/// Inspects a frame of `link`.
pub fn inspect(link: LinkType, frame: &[u8]) -> Facts {
    let fine = |direction| Facts {
        direction,
        problem: None,
        legacy_sll2: false,
    };
    let broken = |problem| Facts {
        direction: Direction::Unknown,
        problem: Some(problem),
        legacy_sll2: false,
    };
    match link {
        LinkType::Ethernet => {
            if frame.len() < 14 {
                broken("shorter than an Ethernet header (14 bytes)")
            } else {
                fine(Direction::Unknown)
            }
        }
        LinkType::RawIp => match ip::parse(frame) {
            Some(_) => fine(Direction::Unknown),
            None => broken("not an IPv4 or IPv6 packet"),
        },
        LinkType::Sll => match sll::Sll1Repr::parse(frame) {
            Ok(header) if header.pkttype <= sll::packet_type::OUTGOING => {
                fine(Direction::from_pkttype(header.pkttype))
            }
            Ok(_) => broken("SLL packet type is not 0-4"),
            Err(_) => broken("shorter than an SLL header (16 bytes)"),
        },
        LinkType::Sll2 => match sll::Sll2Repr::parse(frame) {
            Ok(header) if is_legacy_sll2(&header) => Facts {
                direction: Direction::Unknown,
                problem: None,
                legacy_sll2: true,
            },
            Ok(header) if u16::from(header.pkttype) <= sll::packet_type::OUTGOING => {
                fine(Direction::from_pkttype(u16::from(header.pkttype)))
            }
            Ok(_) => broken("SLL2 packet type is not 0-4"),
            Err(Error::Truncated) => broken("shorter than an SLL2 header (20 bytes)"),
            Err(_) => broken("SLL2 reserved field is not zero"),
        },
        LinkType::Ieee802154 | LinkType::Ieee802154Fcs if frame.len() < 3 => {
            broken("shorter than an IEEE 802.15.4 header (3 bytes)")
        }
        LinkType::Ppp if frame.len() < 2 => broken("shorter than a PPP header (2 bytes)"),
        LinkType::Ieee802154 | LinkType::Ieee802154Fcs | LinkType::Ppp | LinkType::Other(_) => {
            fine(Direction::Unknown)
        }
    }
}

/// Rewrites the byte-swapped interface index of a legacy SLL v2 header in
/// network order (`--repair-sll2`); the lost pkttype and halen cannot be
/// recovered. Returns whether the frame was changed.
pub fn repair_legacy_sll2(frame: &mut [u8]) -> bool {
    let Ok(header) = sll::Sll2Repr::parse(frame) else {
        return false;
    };
    if !is_legacy_sll2(&header) {
        return false;
    }
    match frame.get_mut(4..8) {
        Some(field) => {
            field.copy_from_slice(&header.ifindex.swap_bytes().to_be_bytes());
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zephyr_net_capture::wire::sll::{Cooked, LinkAddr, Version};

    fn sll2(pkttype: u16, ifindex: u32) -> Vec<u8> {
        let mut frame = vec![0u8; 24];
        Cooked {
            pkttype,
            hatype: 1,
            addr: LinkAddr::new(6, &[2, 0, 0, 0, 0, 1, 0, 0]),
            protocol: 0x86dd,
            ifindex,
        }
        .emit(Version::V2, &mut frame)
        .unwrap();
        frame
    }

    #[test]
    fn sll_packet_types_map_to_epb_direction_flags() {
        let flags = |pkttype| {
            inspect(LinkType::Sll2, &sll2(pkttype, 1))
                .direction
                .epb_flags()
        };
        assert_eq!(flags(sll::packet_type::OUTGOING), 0b10);
        assert_eq!(flags(sll::packet_type::HOST), 0b00101);
        assert_eq!(flags(sll::packet_type::BROADCAST), 0b01101);
        assert_eq!(flags(sll::packet_type::MULTICAST), 0b01001);
        assert_eq!(flags(sll::packet_type::OTHERHOST), 0b10001);
    }

    #[test]
    fn legacy_sll2_gives_no_direction_and_can_be_repaired() {
        let mut frame = sll2(0, 3u32.swap_bytes());
        let facts = inspect(LinkType::Sll2, &frame);
        assert!(facts.legacy_sll2);
        assert_eq!(facts.direction, Direction::Unknown);
        assert!(repair_legacy_sll2(&mut frame));
        assert_eq!(frame[4..8], [0, 0, 0, 3]);
        assert!(!inspect(LinkType::Sll2, &frame).legacy_sll2);
        assert!(!repair_legacy_sll2(&mut frame));
    }

    #[test]
    fn damaged_frames_name_their_problem() {
        assert!(inspect(LinkType::Ethernet, &[0; 13]).problem.is_some());
        assert!(inspect(LinkType::Sll, &[0; 15]).problem.is_some());
        assert!(inspect(LinkType::Sll2, &[0; 19]).problem.is_some());
        let mut reserved = sll2(0, 1);
        reserved[3] = 1;
        assert_eq!(
            inspect(LinkType::Sll2, &reserved).problem,
            Some("SLL2 reserved field is not zero")
        );
        assert!(inspect(LinkType::RawIp, &[0x45; 4]).problem.is_some());
        assert_eq!(inspect(LinkType::Ethernet, &[0; 14]).problem, None);
    }
}
