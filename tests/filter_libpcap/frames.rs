//! Frames for the comparison with libpcap: IP packets over every link type,
//! and Ethernet frames of other protocols, with and without VLAN tags.

use zephyr_net_capture::filter::LinkType;

pub fn ipv4(
    proto: u8,
    src: [u8; 4],
    dst: [u8; 4],
    frag: u16,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let ihl = 5 + options.len() / 4;
    let total = (ihl * 4 + payload.len()) as u16;
    let mut p = vec![0x40 | ihl as u8, 0];
    p.extend_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&[0x12, 0x34]);
    p.extend_from_slice(&frag.to_be_bytes());
    p.extend_from_slice(&[64, proto, 0, 0]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(options);
    p.extend_from_slice(payload);
    p
}

pub fn ipv6(next: u8, src: [u16; 8], dst: [u16; 8], payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x60, 0, 0, 0];
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&[next, 64]);
    for word in src.iter().chain(&dst) {
        p.extend_from_slice(&word.to_be_bytes());
    }
    p.extend_from_slice(payload);
    p
}

pub fn ports(sport: u16, dport: u16, rest: usize) -> Vec<u8> {
    let mut p = sport.to_be_bytes().to_vec();
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend(std::iter::repeat_n(0xa5, rest));
    p
}

pub fn arp(op: u16, spa: [u8; 4], tpa: [u8; 4]) -> Vec<u8> {
    let mut p = vec![0, 1, 8, 0, 6, 4];
    p.extend_from_slice(&op.to_be_bytes());
    p.extend_from_slice(&[2, 0, 0, 0, 0, 1]);
    p.extend_from_slice(&spa);
    p.extend_from_slice(&[0; 6]);
    p.extend_from_slice(&tpa);
    p
}

pub fn eth(tags: &[(u16, u16)], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1];
    for (tpid, tci) in tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&tci.to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

pub fn sll1(protocol: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
    f.extend_from_slice(&protocol.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

pub fn sll2(protocol: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = protocol.to_be_bytes().to_vec();
    f.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
    f.extend_from_slice(payload);
    f
}

pub fn ppp(protocol: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0xff, 0x03];
    f.extend_from_slice(&protocol.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

pub const A1: [u8; 4] = [192, 0, 2, 1];
pub const A2: [u8; 4] = [192, 0, 2, 2];
pub const TEN: [u8; 4] = [10, 1, 2, 3];
pub const B1: [u16; 8] = [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1];
pub const B2: [u16; 8] = [0x2001, 0xdb8, 0, 0, 0, 0, 0, 2];
pub const B8: [u16; 8] = [0x2001, 0xdb8, 0x8000, 0, 0, 0, 0, 8];
pub const LL: [u16; 8] = [0xfe80, 0, 0, 0, 0, 0, 0, 1];
pub const MLD: [u16; 8] = [0xff02, 0, 0, 0, 0, 0, 0, 0x16];

/// IP packets, each also sent over every link type.
pub fn ip_packets() -> Vec<(&'static str, Vec<u8>)> {
    let frag_hdr = |next: u8, offset: u16, inner: &[u8]| {
        let mut p = vec![next, 0];
        p.extend_from_slice(&offset.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 7]);
        p.extend_from_slice(inner);
        p
    };
    let mut hbh_mld = vec![58, 0, 5, 2, 0, 0, 1, 0];
    hbh_mld.extend_from_slice(&[143, 0, 0, 0, 0, 0, 0, 1]);
    hbh_mld.extend(std::iter::repeat_n(0, 20));
    vec![
        (
            "v4-udp-53",
            ipv4(17, A1, A2, 0x4000, &[], &ports(4243, 53, 12)),
        ),
        (
            "v4-udp-4243",
            ipv4(17, A2, A1, 0, &[], &ports(53, 4243, 12)),
        ),
        (
            "v4-tcp-80",
            ipv4(6, TEN, A2, 0x4000, &[], &ports(80, 40000, 16)),
        ),
        (
            "v4-tcp-options",
            ipv4(
                6,
                A1,
                TEN,
                0,
                &[1, 1, 1, 0, 7, 3, 4, 0],
                &ports(443, 80, 16),
            ),
        ),
        (
            "v4-icmp",
            ipv4(1, A1, A2, 0, &[], &[8, 0, 0, 0, 0, 1, 0, 1]),
        ),
        (
            "v4-igmp",
            ipv4(2, A1, [224, 0, 0, 22], 0, &[148, 4, 0, 0], &[0x22; 8]),
        ),
        ("v4-sctp", ipv4(132, A1, A2, 0, &[], &ports(9, 5060, 8))),
        (
            "v4-udp-first-frag",
            ipv4(17, A1, A2, 0x2000, &[], &ports(53, 1000, 20)),
        ),
        (
            "v4-udp-later-frag",
            ipv4(17, A1, A2, 0x00b9, &[], &ports(53, 53, 20)),
        ),
        (
            "v4-udp-frag-4096",
            ipv4(17, A1, A2, 0x1000, &[], &ports(53, 53, 20)),
        ),
        ("v4-ihl-0", {
            let mut p = ipv4(17, A1, A2, 0, &[], &ports(53, 53, 4));
            p[0] = 0x40;
            p
        }),
        ("v6-udp-53", ipv6(17, B1, B2, &ports(5353, 53, 12))),
        ("v6-tcp-443", ipv6(6, B8, B1, &ports(443, 50000, 16))),
        ("v6-icmp6", ipv6(58, LL, B1, &[128, 0, 0, 0, 0, 1, 0, 1])),
        ("v6-sctp", ipv6(132, B2, B8, &ports(9, 10, 8))),
        (
            "v6-frag-udp-first",
            ipv6(44, B1, B2, &frag_hdr(17, 1, &ports(53, 4243, 8))),
        ),
        (
            "v6-frag-tcp-later",
            ipv6(44, B2, B1, &frag_hdr(6, 0x0100, &[0; 16])),
        ),
        ("v6-hbh-mld", ipv6(0, LL, MLD, &hbh_mld)),
    ]
}

/// Named frames for one link type: (libpcap DLT, our link type, frames).
pub type Frames = Vec<(String, Vec<u8>)>;

pub fn corpus() -> Vec<(i32, LinkType, Frames)> {
    let packets = ip_packets();
    let v4: Vec<_> = packets.iter().filter(|(_, p)| p[0] >> 4 == 4).collect();
    let mut ethernet: Frames = Vec::new();
    let mut raw = Vec::new();
    let mut cooked1 = Vec::new();
    let mut cooked2 = Vec::new();
    let mut ppp_frames = Vec::new();
    for (name, packet) in &packets {
        let ethertype = if packet[0] >> 4 == 4 { 0x0800 } else { 0x86dd };
        let ppp_proto = if ethertype == 0x0800 { 0x0021 } else { 0x0057 };
        ethernet.push((name.to_string(), eth(&[], ethertype, packet)));
        raw.push((name.to_string(), packet.clone()));
        cooked1.push((name.to_string(), sll1(ethertype, packet)));
        cooked2.push((name.to_string(), sll2(ethertype, packet)));
        ppp_frames.push((name.to_string(), ppp(ppp_proto, packet)));
    }
    let arp_request = arp(1, A1, A2);
    let arp_reply = arp(2, A2, A1);
    ethernet.extend([
        ("arp-request".into(), eth(&[], 0x0806, &arp_request)),
        ("arp-reply".into(), eth(&[], 0x0806, &arp_reply)),
        ("rarp".into(), eth(&[], 0x8035, &arp(3, TEN, A2))),
        (
            "vlan10-v4-udp".into(),
            eth(&[(0x8100, 10)], 0x0800, &v4[0].1),
        ),
        (
            "vlan20-v6-tcp".into(),
            eth(&[(0x8100, 0x2014)], 0x86dd, &packets[11].1),
        ),
        (
            "qinq-100-10-v4-udp".into(),
            eth(&[(0x88a8, 100), (0x8100, 10)], 0x0800, &v4[1].1),
        ),
        (
            "vlan9100-v4-tcp".into(),
            eth(&[(0x9100, 7)], 0x0800, &v4[2].1),
        ),
        (
            "vlan10-arp".into(),
            eth(&[(0x8100, 10)], 0x0806, &arp_request),
        ),
        (
            "vlan0-vlan0-arp".into(),
            eth(&[(0x8100, 0), (0x8100, 0)], 0x0806, &arp_reply),
        ),
        (
            "stp-llc".into(),
            eth(&[], 38, &[0x42, 0x42, 0x03, 0, 0, 0, 0, 0]),
        ),
        (
            "iso-llc".into(),
            eth(&[], 38, &[0xfe, 0xfe, 0x03, 0x83, 0, 0, 0, 0]),
        ),
        (
            "ip-sap-llc".into(),
            eth(&[], 20, &[0x06, 0x06, 0x03, 0x45, 0, 0]),
        ),
        (
            "snap-llc".into(),
            eth(&[], 30, &[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]),
        ),
        (
            "llc-len-1500".into(),
            eth(&[], 1500, &[0x42, 0x42, 0x03, 0, 0, 0]),
        ),
        (
            "lldp".into(),
            eth(&[], 0x88cc, &[2, 7, 4, 0, 0, 0, 0, 0, 1]),
        ),
        ("hdlc-0x19".into(), eth(&[], 0x0019, &[0x19, 0x19, 0, 0])),
        ("runt".into(), vec![0xff; 13]),
    ]);
    cooked1.extend([
        ("arp".into(), sll1(0x0806, &arp_request)),
        ("hdlc".into(), sll1(0x0019, &[0x0f, 0, 0, 0])),
        ("llc-stp".into(), sll1(0x0004, &[0x42, 0x42, 3, 0])),
        ("llc-iso".into(), sll1(0x0004, &[0xfe, 0xfe, 3, 0])),
        (
            "can".into(),
            sll1(0x000c, &[0, 0, 1, 0x23, 2, 0, 0, 0, 1, 2]),
        ),
    ]);
    cooked2.extend([
        ("arp".into(), sll2(0x0806, &arp_reply)),
        ("hdlc".into(), sll2(0x0019, &[0x0f, 0, 0, 0])),
        ("llc".into(), sll2(0x0004, &[0x42, 0x42, 3, 0])),
    ]);
    ppp_frames.extend([
        ("lcp".into(), ppp(0xc021, &[1, 1, 0, 4])),
        ("ppp-arp-type".into(), ppp(0x0806, &arp_request)),
    ]);
    raw.push(("not-ip".into(), vec![0x10; 40]));
    vec![
        (1, LinkType::Ethernet, ethernet),
        (12, LinkType::RawIp, raw),
        (113, LinkType::Sll1, cooked1),
        (276, LinkType::Sll2, cooked2),
        (9, LinkType::Ppp, ppp_frames),
    ]
}
