//! The C ABI: the functions of `include/zephyr/net/capture.h` and the
//! slots of the capture devices' API table, with their exact C signatures.
//!
//! Each function checks its pointers, converts, calls the capture layer
//! and maps the result to a negative errno. Errno values come from the C
//! library of the build (they differ between Zephyr's libcs).

use core::ffi::{c_char, c_int, c_void, CStr};

use crate::capture::{DeviceInfo, StatsSnapshot};
use crate::errno::{Errno, Result};
use crate::log::{Level, Logger};
use crate::wire::endpoint;
use crate::wire::IpAddr;
use crate::zephyr::bindings as sys;
use crate::zephyr::errno::{status, to_c as errno_to_c};
use crate::zephyr::{device_at, device_index, Iface, PktRef, CAPTURES};

#[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
mod cooked;
mod options;
#[cfg(CONFIG_NET_CAPTURE_RS_SINK)]
mod sink;

/// The bytes of a C string, reading at most one byte past the longest
/// endpoint so an unterminated or huge string is refused as too long.
///
/// # Safety
/// `text` must be NULL or point to a NUL-terminated string (or at least
/// `endpoint::MAX_LEN + 1` readable bytes).
unsafe fn endpoint_text<'a>(text: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: contract above.
    unsafe { bounded_text(text, endpoint::MAX_LEN + 1) }
}

/// The bytes of a C string, at most `limit` of them.
///
/// # Safety
/// `text` must be NULL or point to a NUL-terminated string (or at least
/// `limit` readable bytes).
unsafe fn bounded_text<'a>(text: *const c_char, limit: usize) -> Option<&'a [u8]> {
    if text.is_null() {
        return None;
    }
    let mut len = 0;
    // SAFETY: each byte up to and including the NUL, or up to `limit`, is
    // readable (contract above).
    while len < limit && unsafe { *text.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: those `len` bytes were just read.
    Some(unsafe { core::slice::from_raw_parts(text.cast::<u8>(), len) })
}

fn log_refusal(what: &'static CStr) {
    CAPTURES.stack().log(Level::Error, what, &[]);
}

/// `AF_INET` or `AF_INET6` as the address family type.
fn family(addr: &IpAddr) -> sys::net_capture_rs_sa_family {
    let af = match addr {
        IpAddr::V4(_) => sys::NET_CAPTURE_RS_AF_INET,
        IpAddr::V6(_) => sys::NET_CAPTURE_RS_AF_INET6,
    };
    sys::net_capture_rs_sa_family::try_from(af).unwrap_or_default()
}

/// The capture device `dev` stands for.
fn device(dev: *const sys::device) -> Result<usize> {
    device_index(dev).ok_or_else(|| {
        log_refusal(c"Not a capture device");
        Errno::Inval
    })
}

/// `int net_capture_setup(const char *remote_addr, const char *my_local_addr,
/// const char *peer_addr, const struct device **dev)`
///
/// # Safety
/// The strings must be NULL or NUL-terminated; `dev` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn net_capture_setup(
    remote_addr: *const c_char,
    my_local_addr: *const c_char,
    peer_addr: *const c_char,
    dev: *mut *const sys::device,
) -> c_int {
    // SAFETY: contract of this function.
    let texts = unsafe {
        (
            endpoint_text(remote_addr),
            endpoint_text(my_local_addr),
            endpoint_text(peer_addr),
        )
    };
    let (Some(remote), Some(local), Some(peer)) = texts else {
        log_refusal(c"net_capture_setup: NULL address");
        return errno_to_c(Errno::Inval);
    };
    if dev.is_null() {
        log_refusal(c"net_capture_setup: NULL device pointer");
        return errno_to_c(Errno::Inval);
    }
    match CAPTURES
        .setup(remote, local, peer)
        .and_then(|index| device_at(index).ok_or(Errno::Inval))
    {
        Ok(device) => {
            // SAFETY: `dev` is non-NULL and writable (contract).
            unsafe { *dev = device };
            0
        }
        Err(err) => errno_to_c(err),
    }
}

/// The `cleanup` slot: `int (*)(const struct device *dev)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_cleanup(dev: *const sys::device) -> c_int {
    status(device(dev).and_then(|index| CAPTURES.cleanup(index)))
}

/// The `enable` slot: `int (*)(const struct device *dev, struct net_if *iface)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_enable(dev: *const sys::device, iface: *mut sys::net_if) -> c_int {
    let iface = Iface::registered(iface).ok_or_else(|| {
        log_refusal(c"Capture enable: not a registered interface");
        Errno::Inval
    });
    status(device(dev).and_then(|index| CAPTURES.enable(index, iface?)))
}

/// The `disable` slot: `int (*)(const struct device *dev)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_disable(dev: *const sys::device) -> c_int {
    status(device(dev).and_then(|index| CAPTURES.disable(index)))
}

/// The `is_enabled` slot: `bool (*)(const struct device *dev)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_is_enabled(dev: *const sys::device) -> bool {
    device_index(dev).is_some_and(|index| CAPTURES.is_enabled(index))
}

/// The `send` slot: `int (*)(const struct device *dev, struct net_if *iface,
/// struct net_pkt *pkt)`. Copies `pkt` into the device's tunnel; as in the
/// C code, the packet is consumed on success and left to the caller on
/// error.
///
/// # Safety
/// `pkt` must be NULL or a live packet owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_send(
    dev: *const sys::device,
    iface: *mut sys::net_if,
    pkt: *mut sys::net_pkt,
) -> c_int {
    // The C code ignored `iface` too: the device's tunnel is used.
    let _ = iface;
    // SAFETY: contract of this function.
    let Some(frame) = (unsafe { PktRef::new(pkt) }) else {
        return errno_to_c(Errno::Inval);
    };
    let result = device(dev).and_then(|index| CAPTURES.send(index, &frame));
    if result.is_ok() {
        // SAFETY: the caller handed the packet over; it was copied.
        unsafe { sys::net_capture_rs_pkt_unref(frame.as_ptr()) };
    }
    status(result)
}

/// `int net_capture_pkt_with_status(struct net_if *iface, struct net_pkt *pkt)`
///
/// # Safety
/// `iface` and `pkt` must be NULL or what the stack passes to its capture
/// hooks: a registered interface and a live packet.
#[no_mangle]
pub unsafe extern "C" fn net_capture_pkt_with_status(
    iface: *mut sys::net_if,
    pkt: *mut sys::net_pkt,
) -> c_int {
    // SAFETY: contract of this function.
    let (Some(iface), Some(frame)) = (unsafe { Iface::from_stack(iface) }, unsafe {
        PktRef::new(pkt)
    }) else {
        return errno_to_c(Errno::Inval);
    };
    status(CAPTURES.capture(iface, &frame))
}

/// `void net_capture_pkt(struct net_if *iface, struct net_pkt *pkt)`
///
/// The stack calls this for every packet it sends or receives; unless a
/// device captures `iface`, it returns after a few loads.
///
/// # Safety
/// As for [`net_capture_pkt_with_status`].
#[no_mangle]
pub unsafe extern "C" fn net_capture_pkt(iface: *mut sys::net_if, pkt: *mut sys::net_pkt) {
    // SAFETY: contract of this function.
    if let Some(iface) = unsafe { Iface::from_stack(iface) } {
        if CAPTURES.may_capture(iface) {
            // SAFETY: same contract.
            unsafe { capture_slow(iface, pkt) };
        }
    }
}

/// The part of [`net_capture_pkt`] that runs when a device may capture.
///
/// # Safety
/// As for [`net_capture_pkt_with_status`].
#[cold]
#[inline(never)]
unsafe fn capture_slow(iface: Iface, pkt: *mut sys::net_pkt) {
    // SAFETY: contract of the caller.
    if let Some(frame) = unsafe { PktRef::new(pkt) } {
        let _ = CAPTURES.capture(iface, &frame);
    }
}

/// Storage for one socket address of either family, every byte zeroed
/// before the address is written (upstream handed out zeroed storage).
#[repr(C)]
union SockAddr {
    v4: sys::net_capture_rs_sockaddr_in,
    v6: sys::net_capture_rs_sockaddr_in6,
    any: sys::net_capture_rs_sockaddr,
}

impl SockAddr {
    fn new(addr: &IpAddr, port: u16) -> SockAddr {
        // SAFETY: all-zero bytes are a valid value of every member.
        let mut out: SockAddr = unsafe { core::mem::zeroed() };
        match addr {
            IpAddr::V4(v4) => {
                out.v4 = sys::net_capture_rs_sockaddr_in {
                    sin_family: family(addr),
                    sin_port: port.to_be(),
                    sin_addr: crate::zephyr::in_addr(v4),
                }
            }
            IpAddr::V6(v6) => {
                out.v6 = sys::net_capture_rs_sockaddr_in6 {
                    sin6_family: family(addr),
                    sin6_port: port.to_be(),
                    sin6_addr: crate::zephyr::in6_addr(v6),
                    sin6_scope_id: 0,
                }
            }
        }
        out
    }

    fn as_mut_ptr(&mut self) -> *mut sys::net_capture_rs_sockaddr {
        core::ptr::from_mut(self).cast()
    }
}

/// `void net_capture_foreach(net_capture_cb_t cb, void *user_data)`
///
/// `peer` and `local` point to copies valid during the callback.
///
/// # Safety
/// `cb` must be NULL or a function safe to call with `user_data`.
#[no_mangle]
pub unsafe extern "C" fn net_capture_foreach(cb: sys::net_capture_cb_t, user_data: *mut c_void) {
    let Some(cb) = cb else {
        log_refusal(c"net_capture_foreach: NULL callback");
        return;
    };
    CAPTURES.foreach(|info: &DeviceInfo<Iface>| {
        let mut local = SockAddr::new(&info.local.0, info.local.1);
        let mut peer = SockAddr::new(&info.peer.0, info.peer.1);
        let mut c_info = sys::net_capture_info {
            capture_dev: device_at(info.device).unwrap_or(core::ptr::null()),
            capture_iface: info.captured.map_or(core::ptr::null_mut(), Iface::as_ptr),
            tunnel_iface: info.tunnel.as_ptr(),
            peer: peer.as_mut_ptr(),
            local: local.as_mut_ptr(),
            is_enabled: info.captured.is_some(),
        };
        // SAFETY: the caller vouches for `cb`; `c_info` and the addresses
        // it points to live until it returns.
        unsafe { cb(&mut c_info, user_data) };
    });
}

/// `int net_capture_rs_stats_get(const struct device *dev,
/// struct net_capture_rs_stats *stats)`: copies a capture device's
/// counters. `-EINVAL` for NULL or a device that is not a capture device.
///
/// # Safety
/// `stats` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_stats_get(
    dev: *const sys::device,
    stats: *mut StatsSnapshot,
) -> c_int {
    let Some(snapshot) = device_index(dev).and_then(|index| CAPTURES.stats(index)) else {
        return errno_to_c(Errno::Inval);
    };
    if stats.is_null() {
        return errno_to_c(Errno::Inval);
    }
    // SAFETY: non-NULL and writable (contract).
    unsafe { stats.write(snapshot) };
    0
}

/// `void net_capture_rs_send_queued(void)`: the work item of glue.c sends
/// the tunnel packets capture queued.
#[no_mangle]
pub extern "C" fn net_capture_rs_send_queued() {
    CAPTURES.send_queued();
}

const _: () = assert!(core::mem::size_of::<StatsSnapshot>() == 11 * 4);

// Layouts the C header fixes (upstream capture.h), checked against bindgen's view of
// the build's headers.
const _: () =
    assert!(core::mem::size_of::<sys::net_capture_info>() == 6 * core::mem::size_of::<usize>());
const _: () = assert!(core::mem::size_of::<sys::net_capture_cooked>() == 12);
