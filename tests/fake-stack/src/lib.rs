//! A stand-in for Zephyr's network stack that implements
//! [`zephyr_net_capture::capture::Stack`]: interfaces with routes, MTUs,
//! addresses and up/down state, capture pools with a capacity and a leak
//! count, a record of every call that changes something, and failures
//! injected per operation.

mod cooked;
mod iface;
mod packet;
mod stack;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use zephyr_net_capture::capture::{Captures, Event, Families, Level, Lock, Table};
use zephyr_net_capture::cooked::{Cooked, CookedState};
use zephyr_net_capture::errno::{Errno, Result};
use zephyr_net_capture::wire::sll;
use zephyr_net_capture::wire::tunnel::Oversize;
use zephyr_net_capture::wire::IpAddr;

pub use cooked::COOKED_NAME;
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
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
