//! The fake's implementation of the capture layer's data and control
//! planes.

use zephyr_net_capture::capture::{
    ControlPlane, DataPlane, Event, Families, IfaceKind, IpVersion, L2Name, Platform,
};
use zephyr_net_capture::errno::{Errno, Result};
use zephyr_net_capture::wire::endpoint::{self, Endpoint};
use zephyr_net_capture::wire::IpAddr;

use crate::{Call, FakeControlLock, FakeFrame, FakeLock, FakePacket, FakeStack, Iface, Op};

impl Platform for FakeStack {
    type Iface = Iface;
    type SpinLock<T: Send> = FakeLock<T>;
    type ControlLock = FakeControlLock;
    type Filter = zephyr_net_capture::filter::Filter;
}

impl DataPlane for FakeStack {
    type Frame = FakeFrame;
    type Packet = FakePacket;

    fn iface_key(&self, iface: Iface) -> usize {
        usize::from(iface)
    }

    fn iface_index(&self, iface: Iface) -> Option<i32> {
        let count = self.world().ifaces.len();
        (iface >= 1 && usize::from(iface) <= count).then_some(i32::from(iface))
    }

    fn mtu(&self, iface: Iface) -> u16 {
        self.with_iface(iface, |i| i.mtu).unwrap_or(0)
    }

    fn alloc(&self, len: usize) -> Result<FakePacket> {
        let hook = self.world().on_alloc.clone();
        if let Some(hook) = hook {
            hook();
        }
        self.act(Some(Op::Alloc), Call::Alloc(len))?;
        FakePacket::alloc(&self.pool, len)
    }

    fn append(&self, packet: &mut FakePacket, bytes: &[u8]) -> Result<()> {
        packet.append(bytes)
    }

    fn room<'p>(&self, packet: &'p mut FakePacket, len: usize) -> Option<&'p mut [u8]> {
        packet.room(len)
    }

    fn send(&self, tunnel: Iface, packet: FakePacket, version: IpVersion) -> Result<()> {
        let hook = self.world().on_send.clone();
        if let Some(hook) = hook {
            hook();
        }
        self.act(Some(Op::Send), Call::Send(tunnel))?;
        if !self.is_up(tunnel) {
            return Err(Errno::NetDown);
        }
        let sent = packet.into_sent(tunnel, version);
        self.sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(sent);
        Ok(())
    }

    fn send_later(&self, tunnel: Iface, packet: FakePacket, version: IpVersion) {
        let _ = self.act(None, Call::SendLater(tunnel));
        self.queued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back((tunnel, packet, version));
    }

    fn next_queued(&self) -> Option<(Iface, FakePacket, IpVersion)> {
        self.queued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }
}

impl ControlPlane for FakeStack {
    fn parse_endpoint(&self, text: &[u8]) -> Option<Endpoint> {
        endpoint::parse(text).ok()
    }

    fn iface_kind(&self, iface: Iface) -> IfaceKind {
        self.with_iface(iface, |i| i.kind)
            .unwrap_or(IfaceKind::OtherVirtual)
    }

    fn route(&self, remote: &IpAddr) -> Option<Iface> {
        let world = self.world();
        let position = world
            .ifaces
            .iter()
            .position(|i| i.reaches.iter().any(|p| p.contains(remote)))?;
        Iface::try_from(position + 1).ok()
    }

    fn tunnel_after(&self, after: Option<Iface>) -> Option<Iface> {
        let start = usize::from(after.unwrap_or(0));
        let world = self.world();
        let position = world
            .ifaces
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, i)| i.kind == IfaceKind::IpipTunnel)?
            .0;
        Iface::try_from(position + 1).ok()
    }

    fn lower_iface(&self, iface: Iface) -> Option<Iface> {
        self.with_iface(iface, |i| i.lower).flatten()
    }

    fn is_up(&self, iface: Iface) -> bool {
        self.with_iface(iface, |i| i.up).unwrap_or(false)
    }

    fn supports(&self, version: IpVersion) -> bool {
        let world = self.world();
        match version {
            IpVersion::V4 => world.ipv4,
            IpVersion::V6 => world.ipv6,
        }
    }

    fn attach(&self, tunnel: Iface, lower: Option<Iface>) -> Result<()> {
        self.act(Some(Op::Attach), Call::Attach(tunnel, lower))?;
        self.with_iface(tunnel, |i| i.lower = lower)
            .ok_or(Errno::NoEnt)
    }

    fn set_tunnel_peer(&self, tunnel: Iface, remote: &IpAddr) -> Result<()> {
        self.act(Some(Op::SetPeer), Call::SetPeer(tunnel, *remote))?;
        self.with_iface(tunnel, |i| {
            if i.up {
                return Err(Errno::Stack(-13));
            }
            i.peer = Some(*remote);
            i.l2_name = if remote.is_ipv4() {
                "IPv4 tunnel"
            } else {
                "IPv6 tunnel"
            }
            .into();
            Ok(())
        })
        .ok_or(Errno::NoEnt)?
    }

    fn set_tunnel_mtu(&self, tunnel: Iface, mtu: u16) -> Result<()> {
        self.act(Some(Op::SetMtu), Call::SetMtu(tunnel, mtu))?;
        self.with_iface(tunnel, |i| i.mtu = mtu).ok_or(Errno::NoEnt)
    }

    fn add_address(&self, iface: Iface, addr: &IpAddr) -> Result<()> {
        self.act(Some(Op::AddAddress), Call::AddAddress(iface, *addr))?;
        self.with_iface(iface, |i| i.addresses.push(*addr))
            .ok_or(Errno::NoEnt)
    }

    fn remove_address(&self, iface: Iface, addr: &IpAddr) -> Result<()> {
        self.act(Some(Op::RemoveAddress), Call::RemoveAddress(iface, *addr))?;
        self.with_iface(iface, |i| {
            let before = i.addresses.len();
            i.addresses.retain(|a| a != addr);
            if i.addresses.len() == before {
                Err(Errno::Inval)
            } else {
                Ok(())
            }
        })
        .ok_or(Errno::NoEnt)?
    }

    fn families(&self, iface: Iface) -> Families {
        self.with_iface(iface, |i| i.families).unwrap_or_default()
    }

    fn set_families(&self, iface: Iface, families: Families) {
        let _ = self.act(None, Call::SetFamilies(iface, families));
        self.with_iface(iface, |i| i.families = families);
    }

    fn l2_name(&self, iface: Iface) -> L2Name {
        let name = self
            .with_iface(iface, |i| i.l2_name.clone())
            .unwrap_or_default();
        let mut out = L2Name::new();
        for c in name.chars() {
            if out.push(c).is_err() {
                break;
            }
        }
        out
    }

    fn set_l2_name(&self, iface: Iface, name: &str) {
        let _ = self.act(None, Call::SetL2Name(iface, name.into()));
        self.with_iface(iface, |i| i.l2_name = name.into());
    }

    fn up(&self, iface: Iface) -> Result<()> {
        self.act(Some(Op::Up), Call::Up(iface))?;
        self.with_iface(iface, |i| i.up = true).ok_or(Errno::NoEnt)
    }

    fn down(&self, iface: Iface) -> Result<()> {
        self.act(Some(Op::Down), Call::Down(iface))?;
        self.with_iface(iface, |i| i.up = false).ok_or(Errno::NoEnt)
    }

    fn notify(&self, event: Event, iface: Option<Iface>) {
        // Delivering an event takes a while: let racing callers run, so a
        // caller that announced after releasing its lock is caught.
        std::thread::sleep(std::time::Duration::from_micros(50));
        let _ = self.act(None, Call::Notify(event, iface));
        let handler = self.world().on_event.clone();
        if let Some(handler) = handler {
            handler(event, iface);
        }
    }

    fn pause(&self) {
        self.world().pauses += 1;
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
