//! `wire::endpoint::parse` on arbitrary bytes, checked against `std`'s
//! address parsers.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use zephyr_net_capture::wire::endpoint::{self, Endpoint, EndpointError, MAX_LEN};

/// Never panics; refuses empty and over-long input before reading it;
/// whatever it accepts `std` reads the same way and prints back to the
/// same endpoint; whatever `std` accepts in the forms it documents it
/// accepts too.
pub fn check(data: &[u8]) {
    let parsed = endpoint::parse(data);
    if data.is_empty() {
        assert_eq!(parsed, Err(EndpointError::Empty));
        return;
    }
    if data.len() > MAX_LEN {
        assert_eq!(parsed, Err(EndpointError::TooLong));
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        assert_eq!(parsed, Err(EndpointError::Malformed));
        return;
    };
    match parsed {
        Ok(found) => accepted(text, found),
        Err(_) => refused_by_std(text),
    }
}

/// An accepted endpoint agrees with `std` and prints back to itself.
fn accepted(text: &str, found: Endpoint) {
    match found.port {
        Some(port) => {
            let std_addr = SocketAddr::from_str(text).expect("std reads an accepted host:port");
            assert_eq!((std_addr.ip(), std_addr.port()), (found.addr, port));
        }
        None => {
            let bare = text.strip_prefix('[').and_then(|t| t.strip_suffix(']'));
            let std_addr = IpAddr::from_str(bare.unwrap_or(text)).expect("std reads the address");
            assert_eq!(std_addr, found.addr);
        }
    }
    let printed = match (found.addr, found.port) {
        (IpAddr::V4(v4), Some(port)) => format!("{v4}:{port}"),
        (IpAddr::V6(v6), Some(port)) => format!("[{v6}]:{port}"),
        (addr, None) => addr.to_string(),
    };
    assert!(printed.len() <= MAX_LEN, "{printed} exceeds MAX_LEN");
    assert_eq!(endpoint::parse(printed.as_bytes()), Ok(found), "{printed}");
    assert!(found.port_or_default() != 0);
}

/// What `parse` refused, `std` refuses too, within the documented forms:
/// no scope ids (`%eth0`) and ports of at most five digits.
fn refused_by_std(text: &str) {
    if text.contains('%') {
        return;
    }
    if IpAddr::from_str(text).is_ok() {
        panic!("{text:?} is an address std accepts but parse refused");
    }
    if let Ok(addr) = SocketAddr::from_str(text) {
        let port_text = text.rsplit_once(':').map_or("", |(_, port)| port);
        assert!(
            port_text.len() > 5,
            "{text:?} ({addr}) is a host:port std accepts but parse refused"
        );
    }
}
