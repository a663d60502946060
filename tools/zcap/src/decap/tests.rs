use super::*;
use zephyr_net_capture::wire::sll;

const DEVICE4: &str = "198.51.100.1";
const PEER4: &str = "198.51.100.2";
const DEVICE6: &str = "2001:db8:200::1";
const PEER6: &str = "2001:db8:200::2";

use crate::test_frames as frames;

/// Inner packets as the device library builds them (fragments included).
fn inner_packets(inner_v6: bool, payload: &[u8], mtu: usize) -> Vec<Vec<u8>> {
    let (local, peer) = if inner_v6 {
        (DEVICE6, PEER6)
    } else {
        (DEVICE4, PEER4)
    };
    frames::inner_packets(local, peer, 4242, payload, mtu, 0x1234)
}

/// Wraps an inner packet in an outer header as the tunnel device does.
fn outer(outer_v6: bool, inner: &[u8]) -> Vec<u8> {
    frames::outer_packet(outer_v6, inner)
}

fn frame(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7) as u8).collect()
}

#[test]
fn all_four_tunnel_combinations_decapsulate() {
    for outer_v6 in [false, true] {
        for inner_v6 in [false, true] {
            let payload = frame(98);
            let packets = inner_packets(inner_v6, &payload, 1480);
            assert_eq!(packets.len(), 1);
            let mut decap = Decapsulator::new(Filter::default());
            let outcome = decap.decapsulate(0, &outer(outer_v6, &packets[0]));
            let device: IpAddr = if inner_v6 { DEVICE6 } else { DEVICE4 }.parse().unwrap();
            assert_eq!(
                outcome,
                Outcome::Datagram(Datagram {
                    device,
                    port: 4242,
                    payload
                }),
                "outer v6 {outer_v6}, inner v6 {inner_v6}"
            );
        }
    }
}

#[test]
fn inner_fragments_are_reassembled_in_any_order() {
    for inner_v6 in [false, true] {
        let payload = frame(3000);
        let mut packets = inner_packets(inner_v6, &payload, 1280);
        assert!(packets.len() >= 3);
        packets.reverse();
        let mut decap = Decapsulator::new(Filter::default());
        let outcomes: Vec<Outcome> = packets
            .iter()
            .map(|packet| decap.decapsulate(5, &outer(true, packet)))
            .collect();
        let (last, pending) = outcomes.split_last().unwrap();
        assert!(pending.iter().all(|o| *o == Outcome::Pending));
        match last {
            Outcome::Datagram(datagram) => assert_eq!(datagram.payload, payload),
            other => panic!("expected a datagram, got {other:?}"),
        }
        assert_eq!(decap.reassembler().completed(), 1);
    }
}

#[test]
fn filters_drop_other_ports_and_devices() {
    let packet = outer(false, &inner_packets(false, &frame(60), 1480)[0]);
    let mut by_port = Decapsulator::new(Filter {
        ports: vec![4243],
        devices: vec![],
    });
    assert_eq!(by_port.decapsulate(0, &packet), Outcome::Ignored);
    let mut by_device = Decapsulator::new(Filter {
        ports: vec![4242],
        devices: vec![DEVICE6.parse().unwrap()],
    });
    assert_eq!(by_device.decapsulate(0, &packet), Outcome::Ignored);
}

#[test]
fn damaged_tunnel_packets_are_reported_not_decoded() {
    let inner = inner_packets(false, &frame(60), 1480).remove(0);
    // Corrupt the captured bytes: the inner UDP checksum no longer matches.
    let mut corrupted = inner.clone();
    *corrupted.last_mut().unwrap() ^= 0xff;
    let mut decap = Decapsulator::new(Filter::default());
    assert_eq!(
        decap.decapsulate(0, &outer(false, &corrupted)),
        Outcome::Malformed {
            device: Some(DEVICE4.parse().unwrap()),
            reason: "inner UDP checksum is wrong"
        }
    );
    // Cut the inner packet short of its announced length.
    let cut = outer(true, &inner[..inner.len() - 10]);
    assert!(matches!(
        decap.decapsulate(0, &cut),
        Outcome::Malformed {
            reason: "inner IPv4 packet is truncated",
            ..
        }
    ));
    // Every prefix of a valid packet is handled without a panic.
    let whole = outer(true, &inner);
    for len in 0..whole.len() {
        let _ = decap.decapsulate(0, &whole[..len]);
    }
}

#[test]
fn non_tunnel_traffic_is_ignored() {
    let mut decap = Decapsulator::new(Filter::default());
    let mut icmp = outer(false, &inner_packets(false, &frame(10), 1480)[0]);
    icmp[9] = ip_proto::ICMP;
    assert_eq!(decap.decapsulate(0, &icmp), Outcome::Ignored);
    assert_eq!(decap.decapsulate(0, &[0x12, 0x34]), Outcome::Ignored);
}

#[test]
fn network_layer_is_found_in_each_supported_linktype() {
    let ip = outer(false, &inner_packets(false, &frame(20), 1480)[0]);
    let mut eth = vec![0u8; 12];
    eth.extend_from_slice(&[0x08, 0x00]);
    eth.extend_from_slice(&ip);
    assert_eq!(network_layer(linktype::ETHERNET, &eth), Some(&ip[..]));
    let mut sll1 = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll1.extend_from_slice(&ip);
    assert_eq!(network_layer(sll::LINKTYPE_LINUX_SLL, &sll1), Some(&ip[..]));
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    sll2.extend_from_slice(&ip);
    assert_eq!(
        network_layer(sll::LINKTYPE_LINUX_SLL2, &sll2),
        Some(&ip[..])
    );
    assert_eq!(network_layer(linktype::RAW, &ip), Some(&ip[..]));
    eth[12] = 0x08;
    eth[13] = 0x06;
    assert_eq!(network_layer(linktype::ETHERNET, &eth), None);
    assert!(!is_supported_linktype(147));
}

#[test]
fn outer_ipv6_extension_headers_are_stepped_over_and_outer_fragments_reported() {
    let inner = inner_packets(false, &frame(40), 1480).remove(0);
    let plain = outer(true, &inner);
    // The same packet with a hop-by-hop header (8 bytes) before the tunnel.
    let mut hop_by_hop = plain[..ipv6::HEADER_LEN].to_vec();
    hop_by_hop[6] = ip_proto::IPV6_HOP_BY_HOP;
    let length = u16::from_be_bytes([hop_by_hop[4], hop_by_hop[5]]) + 8;
    hop_by_hop[4..6].copy_from_slice(&length.to_be_bytes());
    hop_by_hop.extend_from_slice(&[ip_proto::IPIP, 0, 1, 4, 0, 0, 0, 0]);
    hop_by_hop.extend_from_slice(&inner);
    let mut decap = Decapsulator::new(Filter::default());
    assert!(matches!(
        decap.decapsulate(0, &hop_by_hop),
        Outcome::Datagram(Datagram { port: 4242, .. })
    ));
    // A first fragment of the outer packet: the tunnel is seen, not decoded.
    let mut fragment = hop_by_hop.clone();
    fragment[ipv6::HEADER_LEN] = ip_proto::IPV6_FRAGMENT;
    fragment.splice(
        ipv6::HEADER_LEN + 8..ipv6::HEADER_LEN + 8,
        [ip_proto::IPIP, 0, 0, 1, 0, 0, 0, 7],
    );
    let length = u16::from_be_bytes([fragment[4], fragment[5]]) + 8;
    fragment[4..6].copy_from_slice(&length.to_be_bytes());
    assert_eq!(
        decap.decapsulate(0, &fragment),
        Outcome::Malformed {
            device: None,
            reason: "outer IPv6 fragment (only inner fragments are reassembled)"
        }
    );
    assert_eq!(decap.sightings().tunnel, 2);
    assert_eq!(decap.sightings().packets, 2);
}

#[test]
fn sightings_name_the_ports_and_devices_the_filter_refused() {
    let mut decap = Decapsulator::new(Filter {
        ports: vec![4242],
        devices: vec![DEVICE4.parse().unwrap()],
    });
    let (local, peer) = (DEVICE4, PEER4);
    for port in [4243, 4243, 5000] {
        let inner = frames::inner_packets(local, peer, port, &frame(20), 1480, 1).remove(0);
        assert_eq!(
            decap.decapsulate(0, &outer(false, &inner)),
            Outcome::Ignored
        );
    }
    let other_device = inner_packets(true, &frame(20), 1480).remove(0);
    assert_eq!(
        decap.decapsulate(0, &outer(false, &other_device)),
        Outcome::Ignored
    );
    let mut icmp = outer(false, &other_device);
    icmp[9] = ip_proto::ICMP;
    assert_eq!(decap.decapsulate(0, &icmp), Outcome::Ignored);
    let seen = decap.sightings();
    assert_eq!((seen.packets, seen.tunnel), (5, 4));
    assert_eq!(
        seen.refused_ports
            .iter()
            .map(|(p, n)| (*p, *n))
            .collect::<Vec<_>>(),
        [(4243, 2), (5000, 1)]
    );
    assert_eq!(seen.refused_devices, 1);
}

/// A small deterministic generator, so the test needs no extra crate and
/// fails the same way every time.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn arbitrary_and_mutated_bytes_never_panic_any_decoder() {
    use crate::link::{detect, inspect, LinkType};
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let valid = outer(true, &inner_packets(true, &frame(300), 1480)[0]);
    let mut decap = Decapsulator::new(Filter::default());
    let mut datagrams = 0;
    for round in 0..20_000u64 {
        let mut bytes = if round % 2 == 0 {
            valid.clone()
        } else {
            let len = (rng.next() % 120) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        };
        // Flip a few bytes and cut at a random length.
        for _ in 0..(rng.next() % 4) {
            if !bytes.is_empty() {
                let at = (rng.next() as usize) % bytes.len();
                bytes[at] = rng.next() as u8;
            }
        }
        let cut = (rng.next() as usize) % (bytes.len() + 1);
        bytes.truncate(cut.max(bytes.len() / 2));
        if let Outcome::Datagram(_) = decap.decapsulate(round, &bytes) {
            datagrams += 1;
        }
        for link in [
            LinkType::Ethernet,
            LinkType::Sll,
            LinkType::Sll2,
            LinkType::RawIp,
        ] {
            let _ = inspect::inspect(link, &bytes);
            let _ = crate::summary::describe(link, &bytes);
        }
        let _ = detect::guess(&bytes);
        let mut repaired = bytes.clone();
        let _ = inspect::repair_legacy_sll2(&mut repaired);
    }
    // The unmutated packets that survived must still decode.
    assert!(datagrams > 0);
}
