//! Zephyr's IPv4/IPv6 address structures from and to `core::net`, under
//! the names of `net_names.h`.

use super::bindings as sys;
use crate::wire::endpoint::Endpoint;
use crate::wire::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IPv4 address structure holding `addr`.
pub(crate) fn in_addr(addr: &Ipv4Addr) -> sys::net_capture_rs_in_addr {
    let mut out = sys::net_capture_rs_in_addr::default();
    out.__bindgen_anon_1.s4_addr = addr.octets();
    out
}

/// The IPv6 address structure holding `addr`.
pub(crate) fn in6_addr(addr: &Ipv6Addr) -> sys::net_capture_rs_in6_addr {
    let mut out = sys::net_capture_rs_in6_addr::default();
    out.__bindgen_anon_1.s6_addr = addr.octets();
    out
}

/// Whether a source address the stack selected is usable (not NULL, not
/// the unspecified address).
#[cfg_attr(not(CONFIG_NET_IPV4), allow(dead_code))]
pub(crate) fn is_usable_v4(addr: *const sys::net_capture_rs_in_addr) -> bool {
    // SAFETY: a non-NULL result of the stack's source selection points to
    // an address in interface or static storage; every union view of its
    // bytes is valid.
    !addr.is_null() && unsafe { (*addr).__bindgen_anon_1.s4_addr } != [0; 4]
}

/// As [`is_usable_v4`] for IPv6.
#[cfg_attr(not(CONFIG_NET_IPV6), allow(dead_code))]
pub(crate) fn is_usable_v6(addr: *const sys::net_capture_rs_in6_addr) -> bool {
    // SAFETY: as in `is_usable_v4`.
    !addr.is_null() && unsafe { (*addr).__bindgen_anon_1.s6_addr } != [0; 16]
}

/// An endpoint string read by Zephyr's `net_ipaddr_parse()`, as the C
/// implementation read it. The caller has checked the bounds that
/// function relies on (`wire::endpoint::check_bounds`).
pub(crate) fn parse_endpoint(text: &[u8]) -> Option<Endpoint> {
    // SAFETY: all-zero bytes are a valid socket address of every family.
    let mut storage: sys::net_capture_rs_sockaddr_in6 = unsafe { core::mem::zeroed() };
    let addr = core::ptr::from_mut(&mut storage).cast::<sys::net_capture_rs_sockaddr>();
    // SAFETY: `text` is readable for its length, which the parser does not
    // read past; `storage` is large enough for either family.
    if !unsafe { sys::net_ipaddr_parse(text.as_ptr().cast(), text.len(), addr) } {
        return None;
    }
    let family = i32::from(storage.sin6_family);
    let (addr, port) = if family == sys::NET_CAPTURE_RS_AF_INET6 {
        // SAFETY: the byte view of an address union.
        let octets = unsafe { storage.sin6_addr.__bindgen_anon_1.s6_addr };
        (IpAddr::V6(Ipv6Addr::from(octets)), storage.sin6_port)
    } else if family == sys::NET_CAPTURE_RS_AF_INET {
        // SAFETY: the parser wrote an IPv4 socket address over `storage`.
        let v4 =
            unsafe { &*core::ptr::from_ref(&storage).cast::<sys::net_capture_rs_sockaddr_in>() };
        // SAFETY: the byte view of an address union.
        let octets = unsafe { v4.sin_addr.__bindgen_anon_1.s4_addr };
        (IpAddr::V4(Ipv4Addr::from(octets)), v4.sin_port)
    } else {
        return None;
    };
    let port = u16::from_be(port);
    Some(Endpoint {
        addr,
        port: (port != 0).then_some(port),
    })
}
