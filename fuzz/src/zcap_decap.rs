//! zcap's tunnel-less decapsulation (`decap`, `reassembly`) and its link
//! inspection (`link::detect`, `link::inspect`), compiled from zcap's
//! sources (see `lib.rs`).
//!
//! The first input byte picks a mode. Even: the rest is a stream of
//! arbitrary outer packets (`delta`, 16-bit big-endian length, bytes).
//! Odd: the rest describes a datagram that the device's encoder
//! (`wire::tunnel`) cuts into inner packets, which are wrapped in an outer
//! header and a link header and must come out of zcap unchanged.

use std::net::IpAddr;

use arbitrary::{Arbitrary, Unstructured};
use zephyr_net_capture::wire::sll::{self, Cooked, LinkAddr, Version};
use zephyr_net_capture::wire::{ethernet, ip_proto, ipv4, ipv6, Ipv4Addr, Ipv6Addr};

use crate::decap::{self, linktype, Datagram, Decapsulator, Filter, Outcome};
use crate::link::{detect, inspect, LinkType};
use crate::tunnel_plan;

/// Capture time between two records, per unit of the record's delta byte:
/// 20 units make zcap's 10 s reassembly timeout.
const TICK_NS: u64 = 500_000_000;

const LINKTYPES: [u32; 8] = [
    linktype::NULL,
    linktype::ETHERNET,
    linktype::RAW,
    linktype::IPV4,
    linktype::IPV6,
    sll::LINKTYPE_LINUX_SLL,
    sll::LINKTYPE_LINUX_SLL2,
    147, // a user link type zcap does not decapsulate
];

pub fn check(data: &[u8]) {
    match data.split_first() {
        Some((mode, rest)) if mode & 1 == 1 => {
            let _ = round_trip(&mut Unstructured::new(rest));
        }
        Some((flags, rest)) => stream(*flags, rest),
        None => {}
    }
}

fn filter(flags: u8) -> Filter {
    let mut filter = Filter::default();
    if flags & 2 != 0 {
        filter.ports = vec![4242, 9998];
    }
    if flags & 4 != 0 {
        filter.devices = vec![
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            "2001:db8:200::1".parse().expect("address"),
        ];
    }
    filter
}

/// Whether `inner` lies within `outer`.
fn within(outer: &[u8], inner: &[u8]) -> bool {
    let range = outer.as_ptr_range();
    range.start <= inner.as_ptr() && inner.as_ptr().wrapping_add(inner.len()) <= range.end
}

/// Arbitrary outer packets: no panic, filters respected, bounded output.
fn stream(flags: u8, mut rest: &[u8]) {
    let filter = filter(flags);
    let mut decap = Decapsulator::new(filter.clone());
    let mut now = 0u64;
    let mut records = 0u64;
    while let [delta, high, low, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*high, *low])).min(tail.len());
        let (packet, next) = tail.split_at(len);
        rest = next;
        records += 1;
        now += u64::from(*delta) * TICK_NS;
        for linktype in LINKTYPES {
            if let Some(network) = decap::network_layer(linktype, packet) {
                assert!(within(packet, network));
                assert!(decap::is_supported_linktype(linktype));
            }
        }
        match decap.decapsulate(now, packet) {
            Outcome::Datagram(datagram) => frame_facts(&filter, &datagram),
            Outcome::Malformed { reason, .. } => assert!(!reason.is_empty()),
            Outcome::Pending | Outcome::Ignored => {}
        }
        if delta & 0x80 != 0 {
            decap.expire(now);
        }
    }
    let reassembler = decap.reassembler();
    assert!(reassembler.completed() <= records);
    assert!(reassembler.failures().total() <= records);
    decap.finish();
}

/// A decapsulated frame respects the filter and can be inspected as any
/// link type without panicking.
fn frame_facts(filter: &Filter, datagram: &Datagram) {
    assert!(filter.ports.is_empty() || filter.ports.contains(&datagram.port));
    assert!(filter.devices.is_empty() || filter.devices.contains(&datagram.device));
    assert!(datagram.payload.len() <= usize::from(u16::MAX));
    let guess = detect::guess(&datagram.payload);
    assert!(!guess.reason.is_empty());
    for link in [
        LinkType::Ethernet,
        LinkType::Sll,
        LinkType::Sll2,
        LinkType::RawIp,
    ] {
        let facts = inspect::inspect(link, &datagram.payload);
        if facts.legacy_sll2 {
            assert_eq!(link, LinkType::Sll2);
        }
    }
    let mut frame = datagram.payload.clone();
    if inspect::repair_legacy_sll2(&mut frame) {
        assert!(!inspect::inspect(LinkType::Sll2, &frame).legacy_sll2);
        assert!(
            !inspect::repair_legacy_sll2(&mut frame),
            "repair is idempotent"
        );
    } else {
        assert_eq!(frame, datagram.payload, "a refused repair changes nothing");
    }
}

/// The outer packet carrying `inner`: IPv4 when it fits, else IPv6.
fn outer_packet(inner: &[u8], want_v4: bool, ident: u16) -> Vec<u8> {
    let protocol = match inner[0] >> 4 {
        4 => ip_proto::IPIP,
        _ => ip_proto::IPV6,
    };
    if want_v4 && inner.len() <= usize::from(u16::MAX) - ipv4::HEADER_LEN {
        let mut out = vec![0u8; ipv4::HEADER_LEN];
        out.extend_from_slice(inner);
        ipv4::Repr {
            src: Ipv4Addr::new(192, 0, 2, 1),
            dst: Ipv4Addr::new(192, 0, 2, 2),
            protocol,
            payload_len: inner.len() as u16,
            ttl: 64,
            ident,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
        }
        .emit(&mut ipv4::Packet::new_unchecked(&mut out[..]))
        .expect("outer IPv4 header");
        out
    } else {
        let mut out = vec![0u8; ipv6::HEADER_LEN];
        out.extend_from_slice(inner);
        ipv6::Repr {
            src: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
            dst: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2),
            next_header: protocol,
            payload_len: inner.len() as u16,
            hop_limit: 64,
        }
        .emit(&mut ipv6::Packet::new_unchecked(&mut out[..]))
        .expect("outer IPv6 header");
        out
    }
}

/// A captured frame of `linktype` carrying `packet`.
fn link_frame(linktype: u32, packet: &[u8]) -> Vec<u8> {
    let ethertype = match packet[0] >> 4 {
        4 => ethernet::ethertype::IPV4,
        _ => ethernet::ethertype::IPV6,
    };
    let mut frame = match linktype {
        linktype::ETHERNET => {
            let mut header = vec![0x02, 0, 0x5e, 0, 0x53, 1, 0x02, 0, 0x5e, 0, 0x53, 2];
            header.extend_from_slice(&ethertype.to_be_bytes());
            header
        }
        linktype::NULL => vec![2, 0, 0, 0],
        sll::LINKTYPE_LINUX_SLL | sll::LINKTYPE_LINUX_SLL2 => {
            let version = if linktype == sll::LINKTYPE_LINUX_SLL {
                Version::V1
            } else {
                Version::V2
            };
            let mut header = vec![0u8; version.header_len()];
            Cooked {
                pkttype: sll::packet_type::HOST,
                hatype: 1,
                addr: LinkAddr::new(6, &[2, 0, 0x5e, 0, 0x53, 1, 0, 0]),
                protocol: ethertype,
                ifindex: 2,
            }
            .emit(version, &mut header)
            .expect("cooked header");
            header
        }
        _ => Vec::new(),
    };
    frame.extend_from_slice(packet);
    frame
}

/// The device's datagram survives the encoder, an outer header, a link
/// header and zcap's decapsulation, in any fragment order.
fn round_trip(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let case = tunnel_plan::Case::arbitrary(u)?;
    let outer_v4 = bool::arbitrary(u)?;
    let reverse = bool::arbitrary(u)?;
    let linktype = LINKTYPES[usize::from(u8::arbitrary(u)?) % 7];
    let Ok(tunnel_plan::Built {
        mut packets,
        carried,
        ..
    }) = tunnel_plan::build(&case)
    else {
        return Ok(());
    };
    if reverse {
        packets.reverse();
    }
    let encap = case.encap();
    let mut decap = Decapsulator::new(Filter::default());
    let last = packets.len() - 1;
    for (index, inner) in packets.iter().enumerate() {
        let frame = link_frame(linktype, &outer_packet(inner, outer_v4, index as u16));
        let outer = decap::network_layer(linktype, &frame).expect("network layer");
        let outcome = decap.decapsulate(index as u64, outer);
        if index < last {
            assert_eq!(outcome, Outcome::Pending, "piece {index} of {}", last + 1);
            continue;
        }
        let expected = Datagram {
            device: encap.local,
            port: encap.peer_port,
            payload: case.payload()[..carried].to_vec(),
        };
        match outcome {
            Outcome::Datagram(datagram) => assert!(datagram == expected, "payload differs"),
            other => panic!("last piece gave {other:?}"),
        }
    }
    assert_eq!(decap.reassembler().failures().total(), 0);
    Ok(())
}
