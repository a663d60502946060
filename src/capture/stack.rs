//! What the capture layer needs from the network stack.
//!
//! Zephyr implements these traits in `src/zephyr/`; the host tests implement
//! them with a fake that records calls and injects failures. Everything
//! here is safe Rust: raw pointers stay on the other side.

use core::fmt;

use crate::errno::Result;
use crate::log::Message;
use crate::wire::endpoint::{AddrSyntax, CoreSyntax};
use crate::wire::feedback::Link;
use crate::wire::tunnel::Oversize;
use crate::wire::IpAddr;

/// Mutual exclusion around a value.
///
/// The device table uses an ISR-safe spin lock held for a few dozen
/// instructions (the hot path snapshots its route under it); control
/// operations are serialised by a sleeping lock around `()` so that no
/// spin lock is ever held across a call into the stack.
pub trait Lock<T> {
    /// Runs `f` with exclusive access to the value.
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
}

/// What kind of interface a handle names, as far as capture cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfaceKind {
    /// A link of its own (Ethernet, PPP, loopback, a driver's dummy L2...).
    Link(Link),
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

/// Bytes to put in a tunnel datagram: a captured packet, or a cooked
/// header and data. Read in pieces because a packet is a chain of buffers.
pub trait Payload {
    /// Total length in bytes.
    fn len(&self) -> usize;

    /// Whether there are no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with each contiguous piece, in order, until it returns
    /// false.
    fn for_each_chunk(&self, f: &mut dyn FnMut(&[u8]) -> bool);
}

/// A packet seen at a capture point.
pub trait Frame: Payload {
    /// Whether the packet carries the stack's *captured* mark (it is a
    /// tunnel packet, or was caused by one).
    fn is_captured(&self) -> bool;

    /// The link-layer protocol type (an ETH_P_* value) the stack recorded.
    fn ll_proto_type(&self) -> u16;
}

/// A packet being built for the tunnel, from the capture pools.
pub trait Packet {
    /// Appends bytes at the end.
    fn append(&mut self, bytes: &[u8]) -> Result<()>;
}

/// The network stack, as capture uses it.
pub trait Stack: Sync {
    /// A network interface handle.
    type Iface: Copy + Eq + fmt::Debug + Send + Sync;
    /// A packet at a capture point.
    type Frame: Frame + ?Sized;
    /// A packet being built for the tunnel.
    type Packet: Packet;
    /// A short, interrupt-safe lock (a spin lock on Zephyr).
    type SpinLock<T: Send>: Lock<T> + Sync;
    /// A sleeping lock serialising control operations (a `k_mutex`).
    type ControlLock: Lock<()> + Sync;

    // --- interfaces ---------------------------------------------------

    /// A nonzero number identifying the interface (its address on
    /// Zephyr), compared without a lock on the hot path.
    fn iface_key(&self, iface: Self::Iface) -> usize;
    /// The interface's index (1-based) if it is registered.
    fn iface_index(&self, iface: Self::Iface) -> Option<i32>;
    /// What kind of interface this is.
    fn iface_kind(&self, iface: Self::Iface) -> IfaceKind;
    /// The interface that carries traffic to `remote`, if any leads there
    /// and has a source address of that family.
    fn route(&self, remote: &IpAddr) -> Option<Self::Iface>;
    /// Calls `f` with every IPIP tunnel interface, in index order.
    fn for_each_tunnel(&self, f: &mut dyn FnMut(Self::Iface));
    /// The interface a virtual interface is attached to.
    fn lower_iface(&self, iface: Self::Iface) -> Option<Self::Iface>;
    /// Current MTU.
    fn mtu(&self, iface: Self::Iface) -> u16;
    /// Whether the interface is administratively and operationally up.
    fn is_up(&self, iface: Self::Iface) -> bool;
    /// Whether this build's stack handles the family of `addr`.
    fn supports(&self, addr: &IpAddr) -> bool;
    /// How address literals are read; the default is `core::net`'s.
    fn addr_syntax(&self) -> &dyn AddrSyntax {
        &CoreSyntax
    }

    // --- tunnel configuration (each has an inverse for rollback) --------

    /// Attaches a virtual interface on top of `lower`, or detaches it.
    fn attach(&self, tunnel: Self::Iface, lower: Option<Self::Iface>) -> Result<()>;
    /// Sets the tunnel's outer peer address.
    fn set_tunnel_peer(&self, tunnel: Self::Iface, remote: &IpAddr) -> Result<()>;
    /// Sets the tunnel's MTU.
    fn set_tunnel_mtu(&self, tunnel: Self::Iface, mtu: u16) -> Result<()>;
    /// Adds a manually configured address (an IPv4 one with a /32 mask).
    fn add_address(&self, iface: Self::Iface, addr: &IpAddr) -> Result<()>;
    /// Removes an address added by [`Stack::add_address`].
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

    // --- data plane ----------------------------------------------------

    /// Whether the caller runs in interrupt context.
    fn in_isr(&self) -> bool;
    /// What to do with datagrams larger than the tunnel MTU.
    fn oversize(&self) -> Oversize;
    /// Largest packet the capture pools can hold at all.
    fn pool_capacity(&self) -> usize;
    /// A packet of `len` bytes from the capture pools.
    fn alloc(&self, len: usize) -> Result<Self::Packet>;
    /// Sends a built inner IP packet of `version` into the tunnel, marked
    /// as captured. The packet is consumed either way.
    fn send(&self, tunnel: Self::Iface, packet: Self::Packet, version: IpVersion) -> Result<()>;

    /// Writes a log line (the implementation filters by level first).
    fn log(&self, message: &Message<'_>);
}
