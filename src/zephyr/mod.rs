//! The Zephyr side: bindgen'd bindings and safe wrappers over them, and
//! the implementation of the capture layer's traits on Zephyr's network
//! stack. The only module (with `ffi`) that calls C or uses `unsafe`.
//!
//! Compiled only inside a Zephyr build: bindgen needs the build's include
//! paths and `autoconf.h`.

mod addr;
pub(crate) mod bindings;
mod control;
#[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
mod cooked;
mod data;
pub(crate) mod errno;
pub(crate) mod filter;
mod iface;
mod log;
mod panic;
mod pkt;
#[cfg(CONFIG_NET_CAPTURE_RS_SINK)]
pub(crate) mod sink;
mod sync;

pub(crate) use addr::{in6_addr, in_addr};
pub(crate) use data::ZephyrStack;
pub(crate) use iface::Iface;
pub(crate) use log::LogModule;
pub(crate) use pkt::PktRef;

use crate::capture::{Captures, Config, FrameFilter, Table};
use crate::wire::tunnel::Oversize;
use sync::{ControlMutex, SpinLock};

/// `CONFIG_NET_CAPTURE_DEVICE_COUNT`.
pub(crate) const DEVICE_COUNT: usize = bindings::CONFIG_NET_CAPTURE_DEVICE_COUNT as usize;

/// The build's constants.
const CONFIG: Config = Config {
    oversize: if cfg!(CONFIG_NET_CAPTURE_RS_OVERSIZE_TRUNCATE) {
        Oversize::Truncate
    } else {
        Oversize::Fragment
    },
    pool_capacity: bindings::NET_CAPTURE_RS_POOL_CAPACITY,
    // Cleanup waits up to 100 ms for captures being sent.
    quiesce_pauses: 100,
    tunnel_metadata: cfg!(CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA),
};

/// The capture devices of this image.
pub(crate) static CAPTURES: Captures<ZephyrStack, DEVICE_COUNT> = Captures::with_sink(
    ZephyrStack::new(LogModule::Capture),
    CONFIG,
    SpinLock::new(Table::new()),
    ControlMutex,
    SpinLock::new([const { filter::DeviceFilter::ACCEPT_ALL }; DEVICE_COUNT]),
    STREAM_SINK,
);

/// The sink besides the tunnel, in builds with one.
#[cfg(CONFIG_NET_CAPTURE_RS_SINK)]
const STREAM_SINK: Option<&'static dyn crate::capture::sink::PacketSink<PktRef>> =
    Some(&sink::SINK);
#[cfg(not(CONFIG_NET_CAPTURE_RS_SINK))]
const STREAM_SINK: Option<&'static dyn crate::capture::sink::PacketSink<PktRef>> = None;

/// The capture devices, in index order.
fn devices() -> &'static [*const bindings::device] {
    // SAFETY: glue.c defines the array with CONFIG_NET_CAPTURE_DEVICE_COUNT
    // entries, const and never written.
    unsafe {
        core::slice::from_raw_parts(
            core::ptr::addr_of!(bindings::net_capture_rs_devices).cast::<*const bindings::device>(),
            DEVICE_COUNT,
        )
    }
}

/// `CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES`.
#[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
pub(crate) const MAX_LINK_TYPES: usize =
    bindings::CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES as usize;

/// Bytes of a frame the PPP driver sends, held while its pieces are put
/// back together (`CONFIG_NET_PPP_CAPTURE`): a whole frame of the link's
/// MRU (address, control, protocol, packet, FCS), or the driver's capture
/// buffer if larger.
#[cfg(all(CONFIG_NET_CAPTURE_COOKED_MODE, CONFIG_NET_PPP_CAPTURE))]
const HDLC_FRAME: usize = {
    let whole = bindings::CONFIG_NET_PPP_MTU_MRU as usize + 6;
    let buffer = bindings::CONFIG_NET_PPP_CAPTURE_BUF_SIZE as usize;
    if whole > buffer {
        whole
    } else {
        buffer
    }
};
/// No PPP driver captures: sent HDLC records pass as they come.
#[cfg(all(CONFIG_NET_CAPTURE_COOKED_MODE, not(CONFIG_NET_PPP_CAPTURE)))]
const HDLC_FRAME: usize = 0;

/// The cooked interface of this image.
#[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
pub(crate) static COOKED: crate::cooked::Cooked<ZephyrStack, MAX_LINK_TYPES, HDLC_FRAME> =
    crate::cooked::Cooked::new(
        ZephyrStack::new(LogModule::Cooked),
        crate::cooked::CookedConfig {
            sll: if cfg!(CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2) {
                crate::wire::sll::Version::V2
            } else {
                crate::wire::sll::Version::V1
            },
            name: match core::ffi::CStr::from_bytes_with_nul(
                bindings::CONFIG_NET_CAPTURE_COOKED_MODE_INTERFACE_NAME,
            ) {
                Ok(name) => name,
                Err(_) => c"cooked",
            },
        },
        SpinLock::new(crate::cooked::CookedState::new()),
    );

/// Index of `dev` among the capture devices; `None` for any other pointer
/// (which is compared, never dereferenced).
pub(crate) fn device_index(dev: *const bindings::device) -> Option<usize> {
    devices().iter().position(|candidate| *candidate == dev)
}

/// The device pointer of capture device `index`.
pub(crate) fn device_at(index: usize) -> Option<*const bindings::device> {
    devices().get(index).copied()
}
