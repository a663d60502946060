//! The end of the road: nothing in the library should panic (no unwrap or
//! indexing on untrusted data, enforced by clippy), but if something does,
//! or a consistency check fails, it ends in Zephyr's fatal error path
//! rather than undefined behaviour.
//!
//! Only the location is reported: formatting the panic message would bring
//! `core::fmt` into every image.

use core::ffi::CStr;

use super::bindings;

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let (file, line) = info
        .location()
        .map_or(("?", 0), |at| (at.file(), at.line()));
    // SAFETY: the shim reads `file.len()` bytes of `file`, flushes the
    // logs and calls k_panic(), never returning.
    unsafe { bindings::net_capture_rs_panic(file.as_ptr().cast(), file.len(), line) }
}

/// Stops the system with `why` (a broken invariant; checked in debug builds).
#[cfg_attr(not(debug_assertions), allow(dead_code))]
pub(crate) fn fatal(why: &'static CStr) -> ! {
    let text = why.to_bytes();
    // SAFETY: as in `panic`.
    unsafe { bindings::net_capture_rs_panic(text.as_ptr().cast(), text.len(), 0) }
}
