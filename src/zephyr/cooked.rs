//! [`CookedStack`] on Zephyr.

use core::ffi::CStr;

use super::bindings as sys;
use super::iface::Iface;
use super::stack::{check, ZephyrStack};
use super::text::CText;
use crate::capture::{IfaceKind, Stack};
use crate::cooked::CookedStack;
use crate::errno::Result;
use crate::wire::sll;

impl CookedStack for ZephyrStack {
    fn any_iface(&self) -> Option<Iface> {
        // SAFETY: the name is NUL-terminated; the result is checked.
        let index = unsafe { sys::net_if_get_by_name(c"any".as_ptr()) };
        // net_if_get_by_name() matches prefixes (spec W22): make sure this
        // is the pseudo interface itself.
        Iface::by_index(index).filter(|iface| self.iface_kind(*iface) == IfaceKind::Pseudo)
    }

    fn set_iface_name(&self, iface: Iface, name: &str) -> Result<()> {
        let name = CText::<{ sys::CONFIG_NET_INTERFACE_NAME_LEN as usize + 1 }>::from_str(name);
        // SAFETY: the interface is registered; the name is NUL-terminated
        // and copied by the call.
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

    fn sll_version(&self) -> sll::Version {
        if cfg!(CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2) {
            sll::Version::V2
        } else {
            sll::Version::V1
        }
    }

    fn cooked_iface_name(&self) -> &str {
        CStr::from_bytes_with_nul(sys::CONFIG_NET_CAPTURE_COOKED_MODE_INTERFACE_NAME)
            .ok()
            .and_then(|name| name.to_str().ok())
            .unwrap_or("cooked")
    }
}
