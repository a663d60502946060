use super::*;

use crate::test_frames as frames;

/// An ICMPv6 echo request with sequence number 9 in Ethernet.
fn icmpv6_echo_in_ethernet() -> Vec<u8> {
    frames::ethernet_ping(9, 4)
}

#[test]
fn ethernet_icmpv6_echo_is_summarised() {
    let text = describe(LinkType::Ethernet, &icmpv6_echo_in_ethernet());
    assert_eq!(
        text,
        "2001:db8::1 → 2001:db8::2 ICMPv6 Echo (ping) request id=0x0042, seq=9"
    );
}

#[test]
fn cooked_ppp_and_ip_are_summarised() {
    let mut ppp = vec![0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x19];
    ppp.extend_from_slice(&[0xff, 0x03, 0xc0, 0x21]);
    assert_eq!(describe(LinkType::Sll, &ppp), "PPP-HDLC len=4");
    let eth = icmpv6_echo_in_ethernet();
    let mut sll2 = vec![0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6];
    sll2.extend_from_slice(&[0; 8]);
    sll2.extend_from_slice(&eth[14..]);
    assert!(describe(LinkType::Sll2, &sll2).contains("ICMPv6 Echo (ping) request"));
}

#[test]
fn serial_link_types_are_summarised() {
    let mut ppp_ip = vec![0xff, 0x03, 0x00, 0x57];
    ppp_ip.extend_from_slice(&icmpv6_echo_in_ethernet()[14..]);
    assert!(describe(LinkType::Ppp, &ppp_ip).contains("ICMPv6 Echo (ping) request"));
    assert_eq!(
        describe(LinkType::Ppp, &[0xc0, 0x21, 1, 2]),
        "PPP LCP len=2"
    );
    assert_eq!(
        describe(LinkType::Ieee802154Fcs, &[0x41, 0xcc, 7, 0, 0]),
        "IEEE 802.15.4 data len=5"
    );
    assert_eq!(
        describe(LinkType::Other(147), &[1, 2]),
        "link type 147 len=2"
    );
}

#[test]
fn damaged_frames_still_get_a_line() {
    assert_eq!(
        describe(LinkType::Ethernet, &[1, 2, 3]),
        "[malformed Ethernet, 3 bytes]"
    );
    assert_eq!(
        describe(LinkType::Sll2, &[0; 5]),
        "[malformed SLL2, 5 bytes]"
    );
    let line = Line {
        time: "   1.500000",
        device: "192.0.2.1",
        link: LinkType::Ethernet,
        direction: Direction::Outbound,
        frame: &[0; 14],
    }
    .render();
    assert!(
        line.starts_with("   1.500000 192.0.2.1          eth  out"),
        "{line}"
    );
}

#[test]
fn arp_reads_like_tsharks_info_column() {
    let mut request = vec![0xff; 6];
    request.extend_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x08, 0x06]);
    request.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    request.extend_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x53, 0x02, 192, 0, 2, 2]);
    request.extend_from_slice(&[0, 0, 0, 0, 0, 0, 192, 0, 2, 1]);
    assert_eq!(
        describe(LinkType::Ethernet, &request),
        "ARP Who has 192.0.2.1? Tell 192.0.2.2"
    );
    let mut reply = request.clone();
    reply[21] = 2;
    reply[22..28].copy_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x53, 0x01]);
    reply[28..32].copy_from_slice(&[192, 0, 2, 1]);
    reply[38..42].copy_from_slice(&[192, 0, 2, 2]);
    assert_eq!(
        describe(LinkType::Ethernet, &reply),
        "ARP 192.0.2.1 is at 02:00:5e:00:53:01"
    );
}

#[test]
fn mldv2_report_behind_a_hop_by_hop_header_is_named() {
    let mut frame = vec![
        0x33, 0x33, 0, 0, 0, 0x16, 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01,
    ];
    frame.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, 16, 0, 1]);
    let src: std::net::Ipv6Addr = "fe80::1".parse().unwrap();
    let dst: std::net::Ipv6Addr = "ff02::16".parse().unwrap();
    frame.extend_from_slice(&src.octets());
    frame.extend_from_slice(&dst.octets());
    // Hop-by-hop: next header ICMPv6, router alert, PadN.
    frame.extend_from_slice(&[58, 0, 5, 2, 0, 0, 1, 0]);
    frame.extend_from_slice(&[143, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        describe(LinkType::Ethernet, &frame),
        "fe80::1 → ff02::16 ICMPv6 Multicast Listener Report Message v2"
    );
}
