//! Tunnel metadata (`CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA`): Ethernet
//! captures reach the tunnel as Linux cooked v2 records (SLL2 header with
//! direction, interface index, source address and EtherType, then the
//! frame after its Ethernet header), decoded here by hand, field by field;
//! without the option the tunnel carries exactly what it always did.

mod common;

use common::{datagrams, ethernet_frame, ETH, LOCAL, PEER, REMOTE};
use fake_stack::{FakeFrame, FakeIface, FakeStack, Prefix};
use zephyr_net_capture::capture::{Captures, Direction};
use zephyr_net_capture::filter::Filter;
use zephyr_net_capture::wire::tunnel::Oversize;

/// An SLL2 header as tcpdump's `print-sll.c` reads it.
#[derive(Debug, PartialEq, Eq)]
struct Sll2 {
    protocol: u16,
    reserved: u16,
    ifindex: u32,
    hatype: u16,
    pkttype: u8,
    halen: u8,
    addr: [u8; 8],
}

fn sll2(record: &[u8]) -> (Sll2, &[u8]) {
    assert!(record.len() >= 20, "{} bytes", record.len());
    let be16 = |at: usize| u16::from_be_bytes([record[at], record[at + 1]]);
    let header = Sll2 {
        protocol: be16(0),
        reserved: be16(2),
        ifindex: u32::from_be_bytes(record[4..8].try_into().unwrap()),
        hatype: be16(8),
        pkttype: record[10],
        halen: record[11],
        addr: record[12..20].try_into().unwrap(),
    };
    (header, &record[20..])
}

/// The source MAC of [`ethernet_frame`], as SLL2 pads it.
const SRC_MAC: [u8; 8] = [0x8a, 0x65, 0xe3, 0xad, 0x71, 0x12, 0, 0];

fn with_metadata(stack: &FakeStack) -> Captures<FakeStack, 1> {
    stack.world().tunnel_metadata = true;
    common::enabled_on(stack)
}

fn record_of(stack: &FakeStack, captures: &Captures<FakeStack, 1>) -> Vec<Vec<u8>> {
    stack.run_workqueue(captures);
    datagrams(&stack.take_sent())
        .into_iter()
        .map(|datagram| datagram.payload)
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn without_the_option_the_tunnel_carries_the_same_bytes_as_before() {
    // Inner packets of a received 98-byte frame and a sent 1514-byte one
    // (two fragments), as the library sent them before the option existed.
    let golden: Vec<&str> = include_str!("golden/tunnel_default.hex").lines().collect();
    let (stack, captures) = common::enabled_sample();
    let rx = FakeFrame::new(&ethernet_frame(98), 40).going(Direction::In);
    let tx = FakeFrame::new(&ethernet_frame(1514), 128).going(Direction::Out);
    captures.capture(ETH, &rx).unwrap();
    captures.capture(ETH, &tx).unwrap();
    stack.run_workqueue(&captures);
    let sent: Vec<String> = stack.sent().iter().map(|p| hex(&p.bytes)).collect();
    assert_eq!(sent, golden);
}

#[test]
fn a_received_frame_says_host_its_interface_source_and_ethertype() {
    let stack = FakeStack::sample();
    let captures = with_metadata(&stack);
    let frame = ethernet_frame(98);
    let rx = FakeFrame::new(&frame, 40).going(Direction::In);
    captures.capture(ETH, &rx).unwrap();
    let records = record_of(&stack, &captures);
    assert_eq!(records.len(), 1);
    let (header, rest) = sll2(&records[0]);
    assert_eq!(
        header,
        Sll2 {
            protocol: 0x0800,
            reserved: 0,
            ifindex: 1,
            hatype: 1,
            pkttype: 0,
            halen: 6,
            addr: SRC_MAC,
        }
    );
    assert_eq!(rest, &frame[14..], "the frame after its Ethernet header");
    assert_eq!(records[0].len(), frame.len() + 6);
    assert_eq!(stack.pool().in_use(), 0);
}

#[test]
fn a_sent_frame_says_outgoing() {
    let stack = FakeStack::sample();
    let captures = with_metadata(&stack);
    let frame = ethernet_frame(60);
    // Header split across buffers: the SLL2 header is read from the chain.
    let tx = FakeFrame::new(&frame, 5).going(Direction::Out);
    captures.capture(ETH, &tx).unwrap();
    let records = record_of(&stack, &captures);
    let (header, rest) = sll2(&records[0]);
    assert_eq!(
        (header.pkttype, header.ifindex, header.protocol, header.addr),
        (4, 1, 0x0800, SRC_MAC)
    );
    assert_eq!(rest, &frame[14..]);
}

#[test]
fn the_interface_index_is_the_captured_interfaces() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::ethernet(
        "eth1",
        1500,
        vec![Prefix::parse("198.51.100.0/24")],
    ));
    stack.world().tunnel_metadata = true;
    let captures = stack.captures::<1>();
    captures.setup(REMOTE, LOCAL, PEER).unwrap();
    captures.enable(0, 3).unwrap();
    let mut frame = ethernet_frame(80);
    frame[..6].copy_from_slice(&[0xff; 6]);
    frame[12..14].copy_from_slice(&[0x08, 0x06]);
    captures
        .capture(3, &FakeFrame::new(&frame, 128).going(Direction::In))
        .unwrap();
    let (header, _) = sll2(&record_of(&stack, &captures)[0]);
    assert_eq!(
        (header.ifindex, header.pkttype, header.protocol),
        (3, 1, 0x0806),
        "a broadcast ARP frame received on interface 3"
    );
}

#[test]
fn the_snap_length_bounds_the_whole_record_but_never_cuts_the_header() {
    let stack = FakeStack::sample();
    let captures = with_metadata(&stack);
    let frame = ethernet_frame(100);
    let capture = |snaplen| {
        captures.set_snaplen(0, snaplen).unwrap();
        captures
            .capture(ETH, &FakeFrame::new(&frame, 128).going(Direction::In))
            .unwrap();
        record_of(&stack, &captures).remove(0)
    };
    let cut = capture(64);
    assert_eq!(cut.len(), 64);
    assert_eq!(sll2(&cut).1, &frame[14..14 + 44]);
    // Longer than the frame, shorter than the record: still cut.
    assert_eq!(capture(104).len(), 104);
    assert_eq!(capture(106).len(), 106);
    assert_eq!(capture(10).len(), 20, "the header stays whole");
    assert_eq!(sll2(&capture(10)).0.protocol, 0x0800);
    assert_eq!(capture(0).len(), 106, "0: whole records");
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.captured, stats.snapped), (6, 4));
}

#[test]
fn the_header_counts_when_the_record_is_fragmented() {
    let stack = FakeStack::sample();
    let captures = with_metadata(&stack);
    let frame = ethernet_frame(1514);
    captures
        .capture(ETH, &FakeFrame::new(&frame, 128).going(Direction::Out))
        .unwrap();
    stack.run_workqueue(&captures);
    let sent = stack.take_sent();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|packet| packet.bytes.len() + 20 <= 1500));
    let datagram = &datagrams(&sent)[0];
    assert_eq!(datagram.payload.len(), 1520);
    let (header, rest) = sll2(&datagram.payload);
    assert_eq!(header.pkttype, 4);
    assert_eq!(rest, &frame[14..]);
    assert_eq!(captures.stats(0).unwrap().fragmented, 1);
}

#[test]
fn the_header_counts_when_the_record_is_truncated() {
    let stack = FakeStack::sample();
    stack.world().oversize = Oversize::Truncate;
    let captures = with_metadata(&stack);
    let frame = ethernet_frame(1514);
    captures
        .capture(ETH, &FakeFrame::new(&frame, 128).going(Direction::In))
        .unwrap();
    let record = record_of(&stack, &captures).remove(0);
    // 1500 - outer IPv4 - inner IPv6 - UDP.
    assert_eq!(record.len(), 1500 - 20 - 40 - 8);
    assert_eq!(sll2(&record).1, &frame[14..14 + record.len() - 20]);
    assert_eq!(captures.stats(0).unwrap().truncated, 1);
}

#[test]
fn the_filter_still_reads_the_ethernet_frame() {
    let stack = FakeStack::sample();
    let captures = with_metadata(&stack);
    // On the record, the ICMP header would be 6 bytes closer and the
    // length 6 more.
    let filter = Filter::parse(b"icmp and len == 98").unwrap();
    captures.set_filter(0, &filter).unwrap();
    for len in [98, 120] {
        let frame = FakeFrame::new(&ethernet_frame(len), 128).going(Direction::In);
        captures.capture(ETH, &frame).unwrap();
    }
    let records = record_of(&stack, &captures);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].len(), 104);
    assert_eq!(captures.stats(0).unwrap().filtered, 1);
}

#[test]
fn the_send_slot_still_carries_frames_as_they_are() {
    let stack = FakeStack::sample();
    let captures = with_metadata(&stack);
    let frame = FakeFrame::new(&ethernet_frame(64), 128).going(Direction::Out);
    captures.send(0, &frame).unwrap();
    assert_eq!(record_of(&stack, &captures), [frame.bytes()]);
}
