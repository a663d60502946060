//! Cooked mode: capturing data that has no network interface of its own
//! (PPP/HDLC frames below IP, CAN frames, Bluetooth) with a synthetic SLL
//! header, through a virtual "cooked" interface stacked on the "any"
//! pseudo interface.
//!
//! `net_capture_data()` copies the caller's data behind an SLL header
//! straight into tunnel packets from the capture pools, and queues them for
//! the system work queue to send: the caller (the PPP driver in the middle
//! of flushing its UART buffer) is never re-entered by a tunnel that runs
//! over its own link. Nothing is allocated unless a device captures the
//! cooked interface and it is up (W21), and the tunnel's own frames on a
//! captured PPP link are recognised and skipped ([`hdlc`]). Packets that
//! reach the cooked interface through "any" (injected by an application
//! with `net_recv_data()`, as the C implementation itself did) are copied
//! by its receive handler ([`Cooked::recv`]) on the RX thread.

mod context;
mod filter;
pub mod hdlc;

use core::ffi::CStr;

pub use context::{CookedContext, LL_ADDR_LEN};
pub use filter::LinkTypes;

use crate::capture::{
    Captures, ControlPlane, Direction, Frame, Level, Lock, Outcome, Payload, Source,
};
use crate::errno::{Errno, Result};
use crate::filter::LinkType;
use crate::log::Arg;
use crate::wire::sll::{self, packet_type, Cooked as SllFields, SLL2_HEADER_LEN};
use crate::wire::IpAddr;

/// `ETH_P_HDLC`: the protocol of the PPP driver's cooked captures.
pub const ETH_P_HDLC: u16 = 0x0019;

/// What cooked mode needs from the stack beyond capture's needs.
pub trait CookedPlane: ControlPlane {
    /// The "any" pseudo interface, looked up by its exact name.
    fn any_iface(&self) -> Option<Self::Iface>;
    /// Renames an interface.
    fn set_iface_name(&self, iface: Self::Iface, name: &CStr) -> Result<()>;
    /// Marks an interface point-to-point and not auto-started, with no IP.
    fn make_capture_only(&self, iface: Self::Iface);
    /// Sets an interface's MTU directly.
    fn set_mtu(&self, iface: Self::Iface, mtu: u16) -> Result<()>;
}

/// Constants of cooked mode in this build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookedConfig {
    /// SLL header version.
    pub sll: sll::Version,
    /// Name the cooked interface gets.
    pub name: &'static CStr,
}

/// State of the cooked interface.
#[derive(Debug)]
pub struct CookedState<I, const MAX: usize, const FRAME: usize = DEFAULT_HDLC_FRAME> {
    /// The cooked interface once initialised and attached to "any".
    iface: Option<I>,
    /// What the interface is attached to, as the virtual L2 reports it.
    lower: Option<I>,
    /// Started (up) as the virtual L2 reports it.
    started: bool,
    /// Captured link types.
    link_types: LinkTypes<MAX>,
    /// A missing "any" interface has been reported to `net_capture_data`.
    reported_missing_any: bool,
    /// The frame the PPP driver is sending, put back together.
    sent_frames: hdlc::SentFrames<FRAME>,
}

impl<I, const MAX: usize, const FRAME: usize> CookedState<I, MAX, FRAME> {
    /// Before interface initialisation.
    pub const fn new() -> Self {
        CookedState {
            iface: None,
            lower: None,
            started: false,
            link_types: LinkTypes::new(),
            reported_missing_any: false,
            sent_frames: hdlc::SentFrames::new(),
        }
    }
}

impl<I, const MAX: usize, const FRAME: usize> Default for CookedState<I, MAX, FRAME> {
    fn default() -> Self {
        Self::new()
    }
}

/// The cooked interface (`NET_COOKED`).
pub struct Cooked<S: CookedPlane, const MAX: usize, const FRAME: usize = DEFAULT_HDLC_FRAME> {
    stack: S,
    config: CookedConfig,
    state: S::SpinLock<CookedState<S::Iface, MAX, FRAME>>,
}

/// What the cooked interface's receive handler tells the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The packet was consumed (its copy went to the tunnel): release it,
    /// once the stack is done looking at it.
    Consumed,
    /// Not a captured link type: the stack drops it.
    Drop,
}

/// Bytes of a sent PPP frame held while it is put back together: 0, where
/// the build has no PPP driver capturing, records pass as they come. With
/// Zephyr's PPP driver (`CONFIG_NET_PPP_CAPTURE`), its capture buffer size
/// (`CONFIG_NET_PPP_CAPTURE_BUF_SIZE`): sent frames are then reassembled
/// from the driver's pieces ([`hdlc::SentFrames`]), and an application's
/// own sent HDLC records would be taken for pieces too.
pub const DEFAULT_HDLC_FRAME: usize = 0;

/// MTU of the cooked interface, as in the C implementation.
pub const COOKED_MTU: u16 = 1024;

impl<S: CookedPlane, const MAX: usize, const FRAME: usize> Cooked<S, MAX, FRAME> {
    /// The interface before initialisation; see [`Captures::new`] for why
    /// the lock is passed in.
    pub const fn new(
        stack: S,
        config: CookedConfig,
        state: S::SpinLock<CookedState<S::Iface, MAX, FRAME>>,
    ) -> Self {
        Cooked {
            stack,
            config,
            state,
        }
    }

    /// The cooked interface, once initialised.
    pub fn iface(&self) -> Option<S::Iface> {
        self.state.lock().iface
    }

    /// Interface initialisation: names the interface and stacks it on the
    /// "any" pseudo interface. Without "any", cooked mode cannot work; the
    /// C code gave up silently (W22), this logs an error.
    pub fn init(&self, iface: S::Iface) {
        if self.iface().is_some() {
            return;
        }
        let Some(any) = self.stack.any_iface() else {
            self.stack.log(
                Level::Error,
                c"Cooked mode: no \"any\" interface (CONFIG_NET_PSEUDO_IFACE), \
                  cooked capture is off",
                &[],
            );
            return;
        };
        if let Err(err) = self.stack.set_iface_name(iface, self.config.name) {
            self.stack.log(
                Level::Warning,
                c"Cannot name the cooked interface (%ld)",
                &[Arg::Errno(err)],
            );
        }
        self.stack.set_l2_name(iface, "Cooked mode capture");
        self.stack.make_capture_only(iface);
        if let Err(err) = self.stack.attach(iface, Some(any)) {
            self.stack.log(
                Level::Error,
                c"Cannot attach the cooked interface to \"any\" (%ld)",
                &[Arg::Errno(err)],
            );
            return;
        }
        self.state.lock().iface = Some(iface);
    }

    /// The virtual L2's start/stop: `EALREADY` when already in that state.
    pub fn set_started(&self, started: bool) -> Result<()> {
        let mut state = self.state.lock();
        if state.started == started {
            return Err(Errno::Already);
        }
        state.started = started;
        Ok(())
    }

    /// The virtual L2's attach callback.
    pub fn attach(&self, lower: Option<S::Iface>) {
        self.state.lock().lower = lower;
    }

    /// What the cooked interface is attached to.
    pub fn lower(&self) -> Option<S::Iface> {
        self.state.lock().lower
    }

    /// `SET_MTU` on the cooked interface.
    pub fn set_mtu(&self, iface: S::Iface, mtu: u16) -> Result<()> {
        self.stack.set_mtu(iface, mtu)
    }

    /// `GET_MTU` of the cooked interface.
    pub fn mtu(&self, iface: S::Iface) -> u16 {
        self.stack.mtu(iface)
    }

    /// `SET_LINK_TYPE`: see [`LinkTypes::set`].
    pub fn set_link_types(&self, count: i32, types: &[u16]) -> Result<()> {
        self.state.lock().link_types.set(count, types)
    }

    /// `GET_LINK_TYPE`.
    pub fn link_types(&self) -> LinkTypes<MAX> {
        self.state.lock().link_types.clone()
    }

    /// `net_capture_data()`: queues `data` as a cooked packet of `pkttype`
    /// (an `enum net_capture_packet_type`) and protocol `ptype` for the
    /// RX thread. A missing `ctx`, or missing `data` with a nonzero
    /// length (NULL in C), is logged and counted; no data at all is a
    /// header-only capture, as upstream.
    pub fn data<const N: usize>(
        &self,
        captures: &Captures<S, N>,
        ctx: Option<&CookedContext>,
        data: Option<&[u8]>,
        pkttype: u32,
        ptype: u16,
    ) {
        if !captures.any_enabled() {
            return;
        }
        let (iface, report_missing, wanted) = {
            let mut state = self.state.lock();
            let report = state.iface.is_none() && !state.reported_missing_any;
            state.reported_missing_any |= report;
            (state.iface, report, state.link_types.contains(ptype))
        };
        let Some(iface) = iface else {
            if report_missing {
                self.stack.log(
                    Level::Error,
                    c"Cooked data dropped: the cooked interface is not attached",
                    &[],
                );
            }
            return;
        };
        if !wanted || !self.stack.is_up(iface) {
            return;
        }
        if ptype == ETH_P_HDLC && pkttype == u32::from(packet_type::OUTGOING) && FRAME > 0 {
            let mut state = self.state.lock();
            let mut complete = |frame: hdlc::SentFrame<'_>| {
                self.capture(captures, iface, ctx, frame.bytes, pkttype, ptype);
            };
            // An empty or unreadable piece is a flush that held only the
            // closing flag (the driver dropped it, or misread its length).
            match data {
                Some(piece) if !piece.is_empty() => state.sent_frames.feed(piece, &mut complete),
                _ => state.sent_frames.end(&mut complete),
            }
            return;
        }
        match data {
            Some(data) => self.capture(captures, iface, ctx, data, pkttype, ptype),
            None => {
                let routes = captures.routes_for(iface);
                captures.record(&routes, Outcome::Other, true, c"NULL context or data");
            }
        }
    }

    /// Captures one cooked record of `data` for every device capturing
    /// the cooked interface, unless it is the tunnel's own PPP traffic.
    fn capture<const N: usize>(
        &self,
        captures: &Captures<S, N>,
        iface: S::Iface,
        ctx: Option<&CookedContext>,
        data: &[u8],
        pkttype: u32,
        ptype: u16,
    ) {
        let routes = captures.routes_for(iface);
        if routes.is_empty() {
            return;
        }
        let Some(ctx) = ctx else {
            captures.record(&routes, Outcome::Other, true, c"NULL context or data");
            return;
        };
        if ptype == ETH_P_HDLC && Self::is_tunnel_hdlc(&routes, data) {
            captures.record(&routes, Outcome::Feedback, true, c"");
            return;
        }
        let Ok((header, len)) = self.header(iface, ctx, pkttype, ptype) else {
            captures.record(
                &routes,
                Outcome::Other,
                true,
                c"fields do not fit the SLL header",
            );
            return;
        };
        let header = header.get(..len).unwrap_or_default();
        let payload: Payload<'_, S::Frame> = Payload::slices(header, data);
        for route in &routes {
            let _ = captures.deliver(iface, route, &payload, self.source(), &|| {
                Direction::Unknown
            });
        }
    }

    /// Whether a whole PPP frame the driver captured is the tunnel's own
    /// traffic.
    fn is_tunnel_hdlc(routes: &[crate::capture::Route<S::Iface>], frame: &[u8]) -> bool {
        let mut remotes = heapless::Vec::<IpAddr, 4>::new();
        for route in routes {
            let _ = remotes.push(route.remote);
        }
        hdlc::is_tunnel_frame(frame, &remotes)
    }

    /// What the cooked interface's captures are, for counting and for
    /// the capture filter: an SLL header of the build's version first.
    fn source(&self) -> Source {
        Source::Cooked(match self.config.sll {
            sll::Version::V1 => LinkType::Sll1,
            sll::Version::V2 => LinkType::Sll2,
        })
    }

    /// The SLL header of one capture, and its length.
    fn header(
        &self,
        iface: S::Iface,
        ctx: &CookedContext,
        pkttype: u32,
        ptype: u16,
    ) -> Result<([u8; SLL2_HEADER_LEN], usize)> {
        let fields = SllFields {
            pkttype: u16::try_from(pkttype).map_err(|_| Errno::Inval)?,
            hatype: ctx.hatype,
            addr: ctx.link_addr(),
            protocol: ptype,
            ifindex: self
                .stack
                .iface_index(iface)
                .and_then(|index| u32::try_from(index).ok())
                .unwrap_or(0),
        };
        let mut buf = [0u8; SLL2_HEADER_LEN];
        let len = fields
            .emit(self.config.sll, &mut buf)
            .map_err(|_| Errno::Inval)?;
        Ok((buf, len))
    }

    /// The interface's receive handler, for packets that reach it through
    /// "any" (queued by [`Cooked::data`], or injected by an application):
    /// a packet of a captured link type is copied to the tunnel and
    /// consumed, others are dropped.
    pub fn recv<const N: usize>(&self, captures: &Captures<S, N>, frame: &S::Frame) -> Verdict {
        let Some(iface) = self.iface() else {
            return Verdict::Drop;
        };
        if !self.state.lock().link_types.contains(frame.ll_proto_type()) {
            return Verdict::Drop;
        }
        let payload = Payload::frame(frame);
        let _ = captures.capture_each(iface, &payload, || Direction::Unknown, self.source());
        Verdict::Consumed
    }
}
