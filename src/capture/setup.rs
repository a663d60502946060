//! `net_capture_setup()` and the cleanup slot: configure a free tunnel for
//! a free device, and put everything back.
//!
//! Setup validates all input before touching the stack, then makes its
//! changes in a fixed order ([`Step`]); on failure it reverts the ones it
//! made, last first, so a failed setup leaves the stack as it found it
//! (W6). Cleanup reverts them all. The carrying interface's MTU is never
//! changed (W3, W5): tunnel packets are sized to fit it instead (see
//! [`crate::wire::tunnel`]).

use core::ffi::CStr;
use core::sync::atomic::Ordering;

use crate::errno::{Errno, Result};
use crate::log::{Arg, Level};
use crate::wire::endpoint::{self, Endpoint};
use crate::wire::tunnel::Encap;
use crate::wire::IpAddr;

use super::device::{Device, Saved, Tunnel};
use super::platform::{ControlLock, ControlPlane, Event, Families, IfaceKind, IpVersion, Lock};
use super::{device_arg, Captures, TUNNEL_L2_NAME};

/// The changes setup makes to a tunnel, in the order it makes them. A
/// failed setup reverts the ones it made, in reverse; cleanup reverts all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Attached to the carrier.
    Attach,
    /// Outer peer set (IPIP also renames the interface's L2).
    Peer,
    /// MTU set.
    Mtu,
    /// Only the local address's IP family enabled.
    Families,
    /// Local address added.
    Address,
    /// L2 named "Capture tunnel".
    Name,
}

const STEPS: [Step; 6] = [
    Step::Attach,
    Step::Peer,
    Step::Mtu,
    Step::Families,
    Step::Address,
    Step::Name,
];

/// Where a new device's tunnel goes.
struct Plan<I> {
    remote: IpAddr,
    lower: I,
    encap: Encap,
    tunnel_mtu: u16,
}

/// Why setup refused its arguments: the message to log and the errno.
struct Refusal<'t> {
    errno: Errno,
    format: &'static CStr,
    /// The caller's text, shown (sanitised) as the first `%s`.
    text: Option<&'t [u8]>,
    args: [Arg; 2],
}

impl Refusal<'_> {
    fn plain(errno: Errno, format: &'static CStr, arg: Arg) -> Self {
        Refusal {
            errno,
            format,
            text: None,
            args: [arg, Arg::Int(0)],
        }
    }
}

/// Logged when a control call is made from inside another one.
pub(crate) const REENTERED: &CStr =
    c"Capture control call from inside another one (an event handler?) refused";

impl<S: ControlPlane, const N: usize> Captures<S, N> {
    /// `net_capture_setup()`: sets up the lowest free device with a tunnel
    /// to `remote` carrying UDP from `local` to `peer`, and returns its
    /// index. The strings are the bytes of the C strings.
    pub fn setup(&self, remote: &[u8], local: &[u8], peer: &[u8]) -> Result<usize> {
        // Borrowed from the result, not moved out: a move copies the plan
        // to a second stack slot, and setup runs on small stacks (main).
        let validated = self.validate(remote, local, peer);
        let plan = match &validated {
            Ok(plan) => plan,
            Err(refusal) => return Err(self.refuse(refusal)),
        };
        let Some(_control) = self.control.enter() else {
            self.stack.log(Level::Error, REENTERED, &[]);
            return Err(Errno::Busy);
        };
        self.claim_and_apply(plan)
    }

    /// Logs why setup refused its arguments. Validation only returns the
    /// reason: logging here, after its frames are gone, keeps the deepest
    /// call of setup shallow.
    #[inline(never)]
    fn refuse(&self, refusal: &Refusal<'_>) -> Errno {
        match refusal.text {
            Some(text) => self
                .stack
                .log_text(Level::Error, refusal.format, text, &refusal.args),
            None => self.stack.log(Level::Error, refusal.format, &refusal.args),
        }
        refusal.errno
    }

    fn parse<'t>(
        &self,
        role: &'static CStr,
        text: &'t [u8],
    ) -> core::result::Result<Endpoint, Refusal<'t>> {
        let invalid = |why: &'static CStr| Refusal {
            errno: Errno::Inval,
            format: c"\"%s\": invalid %s address (%s)",
            text: Some(text),
            args: [Arg::Str(role), Arg::Str(why)],
        };
        endpoint::check_bounds(text).map_err(|err| invalid(err.reason()))?;
        let endpoint = self
            .stack
            .parse_endpoint(text)
            .ok_or_else(|| invalid(c"malformed address"))?;
        if !self.stack.supports(IpVersion::of(&endpoint.addr)) {
            return Err(invalid(c"IP version not enabled"));
        }
        Ok(endpoint)
    }

    /// Everything that can be checked without changing anything.
    fn validate<'t>(
        &self,
        remote: &'t [u8],
        local: &'t [u8],
        peer: &'t [u8],
    ) -> core::result::Result<Plan<S::Iface>, Refusal<'t>> {
        let remote_addr = self.parse(c"remote", remote)?.addr;
        let local = self.parse(c"local", local)?;
        let peer = self.parse(c"peer", peer)?;
        if local.addr.is_ipv4() != peer.addr.is_ipv4() {
            return Err(Refusal::plain(
                Errno::Inval,
                c"Tunnel local and peer addresses are not of the same IP version",
                Arg::Int(0),
            ));
        }
        let lower = match self.stack.route(&remote_addr) {
            Some(lower) if matches!(self.stack.iface_kind(lower), IfaceKind::Link(_)) => lower,
            found => {
                // The C code fell back to any default interface, even a
                // virtual or pseudo one (W9).
                let why: &'static CStr = if found.is_some() {
                    c"route leads to a virtual interface"
                } else {
                    c"no interface with a source address leads there"
                };
                return Err(Refusal {
                    errno: Errno::NetUnreach,
                    format: c"\"%s\": remote address unreachable (%s)",
                    text: Some(remote),
                    args: [Arg::Str(why), Arg::Int(0)],
                });
            }
        };
        let encap = Encap {
            local: local.addr,
            peer: peer.addr,
            local_port: local.port_or_default(),
            peer_port: peer.port_or_default(),
        };
        let lower_mtu = self.stack.mtu(lower);
        let outer = IpVersion::of(&remote_addr).header_len();
        let tunnel_mtu = usize::from(lower_mtu).saturating_sub(outer);
        let too_small = Refusal::plain(
            Errno::Inval,
            c"MTU %ld of the interface towards the remote is too small",
            Arg::Int(i32::from(lower_mtu)),
        );
        if encap.plan(0, tunnel_mtu, self.config.oversize, 0).is_err() {
            return Err(too_small);
        }
        Ok(Plan {
            remote: remote_addr,
            lower,
            encap,
            tunnel_mtu: u16::try_from(tunnel_mtu).map_err(|_| too_small)?,
        })
    }

    /// Picks a free device and a free tunnel and configures it.
    fn claim_and_apply(&self, plan: &Plan<S::Iface>) -> Result<usize> {
        let Some(device) = self.table.lock().first_free() else {
            self.stack.log(
                Level::Error,
                c"No free capture device (CONFIG_NET_CAPTURE_DEVICE_COUNT=%ld)",
                &[Arg::count(N)],
            );
            return Err(Errno::NoMem);
        };
        let tunnel = self.free_tunnel()?;
        let saved = Saved {
            mtu: self.stack.mtu(tunnel),
            families: self.stack.families(tunnel),
            l2_name: self.stack.l2_name(tunnel),
        };
        if let Err((err, done)) = self.apply(plan, tunnel) {
            self.revert(tunnel, &plan.encap.local, &saved, done);
            return Err(err);
        }
        {
            let mut table = self.table.lock();
            if let Some(slot) = table.get_mut(device) {
                *slot = Device::SetUp(Tunnel {
                    iface: tunnel,
                    lower: plan.lower,
                    remote: plan.remote,
                    encap: plan.encap,
                    saved,
                });
            }
        }
        if let Some(stats) = self.stats.get(device) {
            stats.rearm_logging();
        }
        Ok(device)
    }

    /// The first IPIP tunnel no device owns, that is down and detached (the
    /// C code took the last one whatever its state, W7).
    fn free_tunnel(&self) -> Result<S::Iface> {
        let mut seen = false;
        let mut candidate = self.stack.tunnel_after(None);
        while let Some(iface) = candidate {
            seen = true;
            let owned = self.table.lock().owns_tunnel(iface);
            if !owned && !self.stack.is_up(iface) && self.stack.lower_iface(iface).is_none() {
                return Ok(iface);
            }
            candidate = self.stack.tunnel_after(Some(iface));
        }
        let (why, err): (&'static CStr, Errno) = if seen {
            (c"Every IPIP interface is in use", Errno::Busy)
        } else {
            (c"Cannot find an IPIP interface", Errno::NoEnt)
        };
        self.stack.log(
            Level::Error,
            c"%s (CONFIG_NET_L2_IPIP_TUNNEL_COUNT)",
            &[Arg::Str(why)],
        );
        Err(err)
    }

    /// Makes the changes of [`STEPS`] on `tunnel`; on failure, returns the
    /// error and how many steps were made.
    fn apply(
        &self,
        plan: &Plan<S::Iface>,
        tunnel: S::Iface,
    ) -> core::result::Result<(), (Errno, usize)> {
        let stack = &self.stack;
        for (done, step) in STEPS.iter().enumerate() {
            // Attach first, so IPIP does not pick a carrier of its own
            // when it learns the peer.
            let (what, result): (&'static CStr, _) = match step {
                Step::Attach => (
                    c"attach the carrier",
                    stack.attach(tunnel, Some(plan.lower)),
                ),
                Step::Peer => (
                    c"set the peer address",
                    stack.set_tunnel_peer(tunnel, &plan.remote),
                ),
                Step::Mtu => (
                    c"set the MTU",
                    stack.set_tunnel_mtu(tunnel, plan.tunnel_mtu),
                ),
                Step::Families => {
                    stack.set_families(tunnel, Families::only(&plan.encap.local));
                    (c"enable the IP version", Ok(()))
                }
                Step::Address => (
                    c"add the local address",
                    stack.add_address(tunnel, &plan.encap.local),
                ),
                Step::Name => {
                    stack.set_l2_name(tunnel, TUNNEL_L2_NAME);
                    (c"name", Ok(()))
                }
            };
            if let Err(err) = result {
                stack.log(
                    Level::Error,
                    c"Cannot %s of the capture tunnel (%ld)",
                    &[Arg::Str(what), Arg::Errno(err)],
                );
                return Err((err, done));
            }
        }
        Ok(())
    }

    /// Reverts the first `done` steps on `tunnel`, last first, putting back
    /// what `saved` recorded; failures are logged and the rest still
    /// reverted.
    fn revert(&self, tunnel: S::Iface, local: &IpAddr, saved: &Saved, done: usize) {
        let stack = &self.stack;
        for step in STEPS.iter().take(done).rev() {
            let result = match step {
                Step::Attach => stack.attach(tunnel, None),
                // A peer cannot be unset; the detached, down tunnel ignores
                // it. IPIP renamed the L2 when it learnt the peer.
                Step::Peer | Step::Name => {
                    stack.set_l2_name(tunnel, &saved.l2_name);
                    Ok(())
                }
                Step::Mtu => stack.set_tunnel_mtu(tunnel, saved.mtu),
                Step::Families => {
                    stack.set_families(tunnel, saved.families);
                    Ok(())
                }
                Step::Address => stack.remove_address(tunnel, local),
            };
            if let Err(err) = result {
                stack.log(
                    Level::Warning,
                    c"Cannot undo a tunnel change (%ld)",
                    &[Arg::Errno(err)],
                );
            }
        }
    }

    /// The cleanup slot: stops capture if on, waits until no capture with
    /// the device's addresses is still being built and sends what is
    /// queued (so a new setup of the same tunnel never carries the old
    /// addresses), and puts the tunnel back as setup found it. A device that is not set up gives `ENOENT` (the
    /// C code dereferenced a NULL tunnel, W1).
    pub fn cleanup(&self, device: usize) -> Result<()> {
        let Some(_control) = self.control.enter() else {
            self.stack.log(Level::Error, REENTERED, &[]);
            return Err(Errno::Busy);
        };
        let state = {
            let mut table = self.table.lock();
            let state = table
                .get_mut(device)
                .map(|slot| core::mem::replace(slot, Device::Free));
            self.publish(&table);
            state
        };
        let (tunnel, captured) = match state.ok_or(Errno::Inval)? {
            Device::Free => {
                self.stack.log(
                    Level::Warning,
                    c"Cleanup of NET_CAPTURE%ld, which is not set up",
                    &[device_arg(device)],
                );
                return Err(Errno::NoEnt);
            }
            Device::SetUp(tunnel) => (tunnel, None),
            Device::Enabled { tunnel, iface, .. } => (tunnel, Some(iface)),
        };
        self.quiesce(device);
        self.send_queued();
        if captured.is_some() {
            if let Err(err) = self.stack.down(tunnel.iface) {
                self.stack.log(
                    Level::Warning,
                    c"Cannot take the capture tunnel down (%ld)",
                    &[Arg::Errno(err)],
                );
            }
        }
        self.revert(
            tunnel.iface,
            &tunnel.encap.local,
            &tunnel.saved,
            STEPS.len(),
        );
        if let Some(iface) = captured {
            self.stack.notify(Event::Stopped, Some(iface));
        }
        Ok(())
    }

    /// Waits, a bounded number of pauses, until no route of `device` is in
    /// flight. A capture still being built after that (only possible when
    /// cleanup is called from the very thread that is building it) may
    /// still leave with the old addresses; that is logged.
    fn quiesce(&self, device: usize) {
        let Some(count) = self.in_flight.get(device) else {
            return;
        };
        for _ in 0..self.config.quiesce_pauses {
            if count.load(Ordering::Acquire) == 0 {
                return;
            }
            self.stack.pause();
        }
        if count.load(Ordering::Acquire) != 0 {
            self.stack.log(
                Level::Warning,
                c"NET_CAPTURE%ld: a capture is still being built during cleanup",
                &[device_arg(device)],
            );
        }
    }
}
