//! The stream sink: captures become packet records of the capture stream
//! (`wire::stream`, `docs/stream-format.md`) in a ring buffer, which a
//! drain (the UART thread on Zephyr, a test here) empties.
//!
//! The capture path only copies: it takes the spin lock, numbers the
//! record, writes its header and the captured bytes into the ring, and
//! lets go. When the ring is full the record is dropped and counted, and
//! its number is still taken, so the receiver sees the gap; the next
//! record written says in its `lost` field how many were dropped before
//! it. Framing (COBS and CRC) happens in the drain, off the capture path.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::wire::stream::{HelloRepr, PacketRepr, StatsRepr, PACKET_HEADER_LEN};

use super::ring::{Ring, PREFIX_LEN};
use super::{Clock, PacketMeta, PacketSink, SinkLoss};
use crate::capture::payload::Payload;
use crate::capture::platform::{Frame, Lock, Platform};

const ZEROS: [u8; 16] = [0; 16];

/// What the ring's lock protects: the ring and the numbering, so that
/// records are numbered in the order they are stored.
#[derive(Debug)]
pub struct SinkState<const CAP: usize> {
    ring: Ring<CAP>,
    /// Sequence number of the next packet record.
    next_seq: u32,
    /// Records dropped since the last one stored.
    pending_lost: u32,
    lost_full: u32,
    lost_too_big: u32,
    lost_other: u32,
}

impl<const CAP: usize> Default for SinkState<CAP> {
    fn default() -> Self {
        SinkState::new()
    }
}

impl<const CAP: usize> SinkState<CAP> {
    /// An empty ring, numbering from 0.
    pub const fn new() -> Self {
        SinkState {
            ring: Ring::new(),
            next_seq: 0,
            pending_lost: 0,
            lost_full: 0,
            lost_too_big: 0,
            lost_other: 0,
        }
    }

    /// Takes a number for a record that is dropped.
    fn drop_record(&mut self, why: SinkLoss) {
        self.next_seq = self.next_seq.wrapping_add(1);
        self.pending_lost = self.pending_lost.saturating_add(1);
        let counter = match why {
            SinkLoss::Full => &mut self.lost_full,
            SinkLoss::TooBig => &mut self.lost_too_big,
            SinkLoss::Other => &mut self.lost_other,
        };
        *counter = counter.saturating_add(1);
    }
}

/// The sink's counters since it started (those of a stats record).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkCounters {
    /// Sequence number of the next packet record.
    pub next_seq: u32,
    /// Packet records handed to the transport.
    pub sent: u32,
    /// Dropped: the ring was full.
    pub lost_full: u32,
    /// Dropped: larger than the whole ring.
    pub lost_too_big: u32,
    /// Dropped otherwise (a record the drain could not hold).
    pub lost_other: u32,
    /// Bytes stored in the ring now.
    pub ring_used: u32,
}

/// A stream sink over a ring of `CAP` bytes behind `P`'s spin lock, with
/// timestamps from `C`, whose drain takes records of up to `MAX_RECORD`
/// bytes: captures are cut to fit that (their original length is kept,
/// as a snap length does).
///
/// Every field starts zeroed, so a `static` sink lands in `.bss` and its
/// ring costs no flash (a length field would have put all of it in
/// `.data`); hence the record limit is a parameter, not a field.
pub struct StreamSink<P: Platform, C: Clock, const CAP: usize, const MAX_RECORD: usize> {
    state: P::SpinLock<SinkState<CAP>>,
    clock: C,
    sent: AtomicU32,
}

impl<P: Platform, C: Clock, const CAP: usize, const MAX_RECORD: usize>
    StreamSink<P, C, CAP, MAX_RECORD>
{
    /// A sink over `state`, timestamped by `clock`.
    pub const fn new(state: P::SpinLock<SinkState<CAP>>, clock: C) -> Self {
        StreamSink {
            state,
            clock,
            sent: AtomicU32::new(0),
        }
    }

    /// Size of the ring in bytes.
    pub const fn capacity(&self) -> usize {
        CAP
    }

    /// Largest record the drain takes.
    pub const fn max_record(&self) -> usize {
        MAX_RECORD
    }

    /// Starts (or restarts) the sink: forgets stored records, numbers from
    /// 0, zeroes the counters, and writes the hello record for `text` into
    /// `out`; returns its length (0 if `out` is too small).
    pub fn start(&self, text: &[u8], out: &mut [u8]) -> usize {
        self.sent.store(0, Ordering::Relaxed);
        let timestamp_ns = {
            let mut state = self.state.lock();
            *state = SinkState::new();
            self.clock.now_ns()
        };
        let hello = HelloRepr {
            sequence: 0,
            timestamp_ns,
            ring_capacity: u32::try_from(CAP).unwrap_or(u32::MAX),
            text,
        };
        let len = hello.buffer_len();
        match out.get_mut(..len).map(|out| hello.emit(out)) {
            Some(Ok(())) => len,
            _ => 0,
        }
    }

    /// The counters now.
    pub fn counters(&self) -> SinkCounters {
        let state = self.state.lock();
        SinkCounters {
            next_seq: state.next_seq,
            sent: self.sent.load(Ordering::Relaxed),
            lost_full: state.lost_full,
            lost_too_big: state.lost_too_big,
            lost_other: state.lost_other,
            ring_used: u32::try_from(CAP.saturating_sub(state.ring.free())).unwrap_or(u32::MAX),
        }
    }

    /// Writes a stats record into `out`; returns its length (0 if `out`
    /// is too small).
    pub fn stats_record(&self, out: &mut [u8]) -> usize {
        let counters = self.counters();
        let stats = StatsRepr {
            sequence: counters.next_seq,
            timestamp_ns: self.clock.now_ns(),
            sent: counters.sent,
            lost_full: counters.lost_full,
            lost_too_big: counters.lost_too_big,
            lost_other: counters.lost_other,
        };
        match out.get_mut(..StatsRepr::LEN).map(|out| stats.emit(out)) {
            Some(Ok(())) => StatsRepr::LEN,
            _ => 0,
        }
    }

    /// Moves the oldest packet record into `out` (the drain's buffer of
    /// [`StreamSink::max_record`] bytes) and returns it. A record that
    /// does not fit `out` is discarded and counted as lost.
    pub fn pop<'o>(&self, out: &'o mut [u8]) -> Option<&'o [u8]> {
        loop {
            let popped = self.state.lock().ring.pop(out)?;
            match popped {
                Ok(len) => return out.get(..len),
                Err(_) => {
                    let mut state = self.state.lock();
                    state.lost_other = state.lost_other.saturating_add(1);
                }
            }
        }
    }

    /// The drain handed a popped record to the transport.
    pub fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether a record is waiting.
    pub fn is_empty(&self) -> bool {
        self.state.lock().ring.is_empty()
    }
}

impl<P: Platform, C: Clock, const CAP: usize, const MAX_RECORD: usize, F: Frame + ?Sized>
    PacketSink<F> for StreamSink<P, C, CAP, MAX_RECORD>
{
    fn put(&self, meta: &PacketMeta, payload: &Payload<'_, F>, len: usize) -> Result<(), SinkLoss> {
        let room = MAX_RECORD.saturating_sub(PACKET_HEADER_LEN);
        let captured = len.min(payload.len()).min(room);
        let record_len = PACKET_HEADER_LEN + captured;
        let mut state = self.state.lock();
        if PREFIX_LEN + record_len > CAP {
            state.drop_record(SinkLoss::TooBig);
            return Err(SinkLoss::TooBig);
        }
        if state.ring.begin(record_len).is_none() {
            state.drop_record(SinkLoss::Full);
            return Err(SinkLoss::Full);
        }
        // Under the lock, so that timestamps grow with sequence numbers.
        let repr = PacketRepr {
            device: meta.device,
            direction: meta.direction,
            sequence: state.next_seq,
            timestamp_ns: self.clock.now_ns(),
            link_type: meta.link_type,
            ifindex: meta.ifindex,
            orig_len: meta.orig_len,
            lost: state.pending_lost,
        };
        state.next_seq = state.next_seq.wrapping_add(1);
        state.pending_lost = 0;
        let mut header = [0u8; PACKET_HEADER_LEN];
        // The header buffer is exactly long enough: emit cannot fail.
        let _ = repr.emit(&mut header);
        state.ring.append(&header);
        let mut left = captured;
        for chunk in payload.chunks() {
            let take = chunk.len().min(left);
            state.ring.append(chunk.get(..take).unwrap_or_default());
            left -= take;
            if left == 0 {
                break;
            }
        }
        // A frame shorter than it said: keep the stored length honest.
        while left > 0 {
            let take = left.min(ZEROS.len());
            state.ring.append(ZEROS.get(..take).unwrap_or_default());
            left -= take;
        }
        Ok(())
    }
}
