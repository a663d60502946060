//! Reading a [`Payload`] piece by piece: its first bytes, its checksum, a
//! byte range copied into a packet.

use core::ops::Range;

use crate::errno::Result;
use crate::wire::checksum::Checksum;

use super::stack::{Packet, Payload};

/// Copies the first bytes of `payload` into `buf`; returns how many.
pub fn copy_head<P: Payload + ?Sized>(payload: &P, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    payload.for_each_chunk(&mut |chunk| {
        let take = chunk.len().min(buf.len() - filled);
        if let (Some(to), Some(from)) = (buf.get_mut(filled..filled + take), chunk.get(..take)) {
            to.copy_from_slice(from);
            filled += take;
        }
        filled < buf.len()
    });
    filled
}

/// Adds the first `len` bytes of `payload` to `sum`.
pub fn sum_prefix<P: Payload + ?Sized>(payload: &P, len: usize, sum: &mut Checksum) {
    let mut left = len;
    payload.for_each_chunk(&mut |chunk| {
        let take = chunk.len().min(left);
        sum.add(chunk.get(..take).unwrap_or(chunk));
        left -= take;
        left > 0
    });
}

/// Appends bytes `range` of `payload` to `packet`.
pub fn copy_range<P: Payload + ?Sized, K: Packet>(
    payload: &P,
    range: Range<usize>,
    packet: &mut K,
) -> Result<()> {
    let mut offset = 0;
    let mut result = Ok(());
    payload.for_each_chunk(&mut |chunk| {
        let chunk_end = offset + chunk.len();
        let start = range.start.max(offset);
        let end = range.end.min(chunk_end);
        if let Some(piece) = chunk.get(start.saturating_sub(offset)..end.saturating_sub(offset)) {
            if let Err(err) = packet.append(piece) {
                result = Err(err);
                return false;
            }
        }
        offset = chunk_end;
        offset < range.end
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    struct Chunks(Vec<Vec<u8>>);

    impl Payload for Chunks {
        fn len(&self) -> usize {
            self.0.iter().map(Vec::len).sum()
        }
        fn for_each_chunk(&self, f: &mut dyn FnMut(&[u8]) -> bool) {
            for chunk in &self.0 {
                if !f(chunk) {
                    break;
                }
            }
        }
    }

    impl Packet for Vec<u8> {
        fn append(&mut self, bytes: &[u8]) -> Result<()> {
            self.extend_from_slice(bytes);
            Ok(())
        }
    }

    fn chunks() -> Chunks {
        Chunks(std::vec![
            (0..5).collect(),
            Vec::new(),
            (5..128).collect(),
            (128..200).collect()
        ])
    }

    #[test]
    fn copy_range_crosses_chunk_boundaries() {
        let all: Vec<u8> = (0..200).collect();
        for (start, end) in [(0, 200), (3, 7), (5, 128), (127, 129), (150, 200), (10, 10)] {
            let mut out = Vec::new();
            copy_range(&chunks(), start..end, &mut out).unwrap();
            assert_eq!(out, &all[start..end]);
        }
    }

    #[test]
    fn head_and_prefix_sum_stop_where_asked() {
        let mut head = [0u8; 16];
        assert_eq!(copy_head(&chunks(), &mut head), 16);
        assert_eq!(head[15], 15);
        let mut big = [0u8; 300];
        assert_eq!(copy_head(&chunks(), &mut big), 200);
        let mut sum = Checksum::new();
        sum_prefix(&chunks(), 77, &mut sum);
        let all: Vec<u8> = (0..77).collect();
        assert_eq!(sum.finish(), crate::wire::checksum::of(&all));
    }
}
