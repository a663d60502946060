//! The capture hot path against the fake stack: what goes into the tunnel,
//! sizing, losses, counters and pool accounting.

mod common;

use common::{datagrams, ethernet_frame, ETH, LOCAL, PEER, REMOTE, TUNNEL};
use fake_stack::{FakeFrame, FakeIface, FakeStack, Op};
use zephyr_net_capture::capture::{Direction, Level, StatsSnapshot};
use zephyr_net_capture::errno::Errno;
use zephyr_net_capture::wire::tunnel::Oversize;

#[test]
fn nothing_enabled_returns_at_once_without_allocating() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    stack.take_calls();
    let frame = FakeFrame::new(&ethernet_frame(60), 128);
    assert_eq!(captures.capture(ETH, &frame), Err(Errno::NoEnt));
    assert!(stack.take_calls().is_empty());
}

#[test]
fn a_frame_is_copied_byte_for_byte_into_the_tunnel() {
    let (stack, captures) = common::enabled_sample();
    let bytes = ethernet_frame(98);
    let frame = FakeFrame::new(&bytes, 40);
    assert_eq!(captures.capture(ETH, &frame), Ok(()));
    stack.run_workqueue(&captures);
    let sent = stack.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].tunnel, TUNNEL);
    let datagrams = datagrams(&sent);
    assert_eq!(
        datagrams[0].src,
        "2001:db8:200::1".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(
        datagrams[0].dst,
        "2001:db8:200::2".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!((datagrams[0].src_port, datagrams[0].dst_port), (4242, 4242));
    assert_eq!(datagrams[0].payload, bytes);
    assert!(!frame.captured, "the original is not marked (W25)");
    assert_eq!(captures.stats(0).unwrap().captured, 1);
    assert_eq!(stack.pool().in_use(), 0);
}

#[test]
fn ipv4_inner_packets_carry_the_frame_too() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(
        captures.setup(b"2001:db8::2", b"198.51.100.1:9999", b"198.51.100.2"),
        Ok(0)
    );
    assert_eq!(captures.enable(0, ETH), Ok(()));
    let bytes = ethernet_frame(333);
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 128)), Ok(()));
    stack.run_workqueue(&captures);
    let datagrams = datagrams(&stack.sent());
    assert_eq!((datagrams[0].src_port, datagrams[0].dst_port), (9999, 4242));
    assert_eq!(datagrams[0].payload, bytes);
}

#[test]
fn tunnel_packets_and_other_interfaces_are_not_captured() {
    let (stack, captures) = common::enabled_sample();
    let mut marked = FakeFrame::new(&ethernet_frame(60), 128);
    marked.captured = true;
    assert_eq!(captures.capture(ETH, &marked), Err(Errno::Already));
    assert_eq!(
        captures.capture(TUNNEL, &FakeFrame::new(&ethernet_frame(60), 128)),
        Err(Errno::NoEnt)
    );
    stack.run_workqueue(&captures);
    assert!(stack.sent().is_empty());
}

#[test]
fn full_size_frames_are_fragmented_to_fit_the_carrier() {
    let (stack, captures) = common::enabled_sample();
    let bytes = ethernet_frame(1514);
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 128)), Ok(()));
    stack.run_workqueue(&captures);
    let sent = stack.sent();
    assert_eq!(sent.len(), 2);
    for packet in &sent {
        // Inner packet + outer IPv4 header must fit the 1500-byte MTU (W29).
        assert!(
            packet.bytes.len() + 20 <= 1500,
            "{} bytes",
            packet.bytes.len()
        );
    }
    let datagrams = datagrams(&sent);
    assert_eq!(datagrams[0].pieces, 2);
    assert_eq!(datagrams[0].payload, bytes);
    let stats = captures.stats(0).unwrap();
    assert_eq!(
        (stats.captured, stats.fragmented, stats.truncated),
        (1, 1, 0)
    );
}

#[test]
fn truncation_mode_cuts_and_logs_once() {
    let stack = FakeStack::sample();
    stack.world().oversize = Oversize::Truncate;
    let captures = common::enabled_on(&stack);
    stack.take_logs();
    let bytes = ethernet_frame(1514);
    for _ in 0..3 {
        assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 128)), Ok(()));
        stack.run_workqueue(&captures);
    }
    stack.run_workqueue(&captures);
    let sent = stack.sent();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|p| p.bytes.len() == 1480));
    assert_eq!(datagrams(&sent)[0].payload, &bytes[..1480 - 48]);
    assert_eq!(captures.stats(0).unwrap().truncated, 3);
    let warnings = stack
        .take_logs()
        .into_iter()
        .filter(|(level, line)| *level == Level::Warning && line.contains("cut"))
        .count();
    assert_eq!(warnings, 1);
}

#[test]
fn losses_are_counted_and_the_pool_is_always_returned() {
    let (stack, captures) = common::enabled_sample();
    let frame = FakeFrame::new(&ethernet_frame(100), 128);

    stack.fail(Op::Alloc, 1, Errno::NoMem);
    assert_eq!(captures.capture(ETH, &frame), Err(Errno::NoMem));
    // The tunnel refuses a packet later, when the work queue sends it:
    // the capture itself succeeded.
    stack.fail(Op::Send, 1, Errno::Io);
    assert_eq!(captures.capture(ETH, &frame), Ok(()));
    stack.run_workqueue(&captures);
    assert_eq!(captures.capture(ETH, &frame), Ok(()));
    stack.run_workqueue(&captures);

    assert_eq!(
        captures.stats(0).unwrap(),
        StatsSnapshot {
            captured: 2,
            dropped_nomem: 1,
            dropped_send: 1,
            ..StatsSnapshot::default()
        }
    );
    assert_eq!(stack.sent().len(), 1);
    assert_eq!(stack.pool().in_use(), 0);
    assert_eq!(stack.pool().packets(), 0);
}

#[test]
fn a_capture_larger_than_the_pool_is_refused_with_emsgsize() {
    let stack = FakeStack::new(FakeStack::sample().world().ifaces.clone(), 512);
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, ETH), Ok(()));
    let frame = FakeFrame::new(&ethernet_frame(1000), 128);
    assert_eq!(captures.capture(ETH, &frame), Err(Errno::MsgSize));
    assert_eq!(captures.stats(0).unwrap().dropped_other, 1);
    assert!(stack
        .take_calls()
        .iter()
        .all(|c| !matches!(c, fake_stack::Call::Alloc(_))));
}

#[test]
fn a_down_tunnel_counts_send_failures() {
    let (stack, captures) = common::enabled_sample();
    stack.world().ifaces[1].up = false;
    let frame = FakeFrame::new(&ethernet_frame(100), 128);
    assert_eq!(captures.capture(ETH, &frame), Ok(()));
    stack.run_workqueue(&captures);
    assert!(stack.sent().is_empty());
    assert_eq!(captures.stats(0).unwrap().dropped_send, 1);
    assert_eq!(stack.pool().in_use(), 0);
}

/// An ICMP port-unreachable from the tunnel peer quoting one of our
/// 6-in-4 tunnel packets, as an Ethernet frame.
fn icmp_error_about_a_tunnel_packet() -> Vec<u8> {
    let mut quoted = vec![
        0x45, 0, 0, 100, 0, 0, 0x40, 0, 64, 41, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    ];
    quoted.extend_from_slice(&[0x60, 0, 0, 0, 0, 8, 17, 64]);
    let mut icmp = vec![3, 2, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&quoted);
    let total = (20 + icmp.len()) as u16;
    let mut frame = vec![
        0x02, 0, 0x5e, 0, 0x53, 0xd2, 0x8a, 0x65, 0xe3, 0xad, 0x71, 0x12, 8, 0,
    ];
    frame.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0,
        0,
        64,
        1,
        0,
        0,
    ]);
    frame.extend_from_slice(&[192, 0, 2, 2, 192, 0, 2, 1]);
    frame.extend_from_slice(&icmp);
    frame
}

#[test]
fn tunnel_feedback_on_the_carrier_is_not_recaptured() {
    let (stack, captures) = common::enabled_sample();
    let error = FakeFrame::new(&icmp_error_about_a_tunnel_packet(), 128);
    assert_eq!(captures.capture(ETH, &error), Err(Errno::Already));
    stack.run_workqueue(&captures);
    assert!(stack.sent().is_empty(), "no feedback loop (W14)");
    assert_eq!(captures.stats(0).unwrap().skipped_feedback, 1);
}

#[test]
fn two_devices_on_one_interface_both_get_a_copy() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::ipip("net1"));
    let captures = stack.captures::<2>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(
        captures.setup(REMOTE, b"198.51.100.1", b"198.51.100.2"),
        Ok(1)
    );
    assert_eq!(captures.enable(0, ETH), Ok(()));
    assert_eq!(captures.enable(1, ETH), Ok(()));
    let bytes = ethernet_frame(77);
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&bytes, 128)), Ok(()));
    stack.run_workqueue(&captures);
    let sent = stack.sent();
    assert_eq!(
        sent.iter().map(|p| p.tunnel).collect::<Vec<_>>(),
        vec![TUNNEL, 3]
    );
    assert!(datagrams(&sent).iter().all(|d| d.payload == bytes));
}

#[test]
fn the_send_slot_uses_the_device_tunnel_whatever_the_interface() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    let frame = FakeFrame::new(&ethernet_frame(64), 128);
    assert_eq!(captures.send(0, &frame), Err(Errno::NoEnt));
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, ETH), Ok(()));
    assert_eq!(captures.send(0, &frame), Ok(()));
    stack.run_workqueue(&captures);
    assert_eq!(datagrams(&stack.sent())[0].payload, frame.bytes());
    let mut tunnel_packet = frame.clone();
    tunnel_packet.captured = true;
    assert_eq!(captures.send(0, &tunnel_packet), Err(Errno::Already));
    assert_eq!(stack.sent().len(), 1);
}

#[test]
fn each_packet_on_the_loopback_interface_is_captured_once() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::loopback());
    let lo = 3;
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, lo), Ok(()));
    // A packet to the device itself: sent on lo, then received on lo.
    let packet = ethernet_frame(80)[14..].to_vec();
    let sent = FakeFrame::new(&packet, 128).going(Direction::Out);
    let received = FakeFrame::new(&packet, 128).going(Direction::In);
    assert_eq!(captures.capture(lo, &sent), Ok(()));
    assert_eq!(captures.capture(lo, &received), Err(Errno::NoEnt));
    stack.run_workqueue(&captures);
    let datagrams = datagrams(&stack.sent());
    assert_eq!(datagrams.len(), 1);
    assert_eq!(datagrams[0].payload, packet);
    // On other interfaces both directions are captured.
    assert_eq!(captures.disable(0), Ok(()));
    assert_eq!(captures.enable(0, ETH), Ok(()));
    let frame = ethernet_frame(80);
    for direction in [Direction::In, Direction::Out] {
        let frame = FakeFrame::new(&frame, 128).going(direction);
        assert_eq!(captures.capture(ETH, &frame), Ok(()));
    }
    assert_eq!(captures.stats(0).unwrap().captured, 3);
}
