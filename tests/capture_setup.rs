//! Setup and cleanup of capture devices against the fake stack.

mod common;

use common::{ETH, LOCAL, PEER, REMOTE, TUNNEL};
use fake_stack::{Call, FakeIface, FakeStack, Op, Prefix};
use zephyr_net_capture::capture::{Device, Event, Families, TUNNEL_L2_NAME};
use zephyr_net_capture::errno::Errno;

/// Remote, local and peer strings of one setup.
type SetupArgs<'a> = (&'a [u8], &'a [u8], &'a [u8]);

fn calls_change_nothing(calls: &[Call]) -> bool {
    calls.is_empty()
}

#[test]
fn setup_configures_a_tunnel_like_the_sample_expects() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    let tunnel = stack.iface(TUNNEL);
    assert_eq!(tunnel.lower, Some(ETH));
    assert_eq!(tunnel.peer, Some("192.0.2.2".parse().unwrap()));
    assert_eq!(
        tunnel.mtu,
        1500 - 20,
        "tunnel MTU is the carrier's less the outer header"
    );
    assert_eq!(
        tunnel.addresses,
        vec!["2001:db8:200::1".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(
        tunnel.families,
        Families {
            ipv4: false,
            ipv6: true
        }
    );
    assert_eq!(tunnel.l2_name, TUNNEL_L2_NAME);
    assert!(!tunnel.up, "setup leaves the tunnel down until enable");
    assert_eq!(
        stack.iface(ETH).mtu,
        1500,
        "the carrier's MTU is never lowered (W3)"
    );
}

#[test]
fn all_four_family_combinations_set_up() {
    let cases: [(SetupArgs, u16); 4] = [
        ((b"192.0.2.2", b"198.51.100.1", b"198.51.100.2"), 1480),
        ((b"192.0.2.2", b"2001:db8:200::1", b"2001:db8:200::2"), 1480),
        ((b"2001:db8::2", b"198.51.100.1", b"198.51.100.2"), 1460),
        (
            (
                b"2001:db8::2",
                b"[2001:db8:200::1]:9998",
                b"[2001:db8:200::2]",
            ),
            1460,
        ),
    ];
    for ((remote, local, peer), mtu) in cases {
        let stack = FakeStack::sample();
        let captures = stack.captures::<1>();
        assert_eq!(captures.setup(remote, local, peer), Ok(0));
        assert_eq!(stack.iface(TUNNEL).mtu, mtu);
        assert_eq!(captures.cleanup(0), Ok(()));
    }
}

#[test]
fn ports_default_to_4242_and_explicit_ports_are_kept() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<2>();
    stack.world().ifaces.push(FakeIface::ipip("net1"));
    assert_eq!(
        captures.setup(REMOTE, b"198.51.100.1:9999", b"198.51.100.2"),
        Ok(0)
    );
    assert_eq!(
        captures.setup(REMOTE, b"[2001:db8:200::1]", b"[2001:db8:200::2]:0"),
        Ok(1)
    );
    let mut ports = Vec::new();
    captures.foreach(|info| ports.push((info.device, info.local.1, info.peer.1)));
    assert_eq!(ports, vec![(0, 9999, 4242), (1, 4242, 4242)]);
}

#[test]
fn malformed_addresses_are_refused_before_anything_changes() {
    let long_port = format!("192.0.2.2:{}", "9".repeat(100));
    let cases: [SetupArgs; 7] = [
        (b"", LOCAL, PEER),
        (long_port.as_bytes(), LOCAL, PEER),
        (REMOTE, b"2001:db8:200::1:", PEER),
        (REMOTE, LOCAL, b"[2001:db8:200::2]:65536"),
        (REMOTE, LOCAL, b"not an address"),
        (REMOTE, b"198.51.100.1", PEER),
        (b"192.0.2.2 ", LOCAL, PEER),
    ];
    for (remote, local, peer) in cases {
        let stack = FakeStack::sample();
        let captures = stack.captures::<1>();
        assert_eq!(captures.setup(remote, local, peer), Err(Errno::Inval));
        assert!(calls_change_nothing(&stack.take_calls()));
        assert_eq!(captures.device(0), Some(Device::Free));
        assert!(!stack.take_logs().is_empty(), "every refusal is logged");
    }
}

#[test]
fn unreachable_or_virtual_routes_are_refused() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(
        captures.setup(b"203.0.113.9", LOCAL, PEER),
        Err(Errno::NetUnreach)
    );
    // A route that ends on a virtual interface (W9).
    let mut tunnel_route = FakeIface::ipip("net1");
    tunnel_route.reaches = vec![Prefix::parse("203.0.113.0/24")];
    stack.world().ifaces.push(tunnel_route);
    assert_eq!(
        captures.setup(b"203.0.113.9", LOCAL, PEER),
        Err(Errno::NetUnreach)
    );
    assert!(calls_change_nothing(&stack.take_calls()));
}

#[test]
fn a_carrier_too_small_for_the_headers_is_refused() {
    let stack = FakeStack::sample();
    stack.world().ifaces[0].mtu = 60;
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Err(Errno::Inval));
    assert!(calls_change_nothing(&stack.take_calls()));
}

#[test]
fn devices_are_handed_out_lowest_first() {
    let stack = FakeStack::sample();
    for name in ["net1", "net2"] {
        stack.world().ifaces.push(FakeIface::ipip(name));
    }
    let captures = stack.captures::<3>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(1));
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(2));
    assert_eq!(captures.cleanup(1), Ok(()));
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(1));
}

#[test]
fn no_free_device_is_enomem_and_changes_nothing() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::ipip("net1"));
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    stack.take_calls();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Err(Errno::NoMem));
    assert!(calls_change_nothing(&stack.take_calls()));
}

#[test]
fn tunnels_are_owned_one_device_each() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<2>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    // The only tunnel belongs to device 0: no hijacking (W7).
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Err(Errno::Busy));
    assert_eq!(stack.iface(TUNNEL).lower, Some(ETH));
    assert_eq!(captures.device(1), Some(Device::Free));
}

#[test]
fn tunnels_in_use_by_others_are_skipped() {
    let stack = FakeStack::sample();
    stack.world().ifaces.push(FakeIface::ipip("net1"));
    stack.world().ifaces[1].up = true;
    let captures = stack.captures::<2>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    assert_eq!(stack.iface(3).lower, Some(ETH), "the free tunnel was taken");
    stack.world().ifaces[1].up = false;
    stack.world().ifaces[1].lower = Some(ETH);
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Err(Errno::Busy));
}

#[test]
fn no_tunnel_interface_is_enoent() {
    let stack = FakeStack::new(
        vec![FakeIface::ethernet(
            "eth0",
            1500,
            vec![Prefix::parse("192.0.2.0/24")],
        )],
        2048,
    );
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Err(Errno::NoEnt));
}

#[test]
fn every_failing_step_is_rolled_back() {
    for op in [Op::Attach, Op::SetPeer, Op::SetMtu, Op::AddAddress] {
        let stack = FakeStack::sample();
        let before = stack.iface(TUNNEL);
        let captures = stack.captures::<1>();
        stack.fail(op, 1, Errno::Stack(-77));
        assert_eq!(
            captures.setup(REMOTE, LOCAL, PEER),
            Err(Errno::Stack(-77)),
            "{op:?}"
        );
        let after = stack.iface(TUNNEL);
        assert_eq!(after.lower, None, "{op:?}: detached");
        assert_eq!(after.mtu, before.mtu, "{op:?}: MTU restored");
        assert_eq!(after.families, before.families, "{op:?}: families restored");
        assert_eq!(after.l2_name, before.l2_name, "{op:?}: name restored");
        assert!(after.addresses.is_empty(), "{op:?}: address removed");
        assert_eq!(captures.device(0), Some(Device::Free));
        // The device and tunnel are usable afterwards.
        assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0), "{op:?}");
    }
}

#[test]
fn cleanup_restores_the_tunnel_and_never_drifts_the_mtu() {
    let stack = FakeStack::sample();
    let before = stack.iface(TUNNEL);
    let captures = stack.captures::<1>();
    for _ in 0..10 {
        assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
        assert_eq!(captures.enable(0, ETH), Ok(()));
        assert_eq!(captures.cleanup(0), Ok(()));
    }
    let after = stack.iface(TUNNEL);
    assert_eq!(after.mtu, before.mtu);
    assert_eq!(after.families, before.families);
    assert_eq!(after.l2_name, before.l2_name);
    assert_eq!(after.lower, None);
    assert!(!after.up);
    assert!(after.addresses.is_empty());
    assert_eq!(
        stack.iface(ETH).mtu,
        1500,
        "the C code lost 28 bytes per cycle (W3)"
    );
}

#[test]
fn cleanup_of_an_enabled_device_stops_it_first() {
    let (stack, captures) = common::enabled_sample();
    assert_eq!(captures.cleanup(0), Ok(()));
    let calls = stack.take_calls();
    let down = calls.iter().position(|c| *c == Call::Down(TUNNEL)).unwrap();
    let stopped = calls
        .iter()
        .position(|c| *c == Call::Notify(Event::Stopped, Some(ETH)))
        .unwrap();
    assert!(down < stopped);
    assert!(!captures.is_enabled(0));
    assert!(!captures.any_enabled());
}

#[test]
fn cleanup_of_a_device_never_set_up_is_enoent_without_events() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.cleanup(0), Err(Errno::NoEnt));
    assert_eq!(captures.cleanup(7), Err(Errno::Inval));
    assert!(
        calls_change_nothing(&stack.take_calls()),
        "no spurious STOPPED (W17)"
    );
}

#[test]
fn a_failed_removal_is_logged_and_the_device_is_still_freed() {
    let stack = FakeStack::sample();
    let captures = stack.captures::<1>();
    assert_eq!(captures.setup(REMOTE, LOCAL, PEER), Ok(0));
    stack.fail(Op::RemoveAddress, 1, Errno::Inval);
    stack.take_logs();
    assert_eq!(captures.cleanup(0), Ok(()));
    assert_eq!(captures.device(0), Some(Device::Free));
    assert_eq!(stack.iface(TUNNEL).lower, None);
    assert!(stack
        .take_logs()
        .iter()
        .any(|(_, line)| line.contains("Cannot undo")));
}
