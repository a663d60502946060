//! Enable, disable, is_enabled and foreach against the fake stack.

mod common;

use common::{ETH, LOCAL, PEER, REMOTE, TUNNEL};
use fake_stack::{Call, FakeIface, FakeStack, Op};
use zephyr_net_capture::capture::Event;
use zephyr_net_capture::errno::Errno;

#[test]
fn enable_brings_the_tunnel_up_before_announcing_it() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    stack.take_calls();
    assert_eq!(captures.enable(0, ETH), Ok(()));
    assert_eq!(
        stack.take_calls(),
        vec![Call::Up(TUNNEL), Call::Notify(Event::Started, Some(ETH))]
    );
    assert!(captures.is_enabled(0));
    assert!(captures.any_enabled());
}

#[test]
fn enable_refuses_what_cannot_be_captured() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::any());
    let captures = stack.captures::<1>();
    // Not set up (the C code crashed, W1).
    assert_eq!(captures.enable(0, ETH), Err(Errno::NoEnt));
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    stack.take_calls();
    assert_eq!(captures.enable(0, TUNNEL), Err(Errno::Inval), "own tunnel");
    assert_eq!(
        captures.enable(0, 3),
        Err(Errno::Inval),
        "the any interface (W28)"
    );
    assert_eq!(captures.enable(0, 0), Err(Errno::Inval), "not registered");
    assert_eq!(captures.enable(0, 99), Err(Errno::Inval), "not registered");
    assert_eq!(captures.enable(5, ETH), Err(Errno::Inval), "no such device");
    assert!(stack.take_calls().is_empty());
    assert!(!captures.any_enabled());
}

#[test]
fn enable_twice_is_ealready_whatever_the_interface() {
    let (stack, captures) = common::enabled_sample();
    assert_eq!(captures.enable(0, ETH), Err(Errno::Already));
    assert!(stack.take_calls().is_empty(), "no second event");
}

#[test]
fn a_tunnel_that_cannot_come_up_leaves_capture_off() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    stack.fail(Op::Up, 1, Errno::NetDown);
    assert_eq!(captures.enable(0, ETH), Err(Errno::NetDown));
    assert!(!captures.is_enabled(0));
    assert!(!stack
        .take_calls()
        .iter()
        .any(|c| matches!(c, Call::Notify(..))));
    assert_eq!(captures.enable(0, ETH), Ok(()));
}

#[test]
fn disable_stops_once_and_reports_the_captured_interface() {
    let (stack, captures) = common::enabled_sample();
    assert_eq!(captures.disable(0), Ok(()));
    assert_eq!(
        stack.take_calls(),
        vec![Call::Down(TUNNEL), Call::Notify(Event::Stopped, Some(ETH))]
    );
    assert_eq!(
        captures.disable(0),
        Ok(()),
        "disabling a set-up device that is not capturing succeeds, as upstream"
    );
    assert!(stack.take_calls().is_empty(), "no spurious STOPPED (W17)");
    assert!(!captures.any_enabled());
    assert_eq!(captures.enable(0, ETH), Ok(()), "can be enabled again");
}

#[test]
fn disable_of_a_device_never_set_up_is_enoent() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.disable(0), Err(Errno::NoEnt));
    assert_eq!(captures.disable(1), Err(Errno::Inval));
    assert!(!captures.is_enabled(0));
    assert!(!captures.is_enabled(1));
    assert!(stack.take_calls().is_empty());
}

#[test]
fn foreach_lists_set_up_devices_in_index_order() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::ipip("net1"));
    let captures = stack.captures::<3>();
    let mut seen = Vec::new();
    captures.foreach(|info| seen.push(info.device));
    assert!(seen.is_empty());
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(
        captures.setup(REMOTE, b"198.51.100.1", b"198.51.100.2:1234"),
        Ok(1)
    );
    assert_eq!(captures.enable(1, ETH), Ok(()));
    let mut infos = Vec::new();
    captures.foreach(|info| infos.push(*info));
    assert_eq!(infos.len(), 2);
    assert_eq!(
        (infos[0].device, infos[0].captured, infos[0].tunnel),
        (0, None, TUNNEL)
    );
    assert_eq!(
        (infos[1].device, infos[1].captured, infos[1].tunnel),
        (1, Some(ETH), 3)
    );
    assert_eq!(
        infos[0].local.0,
        "2001:db8:200::1".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(infos[1].peer, ("198.51.100.2".parse().unwrap(), 1234));
}

#[test]
fn foreach_callback_may_call_the_capture_api() {
    let (_stack, captures) = common::enabled_sample();
    let mut cleaned = Vec::new();
    captures.foreach(|info| {
        assert!(captures.is_enabled(info.device));
        cleaned.push(captures.cleanup(info.device));
    });
    assert_eq!(cleaned, vec![Ok(())]);
    assert!(!captures.any_enabled());
}
