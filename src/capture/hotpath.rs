//! `net_capture_pkt()`: copying a packet into every tunnel that captures
//! its interface.
//!
//! The copy comes from the capture pools only (W13: the C clone took its
//! buffers from the stack's RX pool), is sized to the tunnel (W29), and is
//! marked captured so the stack never captures it again. The original
//! packet is only read: it is not marked (W25), so a later capture point
//! (another device, a forwarded packet) still sees it. Nothing here waits:
//! a capture that finds no memory is dropped and counted.

use core::sync::atomic::Ordering;

use crate::errno::{Errno, Result};
use crate::log::{Arg, Level};
use crate::wire::feedback::{self, Link};
use crate::wire::tunnel::PlanError;

use super::device::{Device, Route};
use super::payload::Payload;
use super::platform::{DataPlane, Direction, Frame, IpVersion, Lock};
use super::stats::Outcome;
use super::{device_arg, Captures};

/// Bytes of a frame inspected to recognise the tunnel's own traffic: link
/// header and VLAN tag, IPv6 header, ICMP header, quoted IPv6 header.
pub(crate) const HEAD_LEN: usize = 14 + 4 + 40 + 8 + 40;

/// Why one capture was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loss {
    Feedback,
    Isr,
    Plan(PlanError),
    PoolTooSmall { len: usize },
    NoMem,
    Send(Errno),
}

impl Loss {
    fn outcome(self) -> Outcome {
        match self {
            Loss::Feedback => Outcome::Feedback,
            Loss::NoMem => Outcome::NoMem,
            Loss::Send(_) => Outcome::SendFailed,
            Loss::Isr | Loss::Plan(_) | Loss::PoolTooSmall { .. } => Outcome::Other,
        }
    }

    fn errno(self) -> Errno {
        match self {
            Loss::Feedback => Errno::Already,
            Loss::Isr => Errno::Again,
            Loss::Plan(_) | Loss::PoolTooSmall { .. } => Errno::MsgSize,
            Loss::NoMem => Errno::NoMem,
            Loss::Send(err) => err,
        }
    }
}

/// How a capture went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sent {
    fragmented: bool,
    truncated_from: Option<usize>,
    carried: usize,
}

/// The routes one capture takes, each counted in flight until delivered.
pub(crate) type Routes<I, const N: usize> = heapless::Vec<Route<I>, N>;

/// Where a capture comes from, which decides how its packets leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A packet at a capture point: sent at once, as the C code did.
    Packet,
    /// A packet that reached the cooked interface: sent at once, counted
    /// as cooked.
    CookedPacket,
    /// `net_capture_data()`: queued for the system work queue, because the
    /// caller (the PPP driver flushing its UART buffer) must not be
    /// re-entered by a tunnel that runs over its own link.
    CookedData,
}

impl Source {
    fn is_cooked(self) -> bool {
        self != Source::Packet
    }
}

impl<S: DataPlane, const N: usize> Captures<S, N> {
    /// `net_capture_pkt_with_status()`: captures `frame`, seen on `iface`,
    /// into every device enabled on that interface.
    ///
    /// `EALREADY` for tunnel packets, `ENOENT` when nothing captures
    /// `iface`; otherwise the outcome of the first device that lost it.
    pub fn capture(&self, iface: S::Iface, frame: &S::Frame) -> Result<()> {
        if frame.is_captured() {
            return Err(Errno::Already);
        }
        if !self.may_capture(iface) {
            return Err(Errno::NoEnt);
        }
        let routes = self.routes_for(iface, frame.direction());
        if routes.is_empty() {
            return Err(Errno::NoEnt);
        }
        self.deliver(iface, &routes, &Payload::frame(frame), Source::Packet)
    }

    /// The send slot: captures `frame` into the device's tunnel, whatever
    /// interface it was seen on. `ENOENT` if the device is not set up,
    /// `EALREADY` for a tunnel packet (as for [`Captures::capture`]).
    pub fn send(&self, device: usize, frame: &S::Frame) -> Result<()> {
        if frame.is_captured() {
            return Err(Errno::Already);
        }
        let route = {
            let table = self.table.lock();
            let route = table
                .get(device)
                .and_then(Device::tunnel)
                .map(|tunnel| tunnel.route(device, Link::Other));
            if route.is_some() {
                self.started(device);
            }
            route
        };
        let route = route.ok_or(Errno::NoEnt)?;
        self.deliver(
            route.tunnel,
            core::slice::from_ref(&route),
            &Payload::frame(frame),
            Source::Packet,
        )
    }

    /// Routes of every device capturing `iface` (copied out of the table),
    /// each counted in flight. The loopback interface shows each packet
    /// twice; only the outgoing copy is taken.
    pub(crate) fn routes_for(&self, iface: S::Iface, direction: Direction) -> Routes<S::Iface, N> {
        let mut routes = Routes::new();
        let table = self.table.lock();
        for (device, state) in table.iter() {
            if let Device::Enabled {
                tunnel,
                iface: captured,
                link,
                outbound_only,
            } = state
            {
                let wanted = !(*outbound_only && direction == Direction::In);
                if *captured == iface && wanted && routes.push(tunnel.route(device, *link)).is_ok()
                {
                    self.started(device);
                }
            }
        }
        routes
    }

    /// A route is handed out: cleanup waits for it.
    fn started(&self, device: usize) {
        if let Some(count) = self.in_flight.get(device) {
            count.fetch_add(1, Ordering::Acquire);
        }
    }

    /// Sends `payload` through each route, counting and logging losses.
    pub(crate) fn deliver(
        &self,
        iface: S::Iface,
        routes: &[Route<S::Iface>],
        payload: &Payload<'_, S::Frame>,
        source: Source,
    ) -> Result<()> {
        let feedback = if routes.iter().any(|route| route.lower == iface) {
            Self::feedback(iface, routes, payload)
        } else {
            0
        };
        let mut result = Ok(());
        for (index, route) in routes.iter().enumerate() {
            let outcome = if index < 32 && feedback & (1 << index) != 0 {
                Err(Loss::Feedback)
            } else {
                self.emit(route, payload, source)
            };
            self.finished(route.device);
            let counted = match outcome {
                Ok(sent) => Outcome::Sent {
                    fragmented: sent.fragmented,
                    truncated: sent.truncated_from.is_some(),
                },
                Err(loss) => loss.outcome(),
            };
            if let Some(stats) = self.stats.get(route.device) {
                if stats.record(counted, source.is_cooked()) {
                    self.log_first_loss(route.device, outcome);
                }
            }
            if let (Err(loss), Ok(())) = (outcome, result) {
                result = Err(loss.errno());
            }
        }
        result
    }

    /// Which routes (bit per position) would carry a frame of their own
    /// tunnel, seen on the interface that carries it (W14). Not inlined:
    /// the copy of the frame's first bytes is off the stack before the
    /// capture is sent.
    #[inline(never)]
    fn feedback(
        iface: S::Iface,
        routes: &[Route<S::Iface>],
        payload: &Payload<'_, S::Frame>,
    ) -> u32 {
        let mut head_buf = [0u8; HEAD_LEN];
        let head = payload.head(&mut head_buf, HEAD_LEN);
        let mut mask = 0;
        for (index, route) in routes.iter().enumerate().take(32) {
            if route.lower == iface && feedback::is_tunnel_frame(head, route.link, &route.remote) {
                mask |= 1 << index;
            }
        }
        mask
    }

    /// Builds and sends the datagram of one capture for one route.
    fn emit(
        &self,
        route: &Route<S::Iface>,
        payload: &Payload<'_, S::Frame>,
        source: Source,
    ) -> core::result::Result<Sent, Loss> {
        if self.stack.in_isr() {
            // Allocation may not block here and the TX path may not run
            // here; the C code took a mutex in this context (W10).
            return Err(Loss::Isr);
        }
        let outer = IpVersion::of(&route.remote).header_len();
        let mtu = usize::from(self.stack.mtu(route.lower)).saturating_sub(outer);
        let ident = self.next_ident.fetch_add(1, Ordering::Relaxed);
        let plan = route
            .encap
            .plan(payload.len(), mtu, self.config.oversize, ident)
            .map_err(Loss::Plan)?;
        let mut sum = plan.checksum_start().map_err(Loss::Plan)?;
        payload.sum_prefix(plan.payload_len(), &mut sum);
        let version = IpVersion::of(&route.encap.local);
        for index in 0..plan.pieces() {
            let piece = plan.piece(index, sum).map_err(Loss::Plan)?;
            let len = piece.len();
            if len > self.config.pool_capacity {
                return Err(Loss::PoolTooSmall { len });
            }
            let mut packet = self.stack.alloc(len).map_err(|_| Loss::NoMem)?;
            self.stack
                .append(&mut packet, piece.header())
                .map_err(|_| Loss::NoMem)?;
            payload
                .for_range(piece.payload.clone(), |bytes| {
                    self.stack.append(&mut packet, bytes)
                })
                .map_err(|_| Loss::NoMem)?;
            let sent = if source == Source::CookedData {
                self.stack.send_later(route.tunnel, packet, version)
            } else {
                self.stack.send(route.tunnel, packet, version)
            };
            sent.map_err(Loss::Send)?;
        }
        Ok(Sent {
            fragmented: plan.is_fragmented(),
            truncated_from: plan.truncated_from(),
            carried: plan.payload_len(),
        })
    }

    /// Sends a packet [`DataPlane::send_later`] queued; a refusal is
    /// counted as a send failure of the device that owns the tunnel (the
    /// capture was counted when queued).
    pub fn send_queued(&self, tunnel: S::Iface, packet: S::Packet, version: IpVersion) {
        let Err(err) = self.stack.send(tunnel, packet, version) else {
            return;
        };
        let device = self
            .table
            .lock()
            .iter()
            .position(|(_, state)| state.tunnel().is_some_and(|t| t.iface == tunnel));
        if let Some(device) = device {
            if let Some(stats) = self.stats.get(device) {
                if stats.record(Outcome::SendFailed, false) {
                    self.log_first_loss(device, Err(Loss::Send(err)));
                }
            }
        }
    }

    fn log_first_loss(&self, device: usize, outcome: core::result::Result<Sent, Loss>) {
        let device = device_arg(device);
        let (format, args): (&'static core::ffi::CStr, [Arg; 3]) = match outcome {
            Ok(Sent {
                truncated_from: Some(len),
                carried,
                ..
            }) => (
                c"NET_CAPTURE%ld: %ld-byte capture cut to %ld bytes to fit the tunnel \
                  (logged once; see the truncated counter)",
                [device, Arg::count(len), Arg::count(carried)],
            ),
            Ok(_) | Err(Loss::Feedback) => return,
            Err(Loss::Isr) => (
                c"NET_CAPTURE%ld: packets captured in interrupt context are dropped",
                [device, Arg::Int(0), Arg::Int(0)],
            ),
            Err(Loss::Plan(err)) => (
                c"NET_CAPTURE%ld: capture does not fit the tunnel (%s)",
                [device, Arg::Str(err.reason()), Arg::Int(0)],
            ),
            Err(Loss::PoolTooSmall { len }) => (
                c"NET_CAPTURE%ld: %ld-byte tunnel packet exceeds the %ld-byte capture pool \
                  (raise CONFIG_NET_CAPTURE_BUF_COUNT)",
                [
                    device,
                    Arg::count(len),
                    Arg::count(self.config.pool_capacity),
                ],
            ),
            Err(Loss::NoMem) => (
                c"NET_CAPTURE%ld: capture pool exhausted, dropping captures \
                  (CONFIG_NET_CAPTURE_PKT_COUNT/BUF_COUNT)",
                [device, Arg::Int(0), Arg::Int(0)],
            ),
            Err(Loss::Send(err)) => (
                c"NET_CAPTURE%ld: tunnel refused a capture (%ld)",
                [device, Arg::Errno(err), Arg::Int(0)],
            ),
        };
        self.stack.log(Level::Warning, format, &args);
    }
}
