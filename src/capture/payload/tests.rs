use super::*;
use crate::capture::platform::Direction;
use std::vec::Vec;

/// A packet made of buffers.
struct Buffers(Vec<Vec<u8>>);

impl Frame for Buffers {
    type Chain = usize;

    fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }
    fn first(&self) -> (&[u8], Option<usize>) {
        self.next(0)
    }
    fn next(&self, at: usize) -> (&[u8], Option<usize>) {
        let chunk = self.0.get(at).map_or(&[][..], Vec::as_slice);
        (chunk, (at + 1 < self.0.len()).then_some(at + 1))
    }
    fn is_captured(&self) -> bool {
        false
    }
    fn ll_proto_type(&self) -> u16 {
        0
    }
    fn direction(&self) -> Direction {
        Direction::Unknown
    }
}

fn buffers() -> Buffers {
    Buffers(std::vec![
        (0..5).collect(),
        Vec::new(),
        (5..128).collect(),
        (128..200).collect()
    ])
}

fn collect(payload: &Payload<'_, Buffers>, range: Range<usize>) -> Vec<u8> {
    let mut out = Vec::new();
    payload
        .for_range(range, |piece| {
            out.extend_from_slice(piece);
            Ok::<(), ()>(())
        })
        .unwrap();
    out
}

#[test]
fn ranges_cross_buffer_boundaries() {
    let frame = buffers();
    let payload = Payload::frame(&frame);
    let all: Vec<u8> = (0..200).collect();
    for (start, end) in [(0, 200), (3, 7), (5, 128), (127, 129), (150, 200), (10, 10)] {
        assert_eq!(collect(&payload, start..end), &all[start..end]);
    }
}

#[test]
fn head_and_prefix_sum_stop_where_asked() {
    let frame = buffers();
    let payload = Payload::frame(&frame);
    let mut head = [0u8; 16];
    assert_eq!(payload.copy_head(&mut head), 16);
    assert_eq!(head[15], 15);
    let mut big = [0u8; 300];
    assert_eq!(payload.copy_head(&mut big), 200);
    let mut sum = Checksum::new();
    payload.sum_prefix(77, &mut sum);
    let all: Vec<u8> = (0..77).collect();
    assert_eq!(sum.finish(), crate::wire::checksum::of(&all));
}

#[test]
fn head_reads_in_place_when_the_first_buffer_is_long_enough() {
    let frame = Buffers(std::vec![(0..100).collect(), (100..150).collect()]);
    let payload = Payload::frame(&frame);
    let mut buf = [0u8; 64];
    let head = payload.head(&mut buf, 64);
    assert_eq!(head.len(), 100, "the first buffer itself");
    let short = Buffers(std::vec![(0..10).collect(), (10..150).collect()]);
    let payload = Payload::frame(&short);
    let head = payload.head(&mut buf, 64);
    assert_eq!(head, (0..64).collect::<Vec<u8>>().as_slice(), "a copy");
}

#[test]
fn a_header_precedes_the_packet_and_a_snap_length_cuts_it() {
    let frame = buffers();
    let payload = Payload::with_header(b"HDR", &frame);
    assert_eq!(payload.len(), 203);
    let bytes = collect(&payload, 0..203);
    assert_eq!(&bytes[..3], b"HDR");
    assert_eq!(bytes[3..], (0..200).collect::<Vec<u8>>());
    let snapped = Payload::with_header(b"HDR", &frame).cut(10);
    assert_eq!(snapped.len(), 10);
    assert_eq!(collect(&snapped, 0..10), b"HDR\x00\x01\x02\x03\x04\x05\x06");
    assert_eq!(snapped.chunks().map(<[u8]>::len).sum::<usize>(), 10);
    let data = [7u8; 10];
    let cooked: Payload<'_, Buffers> = Payload::slices(b"SLL", &data);
    assert_eq!(collect(&cooked, 0..13)[3..], data);
    assert_eq!(cooked.chunks().count(), 2);
}

#[test]
fn a_header_can_replace_the_leading_bytes_of_a_packet() {
    let frame = buffers();
    let all: Vec<u8> = (0..200).collect();
    for skip in [0, 3, 5, 6, 128, 129, 199, 200, 250] {
        let payload = Payload::with_header_after(b"HDR", &frame, skip);
        let mut expected = b"HDR".to_vec();
        expected.extend_from_slice(all.get(skip..).unwrap_or_default());
        assert_eq!(payload.len(), expected.len(), "skip {skip}");
        assert_eq!(collect(&payload, 0..payload.len()), expected, "skip {skip}");
        assert!(payload.packet().is_none());
    }
    assert!(Payload::frame(&frame).packet().is_some());
}
