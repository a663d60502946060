//! Zephyr's `struct in_addr` / `struct in6_addr` from and to `core::net`.

use super::bindings;
use crate::wire::{Ipv4Addr, Ipv6Addr};

/// `struct in_addr` holding `addr`.
pub(crate) fn in_addr(addr: &Ipv4Addr) -> bindings::in_addr {
    let mut out = bindings::in_addr::default();
    out.__bindgen_anon_1.s4_addr = addr.octets();
    out
}

/// `struct in6_addr` holding `addr`.
pub(crate) fn in6_addr(addr: &Ipv6Addr) -> bindings::in6_addr {
    let mut out = bindings::in6_addr::default();
    out.__bindgen_anon_1.s6_addr = addr.octets();
    out
}

/// Whether a source address the stack selected is usable (not NULL, not
/// the unspecified address).
#[cfg_attr(not(CONFIG_NET_IPV4), allow(dead_code))]
pub(crate) fn is_usable_v4(addr: *const bindings::in_addr) -> bool {
    // SAFETY: a non-NULL result of the stack's source selection points to
    // an address in interface or static storage; every union view of its
    // bytes is valid.
    !addr.is_null() && unsafe { (*addr).__bindgen_anon_1.s4_addr } != [0; 4]
}

/// As [`is_usable_v4`] for IPv6.
#[cfg_attr(not(CONFIG_NET_IPV6), allow(dead_code))]
pub(crate) fn is_usable_v6(addr: *const bindings::in6_addr) -> bool {
    // SAFETY: as in `is_usable_v4`.
    !addr.is_null() && unsafe { (*addr).__bindgen_anon_1.s6_addr } != [0; 16]
}
