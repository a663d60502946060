use super::*;
use crate::wire::Ipv4Addr;

const REMOTE: [u8; 4] = [192, 0, 2, 2];
const DEVICE: [u8; 4] = [192, 0, 2, 1];

fn ipv4(src: [u8; 4], dst: [u8; 4], protocol: u8, payload: &[u8]) -> std::vec::Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut packet = std::vec![0x45, 0];
    packet.extend_from_slice(&total.to_be_bytes());
    packet.extend_from_slice(&[0, 0, 0x40, 0, 64, protocol, 0, 0]);
    packet.extend_from_slice(&src);
    packet.extend_from_slice(&dst);
    packet.extend_from_slice(payload);
    packet
}

fn ethernet(packet: &[u8]) -> std::vec::Vec<u8> {
    let mut frame = std::vec![0x02; 12];
    frame.extend_from_slice(&[0x08, 0x00]);
    frame.extend_from_slice(packet);
    frame
}

fn remote() -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(REMOTE))
}

fn icmp_error_quoting(quoted: &[u8]) -> std::vec::Vec<u8> {
    let mut icmp = std::vec![3, 2, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&quoted[..28.min(quoted.len())]);
    icmp
}

#[test]
fn outer_tunnel_packets_are_recognised_both_ways() {
    let out = ipv4(DEVICE, REMOTE, 41, &[0x60; 40]);
    let back = ipv4(REMOTE, DEVICE, 4, &[0x45; 20]);
    assert!(is_tunnel_frame(&ethernet(&out), Link::Ethernet, &remote()));
    assert!(is_tunnel_frame(&ethernet(&back), Link::Ethernet, &remote()));
    assert!(is_tunnel_packet(&out, &remote()));
}

#[test]
fn icmp_error_quoting_a_tunnel_packet_is_recognised() {
    let tunnel_packet = ipv4(DEVICE, REMOTE, 41, &[0x60; 60]);
    let error = ipv4(REMOTE, DEVICE, 1, &icmp_error_quoting(&tunnel_packet));
    assert!(is_tunnel_frame(
        &ethernet(&error),
        Link::Ethernet,
        &remote()
    ));
    // The same error seen on a raw-IP or PPP link.
    assert!(is_tunnel_frame(&error, Link::RawIp, &remote()));
    let mut ppp = std::vec![0x00, 0x21];
    ppp.extend_from_slice(&error);
    assert!(is_tunnel_frame(&ppp, Link::Ppp, &remote()));
}

#[test]
fn ordinary_traffic_is_not_tunnel_traffic() {
    let echo = ipv4(REMOTE, DEVICE, 1, &[8, 0, 0, 0, 0, 1, 0, 1]);
    assert!(!is_tunnel_frame(
        &ethernet(&echo),
        Link::Ethernet,
        &remote()
    ));
    let udp = ipv4(DEVICE, REMOTE, 17, &[0; 8]);
    let error_about_udp = ipv4(REMOTE, DEVICE, 1, &icmp_error_quoting(&udp));
    assert!(!is_tunnel_frame(
        &ethernet(&error_about_udp),
        Link::Ethernet,
        &remote()
    ));
    let other_peer = ipv4(DEVICE, [192, 0, 2, 9], 41, &[0x60; 40]);
    assert!(!is_tunnel_frame(
        &ethernet(&other_peer),
        Link::Ethernet,
        &remote()
    ));
    let mut arp = std::vec![0xff; 12];
    arp.extend_from_slice(&[0x08, 0x06, 0, 1]);
    assert!(!is_tunnel_frame(&arp, Link::Ethernet, &remote()));
    let tunnel_packet = ipv4(DEVICE, REMOTE, 41, &[0x60; 40]);
    assert!(!is_tunnel_frame(&tunnel_packet, Link::Other, &remote()));
}

#[test]
fn garbage_is_not_tunnel_traffic() {
    for len in 0..64 {
        let junk = std::vec![0x45u8; len];
        assert!(!is_tunnel_frame(&junk, Link::RawIp, &remote()));
        let _ = is_tunnel_frame(&junk, Link::Ethernet, &remote());
        let _ = is_tunnel_frame(&junk, Link::Ppp, &remote());
    }
}
