//! Golden bytes (computed with Python's `zlib.crc32` and a COBS encoder
//! written separately, see `docs/stream-format.md`), record parsing, and
//! recovery from damaged streams.

use std::vec;
use std::vec::Vec;

use super::*;
use crate::wire::Error;

/// A packet record: NET_CAPTURE0, outbound, sequence 7, 1.000000123 s,
/// Ethernet, interface 1, 60 bytes on the wire, 2 lost, 4 bytes captured.
pub(super) const PACKET_RECORD: [u8; 32] = [
    0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x7b,
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x02, 0x00, 0xff, 0x11, 0x00,
];
pub(super) const PACKET_FRAME: [u8; 38] = [
    0x03, 0x01, 0x01, 0x02, 0x02, 0x01, 0x01, 0x02, 0x07, 0x01, 0x01, 0x01, 0x05, 0x3b, 0x9a, 0xca,
    0x7b, 0x02, 0x01, 0x02, 0x01, 0x01, 0x01, 0x02, 0x3c, 0x01, 0x01, 0x02, 0x02, 0x03, 0xff, 0x11,
    0x05, 0x3e, 0xd2, 0x92, 0x7f, 0x00,
];

/// Stats: next sequence 8, 2 s, sent 7, lost_full 2, lost_too_big 0,
/// lost_other 1.
pub(super) const STATS_FRAME: [u8; 38] = [
    0x04, 0x02, 0x01, 0xff, 0x01, 0x01, 0x01, 0x02, 0x08, 0x01, 0x01, 0x01, 0x04, 0x77, 0x35, 0x94,
    0x01, 0x01, 0x01, 0x02, 0x07, 0x01, 0x01, 0x02, 0x02, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x06,
    0x01, 0xbc, 0x29, 0x84, 0xe2, 0x00,
];

/// Hello: next sequence 0, 5 µs, ring of 4096 bytes, "Zephyr".
pub(super) const HELLO_FRAME: [u8; 32] = [
    0x04, 0x03, 0x01, 0xff, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x03, 0x13,
    0x88, 0x01, 0x02, 0x10, 0x0b, 0x5a, 0x65, 0x70, 0x68, 0x79, 0x72, 0xaa, 0x28, 0xa7, 0x6f, 0x00,
];

fn packet_repr() -> PacketRepr {
    PacketRepr {
        device: 0,
        direction: Direction::Outbound,
        sequence: 7,
        timestamp_ns: 1_000_000_123,
        link_type: 1,
        ifindex: 1,
        orig_len: 60,
        lost: 2,
    }
}

fn stats_repr() -> StatsRepr {
    StatsRepr {
        sequence: 8,
        timestamp_ns: 2_000_000_000,
        sent: 7,
        lost_full: 2,
        lost_too_big: 0,
        lost_other: 1,
    }
}

fn hello_repr() -> HelloRepr<'static> {
    HelloRepr {
        sequence: 0,
        timestamp_ns: 5_000,
        ring_capacity: 4096,
        text: b"Zephyr",
    }
}

/// The frame of `first ‖ second`, taken out `step` bytes at a time.
pub(super) fn encode(first: &[u8], second: &[u8], step: usize) -> Vec<u8> {
    let mut encoder = FrameEncoder::new(first, second);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; step];
    loop {
        let n = encoder.fill(&mut chunk);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    assert!(encoder.is_done());
    out
}

/// An event the decoder reported, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Got {
    Record(Vec<u8>),
    Corrupt(Corruption),
    Skipped(usize),
}

/// Everything a fresh decoder finds in `stream`, fed in pieces of `step`.
pub(super) fn decode(stream: &[u8], step: usize) -> Vec<Got> {
    decode_in(stream, &[step])
}

/// Everything a fresh decoder finds in `stream`, fed in pieces of the
/// sizes in `steps` (repeated as needed; 0 counts as 1).
pub(super) fn decode_in(mut stream: &[u8], steps: &[usize]) -> Vec<Got> {
    let mut decoder = StreamDecoder::new(vec![0u8; MAX_FRAME_DATA_LEN]);
    let mut got = Vec::new();
    for step in steps.iter().cycle() {
        if stream.is_empty() {
            break;
        }
        let (piece, rest) = stream.split_at((*step).clamp(1, stream.len()));
        stream = rest;
        decoder.push(piece, |event| {
            got.push(match event {
                Event::Record(record) => Got::Record(record.to_vec()),
                Event::Corrupt { reason, .. } => Got::Corrupt(reason),
                Event::Skipped { len } => Got::Skipped(len),
            })
        });
    }
    assert_eq!(decoder.capacity(), MAX_FRAME_DATA_LEN);
    got
}

pub(super) fn with_resync(frames: &[&[u8]]) -> Vec<u8> {
    let mut stream = vec![RESYNC];
    for frame in frames {
        stream.extend_from_slice(frame);
    }
    stream
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    let mut crc = Crc32::new();
    crc.update(b"1234").update(b"").update(b"56789");
    assert_eq!(crc.finish(), 0xCBF4_3926);
}

#[test]
fn crc32_nibble_table_is_the_reflected_polynomial() {
    // Bit at a time, as the definition reads, against the table version.
    let slow = |data: &[u8]| {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    };
    let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    for len in 0..data.len() {
        assert_eq!(crc32(&data[..len]), slow(&data[..len]));
    }
}

#[test]
fn packet_record_golden_bytes() {
    let mut record = vec![0u8; PACKET_HEADER_LEN];
    packet_repr().emit(&mut record).unwrap();
    record.extend_from_slice(&[0x00, 0xff, 0x11, 0x00]);
    assert_eq!(record, PACKET_RECORD);
    assert_eq!(encode(&record, &[], 64), PACKET_FRAME);
    assert_eq!(encode(&record[..13], &record[13..], 1), PACKET_FRAME);
    let got = decode(&PACKET_FRAME, 64);
    assert_eq!(got, [Got::Skipped(PACKET_FRAME.len() - 1)]);
    let got = decode(&with_resync(&[&PACKET_FRAME]), 5);
    assert_eq!(got, [Got::Record(record.clone())]);
    let parsed = Repr::parse(&record).unwrap();
    assert_eq!(
        parsed,
        Repr::Packet {
            repr: packet_repr(),
            captured: &[0x00, 0xff, 0x11, 0x00],
        }
    );
}

#[test]
fn stats_record_golden_bytes() {
    let mut record = vec![0u8; StatsRepr::LEN];
    stats_repr().emit(&mut record).unwrap();
    assert_eq!(encode(&record, &[], 7), STATS_FRAME);
    assert_eq!(
        decode(&with_resync(&[&STATS_FRAME]), 1),
        [Got::Record(record.clone())]
    );
    assert_eq!(Repr::parse(&record).unwrap(), Repr::Stats(stats_repr()));
    assert_eq!(
        Record::new_checked(&record[..]).unwrap().device(),
        SINK_DEVICE
    );
}

#[test]
fn hello_record_golden_bytes() {
    let hello = hello_repr();
    let mut record = vec![0u8; hello.buffer_len()];
    hello.emit(&mut record).unwrap();
    assert_eq!(encode(&record[..20], &record[20..], 3), HELLO_FRAME);
    assert_eq!(
        decode(&with_resync(&[&HELLO_FRAME]), 2),
        [Got::Record(record.clone())]
    );
    assert_eq!(Repr::parse(&record).unwrap(), Repr::Hello(hello));
}

#[test]
fn runs_of_254_and_more_use_full_blocks() {
    // 254 non-zero bytes then the end: one full block, no trailing code.
    let record: Vec<u8> = (0..250u32).map(|i| (i % 255 + 1) as u8).collect();
    let frame = encode(&record, &[], 1000);
    assert_eq!(frame[0], 0xff);
    assert_eq!(frame.len(), record.len() + 4 + 2);
    assert!(frame.len() <= max_frame_len(record.len()));
    // A long record without zeros needs one code byte per 254 bytes.
    let long: Vec<u8> = (0..5000u32).map(|i| (i % 255 + 1) as u8).collect();
    let frame = encode(&long[..100], &long[100..], 17);
    assert!(frame.len() <= max_frame_len(long.len()));
    assert_eq!(frame.iter().filter(|b| **b == 0).count(), 1);
    assert_eq!(decode(&with_resync(&[&frame]), 999), [Got::Record(long)]);
}

#[test]
fn encoder_is_done_after_the_delimiter() {
    let mut encoder = FrameEncoder::new(&PACKET_RECORD, &[]);
    let mut out = [0u8; 64];
    assert_eq!(encoder.fill(&mut out[..0]), 0);
    assert!(!encoder.is_done());
    assert_eq!(encoder.fill(&mut out), PACKET_FRAME.len());
    assert!(encoder.is_done());
    assert_eq!(encoder.fill(&mut out), 0);
}

#[test]
fn unknown_kinds_and_later_versions_are_skipped() {
    let mut record = PACKET_RECORD;
    record[0] = 9;
    assert_eq!(
        Repr::parse(&record),
        Ok(Repr::Unknown {
            kind: 9,
            version: 1
        })
    );
    let mut record = PACKET_RECORD;
    record[1] = 2;
    assert_eq!(
        Repr::parse(&record[..8]),
        Ok(Repr::Unknown {
            kind: 1,
            version: 2
        })
    );
    record[1] = 0;
    assert_eq!(Repr::parse(&record), Err(Error::Malformed));
    assert_eq!(Repr::parse(&record[..7]), Err(Error::Truncated));
}

#[test]
fn records_too_short_for_their_kind_are_refused() {
    assert_eq!(Repr::parse(&PACKET_RECORD[..27]), Err(Error::Truncated));
    let mut stats = [0u8; StatsRepr::LEN];
    stats_repr().emit(&mut stats).unwrap();
    assert_eq!(Repr::parse(&stats[..15]), Err(Error::Truncated));
    let mut hello = [0u8; 20];
    hello_repr().emit(&mut [0u8; 19]).unwrap_err();
    HelloRepr {
        text: b"",
        ..hello_repr()
    }
    .emit(&mut hello)
    .unwrap();
    assert_eq!(Repr::parse(&hello[..19]), Err(Error::Truncated));
    assert!(matches!(Repr::parse(&hello), Ok(Repr::Hello(h)) if h.text.is_empty()));
    assert_eq!(packet_repr().emit(&mut [0u8; 27]), Err(Error::Truncated));
}

#[test]
fn a_packet_cannot_hold_more_than_the_frame_had() {
    let mut record = PACKET_RECORD;
    record[20..24].copy_from_slice(&3u32.to_be_bytes());
    assert_eq!(Repr::parse(&record), Err(Error::Malformed));
    record[20..24].copy_from_slice(&4u32.to_be_bytes());
    assert!(Repr::parse(&record).is_ok());
}

#[test]
fn stats_counters_are_read_as_far_as_present() {
    let mut record = [0u8; StatsRepr::LEN + 6];
    stats_repr().emit(&mut record).unwrap();
    record[StatsRepr::LEN..].copy_from_slice(&[0, 0, 0, 9, 0xaa, 0xbb]);
    let view = Record::new_checked(&record[..]).unwrap();
    assert_eq!(view.counter_count(), 5);
    assert_eq!(view.counter(4), Some(9));
    assert_eq!(view.counter(5), None);
    assert_eq!(Repr::parse(&record), Ok(Repr::Stats(stats_repr())));
    let two = &record[..24];
    assert_eq!(
        Repr::parse(two),
        Ok(Repr::Stats(StatsRepr {
            lost_too_big: 0,
            lost_other: 0,
            ..stats_repr()
        }))
    );
}

#[test]
fn direction_bits_round_trip_and_reserved_reads_unknown() {
    for direction in [Direction::Unknown, Direction::Inbound, Direction::Outbound] {
        assert_eq!(Direction::from_flags(direction.flags()), direction);
    }
    assert_eq!(Direction::from_flags(3), Direction::Unknown);
    assert_eq!(Direction::from_flags(0xfe), Direction::Outbound);
}
