//! Crafted frames and tunnel packets, built with etherparse and the device
//! library's own encoders.

use zephyr_net_capture::wire::sll::{
    packet_type, Cooked, LinkAddr, Sll2Repr, Version, SLL2_HEADER_LEN,
};
use zephyr_net_capture::wire::tunnel::{Encap, Oversize};
use zephyr_net_capture::wire::{ip_proto, ipv4, ipv6};

pub const DEVICE_MAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x01];
pub const HOST_MAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x53, 0xff];

/// An Ethernet frame carrying an ICMPv6 echo request with `seq`.
pub fn ethernet_ping(seq: u16, payload_len: usize) -> Vec<u8> {
    let builder = etherparse::PacketBuilder::ethernet2(DEVICE_MAC, HOST_MAC)
        .ipv6(
            "2001:db8::1"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
            "2001:db8::2"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
            64,
        )
        .icmpv6_echo_request(0x42, seq);
    let payload: Vec<u8> = (0..payload_len).map(|i| i as u8).collect();
    let mut frame = Vec::new();
    builder.write(&mut frame, &payload).expect("frame built");
    frame
}

/// An IPv4 UDP packet (raw IP) with `payload`.
pub fn ipv4_udp(payload: &[u8]) -> Vec<u8> {
    let builder = etherparse::PacketBuilder::ipv4([192, 0, 2, 1], [192, 0, 2, 2], 64).udp(5000, 53);
    let mut packet = Vec::new();
    builder.write(&mut packet, payload).expect("packet built");
    packet
}

/// A cooked frame: SLL v1 or v2 header with `pkttype`, hatype Ethernet,
/// the device MAC, protocol IPv6, then an ICMPv6 echo request.
pub fn cooked_ping(version: Version, pkttype: u16, seq: u16) -> Vec<u8> {
    let eth = ethernet_ping(seq, 8);
    let mut addr = [0u8; 8];
    addr[..6].copy_from_slice(&DEVICE_MAC);
    let header = Cooked {
        pkttype,
        hatype: 1,
        addr: LinkAddr::new(6, &addr),
        protocol: 0x86dd,
        ifindex: 2,
    };
    let mut frame = vec![0u8; version.header_len()];
    header.emit(version, &mut frame).expect("header fits");
    frame.extend_from_slice(&eth[14..]);
    frame
}

/// What a device with `CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA` sends for
/// an Ethernet `frame` it captured on interface `ifindex`: the SLL2
/// header of the device library's own encoder, then the frame after its
/// Ethernet header.
pub fn metadata_record(frame: &[u8], ifindex: u32, outgoing: bool) -> Vec<u8> {
    let (repr, skip) = Sll2Repr::for_ethernet(frame, ifindex, outgoing, 0);
    let mut record = vec![0u8; SLL2_HEADER_LEN];
    repr.emit(&mut record).expect("header fits");
    record.extend_from_slice(&frame[skip..]);
    record
}

/// An Ethernet frame with an ICMPv6 echo request (`reply` false) or
/// reply with `seq`, from `src` to `dst` (MAC and IPv6 addresses).
pub fn ethernet_echo(src: ([u8; 6], &str), dst: ([u8; 6], &str), reply: bool, seq: u16) -> Vec<u8> {
    let ip = |text: &str| text.parse::<std::net::Ipv6Addr>().unwrap().octets();
    let builder = etherparse::PacketBuilder::ethernet2(src.0, dst.0).ipv6(ip(src.1), ip(dst.1), 64);
    let builder = if reply {
        builder.icmpv6_echo_reply(0x42, seq)
    } else {
        builder.icmpv6_echo_request(0x42, seq)
    };
    let mut frame = Vec::new();
    builder.write(&mut frame, &[0xab; 16]).expect("frame built");
    frame
}

/// A ping the device sent and one it received, as SLL v2 frames.
pub fn cooked_ping_pair() -> Vec<Vec<u8>> {
    vec![
        cooked_ping(Version::V2, packet_type::OUTGOING, 1),
        cooked_ping(Version::V2, packet_type::HOST, 2),
    ]
}

// ---- tunnel packets -----------------------------------------------------

/// The inner packets (IP + UDP, fragmented to `mtu`) the device builds for
/// one captured `frame`, using the device library's own planner.
pub fn inner_packets(
    device: &str,
    peer: &str,
    port: u16,
    frame: &[u8],
    mtu: usize,
    ident: u32,
) -> Vec<Vec<u8>> {
    let encap = Encap {
        local: device.parse().unwrap(),
        peer: peer.parse().unwrap(),
        local_port: 4242,
        peer_port: port,
    };
    let plan = encap
        .plan(frame.len(), mtu, Oversize::Fragment, ident)
        .expect("plan");
    let mut sum = plan.checksum_start().expect("checksum");
    sum.add(&frame[..plan.payload_len()]);
    (0..plan.pieces())
        .map(|index| {
            let piece = plan.piece(index, sum).expect("piece");
            let mut packet = piece.header().to_vec();
            packet.extend_from_slice(&frame[piece.payload.clone()]);
            packet
        })
        .collect()
}

/// Wraps an inner packet in the outer IPv4 or IPv6 header of the tunnel.
pub fn outer_packet(outer_v6: bool, inner: &[u8]) -> Vec<u8> {
    let protocol = if inner[0] >> 4 == 6 {
        ip_proto::IPV6
    } else {
        ip_proto::IPIP
    };
    let mut packet;
    if outer_v6 {
        packet = vec![0u8; ipv6::HEADER_LEN];
        ipv6::Repr {
            src: "2001:db8::1".parse().unwrap(),
            dst: "2001:db8::2".parse().unwrap(),
            next_header: protocol,
            payload_len: inner.len() as u16,
            hop_limit: 64,
        }
        .emit(&mut ipv6::Packet::new_unchecked(&mut packet[..]))
        .unwrap();
    } else {
        packet = vec![0u8; ipv4::HEADER_LEN];
        ipv4::Repr {
            src: "192.0.2.1".parse().unwrap(),
            dst: "192.0.2.2".parse().unwrap(),
            protocol,
            payload_len: inner.len() as u16,
            ttl: 64,
            ident: 0,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
        }
        .emit(&mut ipv4::Packet::new_unchecked(&mut packet[..]))
        .unwrap();
    }
    packet.extend_from_slice(inner);
    packet
}

/// An Ethernet frame on the zeth TAP carrying `ip` towards the host.
pub fn on_tap(ip: &[u8]) -> Vec<u8> {
    let mut frame = HOST_MAC.to_vec();
    frame.extend_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x53, 0x01]);
    let ethertype: u16 = if ip[0] >> 4 == 6 { 0x86dd } else { 0x0800 };
    frame.extend_from_slice(&ethertype.to_be_bytes());
    frame.extend_from_slice(ip);
    frame
}
