//! Strict decoding of inner tunnel packets back into UDP datagrams, with
//! the crate's own `wire` decoders: what the device sent must be exactly
//! what a receiver reassembles (in order, checksums right, lengths exact).

use zephyr_net_capture::wire::{ip_proto, ipv4, ipv6, udp, IpAddr};

/// A UDP datagram rebuilt from one or more inner IP packets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub payload: Vec<u8>,
    /// Inner IP packets that carried it.
    pub pieces: usize,
}

/// One inner IP packet, split into what reassembly needs.
struct Piece<'a> {
    src: IpAddr,
    dst: IpAddr,
    ident: Option<u32>,
    more: bool,
    offset: usize,
    data: &'a [u8],
}

/// Reads one inner packet; panics (a finding) on anything the encoder
/// should never produce.
fn piece(bytes: &[u8]) -> Piece<'_> {
    match bytes.first().map(|b| b >> 4) {
        Some(4) => {
            let packet = ipv4::Packet::new_checked(bytes).expect("inner IPv4 header");
            assert_eq!(usize::from(packet.total_len()), bytes.len(), "IPv4 length");
            assert_eq!(packet.header_len(), ipv4::HEADER_LEN, "no IPv4 options");
            let repr = ipv4::Repr::parse(&packet).expect("IPv4 header checksum");
            assert_eq!(repr.protocol, ip_proto::UDP);
            let fragmented = repr.more_frags || repr.frag_offset != 0;
            // `payload()` borrows the view; the same bytes from the input.
            let data = &bytes[ipv4::HEADER_LEN..];
            assert_eq!(data, packet.payload());
            Piece {
                src: IpAddr::V4(repr.src),
                dst: IpAddr::V4(repr.dst),
                ident: fragmented.then_some(u32::from(repr.ident)),
                more: repr.more_frags,
                offset: usize::from(repr.frag_offset),
                data,
            }
        }
        Some(6) => {
            let packet = ipv6::Packet::new_checked(bytes).expect("inner IPv6 header");
            assert_eq!(
                ipv6::HEADER_LEN + usize::from(packet.payload_len()),
                bytes.len(),
                "IPv6 length"
            );
            let (src, dst) = (IpAddr::V6(packet.src_addr()), IpAddr::V6(packet.dst_addr()));
            let payload = &bytes[ipv6::HEADER_LEN..];
            assert_eq!(payload, packet.payload());
            match packet.next_header() {
                ip_proto::UDP => Piece {
                    src,
                    dst,
                    ident: None,
                    more: false,
                    offset: 0,
                    data: payload,
                },
                ip_proto::IPV6_FRAGMENT => {
                    let header = ipv6::FragmentRepr::parse(payload).expect("fragment");
                    assert_eq!(header.next_header, ip_proto::UDP);
                    Piece {
                        src,
                        dst,
                        ident: Some(header.ident),
                        more: header.more_frags,
                        offset: usize::from(header.frag_offset),
                        data: &payload[ipv6::FRAGMENT_HEADER_LEN..],
                    }
                }
                other => panic!("inner IPv6 next header {other}"),
            }
        }
        other => panic!("not an inner IP packet (version {other:?})"),
    }
}

/// Reassembles `packets` (fragments in order, as the device sends them)
/// into datagrams and checks every UDP checksum.
pub fn datagrams<'a>(packets: impl IntoIterator<Item = &'a [u8]>) -> Vec<Datagram> {
    let mut out = Vec::new();
    let mut partial: Option<(Piece<'a>, Vec<u8>, usize)> = None;
    for bytes in packets {
        let piece = piece(bytes);
        let (first, buf, pieces) = partial.get_or_insert_with(|| {
            assert_eq!(piece.offset, 0, "datagram starts with a later fragment");
            (Piece { data: &[], ..piece }, Vec::new(), 0)
        });
        assert_eq!(piece.offset, buf.len(), "fragments out of order");
        assert_eq!((piece.src, piece.dst), (first.src, first.dst));
        assert_eq!(piece.ident, first.ident, "fragment identification");
        if piece.more {
            assert_eq!(piece.data.len() % 8, 0, "non-final fragment length");
        }
        buf.extend_from_slice(piece.data);
        *pieces += 1;
        if !piece.more {
            let (first, buf, pieces) = partial.take().expect("partial");
            if pieces == 1 {
                assert_eq!(first.ident, None, "single packet marked as fragment");
            }
            out.push(udp_datagram(first.src, first.dst, &buf, pieces));
        }
    }
    assert!(partial.is_none(), "unfinished datagram");
    out
}

fn udp_datagram(src: IpAddr, dst: IpAddr, bytes: &[u8], pieces: usize) -> Datagram {
    let packet = udp::Packet::new_checked(bytes).expect("UDP header");
    assert_eq!(usize::from(packet.len()), bytes.len(), "UDP length");
    assert_ne!(
        packet.checksum(),
        0,
        "the device always sends a UDP checksum"
    );
    assert!(packet.verify_checksum(&src, &dst), "UDP checksum");
    Datagram {
        src,
        dst,
        src_port: packet.src_port(),
        dst_port: packet.dst_port(),
        payload: packet.payload().to_vec(),
        pieces,
    }
}
