//! A NUL-terminated text built in a fixed buffer, for passing text to C
//! without an allocator.

use core::ffi::c_char;

use crate::log::Sink;

/// Up to `N - 1` bytes of text and a NUL; longer text is cut.
pub(crate) struct CText<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> CText<N> {
    /// An empty text.
    pub(crate) fn new() -> Self {
        CText {
            bytes: [0; N],
            len: 0,
        }
    }

    /// `text`, cut to fit.
    pub(crate) fn from_str(text: &str) -> Self {
        let mut out = CText::new();
        out.put(text.as_bytes());
        out
    }

    /// The NUL-terminated text, valid while `self` lives.
    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.bytes.as_ptr().cast()
    }
}

impl<const N: usize> Sink for CText<N> {
    fn put(&mut self, bytes: &[u8]) {
        // The last byte stays NUL.
        let room = N.saturating_sub(1).saturating_sub(self.len);
        let take = bytes.len().min(room);
        if let (Some(to), Some(from)) = (
            self.bytes.get_mut(self.len..self.len + take),
            bytes.get(..take),
        ) {
            to.copy_from_slice(from);
            self.len += take;
        }
    }
}
