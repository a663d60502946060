//! Network packets: a borrowed view of a packet at a capture point, and an
//! owned packet built for the tunnel.

use core::ptr::NonNull;

use super::bindings;
use crate::capture::{Direction, Frame};
use crate::errno::{Errno, Result};

/// A packet the stack passed to a capture hook, valid for the call.
pub(crate) struct PktRef(NonNull<bindings::net_pkt>);

/// A position in a packet's buffer chain.
#[derive(Clone, Copy)]
pub(crate) struct BufRef(NonNull<bindings::net_buf>);

impl PktRef {
    /// Wraps a packet pointer from the stack.
    ///
    /// # Safety
    /// `pkt` must point to a live `struct net_pkt` whose buffer chain
    /// stays valid and unmodified while the returned value is used.
    pub(crate) unsafe fn new(pkt: *mut bindings::net_pkt) -> Option<PktRef> {
        NonNull::new(pkt).map(PktRef)
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::net_pkt {
        self.0.as_ptr()
    }

    /// The bytes of buffer `buf` and the next buffer.
    fn chunk(&self, buf: Option<NonNull<bindings::net_buf>>) -> (&[u8], Option<BufRef>) {
        let Some(buf) = buf else {
            return (&[], None);
        };
        // SAFETY: `buf` belongs to the live packet's chain (contract of
        // `new`); `b` is the net_buf_simple view of its data fields, whose
        // `data` holds `len` initialised bytes, borrowed for as long as the
        // packet reference.
        unsafe {
            let buf = buf.as_ref();
            let simple = buf.__bindgen_anon_1.b;
            let next = NonNull::new(buf.frags).map(BufRef);
            if simple.data.is_null() {
                return (&[], next);
            }
            (
                core::slice::from_raw_parts(simple.data, usize::from(simple.len)),
                next,
            )
        }
    }
}

impl Frame for PktRef {
    type Chain = BufRef;

    fn len(&self) -> usize {
        // SAFETY: the packet is live (contract of `new`).
        unsafe { bindings::net_pkt_get_len(self.as_ptr()) }
    }

    fn first(&self) -> (&[u8], Option<BufRef>) {
        // SAFETY: the packet is live; `buffer` heads its chain.
        let first = unsafe { (*self.as_ptr()).__bindgen_anon_1.buffer };
        self.chunk(NonNull::new(first))
    }

    fn next(&self, at: BufRef) -> (&[u8], Option<BufRef>) {
        self.chunk(Some(at.0))
    }

    fn is_captured(&self) -> bool {
        // SAFETY: the packet is live.
        unsafe { bindings::net_pkt_is_captured(self.as_ptr()) }
    }

    fn ll_proto_type(&self) -> u16 {
        // SAFETY: the packet is live.
        unsafe { bindings::net_pkt_ll_proto_type(self.as_ptr()) }
    }

    fn direction(&self) -> Direction {
        // SAFETY: the packet is live.
        match unsafe { bindings::net_capture_rs_pkt_direction(self.as_ptr()) } {
            1 => Direction::In,
            2 => Direction::Out,
            _ => Direction::Unknown,
        }
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
        let pkt = unsafe { bindings::net_capture_rs_pkt_alloc(len) };
        // SAFETY: a new packet is owned by the caller.
        unsafe { OutPkt::from_raw(pkt) }.ok_or(Errno::NoMem)
    }

    /// Takes ownership of a packet built by this library.
    ///
    /// # Safety
    /// `pkt` must be NULL or a live packet whose only reference is passed.
    pub(crate) unsafe fn from_raw(pkt: *mut bindings::net_pkt) -> Option<OutPkt> {
        let pkt = NonNull::new(pkt)?;
        // SAFETY: the packet is live and owned.
        let fill = unsafe { (*pkt.as_ptr()).__bindgen_anon_1.buffer };
        Some(OutPkt { pkt, fill })
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

    /// Appends `len` bytes to be written in place, if the buffer being
    /// filled has that much contiguous room.
    pub(crate) fn room(&mut self, len: usize) -> Option<&mut [u8]> {
        let buf = NonNull::new(self.fill)?;
        // SAFETY: `buf` is a live buffer of the owned packet (see `append`);
        // the returned bytes lie inside its storage, past the bytes in use,
        // and are borrowed with the packet.
        unsafe {
            let b = &mut (*buf.as_ptr()).__bindgen_anon_1.b;
            let headroom = usize::try_from(b.data.offset_from(b.__buf)).ok()?;
            let used = headroom.checked_add(usize::from(b.len))?;
            if usize::from(b.size).saturating_sub(used) < len {
                return None;
            }
            let start = b.data.add(usize::from(b.len));
            b.len = b.len.checked_add(u16::try_from(len).ok()?)?;
            Some(core::slice::from_raw_parts_mut(start, len))
        }
    }

    /// Appends bytes at the end.
    pub(crate) fn append(&mut self, mut bytes: &[u8]) -> Result<()> {
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
