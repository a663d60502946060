//! CRC-32 as IEEE 802.3 and zlib's `crc32` compute it: reflected,
//! polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
//!
//! Half a byte at a time with a 16-entry table (64 bytes of flash): the
//! device encodes off the network path, so a small table matters more than
//! the speed of a 1 KiB one, and it is still four times fewer steps than
//! the table-less bit loop.

/// `crc(n) = (n >> 4 rounds of the reflected polynomial)` for each nibble.
const NIBBLE: [u32; 16] = [
    0x0000_0000,
    0x1DB7_1064,
    0x3B6E_20C8,
    0x26D9_30AC,
    0x76DC_4190,
    0x6B6B_51F4,
    0x4DB2_6158,
    0x5005_713C,
    0xEDB8_8320,
    0xF00F_9344,
    0xD6D6_A3E8,
    0xCB61_B38C,
    0x9B64_C2B0,
    0x86D3_D2D4,
    0xA00A_E278,
    0xBDBD_F21C,
];

/// A CRC-32 over data that arrives in pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crc32 {
    state: u32,
}

impl Default for Crc32 {
    fn default() -> Self {
        Crc32::new()
    }
}

impl Crc32 {
    /// A CRC over no data yet.
    pub const fn new() -> Crc32 {
        Crc32 { state: !0 }
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) -> &mut Crc32 {
        let mut crc = self.state;
        for &byte in data {
            crc ^= u32::from(byte);
            crc = (crc >> 4) ^ nibble(crc);
            crc = (crc >> 4) ^ nibble(crc);
        }
        self.state = crc;
        self
    }

    /// The CRC of everything added so far.
    pub const fn finish(&self) -> u32 {
        !self.state
    }
}

#[inline(always)]
fn nibble(crc: u32) -> u32 {
    // The index is below 16, so the lookup always succeeds.
    NIBBLE.get((crc & 0xf) as usize).copied().unwrap_or(0)
}

/// The CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    Crc32::new().update(data).finish()
}
