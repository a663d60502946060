//! Cooked mode: capturing data that has no network interface of its own
//! (PPP/HDLC frames below IP, CAN frames, Bluetooth) with a synthetic SLL
//! header, through a virtual "cooked" interface stacked on the "any"
//! pseudo interface.
//!
//! `net_capture_data()` builds the tunnel datagram directly, synchronously
//! and only when a capture device is enabled on the cooked interface and
//! that interface is up (spec W21): nothing is allocated otherwise. The C
//! code injected every call into the "any" interface's receive path and
//! shared the live packet with the tunnel (W4, W28); here the caller's data
//! is copied once, into the capture pools, before the call returns.

mod context;
mod filter;

pub use context::{CookedContext, LL_ADDR_LEN};
pub use filter::LinkTypes;

use crate::capture::{Captures, Frame, Level, Lock, Payload, Stack};
use crate::errno::{Errno, Result};
use crate::log::{Arg, Message};
use crate::wire::sll::{self, Cooked as SllFields, SLL2_HEADER_LEN};

/// What cooked mode needs from the stack beyond capture's needs.
pub trait CookedStack: Stack {
    /// The "any" pseudo interface, looked up by its exact name.
    fn any_iface(&self) -> Option<Self::Iface>;
    /// Renames an interface.
    fn set_iface_name(&self, iface: Self::Iface, name: &str) -> Result<()>;
    /// Marks an interface point-to-point and not auto-started, with no IP.
    fn make_capture_only(&self, iface: Self::Iface);
    /// Sets an interface's MTU directly.
    fn set_mtu(&self, iface: Self::Iface, mtu: u16) -> Result<()>;
    /// SLL header version of this build.
    fn sll_version(&self) -> sll::Version;
    /// Name the cooked interface gets.
    fn cooked_iface_name(&self) -> &str;
}

/// State of the cooked interface.
#[derive(Debug)]
pub struct CookedState<I, const MAX: usize> {
    /// The cooked interface once initialised and attached to "any".
    iface: Option<I>,
    /// What the interface is attached to.
    lower: Option<I>,
    /// Started (up) as the virtual L2 reports it.
    started: bool,
    /// Captured link types.
    link_types: LinkTypes<MAX>,
    /// A missing "any" interface has been reported to `net_capture_data`.
    reported_missing_any: bool,
}

impl<I, const MAX: usize> CookedState<I, MAX> {
    /// Before interface initialisation.
    pub const fn new() -> Self {
        CookedState {
            iface: None,
            lower: None,
            started: false,
            link_types: LinkTypes::new(),
            reported_missing_any: false,
        }
    }
}

impl<I, const MAX: usize> Default for CookedState<I, MAX> {
    fn default() -> Self {
        Self::new()
    }
}

/// The cooked interface (`NET_COOKED`).
pub struct Cooked<S: CookedStack, const MAX: usize> {
    stack: S,
    state: S::SpinLock<CookedState<S::Iface, MAX>>,
}

/// What the cooked interface's receive handler tells the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The packet was consumed (its copy went to the tunnel): free it.
    Consumed,
    /// Not a captured link type: the stack drops it.
    Drop,
}

/// The cooked header and data as one payload.
struct CookedPayload<'a> {
    header: &'a [u8],
    data: &'a [u8],
}

impl Payload for CookedPayload<'_> {
    fn len(&self) -> usize {
        self.header.len() + self.data.len()
    }

    fn for_each_chunk(&self, f: &mut dyn FnMut(&[u8]) -> bool) {
        if f(self.header) {
            f(self.data);
        }
    }
}

/// MTU of the cooked interface, as in the C implementation.
pub const COOKED_MTU: u16 = 1024;

impl<S: CookedStack, const MAX: usize> Cooked<S, MAX> {
    /// The interface before initialisation; see [`Captures::new`] for why
    /// the lock is passed in.
    pub const fn new(stack: S, state: S::SpinLock<CookedState<S::Iface, MAX>>) -> Self {
        Cooked { stack, state }
    }

    fn log(&self, level: Level, template: &'static str, args: &[Arg<'_>]) {
        self.stack.log(&Message {
            level,
            template,
            args,
        });
    }

    /// The cooked interface, once initialised.
    pub fn iface(&self) -> Option<S::Iface> {
        self.state.with(|state| state.iface)
    }

    /// Interface initialisation: names the interface and stacks it on the
    /// "any" pseudo interface. Without "any", cooked mode cannot work; the
    /// C code gave up silently (spec W22), this logs an error.
    pub fn init(&self, iface: S::Iface) {
        if self.iface().is_some() {
            return;
        }
        let Some(any) = self.stack.any_iface() else {
            self.log(
                Level::Error,
                "Cooked mode: no \"any\" interface (CONFIG_NET_PSEUDO_IFACE), \
                 cooked capture is off",
                &[],
            );
            return;
        };
        if let Err(err) = self
            .stack
            .set_iface_name(iface, self.stack.cooked_iface_name())
        {
            self.log(
                Level::Warning,
                "Cannot name the cooked interface ({})",
                &[err.arg()],
            );
        }
        self.stack.set_l2_name(iface, "Cooked mode capture");
        self.stack.make_capture_only(iface);
        if let Err(err) = self.stack.attach(iface, Some(any)) {
            self.log(
                Level::Error,
                "Cannot attach the cooked interface to \"any\" ({})",
                &[err.arg()],
            );
            return;
        }
        self.state.with(|state| state.iface = Some(iface));
    }

    /// The virtual L2's start/stop: `EALREADY` when already in that state.
    pub fn set_started(&self, started: bool) -> Result<()> {
        self.state.with(|state| {
            if state.started == started {
                Err(Errno::Already)
            } else {
                state.started = started;
                Ok(())
            }
        })
    }

    /// The virtual L2's attach callback.
    pub fn attach(&self, lower: Option<S::Iface>) {
        self.state.with(|state| state.lower = lower);
    }

    /// What the cooked interface is attached to.
    pub fn lower(&self) -> Option<S::Iface> {
        self.state.with(|state| state.lower)
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
        self.state.with(|state| state.link_types.set(count, types))
    }

    /// `GET_LINK_TYPE`.
    pub fn link_types(&self) -> LinkTypes<MAX> {
        self.state.with(|state| state.link_types.clone())
    }

    /// `net_capture_data()`: captures `data` as a cooked packet of
    /// `pkttype` (an `enum net_capture_packet_type`) and protocol `ptype`.
    /// `ctx` or `data` missing (NULL in C) is logged and counted.
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
        let (iface, report_missing, wanted) = self.state.with(|state| {
            let report = state.iface.is_none() && !state.reported_missing_any;
            state.reported_missing_any |= report;
            (state.iface, report, state.link_types.contains(ptype))
        });
        let Some(iface) = iface else {
            if report_missing {
                self.log(
                    Level::Error,
                    "Cooked data dropped: the cooked interface is not attached",
                    &[],
                );
            }
            return;
        };
        if !wanted || !self.stack.is_up(iface) {
            return;
        }
        let routes = captures.routes_for(iface);
        if routes.is_empty() {
            return;
        }
        let (Some(ctx), Some(data)) = (ctx, data) else {
            self.lose(captures, &routes, "NULL context or data");
            return;
        };
        match self.header(iface, ctx, pkttype, ptype) {
            Ok((header, len)) => {
                let payload = CookedPayload {
                    header: header.get(..len).unwrap_or_default(),
                    data,
                };
                let _ = captures.deliver(iface, &routes, &payload, true);
            }
            Err(_) => self.lose(captures, &routes, "fields do not fit the SLL header"),
        }
    }

    /// Counts a capture lost to bad input; logs the first.
    fn lose<const N: usize>(
        &self,
        captures: &Captures<S, N>,
        routes: &[crate::capture::Route<S::Iface>],
        why: &str,
    ) {
        if captures.record_loss(routes, true) {
            self.log(
                Level::Warning,
                "Cooked data dropped: {} (logged once)",
                &[Arg::Str(why)],
            );
        }
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
            .emit(self.stack.sll_version(), &mut buf)
            .map_err(|_| Errno::Inval)?;
        Ok((buf, len))
    }

    /// The interface's receive handler, for packets that reach it through
    /// "any" from elsewhere: a packet of a captured link type is copied to
    /// the tunnel and consumed, others are dropped.
    pub fn recv<const N: usize>(&self, captures: &Captures<S, N>, frame: &S::Frame) -> Verdict {
        let Some(iface) = self.iface() else {
            return Verdict::Drop;
        };
        if !self.link_types().contains(frame.ll_proto_type()) {
            return Verdict::Drop;
        }
        let routes = captures.routes_for(iface);
        if !routes.is_empty() {
            let _ = captures.deliver(iface, &routes, frame, true);
        }
        Verdict::Consumed
    }
}
