//! Network packets: a borrowed view of a packet at a capture point, and an
//! owned packet built for the tunnel.

use core::ptr::NonNull;

use super::bindings;
use crate::capture::{Frame, Packet, Payload};
use crate::errno::{Errno, Result};

/// A packet the stack passed to a capture hook, valid for the call.
pub(crate) struct PktRef(NonNull<bindings::net_pkt>);

impl PktRef {
    /// Wraps a packet pointer from the stack.
    ///
    /// # Safety
    /// `pkt` must point to a live `struct net_pkt` that stays valid and is
    /// not modified by anyone else while the returned value is used.
    pub(crate) unsafe fn new(pkt: *mut bindings::net_pkt) -> Option<PktRef> {
        NonNull::new(pkt).map(PktRef)
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::net_pkt {
        self.0.as_ptr()
    }
}

impl Payload for PktRef {
    fn len(&self) -> usize {
        // SAFETY: the packet is live (contract of `new`).
        unsafe { bindings::net_pkt_get_len(self.as_ptr()) }
    }

    fn for_each_chunk(&self, f: &mut dyn FnMut(&[u8]) -> bool) {
        // SAFETY: the packet is live; its buffer chain is a NULL-terminated
        // list of net_bufs whose `data` holds `len` initialised bytes.
        let mut buf = unsafe { (*self.as_ptr()).__bindgen_anon_1.buffer };
        while let Some(current) = NonNull::new(buf) {
            // SAFETY: see above; the chain is not modified during the call.
            let (data, len, next) = unsafe {
                let buf = current.as_ref();
                // `b` is the net_buf_simple view of the data fields.
                let simple = buf.__bindgen_anon_1.b;
                (simple.data, simple.len, buf.frags)
            };
            if !data.is_null() && len > 0 {
                // SAFETY: `data` points to `len` bytes owned by the buffer.
                let chunk = unsafe { core::slice::from_raw_parts(data, usize::from(len)) };
                if !f(chunk) {
                    return;
                }
            }
            buf = next;
        }
    }
}

impl Frame for PktRef {
    fn is_captured(&self) -> bool {
        // SAFETY: the packet is live.
        unsafe { bindings::net_pkt_is_captured(self.as_ptr()) }
    }

    fn ll_proto_type(&self) -> u16 {
        // SAFETY: the packet is live.
        unsafe { bindings::net_pkt_ll_proto_type(self.as_ptr()) }
    }
}

/// A packet from the capture pools; returned to them when dropped unless
/// handed to the stack.
pub(crate) struct OutPkt(NonNull<bindings::net_pkt>);

// SAFETY: the packet is exclusively owned by this handle.
unsafe impl Send for OutPkt {}

impl OutPkt {
    /// A packet with `len` bytes of buffers from the capture pools.
    pub(crate) fn alloc(len: usize) -> Result<OutPkt> {
        // SAFETY: the shim returns a new packet or NULL.
        NonNull::new(unsafe { bindings::net_capture_rs_pkt_alloc(len) })
            .map(OutPkt)
            .ok_or(Errno::NoMem)
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::net_pkt {
        self.0.as_ptr()
    }

    /// Gives up ownership (the stack took the packet).
    pub(crate) fn into_raw(self) -> *mut bindings::net_pkt {
        let ptr = self.as_ptr();
        core::mem::forget(self);
        ptr
    }
}

impl Packet for OutPkt {
    fn append(&mut self, bytes: &[u8]) -> Result<()> {
        // SAFETY: the packet is owned and live; `bytes` is a valid slice.
        let ret =
            unsafe { bindings::net_pkt_write(self.as_ptr(), bytes.as_ptr().cast(), bytes.len()) };
        if ret < 0 {
            Err(Errno::NoMem)
        } else {
            Ok(())
        }
    }
}

impl Drop for OutPkt {
    fn drop(&mut self) {
        // SAFETY: the packet is owned; this releases the last reference.
        unsafe { bindings::net_capture_rs_pkt_unref(self.as_ptr()) }
    }
}
