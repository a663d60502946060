//! A NUL-terminated message formatted into a fixed buffer, for passing text
//! to C without an allocator.

use core::ffi::c_char;
use core::fmt::{self, Write};

/// Up to `N - 1` bytes of text and a NUL; longer text is cut.
pub(crate) struct CText<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> CText<N> {
    /// `args`, formatted and cut to fit.
    pub(crate) fn format(args: fmt::Arguments<'_>) -> Self {
        let mut text = CText {
            bytes: [0; N],
            len: 0,
        };
        let _ = text.write_fmt(args);
        text
    }

    /// The NUL-terminated text, valid while `self` lives.
    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.bytes.as_ptr().cast()
    }
}

impl<const N: usize> Write for CText<N> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // The last byte stays NUL.
        let room = N.saturating_sub(1).saturating_sub(self.len);
        let take = text.len().min(room);
        self.bytes[self.len..self.len + take].copy_from_slice(&text.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}
