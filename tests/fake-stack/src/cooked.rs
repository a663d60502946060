//! The fake's implementation of `CookedPlane`.

use std::ffi::CStr;

use zephyr_net_capture::capture::Families;
use zephyr_net_capture::cooked::CookedPlane;
use zephyr_net_capture::errno::{Errno, Result};

use crate::{FakeStack, Iface};

/// Name the fake gives the cooked interface.
pub const COOKED_NAME: &str = "cooked";

impl CookedPlane for FakeStack {
    fn any_iface(&self) -> Option<Iface> {
        let world = self.world();
        let position = world.ifaces.iter().position(|i| i.name == "any")?;
        Iface::try_from(position + 1).ok()
    }

    fn set_iface_name(&self, iface: Iface, name: &CStr) -> Result<()> {
        let name = name.to_str().map_err(|_| Errno::Inval)?;
        self.with_iface(iface, |i| i.name = name.into())
            .ok_or(Errno::NoEnt)
    }

    fn make_capture_only(&self, iface: Iface) {
        self.with_iface(iface, |i| {
            i.point_to_point = true;
            i.families = Families::default();
        });
    }

    fn set_mtu(&self, iface: Iface, mtu: u16) -> Result<()> {
        self.with_iface(iface, |i| i.mtu = mtu).ok_or(Errno::NoEnt)
    }
}
