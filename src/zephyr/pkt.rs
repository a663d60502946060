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
/// handed to the stack. Bytes are appended straight into its buffers.
pub(crate) struct OutPkt {
    pkt: NonNull<bindings::net_pkt>,
    /// The buffer being filled; the ones before it are full.
    fill: *mut bindings::net_buf,
}

// SAFETY: the packet and its buffers are exclusively owned by this handle.
unsafe impl Send for OutPkt {}

impl OutPkt {
    /// A packet with `len` bytes of buffers from the capture pools.
    pub(crate) fn alloc(len: usize) -> Result<OutPkt> {
        // SAFETY: the shim returns a new packet with its buffers, or NULL.
        let pkt =
            NonNull::new(unsafe { bindings::net_capture_rs_pkt_alloc(len) }).ok_or(Errno::NoMem)?;
        // SAFETY: the packet is live and owned.
        let fill = unsafe { (*pkt.as_ptr()).__bindgen_anon_1.buffer };
        Ok(OutPkt { pkt, fill })
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::net_pkt {
        self.pkt.as_ptr()
    }

    /// Gives up ownership (the stack took the packet).
    pub(crate) fn into_raw(self) -> *mut bindings::net_pkt {
        let ptr = self.as_ptr();
        core::mem::forget(self);
        ptr
    }
}

impl Packet for OutPkt {
    fn append(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            let Some(buf) = NonNull::new(self.fill) else {
                return Err(Errno::NoMem);
            };
            // SAFETY: `buf` is a live buffer of the owned packet; `b` is the
            // net_buf_simple view of its data fields, which describe `size`
            // bytes from `__buf`, of which `len` from `data` are in use.
            unsafe {
                let b = &mut (*buf.as_ptr()).__bindgen_anon_1.b;
                let headroom = usize::try_from(b.data.offset_from(b.__buf)).unwrap_or(usize::MAX);
                let used = headroom.saturating_add(usize::from(b.len));
                let room = usize::from(b.size).saturating_sub(used);
                if room == 0 {
                    self.fill = (*buf.as_ptr()).frags;
                    continue;
                }
                let take = room.min(bytes.len());
                core::ptr::copy_nonoverlapping(
                    bytes.as_ptr(),
                    b.data.add(usize::from(b.len)),
                    take,
                );
                // `take <= room`, which fits the 16-bit size.
                b.len += u16::try_from(take).unwrap_or(0);
                bytes = bytes.get(take..).unwrap_or_default();
            }
        }
        Ok(())
    }
}

impl Drop for OutPkt {
    fn drop(&mut self) {
        // SAFETY: the packet is owned; this releases the last reference.
        unsafe { bindings::net_capture_rs_pkt_unref(self.pkt.as_ptr()) }
    }
}
