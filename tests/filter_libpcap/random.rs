//! Random expressions from primitives the frames can match, on random
//! frames built from the same values.

use super::frames::*;
use super::reference;
use proptest::prelude::*;
use zephyr_net_capture::filter::{Filter, LinkType, ParseErrorKind};

const ATOMS: &[&str] = &[
    "ip",
    "ip6",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "sctp",
    "vlan",
    "vlan 10",
    "port 53",
    "src port 80",
    "dst port 4243",
    "tcp port 443",
    "udp src or dst port 53",
    "src and dst port 53",
    "portrange 50-100",
    "sctp port 9",
    "host 192.0.2.1",
    "src host 192.0.2.2",
    "dst net 10.0.0.0/8",
    "arp host 192.0.2.2",
    "ip dst 192.0.2.1",
    "net 192.0.2.0/31",
    "host 2001:db8::1",
    "src net 2001:db8::/32",
    "dst host 2001:db8::2",
    "ip6 net 2001:db8:8000::/33",
    "ether proto 0x88cc",
    "ether proto 0x42",
    "ip proto 2",
    "ip6 proto 44",
    "proto 17",
    "len <= 60",
    "greater 70",
    "len != 64",
];

fn expression() -> impl Strategy<Value = String> {
    let atom = proptest::sample::select(ATOMS).prop_map(str::to_string);
    atom.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), any::<bool>())
                .prop_map(|(a, b, or)| { format!("{a} {} {b}", if or { "or" } else { "and" }) }),
            (inner.clone(), inner.clone(), any::<bool>())
                .prop_map(|(a, b, or)| { format!("({a} {} {b})", if or { "||" } else { "&&" }) }),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

const V4_ADDRS: [[u8; 4]; 4] = [A1, A2, TEN, [192, 0, 2, 0]];
const V6_ADDRS: [[u16; 8]; 4] = [B1, B2, B8, LL];
const PORTS: [u16; 5] = [53, 80, 443, 4243, 9];

/// A frame from choices among the values the atoms look for.
#[derive(Debug, Clone)]
struct Spec {
    link: u8,
    tags: Vec<(u8, u8)>,
    network: u8,
    proto: u8,
    frag: u8,
    ihl: u8,
    addrs: (usize, usize),
    ports: (usize, usize),
    cut: Option<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..5,
        proptest::collection::vec((0u8..3, 0u8..3), 0..3),
        0u8..6,
        0u8..8,
        0u8..4,
        0u8..4,
        (0usize..4, 0usize..4),
        (0usize..5, 0usize..5),
        proptest::option::weighted(0.3, 0usize..90),
    )
        .prop_map(
            |(link, tags, network, proto, frag, ihl, addrs, ports, cut)| Spec {
                link,
                tags,
                network,
                proto,
                frag,
                ihl,
                addrs,
                ports,
                cut,
            },
        )
}

fn build(spec: &Spec) -> (i32, LinkType, Vec<u8>) {
    let protos = [6u8, 17, 132, 1, 58, 44, 2, 0];
    let proto = protos[usize::from(spec.proto)];
    let transport = ports(PORTS[spec.ports.0], PORTS[spec.ports.1], 12);
    let (ethertype, packet) = match spec.network {
        0 | 1 => {
            let frag = [0x4000u16, 0x2000, 0x00b9, 0x1000][usize::from(spec.frag)];
            let options: &[u8] = [&[][..], &[1, 1, 1, 0], &[0; 8], &[]][usize::from(spec.ihl)];
            let mut p = ipv4(
                proto,
                V4_ADDRS[spec.addrs.0],
                V4_ADDRS[spec.addrs.1],
                frag,
                options,
                &transport,
            );
            if spec.ihl == 3 {
                p[0] = 0x4f;
            }
            (0x0800u16, p)
        }
        2 | 3 => {
            let payload = if proto == 44 {
                let mut f = vec![protos[usize::from(spec.frag)], 0, 0, spec.ihl, 0, 0, 0, 1];
                f.extend_from_slice(&transport);
                f
            } else {
                transport
            };
            (
                0x86dd,
                ipv6(
                    proto,
                    V6_ADDRS[spec.addrs.0],
                    V6_ADDRS[spec.addrs.1],
                    &payload,
                ),
            )
        }
        4 => (
            0x0806,
            arp(1, V4_ADDRS[spec.addrs.0], V4_ADDRS[spec.addrs.1]),
        ),
        _ => (0x88cc, vec![2, 7, 4, 0, 0, 0, 0, 0, 1]),
    };
    let tags: Vec<(u16, u16)> = spec
        .tags
        .iter()
        .map(|(tpid, id)| {
            (
                [0x8100, 0x88a8, 0x9100][usize::from(*tpid)],
                [0, 10, 100][usize::from(*id)],
            )
        })
        .collect();
    let (dlt, link, mut frame) = match spec.link {
        0 => (1, LinkType::Ethernet, eth(&tags, ethertype, &packet)),
        1 if ethertype == 0x0800 || ethertype == 0x86dd => (12, LinkType::RawIp, packet),
        1 => (12, LinkType::RawIp, vec![0x10; 30]),
        2 => (113, LinkType::Sll1, sll1(ethertype, &packet)),
        3 => (276, LinkType::Sll2, sll2(ethertype, &packet)),
        _ => {
            let protocol = match ethertype {
                0x0800 => 0x0021,
                0x86dd => 0x0057,
                other => other,
            };
            (9, LinkType::Ppp, ppp(protocol, &packet))
        }
    };
    if let Some(cut) = spec.cut {
        frame.truncate(cut);
    }
    (dlt, link, frame)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random expressions on random frames: where libpcap's optimized and
    /// unoptimized programs agree, the filter agrees with both; where they
    /// do not (a truncated frame, a test moved by the optimizer), with one.
    #[test]
    fn random_expressions_agree_with_libpcap(text in expression(), specs in proptest::collection::vec(spec(), 8)) {
        let filter = match Filter::parse(text.as_bytes()) {
            Ok(filter) => filter,
            // Only the size limits refuse what the generator makes.
            Err(err) => {
                prop_assert!(
                    matches!(err.kind, ParseErrorKind::TooManyPrimitives | ParseErrorKind::TooLong),
                    "{:?}: {}", text, err
                );
                return Ok(());
            }
        };
        for spec in &specs {
            let (dlt, link, frame) = build(spec);
            let reference = reference(dlt, &text);
            let Some(plain) = &reference.plain else { continue };
            let unoptimized = plain.filter(&frame);
            let optimized = reference.optimized.as_ref().is_some_and(|p| p.filter(&frame));
            let ours = filter.matches(link, &frame, frame.len());
            if optimized == unoptimized {
                prop_assert_eq!(ours, optimized, "{:?} on {:?} {:02x?}", text, link, frame);
            } else {
                prop_assert!(ours == optimized || ours == unoptimized, "{:?} on {:?} {:02x?}", text, link, frame);
            }
        }
    }
}
