//! The device side: a record, read in place, becomes a complete frame
//! `COBS(record ‖ CRC) 0x00`, a few bytes at a time.
//!
//! COBS cuts the data at its zero bytes into runs; each run becomes a code
//! byte (run length + 1) and the run's bytes, and the zero after it is
//! implied. A run longer than 254 bytes is cut into blocks of 254 with code
//! 0xFF, which implies no zero. The zero that would follow the last run is
//! not sent. Since a code byte must be written before its run, the encoder
//! looks ahead in the record for the next zero (at most 254 bytes) instead
//! of buffering the run.

use super::crc::Crc32;
use super::CRC_LEN;

/// The longest run of non-zero bytes one code byte covers.
const MAX_RUN: usize = 254;

/// The longest frame (delimiter included) a record of `record_len` bytes
/// can become: one code byte per 254 bytes of record and CRC, plus the
/// first code byte and the delimiter.
pub const fn max_frame_len(record_len: usize) -> usize {
    let data = record_len.saturating_add(CRC_LEN);
    data.saturating_add(data / MAX_RUN).saturating_add(2)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Next: the code byte of the run starting at `pos`.
    Code,
    /// Next: the run's bytes up to `end`, then whatever follows the run.
    Run,
    /// Next: the delimiter.
    Delimiter,
    /// The frame is complete.
    Done,
}

/// Frames one record, stored as `first ‖ second` (the two pieces of a ring
/// buffer that wrapped; `second` is empty otherwise). The CRC is computed
/// when the encoder is made; then [`FrameEncoder::fill`] hands out the
/// frame in pieces of any size.
#[derive(Clone, Debug)]
pub struct FrameEncoder<'a> {
    first: &'a [u8],
    second: &'a [u8],
    crc: [u8; CRC_LEN],
    /// Input position of the next byte to send.
    pos: usize,
    /// Input position where the current run ends.
    end: usize,
    /// The current run fills its block (code 0xFF): no zero follows it.
    full: bool,
    step: Step,
}

impl<'a> FrameEncoder<'a> {
    /// An encoder for the record `first ‖ second`.
    pub fn new(first: &'a [u8], second: &'a [u8]) -> FrameEncoder<'a> {
        let crc = Crc32::new().update(first).update(second).finish();
        FrameEncoder {
            first,
            second,
            crc: crc.to_be_bytes(),
            pos: 0,
            end: 0,
            full: false,
            step: Step::Code,
        }
    }

    /// Writes the next bytes of the frame into `out`, as many as fit, and
    /// returns how many; 0 once the frame (delimiter included) is complete.
    pub fn fill(&mut self, out: &mut [u8]) -> usize {
        let mut written: usize = 0;
        for slot in out.iter_mut() {
            match self.next_byte() {
                Some(byte) => {
                    *slot = byte;
                    written = written.saturating_add(1);
                }
                None => break,
            }
        }
        written
    }

    /// Whether the whole frame has been handed out.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// Byte `at` of `record ‖ CRC`, or `None` past its end.
    fn input(&self, at: usize) -> Option<u8> {
        if let Some(byte) = self.first.get(at) {
            return Some(*byte);
        }
        let at = at.checked_sub(self.first.len())?;
        if let Some(byte) = self.second.get(at) {
            return Some(*byte);
        }
        self.crc.get(at.checked_sub(self.second.len())?).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        loop {
            match self.step {
                Step::Code => {
                    let mut run: usize = 0;
                    while run < MAX_RUN {
                        match self.input(self.pos.saturating_add(run)) {
                            Some(byte) if byte != 0 => run = run.saturating_add(1),
                            _ => break,
                        }
                    }
                    self.end = self.pos.saturating_add(run);
                    self.full = run == MAX_RUN;
                    self.step = Step::Run;
                    // run <= 254, so the code is at most 0xFF.
                    return Some(u8::try_from(run).map_or(0xff, |run| run.saturating_add(1)));
                }
                Step::Run if self.pos < self.end => {
                    let byte = self.input(self.pos);
                    self.pos = self.pos.saturating_add(1);
                    return byte;
                }
                Step::Run => {
                    self.step = match self.input(self.pos) {
                        // The zero that ended the run is implied by its code.
                        Some(0) if !self.full => {
                            self.pos = self.pos.saturating_add(1);
                            Step::Code
                        }
                        Some(_) => Step::Code,
                        None => Step::Delimiter,
                    };
                }
                Step::Delimiter => {
                    self.step = Step::Done;
                    return Some(super::RESYNC);
                }
                Step::Done => return None,
            }
        }
    }
}
