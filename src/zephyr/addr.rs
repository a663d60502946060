//! Zephyr's `struct in_addr` / `struct in6_addr` from and to `core::net`.

use core::ffi::c_int;

use super::bindings as sys;
use crate::wire::endpoint::AddrSyntax;
use crate::wire::{Ipv4Addr, Ipv6Addr};

/// `struct in_addr` holding `addr`.
pub(crate) fn in_addr(addr: &Ipv4Addr) -> sys::in_addr {
    let mut out = sys::in_addr::default();
    out.__bindgen_anon_1.s4_addr = addr.octets();
    out
}

/// `struct in6_addr` holding `addr`.
pub(crate) fn in6_addr(addr: &Ipv6Addr) -> sys::in6_addr {
    let mut out = sys::in6_addr::default();
    out.__bindgen_anon_1.s6_addr = addr.octets();
    out
}

/// Whether a source address the stack selected is usable (not NULL, not
/// the unspecified address).
#[cfg_attr(not(CONFIG_NET_IPV4), allow(dead_code))]
pub(crate) fn is_usable_v4(addr: *const sys::in_addr) -> bool {
    // SAFETY: a non-NULL result of the stack's source selection points to
    // an address in interface or static storage; every union view of its
    // bytes is valid.
    !addr.is_null() && unsafe { (*addr).__bindgen_anon_1.s4_addr } != [0; 4]
}

/// As [`is_usable_v4`] for IPv6.
#[cfg_attr(not(CONFIG_NET_IPV6), allow(dead_code))]
pub(crate) fn is_usable_v6(addr: *const sys::in6_addr) -> bool {
    // SAFETY: as in `is_usable_v4`.
    !addr.is_null() && unsafe { (*addr).__bindgen_anon_1.s6_addr } != [0; 16]
}

/// Address literals read by the stack's `net_addr_pton()`, so setup
/// accepts exactly the forms the C implementation accepted.
pub(crate) struct Pton;

impl Pton {
    /// Parses `text` as `family` into `out`.
    fn parse<T: Default>(family: c_int, text: &[u8], out: &mut T) -> bool {
        let mut buf = [0u8; crate::wire::endpoint::MAX_LEN + 1];
        let Some(room) = buf.get_mut(..text.len()) else {
            return false;
        };
        room.copy_from_slice(text);
        let Ok(family) = sys::sa_family_t::try_from(family) else {
            return false;
        };
        // SAFETY: `buf` is NUL-terminated (it is one byte longer than any
        // accepted text); `out` is an in_addr or in6_addr for `family`.
        unsafe {
            sys::net_addr_pton(family, buf.as_ptr().cast(), core::ptr::from_mut(out).cast()) == 0
        }
    }
}

impl AddrSyntax for Pton {
    fn ipv4(&self, text: &[u8]) -> Option<Ipv4Addr> {
        let mut addr = sys::in_addr::default();
        // SAFETY: reading the byte view of a plain address union.
        Pton::parse(sys::NET_CAPTURE_RS_AF_INET, text, &mut addr)
            .then(|| Ipv4Addr::from(unsafe { addr.__bindgen_anon_1.s4_addr }))
    }

    fn ipv6(&self, text: &[u8]) -> Option<Ipv6Addr> {
        let mut addr = sys::in6_addr::default();
        // SAFETY: as above.
        Pton::parse(sys::NET_CAPTURE_RS_AF_INET6, text, &mut addr)
            .then(|| Ipv6Addr::from(unsafe { addr.__bindgen_anon_1.s6_addr }))
    }
}
