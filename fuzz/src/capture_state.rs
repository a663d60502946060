//! The capture device state machine (`Captures`) driven by arbitrary call
//! sequences against the fake stack, with its invariants checked after
//! every call and after a final cleanup of every device.

use arbitrary::{Arbitrary, Unstructured};
use fake_stack::{FakeFrame, FakeIface, FakeStack, Op as FailOp, Prefix};
use zephyr_net_capture::capture::{
    Captures, Device, Families, IfaceKind, IpVersion, StatsSnapshot, TUNNEL_L2_NAME,
};
use zephyr_net_capture::errno::Errno;
use zephyr_net_capture::wire::feedback::Link;
use zephyr_net_capture::wire::IpAddr;

use crate::decode;

/// Capture devices (`CONFIG_NET_CAPTURE_DEVICE_COUNT`).
pub const DEVICES: usize = 3;
/// Longest sequence run, to keep one execution fast.
const MAX_OPS: usize = 64;

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

    fn iface_count(&self) -> u8 {
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

/// fake_stack's failure-injectable operations.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Failing {
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

impl Failing {
    pub fn op(self) -> FailOp {
        match self {
            Failing::Attach => FailOp::Attach,
            Failing::SetPeer => FailOp::SetPeer,
            Failing::SetMtu => FailOp::SetMtu,
            Failing::AddAddress => FailOp::AddAddress,
            Failing::RemoveAddress => FailOp::RemoveAddress,
            Failing::Up => FailOp::Up,
            Failing::Down => FailOp::Down,
            Failing::Alloc => FailOp::Alloc,
            Failing::Send => FailOp::Send,
        }
    }
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
        op: Failing,
        count: u8,
        io: bool,
    },
    InIsr(bool),
    Truncate(bool),
}

/// A topology and the calls to make on it.
#[derive(Arbitrary, Clone, Debug)]
pub struct Script {
    pub topology: Topology,
    pub ops: Vec<Op>,
}

pub fn check(data: &[u8]) {
    if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(data)) {
        run(&script);
    }
}

/// What a run reached, for choosing seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    pub set_up: bool,
    pub enabled: bool,
    pub sent: bool,
    pub fragmented: bool,
    pub truncated: bool,
    pub feedback: bool,
    pub setup_failed_midway: bool,
}

/// Operations whose failure during setup's rollback, a cleanup or a
/// disable leaves a tunnel changed by design (the failure is logged, and
/// nothing more can be done); runs that inject them skip the
/// "tunnel restored" checks from then on.
const RESTORING: [FailOp; 4] = [
    FailOp::Attach,
    FailOp::SetMtu,
    FailOp::RemoveAddress,
    FailOp::Down,
];

pub(crate) struct Harness {
    pub stack: FakeStack,
    pub captures: Captures<FakeStack, DEVICES>,
    original: Vec<FakeIface>,
    tunnels: Vec<u8>,
    iface_count: u8,
    stats: Vec<StatsSnapshot>,
    /// A restoring operation may have failed: tunnel state is not checked.
    tainted: bool,
    pub reached: Reached,
}

impl Harness {
    pub fn new(topology: &Topology) -> Harness {
        let stack = topology.build();
        let captures = stack.captures::<DEVICES>();
        let original = stack.world().ifaces.clone();
        Harness {
            tunnels: (2..2 + topology.tunnel_count()).collect(),
            iface_count: topology.iface_count(),
            original,
            captures,
            stack,
            stats: vec![StatsSnapshot::default(); DEVICES],
            tainted: false,
            reached: Reached::default(),
        }
    }

    /// An interface index: 0 and one past the last are unregistered.
    pub fn iface(&self, raw: u8) -> u8 {
        raw % (self.iface_count + 2)
    }

    /// A device index: a few past the last are invalid.
    pub fn device(raw: u8) -> usize {
        usize::from(raw) % (DEVICES + 2)
    }

    fn devices(&self) -> Vec<Option<Device<u8>>> {
        (0..DEVICES + 2).map(|d| self.captures.device(d)).collect()
    }

    fn restoring_failure_pending(&self) -> bool {
        let world = self.stack.world();
        RESTORING
            .iter()
            .any(|op| world.failures.get(op).is_some_and(|(count, _)| *count > 0))
    }

    pub fn apply(&mut self, op: &Op) {
        let before = self.devices();
        let ifaces_before = self.stack.world().ifaces.clone();
        let sent_before = self.stack.sent().len();
        self.stack.take_calls();
        if matches!(op, Op::Setup { .. } | Op::Cleanup(_) | Op::Disable(_))
            && self.restoring_failure_pending()
        {
            self.tainted = true;
        }
        match op {
            Op::Setup {
                remote,
                local,
                peer,
            } => {
                let result = self
                    .captures
                    .setup(&remote.bytes(), &local.bytes(), &peer.bytes());
                self.after_setup(result, &before, &ifaces_before);
            }
            Op::Cleanup(raw) => {
                let device = Self::device(*raw);
                let result = self.captures.cleanup(device);
                self.after_cleanup(device, result, &before);
            }
            Op::Enable { device, iface } => {
                let (device, iface) = (Self::device(*device), self.iface(*iface));
                let result = self.captures.enable(device, iface);
                self.after_enable(device, iface, result, &before);
            }
            Op::Disable(raw) => {
                let device = Self::device(*raw);
                let result = self.captures.disable(device);
                self.after_disable(device, result, &before);
            }
            Op::IsEnabled(raw) => {
                let device = Self::device(*raw);
                let enabled = before[device].as_ref().is_some_and(Device::is_enabled);
                assert_eq!(self.captures.is_enabled(device), enabled);
            }
            Op::Foreach => self.check_foreach(&before),
            Op::Capture { iface, frame } => {
                let iface = self.iface(*iface);
                let routes: Vec<usize> = (0..DEVICES)
                    .filter(|d| before[*d].as_ref().and_then(Device::captured_iface) == Some(iface))
                    .collect();
                let result = self.captures.capture(iface, &frame.frame());
                if frame.captured {
                    assert_eq!(result, Err(Errno::Already));
                } else if routes.is_empty() {
                    assert_eq!(result, Err(Errno::NoEnt));
                }
                let routes = if frame.captured { Vec::new() } else { routes };
                self.after_delivery(&routes, result, frame, &before, sent_before);
            }
            Op::Send { device, frame } => {
                let device = Self::device(*device);
                let set_up = before[device]
                    .as_ref()
                    .is_some_and(|d| d.tunnel().is_some());
                let result = self.captures.send(device, &frame.frame());
                if frame.captured {
                    assert_eq!(result, Err(Errno::Already));
                } else if !set_up {
                    assert_eq!(result, Err(Errno::NoEnt));
                }
                let routes = if set_up && !frame.captured {
                    vec![device]
                } else {
                    Vec::new()
                };
                self.after_delivery(&routes, result, frame, &before, sent_before);
            }
            Op::Fail { op, count, io } => {
                let errno = if *io { Errno::Io } else { Errno::Stack(-5) };
                self.stack.fail(op.op(), usize::from(count % 4), errno);
            }
            Op::InIsr(on) => self.stack.world().in_isr = *on,
            Op::Truncate(on) => {
                self.stack.world().oversize = if *on {
                    zephyr_net_capture::wire::tunnel::Oversize::Truncate
                } else {
                    zephyr_net_capture::wire::tunnel::Oversize::Fragment
                };
            }
        }
        self.check_always();
    }

    fn after_setup(
        &mut self,
        result: Result<usize, Errno>,
        before: &[Option<Device<u8>>],
        ifaces_before: &[FakeIface],
    ) {
        let after = self.devices();
        let Ok(device) = result else {
            assert_eq!(after, before, "a failed setup changes no device");
            if !self.tainted {
                let changed: Vec<_> = self
                    .stack
                    .world()
                    .ifaces
                    .iter()
                    .zip(ifaces_before)
                    // The tunnel peer has no inverse in the Stack trait.
                    .filter(|(now, then)| {
                        FakeIface {
                            peer: then.peer,
                            ..(*now).clone()
                        } != **then
                    })
                    .map(|(now, then)| format!("{then:?} -> {now:?}"))
                    .collect();
                assert!(changed.is_empty(), "failed setup left {changed:?}");
                if self
                    .stack
                    .take_calls()
                    .iter()
                    .any(|c| matches!(c, fake_stack::Call::Attach(_, Some(_))))
                {
                    self.reached.setup_failed_midway = true;
                }
            }
            return;
        };
        self.reached.set_up = true;
        let first_free = before.iter().position(|d| *d == Some(Device::Free));
        assert_eq!(
            Some(device),
            first_free,
            "setup takes the lowest free device"
        );
        let Some(Device::SetUp(tunnel)) = &after[device] else {
            panic!("device {device} after setup: {:?}", after[device]);
        };
        for (d, state) in after.iter().enumerate() {
            if d != device {
                assert_eq!(state, &before[d]);
            }
        }
        assert!(self.tunnels.contains(&tunnel.iface), "{tunnel:?}");
        let iface = self.stack.iface(tunnel.iface);
        let then = &ifaces_before[usize::from(tunnel.iface) - 1];
        assert_eq!(
            (
                tunnel.saved.mtu,
                tunnel.saved.families,
                tunnel.saved.l2_name.as_str()
            ),
            (then.mtu, then.families, then.l2_name.as_str()),
            "setup saved what it changed"
        );
        assert_eq!(iface.lower, Some(tunnel.lower));
        assert!(iface.addresses.contains(&tunnel.encap.local));
        assert_eq!(iface.l2_name, TUNNEL_L2_NAME);
        assert_eq!(iface.families, Families::only(&tunnel.encap.local));
        let outer = IpVersion::of(&tunnel.remote).header_len();
        let lower_mtu = self.stack.iface(tunnel.lower).mtu;
        assert_eq!(usize::from(iface.mtu), usize::from(lower_mtu) - outer);
        assert!(!iface.up);
    }

    /// The tunnel of a device that was just freed is as setup found it.
    fn check_restored(&self, tunnel: &zephyr_net_capture::capture::Tunnel<u8>) {
        if self.tainted {
            return;
        }
        let iface = self.stack.iface(tunnel.iface);
        assert_eq!(iface.mtu, tunnel.saved.mtu, "tunnel MTU restored");
        assert_eq!(iface.families, tunnel.saved.families);
        assert_eq!(iface.l2_name, tunnel.saved.l2_name.as_str());
        assert_eq!(iface.lower, None, "tunnel detached");
        assert!(!iface.up, "tunnel down");
        assert!(
            !iface.addresses.contains(&tunnel.encap.local),
            "tunnel address removed"
        );
    }

    fn after_cleanup(
        &mut self,
        device: usize,
        result: Result<(), Errno>,
        before: &[Option<Device<u8>>],
    ) {
        let after = self.devices();
        match &before[device] {
            None => assert_eq!(result, Err(Errno::Inval)),
            Some(Device::Free) => assert_eq!(result, Err(Errno::NoEnt)),
            Some(state) => {
                assert_eq!(result, Ok(()));
                assert_eq!(after[device], Some(Device::Free));
                self.check_restored(state.tunnel().expect("set up"));
            }
        }
        for (d, state) in after.iter().enumerate() {
            if d != device {
                assert_eq!(state, &before[d]);
            }
        }
    }

    fn after_enable(
        &mut self,
        device: usize,
        iface: u8,
        result: Result<(), Errno>,
        before: &[Option<Device<u8>>],
    ) {
        let after = self.devices();
        let owned = before
            .iter()
            .flatten()
            .any(|d| d.tunnel().is_some_and(|t| t.iface == iface));
        let registered = (1..=self.iface_count).contains(&iface);
        match (&before[device], result) {
            (None, r) => assert_eq!(r, Err(Errno::Inval)),
            (Some(Device::Free), r) => assert_eq!(r, Err(Errno::NoEnt)),
            (Some(Device::Enabled { .. }), r) => assert_eq!(r, Err(Errno::Already)),
            (Some(Device::SetUp(tunnel)), Ok(())) => {
                self.reached.enabled = true;
                assert!(registered, "enabled on unregistered interface {iface}");
                assert!(!owned, "enabled on a capture tunnel");
                assert_ne!(
                    self.stack.iface(iface).kind,
                    IfaceKind::Pseudo,
                    "enabled on the any interface"
                );
                assert_eq!(
                    after[device].as_ref().and_then(Device::captured_iface),
                    Some(iface)
                );
                assert!(self.stack.iface(tunnel.iface).up, "tunnel up once enabled");
            }
            (Some(Device::SetUp(_)), Err(_)) => {
                assert_eq!(after[device], before[device]);
            }
        }
        for (d, state) in after.iter().enumerate() {
            if d != device {
                assert_eq!(state, &before[d]);
            }
        }
    }

    fn after_disable(
        &mut self,
        device: usize,
        result: Result<(), Errno>,
        before: &[Option<Device<u8>>],
    ) {
        let after = self.devices();
        match &before[device] {
            None => assert_eq!(result, Err(Errno::Inval)),
            Some(Device::Free) => assert_eq!(result, Err(Errno::NoEnt)),
            Some(Device::SetUp(_)) => assert_eq!(result, Err(Errno::Already)),
            Some(Device::Enabled { tunnel, .. }) => {
                assert_eq!(result, Ok(()));
                assert_eq!(after[device], Some(Device::SetUp(tunnel.clone())));
                if !self.tainted {
                    assert!(!self.stack.iface(tunnel.iface).up, "tunnel down");
                }
            }
        }
        for (d, state) in after.iter().enumerate() {
            if d != device {
                assert_eq!(state, &before[d]);
            }
        }
    }

    fn check_foreach(&self, before: &[Option<Device<u8>>]) {
        let mut seen = Vec::new();
        self.captures.foreach(|info| seen.push(*info));
        let expected: Vec<usize> = (0..DEVICES)
            .filter(|d| before[*d].as_ref().is_some_and(|s| s.tunnel().is_some()))
            .collect();
        let listed: Vec<usize> = seen.iter().map(|i| i.device).collect();
        assert_eq!(listed, expected);
        for info in &seen {
            let state = before[info.device].as_ref().expect("valid");
            let tunnel = state.tunnel().expect("set up");
            assert_eq!(info.captured, state.captured_iface());
            assert_eq!(info.tunnel, tunnel.iface);
            assert_eq!(info.local, (tunnel.encap.local, tunnel.encap.local_port));
            assert_eq!(info.peer, (tunnel.encap.peer, tunnel.encap.peer_port));
        }
    }

    /// One capture went to `routes` (device indices): each counted exactly
    /// once, nobody else counted, and what was sent decodes to the frame.
    fn after_delivery(
        &mut self,
        routes: &[usize],
        result: Result<(), Errno>,
        frame: &FrameSpec,
        before: &[Option<Device<u8>>],
        sent_before: usize,
    ) {
        let total = |s: &StatsSnapshot| {
            s.captured + s.dropped_nomem + s.dropped_send + s.dropped_other + s.skipped_feedback
        };
        let mut all_sent = true;
        let mut sent_routes = Vec::new();
        for device in 0..DEVICES {
            let now = self.captures.stats(device).expect("valid device");
            let then = self.stats[device];
            let expected = u32::from(routes.contains(&device));
            assert_eq!(
                total(&now) - total(&then),
                expected,
                "device {device} counted {then:?} -> {now:?}"
            );
            if expected == 1 {
                if now.captured > then.captured {
                    sent_routes.push(device);
                    self.reached.sent = true;
                    self.reached.fragmented |= now.fragmented > then.fragmented;
                    self.reached.truncated |= now.truncated > then.truncated;
                } else if now.skipped_feedback > then.skipped_feedback {
                    self.reached.feedback = true;
                    all_sent = false;
                } else {
                    all_sent = false;
                }
            }
        }
        if !routes.is_empty() {
            assert_eq!(result.is_ok(), all_sent, "result {result:?}");
        }
        let sent = self.stack.sent();
        let new = &sent[sent_before..];
        for packet in new {
            let device = before
                .iter()
                .flatten()
                .filter_map(Device::tunnel)
                .find(|t| t.iface == packet.tunnel)
                .expect("sent into a capture tunnel");
            let outer = IpVersion::of(&device.remote).header_len();
            let mtu = usize::from(self.stack.iface(device.lower).mtu) - outer;
            assert!(
                packet.bytes.len() <= mtu,
                "{}-byte tunnel packet, MTU {mtu}",
                packet.bytes.len()
            );
            assert_eq!(packet.version, IpVersion::of(&device.encap.local));
        }
        // Packets of a capture lost half-way (pool or send failure between
        // fragments) cannot be reassembled; only whole runs are decoded.
        let lost = routes.len() != sent_routes.len() + self.feedback_count(routes);
        if lost || routes.is_empty() {
            return;
        }
        let bytes = frame.bytes();
        let datagrams = decode::datagrams(new.iter().map(|p| p.bytes.as_slice()));
        assert_eq!(datagrams.len(), sent_routes.len());
        for (datagram, device) in datagrams.iter().zip(&sent_routes) {
            let tunnel = before[*device]
                .as_ref()
                .and_then(Device::tunnel)
                .expect("set up");
            assert_eq!(
                (datagram.src, datagram.dst),
                (tunnel.encap.local, tunnel.encap.peer)
            );
            assert_eq!(
                (datagram.src_port, datagram.dst_port),
                (tunnel.encap.local_port, tunnel.encap.peer_port)
            );
            assert!(datagram.payload.len() <= bytes.len());
            assert_eq!(datagram.payload, bytes[..datagram.payload.len()]);
            let now = self.captures.stats(*device).expect("valid");
            if datagram.payload.len() < bytes.len() {
                assert!(
                    now.truncated > self.stats[*device].truncated,
                    "cut but not counted"
                );
            }
        }
    }

    fn feedback_count(&self, routes: &[usize]) -> usize {
        routes
            .iter()
            .filter(|d| {
                let now = self.captures.stats(**d).expect("valid");
                now.skipped_feedback > self.stats[**d].skipped_feedback
            })
            .count()
    }

    /// Invariants that hold between any two calls.
    fn check_always(&mut self) {
        let pool = self.stack.pool();
        assert_eq!((pool.in_use(), pool.packets()), (0, 0), "capture pool leak");
        let enabled = (0..DEVICES).any(|d| self.captures.is_enabled(d));
        assert_eq!(self.captures.any_enabled(), enabled, "any_enabled");
        for device in 0..DEVICES {
            let now = self.captures.stats(device).expect("valid device");
            let then = self.stats[device];
            let pairs = [
                (then.captured, now.captured),
                (then.fragmented, now.fragmented),
                (then.truncated, now.truncated),
                (then.dropped_nomem, now.dropped_nomem),
                (then.dropped_send, now.dropped_send),
                (then.dropped_other, now.dropped_other),
                (then.skipped_feedback, now.skipped_feedback),
                (then.cooked_captured, now.cooked_captured),
                (then.cooked_dropped, now.cooked_dropped),
            ];
            assert!(
                pairs.iter().all(|(a, b)| a <= b),
                "counter decreased: {then:?} -> {now:?}"
            );
            assert!(now.fragmented + now.truncated <= now.captured, "{now:?}");
            assert!(now.cooked_captured <= now.captured, "{now:?}");
            assert!(
                now.cooked_dropped <= now.dropped_nomem + now.dropped_send + now.dropped_other,
                "{now:?}"
            );
            self.stats[device] = now;
        }
        let eth = self.stack.iface(1);
        assert_eq!(eth.mtu, self.original[0].mtu, "carrier MTU changed");
        self.stack.take_logs();
    }

    /// Cleans every device up with no failure injected and checks that
    /// everything is back as it started.
    pub fn finish(&mut self) {
        {
            let mut world = self.stack.world();
            world.failures.clear();
            world.in_isr = false;
        }
        for device in 0..DEVICES {
            self.apply(&Op::Cleanup(device as u8));
        }
        assert!(!self.captures.any_enabled());
        for device in 0..DEVICES {
            assert_eq!(self.captures.device(device), Some(Device::Free));
        }
        let now = self.stack.world().ifaces.clone();
        for (index, (iface, original)) in now.iter().zip(&self.original).enumerate() {
            let is_tunnel = self.tunnels.contains(&(index as u8 + 1));
            if !is_tunnel {
                // Only tunnels are ever changed.
                assert_eq!(iface, original, "interface {} changed", index + 1);
            } else if !self.tainted {
                assert_eq!(
                    FakeIface {
                        peer: None,
                        ..iface.clone()
                    },
                    *original,
                    "tunnel {} not restored",
                    index + 1
                );
            }
        }
    }
}

/// Runs a script and its final cleanup; returns what it reached.
pub fn run(script: &Script) -> Reached {
    let mut harness = Harness::new(&script.topology);
    for op in script.ops.iter().take(MAX_OPS) {
        harness.apply(op);
    }
    harness.finish();
    harness.reached
}
