//! A stand-in for Zephyr's network stack that implements the capture
//! layer's traits (`DataPlane`, `ControlPlane`, `Logger`, `CookedPlane`):
//! interfaces with routes, MTUs, addresses and up/down state, capture
//! pools with a capacity and a leak count, a record of every call that
//! changes something, failures injected per operation, and locks that
//! catch misuse (a spin lock taken twice by one thread panics, as
//! Zephyr's spin lock validation would assert).

mod cooked;
mod iface;
mod locks;
mod log;
mod packet;
mod stack;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use zephyr_net_capture::capture::{Captures, Config, Event, Families, IpVersion, Level, Table};
use zephyr_net_capture::cooked::{Cooked, CookedConfig, CookedState};
use zephyr_net_capture::errno::{Errno, Result};
use zephyr_net_capture::filter::Filter;
use zephyr_net_capture::wire::sll;
use zephyr_net_capture::wire::tunnel::Oversize;
use zephyr_net_capture::wire::IpAddr;

pub use cooked::COOKED_NAME;
pub use iface::{FakeIface, Prefix};
pub use locks::{FakeControlLock, FakeLock};
pub use log::render;
pub use packet::{FakeFrame, FakePacket, Pool, Sent};

/// An interface handle: the 1-based index.
pub type Iface = u8;

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
    SendLater(Iface),
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
    /// Never fails (queueing cannot); kept so that recorded fuzz inputs
    /// keep their encoding.
    SendLater,
}

/// A callback run when the fake raises an event, in the caller's context
/// (as `CONFIG_NET_MGMT_EVENT_DIRECT` does on Zephyr).
pub type EventHandler = Arc<dyn Fn(Event, Option<Iface>) + Send + Sync>;

/// Everything the fake knows.
pub struct World {
    /// Interfaces, index = position + 1.
    pub ifaces: Vec<FakeIface>,
    /// Every recorded call, in order.
    pub calls: Vec<Call>,
    /// Log lines.
    pub logs: Vec<(Level, String)>,
    /// Failures to inject: the next `count` calls of `op` fail with errno.
    pub failures: HashMap<Op, (usize, Errno)>,
    /// Oversize policy given to devices created afterwards.
    pub oversize: Oversize,
    /// Whether devices created afterwards frame Ethernet captures with an
    /// SLL2 header (`CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA`).
    pub tunnel_metadata: bool,
    /// Cooked header version given to cooked interfaces created afterwards.
    pub sll_version: sll::Version,
    /// IP versions the build supports.
    pub ipv4: bool,
    /// See `ipv4`.
    pub ipv6: bool,
    /// How many times control code paused.
    pub pauses: usize,
    /// Runs on every event, without the world locked.
    pub on_event: Option<EventHandler>,
    /// Runs at the start of every allocation from the capture pools,
    /// without the world locked (to hold a capture "in flight").
    pub on_alloc: Option<Hook>,
    /// Runs at the start of every send into a tunnel (on the "system work
    /// queue"), without the world locked.
    pub on_send: Option<Hook>,
}

/// A test's code run from inside the fake stack.
pub type Hook = Arc<dyn Fn() + Send + Sync>;

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("ifaces", &self.ifaces)
            .field("calls", &self.calls)
            .field("logs", &self.logs)
            .finish_non_exhaustive()
    }
}

/// The fake stack. Cheap to clone: clones share the same world.
#[derive(Clone, Debug)]
pub struct FakeStack {
    world: Arc<Mutex<World>>,
    pool: Arc<Pool>,
    sent: Arc<Mutex<Vec<Sent>>>,
    /// Packets queued for the system work queue to send.
    queued: Arc<Mutex<VecDeque<(Iface, FakePacket, IpVersion)>>>,
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
                oversize: Oversize::Fragment,
                tunnel_metadata: false,
                sll_version: sll::Version::V1,
                ipv4: true,
                ipv6: true,
                pauses: 0,
                on_event: None,
                on_alloc: None,
                on_send: None,
            })),
            pool: Arc::new(Pool::new(pool_bytes)),
            sent: Arc::new(Mutex::new(Vec::new())),
            queued: Arc::new(Mutex::new(VecDeque::new())),
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

    /// The build constants of devices created now.
    pub fn config(&self) -> Config {
        let (oversize, tunnel_metadata) = {
            let world = self.world();
            (world.oversize, world.tunnel_metadata)
        };
        Config {
            oversize,
            pool_capacity: self.pool.capacity(),
            quiesce_pauses: 20,
            tunnel_metadata,
        }
    }

    /// Devices over this stack.
    pub fn captures<const N: usize>(&self) -> Captures<FakeStack, N> {
        Captures::new(
            self.clone(),
            self.config(),
            FakeLock::new(Table::new()),
            FakeControlLock::new(),
            FakeLock::new([const { Filter::accept_all() }; N]),
        )
    }

    /// The cooked interface over this stack, with `MAX` link types.
    pub fn cooked<const MAX: usize>(&self) -> Cooked<FakeStack, MAX> {
        self.cooked_ppp::<MAX, 0>()
    }

    /// The same as in a build with the PPP driver's capture: sent HDLC
    /// frames are reassembled in a buffer of `FRAME` bytes.
    pub fn cooked_ppp<const MAX: usize, const FRAME: usize>(
        &self,
    ) -> Cooked<FakeStack, MAX, FRAME> {
        let config = CookedConfig {
            sll: self.world().sll_version,
            name: c"cooked",
        };
        Cooked::new(self.clone(), config, FakeLock::new(CookedState::new()))
    }

    /// Runs the system work queue: every packet queued by `send_later` is
    /// sent (what Zephyr's work item does).
    pub fn run_workqueue<const N: usize>(&self, captures: &Captures<FakeStack, N>) {
        captures.send_queued();
    }

    /// Packets queued for the work queue and not yet sent.
    pub fn queued(&self) -> usize {
        self.queued.lock().unwrap_or_else(|p| p.into_inner()).len()
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

    /// Packets sent into tunnels since the last call, then forgotten.
    pub fn take_sent(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|p| p.into_inner()))
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
