//! The enable, disable and is_enabled slots, and foreach.

use crate::errno::{Errno, Result};
use crate::wire::feedback::Link;

use super::device::Device;
use super::stack::{Event, IfaceKind, Lock, Stack};
use super::{device_arg, Captures, DeviceInfo};
use crate::log::Arg;
use crate::log::Level;

impl<S: Stack, const N: usize> Captures<S, N> {
    /// The enable slot: starts capturing `iface` into the device's tunnel.
    ///
    /// Refuses (`EINVAL`) interfaces that are not registered, the "any"
    /// pseudo interface (capturing it shared live cooked packets and
    /// crashed, spec W28) and capture tunnels (spec W18). The STARTED event
    /// is raised once the tunnel is up, and an error is returned if it
    /// cannot come up (spec W17).
    pub fn enable(&self, device: usize, iface: S::Iface) -> Result<()> {
        self.control.with(|()| {
            let state = self.table.with(|table| {
                table
                    .get(device)
                    .map(|state| (state.tunnel().map(|t| t.iface), state.is_enabled()))
            });
            let tunnel = match state.ok_or(Errno::Inval)? {
                (None, _) => {
                    self.log(
                        Level::Warning,
                        "NET_CAPTURE{} is not set up",
                        &[device_arg(device)],
                    );
                    return Err(Errno::NoEnt);
                }
                (Some(_), true) => return Err(Errno::Already),
                (Some(tunnel), false) => tunnel,
            };
            let link = self.capturable(iface)?;
            if let Err(err) = self.stack.up(tunnel) {
                self.log(
                    Level::Error,
                    "Cannot bring the capture tunnel up ({})",
                    &[err.arg()],
                );
                return Err(err);
            }
            self.update(|table| {
                if let Some(slot) = table.get_mut(device) {
                    *slot = match core::mem::replace(slot, Device::Free) {
                        Device::SetUp(tunnel) => Device::Enabled {
                            tunnel,
                            iface,
                            link,
                        },
                        // Control operations are serialised: still set up.
                        other => other,
                    };
                }
            });
            Ok(())
        })?;
        self.stack.notify(Event::Started, Some(iface));
        Ok(())
    }

    /// How frames of `iface` begin, if it may be captured.
    fn capturable(&self, iface: S::Iface) -> Result<Link> {
        let refuse = |why: &str| {
            let index = self.stack.iface_index(iface).unwrap_or(-1);
            self.log(
                Level::Error,
                "Cannot capture interface {}: {}",
                &[Arg::Int(i64::from(index)), Arg::Str(why)],
            );
            Err(Errno::Inval)
        };
        if self.stack.iface_index(iface).is_none() {
            return refuse("not a registered interface");
        }
        match self.stack.iface_kind(iface) {
            IfaceKind::Link(link) => Ok(link),
            IfaceKind::Pseudo => refuse("the \"any\" interface; capture the cooked interface"),
            IfaceKind::IpipTunnel if self.table.with(|table| table.owns_tunnel(iface)) => {
                refuse("it is a capture tunnel")
            }
            IfaceKind::IpipTunnel | IfaceKind::OtherVirtual => Ok(Link::Other),
        }
    }

    /// The disable slot. `ENOENT` if the device is not set up, `EALREADY`
    /// if it is not capturing; the STOPPED event is raised only when
    /// capture really stops (the C code raised it on every call, spec W17).
    pub fn disable(&self, device: usize) -> Result<()> {
        let stopped = self.control.with(|()| {
            let taken = self.update(|table| {
                let slot = table.get_mut(device).ok_or(Errno::Inval)?;
                match core::mem::replace(slot, Device::Free) {
                    Device::Enabled { tunnel, iface, .. } => {
                        let tunnel_iface = tunnel.iface;
                        *slot = Device::SetUp(tunnel);
                        Ok((tunnel_iface, iface))
                    }
                    other => {
                        let err = if matches!(other, Device::Free) {
                            Errno::NoEnt
                        } else {
                            Errno::Already
                        };
                        *slot = other;
                        Err(err)
                    }
                }
            });
            let (tunnel_iface, iface) = taken?;
            if let Err(err) = self.stack.down(tunnel_iface) {
                self.log(
                    Level::Warning,
                    "Cannot take the capture tunnel down ({})",
                    &[err.arg()],
                );
            }
            Ok(iface)
        })?;
        self.stack.notify(Event::Stopped, Some(stopped));
        Ok(())
    }

    /// The is_enabled slot.
    pub fn is_enabled(&self, device: usize) -> bool {
        self.table
            .with(|table| table.get(device).is_some_and(Device::is_enabled))
    }

    /// `net_capture_foreach()`: calls `f` for each set-up device, in index
    /// order, with no lock held (`f` may call the capture API).
    pub fn foreach(&self, mut f: impl FnMut(&DeviceInfo<S::Iface>)) {
        let infos = self.control.with(|()| {
            self.table.with(|table| {
                let mut infos = heapless::Vec::<DeviceInfo<S::Iface>, N>::new();
                for (device, state) in table.iter() {
                    let Some(tunnel) = state.tunnel() else {
                        continue;
                    };
                    // At most one entry per device: cannot overflow.
                    let _ = infos.push(DeviceInfo {
                        device,
                        captured: state.captured_iface(),
                        tunnel: tunnel.iface,
                        local: (tunnel.encap.local, tunnel.encap.local_port),
                        peer: (tunnel.encap.peer, tunnel.encap.peer_port),
                    });
                }
                infos
            })
        });
        for info in &infos {
            f(info);
        }
    }
}
