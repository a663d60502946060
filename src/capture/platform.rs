//! What the capture layer needs from the network stack, split by who may
//! call it: the data plane ([`DataPlane`], what the per-packet path may
//! do), the control plane ([`ControlPlane`], setup and tunnel
//! configuration, which also sees the data plane) and logging
//! ([`Logger`]). Build constants travel as a [`Config`] value.
//!
//! Zephyr implements these traits in `src/zephyr/`; the host tests
//! implement them with a fake that records calls and injects failures.
//! Everything here is safe Rust: raw pointers stay on the other side.

use core::fmt;
use core::ops::DerefMut;

use crate::errno::Result;
use crate::log::Logger;
use crate::wire::endpoint::Endpoint;
use crate::wire::feedback::Link;
use crate::wire::tunnel::Oversize;
use crate::wire::IpAddr;

/// Mutual exclusion around a value: an interrupt-safe spin lock held for
/// a few dozen instructions, never across a call into the stack.
pub trait Lock<T> {
    /// Exclusive access to the value until dropped.
    type Guard<'a>: DerefMut<Target = T>
    where
        Self: 'a,
        T: 'a;

    /// Takes the lock.
    fn lock(&self) -> Self::Guard<'_>;
}

/// The sleeping lock that serialises control operations.
pub trait ControlLock {
    /// Held until dropped.
    type Guard<'a>
    where
        Self: 'a;

    /// Takes the lock, or `None` when the calling thread already holds it:
    /// a control call made from inside another one (a management event
    /// handler running in the caller's context) is refused rather than
    /// allowed to change state under its caller's feet.
    fn enter(&self) -> Option<Self::Guard<'_>>;
}

/// Types shared by every part of the stack.
pub trait Platform: Sync {
    /// A network interface handle.
    type Iface: Copy + Eq + fmt::Debug + Send + Sync;
    /// A short, interrupt-safe lock (a spin lock on Zephyr).
    type SpinLock<T: Send>: Lock<T> + Sync;
    /// The lock serialising control operations (a `k_mutex`).
    type ControlLock: ControlLock + Sync;
    /// Capture filters as the build has them.
    type Filter: super::FrameFilter;
    /// Whether the image holds the code of [`Config::tunnel_metadata`]. A
    /// platform whose configuration is fixed when it is built says so
    /// when the option is off: the config value sits in a `static` the
    /// compiler cannot fold, this constant it can, and the code is left
    /// out.
    const TUNNEL_METADATA: bool = true;
}

/// Which way a captured packet was going.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    /// Not known.
    #[default]
    Unknown,
    /// Received by the device.
    In,
    /// Sent by the device.
    Out,
}

/// A packet seen at a capture point: a chain of buffers, read in place.
pub trait Frame {
    /// A position in the buffer chain (the next buffer to read).
    type Chain: Copy;

    /// Total length in bytes.
    fn len(&self) -> usize;

    /// Whether there are no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first buffer's bytes and where the rest continues.
    fn first(&self) -> (&[u8], Option<Self::Chain>);

    /// The bytes at `at` and where the rest continues.
    fn next(&self, at: Self::Chain) -> (&[u8], Option<Self::Chain>);

    /// Whether the packet carries the stack's *captured* mark (it is a
    /// tunnel packet, or was caused by one).
    fn is_captured(&self) -> bool;

    /// The link-layer protocol type (an ETH_P_* value) the stack recorded.
    fn ll_proto_type(&self) -> u16;

    /// Whether the device received or is sending the packet.
    fn direction(&self) -> Direction;
}

/// What the per-packet path may call.
pub trait DataPlane: Platform + Logger {
    /// A packet at a capture point.
    type Frame: Frame + ?Sized + 'static;
    /// A packet being built for the tunnel, from the capture pools;
    /// returned to them when dropped unless sent.
    type Packet;

    /// A nonzero number identifying the interface (its address on
    /// Zephyr), compared without a lock on the hot path.
    fn iface_key(&self, iface: Self::Iface) -> usize;
    /// The interface's index (1-based) if it is registered.
    fn iface_index(&self, iface: Self::Iface) -> Option<i32>;
    /// Current MTU.
    fn mtu(&self, iface: Self::Iface) -> u16;
    /// A packet with room for `len` bytes from the capture pools, without
    /// waiting (capture never stalls the thread whose traffic it copies;
    /// it may run in interrupt context).
    fn alloc(&self, len: usize) -> Result<Self::Packet>;
    /// Appends bytes to a packet being built.
    fn append(&self, packet: &mut Self::Packet, bytes: &[u8]) -> Result<()>;
    /// Appends `len` bytes to be written in place: contiguous room at the
    /// end of the packet's current buffer, or `None` when it has none.
    /// Headers are built there, not on the stack.
    fn room<'p>(&self, packet: &'p mut Self::Packet, len: usize) -> Option<&'p mut [u8]>;
    /// Sends a built inner IP packet of `version` into the tunnel, marked
    /// as captured, without waiting for queue room. Consumed either way.
    /// Called from the system work queue only.
    fn send(&self, tunnel: Self::Iface, packet: Self::Packet, version: IpVersion) -> Result<()>;
    /// Queues a built packet for the tunnel and has the system work queue
    /// call [`crate::capture::Captures::send_queued`]. Cannot fail (the
    /// queue links packets through their own storage); safe in any
    /// context.
    fn send_later(&self, tunnel: Self::Iface, packet: Self::Packet, version: IpVersion);
    /// The oldest queued packet, with its tunnel and inner IP version.
    fn next_queued(&self) -> Option<(Self::Iface, Self::Packet, IpVersion)>;
}

/// What setup, cleanup, enable and disable may call, besides the data
/// plane.
pub trait ControlPlane: DataPlane {
    /// Reads an endpoint string (`192.0.2.2`, `[2001:db8::1]:4242`...)
    /// with the stack's own parser, so setup accepts exactly what the C
    /// implementation accepted; `None` when it is not one. The text has
    /// passed [`crate::wire::endpoint::check_bounds`].
    fn parse_endpoint(&self, text: &[u8]) -> Option<Endpoint>;
    /// What kind of interface this is.
    fn iface_kind(&self, iface: Self::Iface) -> IfaceKind;
    /// The interface that carries traffic to `remote`, if any leads there
    /// and has a source address of that family.
    fn route(&self, remote: &IpAddr) -> Option<Self::Iface>;
    /// The first IPIP tunnel interface after `after` (or the first one),
    /// in index order.
    fn tunnel_after(&self, after: Option<Self::Iface>) -> Option<Self::Iface>;
    /// The interface a virtual interface is attached to.
    fn lower_iface(&self, iface: Self::Iface) -> Option<Self::Iface>;
    /// Whether the interface is administratively and operationally up.
    fn is_up(&self, iface: Self::Iface) -> bool;
    /// Whether this build's stack handles IP `version`.
    fn supports(&self, version: IpVersion) -> bool;

    /// Attaches a virtual interface on top of `lower`, or detaches it.
    fn attach(&self, tunnel: Self::Iface, lower: Option<Self::Iface>) -> Result<()>;
    /// Sets the tunnel's outer peer address.
    fn set_tunnel_peer(&self, tunnel: Self::Iface, remote: &IpAddr) -> Result<()>;
    /// Sets the tunnel's MTU.
    fn set_tunnel_mtu(&self, tunnel: Self::Iface, mtu: u16) -> Result<()>;
    /// Adds a manually configured address (an IPv4 one with a /32 mask).
    fn add_address(&self, iface: Self::Iface, addr: &IpAddr) -> Result<()>;
    /// Removes an address added by [`ControlPlane::add_address`].
    fn remove_address(&self, iface: Self::Iface, addr: &IpAddr) -> Result<()>;
    /// The IP families enabled on the interface.
    fn families(&self, iface: Self::Iface) -> Families;
    /// Enables exactly the given IP families.
    fn set_families(&self, iface: Self::Iface, families: Families);
    /// The virtual L2 name.
    fn l2_name(&self, iface: Self::Iface) -> L2Name;
    /// Sets the virtual L2 name.
    fn set_l2_name(&self, iface: Self::Iface, name: &str);
    /// Brings the interface up (already up is success).
    fn up(&self, iface: Self::Iface) -> Result<()>;
    /// Takes the interface down (already down is success).
    fn down(&self, iface: Self::Iface) -> Result<()>;
    /// Raises a management event.
    fn notify(&self, event: Event, iface: Option<Self::Iface>);
    /// Sleeps a moment (one millisecond), letting other threads run.
    fn pause(&self);
}

/// Constants of the build, fixed when the devices are created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// What to do with datagrams larger than the tunnel MTU.
    pub oversize: Oversize,
    /// Largest packet the capture pools can hold at all.
    pub pool_capacity: usize,
    /// How many times cleanup pauses, at most, for captures still being
    /// sent with the device's old addresses.
    pub quiesce_pauses: u16,
    /// Captures of Ethernet interfaces travel as Linux cooked v2 records
    /// (an SLL2 header with direction and interface index, then the frame
    /// after its Ethernet header) instead of bare frames
    /// (`CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA`).
    pub tunnel_metadata: bool,
}

/// What kind of interface a handle names, as far as capture cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfaceKind {
    /// A link of its own (Ethernet, PPP, a driver's dummy L2...).
    Link(Link),
    /// The loopback interface: its packets are seen twice, once sent and
    /// once received, and captured once (when sent).
    Loopback,
    /// An IPIP tunnel (virtual L2 with the IPIP capability).
    IpipTunnel,
    /// Another virtual interface (the cooked interface among them).
    OtherVirtual,
    /// The "any" pseudo interface of cooked mode.
    Pseudo,
}

/// Which IP families an interface has enabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Families {
    /// IPv4 enabled (`NET_IF_IPV4`).
    pub ipv4: bool,
    /// IPv6 enabled (`NET_IF_IPV6`).
    pub ipv6: bool,
}

impl Families {
    /// Only the family of `addr`.
    pub fn only(addr: &IpAddr) -> Families {
        Families {
            ipv4: addr.is_ipv4(),
            ipv6: addr.is_ipv6(),
        }
    }
}

/// An IP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpVersion {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl IpVersion {
    /// The version of `addr`.
    pub fn of(addr: &IpAddr) -> IpVersion {
        match addr {
            IpAddr::V4(_) => IpVersion::V4,
            IpAddr::V6(_) => IpVersion::V6,
        }
    }

    /// Length of this version's fixed header, which IPIP puts in front of
    /// every tunnel packet.
    pub fn header_len(self) -> usize {
        match self {
            IpVersion::V4 => crate::wire::ipv4::HEADER_LEN,
            IpVersion::V6 => crate::wire::ipv6::HEADER_LEN,
        }
    }
}

/// Longest virtual L2 name kept for restoring on cleanup.
pub const L2_NAME_LEN: usize = 32;

/// A virtual L2 name ("IPv6 tunnel", "Capture tunnel").
pub type L2Name = heapless::String<L2_NAME_LEN>;

/// Management events raised by capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `NET_EVENT_CAPTURE_STARTED`, with the captured interface.
    Started,
    /// `NET_EVENT_CAPTURE_STOPPED`, with the interface that was captured.
    Stopped,
}
