//! Properties: emit → encode → decode → parse gives every record back for
//! any split of the record and any chunking of the stream; the encoder
//! agrees with a textbook COBS encoder; and after any damage, everything
//! after the next intact delimiter decodes.

use std::vec;
use std::vec::Vec;

use proptest::prelude::*;
use proptest::sample::Index;

use super::tests::{decode_in, encode, Got};
use super::*;

/// A record as the test built it, to compare with what parsing gives.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Built {
    Packet(PacketRepr, Vec<u8>),
    Stats(StatsRepr),
    Hello(u32, u64, u32, Vec<u8>),
}

impl Built {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Built::Packet(repr, data) => {
                let mut record = vec![0u8; PACKET_HEADER_LEN];
                repr.emit(&mut record).unwrap();
                record.extend_from_slice(data);
                record
            }
            Built::Stats(repr) => {
                let mut record = vec![0u8; StatsRepr::LEN];
                repr.emit(&mut record).unwrap();
                record
            }
            Built::Hello(sequence, timestamp_ns, ring_capacity, text) => {
                let repr = HelloRepr {
                    sequence: *sequence,
                    timestamp_ns: *timestamp_ns,
                    ring_capacity: *ring_capacity,
                    text,
                };
                let mut record = vec![0u8; repr.buffer_len()];
                repr.emit(&mut record).unwrap();
                record
            }
        }
    }

    fn matches(&self, parsed: &Repr<'_>) -> bool {
        match (self, parsed) {
            (
                Built::Packet(repr, data),
                Repr::Packet {
                    repr: got,
                    captured,
                },
            ) => repr == got && data[..] == captured[..],
            (Built::Stats(repr), Repr::Stats(got)) => repr == got,
            (Built::Hello(sequence, timestamp_ns, ring_capacity, text), Repr::Hello(got)) => {
                got.sequence == *sequence
                    && got.timestamp_ns == *timestamp_ns
                    && got.ring_capacity == *ring_capacity
                    && got.text == &text[..]
            }
            _ => false,
        }
    }
}

/// Bytes with the runs COBS cares about: random (long zero-free runs),
/// mostly zeros, or a long zero-free run.
fn data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..1200),
        proptest::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..300),
        (1usize..800, 1u8..=255).prop_map(|(len, byte)| vec![byte; len]),
    ]
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::Unknown),
        Just(Direction::Inbound),
        Just(Direction::Outbound)
    ]
}

fn record() -> impl Strategy<Value = Built> {
    let packet = (
        (any::<u8>(), direction(), any::<u32>(), any::<u64>()),
        (any::<u16>(), any::<u16>(), 0u32..100_000, any::<u32>()),
        data(),
    )
        .prop_map(
            |((device, direction, sequence, timestamp_ns), fields, data)| {
                let (link_type, ifindex, extra, lost) = fields;
                let repr = PacketRepr {
                    device,
                    direction,
                    sequence,
                    timestamp_ns,
                    link_type,
                    ifindex,
                    orig_len: data.len() as u32 + extra,
                    lost,
                };
                Built::Packet(repr, data)
            },
        );
    let stats = (any::<u32>(), any::<u64>(), any::<[u32; 4]>()).prop_map(|(sequence, ts, c)| {
        Built::Stats(StatsRepr {
            sequence,
            timestamp_ns: ts,
            sent: c[0],
            lost_full: c[1],
            lost_too_big: c[2],
            lost_other: c[3],
        })
    });
    let hello = (any::<u32>(), any::<u64>(), any::<u32>(), ".{0,40}")
        .prop_map(|(sequence, ts, ring, text)| Built::Hello(sequence, ts, ring, text.into_bytes()));
    prop_oneof![3 => packet, 1 => stats, 1 => hello]
}

/// COBS as textbooks write it: reserve a code byte, copy non-zero bytes,
/// close the block at a zero or after 254 bytes.
fn textbook_cobs(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8];
    let mut code_at = 0;
    let mut code = 1u8;
    for (i, &byte) in data.iter().enumerate() {
        if byte == 0 {
            out[code_at] = code;
            code_at = out.len();
            out.push(0);
            code = 1;
        } else {
            out.push(byte);
            code += 1;
            if code == 0xff && i + 1 < data.len() {
                out[code_at] = code;
                code_at = out.len();
                out.push(0);
                code = 1;
            }
        }
    }
    out[code_at] = code;
    out
}

/// How a stream gets damaged.
#[derive(Clone, Debug)]
enum Damage {
    Flip(u8),
    Drop(usize),
    Insert(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (1u8..=255).prop_map(Damage::Flip),
        (1usize..200).prop_map(Damage::Drop),
        proptest::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 1..40)
            .prop_map(Damage::Insert),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn records_survive_any_split_and_any_chunking(
        records in proptest::collection::vec(record(), 1..6),
        splits in proptest::collection::vec(any::<Index>(), 6),
        fill in 1usize..400,
        chunks in proptest::collection::vec(0usize..700, 1..8),
    ) {
        let mut stream = vec![RESYNC];
        let mut expected = Vec::new();
        for (built, split) in records.iter().zip(&splits) {
            let bytes = built.bytes();
            let at = split.index(bytes.len() + 1);
            let frame = encode(&bytes[..at], &bytes[at..], fill);
            prop_assert!(frame.len() <= max_frame_len(bytes.len()));
            prop_assert_eq!(frame.iter().position(|b| *b == 0), Some(frame.len() - 1));
            stream.extend_from_slice(&frame);
            expected.push(Got::Record(bytes));
        }
        let got = decode_in(&stream, &chunks);
        prop_assert_eq!(&got, &expected);
        for (built, got) in records.iter().zip(&got) {
            let Got::Record(bytes) = got else { unreachable!() };
            let parsed = Repr::parse(bytes).unwrap();
            prop_assert!(built.matches(&parsed), "{:?} parsed as {:?}", built, parsed);
        }
    }

    #[test]
    fn encoder_agrees_with_textbook_cobs(first in data(), second in data(), fill in 1usize..300) {
        let mut whole = first.clone();
        whole.extend_from_slice(&second);
        whole.extend_from_slice(&crc32(&whole).to_be_bytes());
        let mut expected = textbook_cobs(&whole);
        expected.push(0);
        prop_assert_eq!(encode(&first, &second, fill), expected);
    }

    #[test]
    fn after_damage_everything_past_the_next_delimiter_decodes(
        records in proptest::collection::vec(record(), 2..6),
        damage in damage(),
        at in any::<Index>(),
        chunks in proptest::collection::vec(1usize..300, 1..4),
    ) {
        let frames: Vec<Vec<u8>> = records.iter().map(|b| encode(&b.bytes(), &[], 512)).collect();
        let mut stream = vec![RESYNC];
        let mut starts = Vec::new();
        for frame in &frames {
            starts.push(stream.len());
            stream.extend_from_slice(frame);
        }
        let at = at.index(stream.len());
        // Where the damage ends in the damaged stream and in the original
        // one, and how far the bytes after it moved.
        let (end, original_end, shift): (usize, usize, isize) = match &damage {
            Damage::Flip(mask) => {
                stream[at] ^= mask;
                (at + 1, at + 1, 0)
            }
            Damage::Drop(len) => {
                let len = (*len).min(stream.len() - at);
                stream.drain(at..at + len);
                (at, at + len, -(len as isize))
            }
            Damage::Insert(bytes) => {
                stream.splice(at..at, bytes.iter().copied());
                (at + bytes.len(), at, bytes.len() as isize)
            }
        };
        let Some(delimiter) = stream.iter().skip(end).position(|b| *b == 0).map(|p| p + end) else {
            return Ok(());
        };
        let intact: Vec<Got> = records
            .iter()
            .zip(&starts)
            .filter(|(_, start)| {
                **start >= original_end && (**start as isize + shift) as usize > delimiter
            })
            .map(|(built, _)| Got::Record(built.bytes()))
            .collect();
        let got = decode_in(&stream, &chunks);
        prop_assert!(got.len() >= intact.len(), "{:?}", got);
        prop_assert_eq!(&got[got.len() - intact.len()..], &intact[..]);
    }
}
