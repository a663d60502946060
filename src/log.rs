//! Log lines, formatted by Zephyr's logging from C format strings.
//!
//! The library never renders text itself: a message is a `printf` format
//! (`%ld` for numbers, `%s` for text) and up to three arguments, which the
//! Zephyr layer hands to `LOG_ERR` .. `LOG_DBG` of the log module of the
//! part of the library that speaks (`net_capture` or `net_cooked`).
//! Deferred logging then formats on the logging thread, so a message costs
//! a few words of the caller's stack and no formatting code in the image.
//! The host tests render the same formats (see the fake stack) and check
//! the exact text the device logs.

use core::ffi::CStr;

use crate::errno::Errno;

/// Log severity, as Zephyr's `LOG_ERR` .. `LOG_DBG`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// An operation failed.
    Error = 1,
    /// Something was lost or refused.
    Warning = 2,
    /// Normal operation worth a line.
    Info = 3,
    /// Details for debugging.
    Debug = 4,
}

/// One argument of a message: `%ld` takes an [`Arg::Int`] or an
/// [`Arg::Errno`], `%s` an [`Arg::Str`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A signed number (`%ld`).
    Int(i32),
    /// An error, logged as Zephyr code logs errors: its negative errno
    /// number (`%ld`), which only the Zephyr layer knows.
    Errno(Errno),
    /// Static text (`%s`).
    Str(&'static CStr),
}

impl Arg {
    /// A count or index as an argument, saturated at `i32::MAX`.
    pub fn count(value: usize) -> Arg {
        Arg::Int(i32::try_from(value).unwrap_or(i32::MAX))
    }
}

/// Where log lines go. Implementations drop lines above the configured
/// level before doing anything else.
pub trait Logger {
    /// Writes `format` with `args` (at most three are used).
    fn log(&self, level: Level, format: &'static CStr, args: &[Arg]);

    /// Writes `format`, whose first conversion is a `%s` for `text`: bytes
    /// from outside (a user's address string), shown as printable ASCII
    /// (others as `?`) and cut at [`TEXT_LIMIT`] bytes with `...`; `args`
    /// fill the following conversions (at most two are used).
    fn log_text(&self, level: Level, format: &'static CStr, text: &[u8], args: &[Arg]);
}

/// Longest piece of outside text a log line shows.
pub const TEXT_LIMIT: usize = 60;

/// Copies `text` into `out` as [`Logger::log_text`] shows it, NUL
/// terminated; `out` must hold `TEXT_LIMIT + 4` bytes for the longest.
/// Returns the length without the NUL.
pub fn sanitize(text: &[u8], out: &mut [u8]) -> usize {
    let room = out.len().saturating_sub(4);
    let mut len = 0;
    for (slot, &byte) in out.iter_mut().zip(text.iter().take(room.min(TEXT_LIMIT))) {
        *slot = if byte.is_ascii_graphic() || byte == b' ' {
            byte
        } else {
            b'?'
        };
        len += 1;
    }
    if text.len() > len {
        for slot in out.iter_mut().skip(len).take(3) {
            *slot = b'.';
            len += 1;
        }
    }
    if let Some(end) = out.get_mut(len) {
        *end = 0;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &[u8]) -> std::string::String {
        let mut out = [0xffu8; TEXT_LIMIT + 4];
        let len = sanitize(text, &mut out);
        assert_eq!(out[len], 0, "NUL-terminated");
        std::string::String::from_utf8(out[..len].to_vec()).unwrap()
    }

    #[test]
    fn outside_text_is_printable_and_cut() {
        assert_eq!(shown(b"192.0.2.2"), "192.0.2.2");
        assert_eq!(shown(b"a\x00b\xffc d"), "a?b?c d");
        let long = [b'9'; 100];
        let expected = std::format!("{}...", "9".repeat(TEXT_LIMIT));
        assert_eq!(shown(&long), expected);
        assert_eq!(shown(&long[..TEXT_LIMIT]), "9".repeat(TEXT_LIMIT));
        assert_eq!(shown(b""), "");
    }

    #[test]
    fn a_small_buffer_is_never_overrun() {
        let mut out = [0u8; 6];
        let len = sanitize(b"abcdefgh", &mut out);
        assert_eq!(&out[..=len], b"ab...\0");
    }
}
