//! `net_capture_pkt()`: copying a packet into every tunnel that captures
//! its interface.
//!
//! The copy comes from the capture pools only (W13: the C clone took its
//! buffers from the stack's RX pool), is sized to the tunnel (W29), and is
//! marked captured so the stack never captures it again. The original
//! packet is only read: it is not marked (W25), so a later capture point
//! (another device, a forwarded packet) still sees it.
//!
//! Capture copies, the system work queue transmits: the finished tunnel
//! packets are queued ([`DataPlane::send_later`]) rather than sent by the
//! thread that captured. That thread is one of the stack's own (RX, TX, a
//! driver's), in the middle of its own work: sending from there ran the
//! whole transmit path on top of it (the stack a Cortex-M's RX thread did
//! not have) and re-entered drivers that were calling capture (PPP). It
//! also makes capture safe in interrupt context. Nothing here waits: a
//! capture that finds no memory is dropped and counted.

use core::sync::atomic::Ordering;

use crate::errno::{Errno, Result};
use crate::filter::LinkType;
use crate::log::{Arg, Level};
use crate::wire::checksum::Checksum;
use crate::wire::feedback::{self, Link};
use crate::wire::sll::{self, Sll2Repr, SLL2_HEADER_LEN};
use crate::wire::tunnel::{Plan, PlanError};

use super::device::{Device, Route};
use super::filtering::link_type;
use super::payload::Payload;
use super::platform::{DataPlane, Direction, Frame, IpVersion, Lock};
use super::sink::SinkLoss;
use super::stats::Outcome;
use super::{device_arg, Captures};

/// Bytes of a frame inspected to recognise the tunnel's own traffic: link
/// header and VLAN tag, IPv6 header, ICMP header, quoted IPv6 header.
pub(crate) const HEAD_LEN: usize = 14 + 4 + 40 + 8 + 40;

/// Why one capture was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loss {
    Feedback,
    /// Not lost: the device's filter did not want it.
    Filtered,
    Plan(PlanError),
    PoolTooSmall {
        len: usize,
    },
    NoMem,
    Send(Errno),
    /// The stream sink dropped it.
    Sink(SinkLoss),
}

impl Loss {
    fn outcome(self) -> Outcome {
        match self {
            Loss::Feedback => Outcome::Feedback,
            Loss::Filtered => Outcome::Filtered,
            Loss::NoMem => Outcome::NoMem,
            Loss::Send(_) => Outcome::SendFailed,
            Loss::Plan(_) | Loss::PoolTooSmall { .. } => Outcome::Other,
            // The ring is the stream sink's memory.
            Loss::Sink(SinkLoss::Full) => Outcome::NoMem,
            Loss::Sink(SinkLoss::TooBig | SinkLoss::Other) => Outcome::Other,
        }
    }

    fn errno(self) -> Errno {
        match self {
            Loss::Feedback => Errno::Already,
            // Not an error: `deliver` reports success.
            Loss::Filtered => Errno::Already,
            Loss::Plan(_) | Loss::PoolTooSmall { .. } => Errno::MsgSize,
            Loss::NoMem => Errno::NoMem,
            Loss::Send(err) => err,
            Loss::Sink(SinkLoss::Full) => Errno::NoMem,
            Loss::Sink(_) => Errno::MsgSize,
        }
    }
}

/// How a capture went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sent {
    fragmented: bool,
    truncated_from: Option<usize>,
    carried: usize,
    snapped: bool,
}

impl Sent {
    /// Carried whole, in one piece (as every sink but the tunnel does).
    fn whole(len: usize) -> Sent {
        Sent {
            fragmented: false,
            truncated_from: None,
            carried: len,
            snapped: false,
        }
    }
}

/// Bytes of a capture kept under the device's snap length, and whether
/// that cuts it.
type Snap = (usize, bool);

/// The routes one capture takes, each counted in flight until delivered.
pub(crate) type Routes<I, const N: usize> = heapless::Vec<Route<I>, N>;

/// Where a capture comes from, for counting and filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A packet at a capture point (it begins as its route's link says).
    Packet,
    /// Cooked data, or a packet that reached the cooked interface: an SLL
    /// header of the given version, then the data.
    Cooked(LinkType),
}

impl Source {
    fn is_cooked(self) -> bool {
        matches!(self, Source::Cooked(_))
    }

    /// How the filter reads a capture of this source through `route`.
    fn link_type<I>(self, route: &Route<I>) -> LinkType {
        match self {
            Source::Packet => link_type(route.link),
            Source::Cooked(link) => link,
        }
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
        self.capture_each(
            iface,
            &Payload::frame(frame),
            || frame.direction(),
            Source::Packet,
        )
    }

    /// Delivers `payload`, seen on `iface` going the way `direction`
    /// says (asked only of an interface that shows packets twice), for
    /// each device capturing it, one route at a time (only one route is
    /// ever on the stack).
    pub(crate) fn capture_each(
        &self,
        iface: S::Iface,
        payload: &Payload<'_, S::Frame>,
        direction: impl Fn() -> Direction,
        source: Source,
    ) -> Result<()> {
        let mut result = Err(Errno::NoEnt);
        for device in 0..N {
            // Borrowed, not moved out of the option: a move copies the
            // route to a second stack slot.
            let route = self.route_of(device, iface, &direction);
            let Some(route) = route.as_ref() else {
                continue;
            };
            let outcome = self.deliver(iface, route, payload, source, &direction);
            result = match (result, outcome) {
                (Err(Errno::NoEnt), outcome) | (Ok(()), outcome @ Err(_)) => outcome,
                (kept, _) => kept,
            };
        }
        result
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
            &route,
            &Payload::frame(frame),
            Source::Packet,
            &|| frame.direction(),
        )
    }

    /// The route of `device` if it captures `iface` (copied out of the
    /// table), counted in flight. The loopback interface shows each packet
    /// twice; only the outgoing copy is taken.
    fn route_of(
        &self,
        device: usize,
        iface: S::Iface,
        direction: &impl Fn() -> Direction,
    ) -> Option<Route<S::Iface>> {
        let table = self.table.lock();
        let Some(Device::Enabled {
            tunnel,
            iface: captured,
            link,
            outbound_only,
        }) = table.get(device)
        else {
            return None;
        };
        if *captured != iface || (*outbound_only && direction() == Direction::In) {
            return None;
        }
        self.started(device);
        Some(tunnel.route(device, *link))
    }

    /// Routes of every device capturing `iface`, each counted in flight.
    pub(crate) fn routes_for(&self, iface: S::Iface) -> Routes<S::Iface, N> {
        let mut routes = Routes::new();
        for device in 0..N {
            if let Some(route) = self.route_of(device, iface, &|| Direction::Unknown) {
                // At most one route per device: cannot overflow.
                let _ = routes.push(route);
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

    /// Sends `payload` through `route` (or to the stream sink when that is
    /// in use) unless the device's filter rejects it or it is the tunnel's
    /// own traffic, cut to the device's snap length, counting and logging a
    /// loss. `direction` is asked only for a stream record.
    pub(crate) fn deliver(
        &self,
        iface: S::Iface,
        route: &Route<S::Iface>,
        payload: &Payload<'_, S::Frame>,
        source: Source,
        direction: &impl Fn() -> Direction,
    ) -> Result<()> {
        // The filter first: a frame it rejects costs nothing more. A
        // tunnel frame that the filter rejects is thus counted filtered,
        // one it accepts skipped as feedback.
        let outcome = if !self.filter_accepts(route.device, source.link_type(route), payload) {
            Err(Loss::Filtered)
        } else if route.lower == iface && Self::is_feedback(route, payload) {
            Err(Loss::Feedback)
        } else {
            let snap = self.snapped_len(route.device, payload.len());
            match self.stream_sink() {
                Some(sink) => self
                    .to_sink(sink, iface, route, payload, (source, direction()), snap.0)
                    .map(|()| Sent {
                        snapped: snap.1,
                        ..Sent::whole(snap.0)
                    })
                    .map_err(Loss::Sink),
                None => self.emit(iface, route, payload, snap),
            }
        };
        self.finished(route.device);
        let counted = match outcome {
            Ok(sent) => Outcome::Sent {
                fragmented: sent.fragmented,
                truncated: sent.truncated_from.is_some(),
                snapped: sent.snapped,
            },
            Err(loss) => loss.outcome(),
        };
        if let Some(stats) = self.stats.get(route.device) {
            if stats.record(counted, source.is_cooked()) {
                self.log_first_loss(route.device, outcome);
            }
        }
        match outcome {
            Ok(_) | Err(Loss::Filtered) => Ok(()),
            Err(loss) => Err(loss.errno()),
        }
    }

    /// Whether a frame seen on the interface that carries `route`'s tunnel
    /// is that tunnel's own traffic (W14). Not inlined: the copy of the
    /// frame's first bytes is off the stack before the capture is sent.
    #[inline(never)]
    fn is_feedback(route: &Route<S::Iface>, payload: &Payload<'_, S::Frame>) -> bool {
        let mut head_buf = [0u8; HEAD_LEN];
        let head = payload.head(&mut head_buf, HEAD_LEN);
        feedback::is_tunnel_frame(head, route.link, &route.remote)
    }

    /// Builds the datagram carrying the first `len` bytes of `payload`
    /// (`snap`: `len` and whether that cuts it) for one route and queues
    /// its packets for sending; with tunnel metadata, an Ethernet packet
    /// seen on `iface` goes as a cooked record instead
    /// ([`Self::metadata_record`]).
    fn emit(
        &self,
        iface: S::Iface,
        route: &Route<S::Iface>,
        payload: &Payload<'_, S::Frame>,
        snap: Snap,
    ) -> core::result::Result<Sent, Loss> {
        let mut header = [0u8; SLL2_HEADER_LEN];
        let record = if S::TUNNEL_METADATA && self.config.tunnel_metadata {
            self.metadata_record(iface, route, payload, &mut header)
        } else {
            None
        };
        let (payload, (len, snapped)) = match &record {
            Some((record, snap)) => (record, *snap),
            None => (payload, snap),
        };
        let (plan, sum) = self.plan(route, payload, len)?;
        let version = IpVersion::of(&route.encap.local);
        for index in 0..plan.pieces() {
            let packet = self.build(&plan, index, sum, payload)?;
            self.stack.send_later(route.tunnel, packet, version);
        }
        Ok(Sent {
            fragmented: plan.is_fragmented(),
            truncated_from: plan.truncated_from(),
            carried: plan.payload_len(),
            snapped,
        })
    }

    /// What the tunnel carries of an Ethernet packet with tunnel metadata:
    /// an SLL2 header, written into `header`, with the packet's direction,
    /// the index of `iface` and the frame's source address and EtherType,
    /// followed by the frame after its Ethernet header (the record Linux
    /// captures on "any"). The device's snap length bounds the whole
    /// record, as pcap's does, but never cuts into the header. `None` for
    /// anything else (cooked data, other links, the send slot).
    #[inline(never)]
    fn metadata_record<'h>(
        &self,
        iface: S::Iface,
        route: &Route<S::Iface>,
        payload: &Payload<'h, S::Frame>,
        header: &'h mut [u8; SLL2_HEADER_LEN],
    ) -> Option<(Payload<'h, S::Frame>, Snap)> {
        let frame = payload.packet()?;
        if route.link != Link::Ethernet {
            return None;
        }
        let mut head_buf = [0u8; sll::ETHERNET_HEAD_LEN];
        let filled = payload.copy_head(&mut head_buf);
        let head = head_buf.get(..filled).unwrap_or_default();
        let ifindex = self
            .stack
            .iface_index(iface)
            .and_then(|index| u32::try_from(index).ok())
            .unwrap_or(0);
        let (repr, skip) = Sll2Repr::for_ethernet(
            head,
            ifindex,
            frame.direction() == Direction::Out,
            frame.ll_proto_type(),
        );
        repr.emit(header).ok()?;
        let header: &'h [u8] = header;
        let record = Payload::with_header_after(header, frame, skip);
        let (len, _) = self.snapped_len(route.device, record.len());
        let len = len.max(SLL2_HEADER_LEN.min(record.len()));
        let snapped = len < record.len();
        Some((record, (len, snapped)))
    }

    /// How the capture is cut to fit `route`'s tunnel, and the UDP
    /// checksum of what it carries.
    #[inline(always)]
    fn plan<'r>(
        &self,
        route: &'r Route<S::Iface>,
        payload: &Payload<'_, S::Frame>,
        len: usize,
    ) -> core::result::Result<(Plan<'r>, Checksum), Loss> {
        let outer = IpVersion::of(&route.remote).header_len();
        let mtu = usize::from(self.stack.mtu(route.lower)).saturating_sub(outer);
        let ident = self.next_ident.fetch_add(1, Ordering::Relaxed);
        let plan = route
            .encap
            .plan(len, mtu, self.config.oversize, ident)
            .map_err(Loss::Plan)?;
        let mut sum = plan.checksum_start().map_err(Loss::Plan)?;
        payload.sum_prefix(plan.payload_len(), &mut sum);
        Ok((plan, sum))
    }

    /// The packet of piece `index`: headers written in place, then its
    /// payload bytes.
    #[inline(always)]
    fn build(
        &self,
        plan: &Plan<'_>,
        index: usize,
        sum: Checksum,
        payload: &Payload<'_, S::Frame>,
    ) -> core::result::Result<S::Packet, Loss> {
        let len = plan.piece_len(index).map_err(Loss::Plan)?;
        if len > self.config.pool_capacity {
            return Err(Loss::PoolTooSmall { len });
        }
        let mut packet = self.stack.alloc(len).map_err(|_| Loss::NoMem)?;
        let header = self
            .stack
            .room(&mut packet, plan.header_len(index))
            .ok_or(Loss::NoMem)?;
        plan.write_header(index, sum, header).map_err(Loss::Plan)?;
        let range = plan.payload_range(index).map_err(Loss::Plan)?;
        payload
            .for_range(range, |bytes| self.stack.append(&mut packet, bytes))
            .map_err(|_| Loss::NoMem)?;
        Ok(packet)
    }

    /// Sends every packet [`DataPlane::send_later`] queued, oldest first
    /// (the system work queue's job; cleanup also calls it, so that nothing
    /// it queued leaves after it). A refusal is counted as a send failure
    /// of the device that owns the tunnel (the capture was counted when
    /// queued).
    pub fn send_queued(&self) {
        while let Some((tunnel, packet, version)) = self.stack.next_queued() {
            if let Err(err) = self.stack.send(tunnel, packet, version) {
                self.send_failed(tunnel, err);
            }
        }
    }

    #[inline(never)]
    fn send_failed(&self, tunnel: S::Iface, err: Errno) {
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

    #[inline(never)]
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
            Ok(_) | Err(Loss::Feedback | Loss::Filtered) => return,
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
            Err(Loss::Sink(SinkLoss::Full)) => (
                c"NET_CAPTURE%ld: capture sink's ring buffer full, dropping captures \
                  (drain too slow; CONFIG_NET_CAPTURE_RS_SINK_RING_SIZE)",
                [device, Arg::Int(0), Arg::Int(0)],
            ),
            Err(Loss::Sink(_)) => (
                c"NET_CAPTURE%ld: capture larger than the sink's ring buffer dropped \
                  (CONFIG_NET_CAPTURE_RS_SINK_RING_SIZE)",
                [device, Arg::Int(0), Arg::Int(0)],
            ),
        };
        self.stack.log(Level::Warning, format, &args);
    }
}
