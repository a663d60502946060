//! Applies one call to the capture devices and records what the checks
//! in `checks` compare against.

use fake_stack::{FakeIface, FakeStack, Op as FailOp};
use zephyr_net_capture::capture::{Captures, Device, StatsSnapshot};
use zephyr_net_capture::errno::Errno;

use super::{Op, Reached, Topology, DEVICES};

/// Operations whose failure during setup's rollback, a cleanup or a
/// disable leaves a tunnel changed by design (the failure is logged, and
/// nothing more can be done); runs that inject them skip the
/// "tunnel restored" checks from then on.
const RESTORING: [FailOp; 4] = [
    FailOp::Attach,
    FailOp::SetMtu,
    FailOp::RemoveAddress,
    FailOp::Down,
];

pub(super) struct Harness {
    pub stack: FakeStack,
    pub captures: Captures<FakeStack, DEVICES>,
    pub(super) original: Vec<FakeIface>,
    pub(super) tunnels: Vec<u8>,
    pub(super) iface_count: u8,
    pub(super) stats: Vec<StatsSnapshot>,
    /// A restoring operation may have failed: tunnel state is not checked.
    pub(super) tainted: bool,
    /// The "system work queue" does not run: captures stay queued (until
    /// a cleanup sends them, or the queue runs again).
    pub(super) queue_held: bool,
    pub reached: Reached,
}

impl Harness {
    pub fn new(topology: &Topology) -> Harness {
        let stack = topology.build();
        let captures = stack.captures::<DEVICES>();
        let original = stack.world().ifaces.clone();
        Harness {
            tunnels: (2..2 + topology.tunnel_count()).collect(),
            iface_count: topology.iface_count(),
            original,
            captures,
            stack,
            stats: vec![StatsSnapshot::default(); DEVICES],
            tainted: false,
            queue_held: false,
            reached: Reached::default(),
        }
    }

    /// An interface index: 0 and one past the last are unregistered.
    pub fn iface(&self, raw: u8) -> u8 {
        raw % (self.iface_count + 2)
    }

    /// A device index: a few past the last are invalid.
    pub fn device(raw: u8) -> usize {
        usize::from(raw) % (DEVICES + 2)
    }

    pub(super) fn devices(&self) -> Vec<Option<Device<u8>>> {
        (0..DEVICES + 2).map(|d| self.captures.device(d)).collect()
    }

    pub(super) fn restoring_failure_pending(&self) -> bool {
        let world = self.stack.world();
        RESTORING
            .iter()
            .any(|op| world.failures.get(op).is_some_and(|(count, _)| *count > 0))
    }

    /// What the system work queue does after a capture, unless held.
    fn run_workqueue(&self) {
        if !self.queue_held {
            self.stack.run_workqueue(&self.captures);
        }
    }

    pub fn apply(&mut self, op: &Op) {
        let before = self.devices();
        let ifaces_before = self.stack.world().ifaces.clone();
        let sent_before = self.stack.sent().len();
        self.stack.take_calls();
        if matches!(op, Op::Setup { .. } | Op::Cleanup(_) | Op::Disable(_))
            && self.restoring_failure_pending()
        {
            self.tainted = true;
        }
        match op {
            Op::Setup {
                remote,
                local,
                peer,
            } => {
                let result = self
                    .captures
                    .setup(&remote.bytes(), &local.bytes(), &peer.bytes());
                self.after_setup(result, &before, &ifaces_before);
            }
            Op::Cleanup(raw) => {
                let device = Self::device(*raw);
                let result = self.captures.cleanup(device);
                self.after_cleanup(device, result, &before);
            }
            Op::Enable { device, iface } => {
                let (device, iface) = (Self::device(*device), self.iface(*iface));
                let result = self.captures.enable(device, iface);
                self.after_enable(device, iface, result, &before);
            }
            Op::Disable(raw) => {
                let device = Self::device(*raw);
                let result = self.captures.disable(device);
                self.after_disable(device, result, &before);
            }
            Op::IsEnabled(raw) => {
                let device = Self::device(*raw);
                let enabled = before[device].as_ref().is_some_and(Device::is_enabled);
                assert_eq!(self.captures.is_enabled(device), enabled);
            }
            Op::Foreach => self.check_foreach(&before),
            Op::Capture { iface, frame } => {
                let iface = self.iface(*iface);
                let routes: Vec<usize> = (0..DEVICES)
                    .filter(|d| before[*d].as_ref().and_then(Device::captured_iface) == Some(iface))
                    .collect();
                let result = self.captures.capture(iface, &frame.frame());
                self.run_workqueue();
                if frame.captured {
                    assert_eq!(result, Err(Errno::Already));
                } else if routes.is_empty() {
                    assert_eq!(result, Err(Errno::NoEnt));
                }
                let routes = if frame.captured { Vec::new() } else { routes };
                self.after_delivery(&routes, result, frame, &before, sent_before);
            }
            Op::Send { device, frame } => {
                let device = Self::device(*device);
                let set_up = before[device]
                    .as_ref()
                    .is_some_and(|d| d.tunnel().is_some());
                let result = self.captures.send(device, &frame.frame());
                self.run_workqueue();
                if frame.captured {
                    assert_eq!(result, Err(Errno::Already));
                } else if !set_up {
                    assert_eq!(result, Err(Errno::NoEnt));
                }
                let routes = if set_up && !frame.captured {
                    vec![device]
                } else {
                    Vec::new()
                };
                self.after_delivery(&routes, result, frame, &before, sent_before);
            }
            Op::Fail { op, count, io } => {
                let errno = if *io { Errno::Io } else { Errno::Stack(-5) };
                self.stack.fail(*op, usize::from(count % 4), errno);
            }
            Op::HoldQueue(held) => {
                self.queue_held = *held;
                self.run_workqueue();
            }
            // The oversize policy is a build constant: it changes with a
            // "new image", i.e. new devices, while none is set up.
            Op::Truncate(on) => {
                let idle = (0..DEVICES).all(|d| self.captures.device(d) == Some(Device::Free));
                if idle {
                    self.stack.world().oversize = if *on {
                        zephyr_net_capture::wire::tunnel::Oversize::Truncate
                    } else {
                        zephyr_net_capture::wire::tunnel::Oversize::Fragment
                    };
                    self.captures = self.stack.captures::<DEVICES>();
                    self.stats = vec![StatsSnapshot::default(); DEVICES];
                }
            }
        }
        self.check_always();
    }

    /// Cleans every device up with no failure injected and checks that
    /// everything is back as it started.
    pub fn finish(&mut self) {
        {
            let mut world = self.stack.world();
            world.failures.clear();
        }
        self.queue_held = false;
        self.run_workqueue();
        for device in 0..DEVICES {
            self.apply(&Op::Cleanup(device as u8));
        }
        assert!(!self.captures.any_enabled());
        for device in 0..DEVICES {
            assert_eq!(self.captures.device(device), Some(Device::Free));
        }
        let now = self.stack.world().ifaces.clone();
        for (index, (iface, original)) in now.iter().zip(&self.original).enumerate() {
            let is_tunnel = self.tunnels.contains(&(index as u8 + 1));
            if !is_tunnel {
                // Only tunnels are ever changed.
                assert_eq!(iface, original, "interface {} changed", index + 1);
            } else if !self.tainted {
                assert_eq!(
                    FakeIface {
                        peer: None,
                        ..iface.clone()
                    },
                    *original,
                    "tunnel {} not restored",
                    index + 1
                );
            }
        }
    }
}
