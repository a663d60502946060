//! Ethernet II frames, with up to two VLAN tags skipped.

use super::{be16, Error, Result};

/// Length of an untagged header.
pub const HEADER_LEN: usize = 14;

/// EtherType values this crate looks at.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// IEEE 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// IEEE 802.1ad service VLAN tag.
    pub const QINQ: u16 = 0x88a8;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
}

/// A parsed Ethernet frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Destination MAC address.
    pub dst: [u8; 6],
    /// Source MAC address.
    pub src: [u8; 6],
    /// EtherType after any VLAN tags.
    pub ethertype: u16,
    /// VLAN identifier of the outermost tag, if tagged.
    pub vlan: Option<u16>,
    /// Bytes after the header and tags.
    pub payload: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Reads a frame.
    pub fn parse(buf: &'a [u8]) -> Result<Frame<'a>> {
        let header: &[u8; HEADER_LEN] = buf
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(Error::Truncated)?;
        let dst: [u8; 6] = header[0..6].try_into().map_err(|_| Error::Truncated)?;
        let src: [u8; 6] = header[6..12].try_into().map_err(|_| Error::Truncated)?;
        let mut at = 12;
        let mut ethertype = be16(buf, at);
        let mut vlan = None;
        for _ in 0..2 {
            if ethertype != ethertype::VLAN && ethertype != ethertype::QINQ {
                break;
            }
            if buf.len() < at + 6 {
                return Err(Error::Truncated);
            }
            vlan.get_or_insert(be16(buf, at + 2) & 0x0fff);
            at += 4;
            ethertype = be16(buf, at);
        }
        Ok(Frame {
            dst,
            src,
            ethertype,
            vlan,
            payload: buf.get(at + 2..).ok_or(Error::Truncated)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_untagged_and_tagged_frames() {
        let mut frame = std::vec![0u8; 12];
        frame[0] = 0xff;
        frame[6] = 0x02;
        frame.extend_from_slice(&[0x08, 0x00, 0x45]);
        let parsed = Frame::parse(&frame).unwrap();
        assert_eq!(parsed.ethertype, ethertype::IPV4);
        assert_eq!(parsed.payload, &[0x45]);
        assert_eq!(parsed.vlan, None);

        let mut tagged = frame[..12].to_vec();
        tagged.extend_from_slice(&[0x81, 0x00, 0x00, 0x2a, 0x86, 0xdd, 0x60]);
        let parsed = Frame::parse(&tagged).unwrap();
        assert_eq!(parsed.ethertype, ethertype::IPV6);
        assert_eq!(parsed.vlan, Some(42));
        assert_eq!(parsed.payload, &[0x60]);
    }

    #[test]
    fn short_frames_are_refused() {
        assert_eq!(Frame::parse(&[0u8; 13]), Err(Error::Truncated));
        let mut tagged = std::vec![0u8; 12];
        tagged.extend_from_slice(&[0x81, 0x00, 0x00]);
        assert_eq!(Frame::parse(&tagged), Err(Error::Truncated));
    }
}
