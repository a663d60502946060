//! Per-device capture options: the capture filter and the snap length.
//! Declared in `net_capture_rs.h`; the shell's `net capture_rs` commands
//! and applications use them. The options outlive setup and cleanup.

use core::ffi::{c_char, c_int};

use super::{bounded_text, device};
use crate::capture::FrameFilter;
use crate::errno::Errno;
use crate::filter::MAX_TEXT;
use crate::zephyr::bindings as sys;
use crate::zephyr::errno::{status, to_c as errno_to_c};
use crate::zephyr::filter::DeviceFilter;
use crate::zephyr::CAPTURES;

// net_capture_rs.h defines NET_CAPTURE_RS_FILTER_TEXT_MAX (cbindgen.toml).
const _: () = assert!(MAX_TEXT == 128, "update NET_CAPTURE_RS_FILTER_TEXT_MAX");

/// `int net_capture_rs_filter_set(const struct device *dev,
/// const char *expr)`: sets the capture filter of `dev` (pcap-filter
/// syntax, see `docs/filters.md`); NULL or blank clears it. `-EINVAL`
/// for a device that is not a capture device or an expression that does
/// not compile (the log says why and where), `-ENOTSUP` for a filter in
/// an image without `CONFIG_NET_CAPTURE_RS_FILTER`.
///
/// # Safety
/// `expr` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_filter_set(
    dev: *const sys::device,
    expr: *const c_char,
) -> c_int {
    let device = match device(dev) {
        Ok(device) => device,
        Err(err) => return errno_to_c(err),
    };
    // SAFETY: contract above; one byte past the longest filter is read
    // at most, so a longer one is refused as too long.
    let text = unsafe { bounded_text(expr, MAX_TEXT + 1) }.unwrap_or_default();
    // Compiled in place: one filter on the caller's stack (the shell's,
    // 2 KB on Cortex-M boards), not one per move.
    let mut filter = DeviceFilter::ACCEPT_ALL;
    match compile(text, &mut filter) {
        Ok(()) => status(CAPTURES.set_filter(device, &filter)),
        Err(err) => errno_to_c(err),
    }
}

#[cfg(CONFIG_NET_CAPTURE_RS_FILTER)]
fn compile(text: &[u8], filter: &mut DeviceFilter) -> Result<(), Errno> {
    use crate::log::{Arg, Level, Logger};

    filter.parse_into(text).map_err(|err| {
        CAPTURES.stack().log_text(
            Level::Error,
            c"Capture filter \"%s\": %s at position %ld",
            text,
            &[Arg::Str(err.message_c()), Arg::count(err.position)],
        );
        Errno::Inval
    })
}

#[cfg(not(CONFIG_NET_CAPTURE_RS_FILTER))]
fn compile(text: &[u8], _filter: &mut DeviceFilter) -> Result<(), Errno> {
    use crate::log::{Level, Logger};

    if text.trim_ascii().is_empty() {
        return Ok(());
    }
    CAPTURES.stack().log(
        Level::Error,
        c"Capture filters need CONFIG_NET_CAPTURE_RS_FILTER=y",
        &[],
    );
    Err(Errno::NotSup)
}

/// `int net_capture_rs_filter_get(const struct device *dev, char *buf,
/// size_t size)`: copies the filter of `dev` as it was set into `buf`,
/// NUL-terminated and cut to `size` bytes; returns its full length (0 for
/// none), or `-EINVAL`.
///
/// # Safety
/// `buf` must be NULL or writable for `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_filter_get(
    dev: *const sys::device,
    buf: *mut c_char,
    size: usize,
) -> c_int {
    let device = match device(dev) {
        Ok(device) => device,
        Err(err) => return errno_to_c(err),
    };
    if buf.is_null() || size == 0 {
        return errno_to_c(Errno::Inval);
    }
    // SAFETY: non-NULL and writable for `size` bytes (contract).
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), size) };
    let len = CAPTURES
        .with_filter(device, |filter| {
            let text = filter_text(filter);
            let kept = text.len().min(size - 1);
            if let (Some(to), Some(from)) = (out.get_mut(..kept), text.get(..kept)) {
                to.copy_from_slice(from);
            }
            if let Some(end) = out.get_mut(kept) {
                *end = 0;
            }
            text.len()
        })
        .unwrap_or(0);
    c_int::try_from(len).unwrap_or(c_int::MAX)
}

#[cfg(CONFIG_NET_CAPTURE_RS_FILTER)]
fn filter_text(filter: &crate::zephyr::filter::DeviceFilter) -> &[u8] {
    filter.text()
}

#[cfg(not(CONFIG_NET_CAPTURE_RS_FILTER))]
fn filter_text(_filter: &crate::capture::NoFilter) -> &[u8] {
    &[]
}

/// `int net_capture_rs_snaplen_set(const struct device *dev,
/// uint32_t snaplen)`: captures of `dev` keep at most `snaplen` bytes of
/// each frame (0: whole frames). `-EINVAL` for a device that is not a
/// capture device.
#[no_mangle]
pub extern "C" fn net_capture_rs_snaplen_set(dev: *const sys::device, snaplen: u32) -> c_int {
    status(device(dev).and_then(|device| CAPTURES.set_snaplen(device, snaplen)))
}

/// `int net_capture_rs_snaplen_get(const struct device *dev,
/// uint32_t *snaplen)`: the snap length of `dev` (0: whole frames).
///
/// # Safety
/// `snaplen` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_snaplen_get(
    dev: *const sys::device,
    snaplen: *mut u32,
) -> c_int {
    let Some(len) = device(dev).ok().and_then(|device| CAPTURES.snaplen(device)) else {
        return errno_to_c(Errno::Inval);
    };
    if snaplen.is_null() {
        return errno_to_c(Errno::Inval);
    }
    // SAFETY: non-NULL and writable (contract).
    unsafe { snaplen.write(len) };
    0
}
