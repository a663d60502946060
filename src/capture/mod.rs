//! Capture devices: the device table, setup and cleanup of tunnels,
//! enable/disable, and the hot path that copies packets into the tunnel.
//!
//! Generic over the stack's traits (`platform.rs`: `DataPlane`, `ControlPlane`), so it runs against
//! Zephyr on the device and against a fake in the host tests.
//!
//! Concurrency: control operations (setup, cleanup, enable, disable,
//! foreach) are serialised by the stack's sleeping control lock, which
//! refuses a thread that already holds it, and raise their events while
//! holding it, so events arrive in the order of the state changes. The
//! device table sits behind a spin lock that the hot path holds only to
//! copy out its routes; allocation and transmission happen outside any
//! lock (defects W2, W10, W11 in `docs/c-defects.md`). When no device is
//! enabled the hot path returns after one atomic load per device.

mod control;
mod device;
mod filtering;
mod hotpath;
mod payload;
mod platform;
mod setup;
pub mod sink;
mod stats;

use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicUsize, Ordering};

pub use crate::log::Level;
pub use device::{Device, Route, Saved, Table, Tunnel};
pub use filtering::{link_type, FrameFilter, NoFilter, FILTER_HEAD};
pub(crate) use hotpath::Source;
pub use payload::{Chunks, Payload};
pub use platform::{
    Config, ControlLock, ControlPlane, DataPlane, Direction, Event, Families, Frame, IfaceKind,
    IpVersion, L2Name, Lock, Platform, L2_NAME_LEN,
};
pub use stats::{DeviceStats, Outcome, StatsSnapshot};

use crate::log::Arg;

/// A device index as a log argument.
pub(crate) fn device_arg(device: usize) -> Arg {
    Arg::count(device)
}

/// Virtual L2 name given to a tunnel while a device uses it.
pub const TUNNEL_L2_NAME: &str = "Capture tunnel";

/// What foreach reports about a set-up device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceInfo<I> {
    /// Device index.
    pub device: usize,
    /// Captured interface, when enabled.
    pub captured: Option<I>,
    /// Tunnel interface.
    pub tunnel: I,
    /// Inner local address and UDP port.
    pub local: (crate::wire::IpAddr, u16),
    /// Inner peer address and UDP port.
    pub peer: (crate::wire::IpAddr, u16),
}

/// The capture devices `NET_CAPTURE0` .. `NET_CAPTURE<N-1>`.
pub struct Captures<S: DataPlane, const N: usize> {
    stack: S,
    config: Config,
    table: S::SpinLock<Table<S::Iface, N>>,
    control: S::ControlLock,
    stats: [DeviceStats; N],
    /// Key of each device's captured interface (0 when not capturing):
    /// the hot path's lock-free early exit for packets nobody captures.
    captured_keys: [AtomicUsize; N],
    /// Captures of each device between copying its route and finishing
    /// with it; cleanup waits for them (they carry the old addresses).
    in_flight: [AtomicU16; N],
    /// Identification of the next fragmented datagram.
    next_ident: AtomicU32,
    /// Each device's capture filter.
    filters: S::SpinLock<[S::Filter; N]>,
    /// Whether a device's filter may reject anything: the hot path takes
    /// the filter lock only then.
    filtering: [AtomicBool; N],
    /// Each device's snap length (0: whole frames).
    snaplens: [AtomicU32; N],
    /// A sink besides the tunnel, if the build has one.
    sink: Option<&'static dyn sink::PacketSink<S::Frame>>,
    /// Whether captures go to `sink` instead of the tunnel.
    stream: AtomicBool,
}

impl<S: DataPlane, const N: usize> Captures<S, N> {
    /// Devices over `stack`, all free. The locks come from the caller so a
    /// `static` can be built in a const context.
    pub const fn new(
        stack: S,
        config: Config,
        table: S::SpinLock<Table<S::Iface, N>>,
        control: S::ControlLock,
        filters: S::SpinLock<[S::Filter; N]>,
    ) -> Self {
        Self::with_sink(stack, config, table, control, filters, None)
    }

    /// As [`Captures::new`], with a sink besides the tunnel that
    /// [`Captures::set_sink`] can switch the devices to (the tunnel stays
    /// the default).
    pub const fn with_sink(
        stack: S,
        config: Config,
        table: S::SpinLock<Table<S::Iface, N>>,
        control: S::ControlLock,
        filters: S::SpinLock<[S::Filter; N]>,
        sink: Option<&'static dyn sink::PacketSink<S::Frame>>,
    ) -> Self {
        Captures {
            stack,
            config,
            table,
            control,
            stats: [const { DeviceStats::new() }; N],
            captured_keys: [const { AtomicUsize::new(0) }; N],
            in_flight: [const { AtomicU16::new(0) }; N],
            next_ident: AtomicU32::new(1),
            filters,
            filtering: [const { AtomicBool::new(false) }; N],
            snaplens: [const { AtomicU32::new(0) }; N],
            sink,
            stream: AtomicBool::new(false),
        }
    }

    /// The stack.
    pub fn stack(&self) -> &S {
        &self.stack
    }

    /// The build's constants.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of devices.
    pub const fn device_count(&self) -> usize {
        N
    }

    /// A device's state (a copy), if the index is valid.
    pub fn device(&self, device: usize) -> Option<Device<S::Iface>> {
        self.table.lock().get(device).cloned()
    }

    /// A device's counters, if the index is valid.
    pub fn stats(&self, device: usize) -> Option<StatsSnapshot> {
        self.stats.get(device).map(DeviceStats::snapshot)
    }

    /// Whether any device is enabled (a few atomic loads, no lock).
    #[inline]
    pub fn any_enabled(&self) -> bool {
        self.captured_keys
            .iter()
            .any(|key| key.load(Ordering::Relaxed) != 0)
    }
}

impl<S: DataPlane, const N: usize> Captures<S, N> {
    /// Whether some device may be capturing `iface`: a lock-free check that
    /// is exact except while an enable or disable is under way, which the
    /// locked route lookup then settles.
    #[inline]
    pub fn may_capture(&self, iface: S::Iface) -> bool {
        let key = self.stack.iface_key(iface);
        self.captured_keys
            .iter()
            .any(|captured| captured.load(Ordering::Relaxed) == key)
    }

    /// The captured-interface keys of `table` become what the hot path
    /// compares against; called with the table locked, after a change.
    fn publish(&self, table: &Table<S::Iface, N>) {
        for ((_, device), slot) in table.iter().zip(&self.captured_keys) {
            let key = device
                .captured_iface()
                .map_or(0, |iface| self.stack.iface_key(iface));
            slot.store(key, Ordering::Relaxed);
        }
    }

    /// Counts a capture that did not reach the tunnels of `routes` (bad
    /// input, or lost before delivery), logs the first loss of its kind
    /// on a device with `why`, and releases the routes.
    pub(crate) fn record(
        &self,
        routes: &[Route<S::Iface>],
        outcome: Outcome,
        cooked: bool,
        why: &'static core::ffi::CStr,
    ) {
        for route in routes {
            if let Some(stats) = self.stats.get(route.device) {
                if stats.record(outcome, cooked) {
                    self.stack.log(
                        Level::Warning,
                        c"NET_CAPTURE%ld: capture dropped: %s (logged once)",
                        &[device_arg(route.device), Arg::Str(why)],
                    );
                }
            }
            self.finished(route.device);
        }
    }

    /// A route handed out by the lookup is no longer used.
    fn finished(&self, device: usize) {
        if let Some(count) = self.in_flight.get(device) {
            count.fetch_sub(1, Ordering::Release);
        }
    }
}
