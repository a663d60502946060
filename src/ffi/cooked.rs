//! The cooked-mode C ABI: `net_capture_cooked_setup()`, `net_capture_data()`
//! and the API of the cooked virtual interface (glue_cooked.c puts these in
//! its `struct virtual_interface_api`).

use core::ffi::c_int;

use crate::cooked::{CookedContext, Verdict, LL_ADDR_LEN};
use crate::errno::Errno;
use crate::zephyr::bindings as sys;
use crate::zephyr::errno::{status, to_c as errno_to_c};
use crate::zephyr::{Iface, PktRef, CAPTURES, COOKED};

/// `int net_capture_cooked_setup(struct net_capture_cooked *ctx,
/// uint16_t hatype, uint16_t halen, uint8_t *addr)`: `-EINVAL` unless
/// `ctx` and `addr` are set and `1 <= halen <= NET_CAPTURE_LL_ADDRLEN`.
///
/// # Safety
/// `ctx` must be NULL or writable; `addr` NULL or `halen` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn net_capture_cooked_setup(
    ctx: *mut sys::net_capture_cooked,
    hatype: u16,
    halen: u16,
    addr: *mut u8,
) -> c_int {
    if ctx.is_null() || addr.is_null() {
        return errno_to_c(Errno::Inval);
    }
    let readable = usize::from(halen).min(LL_ADDR_LEN);
    // SAFETY: `addr` holds `halen` bytes (contract); at most 8 are read.
    let bytes = unsafe { core::slice::from_raw_parts(addr, readable) };
    match CookedContext::new(hatype, halen, bytes) {
        Ok(context) => {
            // SAFETY: `ctx` is writable (contract).
            unsafe {
                ctx.write(sys::net_capture_cooked {
                    hatype: context.hatype,
                    halen: context.halen,
                    addr: context.addr,
                });
            }
            0
        }
        Err(err) => errno_to_c(err),
    }
}

/// `void net_capture_data(struct net_capture_cooked *ctx, const uint8_t
/// *data, size_t len, enum net_capture_packet_type type, uint16_t ptype)`
///
/// # Safety
/// `ctx` must be NULL or readable; `data` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn net_capture_data(
    ctx: *mut sys::net_capture_cooked,
    data: *const u8,
    len: usize,
    type_: sys::net_capture_packet_type,
    ptype: u16,
) {
    // Nothing is read or built while no device captures (W21).
    if !CAPTURES.any_enabled() {
        return;
    }
    // SAFETY: `ctx` is readable (contract); any field values are accepted.
    let context = unsafe { ctx.as_ref() }.map(|ctx| CookedContext {
        hatype: ctx.hatype,
        halen: ctx.halen,
        addr: ctx.addr,
    });
    // No data at all is a header-only capture, as upstream; NULL with a
    // length is refused.
    let data = if len == 0 {
        Some(&[][..])
    } else {
        (!data.is_null() && isize::try_from(len).is_ok())
            // SAFETY: `data` holds `len` readable bytes (contract).
            .then(|| unsafe { core::slice::from_raw_parts(data, len) })
    };
    // The enum is 32 bits wide, or 8 on ARM's short-enum ABI.
    #[allow(clippy::useless_conversion)]
    let pkttype = u32::from(type_);
    COOKED.data(&CAPTURES, context.as_ref(), data, pkttype, ptype);
}

/// The interface's init: `void (*)(struct net_if *iface)`.
///
/// # Safety
/// `iface` must be NULL or the registered cooked interface (the stack
/// calls this while initialising it); the handle is trusted from then on.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_cooked_init(iface: *mut sys::net_if) {
    // SAFETY: contract of this function.
    if let Some(iface) = unsafe { Iface::from_stack(iface) } {
        COOKED.init(iface);
    }
}

/// `enum virtual_interface_caps (*)(struct net_if *iface)`: none.
#[no_mangle]
pub extern "C" fn net_capture_rs_cooked_capabilities(
    iface: *mut sys::net_if,
) -> sys::virtual_interface_caps {
    let _ = iface;
    0
}

/// `int (*start)(const struct device *dev)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_cooked_start(dev: *const sys::device) -> c_int {
    let _ = dev;
    status(COOKED.set_started(true))
}

/// `int (*stop)(const struct device *dev)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_cooked_stop(dev: *const sys::device) -> c_int {
    let _ = dev;
    status(COOKED.set_started(false))
}

/// `int (*send)(struct net_if *iface, struct net_pkt *pkt)`: the cooked
/// interface only receives (W20); the stack frees the refused packet.
#[no_mangle]
pub extern "C" fn net_capture_rs_cooked_send(
    iface: *mut sys::net_if,
    pkt: *mut sys::net_pkt,
) -> c_int {
    let _ = (iface, pkt);
    errno_to_c(Errno::NotSup)
}

/// `enum net_verdict (*recv)(struct net_if *iface, struct net_pkt *pkt)`.
///
/// # Safety
/// `pkt` must be a live packet the stack hands over.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_cooked_recv(
    iface: *mut sys::net_if,
    pkt: *mut sys::net_pkt,
) -> sys::net_verdict {
    let _ = iface;
    // SAFETY: contract of this function.
    let Some(frame) = (unsafe { PktRef::new(pkt) }) else {
        return sys::net_verdict_NET_DROP;
    };
    match COOKED.recv(&CAPTURES, &frame) {
        Verdict::Consumed => {
            // SAFETY: NET_OK hands the packet's ownership to us, but the
            // virtual L2 still reads it after this returns: the glue frees
            // it once this thread is past that read.
            if unsafe { sys::net_capture_rs_release_later(frame.as_ptr()) } {
                sys::net_verdict_NET_OK
            } else {
                // Too many wait to be freed: the stack frees this one (its
                // copy is already queued; the L2 counts a processing error).
                sys::net_verdict_NET_DROP
            }
        }
        Verdict::Drop => sys::net_verdict_NET_DROP,
    }
}

/// `int (*attach)(struct net_if *virtual_iface, struct net_if *iface)`.
#[no_mangle]
pub extern "C" fn net_capture_rs_cooked_attach(
    iface: *mut sys::net_if,
    lower: *mut sys::net_if,
) -> c_int {
    if Iface::registered(iface).is_none() {
        return errno_to_c(Errno::NoEnt);
    }
    COOKED.attach(Iface::registered(lower));
    0
}

/// `int (*set_config)(struct net_if *iface, enum virtual_interface_config_type
/// type, const struct virtual_interface_config *config)`: link types
/// (`-ERANGE` past `CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES`) and MTU.
///
/// # Safety
/// `config` must be NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_cooked_set_config(
    iface: *mut sys::net_if,
    type_: sys::virtual_interface_config_type,
    config: *const sys::virtual_interface_config,
) -> c_int {
    // SAFETY: contract of this function.
    let (Some(iface), Some(config)) = (Iface::registered(iface), unsafe { config.as_ref() }) else {
        return errno_to_c(Errno::Inval);
    };
    match type_ {
        sys::virtual_interface_config_type_VIRTUAL_INTERFACE_CONFIG_TYPE_LINK_TYPE => {
            // SAFETY: the caller filled the link-type member for this type.
            let link_types = unsafe { config.__bindgen_anon_1.link_types };
            status(COOKED.set_link_types(link_types.count, &link_types.type_))
        }
        sys::virtual_interface_config_type_VIRTUAL_INTERFACE_CONFIG_TYPE_MTU => {
            // SAFETY: the caller filled the MTU member for this type.
            let mtu = unsafe { config.__bindgen_anon_1.mtu };
            let mtu = u16::try_from(mtu).map_err(|_| Errno::Inval);
            status(mtu.and_then(|mtu| COOKED.set_mtu(iface, mtu)))
        }
        _ => errno_to_c(Errno::NotSup),
    }
}

/// `int (*get_config)(struct net_if *iface, enum virtual_interface_config_type
/// type, struct virtual_interface_config *config)`.
///
/// # Safety
/// `config` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_cooked_get_config(
    iface: *mut sys::net_if,
    type_: sys::virtual_interface_config_type,
    config: *mut sys::virtual_interface_config,
) -> c_int {
    // SAFETY: contract of this function.
    let (Some(iface), Some(config)) = (Iface::registered(iface), unsafe { config.as_mut() }) else {
        return errno_to_c(Errno::Inval);
    };
    match type_ {
        sys::virtual_interface_config_type_VIRTUAL_INTERFACE_CONFIG_TYPE_LINK_TYPE => {
            let types = COOKED.link_types();
            let mut out = sys::virtual_interface_link_types::default();
            for (slot, ptype) in out.type_.iter_mut().zip(types.as_slice()) {
                *slot = *ptype;
            }
            out.count = c_int::try_from(types.as_slice().len()).unwrap_or_default();
            config.__bindgen_anon_1.link_types = out;
            0
        }
        sys::virtual_interface_config_type_VIRTUAL_INTERFACE_CONFIG_TYPE_MTU => {
            config.__bindgen_anon_1.mtu = c_int::from(COOKED.mtu(iface));
            0
        }
        _ => errno_to_c(Errno::NotSup),
    }
}
