//! The receiver fed with streams built by the device library's encoder.

use zephyr_net_capture::wire::stream::{
    FrameEncoder, HelloRepr, PacketRepr, StatsRepr, PACKET_HEADER_LEN, RESYNC,
};

use super::*;

const HOST: u64 = 1_700_000_000_000_000_000;

fn frame(record: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; zephyr_net_capture::wire::stream::max_frame_len(record.len())];
    let (first, second) = record.split_at(record.len() / 2);
    let len = FrameEncoder::new(first, second).fill(&mut out);
    out.truncate(len);
    out
}

fn packet(sequence: u32, lost: u32, ts: u64, device: u8, direction: Direction) -> Vec<u8> {
    let data = [0x45, 0, 0, 20, sequence as u8, 0, 0, 0];
    let mut record = vec![0u8; PACKET_HEADER_LEN];
    PacketRepr {
        device,
        direction,
        sequence,
        timestamp_ns: ts,
        link_type: 101,
        ifindex: 1,
        orig_len: 20,
        lost,
    }
    .emit(&mut record)
    .unwrap();
    record.extend_from_slice(&data);
    frame(&record)
}

fn hello(sequence: u32, ts: u64) -> Vec<u8> {
    let repr = HelloRepr {
        sequence,
        timestamp_ns: ts,
        ring_capacity: 8192,
        text: b"Zephyr 4.1.99 mps2/an385",
    };
    let mut record = vec![0u8; repr.buffer_len()];
    repr.emit(&mut record).unwrap();
    frame(&record)
}

fn stats(sequence: u32, ts: u64, sent: u32, lost_full: u32) -> Vec<u8> {
    let mut record = vec![0u8; StatsRepr::LEN];
    StatsRepr {
        sequence,
        timestamp_ns: ts,
        sent,
        lost_full,
        ..StatsRepr::default()
    }
    .emit(&mut record)
    .unwrap();
    frame(&record)
}

fn packets(items: &[Item]) -> Vec<&Packet> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Packet(packet) => Some(packet),
            _ => None,
        })
        .collect()
}

#[test]
fn hello_anchors_and_packets_follow_device_time() {
    let mut receiver = Receiver::new();
    let mut items = Vec::new();
    let mut bytes = vec![RESYNC];
    bytes.extend(hello(0, 1_000));
    receiver.push(&bytes, HOST, &mut items);
    assert!(
        matches!(&items[0], Item::Hello { restart: false, ring_capacity: 8192, text } if text.contains("an385"))
    );
    // Received late, but stamped by the device 1 ms after its hello.
    receiver.push(
        &packet(0, 0, 1_001_000, 0, Direction::Outbound),
        HOST + 9_000_000,
        &mut items,
    );
    let got = packets(&items);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].ts_ns, HOST + 1_000_000);
    assert_eq!(got[0].direction, Direction::Outbound);
    assert_eq!(got[0].device_drops + got[0].line_drops, 0);
}

#[test]
fn gaps_corruption_and_stats_are_counted_apart() {
    let mut receiver = Receiver::new();
    let mut items = Vec::new();
    let mut bytes = vec![RESYNC];
    bytes.extend(hello(10, 0));
    bytes.extend(packet(10, 0, 1, 0, Direction::Inbound));
    // 11 and 12 dropped on the device, 13 damaged on the line.
    bytes.extend(packet(14, 2, 2, 1, Direction::Outbound));
    let mut damaged = packet(15, 0, 3, 0, Direction::Inbound);
    damaged[12] ^= 0x10;
    bytes.extend(damaged);
    bytes.extend(packet(16, 0, 4, 0, Direction::Inbound));
    bytes.extend(stats(20, 5, 5, 2));
    receiver.push(&bytes, HOST, &mut items);
    let got = packets(&items);
    let seqs: Vec<u32> = got.iter().map(|p| p.sequence).collect();
    assert_eq!(seqs, [10, 14, 16]);
    assert_eq!((got[1].device_drops, got[1].line_drops), (2, 1));
    assert_eq!((got[2].device_drops, got[2].line_drops), (0, 1));
    let counters = receiver.counters();
    assert_eq!(counters.device_drops, 2);
    assert_eq!(counters.line_drops, 2);
    assert_eq!(counters.corrupt_total(), 1);
    assert_eq!(counters.stats.map(|s| (s.sent, s.lost_full)), Some((5, 2)));
    assert_eq!(receiver.unseen_at_end(), 3, "17, 18 and 19 never came");
}

#[test]
fn a_restart_reanchors_with_or_without_its_hello() {
    let mut receiver = Receiver::new();
    let mut items = Vec::new();
    let mut bytes = vec![RESYNC];
    bytes.extend(packet(500, 0, 50_000_000_000, 0, Direction::Unknown));
    bytes.extend(packet(501, 0, 50_000_000_100, 0, Direction::Unknown));
    receiver.push(&bytes, HOST, &mut items);
    // The device reboots; its hello arrives two seconds later.
    let mut bytes = vec![RESYNC];
    bytes.extend(hello(0, 2_000));
    bytes.extend(packet(0, 0, 3_000, 0, Direction::Unknown));
    receiver.push(&bytes, HOST + 2_000_000_000, &mut items);
    // Again, but the hello is lost: the sequence going back shows it.
    receiver.push(
        &packet(0, 0, 1_000, 0, Direction::Unknown),
        HOST + 4_000_000_000,
        &mut items,
    );
    let got = packets(&items);
    let times: Vec<u64> = got.iter().map(|p| p.ts_ns - HOST).collect();
    assert_eq!(times, [0, 100, 2_000_001_000, 4_000_000_000]);
    assert!(items
        .iter()
        .any(|item| matches!(item, Item::Hello { restart: true, .. })));
    assert!(items.contains(&Item::Restart));
    assert_eq!(receiver.counters().restarts, 2);
    assert_eq!(receiver.counters().line_drops, 0);
}

#[test]
fn unknown_and_malformed_records_are_skipped_and_counted() {
    let mut receiver = Receiver::new();
    let mut items = Vec::new();
    let mut unknown = vec![7u8, 1, 0xff, 0, 0, 0, 0, 0, 1, 2, 3];
    let mut bytes = vec![RESYNC];
    bytes.extend(frame(&unknown));
    unknown[0] = 1;
    unknown[1] = 9;
    bytes.extend(frame(&unknown));
    // A packet record holding more bytes than its frame had.
    let mut record = vec![0u8; PACKET_HEADER_LEN + 4];
    record[0] = 1;
    record[1] = 1;
    bytes.extend(frame(&record));
    bytes.extend(packet(0, 0, 0, 0, Direction::Inbound));
    receiver.push(&bytes, HOST, &mut items);
    assert_eq!(
        &items[..3],
        [
            Item::Unknown {
                kind: 7,
                version: 1
            },
            Item::Unknown {
                kind: 1,
                version: 9
            },
            Item::Malformed {
                what: "record fields out of range"
            }
        ]
    );
    assert_eq!(packets(&items).len(), 1);
    assert_eq!(receiver.counters().unknown, 2);
    assert_eq!(receiver.counters().malformed, 1);
}

#[test]
fn bytes_in_any_chunking_give_the_same_items() {
    let mut bytes = vec![0x33, 0x44, RESYNC];
    bytes.extend(hello(0, 0));
    for seq in 0..20 {
        bytes.extend(packet(
            seq,
            0,
            u64::from(seq) * 1000,
            (seq % 3) as u8,
            Direction::Inbound,
        ));
    }
    let mut whole = Receiver::new();
    let mut expected = Vec::new();
    whole.push(&bytes, HOST, &mut expected);
    assert_eq!(expected[0], Item::Skipped { len: 2 });
    for step in [1, 2, 7, 100] {
        let mut receiver = Receiver::new();
        let mut items = Vec::new();
        for piece in bytes.chunks(step) {
            receiver.push(piece, HOST, &mut items);
        }
        assert_eq!(items, expected);
        assert_eq!(receiver.buffer_capacity(), MAX_FRAME_DATA_LEN);
    }
}

#[test]
fn a_frame_cut_off_by_the_port_closing_is_corrupt() {
    let mut receiver = Receiver::new();
    let mut items = Vec::new();
    let mut bytes = vec![RESYNC];
    bytes.extend(&packet(0, 0, 0, 0, Direction::Inbound)[..10]);
    receiver.push(&bytes, HOST, &mut items);
    receiver.reset(&mut items);
    assert_eq!(
        items,
        [Item::Corrupt {
            len: 10,
            what: CUT_OFF
        }]
    );
    receiver.reset(&mut items);
    assert_eq!(items.len(), 1, "nothing in progress after a reset");
}
