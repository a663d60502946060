//! What a device keeps of the frames it sees: its capture filter and its
//! snap length. The filter is evaluated on the first bytes of a frame
//! before anything is copied; the snap length cuts what is copied.
//!
//! Filters are a build option on the device (the evaluator and the parser
//! cost flash): the platform picks [`crate::filter::Filter`] or
//! [`NoFilter`], and with `NoFilter` none of the filter code is linked.

use core::sync::atomic::Ordering;

use crate::errno::{Errno, Result};
use crate::filter::{Filter, LinkType, MAX_READ};
use crate::wire::feedback::Link;

use super::payload::Payload;
use super::platform::{DataPlane, Lock};
use super::Captures;

/// A device's capture filter, as the build has it.
pub trait FrameFilter: Send + Sized + Clone {
    /// The filter a device starts with: every frame is captured.
    const ACCEPT_ALL: Self;

    /// Whether a filter of this type can reject anything at all: when
    /// not, the hot path never looks at a frame for it.
    const CAN_REJECT: bool = true;

    /// Whether every frame is accepted, so the test can be skipped.
    fn accepts_all(&self) -> bool;

    /// Whether a frame of `wire_len` bytes that begins with `head` (all of
    /// it, or at least its first [`MAX_READ`] bytes) is captured.
    fn accepts(&self, link: LinkType, head: &[u8], wire_len: usize) -> bool;
}

impl FrameFilter for Filter {
    const ACCEPT_ALL: Self = Filter::accept_all();

    fn accepts_all(&self) -> bool {
        self.is_accept_all()
    }

    fn accepts(&self, link: LinkType, head: &[u8], wire_len: usize) -> bool {
        self.matches(link, head, wire_len)
    }
}

/// Builds without capture filters: every frame is captured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoFilter;

impl FrameFilter for NoFilter {
    const ACCEPT_ALL: Self = NoFilter;
    const CAN_REJECT: bool = false;

    fn accepts_all(&self) -> bool {
        true
    }

    fn accepts(&self, _link: LinkType, _head: &[u8], _wire_len: usize) -> bool {
        true
    }
}

/// Bytes of a frame the filter may read: the head copied when a frame's
/// first buffer holds fewer.
pub const FILTER_HEAD: usize = MAX_READ;

/// How the filter reads a frame of a captured interface.
pub fn link_type(link: Link) -> LinkType {
    match link {
        Link::Ethernet => LinkType::Ethernet,
        Link::RawIp => LinkType::RawIp,
        Link::Ppp => LinkType::Ppp,
        Link::Ieee802154 | Link::Other => LinkType::Other,
    }
}

impl<S: DataPlane, const N: usize> Captures<S, N> {
    /// Sets `device`'s filter; `EINVAL` for an invalid device. The filter
    /// applies to every capture after the call; a capture in progress may
    /// still be decided by the old one.
    pub fn set_filter(&self, device: usize, filter: &S::Filter) -> Result<()> {
        let flag = self.filtering.get(device).ok_or(Errno::Inval)?;
        let mut filters = self.filters.lock();
        let slot = filters.get_mut(device).ok_or(Errno::Inval)?;
        flag.store(!filter.accepts_all(), Ordering::Relaxed);
        slot.clone_from(filter);
        Ok(())
    }

    /// Runs `read` on `device`'s filter (to show it), under its lock.
    pub fn with_filter<R>(&self, device: usize, read: impl FnOnce(&S::Filter) -> R) -> Option<R> {
        self.filters.lock().get(device).map(read)
    }

    /// Sets `device`'s snap length: captures keep at most `len` bytes of
    /// each frame (0: whole frames). `EINVAL` for an invalid device.
    pub fn set_snaplen(&self, device: usize, len: u32) -> Result<()> {
        self.snaplens
            .get(device)
            .ok_or(Errno::Inval)?
            .store(len, Ordering::Relaxed);
        Ok(())
    }

    /// `device`'s snap length (0: whole frames).
    pub fn snaplen(&self, device: usize) -> Option<u32> {
        self.snaplens
            .get(device)
            .map(|len| len.load(Ordering::Relaxed))
    }

    /// How many bytes of `payload` a capture on `device` keeps, and
    /// whether that cuts it.
    pub(crate) fn snapped_len(&self, device: usize, payload_len: usize) -> (usize, bool) {
        match self.snaplen(device).map(|len| len as usize) {
            Some(snap) if snap != 0 && snap < payload_len => (snap, true),
            _ => (payload_len, false),
        }
    }

    /// Whether `device`'s filter captures `payload`, which begins as
    /// `link` says: on the frame's first buffer when it holds what the
    /// filter may read, else on a copy. Not inlined: it stays off the
    /// stack of the capture that follows.
    #[inline(never)]
    pub(crate) fn filter_accepts(
        &self,
        device: usize,
        link: LinkType,
        payload: &Payload<'_, S::Frame>,
    ) -> bool {
        let filtering = S::Filter::CAN_REJECT
            && self
                .filtering
                .get(device)
                .is_some_and(|flag| flag.load(Ordering::Relaxed));
        if !filtering {
            return true;
        }
        match payload.head_in_place(FILTER_HEAD) {
            Some(head) => self.filter_head(device, link, head, payload.len()),
            None => self.filter_copied_head(device, link, payload),
        }
    }

    /// Whether `device`'s filter captures a frame of `wire_len` bytes that
    /// begins with `head`.
    fn filter_head(&self, device: usize, link: LinkType, head: &[u8], wire_len: usize) -> bool {
        self.filters
            .lock()
            .get(device)
            .is_none_or(|filter| filter.accepts(link, head, wire_len))
    }

    /// [`Self::filter_accepts`] for a frame whose first buffer holds less
    /// than the filter may read: on a copy of its first bytes. Not inlined:
    /// the copy is on the stack only then.
    #[inline(never)]
    fn filter_copied_head(
        &self,
        device: usize,
        link: LinkType,
        payload: &Payload<'_, S::Frame>,
    ) -> bool {
        let mut head_buf = [0u8; FILTER_HEAD];
        let filled = payload.copy_head(&mut head_buf);
        let head = head_buf.get(..filled).unwrap_or_default();
        self.filter_head(device, link, head, payload.len())
    }
}
