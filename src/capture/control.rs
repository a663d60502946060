//! The enable, disable and is_enabled slots, and foreach.

use core::ffi::CStr;

use crate::errno::{Errno, Result};
use crate::log::{Arg, Level};
use crate::wire::feedback::Link;

use super::device::Device;
use super::platform::{ControlLock, ControlPlane, DataPlane, Event, IfaceKind, Lock};
use super::setup::REENTERED;
use super::{device_arg, Captures, DeviceInfo};

impl<S: ControlPlane, const N: usize> Captures<S, N> {
    /// The enable slot: starts capturing `iface` into the device's tunnel.
    ///
    /// Refuses (`EINVAL`) interfaces that are not registered, the "any"
    /// pseudo interface (capturing it shared live cooked packets and
    /// crashed, W28) and capture tunnels (W18). The STARTED event is raised
    /// once the tunnel is up, and an error is returned if it cannot come up
    /// (W17).
    pub fn enable(&self, device: usize, iface: S::Iface) -> Result<()> {
        let Some(_control) = self.control.enter() else {
            self.stack.log(Level::Error, REENTERED, &[]);
            return Err(Errno::Busy);
        };
        let state = self.table.lock().get(device).map(|state| {
            (
                state.tunnel().map(|tunnel| tunnel.iface),
                state.is_enabled(),
            )
        });
        let tunnel = match state.ok_or(Errno::Inval)? {
            (None, _) => {
                self.stack.log(
                    Level::Warning,
                    c"NET_CAPTURE%ld is not set up",
                    &[device_arg(device)],
                );
                return Err(Errno::NoEnt);
            }
            (Some(_), true) => return Err(Errno::Already),
            (Some(tunnel), false) => tunnel,
        };
        let (link, outbound_only) = self.capturable(iface)?;
        if let Err(err) = self.stack.up(tunnel) {
            self.stack.log(
                Level::Error,
                c"Cannot bring the capture tunnel up (%ld)",
                &[Arg::Errno(err)],
            );
            return Err(err);
        }
        {
            let mut table = self.table.lock();
            if let Some(slot) = table.get_mut(device) {
                *slot = match core::mem::replace(slot, Device::Free) {
                    Device::SetUp(tunnel) => Device::Enabled {
                        tunnel,
                        iface,
                        link,
                        outbound_only,
                    },
                    // Control operations are serialised: still set up.
                    other => other,
                };
            }
            self.publish(&table);
        }
        // Under the control lock: events arrive in the order of the
        // changes they announce.
        self.stack.notify(Event::Started, Some(iface));
        Ok(())
    }

    /// How frames of `iface` begin and whether only its outgoing packets
    /// are taken, if it may be captured.
    fn capturable(&self, iface: S::Iface) -> Result<(Link, bool)> {
        let refuse = |why: &'static CStr| {
            let index = self.stack.iface_index(iface).unwrap_or(-1);
            self.stack.log(
                Level::Error,
                c"Cannot capture interface %ld: %s",
                &[Arg::Int(index), Arg::Str(why)],
            );
            Err(Errno::Inval)
        };
        if self.stack.iface_index(iface).is_none() {
            return refuse(c"not a registered interface");
        }
        match self.stack.iface_kind(iface) {
            IfaceKind::Link(link) => Ok((link, false)),
            // Each packet passes the loopback interface twice: captured
            // once, when sent (the C code marked the original instead).
            IfaceKind::Loopback => Ok((Link::RawIp, true)),
            IfaceKind::Pseudo => refuse(c"the \"any\" interface; capture the cooked interface"),
            IfaceKind::IpipTunnel if self.table.lock().owns_tunnel(iface) => {
                refuse(c"it is a capture tunnel")
            }
            IfaceKind::IpipTunnel | IfaceKind::OtherVirtual => Ok((Link::Other, false)),
        }
    }

    /// The disable slot. `ENOENT` if the device is not set up, 0 (and no
    /// event) if it is set up but not capturing, as upstream; the STOPPED
    /// event is raised only when capture really stops (the C code raised
    /// it on every call, W17).
    pub fn disable(&self, device: usize) -> Result<()> {
        let Some(_control) = self.control.enter() else {
            self.stack.log(Level::Error, REENTERED, &[]);
            return Err(Errno::Busy);
        };
        let taken = {
            let mut table = self.table.lock();
            let slot = table.get_mut(device).ok_or(Errno::Inval)?;
            let taken = match core::mem::replace(slot, Device::Free) {
                Device::Enabled { tunnel, iface, .. } => {
                    let tunnel_iface = tunnel.iface;
                    *slot = Device::SetUp(tunnel);
                    Ok(Some((tunnel_iface, iface)))
                }
                Device::SetUp(tunnel) => {
                    *slot = Device::SetUp(tunnel);
                    Ok(None)
                }
                Device::Free => Err(Errno::NoEnt),
            };
            self.publish(&table);
            taken
        };
        let Some((tunnel, iface)) = taken? else {
            return Ok(());
        };
        if let Err(err) = self.stack.down(tunnel) {
            self.stack.log(
                Level::Warning,
                c"Cannot take the capture tunnel down (%ld)",
                &[Arg::Errno(err)],
            );
        }
        self.stack.notify(Event::Stopped, Some(iface));
        Ok(())
    }
}

impl<S: DataPlane, const N: usize> Captures<S, N> {
    /// The is_enabled slot.
    pub fn is_enabled(&self, device: usize) -> bool {
        self.table
            .lock()
            .get(device)
            .is_some_and(Device::is_enabled)
    }

    /// `net_capture_foreach()`: calls `f` for each set-up device, in index
    /// order, with no lock held (`f` may call the capture API).
    pub fn foreach(&self, mut f: impl FnMut(&DeviceInfo<S::Iface>)) {
        let mut infos = heapless::Vec::<DeviceInfo<S::Iface>, N>::new();
        {
            let table = self.table.lock();
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
        }
        for info in &infos {
            f(info);
        }
    }
}
