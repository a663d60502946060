//! The Zephyr side: bindgen'd bindings and safe wrappers over them, and
//! the [`Stack`](crate::capture::Stack) implementation the capture layer
//! runs on. The only module (with `ffi`) that calls C or uses `unsafe`.
//!
//! Compiled only inside a Zephyr build: bindgen needs the build's include
//! paths and `autoconf.h`.

mod addr;
pub(crate) mod bindings;
#[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
mod cooked;
mod iface;
mod log;
mod panic;
mod pkt;
mod stack;
mod sync;
mod text;

pub(crate) use addr::{in6_addr, in_addr};
pub(crate) use iface::Iface;
pub(crate) use log::{log, LogModule};
pub(crate) use pkt::PktRef;
pub(crate) use stack::ZephyrStack;

use crate::capture::{Captures, Table};
use sync::{ControlMutex, SpinLock};

/// `CONFIG_NET_CAPTURE_DEVICE_COUNT`.
pub(crate) const DEVICE_COUNT: usize = bindings::CONFIG_NET_CAPTURE_DEVICE_COUNT as usize;

/// The capture devices of this image.
pub(crate) static CAPTURES: Captures<ZephyrStack, DEVICE_COUNT> = Captures::new(
    ZephyrStack::new(LogModule::Capture),
    SpinLock::new(Table::new()),
    ControlMutex,
);

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

/// The cooked interface of this image.
#[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
pub(crate) static COOKED: crate::cooked::Cooked<ZephyrStack, MAX_LINK_TYPES> =
    crate::cooked::Cooked::new(
        ZephyrStack::new(LogModule::Cooked),
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
