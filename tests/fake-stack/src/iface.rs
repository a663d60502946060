//! Fake interfaces.

use zephyr_net_capture::capture::{Families, IfaceKind};
use zephyr_net_capture::wire::feedback::Link;
use zephyr_net_capture::wire::IpAddr;

use crate::Iface;

/// An address prefix an interface reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    /// Parses `addr/len`; panics on bad test input.
    pub fn parse(text: &str) -> Prefix {
        let (addr, len) = text.split_once('/').expect("prefix has a length");
        Prefix {
            addr: addr.parse().expect("prefix address"),
            len: len.parse().expect("prefix length"),
        }
    }

    /// Whether `addr` is inside the prefix.
    pub fn contains(&self, addr: &IpAddr) -> bool {
        let bits = |a: &IpAddr| -> u128 {
            match a {
                IpAddr::V4(v4) => u128::from(u32::from(*v4)) << 96,
                IpAddr::V6(v6) => u128::from(*v6),
            }
        };
        if self.addr.is_ipv4() != addr.is_ipv4() {
            return false;
        }
        let mask = if self.len == 0 {
            0
        } else {
            let width = if addr.is_ipv4() { 32 } else { 128 };
            let len = u32::from(self.len).min(width);
            (!0u128) << (128 - len)
        };
        bits(&self.addr) & mask == bits(addr) & mask
    }
}

/// One fake interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeIface {
    /// Interface name.
    pub name: String,
    /// Kind.
    pub kind: IfaceKind,
    /// MTU.
    pub mtu: u16,
    /// Up or down.
    pub up: bool,
    /// Lower interface of a virtual one.
    pub lower: Option<Iface>,
    /// Prefixes routed through this interface.
    pub reaches: Vec<Prefix>,
    /// Addresses added by capture.
    pub addresses: Vec<IpAddr>,
    /// Enabled families.
    pub families: Families,
    /// Virtual L2 name.
    pub l2_name: String,
    /// Tunnel peer.
    pub peer: Option<IpAddr>,
    /// Point-to-point, no auto start (cooked interface).
    pub point_to_point: bool,
}

impl FakeIface {
    fn new(name: &str, kind: IfaceKind, mtu: u16) -> FakeIface {
        FakeIface {
            name: name.into(),
            kind,
            mtu,
            up: false,
            lower: None,
            reaches: Vec::new(),
            addresses: Vec::new(),
            families: Families {
                ipv4: true,
                ipv6: true,
            },
            l2_name: String::new(),
            peer: None,
            point_to_point: false,
        }
    }

    /// An Ethernet interface, up, reaching `reaches`.
    pub fn ethernet(name: &str, mtu: u16, reaches: Vec<Prefix>) -> FakeIface {
        FakeIface {
            up: true,
            reaches,
            ..FakeIface::new(name, IfaceKind::Link(Link::Ethernet), mtu)
        }
    }

    /// An unused IPIP tunnel interface, down and detached.
    pub fn ipip(name: &str) -> FakeIface {
        FakeIface {
            l2_name: "IP tunnel".into(),
            ..FakeIface::new(name, IfaceKind::IpipTunnel, 1280)
        }
    }

    /// The loopback interface (dummy L2, raw IP frames), up.
    pub fn loopback() -> FakeIface {
        FakeIface {
            up: true,
            ..FakeIface::new("lo", IfaceKind::Loopback, 576)
        }
    }

    /// The "any" pseudo interface.
    pub fn any() -> FakeIface {
        FakeIface::new("any", IfaceKind::Pseudo, 1024)
    }

    /// A virtual interface such as the cooked one.
    pub fn virtual_iface(name: &str) -> FakeIface {
        FakeIface::new(name, IfaceKind::OtherVirtual, 1024)
    }
}
