use super::*;
use crate::wire::{Ipv4Addr, Ipv6Addr};
use std::vec::Vec;

fn encap6() -> Encap {
    Encap {
        local: IpAddr::V6("2001:db8:200::1".parse::<Ipv6Addr>().unwrap()),
        peer: IpAddr::V6("2001:db8:200::2".parse::<Ipv6Addr>().unwrap()),
        local_port: 4242,
        peer_port: 4242,
    }
}

fn encap4() -> Encap {
    Encap {
        local: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)),
        peer: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 2)),
        local_port: 9999,
        peer_port: 4242,
    }
}

/// Builds every inner packet of `plan` for `payload`.
fn build(plan: &Plan, payload: &[u8]) -> Vec<Vec<u8>> {
    let mut sum = plan.checksum_start().unwrap();
    sum.add(&payload[..plan.payload_len()]);
    (0..plan.pieces())
        .map(|index| {
            let piece = plan.piece(index, sum).unwrap();
            let mut packet = piece.header().to_vec();
            packet.extend_from_slice(&payload[piece.payload.clone()]);
            assert_eq!(packet.len(), piece.len());
            packet
        })
        .collect()
}

/// Reassembles fragments with independent header parsers (etherparse, and
/// smoltcp for the IPv6 fragment header, which etherparse misreads) and
/// returns the UDP datagram bytes.
fn reassemble(packets: &[Vec<u8>]) -> Vec<u8> {
    let mut datagram = Vec::new();
    for packet in packets {
        match packet[0] >> 4 {
            4 => {
                let (header, rest) = etherparse::Ipv4Header::from_slice(packet).unwrap();
                assert_eq!(header.calc_header_checksum(), header.header_checksum);
                let offset = usize::from(header.fragment_offset.value()) * 8;
                assert_eq!(offset, datagram.len());
                datagram.extend_from_slice(&rest[..header.payload_len().unwrap() as usize]);
            }
            6 => {
                let (header, rest) = etherparse::Ipv6Header::from_slice(packet).unwrap();
                if header.next_header.0 == 44 {
                    assert_eq!(rest[0], 17);
                    let fragment =
                        smoltcp::wire::Ipv6FragmentHeader::new_checked(&rest[2..8]).unwrap();
                    let offset = usize::from(fragment.frag_offset()) * 8;
                    assert_eq!(offset, datagram.len());
                    datagram.extend_from_slice(&rest[8..]);
                } else {
                    assert_eq!(header.next_header.0, 17);
                    datagram.extend_from_slice(rest);
                }
            }
            _ => panic!("not IP"),
        }
    }
    datagram
}

fn udp_checksum_ok(encap: &Encap, datagram: &[u8]) -> bool {
    let (header, payload) = etherparse::UdpHeader::from_slice(datagram).unwrap();
    let expected = match (encap.local, encap.peer) {
        (IpAddr::V4(src), IpAddr::V4(dst)) => header
            .calc_checksum_ipv4_raw(src.octets(), dst.octets(), payload)
            .unwrap(),
        (IpAddr::V6(src), IpAddr::V6(dst)) => header
            .calc_checksum_ipv6_raw(src.octets(), dst.octets(), payload)
            .unwrap(),
        _ => unreachable!(),
    };
    header.checksum == expected
}

fn frame(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn small_frame_is_one_unfragmented_packet() {
    for encap in [encap4(), encap6()] {
        let payload = frame(46);
        let plan = encap
            .plan(payload.len(), 1480, Oversize::Fragment, 7)
            .unwrap();
        assert_eq!(plan.pieces(), 1);
        assert!(!plan.is_fragmented());
        let packets = build(&plan, &payload);
        let datagram = reassemble(&packets);
        assert!(udp_checksum_ok(&encap, &datagram));
        assert_eq!(&datagram[8..], &payload[..]);
        assert_eq!(packets[0].len(), encap.header_len() + 46);
    }
}

#[test]
fn unfragmented_ipv6_next_header_is_udp() {
    // The C code left a stale next header (0) on MLD captures (W12).
    let encap = encap6();
    let plan = encap.plan(100, 1480, Oversize::Fragment, 1).unwrap();
    let packets = build(&plan, &frame(100));
    assert_eq!(packets[0][6], 17);
}

#[test]
fn full_size_frame_is_fragmented_to_fit_the_mtu() {
    for encap in [encap4(), encap6()] {
        let payload = frame(1514);
        let plan = encap
            .plan(payload.len(), 1480, Oversize::Fragment, 0x1234_5678)
            .unwrap();
        assert_eq!(plan.pieces(), 2);
        let packets = build(&plan, &payload);
        for packet in &packets {
            assert!(packet.len() <= 1480, "{} > 1480", packet.len());
        }
        let datagram = reassemble(&packets);
        assert!(udp_checksum_ok(&encap, &datagram));
        assert_eq!(&datagram[8..], &payload[..]);
    }
}

#[test]
fn fragments_share_the_identification() {
    let encap = encap4();
    let plan = encap
        .plan(3000, 1000, Oversize::Fragment, 0xabcd_0102)
        .unwrap();
    let packets = build(&plan, &frame(3000));
    assert!(packets.len() > 2);
    for packet in &packets {
        assert_eq!(&packet[4..6], &[0x01, 0x02]);
    }
    let encap = encap6();
    let plan = encap
        .plan(3000, 1000, Oversize::Fragment, 0xabcd_0102)
        .unwrap();
    for packet in build(&plan, &frame(3000)) {
        assert_eq!(&packet[44..48], &[0xab, 0xcd, 0x01, 0x02]);
    }
}

#[test]
fn truncation_keeps_the_leading_bytes_that_fit() {
    let encap = encap6();
    let payload = frame(1514);
    let plan = encap
        .plan(payload.len(), 1480, Oversize::Truncate, 0)
        .unwrap();
    assert_eq!(plan.pieces(), 1);
    assert_eq!(plan.payload_len(), 1480 - 48);
    assert_eq!(plan.truncated_from(), Some(1514));
    let packets = build(&plan, &payload);
    assert_eq!(packets[0].len(), 1480);
    let datagram = reassemble(&packets);
    assert!(udp_checksum_ok(&encap, &datagram));
    assert_eq!(&datagram[8..], &payload[..1432]);
}

#[test]
fn impossible_plans_are_refused() {
    assert_eq!(
        encap6().plan(10, 55, Oversize::Fragment, 0),
        Err(PlanError::MtuTooSmall)
    );
    assert_eq!(
        encap4().plan(70_000, 1500, Oversize::Fragment, 0),
        Err(PlanError::TooLarge)
    );
    let mixed = Encap {
        peer: encap6().peer,
        ..encap4()
    };
    assert_eq!(
        mixed.plan(10, 1500, Oversize::Fragment, 0),
        Err(PlanError::MixedFamilies)
    );
    let encap = encap4();
    let plan = encap.plan(10, 1500, Oversize::Fragment, 0).unwrap();
    let sum = plan.checksum_start().unwrap();
    assert_eq!(plan.piece(1, sum), Err(PlanError::TooLarge));
}

proptest::proptest! {
    #[test]
    fn every_plan_fits_and_reassembles(len in 0usize..9000, mtu in 64usize..9000,
                                       v6: bool, truncate: bool, ident: u32) {
        let encap = if v6 { encap6() } else { encap4() };
        let oversize = if truncate { Oversize::Truncate } else { Oversize::Fragment };
        let payload = frame(len);
        let Ok(plan) = encap.plan(len, mtu, oversize, ident) else {
            return Ok(());
        };
        let packets = build(&plan, &payload);
        for packet in &packets {
            proptest::prop_assert!(packet.len() <= mtu);
        }
        let datagram = reassemble(&packets);
        proptest::prop_assert!(udp_checksum_ok(&encap, &datagram));
        proptest::prop_assert_eq!(&datagram[8..], &payload[..plan.payload_len()]);
        proptest::prop_assert_eq!(plan.truncated_from().is_some(), plan.payload_len() < len);
    }
}
