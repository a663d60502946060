//! Reassembly of inner IP fragments (the device splits oversize capture
//! datagrams, RFC 791 / RFC 8200 section 4.5) for the tunnel-less and
//! offline inputs, where no kernel does it for us.
//!
//! Memory is bounded: at most `MAX_PARTIALS` datagrams in progress, each at
//! most 64 KiB; a datagram not complete within `TIMEOUT_NS` of its first
//! fragment is dropped. Every drop is counted, never silent.

use std::collections::HashMap;
use std::net::IpAddr;

/// Datagrams reassembled at once; the oldest is dropped to make room.
pub const MAX_PARTIALS: usize = 64;
/// How long a datagram may take to complete (capture time, not wall time,
/// so offline files behave like live capture).
pub const TIMEOUT_NS: u64 = 10_000_000_000;
/// Longest reassembled payload: IP lengths are 16 bits.
const MAX_LEN: usize = 65_535;

/// What identifies the fragments of one inner packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FragmentKey {
    /// Inner source (the device).
    pub src: IpAddr,
    /// Inner destination.
    pub dst: IpAddr,
    /// IP identification (16 bits for IPv4, 32 for IPv6).
    pub ident: u32,
}

/// One fragment's place in its packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// Offset of `data` in the fragmentable part, in bytes.
    pub offset: usize,
    /// Whether more fragments follow this one.
    pub more: bool,
    /// The fragment's share of the fragmentable part.
    pub data: &'a [u8],
}

/// Counts of datagrams that could not be reassembled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// Not complete within the timeout.
    pub timed_out: u64,
    /// Dropped to make room for a newer datagram.
    pub evicted: u64,
    /// Overlapping, misaligned, inconsistent or oversize fragments.
    pub invalid: u64,
}

impl Failures {
    /// All failures.
    pub fn total(&self) -> u64 {
        self.timed_out + self.evicted + self.invalid
    }
}

struct Partial {
    first_seen_ns: u64,
    data: Vec<u8>,
    /// Received byte ranges, not overlapping.
    ranges: Vec<(usize, usize)>,
    /// Length of the fragmentable part, once the last fragment arrived.
    total: Option<usize>,
}

impl Partial {
    fn received(&self) -> usize {
        self.ranges.iter().map(|(start, end)| end - start).sum()
    }

    /// Stores a fragment; `Err` means the datagram is invalid.
    fn add(&mut self, fragment: &Fragment<'_>) -> Result<(), ()> {
        let start = fragment.offset;
        let end = start.checked_add(fragment.data.len()).ok_or(())?;
        let misaligned = fragment.more && !fragment.data.len().is_multiple_of(8);
        let overlaps = self.ranges.iter().any(|&(s, e)| start < e && s < end);
        let beyond_total = self.total.is_some_and(|total| end > total);
        let early_end =
            !fragment.more && (self.total.is_some() || self.ranges.iter().any(|&(_, e)| e > end));
        if end > MAX_LEN || misaligned || overlaps || beyond_total || early_end {
            return Err(());
        }
        if self.data.len() < end {
            self.data.resize(end, 0);
        }
        let slot = self.data.get_mut(start..end).ok_or(())?;
        slot.copy_from_slice(fragment.data);
        self.ranges.push((start, end));
        if !fragment.more {
            self.total = Some(end);
        }
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.total.is_some_and(|total| self.received() == total)
    }
}

/// Reassembles fragments of many packets at once.
#[derive(Default)]
pub struct Reassembler {
    partials: HashMap<FragmentKey, Partial>,
    failures: Failures,
    completed: u64,
}

impl Reassembler {
    /// An empty reassembler.
    pub fn new() -> Reassembler {
        Reassembler::default()
    }

    /// What could not be reassembled so far.
    pub fn failures(&self) -> Failures {
        self.failures
    }

    /// How many packets were reassembled.
    pub fn completed(&self) -> u64 {
        self.completed
    }

    /// Datagrams still waiting for fragments.
    #[cfg(test)]
    pub fn pending(&self) -> usize {
        self.partials.len()
    }

    /// Adds a fragment seen at `now_ns`; returns the fragmentable part of
    /// the packet when this fragment completes it.
    pub fn add(
        &mut self,
        key: FragmentKey,
        now_ns: u64,
        fragment: Fragment<'_>,
    ) -> Option<Vec<u8>> {
        self.expire(now_ns);
        if !self.partials.contains_key(&key) && self.partials.len() >= MAX_PARTIALS {
            self.evict_oldest();
        }
        let partial = self.partials.entry(key).or_insert_with(|| Partial {
            first_seen_ns: now_ns,
            data: Vec::new(),
            ranges: Vec::new(),
            total: None,
        });
        if partial.add(&fragment).is_err() {
            self.partials.remove(&key);
            self.failures.invalid += 1;
            return None;
        }
        if !partial.is_complete() {
            return None;
        }
        self.completed += 1;
        self.partials.remove(&key).map(|partial| partial.data)
    }

    /// Drops datagrams older than the timeout; called on every fragment and
    /// when the input is idle.
    pub fn expire(&mut self, now_ns: u64) {
        let before = self.partials.len();
        self.partials
            .retain(|_, partial| now_ns.saturating_sub(partial.first_seen_ns) <= TIMEOUT_NS);
        self.failures.timed_out += (before - self.partials.len()) as u64;
    }

    /// Counts what is still incomplete at the end of the input as timed out.
    pub fn finish(&mut self) {
        self.failures.timed_out += self.partials.len() as u64;
        self.partials.clear();
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .partials
            .iter()
            .min_by_key(|(_, partial)| partial.first_seen_ns)
            .map(|(key, _)| *key);
        if let Some(key) = oldest {
            self.partials.remove(&key);
            self.failures.evicted += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ident: u32) -> FragmentKey {
        FragmentKey {
            src: "2001:db8:200::1".parse().unwrap(),
            dst: "2001:db8:200::2".parse().unwrap(),
            ident,
        }
    }

    fn frag(offset: usize, more: bool, data: &[u8]) -> Fragment<'_> {
        Fragment { offset, more, data }
    }

    #[test]
    fn out_of_order_fragments_reassemble() {
        let payload: Vec<u8> = (0..40u8).collect();
        let mut reassembler = Reassembler::new();
        assert_eq!(
            reassembler.add(key(1), 0, frag(32, false, &payload[32..])),
            None
        );
        assert_eq!(
            reassembler.add(key(1), 1, frag(0, true, &payload[..16])),
            None
        );
        let done = reassembler.add(key(1), 2, frag(16, true, &payload[16..32]));
        assert_eq!(done, Some(payload));
        assert_eq!(reassembler.pending(), 0);
        assert_eq!(reassembler.completed(), 1);
    }

    #[test]
    fn overlapping_or_misaligned_fragments_are_invalid() {
        let mut reassembler = Reassembler::new();
        reassembler.add(key(1), 0, frag(0, true, &[0; 16]));
        reassembler.add(key(1), 0, frag(8, false, &[0; 16]));
        reassembler.add(key(2), 0, frag(0, true, &[0; 12]));
        reassembler.add(key(3), 0, frag(65_528, false, &[0; 16]));
        assert_eq!(reassembler.failures().invalid, 3);
        assert_eq!(reassembler.pending(), 0);
    }

    #[test]
    fn stale_datagrams_time_out_and_the_oldest_is_evicted_when_full() {
        let mut reassembler = Reassembler::new();
        reassembler.add(key(0), 0, frag(0, true, &[0; 8]));
        reassembler.add(key(1), TIMEOUT_NS + 1, frag(0, true, &[0; 8]));
        assert_eq!(reassembler.failures().timed_out, 1);
        for ident in 2..(MAX_PARTIALS as u32 + 2) {
            reassembler.add(key(ident), TIMEOUT_NS + 2, frag(0, true, &[0; 8]));
        }
        assert_eq!(reassembler.pending(), MAX_PARTIALS);
        assert_eq!(reassembler.failures().evicted, 1);
        reassembler.finish();
        assert_eq!(reassembler.failures().timed_out, 1 + MAX_PARTIALS as u64);
    }
}
