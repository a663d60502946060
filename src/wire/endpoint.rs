//! Tunnel endpoint strings: `192.0.2.2`, `198.51.100.1:9999`, `2001:db8::1`,
//! `[2001:db8:200::1]` and `[2001:db8:200::1]:9998`.
//!
//! This accepts what Zephyr's `net_ipaddr_parse()` accepts for these forms,
//! but checks the length before looking at the text: the C parser copies the
//! port into a fixed stack buffer without a bound (W27), so an over-long
//! string from the shell crashed the device. Here such input is an error.

use super::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest text of the longest form: `[` + 45 address characters
/// (`INET6_ADDRSTRLEN` - 1) + `]:` + 5 port digits.
pub const MAX_LEN: usize = 1 + 45 + 2 + 5;

/// UDP port used when an endpoint names none (or port 0).
pub const DEFAULT_PORT: u16 = 4242;

/// An IP address with the UDP port the string gave, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The address.
    pub addr: IpAddr,
    /// The port, when the string carried one.
    pub port: Option<u16>,
}

impl Endpoint {
    /// The port to use on the wire: the given one, or [`DEFAULT_PORT`] when
    /// none (or 0) was given, as the C implementation does.
    pub fn port_or_default(&self) -> u16 {
        match self.port {
            Some(port) if port != 0 => port,
            _ => DEFAULT_PORT,
        }
    }
}

/// Why an endpoint string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointError {
    /// The string is empty.
    Empty,
    /// The string is longer than [`MAX_LEN`].
    TooLong,
    /// The text is not an address in one of the accepted forms.
    Malformed,
    /// The port is empty, not decimal, or above 65535.
    BadPort,
}

impl EndpointError {
    /// What is wrong, in a few words (a C string: it goes to Zephyr's log).
    pub fn reason(&self) -> &'static core::ffi::CStr {
        match self {
            EndpointError::Empty => c"empty address",
            EndpointError::TooLong => c"address too long",
            EndpointError::Malformed => c"malformed address",
            EndpointError::BadPort => c"invalid port",
        }
    }
}

impl core::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.reason().to_str().unwrap_or("?"))
    }
}

/// Parsers of bare address literals (no brackets, no port).
pub trait AddrSyntax {
    /// A dotted-quad IPv4 address.
    fn ipv4(&self, text: &[u8]) -> Option<Ipv4Addr>;
    /// An IPv6 address in any RFC 4291 text form.
    fn ipv6(&self, text: &[u8]) -> Option<Ipv6Addr>;
}

/// The parsers of `core::net`: no leading zeros in IPv4, no zone index.
pub struct CoreSyntax;

impl AddrSyntax for CoreSyntax {
    fn ipv4(&self, text: &[u8]) -> Option<Ipv4Addr> {
        core::str::from_utf8(text).ok()?.parse().ok()
    }

    fn ipv6(&self, text: &[u8]) -> Option<Ipv6Addr> {
        core::str::from_utf8(text).ok()?.parse().ok()
    }
}

/// Parses an endpoint from the bytes of a C string (without its NUL) with
/// the `core::net` address parsers.
pub fn parse(text: &[u8]) -> Result<Endpoint, EndpointError> {
    parse_with(text, &CoreSyntax)
}

/// Checks what must hold before the text reaches Zephyr's
/// `net_ipaddr_parse()`, which copies the port into a fixed stack buffer
/// without a bound (W27): not empty, at most [`MAX_LEN`] printable
/// characters, and where the form has a port (`[addr]:port`,
/// `a.b.c.d:port`), at most five digits of it.
pub fn check_bounds(text: &[u8]) -> Result<(), EndpointError> {
    if text.is_empty() {
        return Err(EndpointError::Empty);
    }
    if text.len() > MAX_LEN {
        return Err(EndpointError::TooLong);
    }
    if !text.iter().all(|b| b.is_ascii_graphic()) {
        return Err(EndpointError::Malformed);
    }
    let after = |separator: u8| {
        text.iter()
            .position(|&b| b == separator)
            .and_then(|at| text.get(at + 1..))
    };
    let port = if text.first() == Some(&b'[') {
        after(b']').and_then(|rest| rest.strip_prefix(b":"))
    } else if text.iter().filter(|&&b| b == b':').count() == 1 {
        after(b':')
    } else {
        None
    };
    match port {
        Some(port) if port.is_empty() || port.len() > 5 || !port.iter().all(u8::is_ascii_digit) => {
            Err(EndpointError::BadPort)
        }
        _ => Ok(()),
    }
}

/// Parses an endpoint, reading address literals with `syntax`: the forms
/// Zephyr's `net_ipaddr_parse()` reads, for hosts and tests (the device
/// uses Zephyr's own parser after [`check_bounds`]).
pub fn parse_with(text: &[u8], syntax: &dyn AddrSyntax) -> Result<Endpoint, EndpointError> {
    check_bounds(text)?;

    if let Some(bracketed) = text.strip_prefix(b"[") {
        let close = bracketed
            .iter()
            .position(|&b| b == b']')
            .ok_or(EndpointError::Malformed)?;
        let (addr, rest) = bracketed
            .split_at_checked(close)
            .ok_or(EndpointError::Malformed)?;
        let rest = rest.get(1..).unwrap_or_default();
        let addr = syntax.ipv6(addr).ok_or(EndpointError::Malformed)?;
        let port = match rest {
            [] => None,
            [b':', port @ ..] => Some(parse_port(port)?),
            _ => return Err(EndpointError::Malformed),
        };
        return Ok(Endpoint {
            addr: IpAddr::V6(addr),
            port,
        });
    }

    let colons = text.iter().filter(|&&b| b == b':').count();
    if colons == 1 {
        let at = text
            .iter()
            .position(|&b| b == b':')
            .ok_or(EndpointError::Malformed)?;
        let (addr, port) = text.split_at_checked(at).ok_or(EndpointError::Malformed)?;
        let addr = syntax.ipv4(addr).ok_or(EndpointError::Malformed)?;
        return Ok(Endpoint {
            addr: IpAddr::V4(addr),
            port: Some(parse_port(port.get(1..).unwrap_or_default())?),
        });
    }

    let addr = if colons == 0 {
        IpAddr::V4(syntax.ipv4(text).ok_or(EndpointError::Malformed)?)
    } else {
        IpAddr::V6(syntax.ipv6(text).ok_or(EndpointError::Malformed)?)
    };
    Ok(Endpoint { addr, port: None })
}

fn parse_port(text: &[u8]) -> Result<u16, EndpointError> {
    if text.is_empty() || text.len() > 5 {
        return Err(EndpointError::BadPort);
    }
    let mut port: u32 = 0;
    for &byte in text {
        if !byte.is_ascii_digit() {
            return Err(EndpointError::BadPort);
        }
        port = port * 10 + u32::from(byte - b'0');
    }
    u16::try_from(port).map_err(|_| EndpointError::BadPort)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_refuse_what_would_overflow_zephyrs_parser() {
        assert_eq!(check_bounds(b""), Err(EndpointError::Empty));
        assert_eq!(
            check_bounds(&[b'1'; MAX_LEN + 1]),
            Err(EndpointError::TooLong)
        );
        let long_v4_port = [&b"1.2.3.4:"[..], &[b'9'; 20]].concat();
        assert_eq!(check_bounds(&long_v4_port), Err(EndpointError::BadPort));
        let long_v6_port = [&b"[::1]:"[..], &[b'9'; 40]].concat();
        assert_eq!(check_bounds(&long_v6_port), Err(EndpointError::BadPort));
        assert_eq!(check_bounds(b"192.0.2.2:"), Err(EndpointError::BadPort));
        assert_eq!(check_bounds(b"[::1]:x"), Err(EndpointError::BadPort));
        assert_eq!(check_bounds(b"a b"), Err(EndpointError::Malformed));
        for ok in [
            "192.0.2.2",
            "192.0.2.2:65535",
            "2001:db8::1",
            "[2001:db8::1]:4242",
            "[::1]",
        ] {
            assert_eq!(check_bounds(ok.as_bytes()), Ok(()), "{ok}");
        }
    }

    fn v4(text: &str) -> IpAddr {
        IpAddr::V4(text.parse().unwrap())
    }

    fn v6(text: &str) -> IpAddr {
        IpAddr::V6(text.parse().unwrap())
    }

    #[test]
    fn accepts_the_documented_forms() {
        let cases: &[(&str, IpAddr, Option<u16>)] = &[
            ("192.0.2.2", v4("192.0.2.2"), None),
            ("198.51.100.1:9999", v4("198.51.100.1"), Some(9999)),
            ("2001:db8::1", v6("2001:db8::1"), None),
            ("[2001:db8:200::1]", v6("2001:db8:200::1"), None),
            ("[2001:db8:200::1]:9998", v6("2001:db8:200::1"), Some(9998)),
            ("[::ffff:192.0.2.1]:1", v6("::ffff:192.0.2.1"), Some(1)),
            ("0.0.0.0:65535", v4("0.0.0.0"), Some(65535)),
        ];
        for (text, addr, port) in cases {
            let endpoint = parse(text.as_bytes()).unwrap();
            assert_eq!(endpoint.addr, *addr, "{text}");
            assert_eq!(endpoint.port, *port, "{text}");
        }
    }

    #[test]
    fn default_port_replaces_missing_or_zero_port() {
        assert_eq!(parse(b"192.0.2.2").unwrap().port_or_default(), 4242);
        assert_eq!(parse(b"192.0.2.2:0").unwrap().port_or_default(), 4242);
        assert_eq!(parse(b"192.0.2.2:7").unwrap().port_or_default(), 7);
    }

    #[test]
    fn refuses_hostile_strings() {
        let hundred_digits = format!("192.0.2.2:{}", "9".repeat(100));
        let cases: &[(&[u8], EndpointError)] = &[
            (b"", EndpointError::Empty),
            (hundred_digits.as_bytes(), EndpointError::TooLong),
            (&[b'1'; MAX_LEN + 1], EndpointError::TooLong),
            (b"192.0.2.2:", EndpointError::BadPort),
            (b"192.0.2.2:65536", EndpointError::BadPort),
            (b"192.0.2.2:99999", EndpointError::BadPort),
            (b"192.0.2.2:-1", EndpointError::BadPort),
            (b"192.0.2.2:+1", EndpointError::BadPort),
            (b"192.0.2.2:1x", EndpointError::BadPort),
            (b"[2001:db8::1]:", EndpointError::BadPort),
            (b"[2001:db8::1]:123456", EndpointError::BadPort),
            (b"[2001:db8::1]x", EndpointError::Malformed),
            (b"[2001:db8::1", EndpointError::Malformed),
            (b"[192.0.2.1]", EndpointError::Malformed),
            (b"192.0.2", EndpointError::Malformed),
            (b"192.0.2.256", EndpointError::Malformed),
            (b"192.0.2.02", EndpointError::Malformed),
            (b" 192.0.2.2", EndpointError::Malformed),
            (b"192.0.2.2 ", EndpointError::Malformed),
            (b"2001:db8::1:4242:", EndpointError::Malformed),
            (b"2001:db8::g", EndpointError::Malformed),
            (b"fe80::1%eth0", EndpointError::Malformed),
            (b"localhost", EndpointError::Malformed),
            (b"\xff\xfe", EndpointError::Malformed),
            (b":", EndpointError::BadPort),
            (b"[]", EndpointError::Malformed),
        ];
        for (text, error) in cases {
            assert_eq!(
                parse(text),
                Err(*error),
                "{:?}",
                std::string::String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn longest_valid_form_fits_the_limit() {
        let longest = "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535";
        assert_eq!(longest.len(), MAX_LEN);
        assert_eq!(parse(longest.as_bytes()).unwrap().port, Some(65535));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn formatted_endpoints_parse_back(octets in proptest::array::uniform16(proptest::num::u8::ANY),
                                          port in proptest::num::u16::ANY) {
            let addr = Ipv6Addr::from(octets);
            let text = format!("[{addr}]:{port}");
            let parsed = parse(text.as_bytes()).unwrap();
            proptest::prop_assert_eq!(parsed.addr, IpAddr::V6(addr));
            proptest::prop_assert_eq!(parsed.port, Some(port));
        }
    }
}
