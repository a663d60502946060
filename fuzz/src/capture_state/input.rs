//! What the fuzzer generates: a topology of fake interfaces, frames to
//! capture and the sequence of calls to make.

use arbitrary::Arbitrary;
use fake_stack::{FakeFrame, FakeIface, FakeStack, Op as FailOp, Prefix};
use zephyr_net_capture::capture::IfaceKind;
use zephyr_net_capture::wire::feedback::Link;
use zephyr_net_capture::wire::IpAddr;

/// Capture devices (`CONFIG_NET_CAPTURE_DEVICE_COUNT`).
pub const DEVICES: usize = 3;
/// Longest sequence run, to keep one execution fast.
pub(super) const MAX_OPS: usize = 64;

/// Endpoint strings that mean something in the topology: routed through
/// Ethernet, PPP, loopback, a virtual interface, or nowhere; both families,
/// with and without ports.
pub const KNOWN: &[&str] = &[
    "192.0.2.2",
    "2001:db8:200::1",
    "2001:db8:200::2",
    "192.0.2.1",
    "[2001:db8:200::2]:9998",
    "198.51.100.1:9999",
    "2001:db8::2",
    "[2001:db8::2]",
    "203.0.113.7",
    "100.64.0.1",
    "10.0.0.1",
    "192.0.2.2:0",
    "[2001:db8:1::5]:4243",
    "2001:db8:1::5",
];

/// A setup string: a known one, or arbitrary bytes.
#[derive(Arbitrary, Clone, Debug)]
pub enum Text {
    Known(u8),
    Raw(Vec<u8>),
}

impl Text {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Text::Known(i) => KNOWN[usize::from(*i) % KNOWN.len()].as_bytes().to_vec(),
            Text::Raw(bytes) => bytes.clone(),
        }
    }
}

/// An MTU: a notable one, or any.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Mtu {
    Usual,
    Notable(u8),
    Any(u16),
}

impl Mtu {
    pub fn value(self) -> u16 {
        const NOTABLE: [u16; 8] = [1280, 576, 68, 56, 76, 9000, 65535, 0];
        match self {
            Mtu::Usual => 1500,
            Mtu::Notable(i) => NOTABLE[usize::from(i) % NOTABLE.len()],
            Mtu::Any(mtu) => mtu,
        }
    }
}

/// The interfaces and pool the devices run on.
#[derive(Arbitrary, Clone, Debug)]
pub struct Topology {
    pub eth_mtu: Mtu,
    pub ppp_mtu: Mtu,
    /// IPIP tunnels: 1 to 3.
    pub tunnels: u8,
    /// Capture pool bytes: 0 means the sample's 2048.
    pub pool: u16,
}

/// Interface 1 is Ethernet, then the tunnels, then these.
const AFTER_TUNNELS: [&str; 4] = ["any", "vnet", "ppp0", "lo"];

impl Topology {
    pub fn tunnel_count(&self) -> u8 {
        1 + self.tunnels % 3
    }

    pub fn build(&self) -> FakeStack {
        let mut ifaces = vec![FakeIface::ethernet(
            "eth0",
            self.eth_mtu.value(),
            vec![
                Prefix::parse("192.0.2.0/24"),
                Prefix::parse("2001:db8::/64"),
            ],
        )];
        for n in 0..self.tunnel_count() {
            ifaces.push(FakeIface::ipip(&format!("net{n}")));
        }
        ifaces.push(FakeIface::any());
        ifaces.push(FakeIface {
            reaches: vec![Prefix::parse("100.64.0.0/10")],
            ..FakeIface::virtual_iface("vnet")
        });
        ifaces.push(FakeIface {
            kind: IfaceKind::Link(Link::Ppp),
            ..FakeIface::ethernet(
                "ppp0",
                self.ppp_mtu.value(),
                vec![
                    Prefix::parse("198.51.100.0/24"),
                    Prefix::parse("2001:db8:1::/48"),
                ],
            )
        });
        ifaces.push(FakeIface {
            kind: IfaceKind::Link(Link::RawIp),
            ..FakeIface::ethernet("lo", 65535, vec![Prefix::parse("203.0.113.0/24")])
        });
        let pool = match self.pool {
            0 => 2048,
            bytes => usize::from(bytes),
        };
        FakeStack::new(ifaces, pool)
    }

    pub(super) fn iface_count(&self) -> u8 {
        1 + self.tunnel_count() + AFTER_TUNNELS.len() as u8
    }
}

/// Bytes of a frame to capture.
#[derive(Arbitrary, Clone, Debug)]
pub enum Content {
    Raw(Vec<u8>),
    /// An Ethernet frame carrying IPv4, `len` bytes long.
    Ethernet {
        len: u16,
    },
    /// The tunnel's own traffic to one of the known remotes: an IPIP or
    /// 6in4 packet, or an ICMP error quoting one, behind an Ethernet or PPP
    /// header or bare.
    Feedback {
        remote: u8,
        icmp: bool,
        link: u8,
    },
    /// A large frame of one repeated byte.
    Filled {
        len: u16,
        byte: u8,
    },
}

/// A frame at a capture point.
#[derive(Arbitrary, Clone, Debug)]
pub struct FrameSpec {
    pub content: Content,
    /// Bytes per buffer of the chain (0 means 1).
    pub chunk: u8,
    /// The stack's captured mark.
    pub captured: bool,
}

fn ipv4_header(protocol: u8, src: [u8; 4], dst: [u8; 4], payload: usize) -> Vec<u8> {
    let total = (20 + payload) as u16;
    let mut header = vec![0x45, 0, (total >> 8) as u8, total as u8, 0, 0, 0x40, 0, 64];
    header.extend_from_slice(&[protocol, 0, 0]);
    header.extend_from_slice(&src);
    header.extend_from_slice(&dst);
    header
}

impl FrameSpec {
    pub fn bytes(&self) -> Vec<u8> {
        match &self.content {
            Content::Raw(bytes) => bytes.clone(),
            Content::Ethernet { len } => {
                let len = usize::from(*len).max(34);
                let mut frame = vec![2, 0, 0x5e, 0, 0x53, 0xd2, 2, 0, 0x5e, 0, 0x53, 1, 8, 0];
                frame.extend(ipv4_header(1, [192, 0, 2, 2], [192, 0, 2, 1], len - 34));
                frame.resize(len, 0x5a);
                frame
            }
            Content::Feedback { remote, icmp, link } => feedback_frame(*remote, *icmp, *link),
            Content::Filled { len, byte } => vec![*byte; usize::from(*len)],
        }
    }

    pub fn frame(&self) -> FakeFrame {
        FakeFrame {
            captured: self.captured,
            ..FakeFrame::new(&self.bytes(), usize::from(self.chunk.max(1)))
        }
    }
}

pub fn feedback_frame(remote: u8, icmp: bool, link: u8) -> Vec<u8> {
    let remote: IpAddr = ["192.0.2.2", "2001:db8::2", "198.51.100.1", "203.0.113.7"]
        [usize::from(remote) % 4]
        .parse()
        .expect("address");
    let tunnel = match remote {
        IpAddr::V4(dst) => ipv4_header(4, [192, 0, 2, 1], dst.octets(), 28),
        IpAddr::V6(dst) => {
            let mut header = vec![0x60, 0, 0, 0, 0, 28, 41, 64];
            header.extend_from_slice(
                &"2001:db8::1"
                    .parse::<std::net::Ipv6Addr>()
                    .unwrap()
                    .octets(),
            );
            header.extend_from_slice(&dst.octets());
            header
        }
    };
    let mut packet = tunnel.clone();
    packet.resize(tunnel.len() + 28, 0);
    if icmp {
        // An error about the tunnel packet, from the remote's router.
        let mut error = match remote {
            IpAddr::V4(_) => ipv4_header(1, [192, 0, 2, 254], [192, 0, 2, 1], 8 + packet.len()),
            IpAddr::V6(_) => {
                let len = (8 + packet.len()) as u16;
                let mut header = vec![0x60, 0, 0, 0, (len >> 8) as u8, len as u8, 58, 64];
                header.extend_from_slice(&[
                    0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,
                ]);
                header.extend_from_slice(&[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
                header
            }
        };
        error.extend_from_slice(&[if remote.is_ipv4() { 3 } else { 1 }, 0, 0, 0, 0, 0, 0, 0]);
        error.extend_from_slice(&packet);
        packet = error;
    }
    let version = if packet[0] >> 4 == 4 {
        0x0800u16
    } else {
        0x86dd
    };
    let mut frame = match link % 3 {
        0 => {
            let mut header = vec![2, 0, 0x5e, 0, 0x53, 1, 2, 0, 0x5e, 0, 0x53, 2];
            header.extend_from_slice(&version.to_be_bytes());
            header
        }
        1 => vec![0, if version == 0x0800 { 0x21 } else { 0x57 }],
        _ => Vec::new(),
    };
    frame.extend_from_slice(&packet);
    frame
}

/// One call into the capture API, or a change of the fake's behaviour.
#[derive(Arbitrary, Clone, Debug)]
pub enum Op {
    Setup {
        remote: Text,
        local: Text,
        peer: Text,
    },
    Cleanup(u8),
    Enable {
        device: u8,
        iface: u8,
    },
    Disable(u8),
    IsEnabled(u8),
    Foreach,
    Capture {
        iface: u8,
        frame: FrameSpec,
    },
    Send {
        device: u8,
        frame: FrameSpec,
    },
    Fail {
        op: FailOp,
        count: u8,
        io: bool,
    },
    /// Stops (true) or restarts the system work queue. Was `InIsr`:
    /// same encoding, so recorded inputs still decode.
    HoldQueue(bool),
    Truncate(bool),
}

/// A topology and the calls to make on it.
#[derive(Arbitrary, Clone, Debug)]
pub struct Script {
    pub topology: Topology,
    pub ops: Vec<Op>,
}
