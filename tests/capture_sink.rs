//! The stream sink against the fake stack: captures become packet records
//! in the ring, which the existing stream decoder reads back.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::{ethernet_frame, ETH, LOCAL, PEER, REMOTE};
use fake_stack::{FakeControlLock, FakeFrame, FakeLock, FakeStack};
use zephyr_net_capture::capture::sink::stream::{SinkState, StreamSink};
use zephyr_net_capture::capture::sink::{Clock, SinkKind};
use zephyr_net_capture::capture::{Captures, Direction, Table};
use zephyr_net_capture::errno::Errno;
use zephyr_net_capture::filter::Filter;
use zephyr_net_capture::wire::stream::{
    self, FrameEncoder, PacketRepr, Repr, StreamDecoder, MAX_FRAME_DATA_LEN,
};

/// A clock that advances 1000 ns each time it is read.
#[derive(Default)]
struct TickClock(AtomicU64);

impl Clock for TickClock {
    fn now_ns(&self) -> u64 {
        self.0.fetch_add(1000, Ordering::Relaxed) + 1000
    }
}

const RING: usize = 1024;
/// The drain's buffer: a full Ethernet frame and the record header.
const MAX_RECORD: usize = 1600;

type Sink = StreamSink<FakeStack, TickClock, RING, MAX_RECORD>;

/// One device enabled on Ethernet, capturing into a fresh stream sink.
fn streaming() -> (FakeStack, Captures<FakeStack, 1>, &'static Sink) {
    let stack = FakeStack::sample();
    let sink: &'static Sink = Box::leak(Box::new(StreamSink::new(
        FakeLock::new(SinkState::new()),
        TickClock::default(),
    )));
    let captures = Captures::with_sink(
        stack.clone(),
        stack.config(),
        FakeLock::new(Table::new()),
        FakeControlLock::new(),
        FakeLock::new([const { Filter::accept_all() }; 1]),
        Some(sink),
    );
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, ETH), Ok(()));
    assert_eq!(captures.set_sink(SinkKind::Stream), Ok(()));
    (stack, captures, sink)
}

/// Everything in the ring, framed as the drain frames it, decoded with the
/// host's decoder: (metadata, captured bytes) of each packet record.
fn drain(sink: &Sink) -> Vec<(PacketRepr, Vec<u8>)> {
    let mut line = vec![stream::RESYNC];
    let mut record = vec![0u8; MAX_RECORD];
    let mut piece = [0u8; 7];
    while let Some(bytes) = sink.pop(&mut record) {
        let mut encoder = FrameEncoder::new(bytes, &[]);
        loop {
            let n = encoder.fill(&mut piece);
            if n == 0 {
                break;
            }
            line.extend_from_slice(&piece[..n]);
        }
        sink.sent();
    }
    let mut decoder = StreamDecoder::new(vec![0u8; MAX_FRAME_DATA_LEN]);
    let mut out = Vec::new();
    decoder.push(&line, |event| match event {
        stream::Event::Record(bytes) => match Repr::parse(bytes).unwrap() {
            Repr::Packet { repr, captured } => out.push((repr, captured.to_vec())),
            other => panic!("unexpected record {other:?}"),
        },
        other => panic!("damaged stream: {other:?}"),
    });
    out
}

#[test]
fn the_tunnel_stays_the_default_and_sends_nothing_to_the_sink() {
    let (stack, captures, sink) = streaming();
    assert_eq!(captures.set_sink(SinkKind::Tunnel), Ok(()));
    assert_eq!(captures.sink_kind(), SinkKind::Tunnel);
    let frame = FakeFrame::new(&ethernet_frame(98), 40);
    assert_eq!(captures.capture(ETH, &frame), Ok(()));
    stack.run_workqueue(&captures);
    assert_eq!(stack.sent().len(), 1);
    assert!(sink.is_empty());
}

#[test]
fn a_build_without_a_stream_sink_refuses_to_switch() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.set_sink(SinkKind::Stream), Err(Errno::NotSup));
    assert_eq!(captures.sink_kind(), SinkKind::Tunnel);
}

#[test]
fn captures_round_trip_through_the_ring_and_the_host_decoder() {
    let (stack, captures, sink) = streaming();
    let sent = ethernet_frame(98);
    let received = ethernet_frame(333);
    let out = FakeFrame::new(&sent, 40).going(Direction::Out);
    let inbound = FakeFrame::new(&received, 128).going(Direction::In);
    assert_eq!(captures.capture(ETH, &out), Ok(()));
    assert_eq!(captures.capture(ETH, &inbound), Ok(()));
    stack.run_workqueue(&captures);
    assert!(stack.sent().is_empty(), "nothing goes into the tunnel");
    assert_eq!(stack.pool().in_use(), 0);

    let records = drain(sink);
    assert_eq!(records.len(), 2);
    let (first, bytes) = &records[0];
    assert_eq!(bytes, &sent);
    assert_eq!(first.direction, stream::Direction::Outbound);
    assert_eq!(first.link_type, 1);
    assert_eq!(first.ifindex, u16::from(ETH));
    assert_eq!(first.orig_len, 98);
    assert_eq!((first.device, first.sequence, first.lost), (0, 0, 0));
    let (second, bytes) = &records[1];
    assert_eq!(bytes, &received);
    assert_eq!(second.direction, stream::Direction::Inbound);
    assert_eq!(second.sequence, 1);
    assert!(second.timestamp_ns > first.timestamp_ns);
    assert_eq!(captures.stats(0).unwrap().captured, 2);
    assert_eq!(sink.counters().sent, 2);
}

#[test]
fn a_full_ring_drops_counts_and_reports_the_loss_in_the_next_record() {
    let (_stack, captures, sink) = streaming();
    let bytes = ethernet_frame(300);
    // 4 + 28 + 300 bytes each: three fit in 1024, the next two do not.
    for _ in 0..5 {
        let _ = captures.capture(ETH, &FakeFrame::new(&bytes, 128));
    }
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.captured, stats.dropped_nomem), (3, 2));
    assert_eq!(sink.counters().lost_full, 2);
    assert_eq!(sink.counters().next_seq, 5);

    let first = drain(sink);
    assert_eq!(
        first.iter().map(|(r, _)| r.sequence).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert!(first.iter().all(|(r, _)| r.lost == 0));

    assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 128)), Ok(()));
    let next = drain(sink);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].0.sequence, 5, "the dropped ones took 3 and 4");
    assert_eq!(next[0].0.lost, 2);
    assert_eq!(next[0].1, bytes);
}

#[test]
fn a_capture_larger_than_the_ring_is_dropped_as_too_big() {
    let (_stack, captures, sink) = streaming();
    let big = ethernet_frame(1500);
    assert_eq!(
        captures.capture(ETH, &FakeFrame::new(&big, 128)),
        Err(Errno::MsgSize)
    );
    assert_eq!(sink.counters().lost_too_big, 1);
    assert_eq!(captures.stats(0).unwrap().dropped_other, 1);
    assert!(sink.is_empty());
}

#[test]
fn the_snap_length_cuts_the_bytes_and_keeps_the_original_length() {
    let (_stack, captures, sink) = streaming();
    assert_eq!(captures.set_snaplen(0, 64), Ok(()));
    let bytes = ethernet_frame(500);
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 100)), Ok(()));
    let records = drain(sink);
    assert_eq!(records[0].0.orig_len, 500);
    assert_eq!(records[0].1, &bytes[..64]);
    assert_eq!(captures.stats(0).unwrap().snapped, 1);
}

#[test]
fn sequence_numbers_count_every_capture_across_many_ring_wraps() {
    let (_stack, captures, sink) = streaming();
    for (expected, round) in (0u32..).zip(0..50) {
        let bytes = ethernet_frame(60 + round * 7);
        assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 33)), Ok(()));
        let records = drain(sink);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].0.sequence, expected);
        assert_eq!(records[0].1, bytes);
    }
}

#[test]
fn start_sends_a_hello_and_stats_carry_the_next_sequence() {
    let (_stack, captures, sink) = streaming();
    let _ = captures.capture(ETH, &FakeFrame::new(&ethernet_frame(60), 60));
    let mut buf = [0u8; 64];
    let len = sink.start(b"Zephyr test", &mut buf);
    let Repr::Hello(hello) = Repr::parse(&buf[..len]).unwrap() else {
        panic!("not a hello");
    };
    assert_eq!(hello.ring_capacity, RING as u32);
    assert_eq!(hello.text, b"Zephyr test");
    assert_eq!(hello.sequence, 0);
    assert!(sink.is_empty(), "a restart forgets stored records");

    let _ = captures.capture(ETH, &FakeFrame::new(&ethernet_frame(60), 60));
    let len = sink.stats_record(&mut buf);
    let Repr::Stats(stats) = Repr::parse(&buf[..len]).unwrap() else {
        panic!("not stats");
    };
    assert_eq!(stats.sequence, 1);
    assert_eq!(stats.lost_full, 0);
}
