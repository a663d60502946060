//! Helpers shared by the capture integration tests: decoding what the fake
//! stack sent with parsers independent of ours (etherparse, and smoltcp for
//! the IPv6 fragment header, which etherparse misreads).

#![allow(dead_code)]

use std::net::IpAddr;

use fake_stack::{FakeStack, Sent};

/// A UDP datagram reassembled from inner packets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub payload: Vec<u8>,
    /// How many inner packets carried it.
    pub pieces: usize,
}

/// Reassembles every datagram in `sent` (fragments arrive in order) and
/// checks the IPv4 header checksums and the UDP checksum.
pub fn datagrams(sent: &[Sent]) -> Vec<Datagram> {
    let mut out = Vec::new();
    let mut partial: Option<(IpAddr, IpAddr, Vec<u8>, usize)> = None;
    for packet in sent {
        let (src, dst, more, offset, data) = split(&packet.bytes);
        let (_, _, buf, pieces) = partial.get_or_insert_with(|| (src, dst, Vec::new(), 0));
        assert_eq!(offset, buf.len(), "fragments out of order");
        buf.extend_from_slice(&data);
        *pieces += 1;
        if !more {
            let (src, dst, buf, pieces) = partial.take().unwrap();
            out.push(udp(src, dst, &buf, pieces));
        }
    }
    assert!(partial.is_none(), "unfinished datagram");
    out
}

/// Source, destination, more-fragments, offset and IP payload of one
/// inner packet.
fn split(bytes: &[u8]) -> (IpAddr, IpAddr, bool, usize, Vec<u8>) {
    match bytes[0] >> 4 {
        4 => {
            let (header, rest) = etherparse::Ipv4Header::from_slice(bytes).unwrap();
            assert_eq!(header.calc_header_checksum(), header.header_checksum);
            assert_eq!(usize::from(header.total_len), bytes.len());
            assert_eq!(header.protocol.0, 17);
            (
                IpAddr::from(header.source),
                IpAddr::from(header.destination),
                header.more_fragments,
                usize::from(header.fragment_offset.value()) * 8,
                rest.to_vec(),
            )
        }
        6 => {
            let (header, rest) = etherparse::Ipv6Header::from_slice(bytes).unwrap();
            assert_eq!(usize::from(header.payload_length) + 40, bytes.len());
            let src = IpAddr::from(header.source);
            let dst = IpAddr::from(header.destination);
            if header.next_header.0 == 44 {
                assert_eq!(rest[0], 17);
                let fragment = smoltcp::wire::Ipv6FragmentHeader::new_checked(&rest[2..8]).unwrap();
                (
                    src,
                    dst,
                    fragment.more_frags(),
                    usize::from(fragment.frag_offset()) * 8,
                    rest[8..].to_vec(),
                )
            } else {
                assert_eq!(header.next_header.0, 17);
                (src, dst, false, 0, rest.to_vec())
            }
        }
        version => panic!("not an IP packet (version {version})"),
    }
}

fn udp(src: IpAddr, dst: IpAddr, datagram: &[u8], pieces: usize) -> Datagram {
    let (header, payload) = etherparse::UdpHeader::from_slice(datagram).unwrap();
    assert_eq!(usize::from(header.length), datagram.len());
    let expected = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => header
            .calc_checksum_ipv4_raw(s.octets(), d.octets(), payload)
            .unwrap(),
        (IpAddr::V6(s), IpAddr::V6(d)) => header
            .calc_checksum_ipv6_raw(s.octets(), d.octets(), payload)
            .unwrap(),
        _ => panic!("mixed families"),
    };
    assert_eq!(header.checksum, expected, "UDP checksum");
    Datagram {
        src,
        dst,
        src_port: header.source_port,
        dst_port: header.destination_port,
        payload: payload.to_vec(),
        pieces,
    }
}

/// An Ethernet frame of `len` bytes carrying IPv4 from 192.0.2.2 to
/// 192.0.2.1 (an echo-request-like packet).
pub fn ethernet_frame(len: usize) -> Vec<u8> {
    let mut frame = vec![
        0x02, 0, 0x5e, 0, 0x53, 0xd2, 0x8a, 0x65, 0xe3, 0xad, 0x71, 0x12, 8, 0,
    ];
    let ip_len = (len - 14) as u16;
    frame.extend_from_slice(&[
        0x45,
        0,
        (ip_len >> 8) as u8,
        ip_len as u8,
        0,
        0,
        0x40,
        0,
        64,
        1,
        0,
        0,
    ]);
    frame.extend_from_slice(&[192, 0, 2, 2, 192, 0, 2, 1]);
    frame.extend_from_slice(&[8, 0, 0, 0, 0, 1, 0, 1]);
    while frame.len() < len {
        frame.push(frame.len() as u8);
    }
    frame
}

/// The sample's setup strings: 6-in-4 tunnel to 192.0.2.2.
pub const REMOTE: &[u8] = b"192.0.2.2";
pub const LOCAL: &[u8] = b"2001:db8:200::1";
pub const PEER: &[u8] = b"2001:db8:200::2";

/// Interface indices of [`FakeStack::sample`].
pub const ETH: u8 = 1;
pub const TUNNEL: u8 = 2;

/// A sample stack with one device set up and enabled on Ethernet.
pub fn enabled_sample() -> (
    FakeStack,
    zephyr_net_capture::capture::Captures<FakeStack, 1>,
) {
    let stack = FakeStack::sample();
    let captures = enabled_on(&stack);
    (stack, captures)
}

/// One device over `stack` (the sample's topology) set up and enabled on
/// Ethernet.
pub fn enabled_on(stack: &FakeStack) -> zephyr_net_capture::capture::Captures<FakeStack, 1> {
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, ETH), Ok(()));
    stack.take_calls();
    captures
}
