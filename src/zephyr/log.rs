//! Logging through the log modules of the C glue: `net_capture` (glue.c)
//! and, in cooked mode, `net_cooked` (glue_cooked.c), each C file owning
//! its module. Lines above `CONFIG_NET_CAPTURE_LOG_LEVEL` cost a compare.

use core::ffi::{c_char, CStr};

use super::bindings as sys;
use super::errno::to_c;
use crate::log::{sanitize, Arg, Level, TEXT_LIMIT};

/// Which part of the library speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LogModule {
    /// `net_capture`.
    Capture,
    /// `net_cooked`.
    #[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
    Cooked,
}

fn enabled(level: Level) -> bool {
    u32::from(level as u8) <= sys::CONFIG_NET_CAPTURE_LOG_LEVEL
}

/// An argument as the C shims take it: numbers, and static strings by
/// address.
fn word(arg: Option<&Arg>) -> isize {
    match arg {
        Some(Arg::Int(value)) => isize::try_from(*value).unwrap_or(0),
        Some(Arg::Errno(err)) => isize::try_from(to_c(*err)).unwrap_or(0),
        // Same width on every target: a plain reinterpretation.
        Some(Arg::Str(text)) => text.as_ptr() as isize,
        None => 0,
    }
}

/// Writes `format` with up to three `args`.
pub(crate) fn log(module: LogModule, level: Level, format: &'static CStr, args: &[Arg]) {
    if !enabled(level) {
        return;
    }
    let (a, b, c) = (word(args.first()), word(args.get(1)), word(args.get(2)));
    let level = level as u8;
    // SAFETY: `format` is a static NUL-terminated printf format whose
    // conversions match the arguments (%ld for numbers, %s for static
    // strings); the shims only read them.
    unsafe {
        match module {
            LogModule::Capture => sys::net_capture_rs_log_capture(level, format.as_ptr(), a, b, c),
            #[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
            LogModule::Cooked => sys::net_capture_rs_log_cooked(level, format.as_ptr(), a, b, c),
        }
    }
}

/// Writes `format` with `text` (shown safely) as its first argument.
pub(crate) fn log_text(
    module: LogModule,
    level: Level,
    format: &'static CStr,
    text: &[u8],
    args: &[Arg],
) {
    if !enabled(level) {
        return;
    }
    let mut shown = [0u8; TEXT_LIMIT + 4];
    sanitize(text, &mut shown);
    let shown: *const c_char = shown.as_ptr().cast();
    let (a, b) = (word(args.first()), word(args.get(1)));
    let level = level as u8;
    // SAFETY: as in `log`; `shown` is NUL-terminated and outlives the
    // call, which copies it.
    unsafe {
        match module {
            LogModule::Capture => {
                sys::net_capture_rs_log_capture_text(level, format.as_ptr(), shown, a, b)
            }
            #[cfg(CONFIG_NET_CAPTURE_COOKED_MODE)]
            LogModule::Cooked => {
                sys::net_capture_rs_log_cooked_text(level, format.as_ptr(), shown, a, b)
            }
        }
    }
}
