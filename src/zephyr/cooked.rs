//! Zephyr's network stack as cooked mode needs it.

use core::ffi::CStr;

use super::bindings as sys;
use super::data::ZephyrStack;
use super::errno::check;
use super::iface::Iface;
use crate::capture::{ControlPlane, IfaceKind};
use crate::cooked::CookedPlane;
use crate::errno::Result;

impl CookedPlane for ZephyrStack {
    fn any_iface(&self) -> Option<Iface> {
        // SAFETY: the name is NUL-terminated; the result is checked.
        let index = unsafe { sys::net_if_get_by_name(c"any".as_ptr()) };
        // net_if_get_by_name() matches prefixes (W22): make sure this is
        // the pseudo interface itself.
        Iface::by_index(index).filter(|iface| self.iface_kind(*iface) == IfaceKind::Pseudo)
    }

    fn set_iface_name(&self, iface: Iface, name: &CStr) -> Result<()> {
        // SAFETY: the interface is registered; the name is NUL-terminated
        // and copied by the call, which refuses names that are too long.
        check(unsafe { sys::net_if_set_name(iface.as_ptr(), name.as_ptr()) })
    }

    fn make_capture_only(&self, iface: Iface) {
        // SAFETY: the interface is registered; flags are atomic bits.
        unsafe {
            sys::net_if_flag_set(iface.as_ptr(), sys::net_if_flag_NET_IF_NO_AUTO_START);
            sys::net_if_flag_set(iface.as_ptr(), sys::net_if_flag_NET_IF_POINTOPOINT);
            sys::net_if_flag_clear(iface.as_ptr(), sys::net_if_flag_NET_IF_IPV4);
            sys::net_if_flag_clear(iface.as_ptr(), sys::net_if_flag_NET_IF_IPV6);
        }
    }

    fn set_mtu(&self, iface: Iface, mtu: u16) -> Result<()> {
        // SAFETY: the interface is registered.
        unsafe { sys::net_if_set_mtu(iface.as_ptr(), mtu) };
        Ok(())
    }
}
