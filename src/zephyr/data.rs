//! Zephyr's network stack as the capture layer's data plane.

use core::ffi::CStr;

use super::bindings as sys;
use super::iface::Iface;
use super::log::{log, log_text, LogModule};
use super::pkt::{OutPkt, PktRef};
use super::sync::{ControlMutex, SpinLock};
use crate::capture::{DataPlane, IpVersion, Platform};
use crate::errno::{Errno, Result};
use crate::log::{Arg, Level, Logger};

/// Zephyr's network stack; `log_module` says which log module lines go to.
pub(crate) struct ZephyrStack {
    log_module: LogModule,
}

impl ZephyrStack {
    pub(crate) const fn new(log_module: LogModule) -> Self {
        ZephyrStack { log_module }
    }
}

/// Never wait: capture must not stall the thread whose traffic it copies.
const K_NO_WAIT: sys::k_timeout_t = sys::k_timeout_t { ticks: 0 };

impl Platform for ZephyrStack {
    type Iface = Iface;
    type SpinLock<T: Send> = SpinLock<T>;
    type ControlLock = ControlMutex;
    type Filter = super::filter::DeviceFilter;
    const TUNNEL_METADATA: bool = super::CONFIG.tunnel_metadata;
}

impl Logger for ZephyrStack {
    fn log(&self, level: Level, format: &'static CStr, args: &[Arg]) {
        log(self.log_module, level, format, args);
    }

    fn log_text(&self, level: Level, format: &'static CStr, text: &[u8], args: &[Arg]) {
        log_text(self.log_module, level, format, text, args);
    }
}

/// Marks `packet` as a tunnel packet of `version` for `tunnel`.
fn address(packet: &OutPkt, tunnel: Iface, version: IpVersion) {
    let family = match version {
        IpVersion::V4 => sys::NET_CAPTURE_RS_AF_INET,
        IpVersion::V6 => sys::NET_CAPTURE_RS_AF_INET6,
    };
    let pkt = packet.as_ptr();
    // SAFETY: the packet is owned and live; the tunnel is registered. The
    // captured mark keeps every capture hook from copying it again.
    unsafe {
        sys::net_pkt_set_family(pkt, u8::try_from(family).unwrap_or_default());
        sys::net_pkt_set_iface(pkt, tunnel.as_ptr());
        sys::net_pkt_set_captured(pkt, true);
        sys::net_pkt_cursor_init(pkt);
    }
}

impl DataPlane for ZephyrStack {
    type Frame = PktRef;
    type Packet = OutPkt;

    #[inline]
    fn iface_key(&self, iface: Iface) -> usize {
        iface.as_ptr().addr()
    }

    fn iface_index(&self, iface: Iface) -> Option<i32> {
        Iface::registered(iface.as_ptr()).map(Iface::index)
    }

    fn mtu(&self, iface: Iface) -> u16 {
        // SAFETY: the interface is registered.
        unsafe { sys::net_if_get_mtu(iface.as_ptr()) }
    }

    fn alloc(&self, len: usize) -> Result<OutPkt> {
        OutPkt::alloc(len)
    }

    fn append(&self, packet: &mut OutPkt, bytes: &[u8]) -> Result<()> {
        packet.append(bytes)
    }

    fn room<'p>(&self, packet: &'p mut OutPkt, len: usize) -> Option<&'p mut [u8]> {
        packet.room(len)
    }

    fn send(&self, tunnel: Iface, packet: OutPkt, version: IpVersion) -> Result<()> {
        address(&packet, tunnel, version);
        // SAFETY: the packet is owned and live; the tunnel is registered.
        let verdict =
            unsafe { sys::net_if_try_send_data(tunnel.as_ptr(), packet.as_ptr(), K_NO_WAIT) };
        if verdict == sys::net_verdict_NET_DROP {
            // Not taken: `packet` is dropped here and returns to the pool.
            return Err(Errno::Io);
        }
        let _ = packet.into_raw();
        Ok(())
    }

    fn send_later(&self, tunnel: Iface, packet: OutPkt, version: IpVersion) {
        address(&packet, tunnel, version);
        // SAFETY: the packet is finished and its only reference goes to the
        // queue (its fifo word is unused once built).
        unsafe { sys::net_capture_rs_send_later(packet.into_raw()) };
    }

    fn next_queued(&self) -> Option<(Iface, OutPkt, IpVersion)> {
        // SAFETY: the queue holds packets `send_later` handed over, each
        // with its only reference; taking one takes that reference.
        let packet = unsafe { OutPkt::from_raw(sys::net_capture_rs_next_queued()) }?;
        // SAFETY: the packet is owned and live; `send_later` set its
        // interface (a registered tunnel) and family.
        let (tunnel, family) = unsafe {
            (
                Iface::from_stack(sys::net_pkt_iface(packet.as_ptr())),
                sys::net_pkt_family(packet.as_ptr()),
            )
        };
        let version = if i32::from(family) == sys::NET_CAPTURE_RS_AF_INET {
            IpVersion::V4
        } else {
            IpVersion::V6
        };
        Some((tunnel?, packet, version))
    }
}
