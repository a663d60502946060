//! [`Stack`] on Zephyr's network stack.

use core::ffi::{c_int, c_void};

use super::addr::{in6_addr, in_addr, is_usable_v4, is_usable_v6, Pton};
use super::bindings as sys;
use super::iface::Iface;
use super::log::{log, LogModule};
use super::pkt::{OutPkt, PktRef};
use super::sync::{ControlMutex, SpinLock};
use super::text::CText;
use crate::capture::{Event, Families, IfaceKind, IpVersion, L2Name, Stack};
use crate::errno::{Errno, Result};
use crate::ffi::errno_from_c;
use crate::log::Message;
use crate::wire::endpoint::AddrSyntax;
use crate::wire::feedback::Link;
use crate::wire::tunnel::Oversize;
use crate::wire::IpAddr;

/// Zephyr's network stack; `log_module` says which log module lines go to.
pub(crate) struct ZephyrStack {
    log_module: LogModule,
}

impl ZephyrStack {
    pub(crate) const fn new(log_module: LogModule) -> Self {
        ZephyrStack { log_module }
    }
}

/// Turns a Zephyr return value into a result; `EALREADY` counts as done.
pub(super) fn check(ret: c_int) -> Result<()> {
    if ret >= 0 || ret == -sys::NET_CAPTURE_RS_EALREADY {
        Ok(())
    } else {
        Err(errno_from_c(ret))
    }
}

fn af(addr: &IpAddr) -> c_int {
    match addr {
        IpAddr::V4(_) => sys::NET_CAPTURE_RS_AF_INET,
        IpAddr::V6(_) => sys::NET_CAPTURE_RS_AF_INET6,
    }
}

fn set_flag(iface: Iface, flag: sys::net_if_flag, on: bool) {
    // SAFETY: the interface is registered; flags are atomic bits.
    unsafe {
        if on {
            sys::net_if_flag_set(iface.as_ptr(), flag);
        } else {
            sys::net_if_flag_clear(iface.as_ptr(), flag);
        }
    }
}

fn flag_is_set(iface: Iface, flag: sys::net_if_flag) -> bool {
    // SAFETY: as in `set_flag`.
    unsafe { sys::net_if_flag_is_set(iface.as_ptr(), flag) }
}

/// Sends one virtual-interface management request.
fn request(iface: Iface, code: u64, params: &mut sys::virtual_interface_req_params) -> Result<()> {
    let len = core::mem::size_of::<sys::virtual_interface_req_params>();
    let data = core::ptr::from_mut(params).cast::<c_void>();
    // SAFETY: the handlers read `len` bytes of `params`, which is live.
    let ret = unsafe {
        if code == sys::NET_CAPTURE_RS_REQ_SET_PEER {
            sys::net_mgmt_NET_REQUEST_VIRTUAL_INTERFACE_SET_PEER_ADDRESS(
                code,
                iface.as_ptr(),
                data,
                len,
            )
        } else {
            sys::net_mgmt_NET_REQUEST_VIRTUAL_INTERFACE_SET_MTU(code, iface.as_ptr(), data, len)
        }
    };
    check(ret)
}

impl Stack for ZephyrStack {
    type Iface = Iface;
    type Frame = PktRef;
    type Packet = OutPkt;
    type SpinLock<T: Send> = SpinLock<T>;
    type ControlLock = ControlMutex;

    #[inline]
    fn iface_key(&self, iface: Iface) -> usize {
        iface.as_ptr().addr()
    }

    fn iface_index(&self, iface: Iface) -> Option<i32> {
        Iface::registered(iface.as_ptr()).map(Iface::index)
    }

    fn iface_kind(&self, iface: Iface) -> IfaceKind {
        // SAFETY: the interface is registered.
        match unsafe { sys::net_capture_rs_iface_l2(iface.as_ptr()) } {
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_ETHERNET => IfaceKind::Link(Link::Ethernet),
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_DUMMY => IfaceKind::Link(Link::RawIp),
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_PPP => IfaceKind::Link(Link::Ppp),
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_ANY => IfaceKind::Pseudo,
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_VIRTUAL => {
                // SAFETY: the interface is a registered virtual one.
                let caps = unsafe { sys::net_virtual_get_iface_capabilities(iface.as_ptr()) };
                if caps & sys::virtual_interface_caps_VIRTUAL_INTERFACE_IPIP != 0 {
                    IfaceKind::IpipTunnel
                } else {
                    IfaceKind::OtherVirtual
                }
            }
            _ => IfaceKind::Link(Link::Other),
        }
    }

    fn route(&self, remote: &IpAddr) -> Option<Iface> {
        match remote {
            #[cfg(CONFIG_NET_IPV4)]
            IpAddr::V4(v4) => {
                let dst = in_addr(v4);
                // SAFETY: `dst` is live for the calls; results are checked.
                let iface = Iface::from_stack(unsafe { sys::net_if_ipv4_select_src_iface(&dst) })?;
                // SAFETY: as above.
                let src = unsafe { sys::net_if_ipv4_select_src_addr(iface.as_ptr(), &dst) };
                is_usable_v4(src).then_some(iface)
            }
            #[cfg(CONFIG_NET_IPV6)]
            IpAddr::V6(v6) => {
                let dst = in6_addr(v6);
                // SAFETY: as above.
                let iface = Iface::from_stack(unsafe { sys::net_if_ipv6_select_src_iface(&dst) })?;
                // SAFETY: as above.
                let src = unsafe { sys::net_if_ipv6_select_src_addr(iface.as_ptr(), &dst) };
                is_usable_v6(src).then_some(iface)
            }
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    fn for_each_tunnel(&self, f: &mut dyn FnMut(Iface)) {
        for index in 1..=i32::from(u8::MAX) {
            let Some(iface) = Iface::by_index(index) else {
                break;
            };
            if self.iface_kind(iface) == IfaceKind::IpipTunnel {
                f(iface);
            }
        }
    }

    fn lower_iface(&self, iface: Iface) -> Option<Iface> {
        // SAFETY: the interface is registered.
        Iface::from_stack(unsafe { sys::net_virtual_get_iface(iface.as_ptr()) })
    }

    fn mtu(&self, iface: Iface) -> u16 {
        // SAFETY: the interface is registered.
        unsafe { sys::net_if_get_mtu(iface.as_ptr()) }
    }

    fn is_up(&self, iface: Iface) -> bool {
        // SAFETY: the interface is registered.
        unsafe { sys::net_if_is_up(iface.as_ptr()) }
    }

    fn supports(&self, addr: &IpAddr) -> bool {
        match addr {
            IpAddr::V4(_) => cfg!(CONFIG_NET_IPV4),
            IpAddr::V6(_) => cfg!(CONFIG_NET_IPV6),
        }
    }

    fn attach(&self, tunnel: Iface, lower: Option<Iface>) -> Result<()> {
        let lower = lower.map_or(core::ptr::null_mut(), Iface::as_ptr);
        // SAFETY: both interfaces are registered (or lower is NULL).
        check(unsafe { sys::net_virtual_interface_attach(tunnel.as_ptr(), lower) })
    }

    fn set_tunnel_peer(&self, tunnel: Iface, remote: &IpAddr) -> Result<()> {
        let mut params = sys::virtual_interface_req_params {
            family: u16::try_from(af(remote)).map_err(|_| Errno::Inval)?,
            ..Default::default()
        };
        match remote {
            IpAddr::V4(v4) => params.__bindgen_anon_1.peer4addr = in_addr(v4),
            IpAddr::V6(v6) => params.__bindgen_anon_1.peer6addr = in6_addr(v6),
        }
        request(tunnel, sys::NET_CAPTURE_RS_REQ_SET_PEER, &mut params)
    }

    fn set_tunnel_mtu(&self, tunnel: Iface, mtu: u16) -> Result<()> {
        let mut params = sys::virtual_interface_req_params::default();
        params.__bindgen_anon_1.mtu = c_int::from(mtu);
        request(tunnel, sys::NET_CAPTURE_RS_REQ_SET_MTU, &mut params)
    }

    fn add_address(&self, iface: Iface, addr: &IpAddr) -> Result<()> {
        // The address functions of a disabled IP version do not exist.
        match addr {
            #[cfg(CONFIG_NET_IPV4)]
            IpAddr::V4(v4) => {
                let mut addr = in_addr(v4);
                let mask = in_addr(&crate::wire::Ipv4Addr::BROADCAST);
                // SAFETY: the interface is registered; the addresses are
                // copied by the calls.
                unsafe {
                    if sys::net_if_ipv4_addr_add(
                        iface.as_ptr(),
                        &mut addr,
                        sys::net_addr_type_NET_ADDR_MANUAL,
                        0,
                    )
                    .is_null()
                    {
                        return Err(Errno::Inval);
                    }
                    // A /32 mask keeps ordinary IPv4 traffic out of the tunnel.
                    if !sys::net_if_ipv4_set_netmask_by_addr(iface.as_ptr(), &addr, &mask) {
                        sys::net_if_ipv4_addr_rm(iface.as_ptr(), &addr);
                        return Err(Errno::Inval);
                    }
                }
                Ok(())
            }
            #[cfg(CONFIG_NET_IPV6)]
            IpAddr::V6(v6) => {
                let mut addr = in6_addr(v6);
                // SAFETY: as above.
                let added = unsafe {
                    sys::net_if_ipv6_addr_add(
                        iface.as_ptr(),
                        &mut addr,
                        sys::net_addr_type_NET_ADDR_MANUAL,
                        0,
                    )
                };
                if added.is_null() {
                    Err(Errno::Inval)
                } else {
                    Ok(())
                }
            }
            #[allow(unreachable_patterns)]
            _ => Err(Errno::NotSup),
        }
    }

    fn remove_address(&self, iface: Iface, addr: &IpAddr) -> Result<()> {
        // SAFETY: the interface is registered; the address is copied.
        let removed = unsafe {
            match addr {
                #[cfg(CONFIG_NET_IPV4)]
                IpAddr::V4(v4) => sys::net_if_ipv4_addr_rm(iface.as_ptr(), &in_addr(v4)),
                #[cfg(CONFIG_NET_IPV6)]
                IpAddr::V6(v6) => sys::net_if_ipv6_addr_rm(iface.as_ptr(), &in6_addr(v6)),
                #[allow(unreachable_patterns)]
                _ => return Err(Errno::NotSup),
            }
        };
        if removed {
            Ok(())
        } else {
            Err(Errno::NoEnt)
        }
    }

    fn families(&self, iface: Iface) -> Families {
        Families {
            ipv4: flag_is_set(iface, sys::net_if_flag_NET_IF_IPV4),
            ipv6: flag_is_set(iface, sys::net_if_flag_NET_IF_IPV6),
        }
    }

    fn set_families(&self, iface: Iface, families: Families) {
        set_flag(iface, sys::net_if_flag_NET_IF_IPV4, families.ipv4);
        set_flag(iface, sys::net_if_flag_NET_IF_IPV6, families.ipv6);
    }

    fn l2_name(&self, iface: Iface) -> L2Name {
        let mut buf = [0u8; crate::capture::L2_NAME_LEN + 1];
        // SAFETY: the call writes at most `buf.len()` bytes, NUL-terminated.
        let name = unsafe {
            sys::net_virtual_get_name(iface.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        };
        let mut out = L2Name::new();
        if !name.is_null() {
            let len = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            for byte in buf.iter().take(len) {
                if out.push(char::from(*byte)).is_err() {
                    break;
                }
            }
        }
        out
    }

    fn set_l2_name(&self, iface: Iface, name: &str) {
        let name = CText::<{ crate::capture::L2_NAME_LEN + 1 }>::from_str(name);
        // SAFETY: the name is NUL-terminated; the call copies it.
        unsafe { sys::net_virtual_set_name(iface.as_ptr(), name.as_ptr()) };
    }

    fn up(&self, iface: Iface) -> Result<()> {
        // SAFETY: the interface is registered.
        check(unsafe { sys::net_if_up(iface.as_ptr()) })
    }

    fn down(&self, iface: Iface) -> Result<()> {
        // SAFETY: the interface is registered.
        check(unsafe { sys::net_if_down(iface.as_ptr()) })
    }

    fn notify(&self, event: Event, iface: Option<Iface>) {
        // SAFETY: constants defined in glue.c, never written.
        let code = unsafe {
            match event {
                Event::Started => sys::net_capture_rs_event_started,
                Event::Stopped => sys::net_capture_rs_event_stopped,
            }
        };
        let iface = iface.map_or(core::ptr::null_mut(), Iface::as_ptr);
        // SAFETY: the interface is registered or NULL, as the event allows.
        unsafe { sys::net_mgmt_event_notify(code, iface) };
    }

    fn in_isr(&self) -> bool {
        // SAFETY: no preconditions.
        unsafe { sys::k_is_in_isr() }
    }

    fn oversize(&self) -> Oversize {
        if cfg!(CONFIG_NET_CAPTURE_RS_OVERSIZE_TRUNCATE) {
            Oversize::Truncate
        } else {
            Oversize::Fragment
        }
    }

    fn pool_capacity(&self) -> usize {
        // SAFETY: no preconditions.
        unsafe { sys::net_capture_rs_pool_capacity() }
    }

    fn alloc(&self, len: usize) -> Result<OutPkt> {
        OutPkt::alloc(len)
    }

    fn send(&self, tunnel: Iface, packet: OutPkt, version: IpVersion) -> Result<()> {
        let family = match version {
            IpVersion::V4 => sys::NET_CAPTURE_RS_AF_INET,
            IpVersion::V6 => sys::NET_CAPTURE_RS_AF_INET6,
        };
        let pkt = packet.as_ptr();
        // SAFETY: the packet is owned and live; the tunnel is registered.
        // The captured mark keeps every capture hook from copying it again.
        let verdict = unsafe {
            sys::net_pkt_set_family(pkt, u8::try_from(family).unwrap_or_default());
            sys::net_pkt_set_iface(pkt, tunnel.as_ptr());
            sys::net_pkt_set_captured(pkt, true);
            sys::net_pkt_cursor_init(pkt);
            sys::net_if_send_data(tunnel.as_ptr(), pkt)
        };
        if verdict == sys::net_verdict_NET_DROP {
            // Not taken: `packet` is dropped here and returns to the pool.
            return Err(Errno::Io);
        }
        let _ = packet.into_raw();
        Ok(())
    }

    fn log(&self, message: &Message<'_>) {
        log(self.log_module, message);
    }

    fn addr_syntax(&self) -> &dyn AddrSyntax {
        &Pton
    }
}
