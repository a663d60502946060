//! IPv6 header (RFC 8200 section 3) and its fragment extension header
//! (section 4.5).

use super::{
    array, be16, be32, byte, ip_proto, put_be16, put_be32, put_bytes, set_byte, slice, Error,
    Ipv6Addr, Result,
};

mod field {
    use core::ops::Range;
    pub const VER_TC_FLOW: Range<usize> = 0..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const NEXT_HEADER: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC: Range<usize> = 8..24;
    pub const DST: Range<usize> = 24..40;
}

mod frag_field {
    use core::ops::Range;
    pub const NEXT_HEADER: usize = 0;
    pub const RESERVED: usize = 1;
    pub const OFFSET_FLAGS: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..8;
}

/// Length of the fixed header.
pub const HEADER_LEN: usize = field::DST.end;

/// Length of the fragment extension header.
pub const FRAGMENT_HEADER_LEN: usize = frag_field::IDENT.end;

/// A read/write view of an IPv6 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it (see [`super::ipv4::Packet::new_unchecked`]).
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the fixed header and the payload
    /// length it announces.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let packet = Packet { buffer };
        let data = packet.buffer.as_ref();
        if data.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if packet.version() != 6 {
            return Err(Error::Malformed);
        }
        if data.len() < HEADER_LEN + usize::from(packet.payload_len()) {
            return Err(Error::Truncated);
        }
        Ok(packet)
    }

    /// IP version field.
    pub fn version(&self) -> u8 {
        byte(self.buffer.as_ref(), 0) >> 4
    }

    /// Payload length (everything after the fixed header).
    pub fn payload_len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Next header.
    pub fn next_header(&self) -> u8 {
        byte(self.buffer.as_ref(), field::NEXT_HEADER)
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        byte(self.buffer.as_ref(), field::HOP_LIMIT)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(array::<16>(self.buffer.as_ref(), field::SRC.start))
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(array::<16>(self.buffer.as_ref(), field::DST.start))
    }

    /// The payload, as long as the header says.
    pub fn payload(&self) -> &[u8] {
        slice(
            self.buffer.as_ref(),
            HEADER_LEN..HEADER_LEN + usize::from(self.payload_len()),
        )
    }
}

/// A parsed fixed IPv6 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repr {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Next header.
    pub next_header: u8,
    /// Payload length.
    pub payload_len: u16,
    /// Hop limit.
    pub hop_limit: u8,
}

impl Repr {
    /// Reads the fixed header.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        Ok(Repr {
            src: packet.src_addr(),
            dst: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: packet.payload_len(),
            hop_limit: packet.hop_limit(),
        })
    }

    /// Length of the emitted header.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the fixed header (traffic class and flow label zero).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) -> Result<()> {
        let buf = packet.buffer.as_mut();
        if buf.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        put_be32(buf, field::VER_TC_FLOW.start, 6 << 28);
        put_be16(buf, field::LENGTH.start, self.payload_len);
        set_byte(buf, field::NEXT_HEADER, self.next_header);
        set_byte(buf, field::HOP_LIMIT, self.hop_limit);
        put_bytes(buf, field::SRC.start, &self.src.octets());
        put_bytes(buf, field::DST.start, &self.dst.octets());
        Ok(())
    }
}

/// A parsed fragment extension header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FragmentRepr {
    /// Header that follows the reassembled fragmentable part.
    pub next_header: u8,
    /// Offset of this fragment in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// More fragments follow.
    pub more_frags: bool,
    /// Identification shared by all fragments of one packet.
    pub ident: u32,
}

impl FragmentRepr {
    /// Reads a fragment header from the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<FragmentRepr> {
        if buf.len() < FRAGMENT_HEADER_LEN {
            return Err(Error::Truncated);
        }
        let offset_flags = be16(buf, frag_field::OFFSET_FLAGS.start);
        Ok(FragmentRepr {
            next_header: byte(buf, frag_field::NEXT_HEADER),
            frag_offset: offset_flags & !0x7,
            more_frags: offset_flags & 1 != 0,
            ident: be32(buf, frag_field::IDENT.start),
        })
    }

    /// Writes the header into the first [`FRAGMENT_HEADER_LEN`] bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if buf.len() < FRAGMENT_HEADER_LEN {
            return Err(Error::Truncated);
        }
        if self.frag_offset % 8 != 0 {
            return Err(Error::Malformed);
        }
        set_byte(buf, frag_field::NEXT_HEADER, self.next_header);
        set_byte(buf, frag_field::RESERVED, 0);
        put_be16(
            buf,
            frag_field::OFFSET_FLAGS.start,
            self.frag_offset | u16::from(self.more_frags),
        );
        put_be32(buf, frag_field::IDENT.start, self.ident);
        Ok(())
    }
}

/// Most extension headers [`upper_layer`] steps over, so that a crafted
/// chain costs bounded time.
const MAX_EXTENSION_HEADERS: usize = 8;

/// Where the upper layer of an IPv6 packet starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpperLayer {
    /// The next header no extension header follows (the header after the
    /// last one stepped over, when the walk stopped at its bound).
    pub protocol: u8,
    /// Offset of the upper layer from the start of the packet. It may lie
    /// past the end of a packet whose headers are cut short.
    pub offset: usize,
    /// The last fragment header on the way, if any.
    pub fragment: Option<FragmentRepr>,
}

/// Steps over the hop-by-hop, routing, destination options and fragment
/// headers after the fixed header of `packet` (at most eight of them).
/// `None` when `packet` is shorter than the fixed header or a header's
/// own fields lie past its end.
pub fn upper_layer(packet: &[u8]) -> Option<UpperLayer> {
    if packet.len() < HEADER_LEN {
        return None;
    }
    let mut protocol = byte(packet, field::NEXT_HEADER);
    let mut offset = HEADER_LEN;
    let mut fragment = None;
    for _ in 0..MAX_EXTENSION_HEADERS {
        match protocol {
            ip_proto::IPV6_HOP_BY_HOP | ip_proto::IPV6_ROUTING | ip_proto::IPV6_DEST_OPTS => {
                let next = *packet.get(offset)?;
                let len = (usize::from(*packet.get(offset + 1)?) + 1) * 8;
                protocol = next;
                offset += len;
            }
            ip_proto::IPV6_FRAGMENT => {
                let header = FragmentRepr::parse(packet.get(offset..)?).ok()?;
                protocol = header.next_header;
                fragment = Some(header);
                offset += FRAGMENT_HEADER_LEN;
            }
            _ => break,
        }
    }
    Some(UpperLayer {
        protocol,
        offset,
        fragment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emit_then_parse_gives_back_the_repr() {
        let repr = Repr {
            src: "2001:db8:200::1".parse().unwrap(),
            dst: "2001:db8:200::2".parse().unwrap(),
            next_header: 17,
            payload_len: 8,
            hop_limit: 64,
        };
        let mut bytes = [0u8; HEADER_LEN + 8];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]))
            .unwrap();
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
        let (header, _) = etherparse::Ipv6Header::from_slice(&bytes).unwrap();
        assert_eq!(header.next_header.0, 17);
        assert_eq!(header.payload_length, 8);
        assert_eq!(header.hop_limit, 64);
        assert_eq!(header.traffic_class, 0);
        assert_eq!(header.flow_label.value(), 0);
    }

    // etherparse 0.16-0.19 decode this header's offset from the wrong bits,
    // so smoltcp is the independent reference here.
    #[test]
    fn fragment_header_round_trips_and_matches_smoltcp() {
        let repr = FragmentRepr {
            next_header: 17,
            frag_offset: 1432,
            more_frags: true,
            ident: 0xdead_beef,
        };
        let mut bytes = [0u8; FRAGMENT_HEADER_LEN];
        repr.emit(&mut bytes).unwrap();
        assert_eq!(FragmentRepr::parse(&bytes).unwrap(), repr);
        assert_eq!(bytes[0], 17);
        let header = smoltcp::wire::Ipv6FragmentHeader::new_checked(&bytes[2..]).unwrap();
        assert_eq!(header.frag_offset(), 1432 / 8);
        assert!(header.more_frags());
        assert_eq!(header.ident(), 0xdead_beef);
    }

    #[test]
    fn unaligned_fragment_offset_is_refused() {
        let repr = FragmentRepr {
            next_header: 17,
            frag_offset: 3,
            more_frags: false,
            ident: 1,
        };
        assert_eq!(repr.emit(&mut [0u8; 8]), Err(Error::Malformed));
    }

    #[test]
    fn checked_view_rejects_short_or_wrong_version() {
        assert_eq!(
            Packet::new_checked(&[0u8; 39][..]).unwrap_err(),
            Error::Truncated
        );
        assert_eq!(
            Packet::new_checked(&[0u8; 40][..]).unwrap_err(),
            Error::Malformed
        );
        let mut bytes = [0u8; 40];
        bytes[0] = 0x60;
        bytes[5] = 1;
        assert_eq!(
            Packet::new_checked(&bytes[..]).unwrap_err(),
            Error::Truncated
        );
    }

    fn with_headers(next_header: u8, headers: &[u8]) -> std::vec::Vec<u8> {
        let mut packet = std::vec![0x60, 0, 0, 0, 0, 0, next_header, 64];
        packet.extend_from_slice(&[0u8; 32]);
        packet.extend_from_slice(headers);
        packet
    }

    #[test]
    fn upper_layer_steps_over_options_and_fragment_headers() {
        // Hop-by-hop (16 bytes), then a first fragment carrying IPIP.
        let mut headers = std::vec![44, 1];
        headers.extend_from_slice(&[0u8; 14]);
        headers.extend_from_slice(&[4, 0, 0, 1, 0, 0, 0, 9]);
        let upper = upper_layer(&with_headers(0, &headers)).unwrap();
        assert_eq!(upper.protocol, 4);
        assert_eq!(upper.offset, HEADER_LEN + 24);
        let fragment = upper.fragment.unwrap();
        assert!(fragment.more_frags);
        assert_eq!((fragment.frag_offset, fragment.ident), (0, 9));
        let plain = upper_layer(&with_headers(17, &[])).unwrap();
        assert_eq!(
            (plain.protocol, plain.offset, plain.fragment),
            (17, 40, None)
        );
    }

    #[test]
    fn upper_layer_refuses_headers_past_the_end_and_stops_at_its_bound() {
        assert_eq!(upper_layer(&[0x60; 39]), None);
        // A routing header whose length field is missing.
        assert_eq!(upper_layer(&with_headers(43, &[17])), None);
        // A fragment header cut short.
        assert_eq!(upper_layer(&with_headers(44, &[17, 0, 0, 0])), None);
        // Nine destination options headers: the walk stops after eight.
        let chain: std::vec::Vec<u8> = (0..9).flat_map(|_| [60, 0, 0, 0, 0, 0, 0, 0]).collect();
        let upper = upper_layer(&with_headers(60, &chain)).unwrap();
        assert_eq!((upper.protocol, upper.offset), (60, HEADER_LEN + 64));
    }
}
