//! A device's capture filter and snap length on the hot path: what is
//! copied, what is counted, and what is left alone.

mod common;

use common::{datagrams, ethernet_frame, ETH};
use fake_stack::{Call, FakeFrame};
use zephyr_net_capture::errno::Errno;
use zephyr_net_capture::filter::Filter;

/// An Ethernet/IPv4/UDP frame of `len` bytes to `dport`.
fn udp_frame(len: usize, dport: u16) -> Vec<u8> {
    let mut frame = ethernet_frame(len);
    frame[23] = 17; // IPv4 protocol: UDP
    frame[34..36].copy_from_slice(&40000u16.to_be_bytes());
    frame[36..38].copy_from_slice(&dport.to_be_bytes());
    frame
}

fn filter(text: &str) -> Filter {
    Filter::parse(text.as_bytes()).expect("the test's filter compiles")
}

#[test]
fn a_rejected_frame_is_counted_and_never_copied() {
    let (stack, captures) = common::enabled_sample();
    captures.set_filter(0, &filter("udp port 4243")).unwrap();
    stack.take_calls();
    let rejected = udp_frame(100, 4242);
    assert_eq!(
        captures.capture(ETH, &FakeFrame::new(&rejected, 128)),
        Ok(())
    );
    assert!(
        !stack
            .take_calls()
            .iter()
            .any(|call| matches!(call, Call::Alloc(_))),
        "nothing allocated for a rejected frame"
    );
    let wanted = udp_frame(100, 4243);
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&wanted, 128)), Ok(()));
    stack.run_workqueue(&captures);
    let sent = datagrams(&stack.sent());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].payload, wanted);
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.captured, stats.filtered), (1, 1));
}

#[test]
fn the_filter_reads_frames_split_in_small_buffers() {
    let (stack, captures) = common::enabled_sample();
    captures
        .set_filter(0, &filter("udp dst port 4243 and src host 192.0.2.2"))
        .unwrap();
    for chunk in [1, 7, 16, 40] {
        let frame = udp_frame(300, 4243);
        assert_eq!(
            captures.capture(ETH, &FakeFrame::new(&frame, chunk)),
            Ok(())
        );
    }
    stack.run_workqueue(&captures);
    assert_eq!(datagrams(&stack.sent()).len(), 4);
    assert_eq!(captures.stats(0).unwrap().filtered, 0);
}

#[test]
fn clearing_the_filter_captures_everything_again() {
    let (stack, captures) = common::enabled_sample();
    captures.set_filter(0, &filter("arp")).unwrap();
    let frame = udp_frame(80, 53);
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&frame, 128)), Ok(()));
    captures.set_filter(0, &Filter::accept_all()).unwrap();
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&frame, 128)), Ok(()));
    stack.run_workqueue(&captures);
    assert_eq!(datagrams(&stack.sent()).len(), 1);
    assert_eq!(captures.stats(0).unwrap().filtered, 1);
}

#[test]
fn the_snap_length_cuts_captures_and_counts_them() {
    let (stack, captures) = common::enabled_sample();
    captures.set_snaplen(0, 64).unwrap();
    assert_eq!(captures.snaplen(0), Some(64));
    let long = udp_frame(1514, 4243);
    let short = udp_frame(60, 4243);
    for frame in [&long, &short] {
        assert_eq!(captures.capture(ETH, &FakeFrame::new(frame, 128)), Ok(()));
    }
    stack.run_workqueue(&captures);
    let sent = stack.sent();
    assert_eq!(
        sent.len(),
        2,
        "a 1514-byte frame cut to 64 needs no fragment"
    );
    let carried = datagrams(&sent);
    assert_eq!(carried[0].payload, long[..64]);
    assert_eq!(carried[1].payload, short);
    let stats = captures.stats(0).unwrap();
    assert_eq!((stats.captured, stats.snapped, stats.fragmented), (2, 1, 0));
    captures.set_snaplen(0, 0).unwrap();
    assert_eq!(captures.capture(ETH, &FakeFrame::new(&long, 128)), Ok(()));
    stack.run_workqueue(&captures);
    assert_eq!(datagrams(&stack.sent())[2].payload, long, "0: whole frames");
}

#[test]
fn options_of_a_device_that_does_not_exist_are_refused() {
    let (_stack, captures) = common::enabled_sample();
    assert_eq!(
        captures.set_filter(1, &Filter::accept_all()),
        Err(Errno::Inval)
    );
    assert_eq!(captures.set_snaplen(7, 64), Err(Errno::Inval));
    assert_eq!(captures.snaplen(1), None);
}
