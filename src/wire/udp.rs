//! UDP header (RFC 768).

use super::checksum::Checksum;
use super::{be16, ip_proto, put_be16, slice, Error, IpAddr, Result};

mod field {
    use core::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const CHECKSUM: Range<usize> = 6..8;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = field::CHECKSUM.end;

/// A read-only view of a UDP datagram.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer after checking the header and the announced length.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let packet = Packet { buffer };
        let data = packet.buffer.as_ref();
        if data.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let length = usize::from(packet.len());
        if length < HEADER_LEN {
            return Err(Error::Malformed);
        }
        if data.len() < length {
            return Err(Error::Truncated);
        }
        Ok(packet)
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SRC_PORT.start)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::DST_PORT.start)
    }

    /// Length of header and payload.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Checksum field (0 = none, IPv4 only).
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// The payload, as long as the length field says.
    pub fn payload(&self) -> &[u8] {
        slice(self.buffer.as_ref(), HEADER_LEN..usize::from(self.len()))
    }

    /// Whether the checksum is absent (IPv4) or correct for the given
    /// endpoints.
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr) -> bool {
        if self.checksum() == 0 {
            return matches!(src, IpAddr::V4(_));
        }
        let datagram = slice(self.buffer.as_ref(), 0..usize::from(self.len()));
        let mut sum = Checksum::new();
        sum.add_pseudo_header(src, dst, ip_proto::UDP, u32::from(self.len()));
        sum.add(datagram);
        sum.folded() == 0xffff
    }
}

/// A UDP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Payload length (without the header).
    pub payload_len: u16,
}

impl Repr {
    /// Reads a header.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Repr {
        Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload_len: packet.len() - HEADER_LEN as u16,
        }
    }

    /// The length field: header plus payload, when it fits 16 bits.
    pub fn length(&self) -> Result<u16> {
        self.payload_len
            .checked_add(HEADER_LEN as u16)
            .ok_or(Error::Malformed)
    }

    /// Sum of the pseudo-header and this header with a zero checksum; add
    /// the payload to it, then pass it to [`Repr::emit`].
    pub fn checksum_start(&self, src: &IpAddr, dst: &IpAddr) -> Result<Checksum> {
        let length = self.length()?;
        let mut sum = Checksum::new();
        sum.add_pseudo_header(src, dst, ip_proto::UDP, u32::from(length));
        sum.add_u16(self.src_port);
        sum.add_u16(self.dst_port);
        sum.add_u16(length);
        Ok(sum)
    }

    /// Writes the header with the checksum of `sum` (started by
    /// [`Repr::checksum_start`] and fed with the payload).
    pub fn emit(&self, buf: &mut [u8], sum: Checksum) -> Result<()> {
        if buf.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        put_be16(buf, field::SRC_PORT.start, self.src_port);
        put_be16(buf, field::DST_PORT.start, self.dst_port);
        put_be16(buf, field::LENGTH.start, self.length()?);
        put_be16(buf, field::CHECKSUM.start, sum.finish_udp());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Ipv4Addr, Ipv6Addr};

    fn datagram(src: IpAddr, dst: IpAddr, payload: &[u8]) -> std::vec::Vec<u8> {
        let repr = Repr {
            src_port: 4242,
            dst_port: 9998,
            payload_len: payload.len() as u16,
        };
        let mut sum = repr.checksum_start(&src, &dst).unwrap();
        sum.add(payload);
        let mut bytes = std::vec![0u8; HEADER_LEN];
        repr.emit(&mut bytes, sum).unwrap();
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn ipv6_checksum_agrees_with_etherparse() {
        let src: Ipv6Addr = "2001:db8:200::1".parse().unwrap();
        let dst: Ipv6Addr = "2001:db8:200::2".parse().unwrap();
        let payload: std::vec::Vec<u8> = (0..77u8).collect();
        let bytes = datagram(IpAddr::V6(src), IpAddr::V6(dst), &payload);
        let (header, rest) = etherparse::UdpHeader::from_slice(&bytes).unwrap();
        let expected = header
            .calc_checksum_ipv6_raw(src.octets(), dst.octets(), rest)
            .unwrap();
        assert_eq!(header.checksum, expected);
        assert_eq!(header.length, 85);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum(&IpAddr::V6(src), &IpAddr::V6(dst)));
        assert_eq!(Repr::parse(&packet).payload_len, 77);
    }

    #[test]
    fn ipv4_checksum_agrees_with_etherparse() {
        let src = Ipv4Addr::new(192, 0, 2, 1);
        let dst = Ipv4Addr::new(192, 0, 2, 2);
        let payload = [0xffu8; 33];
        let bytes = datagram(IpAddr::V4(src), IpAddr::V4(dst), &payload);
        let (header, rest) = etherparse::UdpHeader::from_slice(&bytes).unwrap();
        let expected = header
            .calc_checksum_ipv4_raw(src.octets(), dst.octets(), rest)
            .unwrap();
        assert_eq!(header.checksum, expected);
    }

    #[test]
    fn corrupted_payload_fails_verification() {
        let src = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let dst = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        let mut bytes = datagram(src, dst, b"hello");
        *bytes.last_mut().unwrap() ^= 0x40;
        assert!(!Packet::new_checked(&bytes[..])
            .unwrap()
            .verify_checksum(&src, &dst));
    }

    #[test]
    fn oversize_payload_cannot_be_emitted() {
        let repr = Repr {
            src_port: 1,
            dst_port: 2,
            payload_len: u16::MAX,
        };
        assert_eq!(repr.length(), Err(Error::Malformed));
    }

    #[test]
    fn checked_view_rejects_inconsistent_length() {
        assert_eq!(
            Packet::new_checked(&[0u8; 7][..]).unwrap_err(),
            Error::Truncated
        );
        assert_eq!(
            Packet::new_checked(&[0, 1, 0, 2, 0, 3, 0, 0][..]).unwrap_err(),
            Error::Malformed
        );
        assert_eq!(
            Packet::new_checked(&[0, 1, 0, 2, 0, 9, 0, 0][..]).unwrap_err(),
            Error::Truncated
        );
    }
}
