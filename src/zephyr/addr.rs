//! Zephyr's IPv4/IPv6 address structures from and to `core::net`, under
//! the names of `net_names.h`.

use super::bindings as sys;
use crate::wire::endpoint::MAX_LEN;
use crate::wire::{Ipv4Addr, Ipv6Addr};

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

/// Reads the address literal `text` of family `af` with the stack's
/// `net_addr_pton()`, so setup accepts exactly the forms the C
/// implementation accepted.
fn pton<T: Default>(af: core::ffi::c_int, text: &[u8]) -> Option<T> {
    let mut buf = [0u8; MAX_LEN + 1];
    buf.get_mut(..text.len())?.copy_from_slice(text);
    let family = sys::net_capture_rs_sa_family::try_from(af).ok()?;
    let mut out = T::default();
    // SAFETY: `buf` is NUL-terminated (it is one byte longer than any
    // accepted text); `out` is the address structure of `family`.
    let ret = unsafe {
        sys::net_addr_pton(
            family,
            buf.as_ptr().cast(),
            core::ptr::from_mut(&mut out).cast(),
        )
    };
    (ret == 0).then_some(out)
}

/// An IPv4 literal.
pub(crate) fn parse_v4(text: &[u8]) -> Option<Ipv4Addr> {
    let addr: sys::net_capture_rs_in_addr = pton(sys::NET_CAPTURE_RS_AF_INET, text)?;
    // SAFETY: reading the byte view of a plain address union.
    Some(Ipv4Addr::from(unsafe { addr.__bindgen_anon_1.s4_addr }))
}

/// An IPv6 literal.
pub(crate) fn parse_v6(text: &[u8]) -> Option<Ipv6Addr> {
    let addr: sys::net_capture_rs_in6_addr = pton(sys::NET_CAPTURE_RS_AF_INET6, text)?;
    // SAFETY: as above.
    Some(Ipv6Addr::from(unsafe { addr.__bindgen_anon_1.s6_addr }))
}
