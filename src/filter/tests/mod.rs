//! Unit tests: the parser here, evaluation and addresses in the submodules.

mod address;
mod eval;

use super::program::{self, Dir, Test};
use super::*;
use std::format;
use std::vec::Vec;
use ParseErrorKind as K;

pub(super) fn parse(text: &str) -> Filter {
    Filter::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn error(text: &str) -> (usize, ParseErrorKind) {
    match Filter::parse(text.as_bytes()) {
        Ok(_) => panic!("{text:?} parsed"),
        Err(e) => (e.position, e.kind),
    }
}

fn tests(filter: &Filter) -> Vec<Test> {
    filter.nodes[..usize::from(filter.len)]
        .iter()
        .map(|n| n.test)
        .collect()
}

#[test]
fn filter_is_388_bytes() {
    assert_eq!(core::mem::size_of::<Filter>(), 388);
    assert_eq!(core::mem::size_of::<program::Node>(), 24);
}

#[test]
fn valid_expressions_compile_to_one_node_per_primitive() {
    let table: &[(&str, usize)] = &[
        ("ip", 1),
        ("  ip6\t", 1),
        ("arp or rarp", 2),
        ("tcp and udp or icmp and icmp6", 4),
        ("sctp && igmp || !ip", 3),
        ("port 53", 1),
        ("port 0x35", 1),
        ("port 065", 1),
        ("src port 53", 1),
        ("dst port 65535", 1),
        ("tcp src or dst port 80", 1),
        ("udp src and dst port 53", 1),
        ("dst or src port 1", 1),
        ("src || dst port 1", 1),
        ("sctp dst and src portrange 1-2", 1),
        ("portrange 2000-1000", 1),
        ("portrange 10", 1),
        ("host 192.0.2.1", 1),
        ("src host 192.0.2.1", 1),
        ("ip dst host 192.0.2.1", 1),
        ("arp host 192.0.2.1", 1),
        ("rarp src 192.0.2.1", 1),
        ("src 192.0.2.1", 1),
        ("host 2001:db8::1", 1),
        ("ip6 src host ::ffff:192.0.2.1", 1),
        ("net 10.0.0.0/8", 1),
        ("net 192.0.2.1", 1),
        ("src net 0.0.0.0/0", 1),
        ("net 2001:db8::/32", 1),
        ("ip6 dst net ::/0", 1),
        ("ether proto 0x88cc", 1),
        ("ether proto \\arp", 1),
        ("ether proto ip6", 1),
        ("ip proto 17", 1),
        ("ip proto \\tcp", 1),
        ("ip6 proto ipv6-icmp", 1),
        ("proto 255", 1),
        ("vlan", 1),
        ("vlan 4095 and vlan and ip", 3),
        ("len <= 100", 1),
        ("len<100", 1),
        ("len >= 0x64", 1),
        ("len > 1 and len == 2 or len = 3 and len != 4", 4),
        ("less 60", 1),
        ("greater 1500", 1),
        ("port 53 or 54", 2),
        ("tcp port 1 and not 2", 2),
        ("host 192.0.2.1 and (192.0.2.2 or 192.0.2.3)", 3),
        ("ip proto 6 or \\udp", 2),
        ("((((ip))))", 1),
        ("not not not ip", 1),
        ("!(tcp)", 1),
        ("udp port 4243", 1),
    ];
    for (text, nodes) in table {
        assert_eq!(usize::from(parse(text).len), *nodes, "{text:?}");
    }
}

#[test]
fn invalid_expressions_report_what_and_where() {
    let table: &[(&str, usize, ParseErrorKind)] = &[
        ("ip and", 6, K::UnexpectedEnd),
        ("ip or or tcp", 6, K::ExpectedPrimitive),
        ("ip tcp", 3, K::ExpectedOperator),
        ("ip )", 3, K::UnmatchedParen),
        ("( ip", 4, K::MissingParen),
        ("()", 1, K::ExpectedPrimitive),
        ("not", 3, K::UnexpectedEnd),
        ("ip # tcp", 3, K::UnexpectedCharacter),
        ("ip & tcp", 3, K::UnexpectedCharacter),
        ("foo", 0, K::UnknownWord),
        ("port 70000", 5, K::ExpectedPort),
        ("port http", 5, K::ServiceName),
        ("port 99999999999", 5, K::ExpectedPort),
        ("port", 4, K::UnexpectedEnd),
        ("port )", 5, K::ExpectedPort),
        ("portrange -", 10, K::ExpectedPort),
        ("port 1-2", 5, K::ExpectedPort),
        ("portrange 1-x", 12, K::ServiceName),
        ("portrange 1-70000", 12, K::ExpectedPort),
        ("host example.com", 5, K::HostName),
        ("host 192.0.2", 5, K::ExpectedAddress),
        ("host 192.0.2.1/32", 14, K::MaskOnHost),
        ("src 10.0.0.0/8", 12, K::MaskOnHost),
        ("src 53", 4, K::ExpectedAddress),
        ("net 10.0.0.0/33", 13, K::BadPrefix),
        ("net 10.0.0.0/", 13, K::BadPrefix),
        ("net 2001:db8::/129", 15, K::BadPrefix),
        ("net 10.0.0.1/8", 4, K::HostBits),
        ("net 2001:db8::1/64", 4, K::HostBits),
        ("ip host 2001:db8::1", 8, K::WrongFamily),
        ("ip6 host 192.0.2.1", 9, K::WrongFamily),
        ("arp net ::/0", 8, K::WrongFamily),
        ("tcp host 192.0.2.1", 0, K::BadQualifier),
        ("ip port 53", 0, K::BadQualifier),
        ("arp proto 6", 0, K::BadQualifier),
        ("src proto 6", 0, K::BadQualifier),
        ("ether host 192.0.2.1", 0, K::Unsupported),
        ("ether", 5, K::ExpectedQualifier),
        ("ether and ip", 6, K::ExpectedQualifier),
        ("src", 3, K::UnexpectedEnd),
        ("src and ip", 4, K::ExpectedQualifier),
        ("src ip", 4, K::ExpectedQualifier),
        ("ip proto 256", 9, K::ExpectedProtocol),
        ("ip proto foo", 9, K::ExpectedProtocol),
        ("ether proto 0x10000", 12, K::ExpectedProtocol),
        ("ether proto 0xe0", 12, K::UnsupportedEtherProto),
        ("ether proto 0x809b", 12, K::UnsupportedEtherProto),
        ("len 100", 4, K::ExpectedComparison),
        ("len", 3, K::UnexpectedEnd),
        ("len <= x", 7, K::ExpectedNumber),
        ("less 0x", 5, K::ExpectedNumber),
        ("less 09", 5, K::ExpectedNumber),
        ("greater 4294967296", 8, K::NumberTooLarge),
        ("vlan 4096", 5, K::BadVlanId),
        ("gateway 192.0.2.1", 0, K::Unsupported),
        ("ip and broadcast", 7, K::Unsupported),
        ("53", 0, K::ExpectedPrimitive),
        ("port 1 and vlan and 2", 20, K::ExpectedPrimitive),
        ("less 100 and 200", 13, K::ExpectedPrimitive),
        ("192.0.2.1", 0, K::ExpectedPrimitive),
    ];
    for (text, position, kind) in table {
        assert_eq!(error(text), (*position, *kind), "{text:?}");
    }
}

#[test]
fn limits_are_errors_not_crashes() {
    let long = "ip or ".repeat(30) + "ip";
    assert_eq!(error(&long), (MAX_TEXT, K::TooLong));
    let seventeen = ["tcp"; 17].join(" or ");
    assert_eq!(error(&seventeen), (16 * 7, K::TooManyPrimitives));
    assert_eq!(usize::from(parse(&["tcp"; 16].join(" or ")).len), 16);
    let deep = format!("{}ip{}", "(".repeat(17), ")".repeat(17));
    assert_eq!(error(&deep), (16, K::TooDeep));
    parse(&format!("{}ip{}", "(".repeat(16), ")".repeat(16)));
    let vlans = ["vlan"; 9].join(" and ");
    assert_eq!(error(&vlans), (8 * 9, K::TooManyVlans));
}

#[test]
fn empty_and_blank_text_accept_everything() {
    for text in ["", "   ", "\t\n"] {
        let filter = parse(text);
        assert!(filter.is_accept_all());
        assert_eq!(filter, Filter::accept_all());
        assert!(filter.matches(LinkType::Other, &[], 0));
    }
    assert!(!parse("ip").is_accept_all());
    assert_eq!(Filter::default(), Filter::accept_all());
}

#[test]
fn numbers_follow_libpcap() {
    assert_eq!(lexer::number(b"53"), Ok(53));
    assert_eq!(lexer::number(b"0x35"), Ok(53));
    assert_eq!(lexer::number(b"0X3f"), Ok(63));
    assert_eq!(lexer::number(b"065"), Ok(53));
    assert_eq!(lexer::number(b"0"), Ok(0));
    assert_eq!(lexer::number(b"4294967295"), Ok(u32::MAX));
    assert_eq!(lexer::number(b"4294967296"), Err(K::NumberTooLarge));
    assert_eq!(lexer::number(b"08"), Err(K::ExpectedNumber));
    assert_eq!(lexer::number(b"12a"), Err(K::ExpectedNumber));
}

#[test]
fn qualifiers_are_remembered_for_bare_ids() {
    let filter = parse("tcp dst port 1 or 2");
    assert_eq!(
        tests(&filter)[1],
        Test::Port {
            protos: program::TCP,
            dir: Dir::Dst,
            lo: 2,
            hi: 2
        }
    );
    assert_eq!(
        tests(&parse("portrange 9-3"))[0],
        Test::Port {
            protos: program::TCP | program::UDP | program::SCTP,
            dir: Dir::Any,
            lo: 3,
            hi: 9
        }
    );
}

#[test]
fn jumps_only_go_forward_and_not_swaps_targets() {
    for text in [
        "ip and (tcp or udp) and not port 53",
        "not (a or b)"
            .replace('a', "arp")
            .replace('b', "vlan")
            .as_str(),
        "((ip or ip6) and not (tcp or udp)) or (vlan and not (arp and rarp))",
        "ip or ip or ip or ip or ip or ip or ip or ip and ip6 and ip6",
    ] {
        let filter = parse(text);
        for (at, node) in filter.nodes[..usize::from(filter.len)].iter().enumerate() {
            for target in [node.on_true, node.on_false] {
                assert!(
                    target == program::ACCEPT
                        || target == program::REJECT
                        || usize::from(target) > at,
                    "{text:?}: node {at} jumps to {target}"
                );
            }
        }
    }
    let ip = parse("ip");
    let not_ip = parse("not ip");
    assert_eq!(
        (ip.nodes[0].on_true, ip.nodes[0].on_false),
        (not_ip.nodes[0].on_false, not_ip.nodes[0].on_true)
    );
}

#[test]
fn parse_into_replaces_the_program_and_leaves_accept_all_on_error() {
    let mut filter = parse("tcp port 80");
    filter.parse_into(b"udp and not port 53").unwrap();
    assert_eq!(filter, parse("udp and not port 53"));
    assert_eq!(
        filter.parse_into(b"udp and ("),
        Err(Filter::parse(b"udp and (").unwrap_err())
    );
    assert!(filter.is_accept_all());
    assert_eq!(filter, Filter::accept_all());
}
