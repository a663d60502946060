//! Cooked mode against the fake stack: the link-type filter, SLL headers
//! as they reach the tunnel, input checks and counters. `net_capture_data()`
//! only queues a packet for the "any" interface; `run_rx` plays the RX
//! thread that hands it to the cooked interface.

mod common;

use common::{datagrams, LOCAL, PEER, REMOTE};
use fake_stack::{FakeFrame, FakeStack, COOKED_NAME};
use zephyr_net_capture::capture::{Captures, StatsSnapshot};
use zephyr_net_capture::cooked::{Cooked, CookedContext, Verdict};
use zephyr_net_capture::errno::Errno;
use zephyr_net_capture::wire::sll;

const ANY: u8 = 1;
const COOKED: u8 = 2;
const ETH: u8 = 3;

const ARPHRD_CAN: u16 = 280;
const ARPHRD_PPP: u16 = 512;
const ETH_P_CAN: u16 = 0x000c;
const ETH_P_HDLC: u16 = 0x0019;
const OUTGOING: u32 = 4;
const HOST: u32 = 0;

fn can_ctx() -> CookedContext {
    // The sample builds this statically, with halen 0.
    CookedContext {
        hatype: ARPHRD_CAN,
        halen: 0,
        addr: [0; 8],
    }
}

fn ppp_ctx() -> CookedContext {
    CookedContext::new(ARPHRD_PPP, 6, &[1, 2, 3, 4, 5, 6]).unwrap()
}

/// The sample's setup: capture enabled on the cooked interface, CAN and
/// HDLC captured, the interface up.
fn sample() -> (FakeStack, Captures<FakeStack, 1>, Cooked<FakeStack, 2>) {
    sample_on(FakeStack::cooked_sample())
}

/// The sample's setup with SLL v2 headers.
fn sample_sll2() -> (FakeStack, Captures<FakeStack, 1>, Cooked<FakeStack, 2>) {
    let stack = FakeStack::cooked_sample();
    stack.world().sll_version = sll::Version::V2;
    sample_on(stack)
}

/// The sample's setup over `stack` (the cooked sample's topology).
fn sample_on(stack: FakeStack) -> (FakeStack, Captures<FakeStack, 1>, Cooked<FakeStack, 2>) {
    let captures = stack.captures::<1>();
    let cooked = stack.cooked::<2>();
    cooked.init(COOKED);
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, COOKED), Ok(()));
    assert_eq!(cooked.set_link_types(2, &[ETH_P_CAN, ETH_P_HDLC]), Ok(()));
    stack.world().ifaces[1].up = true;
    stack.take_calls();
    (stack, captures, cooked)
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| 0xe0u8.wrapping_add(i as u8)).collect()
}

#[test]
fn init_stacks_the_cooked_interface_on_any() {
    let stack = FakeStack::cooked_sample();
    let cooked = stack.cooked::<2>();
    cooked.init(COOKED);
    let iface = stack.iface(COOKED);
    assert_eq!(iface.name, COOKED_NAME);
    assert_eq!(iface.lower, Some(ANY));
    assert!(iface.point_to_point);
    assert_eq!(iface.l2_name, "Cooked mode capture");
    assert_eq!(cooked.iface(), Some(COOKED));
}

#[test]
fn the_four_sample_frames_reach_the_tunnel_with_sll1_headers() {
    let (stack, captures, cooked) = sample();
    let frames = [
        (can_ctx(), data(16), OUTGOING, ETH_P_CAN),
        (ppp_ctx(), data(15), OUTGOING, ETH_P_HDLC),
        (ppp_ctx(), data(28), HOST, ETH_P_HDLC),
        (ppp_ctx(), data(40), OUTGOING, ETH_P_HDLC),
    ];
    for (ctx, bytes, pkttype, ptype) in &frames {
        cooked.data(&captures, Some(ctx), Some(bytes), *pkttype, *ptype);
    }
    assert!(
        stack.sent().is_empty(),
        "the caller never sends (PPP re-entrancy)"
    );
    assert_eq!(stack.queued(), 4);
    stack.run_workqueue(&captures);
    assert_eq!(
        stack.pool().in_use(),
        0,
        "queued packets go back to the pool"
    );
    let datagrams = datagrams(&stack.sent());
    let udp_lengths: Vec<usize> = datagrams.iter().map(|d| d.payload.len() + 8).collect();
    assert_eq!(
        udp_lengths,
        vec![40, 39, 52, 64],
        "as the C implementation sent them"
    );
    // Spec appendix A: the CAN frame's header.
    assert_eq!(
        &datagrams[0].payload[..16],
        &[0x00, 0x04, 0x01, 0x18, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0c]
    );
    assert_eq!(
        &datagrams[2].payload[..16],
        &[0x00, 0x00, 0x02, 0x00, 0x00, 0x06, 1, 2, 3, 4, 5, 6, 0, 0, 0x00, 0x19]
    );
    for (datagram, (_, bytes, _, _)) in datagrams.iter().zip(&frames) {
        assert_eq!(&datagram.payload[16..], &bytes[..]);
    }
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.captured, stats.cooked_captured), (4, 4));
}

#[test]
fn sll2_headers_are_big_endian_with_type_and_length() {
    let (stack, captures, cooked) = sample_sll2();
    cooked.data(
        &captures,
        Some(&ppp_ctx()),
        Some(&data(15)),
        OUTGOING,
        ETH_P_HDLC,
    );
    stack.run_workqueue(&captures);
    let payload = &datagrams(&stack.sent())[0].payload;
    // The C code wrote 00 19 00 00 01 00 00 00 02 00 00 00 ... (W19).
    assert_eq!(
        &payload[..20],
        &[
            0x00, 0x19, 0x00, 0x00, 0x00, 0x00, 0x00, COOKED, 0x02, 0x00, 0x04, 0x06, 1, 2, 3, 4,
            5, 6, 0, 0
        ]
    );
    assert_eq!(&payload[20..], &data(15)[..]);
}

#[test]
fn nothing_is_built_unless_a_device_captures_the_up_cooked_interface() {
    let (stack, captures, cooked) = sample();
    // Filtered link type.
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        OUTGOING,
        0x0800,
    );
    // Cooked interface down.
    stack.world().ifaces[1].up = false;
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        OUTGOING,
        ETH_P_CAN,
    );
    stack.world().ifaces[1].up = true;
    // Capture moved to Ethernet.
    assert_eq!(captures.disable(0), Ok(()));
    assert_eq!(captures.enable(0, ETH), Ok(()));
    stack.take_calls();
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        OUTGOING,
        ETH_P_CAN,
    );
    // Nothing enabled at all.
    assert_eq!(captures.disable(0), Ok(()));
    stack.take_calls();
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        OUTGOING,
        ETH_P_CAN,
    );
    assert!(stack.take_calls().is_empty(), "no allocation (W21)");
    assert!(stack.sent().is_empty());
    assert_eq!(captures.stats(0).unwrap(), StatsSnapshot::default());
}

#[test]
fn missing_context_or_data_is_counted_and_logged_once() {
    let (stack, captures, cooked) = sample();
    stack.take_logs();
    cooked.data(&captures, None, Some(&data(8)), OUTGOING, ETH_P_CAN);
    cooked.data(&captures, Some(&can_ctx()), None, OUTGOING, ETH_P_CAN);
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.dropped_other, stats.cooked_dropped), (2, 2));
    let logs = stack.take_logs();
    assert_eq!(logs.iter().filter(|(_, l)| l.contains("NULL")).count(), 1);
    assert_eq!(stack.queued(), 0);
}

#[test]
fn no_data_is_a_header_only_capture_as_upstream() {
    let (stack, captures, cooked) = sample();
    cooked.data(&captures, Some(&can_ctx()), Some(&[]), OUTGOING, ETH_P_CAN);
    stack.run_workqueue(&captures);
    let datagrams = datagrams(&stack.sent());
    assert_eq!(datagrams.len(), 1);
    assert_eq!(datagrams[0].payload.len(), 16, "the SLL header alone");
    assert_eq!(captures.stats(0).unwrap().cooked_captured, 1);
}

#[test]
fn fields_that_do_not_fit_the_header_are_counted() {
    let (stack, captures, cooked) = sample();
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        0x1_0000,
        ETH_P_CAN,
    );
    assert_eq!(captures.stats(0).unwrap().cooked_dropped, 1);
    let (stack2, captures2, cooked2) = sample_sll2();
    cooked2.data(&captures2, Some(&can_ctx()), Some(&data(8)), 300, ETH_P_CAN);
    assert_eq!(captures2.stats(0).unwrap().cooked_dropped, 1);
    assert_eq!(stack.queued() + stack2.queued(), 0);
}

#[test]
fn data_larger_than_the_pool_is_counted_not_lost_silently() {
    let small_pool = FakeStack::new(FakeStack::cooked_sample().world().ifaces.clone(), 512);
    let (stack, captures, cooked) = sample_on(small_pool);
    cooked.data(
        &captures,
        Some(&ppp_ctx()),
        Some(&data(1500)),
        OUTGOING,
        ETH_P_HDLC,
    );
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.dropped_other, stats.cooked_dropped), (1, 1));
    assert_eq!(stack.pool().in_use(), 0);
    assert_eq!(stack.queued(), 0);
}

#[test]
fn an_exhausted_pool_drops_and_counts_without_waiting() {
    let (stack, captures, cooked) = sample();
    stack.fail(fake_stack::Op::Alloc, 1, Errno::NoMem);
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        OUTGOING,
        ETH_P_CAN,
    );
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.dropped_nomem, stats.cooked_dropped), (1, 1));
    assert_eq!(stack.queued(), 0);
}

#[test]
fn large_cooked_frames_are_fragmented_like_any_other() {
    let (stack, captures, cooked) = sample();
    let bytes = data(1500);
    cooked.data(&captures, Some(&ppp_ctx()), Some(&bytes), HOST, ETH_P_HDLC);
    stack.run_workqueue(&captures);
    let datagrams = datagrams(&stack.sent());
    assert_eq!(datagrams[0].pieces, 2);
    assert_eq!(&datagrams[0].payload[16..], &bytes[..]);
}

#[test]
fn link_type_limits() {
    let (_stack, _captures, cooked) = sample();
    assert_eq!(cooked.set_link_types(3, &[1, 2, 3]), Err(Errno::Range));
    assert_eq!(cooked.set_link_types(-1, &[]), Err(Errno::Range));
    assert_eq!(cooked.link_types().as_slice(), &[ETH_P_CAN, ETH_P_HDLC]);
}

#[test]
fn start_and_stop_report_ealready() {
    let (_stack, _captures, cooked) = sample();
    assert_eq!(cooked.set_started(true), Ok(()));
    assert_eq!(cooked.set_started(true), Err(Errno::Already));
    assert_eq!(cooked.set_started(false), Ok(()));
    assert_eq!(cooked.set_started(false), Err(Errno::Already));
}

#[test]
fn without_any_cooked_mode_logs_and_stays_off() {
    let stack = FakeStack::sample();
    stack
        .world()
        .ifaces
        .push(fake_stack::FakeIface::virtual_iface("NET_COOKED"));
    let captures = stack.captures::<1>();
    let cooked = stack.cooked::<2>();
    cooked.init(3);
    assert_eq!(cooked.iface(), None);
    assert!(stack.take_logs().iter().any(|(_, l)| l.contains("\"any\"")));
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, 1), Ok(()));
    stack.take_calls();
    for _ in 0..3 {
        cooked.data(
            &captures,
            Some(&can_ctx()),
            Some(&data(8)),
            OUTGOING,
            ETH_P_CAN,
        );
    }
    assert!(stack.take_calls().is_empty());
    let logs = stack.take_logs();
    assert_eq!(
        logs.iter()
            .filter(|(_, l)| l.contains("not attached"))
            .count(),
        1
    );
}

#[test]
fn packets_arriving_through_any_are_filtered_and_consumed() {
    let (stack, captures, cooked) = sample();
    let mut frame = FakeFrame::new(&data(24), 128);
    frame.ll_proto_type = ETH_P_CAN;
    assert_eq!(cooked.recv(&captures, &frame), Verdict::Consumed);
    frame.ll_proto_type = 0x0800;
    assert_eq!(cooked.recv(&captures, &frame), Verdict::Drop);
    stack.run_workqueue(&captures);
    assert_eq!(datagrams(&stack.sent())[0].payload, data(24));
}

/// An IPv6-in-IPv4 tunnel packet to the sample's remote, as a PPP frame
/// (address, control, protocol, packet, FCS), and the same stuffed.
fn tunnel_ppp_frame() -> (Vec<u8>, Vec<u8>) {
    let mut packet = vec![
        0x45, 0, 0, 100, 0, 0, 0, 0, 64, 41, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    ];
    packet.resize(100, 0x03);
    let mut frame = vec![0xff, 0x03, 0x00, 0x21];
    frame.extend_from_slice(&packet);
    frame.extend_from_slice(&[0xab, 0xcd]);
    let mut stuffed = Vec::new();
    for &byte in &frame {
        if byte < 0x20 || byte == 0x7e || byte == 0x7d {
            stuffed.extend_from_slice(&[0x7d, byte ^ 0x20]);
        } else {
            stuffed.push(byte);
        }
    }
    stuffed.push(0x7e);
    (frame, stuffed)
}

#[test]
fn the_tunnel_carried_by_a_captured_ppp_link_is_not_captured_again() {
    let stack = FakeStack::cooked_sample();
    let captures = stack.captures::<1>();
    let cooked = stack.cooked_ppp::<2, 1500>();
    cooked.init(COOKED);
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.enable(0, COOKED), Ok(()));
    assert_eq!(cooked.set_link_types(1, &[ETH_P_HDLC]), Ok(()));
    stack.world().ifaces[1].up = true;
    let (received, sent) = tunnel_ppp_frame();
    cooked.data(
        &captures,
        Some(&ppp_ctx()),
        Some(&received),
        HOST,
        ETH_P_HDLC,
    );
    // Sent frames arrive stuffed, in flushes of the driver's 8-byte buffer:
    // no piece says where it goes, the reassembled frame does.
    for piece in sent.chunks(8) {
        cooked.data(
            &captures,
            Some(&ppp_ctx()),
            Some(piece),
            OUTGOING,
            ETH_P_HDLC,
        );
    }
    assert_eq!(stack.queued(), 0, "nothing queued");
    let stats = captures.stats(0).unwrap();
    assert_eq!(stats.skipped_feedback, 2, "one received, one sent frame");
    assert_eq!(stats.cooked_dropped, 0, "skipped, not lost");
    // An ordinary frame after it is captured, whole and unstuffed.
    let ordinary = [0xff, 0x03, 0x00, 0x21, 0x45, 0x7d ^ 0x20];
    for piece in [
        &[0xff, 0x7d, 0x23, 0x7d][..],
        &[0x20, 0x21, 0x45][..],
        &[0x5d, 0x7e][..],
    ] {
        cooked.data(
            &captures,
            Some(&ppp_ctx()),
            Some(piece),
            OUTGOING,
            ETH_P_HDLC,
        );
    }
    stack.run_workqueue(&captures);
    let datagrams = datagrams(&stack.sent());
    assert_eq!(datagrams.len(), 1);
    assert_eq!(
        &datagrams[0].payload[16..],
        &ordinary[..],
        "behind its SLL v1 header"
    );
}

#[test]
fn a_queued_packet_the_tunnel_refuses_is_counted_as_a_send_failure() {
    let (stack, captures, cooked) = sample();
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(8)),
        OUTGOING,
        ETH_P_CAN,
    );
    stack.fail(fake_stack::Op::Send, 1, Errno::NetDown);
    stack.run_workqueue(&captures);
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.cooked_captured, stats.dropped_send), (1, 1));
    assert_eq!(stack.pool().in_use(), 0);
}

#[test]
fn the_filter_reads_cooked_captures_as_sll() {
    let (stack, captures, cooked) = sample_sll2();
    let hdlc_only = zephyr_net_capture::filter::Filter::parse(b"ether proto 0x0019").unwrap();
    captures.set_filter(0, &hdlc_only).unwrap();
    cooked.data(
        &captures,
        Some(&can_ctx()),
        Some(&data(16)),
        OUTGOING,
        ETH_P_CAN,
    );
    cooked.data(
        &captures,
        Some(&ppp_ctx()),
        Some(&data(15)),
        OUTGOING,
        ETH_P_HDLC,
    );
    stack.run_workqueue(&captures);
    let sent = datagrams(&stack.sent());
    assert_eq!(sent.len(), 1);
    assert_eq!(
        &sent[0].payload[20..],
        data(15),
        "the HDLC frame behind its SLL2 header"
    );
    let stats = captures.stats(0).unwrap();
    assert_eq!(
        (stats.filtered, stats.cooked_captured, stats.cooked_dropped),
        (1, 1, 0)
    );
}
