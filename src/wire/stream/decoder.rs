//! The host side: bytes as they arrive, in chunks of any size, become
//! checked records; damaged frames are reported and skipped.
//!
//! COBS is undone as the bytes arrive, so the buffer holds decoded data
//! only; a frame that would not fit is refused and the rest of it skipped
//! without storing it. The buffer is the caller's (a `Vec` on a host, a
//! static array elsewhere): nothing here allocates.

use super::crc::crc32;
use super::{CRC_LEN, HEADER_LEN, MAX_FRAME_DATA_LEN, RESYNC};

/// Why a frame was discarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Corruption {
    /// A delimiter arrived inside a COBS run.
    Cobs,
    /// The CRC does not match the record.
    Crc,
    /// The frame is longer than the longest record allowed (or than the
    /// decoder's buffer).
    TooLong,
    /// The frame is shorter than a record header and its CRC.
    TooShort,
}

impl Corruption {
    /// A few words for people.
    pub const fn describe(self) -> &'static str {
        match self {
            Corruption::Cobs => "broken byte stuffing",
            Corruption::Crc => "CRC mismatch",
            Corruption::TooLong => "longer than any record",
            Corruption::TooShort => "shorter than any record",
        }
    }
}

/// What the decoder found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A record whose CRC matched (without the CRC), at least
    /// [`HEADER_LEN`] bytes long; read it with [`super::Repr::parse`].
    Record(&'a [u8]),
    /// A damaged frame of `len` bytes (as received, without its delimiter).
    Corrupt {
        /// Bytes of the frame.
        len: usize,
        /// What was wrong with it.
        reason: Corruption,
    },
    /// `len` bytes before the first delimiter, which belong to a frame whose
    /// start was missed (the receiver started in the middle of a stream).
    Skipped {
        /// Bytes skipped.
        len: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for the first delimiter.
    Hunting,
    /// Skipping the rest of a frame already known to be bad.
    Discarding(Corruption),
    /// Next: a code byte (or the delimiter).
    Code,
    /// Next: `remaining` bytes of a run.
    Run { remaining: u8 },
}

/// What one byte did.
enum Step {
    Nothing,
    Record(usize),
    Corrupt(usize, Corruption),
    Skipped(usize),
}

/// Turns a byte stream into records. `B` is the buffer for one decoded
/// frame; with fewer than [`MAX_FRAME_DATA_LEN`] bytes, longer records are
/// refused as [`Corruption::TooLong`].
#[derive(Clone, Debug)]
pub struct StreamDecoder<B> {
    buf: B,
    /// Decoded bytes of the current frame.
    len: usize,
    /// Received bytes of the current frame.
    raw: usize,
    /// The last run filled its block (code 0xFF): no zero follows it.
    full: bool,
    /// A run ended; its implied zero is stored if another run follows.
    zero_pending: bool,
    state: State,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> StreamDecoder<B> {
    /// A decoder that first skips to the next delimiter.
    pub fn new(buf: B) -> StreamDecoder<B> {
        StreamDecoder {
            buf,
            len: 0,
            raw: 0,
            full: false,
            zero_pending: false,
            state: State::Hunting,
        }
    }

    /// Forgets the frame in progress and skips to the next delimiter, e.g.
    /// after the transport was reopened. Returns the bytes forgotten.
    pub fn reset(&mut self) -> usize {
        let forgotten = match self.state {
            State::Hunting => 0,
            _ => self.raw,
        };
        self.start_frame();
        self.state = State::Hunting;
        forgotten
    }

    /// The size of the buffer (which never grows).
    pub fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    /// Consumes bytes from the front of `input` up to and including the
    /// next event, and returns it; `None` once `input` is used up.
    pub fn decode<'s>(&'s mut self, input: &mut &[u8]) -> Option<Event<'s>> {
        while let Some((&byte, rest)) = input.split_first() {
            *input = rest;
            match self.step(byte) {
                Step::Nothing => {}
                Step::Record(len) => {
                    return Some(Event::Record(self.buf.as_ref().get(..len).unwrap_or(&[])))
                }
                Step::Corrupt(len, reason) => return Some(Event::Corrupt { len, reason }),
                Step::Skipped(len) => return Some(Event::Skipped { len }),
            }
        }
        None
    }

    /// Decodes all of `input`, handing each event to `on_event`.
    pub fn push(&mut self, mut input: &[u8], mut on_event: impl FnMut(Event<'_>)) {
        while let Some(event) = self.decode(&mut input) {
            on_event(event);
        }
    }

    fn start_frame(&mut self) {
        self.len = 0;
        self.raw = 0;
        self.full = false;
        self.zero_pending = false;
        self.state = State::Code;
    }

    fn step(&mut self, byte: u8) -> Step {
        if byte == RESYNC {
            let raw = self.raw;
            let step = match self.state {
                State::Hunting if raw == 0 => Step::Nothing,
                State::Hunting => Step::Skipped(raw),
                State::Discarding(reason) => Step::Corrupt(raw, reason),
                State::Run { .. } => Step::Corrupt(raw, Corruption::Cobs),
                State::Code => self.finish(),
            };
            self.start_frame();
            return step;
        }
        self.raw = self.raw.saturating_add(1);
        match self.state {
            State::Hunting | State::Discarding(_) => {}
            State::Code => {
                if self.zero_pending {
                    self.store(0);
                }
                self.full = byte == 0xff;
                self.run_started(byte.saturating_sub(1));
            }
            State::Run { remaining } => {
                self.store(byte);
                self.run_started(remaining.saturating_sub(1));
            }
        }
        Step::Nothing
    }

    /// Continues a run with `remaining` bytes to come (unless a byte could
    /// not be stored and the frame is being discarded).
    fn run_started(&mut self, remaining: u8) {
        if matches!(self.state, State::Discarding(_)) {
            return;
        }
        if remaining == 0 {
            self.zero_pending = !self.full;
            self.state = State::Code;
        } else {
            self.state = State::Run { remaining };
        }
    }

    fn store(&mut self, byte: u8) {
        let limit = MAX_FRAME_DATA_LEN.min(self.buf.as_ref().len());
        match self.buf.as_mut().get_mut(self.len) {
            Some(slot) if self.len < limit => {
                *slot = byte;
                self.len = self.len.saturating_add(1);
            }
            _ => self.state = State::Discarding(Corruption::TooLong),
        }
    }

    /// The delimiter ended a frame between runs: check it. The zero implied
    /// after the last run is not part of the data.
    fn finish(&mut self) -> Step {
        if self.raw == 0 {
            // Two delimiters in a row (the device's resync): no frame.
            return Step::Nothing;
        }
        let Some(record_len) = self.len.checked_sub(CRC_LEN) else {
            return Step::Corrupt(self.raw, Corruption::TooShort);
        };
        if record_len < HEADER_LEN {
            return Step::Corrupt(self.raw, Corruption::TooShort);
        }
        let data = self.buf.as_ref();
        let record = data.get(..record_len).unwrap_or(&[]);
        let sent = data
            .get(record_len..self.len)
            .and_then(|crc| <[u8; CRC_LEN]>::try_from(crc).ok())
            .map(u32::from_be_bytes);
        if sent == Some(crc32(record)) {
            Step::Record(record_len)
        } else {
            Step::Corrupt(self.raw, Corruption::Crc)
        }
    }
}
