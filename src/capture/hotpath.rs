//! `net_capture_pkt()`: copying a packet into every tunnel that captures
//! its interface.
//!
//! The copy comes from the capture pools only (spec W13: the C clone took
//! its buffers from the stack's RX pool), is sized to the tunnel (W29), and
//! is marked captured so the stack never captures it again. The original
//! packet is only read: it is not marked (W25), so a later capture point
//! (another device, a forwarded packet) still sees it.

use core::sync::atomic::Ordering;

use crate::errno::{Errno, Result};
use crate::wire::feedback::{self, Link};
use crate::wire::tunnel::PlanError;

use super::device::Route;
use super::payload::{copy_head, copy_range, sum_prefix};
use super::stack::{Frame, IpVersion, Lock, Packet, Payload, Stack};
use super::stats::Outcome;
use super::{device_arg, Captures};
use crate::log::Arg;
use crate::log::Level;

/// Bytes of a frame inspected to recognise the tunnel's own traffic:
/// link header, IP header with options, ICMP header, quoted IP header.
const FEEDBACK_HEAD: usize = 14 + 8 + 60 + 8 + 60;

/// Why one capture was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loss {
    Feedback,
    Isr,
    Plan(PlanError),
    PoolTooSmall { len: usize, capacity: usize },
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

impl<S: Stack, const N: usize> Captures<S, N> {
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
        let routes = self.routes_for(iface);
        if routes.is_empty() {
            return Err(Errno::NoEnt);
        }
        self.deliver(iface, &routes, frame, false)
    }

    /// The send slot: captures `frame` into the device's tunnel, whatever
    /// interface it was seen on. `ENOENT` if the device is not set up,
    /// `EALREADY` for a tunnel packet (as for [`Captures::capture`]).
    pub fn send(&self, device: usize, frame: &S::Frame) -> Result<()> {
        if frame.is_captured() {
            return Err(Errno::Already);
        }
        let route = self.table.with(|table| {
            table
                .get(device)
                .and_then(|state| state.tunnel())
                .map(|tunnel| tunnel.route(device, Link::Other))
        });
        let route = route.ok_or(Errno::NoEnt)?;
        self.deliver(route.tunnel, &[route], frame, false)
    }

    /// Sends `payload` through each route, counting and logging losses.
    pub(crate) fn deliver<P: Payload + ?Sized>(
        &self,
        iface: S::Iface,
        routes: &[Route<S::Iface>],
        payload: &P,
        cooked: bool,
    ) -> Result<()> {
        let mut result = Ok(());
        for route in routes {
            let outcome = self.emit(iface, route, payload);
            let counted = match outcome {
                Ok(sent) => Outcome::Sent {
                    fragmented: sent.fragmented,
                    truncated: sent.truncated_from.is_some(),
                },
                Err(loss) => loss.outcome(),
            };
            let Some(stats) = self.stats.get(route.device) else {
                continue;
            };
            if stats.record(counted, cooked) {
                self.log_first_loss(route, outcome);
            }
            if let Err(loss) = outcome {
                if result.is_ok() {
                    result = Err(loss.errno());
                }
            }
        }
        result
    }

    /// Builds and sends the datagram of one capture for one route.
    fn emit<P: Payload + ?Sized>(
        &self,
        iface: S::Iface,
        route: &Route<S::Iface>,
        payload: &P,
    ) -> core::result::Result<Sent, Loss> {
        if self.stack.in_isr() {
            // Allocation may not block here and the TX path may not run
            // here; the C code took a mutex in this context (spec W10).
            return Err(Loss::Isr);
        }
        if iface == route.lower && self.is_feedback(route, payload) {
            return Err(Loss::Feedback);
        }
        let outer = IpVersion::of(&route.remote).header_len();
        let mtu = usize::from(self.stack.mtu(route.lower)).saturating_sub(outer);
        let ident = self.next_ident.fetch_add(1, Ordering::Relaxed);
        let plan = route
            .encap
            .plan(payload.len(), mtu, self.stack.oversize(), ident)
            .map_err(Loss::Plan)?;
        let mut sum = plan.checksum_start().map_err(Loss::Plan)?;
        sum_prefix(payload, plan.payload_len(), &mut sum);
        let capacity = self.stack.pool_capacity();
        let version = IpVersion::of(&route.encap.local);
        for index in 0..plan.pieces() {
            let piece = plan.piece(index, sum).map_err(Loss::Plan)?;
            if piece.len() > capacity {
                return Err(Loss::PoolTooSmall {
                    len: piece.len(),
                    capacity,
                });
            }
            let mut packet = self.stack.alloc(piece.len()).map_err(|_| Loss::NoMem)?;
            packet.append(piece.header()).map_err(|_| Loss::NoMem)?;
            copy_range(payload, piece.payload.clone(), &mut packet).map_err(|_| Loss::NoMem)?;
            self.stack
                .send(route.tunnel, packet, version)
                .map_err(Loss::Send)?;
        }
        Ok(Sent {
            fragmented: plan.is_fragmented(),
            truncated_from: plan.truncated_from(),
            carried: plan.payload_len(),
        })
    }

    /// Whether a frame on the tunnel's carrier is the tunnel's own traffic;
    /// reads the first buffer in place when it holds the headers.
    fn is_feedback<P: Payload + ?Sized>(&self, route: &Route<S::Iface>, payload: &P) -> bool {
        let mut verdict = None;
        payload.for_each_chunk(&mut |first| {
            if first.len() >= FEEDBACK_HEAD || first.len() == payload.len() {
                verdict = Some(feedback::is_tunnel_frame(first, route.link, &route.remote));
            }
            false
        });
        verdict.unwrap_or_else(|| {
            let mut head = [0u8; FEEDBACK_HEAD];
            let len = copy_head(payload, &mut head);
            let head = head.get(..len).unwrap_or_default();
            feedback::is_tunnel_frame(head, route.link, &route.remote)
        })
    }

    fn log_first_loss(&self, route: &Route<S::Iface>, outcome: core::result::Result<Sent, Loss>) {
        let device = device_arg(route.device);
        let size = |bytes: usize| Arg::Int(i64::try_from(bytes).unwrap_or(i64::MAX));
        match outcome {
            Ok(Sent {
                truncated_from: Some(len),
                carried,
                ..
            }) => self.log(
                Level::Warning,
                "NET_CAPTURE{}: {}-byte capture cut to {} bytes to fit the tunnel \
                 (logged once; see the truncated counter)",
                &[device, size(len), size(carried)],
            ),
            Ok(_) | Err(Loss::Feedback) => {}
            Err(Loss::Isr) => self.log(
                Level::Warning,
                "NET_CAPTURE{}: packets captured in interrupt context are dropped",
                &[device],
            ),
            Err(Loss::Plan(err)) => self.log(
                Level::Warning,
                "NET_CAPTURE{}: capture does not fit the tunnel ({})",
                &[device, Arg::Str(err.reason())],
            ),
            Err(Loss::PoolTooSmall { len, capacity }) => self.log(
                Level::Warning,
                "NET_CAPTURE{}: {}-byte tunnel packet exceeds the {}-byte capture pool \
                 (raise CONFIG_NET_CAPTURE_BUF_COUNT)",
                &[device, size(len), size(capacity)],
            ),
            Err(Loss::NoMem) => self.log(
                Level::Warning,
                "NET_CAPTURE{}: capture pool exhausted, dropping captures \
                 (CONFIG_NET_CAPTURE_PKT_COUNT/BUF_COUNT)",
                &[device],
            ),
            Err(Loss::Send(err)) => self.log(
                Level::Warning,
                "NET_CAPTURE{}: tunnel refused a capture ({})",
                &[device, err.arg()],
            ),
        }
    }
}
