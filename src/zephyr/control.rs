//! Zephyr's network stack as the capture layer's control plane.

use core::ffi::c_void;

use super::addr::{in6_addr, in_addr, is_usable_v4, is_usable_v6, parse_endpoint};
use super::bindings as sys;
use super::data::ZephyrStack;
use super::errno::check;
use super::iface::Iface;
use crate::capture::{ControlPlane, Event, Families, IfaceKind, IpVersion, L2Name, L2_NAME_LEN};
use crate::errno::{Errno, Result};
use crate::wire::endpoint::Endpoint;
use crate::wire::feedback::Link;
use crate::wire::{IpAddr, Ipv4Addr};

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

/// Copies a C string of at most `N - 1` bytes into a NUL-terminated buffer.
fn c_text<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    for (to, from) in out.iter_mut().take(N.saturating_sub(1)).zip(text) {
        *to = *from;
    }
    out
}

impl ControlPlane for ZephyrStack {
    fn parse_endpoint(&self, text: &[u8]) -> Option<Endpoint> {
        parse_endpoint(text)
    }

    fn iface_kind(&self, iface: Iface) -> IfaceKind {
        // SAFETY: the interface is registered.
        match unsafe { sys::net_capture_rs_iface_l2(iface.as_ptr()) } {
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_ETHERNET => IfaceKind::Link(Link::Ethernet),
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_DUMMY => IfaceKind::Link(Link::RawIp),
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_PPP => IfaceKind::Link(Link::Ppp),
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_IEEE802154 => {
                IfaceKind::Link(Link::Ieee802154)
            }
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_ANY => IfaceKind::Pseudo,
            sys::net_capture_rs_l2_NET_CAPTURE_RS_L2_LOOPBACK => IfaceKind::Loopback,
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
                // SAFETY: `dst` is live for the calls; results are checked,
                // and the stack returns registered interfaces.
                let iface = unsafe { Iface::from_stack(sys::net_if_ipv4_select_src_iface(&dst)) }?;
                // SAFETY: as above.
                let src = unsafe { sys::net_if_ipv4_select_src_addr(iface.as_ptr(), &dst) };
                is_usable_v4(src).then_some(iface)
            }
            #[cfg(CONFIG_NET_IPV6)]
            IpAddr::V6(v6) => {
                let dst = in6_addr(v6);
                // SAFETY: as above.
                let iface = unsafe { Iface::from_stack(sys::net_if_ipv6_select_src_iface(&dst)) }?;
                // SAFETY: as above.
                let src = unsafe { sys::net_if_ipv6_select_src_addr(iface.as_ptr(), &dst) };
                is_usable_v6(src).then_some(iface)
            }
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    fn tunnel_after(&self, after: Option<Iface>) -> Option<Iface> {
        let first = after.map_or(1, |iface| iface.index().saturating_add(1));
        (first..=i32::from(u8::MAX))
            .map_while(Iface::by_index)
            .find(|iface| self.iface_kind(*iface) == IfaceKind::IpipTunnel)
    }

    fn lower_iface(&self, iface: Iface) -> Option<Iface> {
        // SAFETY: the interface is registered; the stack returns NULL or a
        // registered interface.
        unsafe { Iface::from_stack(sys::net_virtual_get_iface(iface.as_ptr())) }
    }

    fn is_up(&self, iface: Iface) -> bool {
        // SAFETY: the interface is registered.
        unsafe { sys::net_if_is_up(iface.as_ptr()) }
    }

    fn supports(&self, version: IpVersion) -> bool {
        match version {
            IpVersion::V4 => cfg!(CONFIG_NET_IPV4),
            IpVersion::V6 => cfg!(CONFIG_NET_IPV6),
        }
    }

    fn attach(&self, tunnel: Iface, lower: Option<Iface>) -> Result<()> {
        let lower = lower.map_or(core::ptr::null_mut(), Iface::as_ptr);
        // SAFETY: both interfaces are registered (or lower is NULL).
        check(unsafe { sys::net_virtual_interface_attach(tunnel.as_ptr(), lower) })
    }

    fn set_tunnel_peer(&self, tunnel: Iface, remote: &IpAddr) -> Result<()> {
        let af = match remote {
            IpAddr::V4(_) => sys::NET_CAPTURE_RS_AF_INET,
            IpAddr::V6(_) => sys::NET_CAPTURE_RS_AF_INET6,
        };
        let mut params = sys::virtual_interface_req_params {
            family: u16::try_from(af).map_err(|_| Errno::Inval)?,
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
        params.__bindgen_anon_1.mtu = i32::from(mtu);
        request(tunnel, sys::NET_CAPTURE_RS_REQ_SET_MTU, &mut params)
    }

    fn add_address(&self, iface: Iface, addr: &IpAddr) -> Result<()> {
        // The address functions of a disabled IP version do not exist.
        match addr {
            #[cfg(CONFIG_NET_IPV4)]
            IpAddr::V4(v4) => {
                let mut addr = in_addr(v4);
                let mask = in_addr(&Ipv4Addr::BROADCAST);
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
        let mut buf = [0u8; L2_NAME_LEN + 1];
        // SAFETY: the call writes at most `buf.len()` bytes, NUL-terminated.
        let name = unsafe {
            sys::net_virtual_get_name(iface.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        };
        let mut out = L2Name::new();
        if !name.is_null() {
            for byte in buf.iter().take_while(|byte| **byte != 0) {
                if out.push(char::from(*byte)).is_err() {
                    break;
                }
            }
        }
        out
    }

    fn set_l2_name(&self, iface: Iface, name: &str) {
        let name = c_text::<{ L2_NAME_LEN + 1 }>(name.as_bytes());
        // SAFETY: the name is NUL-terminated; the call copies it.
        unsafe { sys::net_virtual_set_name(iface.as_ptr(), name.as_ptr().cast()) };
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

    fn pause(&self) {
        // SAFETY: no preconditions; a thread may sleep (control calls run
        // in threads).
        unsafe { sys::k_msleep(1) };
    }
}
