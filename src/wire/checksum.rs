//! The Internet checksum (RFC 1071), summed over data that arrives in pieces
//! of arbitrary length: a captured frame is a chain of network buffers, and
//! a piece may end in the middle of a 16-bit word.

use super::IpAddr;

/// A running one's-complement sum.
///
/// Pieces are added in order; an odd-length piece leaves its last byte
/// pending so the next piece continues the same 16-bit word.
#[derive(Clone, Copy, Debug, Default)]
pub struct Checksum {
    sum: u64,
    pending: Option<u8>,
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
        if let Some(high) = self.pending.take() {
            match data.split_first() {
                Some((&low, rest)) => {
                    self.sum += u64::from(u16::from_be_bytes([high, low]));
                    data = rest;
                }
                None => {
                    self.pending = Some(high);
                    return;
                }
            }
        }
        // Sum 32-bit words into a 64-bit accumulator: equivalent to the
        // 16-bit one's-complement sum once folded, and twice as fast.
        let mut words = data.chunks_exact(4);
        for word in &mut words {
            self.sum += u64::from(u32::from_be_bytes([word[0], word[1], word[2], word[3]]));
        }
        let rest = words.remainder();
        let mut pairs = rest.chunks_exact(2);
        for pair in &mut pairs {
            self.sum += u64::from(u16::from_be_bytes([pair[0], pair[1]]));
        }
        if let [last] = pairs.remainder() {
            self.pending = Some(*last);
        }
    }

    /// Adds one 16-bit word. Must only be called on an even boundary.
    pub fn add_u16(&mut self, value: u16) {
        debug_assert!(self.pending.is_none());
        self.sum += u64::from(value);
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
        self.sum += u64::from(length >> 16) + u64::from(length & 0xffff);
        self.sum += u64::from(protocol);
    }

    /// The folded 16-bit sum, not yet complemented.
    pub fn folded(self) -> u16 {
        let mut sum = self.sum;
        if let Some(high) = self.pending {
            sum += u64::from(high) << 8;
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        // The loop leaves at most 16 bits.
        sum as u16
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
mod tests {
    use super::*;

    /// Reference implementation: 16-bit words, byte by byte.
    fn reference(data: &[u8]) -> u16 {
        let mut sum: u32 = 0;
        for pair in data.chunks(2) {
            let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
            sum += u32::from(word);
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    #[test]
    fn rfc1071_example_sums_to_ddf2() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        let mut sum = Checksum::new();
        sum.add(&data);
        assert_eq!(sum.folded(), 0xddf2);
    }

    #[test]
    fn pieces_of_any_length_give_the_contiguous_sum() {
        let data: std::vec::Vec<u8> = (0..=255u8).cycle().take(1517).collect();
        let whole = of(&data);
        assert_eq!(whole, reference(&data));
        for split in [1usize, 2, 3, 5, 7, 128, 129, 1000] {
            let mut sum = Checksum::new();
            for piece in data.chunks(split) {
                sum.add(piece);
            }
            assert_eq!(sum.finish(), whole, "pieces of {split}");
        }
    }

    #[test]
    fn empty_pieces_keep_the_pending_byte() {
        let mut sum = Checksum::new();
        sum.add(&[0x12]);
        sum.add(&[]);
        sum.add(&[0x34]);
        assert_eq!(sum.finish(), reference(&[0x12, 0x34]));
    }

    #[test]
    fn udp_zero_checksum_is_sent_as_all_ones() {
        // A sum of 0xffff complements to zero.
        let mut sum = Checksum::new();
        sum.add(&[0xff, 0xff]);
        assert_eq!(sum.finish(), 0);
        assert_eq!(sum.finish_udp(), 0xffff);
    }

    proptest::proptest! {
        #[test]
        fn any_split_matches_reference(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
                                       cuts in proptest::collection::vec(0usize..600, 0..6)) {
            let mut sum = Checksum::new();
            let mut cuts = cuts;
            cuts.push(data.len());
            cuts.sort_unstable();
            let mut start = 0;
            for cut in cuts {
                let cut = cut.min(data.len());
                sum.add(&data[start..cut]);
                start = cut;
            }
            proptest::prop_assert_eq!(sum.finish(), reference(&data));
        }
    }
}
