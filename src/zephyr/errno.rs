//! The C values of [`Errno`], taken from the build's libc.

use core::ffi::c_int;

use super::bindings as sys;
use crate::errno::{Errno, Result};

/// The negative C errno of `err`.
pub(crate) fn to_c(err: Errno) -> c_int {
    -match err {
        Errno::Inval => sys::NET_CAPTURE_RS_EINVAL,
        Errno::NoEnt => sys::NET_CAPTURE_RS_ENOENT,
        Errno::NoMem => sys::NET_CAPTURE_RS_ENOMEM,
        Errno::Already => sys::NET_CAPTURE_RS_EALREADY,
        Errno::NetUnreach => sys::NET_CAPTURE_RS_ENETUNREACH,
        Errno::NotSup => sys::NET_CAPTURE_RS_ENOTSUP,
        Errno::Range => sys::NET_CAPTURE_RS_ERANGE,
        Errno::Busy => sys::NET_CAPTURE_RS_EBUSY,
        Errno::Io => sys::NET_CAPTURE_RS_EIO,
        Errno::NetDown => sys::NET_CAPTURE_RS_ENETDOWN,
        Errno::MsgSize => sys::NET_CAPTURE_RS_EMSGSIZE,
        Errno::Again => sys::NET_CAPTURE_RS_EAGAIN,
        Errno::Stack(code) => return code,
    }
}

/// The error a negative C return value stands for.
pub(crate) fn from_c(code: c_int) -> Errno {
    // Iterated in place: `into_iter` would copy the table onto the stack.
    Errno::ALL
        .iter()
        .copied()
        .find(|err| to_c(*err) == code)
        .unwrap_or(Errno::Stack(code))
}

/// `0` for success, the negative errno otherwise.
pub(crate) fn status(result: Result<()>) -> c_int {
    match result {
        Ok(()) => 0,
        Err(err) => to_c(err),
    }
}

/// Turns a Zephyr return value into a result; `EALREADY` counts as done.
pub(crate) fn check(ret: c_int) -> Result<()> {
    if ret >= 0 || ret == -sys::NET_CAPTURE_RS_EALREADY {
        Ok(())
    } else {
        Err(from_c(ret))
    }
}
