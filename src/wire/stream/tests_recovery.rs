//! Recovery from damaged streams: whatever happens to a frame, the decoder
//! loses that frame (and, when its delimiter is lost, the next one) and
//! nothing else, without storing more than one frame.

use std::format;
use std::vec;
use std::vec::Vec;

use super::tests::{
    decode, encode, with_resync, Got, HELLO_FRAME, PACKET_FRAME, PACKET_RECORD, STATS_FRAME,
};
use super::*;

#[test]
fn repeated_delimiters_are_not_frames() {
    let stream = with_resync(&[&[0, 0, 0], &HELLO_FRAME, &[0, 0], &STATS_FRAME]);
    let got = decode(&stream, 3);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|g| matches!(g, Got::Record(_))));
}

#[test]
fn garbage_before_the_first_delimiter_is_skipped() {
    let mut stream = vec![0x55u8; 40];
    stream.extend(with_resync(&[&PACKET_FRAME, &STATS_FRAME]));
    let got = decode(&stream, 7);
    assert_eq!(got[0], Got::Skipped(40));
    assert_eq!(
        &got[1..],
        [Got::Record(PACKET_RECORD.to_vec()), got[2].clone()]
    );
    assert!(matches!(got[2], Got::Record(_)));
}

#[test]
fn a_flipped_byte_costs_one_frame() {
    let mut damaged = PACKET_FRAME;
    damaged[14] ^= 0x40;
    let got = decode(&with_resync(&[&HELLO_FRAME, &damaged, &STATS_FRAME]), 4);
    assert_eq!(got.len(), 3);
    assert_eq!(got[1], Got::Corrupt(Corruption::Crc));
    assert!(matches!(got[2], Got::Record(_)));
    // A code byte that runs past the delimiter breaks the stuffing.
    let mut damaged = PACKET_FRAME;
    damaged[PACKET_FRAME.len() - 6] = 0x40;
    let got = decode(&with_resync(&[&damaged, &STATS_FRAME]), 100);
    assert_eq!(got[0], Got::Corrupt(Corruption::Cobs));
    assert!(matches!(got[1], Got::Record(_)));
}

#[test]
fn dropped_and_inserted_bytes_cost_the_frames_they_hit() {
    let mut dropped = PACKET_FRAME.to_vec();
    dropped.remove(20);
    let got = decode(&with_resync(&[&dropped, &HELLO_FRAME]), 9);
    assert!(matches!(got[0], Got::Corrupt(_)), "{got:?}");
    assert!(matches!(got[1], Got::Record(_)));

    let mut inserted = PACKET_FRAME.to_vec();
    inserted.insert(10, 0);
    let got = decode(&with_resync(&[&inserted, &HELLO_FRAME]), 9);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(matches!(got[0], Got::Corrupt(_)));
    assert!(matches!(got[1], Got::Corrupt(_)));
    assert!(matches!(got[2], Got::Record(_)));
}

#[test]
fn a_truncated_frame_swallows_the_next_one_only() {
    let truncated = &PACKET_FRAME[..20];
    let got = decode(&with_resync(&[truncated, &HELLO_FRAME, &STATS_FRAME]), 6);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(got[0], Got::Corrupt(_)));
    assert!(matches!(got[1], Got::Record(_)));
}

#[test]
fn short_frames_are_refused() {
    // A CRC-correct frame holding only 7 bytes of record.
    let short = encode(&[1, 1, 0, 0, 0, 0, 0], &[], 16);
    assert_eq!(
        decode(&with_resync(&[&short, &[3, 1, 2, 0]]), 16),
        [
            Got::Corrupt(Corruption::TooShort),
            Got::Corrupt(Corruption::TooShort)
        ]
    );
}

#[test]
fn frames_longer_than_any_record_are_refused_without_growing() {
    let long = vec![0x7fu8; MAX_RECORD_LEN + 1];
    let frame = encode(&long, &[], 4096);
    let got = decode(&with_resync(&[&frame, &HELLO_FRAME]), 4096);
    assert_eq!(got[0], Got::Corrupt(Corruption::TooLong));
    assert!(matches!(got[1], Got::Record(_)));
    // The longest record allowed still passes.
    let longest = vec![0x7fu8; MAX_RECORD_LEN];
    let frame = encode(&longest, &[], 4096);
    assert_eq!(
        decode(&with_resync(&[&frame]), 65536),
        [Got::Record(longest)]
    );
    // A small buffer refuses what does not fit, then carries on.
    let mut decoder = StreamDecoder::new([0u8; 40]);
    let mut events = Vec::new();
    let stream = with_resync(&[&encode(&[9u8; 37], &[], 64), &HELLO_FRAME]);
    decoder.push(&stream, |event| events.push(format!("{event:?}")));
    assert_eq!(events.len(), 2);
    assert!(events[0].contains("TooLong"), "{events:?}");
    assert!(events[1].starts_with("Record"), "{events:?}");
    // Endless bytes without a delimiter: counted, never stored.
    let mut decoder = StreamDecoder::new(vec![0u8; 64]);
    let noise = vec![0x11u8; 100_000];
    decoder.push(&[0], |_| {});
    decoder.push(&noise, |_| panic!("no delimiter, no event"));
    let mut events = Vec::new();
    decoder.push(&[0], |event| {
        events.push(
            event
                == Event::Corrupt {
                    len: 100_000,
                    reason: Corruption::TooLong,
                },
        )
    });
    assert_eq!(events, [true]);
    assert_eq!(decoder.capacity(), 64);
}

#[test]
fn reset_forgets_the_frame_in_progress() {
    let mut decoder = StreamDecoder::new(vec![0u8; MAX_FRAME_DATA_LEN]);
    decoder.push(&[0], |_| {});
    decoder.push(&PACKET_FRAME[..10], |_| panic!("incomplete"));
    assert_eq!(decoder.reset(), 10);
    let mut events = Vec::new();
    decoder.push(&PACKET_FRAME, |event| {
        events.push(event == Event::Skipped { len: 37 })
    });
    assert_eq!(
        events,
        [true],
        "up to the next delimiter, bytes are skipped"
    );
}
