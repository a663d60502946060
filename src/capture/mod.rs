//! Capture devices: the device table, setup and cleanup of tunnels,
//! enable/disable, and the hot path that copies packets into the tunnel.
//!
//! Generic over [`Stack`], so it runs against Zephyr on the device and
//! against a fake in the host tests.
//!
//! Concurrency: control operations (setup, cleanup, enable, disable,
//! foreach) are serialised by the stack's sleeping control lock and call
//! into the stack without holding anything else. The device table sits
//! behind a spin lock that the hot path holds only to copy out its routes;
//! allocation and transmission happen outside any lock (spec W2, W10, W11).
//! When no device is enabled the hot path returns after one atomic load.

mod control;
mod device;
mod hotpath;
mod payload;
mod setup;
mod stack;
mod stats;

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

pub use crate::log::Level;
pub use device::{Device, Route, Saved, Table, Tunnel};
pub use stack::{
    Event, Families, Frame, IfaceKind, IpVersion, L2Name, Lock, Packet, Payload, Stack, L2_NAME_LEN,
};
pub use stats::{DeviceStats, Outcome, StatsSnapshot};

use crate::log::{Arg, Message};
use crate::wire::IpAddr;

/// A device index as a log argument.
pub(crate) fn device_arg(device: usize) -> Arg<'static> {
    Arg::Int(i64::try_from(device).unwrap_or(i64::MAX))
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
    pub local: (IpAddr, u16),
    /// Inner peer address and UDP port.
    pub peer: (IpAddr, u16),
}

/// The capture devices `NET_CAPTURE0` .. `NET_CAPTURE<N-1>`.
pub struct Captures<S: Stack, const N: usize> {
    stack: S,
    table: S::SpinLock<Table<S::Iface, N>>,
    control: S::ControlLock,
    stats: [DeviceStats; N],
    /// Key of each device's captured interface (0 when not capturing):
    /// the hot path's lock-free early exit for packets nobody captures.
    captured_keys: [AtomicUsize; N],
    /// Identification of the next fragmented datagram.
    next_ident: AtomicU32,
}

impl<S: Stack, const N: usize> Captures<S, N> {
    /// Devices over `stack`, all free. The locks come from the caller so a
    /// `static` can be built in a const context.
    pub const fn new(
        stack: S,
        table: S::SpinLock<Table<S::Iface, N>>,
        control: S::ControlLock,
    ) -> Self {
        Captures {
            stack,
            table,
            control,
            stats: [const { DeviceStats::new() }; N],
            captured_keys: [const { AtomicUsize::new(0) }; N],
            next_ident: AtomicU32::new(1),
        }
    }

    /// The stack.
    pub fn stack(&self) -> &S {
        &self.stack
    }

    /// Number of devices.
    pub const fn device_count(&self) -> usize {
        N
    }

    /// A device's state (a copy), if the index is valid.
    pub fn device(&self, device: usize) -> Option<Device<S::Iface>> {
        self.table.with(|table| table.get(device).cloned())
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

    /// Routes of every device capturing `iface` (copied out of the table).
    pub(crate) fn routes_for(&self, iface: S::Iface) -> heapless::Vec<Route<S::Iface>, N> {
        self.table.with(|table| table.routes_for(iface))
    }

    /// Counts a capture that was lost before it reached a tunnel (bad
    /// input), on each device that would have carried it. Returns true
    /// when this is the first such loss on some device, i.e. when to log.
    pub(crate) fn record_loss(&self, routes: &[Route<S::Iface>], cooked: bool) -> bool {
        let mut first = false;
        for route in routes {
            if let Some(stats) = self.stats.get(route.device) {
                first |= stats.record(Outcome::Other, cooked);
            }
        }
        first
    }

    /// Applies `change` to the table and republishes the captured keys.
    fn update<R>(&self, change: impl FnOnce(&mut Table<S::Iface, N>) -> R) -> R {
        self.table.with(|table| {
            let result = change(table);
            for ((_, device), key) in table.iter().zip(&self.captured_keys) {
                let captured = device
                    .captured_iface()
                    .map_or(0, |iface| self.stack.iface_key(iface));
                key.store(captured, Ordering::Relaxed);
            }
            result
        })
    }

    fn log(&self, level: Level, template: &'static str, args: &[Arg<'_>]) {
        self.stack.log(&Message {
            level,
            template,
            args,
        });
    }
}
