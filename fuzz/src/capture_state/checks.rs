//! The invariants checked after each call: what a call's result means
//! for the devices, the interfaces, the capture pool and the counters.

use fake_stack::FakeIface;
use zephyr_net_capture::capture::{
    Device, Families, IfaceKind, IpVersion, StatsSnapshot, TUNNEL_L2_NAME,
};
use zephyr_net_capture::errno::Errno;

use super::harness::Harness;
use super::{FrameSpec, DEVICES};
use crate::decode;

impl Harness {
    pub(super) fn after_setup(
        &mut self,
        result: Result<usize, Errno>,
        before: &[Option<Device<u8>>],
        ifaces_before: &[FakeIface],
    ) {
        let after = self.devices();
        let Ok(device) = result else {
            assert_eq!(after, before, "a failed setup changes no device");
            if !self.tainted {
                let changed: Vec<_> = self
                    .stack
                    .world()
                    .ifaces
                    .iter()
                    .zip(ifaces_before)
                    // The tunnel peer has no inverse in the Stack trait.
                    .filter(|(now, then)| {
                        FakeIface {
                            peer: then.peer,
                            ..(*now).clone()
                        } != **then
                    })
                    .map(|(now, then)| format!("{then:?} -> {now:?}"))
                    .collect();
                assert!(changed.is_empty(), "failed setup left {changed:?}");
                if self
                    .stack
                    .take_calls()
                    .iter()
                    .any(|c| matches!(c, fake_stack::Call::Attach(_, Some(_))))
                {
                    self.reached.setup_failed_midway = true;
                }
            }
            return;
        };
        self.reached.set_up = true;
        let first_free = before.iter().position(|d| *d == Some(Device::Free));
        assert_eq!(
            Some(device),
            first_free,
            "setup takes the lowest free device"
        );
        let Some(Device::SetUp(tunnel)) = &after[device] else {
            panic!("device {device} after setup: {:?}", after[device]);
        };
        assert_others_unchanged(&after, before, device);
        assert!(self.tunnels.contains(&tunnel.iface), "{tunnel:?}");
        let iface = self.stack.iface(tunnel.iface);
        let then = &ifaces_before[usize::from(tunnel.iface) - 1];
        assert_eq!(
            (
                tunnel.saved.mtu,
                tunnel.saved.families,
                tunnel.saved.l2_name.as_str()
            ),
            (then.mtu, then.families, then.l2_name.as_str()),
            "setup saved what it changed"
        );
        assert_eq!(iface.lower, Some(tunnel.lower));
        assert!(iface.addresses.contains(&tunnel.encap.local));
        assert_eq!(iface.l2_name, TUNNEL_L2_NAME);
        assert_eq!(iface.families, Families::only(&tunnel.encap.local));
        let outer = IpVersion::of(&tunnel.remote).header_len();
        let lower_mtu = self.stack.iface(tunnel.lower).mtu;
        assert_eq!(usize::from(iface.mtu), usize::from(lower_mtu) - outer);
        assert!(!iface.up);
    }

    /// The tunnel of a device that was just freed is as setup found it.
    pub(super) fn check_restored(&self, tunnel: &zephyr_net_capture::capture::Tunnel<u8>) {
        if self.tainted {
            return;
        }
        let iface = self.stack.iface(tunnel.iface);
        assert_eq!(iface.mtu, tunnel.saved.mtu, "tunnel MTU restored");
        assert_eq!(iface.families, tunnel.saved.families);
        assert_eq!(iface.l2_name, tunnel.saved.l2_name.as_str());
        assert_eq!(iface.lower, None, "tunnel detached");
        assert!(!iface.up, "tunnel down");
        assert!(
            !iface.addresses.contains(&tunnel.encap.local),
            "tunnel address removed"
        );
    }

    pub(super) fn after_cleanup(
        &mut self,
        device: usize,
        result: Result<(), Errno>,
        before: &[Option<Device<u8>>],
    ) {
        let after = self.devices();
        match &before[device] {
            None => assert_eq!(result, Err(Errno::Inval)),
            Some(Device::Free) => assert_eq!(result, Err(Errno::NoEnt)),
            Some(state) => {
                assert_eq!(result, Ok(()));
                assert_eq!(after[device], Some(Device::Free));
                self.check_restored(state.tunnel().expect("set up"));
            }
        }
        assert_others_unchanged(&after, before, device);
    }

    pub(super) fn after_enable(
        &mut self,
        device: usize,
        iface: u8,
        result: Result<(), Errno>,
        before: &[Option<Device<u8>>],
    ) {
        let after = self.devices();
        let owned = before
            .iter()
            .flatten()
            .any(|d| d.tunnel().is_some_and(|t| t.iface == iface));
        let registered = (1..=self.iface_count).contains(&iface);
        match (&before[device], result) {
            (None, r) => assert_eq!(r, Err(Errno::Inval)),
            (Some(Device::Free), r) => assert_eq!(r, Err(Errno::NoEnt)),
            (Some(Device::Enabled { .. }), r) => assert_eq!(r, Err(Errno::Already)),
            (Some(Device::SetUp(tunnel)), Ok(())) => {
                self.reached.enabled = true;
                assert!(registered, "enabled on unregistered interface {iface}");
                assert!(!owned, "enabled on a capture tunnel");
                assert_ne!(
                    self.stack.iface(iface).kind,
                    IfaceKind::Pseudo,
                    "enabled on the any interface"
                );
                assert_eq!(
                    after[device].as_ref().and_then(Device::captured_iface),
                    Some(iface)
                );
                assert!(self.stack.iface(tunnel.iface).up, "tunnel up once enabled");
            }
            (Some(Device::SetUp(_)), Err(_)) => {
                assert_eq!(after[device], before[device]);
            }
        }
        assert_others_unchanged(&after, before, device);
    }

    pub(super) fn after_disable(
        &mut self,
        device: usize,
        result: Result<(), Errno>,
        before: &[Option<Device<u8>>],
    ) {
        let after = self.devices();
        match &before[device] {
            None => assert_eq!(result, Err(Errno::Inval)),
            Some(Device::Free) => assert_eq!(result, Err(Errno::NoEnt)),
            Some(Device::SetUp(_)) => {
                // Upstream's value: disabling what is not capturing is fine.
                assert_eq!(result, Ok(()));
                assert_eq!(after[device], before[device]);
            }
            Some(Device::Enabled { tunnel, .. }) => {
                assert_eq!(result, Ok(()));
                assert_eq!(after[device], Some(Device::SetUp(tunnel.clone())));
                if !self.tainted {
                    assert!(!self.stack.iface(tunnel.iface).up, "tunnel down");
                }
            }
        }
        assert_others_unchanged(&after, before, device);
    }

    pub(super) fn check_foreach(&self, before: &[Option<Device<u8>>]) {
        let mut seen = Vec::new();
        self.captures.foreach(|info| seen.push(*info));
        let expected: Vec<usize> = (0..DEVICES)
            .filter(|d| before[*d].as_ref().is_some_and(|s| s.tunnel().is_some()))
            .collect();
        let listed: Vec<usize> = seen.iter().map(|i| i.device).collect();
        assert_eq!(listed, expected);
        for info in &seen {
            let state = before[info.device].as_ref().expect("valid");
            let tunnel = state.tunnel().expect("set up");
            assert_eq!(info.captured, state.captured_iface());
            assert_eq!(info.tunnel, tunnel.iface);
            assert_eq!(info.local, (tunnel.encap.local, tunnel.encap.local_port));
            assert_eq!(info.peer, (tunnel.encap.peer, tunnel.encap.peer_port));
        }
    }

    /// One capture went to `routes` (device indices): each counted exactly
    /// once, nobody else counted, and what was sent decodes to the frame.
    pub(super) fn after_delivery(
        &mut self,
        routes: &[usize],
        result: Result<(), Errno>,
        frame: &FrameSpec,
        before: &[Option<Device<u8>>],
        sent_before: usize,
    ) {
        // Tunnel refusals (`dropped_send`) come later, from the work queue,
        // and count packets: not part of the capture's own outcome.
        let total =
            |s: &StatsSnapshot| s.captured + s.dropped_nomem + s.dropped_other + s.skipped_feedback;
        let mut refused = false;
        let mut all_sent = true;
        let mut sent_routes = Vec::new();
        for device in 0..DEVICES {
            let now = self.captures.stats(device).expect("valid device");
            let then = self.stats[device];
            let expected = u32::from(routes.contains(&device));
            refused |= now.dropped_send > then.dropped_send;
            assert_eq!(
                total(&now) - total(&then),
                expected,
                "device {device} counted {then:?} -> {now:?}"
            );
            if expected == 1 {
                if now.captured > then.captured {
                    sent_routes.push(device);
                    self.reached.sent = true;
                    self.reached.fragmented |= now.fragmented > then.fragmented;
                    self.reached.truncated |= now.truncated > then.truncated;
                } else if now.skipped_feedback > then.skipped_feedback {
                    self.reached.feedback = true;
                    all_sent = false;
                } else {
                    all_sent = false;
                }
            }
        }
        if !routes.is_empty() {
            assert_eq!(result.is_ok(), all_sent, "result {result:?}");
        }
        let sent = self.stack.sent();
        let new = &sent[sent_before..];
        for packet in new {
            let device = before
                .iter()
                .flatten()
                .filter_map(Device::tunnel)
                .find(|t| t.iface == packet.tunnel)
                .expect("sent into a capture tunnel");
            let outer = IpVersion::of(&device.remote).header_len();
            let mtu = usize::from(self.stack.iface(device.lower).mtu) - outer;
            assert!(
                packet.bytes.len() <= mtu,
                "{}-byte tunnel packet, MTU {mtu}",
                packet.bytes.len()
            );
            assert_eq!(packet.version, IpVersion::of(&device.encap.local));
        }
        // Packets of a capture lost half-way (pool or send failure between
        // fragments) cannot be reassembled; only whole runs are decoded.
        let lost = refused || routes.len() != sent_routes.len() + self.feedback_count(routes);
        if lost || routes.is_empty() || self.queue_held {
            return;
        }
        let bytes = frame.bytes();
        let datagrams = decode::datagrams(new.iter().map(|p| p.bytes.as_slice()));
        assert_eq!(datagrams.len(), sent_routes.len());
        for (datagram, device) in datagrams.iter().zip(&sent_routes) {
            let tunnel = before[*device]
                .as_ref()
                .and_then(Device::tunnel)
                .expect("set up");
            assert_eq!(
                (datagram.src, datagram.dst),
                (tunnel.encap.local, tunnel.encap.peer)
            );
            assert_eq!(
                (datagram.src_port, datagram.dst_port),
                (tunnel.encap.local_port, tunnel.encap.peer_port)
            );
            assert!(datagram.payload.len() <= bytes.len());
            assert_eq!(datagram.payload, bytes[..datagram.payload.len()]);
            let now = self.captures.stats(*device).expect("valid");
            if datagram.payload.len() < bytes.len() {
                assert!(
                    now.truncated > self.stats[*device].truncated,
                    "cut but not counted"
                );
            }
        }
    }

    pub(super) fn feedback_count(&self, routes: &[usize]) -> usize {
        routes
            .iter()
            .filter(|d| {
                let now = self.captures.stats(**d).expect("valid");
                now.skipped_feedback > self.stats[**d].skipped_feedback
            })
            .count()
    }

    /// Invariants that hold between any two calls.
    pub(super) fn check_always(&mut self) {
        let pool = self.stack.pool();
        let queued = self.stack.queued();
        assert!(
            self.queue_held || queued == 0,
            "{queued} packets left queued"
        );
        assert_eq!(pool.packets(), queued, "capture pool leak");
        if queued == 0 {
            assert_eq!(pool.in_use(), 0, "capture pool leak");
        }
        let enabled = (0..DEVICES).any(|d| self.captures.is_enabled(d));
        assert_eq!(self.captures.any_enabled(), enabled, "any_enabled");
        for device in 0..DEVICES {
            let now = self.captures.stats(device).expect("valid device");
            let then = self.stats[device];
            let pairs = [
                (then.captured, now.captured),
                (then.fragmented, now.fragmented),
                (then.truncated, now.truncated),
                (then.dropped_nomem, now.dropped_nomem),
                (then.dropped_send, now.dropped_send),
                (then.dropped_other, now.dropped_other),
                (then.skipped_feedback, now.skipped_feedback),
                (then.cooked_captured, now.cooked_captured),
                (then.cooked_dropped, now.cooked_dropped),
            ];
            assert!(
                pairs.iter().all(|(a, b)| a <= b),
                "counter decreased: {then:?} -> {now:?}"
            );
            assert!(now.fragmented + now.truncated <= now.captured, "{now:?}");
            assert!(now.cooked_captured <= now.captured, "{now:?}");
            assert!(
                now.cooked_dropped <= now.dropped_nomem + now.dropped_send + now.dropped_other,
                "{now:?}"
            );
            self.stats[device] = now;
        }
        let eth = self.stack.iface(1);
        assert_eq!(eth.mtu, self.original[0].mtu, "carrier MTU changed");
        self.stack.take_logs();
    }
}

/// A call on one device leaves every other device as it was.
fn assert_others_unchanged<T: PartialEq + core::fmt::Debug>(
    after: &[T],
    before: &[T],
    device: usize,
) {
    assert_eq!(after.len(), before.len(), "device count changed");
    for (d, (now, was)) in after.iter().zip(before).enumerate() {
        if d != device {
            assert_eq!(now, was, "device {d} changed by a call on device {device}");
        }
    }
}
