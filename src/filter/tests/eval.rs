//! Evaluation: precedence, lengths, short frames, link types.

use super::parse;
use crate::filter::{Filter, LinkType};
use std::format;
use std::string::String;
use std::vec::Vec;

/// A minimal Ethernet/IPv4/UDP frame.
fn udp_frame(sport: u16, dport: u16) -> Vec<u8> {
    let mut f = std::vec![0u8; 12];
    f.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0]);
    f.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&[0, 8, 0, 0]);
    f
}

#[test]
fn and_and_or_group_from_the_left() {
    let frame = udp_frame(1, 2);
    let eth = LinkType::Ethernet;
    // (ip or arp) and ip6: false. With `and` binding tighter it would be true.
    assert!(!parse("ip or arp and ip6").matches(eth, &frame, frame.len()));
    assert!(parse("ip or (arp and ip6)").matches(eth, &frame, frame.len()));
    assert!(parse("ip6 and arp or udp").matches(eth, &frame, frame.len()));
    assert!(parse("not ip6 and udp port 2").matches(eth, &frame, frame.len()));
}

#[test]
fn end_to_end_filter_matches_its_port_only() {
    let filter = parse("udp port 4243");
    let eth = LinkType::Ethernet;
    assert!(filter.matches(eth, &udp_frame(4243, 9), 42));
    assert!(filter.matches(eth, &udp_frame(9, 4243), 42));
    assert!(!filter.matches(eth, &udp_frame(9, 4242), 42));
    let raw = &udp_frame(9, 4243)[14..];
    assert!(filter.matches(LinkType::RawIp, raw, raw.len()));
}

#[test]
fn len_is_the_wire_length_not_the_captured_one() {
    let frame = udp_frame(1, 2);
    let eth = LinkType::Ethernet;
    assert!(parse("len >= 1000").matches(eth, &frame, 1000));
    assert!(!parse("len >= 1000").matches(eth, &frame, 999));
    assert!(parse("greater 1000 and less 1000").matches(eth, &frame[..10], 1000));
    assert!(parse("len != 5").matches(LinkType::Other, &[], usize::MAX));
    assert!(parse("len == 4294967295").matches(LinkType::Other, &[], usize::MAX));
    assert!(parse("len < 1 and len > 0 or len = 0").matches(LinkType::Other, &[], 0));
}

#[test]
fn a_short_read_rejects_the_frame_even_under_not() {
    let frame = udp_frame(53, 2);
    let eth = LinkType::Ethernet;
    // Cut after the source port: `port 53` decides on it, `dst port` cannot.
    let cut = &frame[..36];
    assert!(parse("port 53").matches(eth, cut, 42));
    assert!(!parse("dst port 2").matches(eth, cut, 42));
    assert!(!parse("not dst port 2").matches(eth, cut, 42));
    // Short-circuit: `arp` is false without reading anything further.
    assert!(!parse("arp and port 53").matches(eth, &frame[..14], 42));
    assert!(parse("not (arp and port 53)").matches(eth, &frame[..14], 42));
}

#[test]
fn ppp_frames_with_and_without_address_and_control() {
    let ip = &udp_frame(53, 2)[14..];
    let mut with = std::vec![0xff, 0x03, 0x00, 0x21];
    with.extend_from_slice(ip);
    let without = with[2..].to_vec();
    for frame in [&with, &without] {
        assert!(parse("ip and udp src port 53").matches(LinkType::Ppp, frame, frame.len()));
        assert!(!parse("ip6 or arp").matches(LinkType::Ppp, frame, frame.len()));
        assert!(parse("ether proto 0x800").matches(LinkType::Ppp, frame, frame.len()));
    }
}

#[test]
fn other_links_only_match_lengths() {
    let frame = udp_frame(53, 2);
    for text in [
        "ip",
        "ether proto 0x800",
        "vlan",
        "udp",
        "port 53",
        "host 192.0.2.1",
    ] {
        assert!(
            !parse(text).matches(LinkType::Other, &frame, frame.len()),
            "{text}"
        );
        assert!(parse(&format!("not {text}")).matches(LinkType::Other, &frame, frame.len()));
    }
    assert!(parse("greater 10").matches(LinkType::Other, &frame, frame.len()));
}

#[test]
fn vlan_is_false_and_shifts_nothing_off_ethernet() {
    let ip = &udp_frame(53, 2)[14..];
    assert!(!parse("vlan").matches(LinkType::RawIp, ip, ip.len()));
    assert!(parse("vlan or udp port 53").matches(LinkType::RawIp, ip, ip.len()));
}

#[test]
fn link_types_map_from_pcap_numbers() {
    assert_eq!(LinkType::from_linktype(1), LinkType::Ethernet);
    assert_eq!(LinkType::from_linktype(101), LinkType::RawIp);
    assert_eq!(LinkType::from_linktype(113), LinkType::Sll1);
    assert_eq!(LinkType::from_linktype(276), LinkType::Sll2);
    assert_eq!(LinkType::from_linktype(9), LinkType::Ppp);
    assert_eq!(LinkType::from_linktype(147), LinkType::Other);
}

#[test]
fn errors_print_message_and_position() {
    let err = Filter::parse(b"port 70000").unwrap_err();
    assert_eq!(
        format!("{err}"),
        "expected a port number (0-65535) at position 5"
    );
    let text: String = "ip and tcp".into();
    assert_eq!(text.parse::<Filter>(), Filter::parse(b"ip and tcp"));
}
