//! `wire::tunnel`: sizing capture datagrams to the tunnel MTU.

use arbitrary::{Arbitrary, Unstructured};
use zephyr_net_capture::wire::tunnel::{Encap, Oversize, PlanError};
use zephyr_net_capture::wire::{ipv4, ipv6, udp, IpAddr, Ipv4Addr, Ipv6Addr};

use crate::decode;

/// An inner address: IPv4 or IPv6.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Addr {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Addr {
    pub fn ip(self) -> IpAddr {
        match self {
            Addr::V4(o) => IpAddr::V4(Ipv4Addr::from(o)),
            Addr::V6(o) => IpAddr::V6(Ipv6Addr::from(o)),
        }
    }
}

/// A datagram to plan.
#[derive(Arbitrary, Debug)]
pub struct Case {
    pub local: Addr,
    pub peer: Addr,
    pub local_port: u16,
    pub peer_port: u16,
    /// Payload length: 16 bits, plus a little past what UDP can carry.
    pub payload_len: u16,
    pub past_u16: u8,
    /// Tunnel MTU; sometimes past 16 bits, which the plan must clamp.
    pub mtu: u16,
    pub mtu_scale: u8,
    pub truncate: bool,
    pub ident: u32,
    /// Payload bytes are `i * step + seed`, cheap to make and to compare.
    pub seed: u8,
    pub step: u8,
}

impl Case {
    pub fn encap(&self) -> Encap {
        Encap {
            local: self.local.ip(),
            peer: self.peer.ip(),
            local_port: self.local_port,
            peer_port: self.peer_port,
        }
    }

    pub fn payload_len(&self) -> usize {
        usize::from(self.payload_len) + usize::from(self.past_u16 % 16) * 64
    }

    pub fn mtu(&self) -> usize {
        usize::from(self.mtu) * (1 + usize::from(self.mtu_scale % 4 == 3))
    }

    pub fn oversize(&self) -> Oversize {
        if self.truncate {
            Oversize::Truncate
        } else {
            Oversize::Fragment
        }
    }

    pub fn payload(&self) -> Vec<u8> {
        (0..self.payload_len())
            .map(|i| (i as u8).wrapping_mul(self.step).wrapping_add(self.seed))
            .collect()
    }
}

pub fn check(data: &[u8]) {
    if let Ok(case) = Case::arbitrary_take_rest(Unstructured::new(data)) {
        check_case(&case);
    }
}

/// A planned datagram as the device builds it.
pub struct Built {
    /// The inner IP packets, in order.
    pub packets: Vec<Vec<u8>>,
    /// How many payload bytes they carry.
    pub carried: usize,
    /// The payload's length before truncation, if it was truncated.
    pub truncated_from: Option<usize>,
}

/// The inner packets of a planned datagram, as the device builds them.
pub fn build(case: &Case) -> Result<Built, PlanError> {
    let encap = case.encap();
    let payload = case.payload();
    let plan = encap.plan(payload.len(), case.mtu(), case.oversize(), case.ident)?;
    let mut sum = plan.checksum_start()?;
    sum.add(&payload[..plan.payload_len()]);
    let mut packets = Vec::new();
    for index in 0..plan.pieces() {
        let piece = plan.piece(index, sum).expect("every planned piece builds");
        let mut bytes = piece.header().to_vec();
        bytes.extend_from_slice(&payload[piece.payload.clone()]);
        assert_eq!(bytes.len(), piece.len());
        packets.push(bytes);
    }
    assert!(
        plan.piece(plan.pieces(), sum).is_err(),
        "no piece past the last"
    );
    Ok(Built {
        packets,
        carried: plan.payload_len(),
        truncated_from: plan.truncated_from(),
    })
}

/// Every piece fits the MTU, the pieces cover the payload in order, and
/// reassembling them gives the payload back; the plan fails exactly when
/// the MTU or the datagram size says it must.
pub fn check_case(case: &Case) {
    let encap = case.encap();
    let payload_len = case.payload_len();
    let mtu = case.mtu().min(usize::from(u16::MAX));
    let ip_len = encap.ip_header_len();
    let single_max = mtu
        .checked_sub(ip_len + udp::HEADER_LEN)
        .filter(|r| *r >= 8);
    let datagram_max = usize::from(u16::MAX) - udp::HEADER_LEN - ip_len;
    let built = build(case);
    let mixed = case.local.ip().is_ipv4() != case.peer.ip().is_ipv4();
    let Built {
        packets,
        carried,
        truncated_from,
    } = match built {
        Err(PlanError::MixedFamilies) => return assert!(mixed),
        Err(PlanError::MtuTooSmall) => return assert!(!mixed && single_max.is_none()),
        Err(PlanError::TooLarge) => {
            return assert!(
                !mixed
                    && !case.truncate
                    && single_max.is_some_and(|max| payload_len > max)
                    && payload_len > datagram_max
            )
        }
        Ok(built) => built,
    };
    assert!(!mixed);
    let single_max = single_max.expect("a plan needs room for 8 bytes");
    if payload_len <= single_max {
        assert_eq!(
            (packets.len(), carried, truncated_from),
            (1, payload_len, None)
        );
    } else if case.truncate {
        assert_eq!(packets.len(), 1);
        assert_eq!((carried, truncated_from), (single_max, Some(payload_len)));
    } else {
        assert!(packets.len() > 1);
        assert_eq!((carried, truncated_from), (payload_len, None));
    }
    for packet in &packets {
        assert!(
            packet.len() <= mtu,
            "{}-byte piece, MTU {mtu}",
            packet.len()
        );
        let header = match encap.local {
            IpAddr::V4(_) => ipv4::HEADER_LEN,
            IpAddr::V6(_) => ipv6::HEADER_LEN,
        };
        assert!(packet.len() > header);
    }
    let datagrams = decode::datagrams(packets.iter().map(Vec::as_slice));
    assert_eq!(datagrams.len(), 1);
    let datagram = &datagrams[0];
    assert_eq!((datagram.src, datagram.dst), (encap.local, encap.peer));
    assert_eq!(
        (datagram.src_port, datagram.dst_port),
        (encap.local_port, encap.peer_port)
    );
    assert_eq!(datagram.pieces, packets.len());
    assert_eq!(datagram.payload, case.payload()[..carried]);
}
