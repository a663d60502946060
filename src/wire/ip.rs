//! A version-independent, lenient look at an IP packet: addresses, upper
//! protocol and the bytes after the headers. Used where the packet may be
//! cut short (packets quoted by ICMP errors, snapped captures) and only the
//! header matters.

use super::{be16, ipv6, IpAddr, Ipv4Addr, Ipv6Addr};

/// The header fields of an IPv4 or IPv6 packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Upper-layer protocol, after IPv6 extension headers.
    pub protocol: u8,
    /// Whether this is a non-first fragment (so `payload` is not the start
    /// of the upper-layer header).
    pub later_fragment: bool,
    /// The bytes after the headers, cut to the announced length when the
    /// buffer holds more, and to the buffer when it holds less.
    pub payload: &'a [u8],
}

/// Reads the headers of an IPv4 or IPv6 packet; `None` if `buf` is not one.
pub fn parse(buf: &[u8]) -> Option<Header<'_>> {
    match buf.first()? >> 4 {
        4 => parse_v4(buf),
        6 => parse_v6(buf),
        _ => None,
    }
}

fn parse_v4(buf: &[u8]) -> Option<Header<'_>> {
    let fixed: &[u8; 20] = buf.get(..20)?.try_into().ok()?;
    let header_len = usize::from(fixed[0] & 0x0f) * 4;
    if header_len < 20 || buf.len() < header_len {
        return None;
    }
    let total = usize::from(be16(buf, 2)).clamp(header_len, buf.len());
    let src = Ipv4Addr::new(fixed[12], fixed[13], fixed[14], fixed[15]);
    let dst = Ipv4Addr::new(fixed[16], fixed[17], fixed[18], fixed[19]);
    Some(Header {
        src: IpAddr::V4(src),
        dst: IpAddr::V4(dst),
        protocol: fixed[9],
        later_fragment: be16(buf, 6) & 0x1fff != 0,
        payload: buf.get(header_len..total)?,
    })
}

fn parse_v6(buf: &[u8]) -> Option<Header<'_>> {
    let fixed: &[u8; 40] = buf.get(..40)?.try_into().ok()?;
    let src: [u8; 16] = fixed.get(8..24)?.try_into().ok()?;
    let dst: [u8; 16] = fixed.get(24..40)?.try_into().ok()?;
    let end = (40 + usize::from(be16(buf, 4))).min(buf.len());
    let upper = ipv6::upper_layer(buf)?;
    let at = upper.offset;
    Some(Header {
        src: IpAddr::V6(Ipv6Addr::from(src)),
        dst: IpAddr::V6(Ipv6Addr::from(dst)),
        protocol: upper.protocol,
        later_fragment: upper
            .fragment
            .is_some_and(|fragment| fragment.frag_offset != 0),
        payload: buf.get(at..end.max(at))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ipv4_and_clamps_to_the_buffer() {
        let mut packet = std::vec![0x45, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0];
        packet.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        packet.extend_from_slice(&[1, 2, 3]);
        let header = parse(&packet).unwrap();
        assert_eq!(header.protocol, 17);
        assert_eq!(header.payload, &[1, 2, 3]);
        assert_eq!(header.dst, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)));
        assert!(!header.later_fragment);
    }

    #[test]
    fn walks_ipv6_extension_headers() {
        let mut packet = std::vec![0x60, 0, 0, 0, 0, 16, 0, 1];
        packet.extend_from_slice(&[0u8; 32]);
        // Hop-by-hop (8 bytes) then fragment (offset 8) carrying UDP.
        packet.extend_from_slice(&[44, 0, 1, 4, 0, 0, 0, 0]);
        packet.extend_from_slice(&[17, 0, 0, 8, 0, 0, 0, 1]);
        let header = parse(&packet).unwrap();
        assert_eq!(header.protocol, 17);
        assert!(header.later_fragment);
        assert!(header.payload.is_empty());
    }

    #[test]
    fn refuses_non_ip_and_short_buffers() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0x45; 19]), None);
        assert_eq!(parse(&[0x60; 39]), None);
        assert_eq!(parse(&[0x12; 60]), None);
        let mut bad_ihl = [0u8; 20];
        bad_ihl[0] = 0x44;
        assert_eq!(parse(&bad_ihl), None);
    }
}
