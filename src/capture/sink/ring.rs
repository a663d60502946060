//! The stream sink's ring buffer: records stored back to back, each after
//! a 4-byte big-endian length, wrapping at the end of a fixed array.
//!
//! Plain data, no locking of its own: the sink keeps it behind the
//! platform's spin lock, and both the capture path (writing) and the drain
//! (reading) hold that lock only while they copy bytes in or out.

/// Length of the prefix in front of every stored record.
pub const PREFIX_LEN: usize = 4;

/// A byte ring of `CAP` bytes holding whole records.
#[derive(Debug)]
pub struct Ring<const CAP: usize> {
    buf: [u8; CAP],
    /// Position of the oldest stored byte.
    read: usize,
    /// Bytes stored.
    used: usize,
}

impl<const CAP: usize> Default for Ring<CAP> {
    fn default() -> Self {
        Ring::new()
    }
}

impl<const CAP: usize> Ring<CAP> {
    /// A ring must hold at least one length prefix; this also keeps the
    /// `% CAP` below from dividing by zero.
    const HOLDS_A_PREFIX: () = assert!(CAP >= PREFIX_LEN, "ring smaller than a length prefix");

    /// An empty ring.
    pub const fn new() -> Self {
        let () = Self::HOLDS_A_PREFIX;
        Ring {
            buf: [0; CAP],
            read: 0,
            used: 0,
        }
    }

    /// Bytes free for prefixes and records.
    pub fn free(&self) -> usize {
        CAP.saturating_sub(self.used)
    }

    /// Whether no record is stored.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Forgets every record.
    pub fn clear(&mut self) {
        self.read = 0;
        self.used = 0;
    }

    /// Starts a record of `len` bytes (its length prefix is written), or
    /// `None` when the record and its prefix do not fit in the free space.
    /// The caller then writes exactly `len` bytes with [`Ring::append`].
    pub fn begin(&mut self, len: usize) -> Option<()> {
        let entry = len.checked_add(PREFIX_LEN)?;
        if entry > self.free() {
            return None;
        }
        let prefix = u32::try_from(len).ok()?.to_be_bytes();
        self.append(&prefix);
        Some(())
    }

    /// Copies `bytes` after the stored ones (at most the free space; the
    /// caller reserved it with [`Ring::begin`]).
    pub fn append(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && self.used < CAP {
            let at = (self.read + self.used) % CAP;
            // Contiguous room up to the end of the array or the free space.
            let room = (CAP - at).min(CAP - self.used);
            let take = room.min(bytes.len());
            let (head, rest) = bytes.split_at(take);
            if let Some(slot) = self.buf.get_mut(at..at + take) {
                slot.copy_from_slice(head);
            }
            self.used += take;
            bytes = rest;
        }
    }

    /// Length of the oldest record, if any.
    pub fn peek_len(&self) -> Option<usize> {
        if self.used < PREFIX_LEN {
            return None;
        }
        let mut prefix = [0u8; PREFIX_LEN];
        self.copy_at(self.read, &mut prefix);
        usize::try_from(u32::from_be_bytes(prefix)).ok()
    }

    /// Removes the oldest record, copying it to the front of `out`; its
    /// length, or `None` when the ring is empty. A record longer than
    /// `out` is removed without being copied (`Some(Err(len))`).
    pub fn pop(&mut self, out: &mut [u8]) -> Option<core::result::Result<usize, usize>> {
        let len = self.peek_len()?;
        let start = (self.read + PREFIX_LEN) % CAP;
        let copied = match out.get_mut(..len) {
            Some(out) => {
                self.copy_at(start, out);
                Ok(len)
            }
            None => Err(len),
        };
        let entry = (PREFIX_LEN + len).min(self.used);
        self.read = (self.read + entry) % CAP;
        self.used -= entry;
        if self.used == 0 {
            // Start the next record at the front: fewer records wrap.
            self.read = 0;
        }
        Some(copied)
    }

    /// Copies stored bytes starting at position `at` into all of `out`.
    fn copy_at(&self, at: usize, out: &mut [u8]) {
        let first = (CAP - at.min(CAP)).min(out.len());
        let (to_first, to_second) = out.split_at_mut(first);
        if let Some(from) = self.buf.get(at..at + first) {
            to_first.copy_from_slice(from);
        }
        if let Some(from) = self.buf.get(..to_second.len()) {
            to_second.copy_from_slice(from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_out_whole_and_in_order_across_the_wrap() {
        let mut ring = Ring::<16>::new();
        let mut out = [0u8; 16];
        for round in 0u8..20 {
            let record = [round, round.wrapping_add(1), round.wrapping_add(2)];
            assert_eq!(ring.begin(record.len()), Some(()));
            ring.append(&record);
            assert_eq!(ring.begin(3), Some(()));
            ring.append(&[9, 9, round]);
            assert_eq!(ring.pop(&mut out), Some(Ok(3)));
            assert_eq!(&out[..3], &record);
            assert_eq!(ring.pop(&mut out), Some(Ok(3)));
            assert_eq!(&out[..3], &[9, 9, round]);
            assert_eq!(ring.pop(&mut out), None);
        }
    }

    #[test]
    fn a_record_that_does_not_fit_the_free_space_is_refused() {
        let mut ring = Ring::<16>::new();
        assert_eq!(ring.begin(8), Some(()));
        ring.append(&[1; 8]);
        assert_eq!(ring.free(), 4);
        assert_eq!(ring.begin(1), None);
        assert_eq!(ring.begin(0), Some(()));
        assert_eq!(ring.free(), 0);
    }

    #[test]
    fn a_record_longer_than_the_output_is_removed_uncopied() {
        let mut ring = Ring::<16>::new();
        assert_eq!(ring.begin(6), Some(()));
        ring.append(&[7; 6]);
        let mut out = [0u8; 4];
        assert_eq!(ring.pop(&mut out), Some(Err(6)));
        assert_eq!(out, [0; 4]);
        assert!(ring.is_empty());
    }
}
