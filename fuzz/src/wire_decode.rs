//! Every `wire` decoder on the same arbitrary bytes.

use zephyr_net_capture::wire::checksum::{self, Checksum};
use zephyr_net_capture::wire::feedback::{self, Link};
use zephyr_net_capture::wire::{ethernet, ip, ipv4, ipv6, udp, IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `inner` lies within `outer` (same allocation, in bounds).
fn within(outer: &[u8], inner: &[u8]) -> bool {
    let range = outer.as_ptr_range();
    let (start, end) = (inner.as_ptr(), inner.as_ptr().wrapping_add(inner.len()));
    range.start <= start && end <= range.end
}

/// Decoders never panic, never read or point outside their input, and
/// what they decode encodes back to the same fields; the checksum of data
/// added in arbitrary pieces equals that of the whole.
pub fn check(data: &[u8]) {
    check_ipv4(data);
    check_ipv6(data);
    check_udp(data);
    check_ethernet(data);
    check_lenient_ip(data);
    check_feedback(data);
    check_checksum(data);
}

fn check_ipv4(data: &[u8]) {
    let Ok(packet) = ipv4::Packet::new_checked(data) else {
        return;
    };
    let header_len = packet.header_len();
    assert!(header_len >= ipv4::HEADER_LEN && header_len <= usize::from(packet.total_len()));
    assert!(usize::from(packet.total_len()) <= data.len());
    assert_eq!(
        packet.payload().len(),
        usize::from(packet.total_len()) - header_len
    );
    assert!(within(data, packet.payload()));
    let Ok(repr) = ipv4::Repr::parse(&packet) else {
        assert!(!packet.verify_checksum());
        return;
    };
    assert_eq!(repr.frag_offset % 8, 0);
    let mut out = vec![0u8; ipv4::HEADER_LEN + usize::from(repr.payload_len)];
    repr.emit(&mut ipv4::Packet::new_unchecked(&mut out[..]))
        .expect("a parsed header emits");
    let again = ipv4::Packet::new_checked(&out[..]).expect("emitted header");
    assert!(again.verify_checksum());
    assert_eq!(ipv4::Repr::parse(&again), Ok(repr));
}

fn check_ipv6(data: &[u8]) {
    let Ok(packet) = ipv6::Packet::new_checked(data) else {
        return;
    };
    assert_eq!(packet.payload().len(), usize::from(packet.payload_len()));
    assert!(within(data, packet.payload()));
    let repr = ipv6::Repr::parse(&packet).expect("fixed header");
    let mut out = vec![0u8; ipv6::HEADER_LEN + usize::from(repr.payload_len)];
    repr.emit(&mut ipv6::Packet::new_unchecked(&mut out[..]))
        .expect("a parsed header emits");
    let again = ipv6::Packet::new_checked(&out[..]).expect("emitted header");
    assert_eq!(ipv6::Repr::parse(&again), Ok(repr));
    if let Ok(fragment) = ipv6::FragmentRepr::parse(packet.payload()) {
        let mut out = [0u8; ipv6::FRAGMENT_HEADER_LEN];
        fragment
            .emit(&mut out)
            .expect("a parsed fragment header emits");
        assert_eq!(ipv6::FragmentRepr::parse(&out), Ok(fragment));
    }
}

/// Addresses for pseudo-headers, taken from the input.
fn addrs(data: &[u8]) -> [(IpAddr, IpAddr); 2] {
    let mut octets = [0u8; 32];
    for (slot, byte) in octets.iter_mut().zip(data.iter().rev()) {
        *slot = *byte;
    }
    let v6 = |at: usize| {
        let mut o = [0u8; 16];
        o.copy_from_slice(&octets[at..at + 16]);
        IpAddr::V6(Ipv6Addr::from(o))
    };
    let v4 = |at: usize| {
        IpAddr::V4(Ipv4Addr::new(
            octets[at],
            octets[at + 1],
            octets[at + 2],
            octets[at + 3],
        ))
    };
    [(v4(0), v4(4)), (v6(0), v6(16))]
}

fn check_udp(data: &[u8]) {
    let pairs = addrs(data);
    if let Ok(packet) = udp::Packet::new_checked(data) {
        assert_eq!(
            packet.payload().len() + udp::HEADER_LEN,
            usize::from(packet.len())
        );
        let repr = udp::Repr::parse(&packet);
        assert_eq!(usize::from(repr.payload_len), packet.payload().len());
        for (src, dst) in &pairs {
            let _ = packet.verify_checksum(src, dst);
        }
    }
    // A datagram built around any payload verifies, for both families.
    let payload = &data[..data.len().min(usize::from(u16::MAX) - udp::HEADER_LEN)];
    let repr = udp::Repr {
        src_port: 4242,
        dst_port: 4243,
        payload_len: payload.len() as u16,
    };
    for (src, dst) in &pairs {
        let mut sum = repr.checksum_start(src, dst).expect("length fits");
        sum.add(payload);
        let mut bytes = vec![0u8; udp::HEADER_LEN];
        repr.emit(&mut bytes, sum).expect("header fits");
        bytes.extend_from_slice(payload);
        let packet = udp::Packet::new_checked(&bytes[..]).expect("built datagram");
        assert!(packet.verify_checksum(src, dst), "own checksum verifies");
    }
}

fn check_ethernet(data: &[u8]) {
    let Ok(frame) = ethernet::Frame::parse(data) else {
        return;
    };
    assert!(within(data, frame.payload));
    let header = data.len() - frame.payload.len();
    assert!([14, 18, 22].contains(&header), "header of {header} bytes");
    assert_eq!(frame.vlan.is_some(), header > 14);
    assert_eq!(frame.dst[..], data[..6]);
}

fn check_lenient_ip(data: &[u8]) {
    let Some(header) = ip::parse(data) else {
        return;
    };
    assert!(within(data, header.payload));
    assert_eq!(header.src.is_ipv4(), data[0] >> 4 == 4);
    assert_eq!(header.src.is_ipv4(), header.dst.is_ipv4());
}

fn check_feedback(data: &[u8]) {
    let mut remotes: Vec<IpAddr> = addrs(data).iter().map(|(src, _)| *src).collect();
    // The addresses in the packet itself, so matches are reachable.
    if let Some(header) = ip::parse(data) {
        remotes.extend([header.src, header.dst]);
    }
    for remote in &remotes {
        for link in [Link::Ethernet, Link::RawIp, Link::Ppp, Link::Other] {
            let tunnel = feedback::is_tunnel_frame(data, link, remote);
            if link == Link::Other {
                assert!(!tunnel);
            }
            if link == Link::RawIp {
                assert_eq!(tunnel, feedback::is_tunnel_packet(data, remote));
            }
        }
    }
}

fn check_checksum(data: &[u8]) {
    let whole = checksum::of(data);
    // Pieces of the lengths the first bytes give, as buffers of a chain.
    let mut sum = Checksum::new();
    let mut rest = data;
    let mut cuts = data.iter().copied();
    while !rest.is_empty() {
        let take = usize::from(cuts.next().unwrap_or(1) % 7).min(rest.len());
        let (piece, tail) = rest.split_at(take);
        sum.add(piece);
        rest = tail;
        if take == 0 {
            sum.add(&[]);
            let (piece, tail) = rest.split_at(1);
            sum.add(piece);
            rest = tail;
        }
    }
    assert_eq!(sum.finish(), whole, "checksum by pieces");
}
