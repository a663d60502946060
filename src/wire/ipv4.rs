//! IPv4 header (RFC 791), without options on the emit side.

use super::{
    array, be16, byte, checksum, put_be16, put_bytes, set_byte, slice, Error, Ipv4Addr, Result,
};

mod field {
    use core::ops::Range;
    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const LENGTH: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..6;
    pub const FLAGS_FRAG: Range<usize> = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Range<usize> = 10..12;
    pub const SRC: Range<usize> = 12..16;
    pub const DST: Range<usize> = 16..20;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::DST.end;

const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;
const OFFSET_MASK: u16 = 0x1fff;

/// A read/write view of an IPv4 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; accessors may then panic, so only
    /// use this on buffers at least [`HEADER_LEN`] long that you emit into.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that the header and the length it
    /// announces fit inside it.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let packet = Packet { buffer };
        let data = packet.buffer.as_ref();
        if data.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if packet.version() != 4 {
            return Err(Error::Malformed);
        }
        let header_len = packet.header_len();
        let total_len = usize::from(packet.total_len());
        if header_len < HEADER_LEN || total_len < header_len {
            return Err(Error::Malformed);
        }
        if data.len() < total_len {
            return Err(Error::Truncated);
        }
        Ok(packet)
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// IP version field.
    pub fn version(&self) -> u8 {
        byte(self.buffer.as_ref(), field::VER_IHL) >> 4
    }

    /// Header length in bytes, options included.
    pub fn header_len(&self) -> usize {
        usize::from(byte(self.buffer.as_ref(), field::VER_IHL) & 0x0f) * 4
    }

    /// Type of service / DSCP+ECN byte.
    pub fn tos(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TOS)
    }

    /// Total length of header and payload.
    pub fn total_len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        be16(self.buffer.as_ref(), field::IDENT.start)
    }

    /// Don't-fragment flag.
    pub fn dont_frag(&self) -> bool {
        be16(self.buffer.as_ref(), field::FLAGS_FRAG.start) & FLAG_DF != 0
    }

    /// More-fragments flag.
    pub fn more_frags(&self) -> bool {
        be16(self.buffer.as_ref(), field::FLAGS_FRAG.start) & FLAG_MF != 0
    }

    /// Fragment offset in bytes.
    pub fn frag_offset(&self) -> u16 {
        (be16(self.buffer.as_ref(), field::FLAGS_FRAG.start) & OFFSET_MASK) << 3
    }

    /// Time to live.
    pub fn ttl(&self) -> u8 {
        byte(self.buffer.as_ref(), field::TTL)
    }

    /// Protocol of the payload.
    pub fn protocol(&self) -> u8 {
        byte(self.buffer.as_ref(), field::PROTOCOL)
    }

    /// Header checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(array::<4>(self.buffer.as_ref(), field::SRC.start))
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(array::<4>(self.buffer.as_ref(), field::DST.start))
    }

    /// Whether the header checksum is correct.
    pub fn verify_checksum(&self) -> bool {
        checksum::of(slice(self.buffer.as_ref(), 0..self.header_len())) == 0
    }

    /// The payload, as long as the header's total length says.
    pub fn payload(&self) -> &[u8] {
        slice(
            self.buffer.as_ref(),
            self.header_len()..usize::from(self.total_len()),
        )
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn set_flags_frag(&mut self, dont_frag: bool, more_frags: bool, offset: u16) {
        let mut value = (offset >> 3) & OFFSET_MASK;
        if dont_frag {
            value |= FLAG_DF;
        }
        if more_frags {
            value |= FLAG_MF;
        }
        put_be16(self.buffer.as_mut(), field::FLAGS_FRAG.start, value);
    }

    /// Computes and stores the header checksum.
    pub fn fill_checksum(&mut self) {
        put_be16(self.buffer.as_mut(), field::CHECKSUM.start, 0);
        let sum = checksum::of(slice(self.buffer.as_ref(), 0..self.header_len()));
        put_be16(self.buffer.as_mut(), field::CHECKSUM.start, sum);
    }
}

/// A parsed IPv4 header without options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Payload protocol.
    pub protocol: u8,
    /// Payload length (total length minus header).
    pub payload_len: u16,
    /// Time to live.
    pub ttl: u8,
    /// Identification.
    pub ident: u16,
    /// Don't-fragment flag.
    pub dont_frag: bool,
    /// More-fragments flag.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
}

impl Repr {
    /// Reads a header, checking its checksum.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        if !packet.verify_checksum() {
            return Err(Error::Checksum);
        }
        let header_len = u16::try_from(packet.header_len()).map_err(|_| Error::Malformed)?;
        Ok(Repr {
            src: packet.src_addr(),
            dst: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len: packet.total_len() - header_len,
            ttl: packet.ttl(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            more_frags: packet.more_frags(),
            frag_offset: packet.frag_offset(),
        })
    }

    /// Length of the emitted header.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the header, checksum included, into the first
    /// [`HEADER_LEN`] bytes of `packet`. Fails when the total length does
    /// not fit 16 bits.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) -> Result<()> {
        let total = self
            .payload_len
            .checked_add(HEADER_LEN as u16)
            .ok_or(Error::Malformed)?;
        let buf = packet.buffer.as_mut();
        if buf.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        set_byte(buf, field::VER_IHL, 0x45);
        set_byte(buf, field::TOS, 0);
        put_be16(buf, field::LENGTH.start, total);
        put_be16(buf, field::IDENT.start, self.ident);
        set_byte(buf, field::TTL, self.ttl);
        set_byte(buf, field::PROTOCOL, self.protocol);
        put_bytes(buf, field::SRC.start, &self.src.octets());
        put_bytes(buf, field::DST.start, &self.dst.octets());
        packet.set_flags_frag(self.dont_frag, self.more_frags, self.frag_offset);
        packet.fill_checksum();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Repr {
        Repr {
            src: Ipv4Addr::new(198, 51, 100, 1),
            dst: Ipv4Addr::new(198, 51, 100, 2),
            protocol: 17,
            payload_len: 30,
            ttl: 64,
            ident: 0x1234,
            dont_frag: false,
            more_frags: true,
            frag_offset: 1480,
        }
    }

    #[test]
    fn emit_then_parse_gives_back_the_repr() {
        let repr = sample();
        let mut bytes = [0u8; HEADER_LEN + 30];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]))
            .unwrap();
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
    }

    #[test]
    fn emitted_header_agrees_with_etherparse() {
        let repr = sample();
        let mut bytes = [0u8; HEADER_LEN + 30];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]))
            .unwrap();
        let (header, _) = etherparse::Ipv4Header::from_slice(&bytes).unwrap();
        assert_eq!(header.calc_header_checksum(), header.header_checksum);
        assert_eq!(header.source, [198, 51, 100, 1]);
        assert_eq!(header.destination, [198, 51, 100, 2]);
        assert_eq!(header.total_len, 50);
        assert_eq!(header.identification, 0x1234);
        assert!(header.more_fragments);
        assert!(!header.dont_fragment);
        assert_eq!(header.fragment_offset.value(), 1480 / 8);
        assert_eq!(header.protocol.0, 17);
        assert_eq!(header.time_to_live, 64);
    }

    #[test]
    fn checked_view_rejects_bad_lengths() {
        let mut bytes = [0u8; HEADER_LEN];
        assert_eq!(
            Packet::new_checked(&bytes[..10]).unwrap_err(),
            Error::Truncated
        );
        assert_eq!(
            Packet::new_checked(&bytes[..]).unwrap_err(),
            Error::Malformed
        );
        Repr {
            payload_len: 10,
            ..sample()
        }
        .emit(&mut Packet::new_unchecked(&mut bytes[..]))
        .unwrap();
        assert_eq!(
            Packet::new_checked(&bytes[..]).unwrap_err(),
            Error::Truncated
        );
    }

    #[test]
    fn corrupted_header_fails_checksum() {
        let mut bytes = [0u8; HEADER_LEN];
        Repr {
            payload_len: 0,
            ..sample()
        }
        .emit(&mut Packet::new_unchecked(&mut bytes[..]))
        .unwrap();
        bytes[8] ^= 1;
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet), Err(Error::Checksum));
    }
}
