//! The Internet checksum (RFC 1071), summed over data that arrives in pieces
//! of arbitrary length: a captured frame is a chain of network buffers, and
//! a piece may end in the middle of a 16-bit word.
//!
//! The sum is kept in native byte order and folded and swapped once at the
//! end (RFC 1071 section 2(B), byte-order independence), so the inner loop
//! adds whole native 64-bit words with end-around carry and never swaps
//! bytes: this loop runs over every captured byte.

use super::IpAddr;

/// A running one's-complement sum.
///
/// Pieces are added in order; an odd-length piece leaves its last byte
/// pending so the next piece continues the same 16-bit word.
#[derive(Clone, Copy, Debug, Default)]
pub struct Checksum {
    /// One's-complement sum of native-order words of the stream so far.
    sum: u64,
    /// The first byte of an unfinished 16-bit word.
    pending: Option<u8>,
}

/// One's-complement (end-around carry) addition.
#[inline(always)]
fn add_carry(sum: u64, word: u64) -> u64 {
    let (total, carry) = sum.overflowing_add(word);
    total + u64::from(carry)
}

impl Checksum {
    /// An empty sum.
    pub const fn new() -> Self {
        Checksum {
            sum: 0,
            pending: None,
        }
    }

    /// Adds the bytes of `data`, continuing any word left open by the
    /// previous piece.
    pub fn add(&mut self, mut data: &[u8]) {
        if let Some(first) = self.pending.take() {
            match data.split_first() {
                Some((&second, rest)) => {
                    self.sum = add_carry(self.sum, u64::from(u16::from_ne_bytes([first, second])));
                    data = rest;
                }
                None => {
                    self.pending = Some(first);
                    return;
                }
            }
        }
        let mut sum = self.sum;
        let mut blocks = data.chunks_exact(32);
        for block in &mut blocks {
            let mut words = block.chunks_exact(8);
            for word in &mut words {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(word);
                sum = add_carry(sum, u64::from_ne_bytes(bytes));
            }
        }
        let mut words = blocks.remainder().chunks_exact(8);
        for word in &mut words {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            sum = add_carry(sum, u64::from_ne_bytes(bytes));
        }
        let mut pairs = words.remainder().chunks_exact(2);
        for pair in &mut pairs {
            if let [high, low] = *pair {
                sum = add_carry(sum, u64::from(u16::from_ne_bytes([high, low])));
            }
        }
        if let [last] = pairs.remainder() {
            self.pending = Some(*last);
        }
        self.sum = sum;
    }

    /// Adds one 16-bit word given by its value (big-endian on the wire).
    /// Must only be called on an even boundary.
    pub fn add_u16(&mut self, value: u16) {
        debug_assert!(self.pending.is_none());
        self.sum = add_carry(self.sum, u64::from(u16::from_ne_bytes(value.to_be_bytes())));
    }

    /// Adds the pseudo-header of an upper-layer protocol (RFC 768 for IPv4,
    /// RFC 8200 section 8.1 for IPv6).
    pub fn add_pseudo_header(&mut self, src: &IpAddr, dst: &IpAddr, protocol: u8, length: u32) {
        match (src, dst) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => {
                self.add(&src.octets());
                self.add(&dst.octets());
            }
            (IpAddr::V6(src), IpAddr::V6(dst)) => {
                self.add(&src.octets());
                self.add(&dst.octets());
            }
            // Mixed families cannot form a pseudo-header; callers only build
            // datagrams whose endpoints share a family.
            _ => debug_assert!(false, "pseudo-header with mixed families"),
        }
        let [a, b, c, d] = length.to_be_bytes();
        self.add(&[a, b, c, d, 0, protocol]);
    }

    /// The folded 16-bit sum, not yet complemented, as a big-endian value.
    pub fn folded(self) -> u16 {
        let mut sum = self.sum;
        if let Some(first) = self.pending {
            sum = add_carry(sum, u64::from(u16::from_ne_bytes([first, 0])));
        }
        let [a, b, c, d, e, f, g, h] = sum.to_ne_bytes();
        let halves = [
            u32::from_ne_bytes([a, b, c, d]),
            u32::from_ne_bytes([e, f, g, h]),
        ];
        let mut folded = u64::from(halves[0]) + u64::from(halves[1]);
        while folded > 0xffff {
            folded = (folded & 0xffff) + (folded >> 16);
        }
        // The loop leaves at most 16 bits; in native order, then as the
        // big-endian value the header fields take.
        let native = u16::try_from(folded).unwrap_or(u16::MAX);
        u16::from_be_bytes(native.to_ne_bytes())
    }

    /// The checksum field value: the complement of the folded sum.
    pub fn finish(self) -> u16 {
        !self.folded()
    }

    /// The value for a UDP checksum field, where an all-zero result is sent
    /// as 0xffff because zero means "no checksum" (RFC 768).
    pub fn finish_udp(self) -> u16 {
        match self.finish() {
            0 => 0xffff,
            sum => sum,
        }
    }
}

/// The checksum of one contiguous buffer.
pub fn of(data: &[u8]) -> u16 {
    let mut sum = Checksum::new();
    sum.add(data);
    sum.finish()
}

#[cfg(test)]
mod tests;
