//! zcap's serial stream receiver (`stream`, compiled from zcap's sources,
//! see `lib.rs`) on arbitrary byte streams cut into arbitrary pieces.
//!
//! The first input byte picks the mode and seeds the chunking. Even: the
//! rest is the stream as it came off the line. Odd: the rest is a list of
//! operations (`op`, `len`, `len` bytes) that build a stream: records with
//! a correct CRC (so the fuzzer need not find CRCs to reach record
//! parsing, sequence accounting and the clock), line noise, damaged
//! frames and delimiters.

use zephyr_net_capture::wire::stream::{
    max_frame_len, Event, FrameEncoder, Repr, StreamDecoder, CRC_LEN, MAX_CAPTURED_LEN,
    MAX_FRAME_DATA_LEN, RESYNC, VERSION,
};

use crate::stream::{Item, Receiver};

/// Host time of the first piece, and how far it moves per byte.
const HOST_START_NS: u64 = 1_700_000_000_000_000_000;
const HOST_NS_PER_BYTE: u64 = 87_000;

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        run(&build(rest), mode);
    } else {
        run(rest, mode);
    }
}

/// A small deterministic generator for piece sizes.
struct Pieces(u32);

impl Pieces {
    fn next(&mut self, left: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        // Mostly small pieces, as a UART delivers them; sometimes large.
        let size = match self.0 % 8 {
            0 => 4096,
            1 => 1,
            _ => (self.0 >> 8) as usize % 64 + 1,
        };
        size.min(left)
    }
}

/// The frame of `record`, cut where a ring could have wrapped it.
pub fn frame(record: &[u8], split: usize) -> Vec<u8> {
    let (first, second) = record.split_at(split.min(record.len()));
    let mut out = vec![0u8; max_frame_len(record.len())];
    let len = FrameEncoder::new(first, second).fill(&mut out);
    assert!(len <= out.len());
    out.truncate(len);
    out
}

/// The stream the operations in `ops` describe.
fn build(mut ops: &[u8]) -> Vec<u8> {
    let mut stream = vec![RESYNC];
    while let [op, len, rest @ ..] = ops {
        let (body, next) = rest.split_at(usize::from(*len).min(rest.len()));
        ops = next;
        let split = usize::from(op >> 4);
        match op & 7 {
            // A record of kind 1 (packet), 2 (stats) or 3 (hello), version 1.
            kind @ 1..=3 => {
                let mut record = vec![kind, VERSION];
                record.extend_from_slice(body);
                stream.extend(frame(&record, split));
            }
            // The body as a whole record (any kind and version).
            4 => stream.extend(frame(body, split)),
            // Line noise.
            5 => stream.extend_from_slice(body),
            // A frame damaged on the line.
            6 => {
                let mut damaged = frame(body, 0);
                let at = split % damaged.len().max(1);
                if let Some(byte) = damaged.get_mut(at) {
                    *byte ^= 1 << (op >> 5);
                }
                stream.extend(damaged);
            }
            _ => stream.push(RESYNC),
        }
    }
    stream
}

/// Feeds `stream` to zcap's receiver and, alongside, to the library's
/// decoder, in the same pieces, and compares what they saw.
fn run(stream: &[u8], seed: u8) {
    let mut receiver = Receiver::new();
    let mut decoder = StreamDecoder::new(vec![0u8; MAX_FRAME_DATA_LEN]);
    let mut pieces = Pieces(u32::from(seed) | 0x100);
    let mut host_ns = HOST_START_NS;
    let mut items = Vec::new();
    let mut packets = 0u64;
    let mut restarts = 0u64;
    let mut device_drops = 0u64;
    let mut line_drops = 0u64;
    let mut corrupt = 0u64;
    let mut expected_packets = 0u64;
    let mut expected_corrupt = 0u64;
    let mut rest = stream;
    while !rest.is_empty() {
        let (piece, next) = rest.split_at(pieces.next(rest.len()));
        rest = next;
        receiver.push(piece, host_ns, &mut items);
        // Bounded output: one record takes at least one byte, and a
        // packet that reveals a restart gives two items.
        assert!(items.len() <= 2 * piece.len() + 1);
        for item in items.drain(..) {
            match item {
                Item::Packet(packet) => {
                    packets += 1;
                    assert!(packet.data.len() <= MAX_CAPTURED_LEN);
                    assert!(packet.data.len() as u64 <= u64::from(packet.orig_len));
                    assert!(packet.device_drops + packet.line_drops < 1 << 32);
                    device_drops += packet.device_drops;
                    line_drops += packet.line_drops;
                }
                Item::Restart => restarts += 1,
                Item::Corrupt { len, what } => {
                    corrupt += 1;
                    assert!(len > 0 && !what.is_empty());
                }
                Item::Malformed { what } => assert!(!what.is_empty()),
                Item::Hello { .. }
                | Item::Stats(_)
                | Item::Unknown { .. }
                | Item::Skipped { .. } => {}
            }
        }
        let mut input = piece;
        while let Some(event) = decoder.decode(&mut input) {
            match event {
                Event::Record(record) => {
                    if let Ok(Repr::Packet { .. }) = Repr::parse(record) {
                        expected_packets += 1;
                    }
                    round_trip(record, piece.len());
                }
                Event::Corrupt { .. } => expected_corrupt += 1,
                Event::Skipped { .. } => {}
            }
        }
        host_ns += piece.len() as u64 * HOST_NS_PER_BYTE;
    }
    assert_eq!(receiver.buffer_capacity(), MAX_FRAME_DATA_LEN, "no growth");
    assert_eq!(decoder.capacity(), MAX_FRAME_DATA_LEN, "no growth");
    let counters = receiver.counters();
    assert_eq!(packets, expected_packets);
    assert_eq!(packets, counters.packets);
    assert_eq!(corrupt, expected_corrupt);
    assert_eq!(corrupt, counters.corrupt_total());
    assert!(restarts <= counters.restarts);
    assert_eq!(device_drops, counters.device_drops);
    assert_eq!(line_drops, counters.line_drops);
    assert!(
        counters.records + counters.malformed + counters.corrupt_total() <= stream.len() as u64
    );
    if let Some(drift) = receiver.drift() {
        assert!(drift.ppm.is_finite());
    }
}

/// A record the decoder accepted, framed again (cut anywhere), decodes to
/// itself.
fn round_trip(record: &[u8], split: usize) {
    let mut again = vec![RESYNC];
    again.extend(frame(record, split % (record.len() + 1)));
    // A buffer just big enough: the decoder takes any size.
    let mut decoder = StreamDecoder::new(vec![0u8; record.len() + CRC_LEN]);
    let mut input = &again[..];
    match decoder.decode(&mut input) {
        Some(Event::Record(decoded)) => assert_eq!(decoded, record, "record round trip"),
        other => panic!("re-encoded record decoded as {other:?}"),
    }
    assert!(input.is_empty());
}
