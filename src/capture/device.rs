//! The state of one capture device. Each state carries exactly the data
//! that is valid in it, so "enabled without a tunnel" cannot be written
//! (the C code kept independent flags and crashed on that state, W1).

use crate::wire::feedback::Link;
use crate::wire::tunnel::Encap;
use crate::wire::IpAddr;

use super::platform::{Families, L2Name};

/// A tunnel interface configured for one device, with what setup changed
/// on it so cleanup can put it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tunnel<I> {
    /// The IPIP interface.
    pub iface: I,
    /// The interface it is attached to, which carries the tunnel packets.
    pub lower: I,
    /// The outer peer address.
    pub remote: IpAddr,
    /// Inner addressing of the datagrams.
    pub encap: Encap,
    /// Tunnel state before setup, restored by cleanup.
    pub saved: Saved,
}

impl<I: Copy> Tunnel<I> {
    /// The route of `device` through this tunnel, for frames that begin
    /// as `link` says.
    pub fn route(&self, device: usize, link: Link) -> Route<I> {
        Route {
            device,
            tunnel: self.iface,
            lower: self.lower,
            remote: self.remote,
            encap: self.encap,
            link,
        }
    }
}

/// Tunnel settings as they were before setup changed them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// MTU.
    pub mtu: u16,
    /// Enabled IP families.
    pub families: Families,
    /// Virtual L2 name.
    pub l2_name: L2Name,
}

/// A device's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Device<I> {
    /// Not set up; the device can be handed out by setup.
    Free,
    /// Set up with a tunnel, not capturing.
    SetUp(Tunnel<I>),
    /// Capturing `iface` into the tunnel.
    Enabled {
        /// The tunnel.
        tunnel: Tunnel<I>,
        /// The captured interface.
        iface: I,
        /// How frames of the captured interface begin.
        link: Link,
        /// Only packets the device sends are captured (the loopback
        /// interface, which shows every packet twice).
        outbound_only: bool,
    },
}

impl<I: Copy + Eq> Device<I> {
    /// The tunnel, when set up.
    pub fn tunnel(&self) -> Option<&Tunnel<I>> {
        match self {
            Device::Free => None,
            Device::SetUp(tunnel) | Device::Enabled { tunnel, .. } => Some(tunnel),
        }
    }

    /// The captured interface, when enabled.
    pub fn captured_iface(&self) -> Option<I> {
        match self {
            Device::Enabled { iface, .. } => Some(*iface),
            _ => None,
        }
    }

    /// Whether capture is on.
    pub fn is_enabled(&self) -> bool {
        matches!(self, Device::Enabled { .. })
    }
}

/// Where the hot path sends a capture: copied out of the table under its
/// lock, then used without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route<I> {
    /// Index of the device.
    pub device: usize,
    /// The tunnel interface.
    pub tunnel: I,
    /// The interface carrying the tunnel.
    pub lower: I,
    /// The outer peer address.
    pub remote: IpAddr,
    /// Inner addressing.
    pub encap: Encap,
    /// How captured frames begin.
    pub link: Link,
}

/// All devices, indexed as `NET_CAPTURE0` .. `NET_CAPTURE<N-1>`.
#[derive(Debug)]
pub struct Table<I, const N: usize> {
    devices: [Device<I>; N],
}

impl<I: Copy + Eq, const N: usize> Table<I, N> {
    /// All devices free.
    pub const fn new() -> Self {
        Table {
            devices: [const { Device::Free }; N],
        }
    }

    /// A device's state, if the index is valid.
    pub fn get(&self, device: usize) -> Option<&Device<I>> {
        self.devices.get(device)
    }

    /// A device's state for changing, if the index is valid.
    pub fn get_mut(&mut self, device: usize) -> Option<&mut Device<I>> {
        self.devices.get_mut(device)
    }

    /// All devices with their index.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Device<I>)> {
        self.devices.iter().enumerate()
    }

    /// The lowest-numbered free device (W8: the C code handed out the
    /// highest first while the shell and PPP only look at the first).
    pub fn first_free(&self) -> Option<usize> {
        self.devices.iter().position(|d| *d == Device::Free)
    }

    /// Whether any device owns `iface` as its tunnel.
    pub fn owns_tunnel(&self, iface: I) -> bool {
        self.devices
            .iter()
            .any(|d| d.tunnel().is_some_and(|t| t.iface == iface))
    }
}

impl<I: Copy + Eq, const N: usize> Default for Table<I, N> {
    fn default() -> Self {
        Self::new()
    }
}
