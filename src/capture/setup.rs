//! `net_capture_setup()` and the cleanup slot: configure a free tunnel for
//! a free device, and put everything back.
//!
//! Setup validates all input before touching the stack, then makes its
//! changes in a fixed order ([`Step`]); on failure it reverts the ones it
//! made, last first, so a failed setup leaves the stack as it found it
//! (spec W6). Cleanup reverts them all. The carrying
//! interface's MTU is never changed (spec W3, W5): tunnel packets are sized
//! to fit it instead (see [`crate::wire::tunnel`]).

use crate::errno::{Errno, Result};
use crate::log::{Arg, Message};
use crate::wire::endpoint::{self, Endpoint};
use crate::wire::tunnel::Encap;
use crate::wire::IpAddr;

use super::device::{Device, Saved, Tunnel};
use super::stack::{Event, Families, IfaceKind, IpVersion, Lock, Stack};
use super::{device_arg, Captures, TUNNEL_L2_NAME};
use crate::log::Level;

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

/// Reverts the first `done` steps on `tunnel`, last first, putting back
/// what `saved` recorded; failures are logged and the rest still reverted.
fn revert<S: Stack>(stack: &S, tunnel: S::Iface, local: &IpAddr, saved: &Saved, done: usize) {
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
            stack.log(&Message {
                level: Level::Warning,
                template: "Cannot undo a tunnel change ({})",
                args: &[err.arg()],
            });
        }
    }
}

/// Where a new device's tunnel goes.
struct Plan<I> {
    remote: IpAddr,
    lower: I,
    encap: Encap,
    tunnel_mtu: u16,
}

impl<S: Stack, const N: usize> Captures<S, N> {
    /// `net_capture_setup()`: sets up the lowest free device with a tunnel
    /// to `remote` carrying UDP from `local` to `peer`, and returns its
    /// index. The strings are the bytes of the C strings.
    pub fn setup(&self, remote: &[u8], local: &[u8], peer: &[u8]) -> Result<usize> {
        let plan = self.validate(remote, local, peer)?;
        self.control.with(|()| self.claim_and_apply(&plan))
    }

    fn parse(&self, role: &str, text: &[u8]) -> Result<Endpoint> {
        let endpoint = endpoint::parse_with(text, self.stack.addr_syntax()).map_err(|err| {
            self.log(
                Level::Error,
                "IPIP tunnel {} address \"{}\" invalid ({})",
                &[Arg::Str(role), Arg::Untrusted(text), Arg::Str(err.reason())],
            );
            Errno::Inval
        })?;
        if !self.stack.supports(&endpoint.addr) {
            self.log(
                Level::Error,
                "IPIP tunnel {} address \"{}\": IP version not enabled",
                &[Arg::Str(role), Arg::Untrusted(text)],
            );
            return Err(Errno::Inval);
        }
        Ok(endpoint)
    }

    /// Everything that can be checked without changing anything.
    fn validate(&self, remote: &[u8], local: &[u8], peer: &[u8]) -> Result<Plan<S::Iface>> {
        let remote = self.parse("remote", remote)?.addr;
        let local = self.parse("local", local)?;
        let peer = self.parse("peer", peer)?;
        if local.addr.is_ipv4() != peer.addr.is_ipv4() {
            self.log(
                Level::Error,
                "Tunnel local {} and peer {} are not of the same IP version",
                &[Arg::Ip(local.addr), Arg::Ip(peer.addr)],
            );
            return Err(Errno::Inval);
        }
        let lower = match self.stack.route(&remote) {
            Some(lower) if matches!(self.stack.iface_kind(lower), IfaceKind::Link(_)) => lower,
            found => {
                // The C code fell back to any default interface, even a
                // virtual or pseudo one (spec W9).
                self.log(
                    Level::Error,
                    "Remote address {} unreachable ({})",
                    &[
                        Arg::Ip(remote),
                        Arg::Str(if found.is_some() {
                            "route leads to a virtual interface"
                        } else {
                            "no interface with a source address leads there"
                        }),
                    ],
                );
                return Err(Errno::NetUnreach);
            }
        };
        let encap = Encap {
            local: local.addr,
            peer: peer.addr,
            local_port: local.port_or_default(),
            peer_port: peer.port_or_default(),
        };
        let lower_mtu = self.stack.mtu(lower);
        let outer = IpVersion::of(&remote).header_len();
        let tunnel_mtu = usize::from(lower_mtu).saturating_sub(outer);
        if encap.plan(0, tunnel_mtu, self.stack.oversize(), 0).is_err() {
            self.log(
                Level::Error,
                "MTU {} of the interface towards {} is too small",
                &[Arg::Int(i64::from(lower_mtu)), Arg::Ip(remote)],
            );
            return Err(Errno::Inval);
        }
        Ok(Plan {
            remote,
            lower,
            encap,
            tunnel_mtu: u16::try_from(tunnel_mtu).map_err(|_| Errno::Inval)?,
        })
    }

    /// Picks a free device and a free tunnel and configures it.
    fn claim_and_apply(&self, plan: &Plan<S::Iface>) -> Result<usize> {
        let device = self.table.with(|table| table.first_free()).ok_or_else(|| {
            self.log(
                Level::Error,
                "No free capture device (CONFIG_NET_CAPTURE_DEVICE_COUNT={})",
                &[Arg::Int(i64::try_from(N).unwrap_or(i64::MAX))],
            );
            Errno::NoMem
        })?;
        let tunnel = self.free_tunnel()?;
        let saved = Saved {
            mtu: self.stack.mtu(tunnel),
            families: self.stack.families(tunnel),
            l2_name: self.stack.l2_name(tunnel),
        };
        match self.apply(plan, tunnel) {
            Ok(()) => {
                let state = Device::SetUp(Tunnel {
                    iface: tunnel,
                    lower: plan.lower,
                    remote: plan.remote,
                    encap: plan.encap,
                    saved,
                });
                self.update(|table| {
                    if let Some(slot) = table.get_mut(device) {
                        *slot = state;
                    }
                });
                if let Some(stats) = self.stats.get(device) {
                    stats.rearm_logging();
                }
                Ok(device)
            }
            Err((err, done)) => {
                revert(&self.stack, tunnel, &plan.encap.local, &saved, done);
                Err(err)
            }
        }
    }

    /// The first IPIP tunnel no device owns, that is down and detached (the
    /// C code took the last one whatever its state, spec W7).
    fn free_tunnel(&self) -> Result<S::Iface> {
        let mut seen = false;
        let mut free = None;
        self.stack.for_each_tunnel(&mut |iface| {
            seen = true;
            if free.is_none()
                && !self.table.with(|table| table.owns_tunnel(iface))
                && !self.stack.is_up(iface)
                && self.stack.lower_iface(iface).is_none()
            {
                free = Some(iface);
            }
        });
        free.ok_or_else(|| {
            self.log(
                Level::Error,
                "{} (CONFIG_NET_L2_IPIP_TUNNEL_COUNT)",
                &[Arg::Str(if seen {
                    "Every IPIP interface is in use"
                } else {
                    "Cannot find an IPIP interface"
                })],
            );
            if seen {
                Errno::Busy
            } else {
                Errno::NoEnt
            }
        })
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
            let (what, result) = match step {
                Step::Attach => ("attach the carrier", stack.attach(tunnel, Some(plan.lower))),
                Step::Peer => (
                    "set the peer address",
                    stack.set_tunnel_peer(tunnel, &plan.remote),
                ),
                Step::Mtu => ("set the MTU", stack.set_tunnel_mtu(tunnel, plan.tunnel_mtu)),
                Step::Families => {
                    stack.set_families(tunnel, Families::only(&plan.encap.local));
                    ("enable the IP version", Ok(()))
                }
                Step::Address => (
                    "add the local address",
                    stack.add_address(tunnel, &plan.encap.local),
                ),
                Step::Name => {
                    stack.set_l2_name(tunnel, TUNNEL_L2_NAME);
                    ("name", Ok(()))
                }
            };
            if let Err(err) = result {
                self.log(
                    Level::Error,
                    "Cannot {} of the capture tunnel ({})",
                    &[Arg::Str(what), err.arg()],
                );
                return Err((err, done));
            }
        }
        Ok(())
    }

    /// The cleanup slot: stops capture if on, and puts the tunnel back as
    /// setup found it. A device that is not set up gives `ENOENT` (the C
    /// code dereferenced a NULL tunnel, spec W1).
    pub fn cleanup(&self, device: usize) -> Result<()> {
        let stopped = self.control.with(|()| {
            let state = self.update(|table| {
                table
                    .get_mut(device)
                    .map(|slot| core::mem::replace(slot, Device::Free))
            });
            let (tunnel, captured) = match state.ok_or(Errno::Inval)? {
                Device::Free => {
                    self.log(
                        Level::Warning,
                        "Cleanup of NET_CAPTURE{}, which is not set up",
                        &[device_arg(device)],
                    );
                    return Err(Errno::NoEnt);
                }
                Device::SetUp(tunnel) => (tunnel, None),
                Device::Enabled { tunnel, iface, .. } => (tunnel, Some(iface)),
            };
            if captured.is_some() {
                if let Err(err) = self.stack.down(tunnel.iface) {
                    self.log(
                        Level::Warning,
                        "Cannot take the capture tunnel down ({})",
                        &[err.arg()],
                    );
                }
            }
            revert(
                &self.stack,
                tunnel.iface,
                &tunnel.encap.local,
                &tunnel.saved,
                STEPS.len(),
            );
            Ok(captured)
        })?;
        if let Some(iface) = stopped {
            self.stack.notify(Event::Stopped, Some(iface));
        }
        Ok(())
    }
}
