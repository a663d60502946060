//! A stand-in for Zephyr's network stack that implements
//! [`zephyr_net_capture::capture::Stack`]: interfaces with routes, MTUs,
//! addresses and up/down state, capture pools with a capacity and a leak
//! count, a record of every call that changes something, and failures
//! injected per operation.

mod iface;
mod packet;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use zephyr_net_capture::capture::{
    Captures, Event, Families, IfaceKind, IpVersion, L2Name, Level, Lock, Stack, Table,
};
use zephyr_net_capture::cooked::{Cooked, CookedStack, CookedState};
use zephyr_net_capture::errno::{Errno, Result};
use zephyr_net_capture::log::{Message, Sink};
use zephyr_net_capture::wire::sll;
use zephyr_net_capture::wire::tunnel::Oversize;
use zephyr_net_capture::wire::IpAddr;

pub use iface::{FakeIface, Prefix};
pub use packet::{FakeFrame, FakePacket, Pool, Sent};

/// An interface handle: the 1-based index.
pub type Iface = u8;

/// A `std` mutex standing in for both of Zephyr's locks.
#[derive(Debug, Default)]
pub struct FakeLock<T>(Mutex<T>);

impl<T> FakeLock<T> {
    /// A lock around `value`.
    pub const fn new(value: T) -> Self {
        FakeLock(Mutex::new(value))
    }
}

impl<T> Lock<T> for FakeLock<T> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.0.lock().unwrap_or_else(|poison| poison.into_inner());
        f(&mut guard)
    }
}

/// An operation that changes the stack, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Attach(Iface, Option<Iface>),
    SetPeer(Iface, IpAddr),
    SetMtu(Iface, u16),
    AddAddress(Iface, IpAddr),
    RemoveAddress(Iface, IpAddr),
    SetFamilies(Iface, Families),
    SetL2Name(Iface, String),
    Up(Iface),
    Down(Iface),
    Notify(Event, Option<Iface>),
    Alloc(usize),
    Send(Iface),
}

/// Operations that can be made to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Attach,
    SetPeer,
    SetMtu,
    AddAddress,
    RemoveAddress,
    Up,
    Down,
    Alloc,
    Send,
}

/// Everything the fake knows.
#[derive(Debug)]
pub struct World {
    /// Interfaces, index = position + 1.
    pub ifaces: Vec<FakeIface>,
    /// Every recorded call, in order.
    pub calls: Vec<Call>,
    /// Log lines.
    pub logs: Vec<(Level, String)>,
    /// Failures to inject: the next `count` calls of `op` fail with errno.
    pub failures: HashMap<Op, (usize, Errno)>,
    /// Whether callers are "in interrupt context".
    pub in_isr: bool,
    /// Oversize policy.
    pub oversize: Oversize,
    /// Cooked header version.
    pub sll_version: sll::Version,
}

/// The fake stack. Cheap to clone: clones share the same world.
#[derive(Clone, Debug)]
pub struct FakeStack {
    world: Arc<Mutex<World>>,
    pool: Arc<Pool>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl FakeStack {
    /// A stack with `ifaces` and a capture pool of `pool_bytes` bytes.
    pub fn new(ifaces: Vec<FakeIface>, pool_bytes: usize) -> FakeStack {
        FakeStack {
            world: Arc::new(Mutex::new(World {
                ifaces,
                calls: Vec::new(),
                logs: Vec::new(),
                failures: HashMap::new(),
                in_isr: false,
                oversize: Oversize::Fragment,
                sll_version: sll::Version::V1,
            })),
            pool: Arc::new(Pool::new(pool_bytes)),
            sent: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The upstream sample's topology: 1 = Ethernet (192.0.2.1/24,
    /// 2001:db8::1/64, MTU 1500), 2 = an IPIP tunnel; pool of 2048 bytes
    /// (16 buffers of 128 bytes, the sample's configuration).
    pub fn sample() -> FakeStack {
        FakeStack::new(
            vec![
                FakeIface::ethernet(
                    "eth0",
                    1500,
                    vec![
                        Prefix::parse("192.0.2.0/24"),
                        Prefix::parse("2001:db8::/64"),
                    ],
                ),
                FakeIface::ipip("net0"),
            ],
            2048,
        )
    }

    /// The cooked-mode sample's topology: 1 = "any", 2 = the cooked
    /// interface (not yet initialised), 3 = Ethernet, 4 = an IPIP tunnel,
    /// the order of the upstream sample.
    pub fn cooked_sample() -> FakeStack {
        let sample = FakeStack::sample();
        let mut ifaces = vec![FakeIface::any(), FakeIface::virtual_iface("NET_COOKED")];
        ifaces.extend(sample.world().ifaces.iter().cloned());
        FakeStack::new(ifaces, 2048)
    }

    /// The cooked interface over this stack, with `MAX` link types.
    pub fn cooked<const MAX: usize>(&self) -> Cooked<FakeStack, MAX> {
        Cooked::new(self.clone(), FakeLock::new(CookedState::new()))
    }

    /// Locks the world for inspection or changes.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// The capture pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Packets sent into tunnels so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Makes the next `count` calls of `op` fail with `errno`.
    pub fn fail(&self, op: Op, count: usize, errno: Errno) {
        self.world().failures.insert(op, (count, errno));
    }

    /// Recorded calls, then cleared.
    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut self.world().calls)
    }

    /// Log lines, then cleared.
    pub fn take_logs(&self) -> Vec<(Level, String)> {
        std::mem::take(&mut self.world().logs)
    }

    /// A copy of interface `index`.
    pub fn iface(&self, index: Iface) -> FakeIface {
        self.world().ifaces[usize::from(index) - 1].clone()
    }

    /// Devices over this stack.
    pub fn captures<const N: usize>(&self) -> Captures<FakeStack, N> {
        Captures::new(self.clone(), FakeLock::new(Table::new()), FakeLock::new(()))
    }

    /// Records `call`, then fails it if a failure of `op` is pending.
    fn act(&self, op: Option<Op>, call: Call) -> Result<()> {
        let mut world = self.world();
        world.calls.push(call);
        let Some(op) = op else { return Ok(()) };
        match world.failures.get_mut(&op) {
            Some((count, errno)) if *count > 0 => {
                *count -= 1;
                Err(*errno)
            }
            _ => Ok(()),
        }
    }

    fn with_iface<R>(&self, index: Iface, f: impl FnOnce(&mut FakeIface) -> R) -> Option<R> {
        let mut world = self.world();
        let slot = usize::from(index).checked_sub(1)?;
        world.ifaces.get_mut(slot).map(f)
    }
}

impl Stack for FakeStack {
    type Iface = Iface;
    type Frame = FakeFrame;
    type Packet = FakePacket;
    type SpinLock<T: Send> = FakeLock<T>;
    type ControlLock = FakeLock<()>;

    fn iface_key(&self, iface: Iface) -> usize {
        usize::from(iface)
    }

    fn iface_index(&self, iface: Iface) -> Option<i32> {
        let count = self.world().ifaces.len();
        (iface >= 1 && usize::from(iface) <= count).then_some(i32::from(iface))
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

    fn for_each_tunnel(&self, f: &mut dyn FnMut(Iface)) {
        let tunnels: Vec<Iface> = (1..)
            .zip(self.world().ifaces.iter())
            .filter(|(_, i)| i.kind == IfaceKind::IpipTunnel)
            .map(|(index, _)| index)
            .collect();
        for tunnel in tunnels {
            f(tunnel);
        }
    }

    fn lower_iface(&self, iface: Iface) -> Option<Iface> {
        self.with_iface(iface, |i| i.lower).flatten()
    }

    fn mtu(&self, iface: Iface) -> u16 {
        self.with_iface(iface, |i| i.mtu).unwrap_or(0)
    }

    fn is_up(&self, iface: Iface) -> bool {
        self.with_iface(iface, |i| i.up).unwrap_or(false)
    }

    fn supports(&self, _addr: &IpAddr) -> bool {
        true
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
        let _ = self.act(None, Call::Notify(event, iface));
    }

    fn in_isr(&self) -> bool {
        self.world().in_isr
    }

    fn oversize(&self) -> Oversize {
        self.world().oversize
    }

    fn pool_capacity(&self) -> usize {
        self.pool.capacity()
    }

    fn alloc(&self, len: usize) -> Result<FakePacket> {
        self.act(Some(Op::Alloc), Call::Alloc(len))?;
        FakePacket::alloc(&self.pool, len)
    }

    fn send(&self, tunnel: Iface, packet: FakePacket, version: IpVersion) -> Result<()> {
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

    fn log(&self, message: &Message<'_>) {
        let mut text = RenderedText(Vec::new());
        message.render(&mut text);
        let line = String::from_utf8_lossy(&text.0).into_owned();
        self.world().logs.push((message.level, line));
    }
}

/// A rendered log line.
struct RenderedText(Vec<u8>);

impl Sink for RenderedText {
    fn put(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// Name the fake gives the cooked interface.
pub const COOKED_NAME: &str = "cooked";

impl CookedStack for FakeStack {
    fn any_iface(&self) -> Option<Iface> {
        let world = self.world();
        let position = world.ifaces.iter().position(|i| i.name == "any")?;
        Iface::try_from(position + 1).ok()
    }

    fn set_iface_name(&self, iface: Iface, name: &str) -> Result<()> {
        self.with_iface(iface, |i| i.name = name.into())
            .ok_or(Errno::NoEnt)
    }

    fn make_capture_only(&self, iface: Iface) {
        self.with_iface(iface, |i| {
            i.point_to_point = true;
            i.families = Families::default();
        });
    }

    fn set_mtu(&self, iface: Iface, mtu: u16) -> Result<()> {
        self.with_iface(iface, |i| i.mtu = mtu).ok_or(Errno::NoEnt)
    }

    fn sll_version(&self) -> sll::Version {
        self.world().sll_version
    }

    fn cooked_iface_name(&self) -> &str {
        COOKED_NAME
    }
}
