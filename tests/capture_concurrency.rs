//! Control operations racing each other and the hot path (W2): no
//! panic, no leaked pool memory, a consistent final state.

mod common;

use std::sync::Arc;
use std::thread;

use common::{ethernet_frame, ETH, LOCAL, PEER, REMOTE, TUNNEL};
use fake_stack::{FakeFrame, FakeIface, FakeStack};
use zephyr_net_capture::capture::{Captures, Device};
use zephyr_net_capture::errno::Errno;

const ROUNDS: usize = 300;

#[test]
fn concurrent_callers_leave_a_consistent_state() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::ipip("net1"));
    let captures: Arc<Captures<FakeStack, 2>> = Arc::new(stack.captures::<2>());

    let controllers: Vec<_> = (0..3)
        .map(|worker| {
            let captures = Arc::clone(&captures);
            thread::spawn(move || {
                for round in 0..ROUNDS {
                    let device = (worker + round) % 2;
                    let result = match (worker * 7 + round) % 5 {
                        0 => captures.setup(REMOTE, LOCAL, PEER).map(|_| ()),
                        1 => captures.enable(device, ETH),
                        2 => captures.disable(device),
                        3 => captures.cleanup(device),
                        _ => {
                            captures.foreach(|info| assert!(info.device < 2));
                            Ok(())
                        }
                    };
                    // Every refusal is one of the documented errors.
                    if let Err(err) = result {
                        assert!(
                            matches!(
                                err,
                                Errno::NoEnt | Errno::Already | Errno::NoMem | Errno::Busy
                            ),
                            "unexpected {err:?}"
                        );
                    }
                }
            })
        })
        .collect();
    let capturers: Vec<_> = (0..2)
        .map(|_| {
            let captures = Arc::clone(&captures);
            thread::spawn(move || {
                let frame = FakeFrame::new(&ethernet_frame(1514), 128);
                let mut sent = 0;
                for _ in 0..ROUNDS * 4 {
                    if captures.capture(ETH, &frame).is_ok() {
                        sent += 1;
                    }
                }
                sent
            })
        })
        .collect();
    for handle in controllers {
        handle.join().expect("controller panicked");
    }
    let ok_captures: usize = capturers
        .into_iter()
        .map(|h| h.join().expect("capturer panicked"))
        .sum();

    for device in 0..2 {
        let _ = captures.cleanup(device);
        assert_eq!(captures.device(device), Some(Device::Free));
    }
    assert!(!captures.any_enabled());
    assert_eq!(stack.pool().in_use(), 0, "capture pool leaked");
    for tunnel in [TUNNEL, 3] {
        let iface = stack.iface(tunnel);
        assert_eq!(iface.lower, None, "tunnel {tunnel} left attached");
        assert!(
            iface.addresses.is_empty(),
            "tunnel {tunnel} kept an address"
        );
        assert!(!iface.up, "tunnel {tunnel} left up");
        assert_eq!(iface.mtu, 1280, "tunnel {tunnel} MTU not restored");
    }
    assert_eq!(stack.iface(ETH).mtu, 1500);
    // Counters agree with what the capturers saw.
    let captured: u32 = (0..2).map(|d| captures.stats(d).unwrap().captured).sum();
    assert!(captured as usize >= ok_captures);
}
