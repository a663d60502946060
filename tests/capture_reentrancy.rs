//! Control calls that interleave with each other, with event handlers and
//! with captures in flight: events in the order of the state changes, a
//! consistent state after a re-entrant call, and no capture leaving with
//! a cleaned-up device's addresses.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{datagrams, ethernet_frame, ETH, LOCAL, PEER, REMOTE, TUNNEL};
use fake_stack::{Call, FakeFrame, FakeStack};
use zephyr_net_capture::capture::{Device, Event, Level};
use zephyr_net_capture::errno::Errno;

#[test]
fn events_arrive_in_the_order_of_the_state_changes() {
    let stack = FakeStack::sample();
    let captures = Arc::new(stack.captures::<1>());
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let captures = Arc::clone(&captures);
            thread::spawn(move || {
                for round in 0..400 {
                    let _ = if (worker + round) % 2 == 0 {
                        captures.enable(0, ETH)
                    } else {
                        captures.disable(0)
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker panicked");
    }
    // Replaying the events must give the state the device ended in, and
    // never announce a start while started or a stop while stopped.
    let mut started = false;
    for call in stack.take_calls() {
        match call {
            Call::Notify(Event::Started, Some(ETH)) => {
                assert!(!started, "STARTED while capture was already on");
                started = true;
            }
            Call::Notify(Event::Stopped, Some(ETH)) => {
                assert!(started, "STOPPED before its STARTED");
                started = false;
            }
            _ => {}
        }
    }
    assert_eq!(started, captures.is_enabled(0));
}

#[test]
fn a_control_call_from_an_event_handler_is_refused_and_changes_nothing() {
    let stack = FakeStack::sample();
    let captures = Arc::new(stack.captures::<1>());
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    let results = Arc::new(Mutex::new(Vec::new()));
    {
        // A management event handler running in the caller's context
        // (CONFIG_NET_MGMT_EVENT_DIRECT) that cleans up on STARTED.
        let captures = Arc::downgrade(&captures);
        let results = Arc::clone(&results);
        stack.world().on_event = Some(Arc::new(move |event, _| {
            if let (Event::Started, Some(captures)) = (event, captures.upgrade()) {
                results.lock().unwrap().push(captures.cleanup(0));
            }
        }));
    }
    stack.take_logs();
    assert_eq!(captures.enable(0, ETH), Ok(()));
    assert_eq!(*results.lock().unwrap(), vec![Err(Errno::Busy)]);
    assert!(matches!(captures.device(0), Some(Device::Enabled { .. })));
    assert!(stack.iface(TUNNEL).up, "the tunnel stays up for the device");
    assert!(stack
        .take_logs()
        .iter()
        .any(|(level, line)| *level == Level::Error && line.contains("inside another")));
    stack.world().on_event = None;
    // The refused cleanup changed nothing: a real one still works.
    assert_eq!(captures.cleanup(0), Ok(()));
    assert!(!stack.iface(TUNNEL).up);
}

#[test]
fn cleanup_waits_for_a_capture_still_carrying_the_old_addresses() {
    let stack = FakeStack::sample();
    let captures = Arc::new(common::enabled_on(&stack));
    let (in_alloc, entered) = mpsc::channel();
    let (release, go) = mpsc::channel::<()>();
    let go = Mutex::new(go);
    stack.world().on_alloc = Some(Arc::new(move || {
        let _ = in_alloc.send(());
        let _ = go.lock().unwrap().recv_timeout(Duration::from_secs(5));
    }));
    let capturer = {
        let captures = Arc::clone(&captures);
        thread::spawn(move || captures.capture(ETH, &FakeFrame::new(&ethernet_frame(100), 128)))
    };
    entered.recv().expect("the capture is being built");
    let cleaner = {
        let captures = Arc::clone(&captures);
        thread::spawn(move || captures.cleanup(0))
    };
    thread::sleep(Duration::from_millis(5));
    assert!(
        !cleaner.is_finished(),
        "cleanup waits for the capture in flight"
    );
    assert!(
        !stack.take_calls().contains(&Call::Attach(TUNNEL, None)),
        "nothing reverted yet"
    );
    release.send(()).unwrap();
    assert_eq!(capturer.join().unwrap(), Ok(()));
    assert_eq!(cleaner.join().unwrap(), Ok(()));
    stack.world().on_alloc = None;
    assert!(stack.world().pauses > 0);
    // Cleanup sent what the capture queued, with the old addresses, before
    // it took the tunnel down: nothing is left for the work queue.
    let sent = datagrams(&stack.sent());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].src.to_string(), "2001:db8:200::1");
    assert_eq!(stack.queued(), 0);
    assert_eq!(
        captures.setup(REMOTE, b"2001:db8:300::1", b"2001:db8:300::2"),
        Ok(0)
    );
    stack.run_workqueue(&captures);
    assert_eq!(stack.sent().len(), 1);
}

#[test]
fn cleanup_from_the_capturing_thread_gives_up_after_a_bounded_wait() {
    let stack = FakeStack::sample();
    let captures = Arc::new(common::enabled_on(&stack));
    let results = Arc::new(Mutex::new(Vec::new()));
    {
        let captures = Arc::downgrade(&captures);
        let results = Arc::clone(&results);
        stack.world().on_alloc = Some(Arc::new(move || {
            if let Some(captures) = captures.upgrade() {
                results.lock().unwrap().push(captures.cleanup(0));
            }
        }));
    }
    stack.take_logs();
    let _ = captures.capture(ETH, &FakeFrame::new(&ethernet_frame(100), 128));
    stack.world().on_alloc = None;
    assert_eq!(*results.lock().unwrap(), vec![Ok(())]);
    let pauses = stack.world().pauses;
    assert_eq!(pauses, usize::from(captures.config().quiesce_pauses));
    assert!(stack
        .take_logs()
        .iter()
        .any(|(_, line)| line.contains("still being built during cleanup")));
    assert_eq!(captures.device(0), Some(Device::Free));
}

#[test]
fn cleanup_from_the_work_queue_sends_the_rest_without_waiting() {
    let stack = FakeStack::sample();
    let captures = Arc::new(common::enabled_on(&stack));
    for _ in 0..3 {
        assert_eq!(
            captures.capture(ETH, &FakeFrame::new(&ethernet_frame(100), 128)),
            Ok(())
        );
    }
    let results = Arc::new(Mutex::new(Vec::new()));
    {
        // An event handler on the work queue, run by the first send,
        // that cleans the device up.
        let captures = Arc::downgrade(&captures);
        let results = Arc::clone(&results);
        let once = AtomicBool::new(false);
        stack.world().on_send = Some(Arc::new(move || {
            if let (false, Some(captures)) = (once.swap(true, Ordering::SeqCst), captures.upgrade())
            {
                results.lock().unwrap().push(captures.cleanup(0));
            }
        }));
    }
    stack.run_workqueue(&captures);
    stack.world().on_send = None;
    assert_eq!(*results.lock().unwrap(), vec![Ok(())]);
    assert_eq!(stack.world().pauses, 0, "nothing was in flight");
    assert_eq!(captures.device(0), Some(Device::Free));
    assert_eq!(stack.queued(), 0);
    // The nested cleanup sent the two later packets before taking the
    // tunnel down; the first one then found it down.
    assert_eq!(stack.sent().len(), 2);
    assert_eq!(stack.pool().in_use(), 0);
}
