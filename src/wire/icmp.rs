//! Just enough of ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) to find the packet
//! an error message quotes.

/// Length of the ICMP header before the quoted packet of an error.
pub const ERROR_HEADER_LEN: usize = 8;

/// If `icmp` is an ICMPv4 error (destination unreachable, source quench,
/// redirect, time exceeded, parameter problem), the quoted IP packet.
pub fn quoted_by_icmpv4_error(icmp: &[u8]) -> Option<&[u8]> {
    match icmp.first()? {
        3 | 4 | 5 | 11 | 12 => icmp.get(ERROR_HEADER_LEN..),
        _ => None,
    }
}

/// If `icmp` is an ICMPv6 error message (types below 128), the quoted
/// packet.
pub fn quoted_by_icmpv6_error(icmp: &[u8]) -> Option<&[u8]> {
    match icmp.first()? {
        1..=127 => icmp.get(ERROR_HEADER_LEN..),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_quoted_packet_of_errors_only() {
        let unreachable = [3, 3, 0, 0, 0, 0, 0, 0, 0x45];
        assert_eq!(quoted_by_icmpv4_error(&unreachable), Some(&[0x45][..]));
        let echo = [8, 0, 0, 0, 0, 0, 0, 0, 0x45];
        assert_eq!(quoted_by_icmpv4_error(&echo), None);
        let too_big = [2, 0, 0, 0, 0, 0, 5, 0xdc, 0x60];
        assert_eq!(quoted_by_icmpv6_error(&too_big), Some(&[0x60][..]));
        let echo6 = [128, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(quoted_by_icmpv6_error(&echo6), None);
        assert_eq!(quoted_by_icmpv4_error(&[3, 0]), None);
        assert_eq!(quoted_by_icmpv6_error(&[]), None);
    }
}
