//! The cooked interface's link-type filter: which ETH_P_* protocol types
//! are captured, set with `NET_REQUEST_VIRTUAL_INTERFACE_SET_LINK_TYPE`.

use crate::errno::{Errno, Result};

/// Up to `MAX` (`CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES`) types.
/// Empty until configured, so nothing is captured before that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkTypes<const MAX: usize> {
    types: heapless::Vec<u16, MAX>,
}

impl<const MAX: usize> LinkTypes<MAX> {
    /// No types.
    pub const fn new() -> Self {
        LinkTypes {
            types: heapless::Vec::new(),
        }
    }

    /// Replaces the filter with the first `count` entries of `types`.
    /// `ERANGE` when `count` is negative or above `MAX` (as the C code,
    /// which compared it unsigned); `EINVAL` when `types` is shorter.
    pub fn set(&mut self, count: i32, types: &[u16]) -> Result<()> {
        let count = usize::try_from(count).map_err(|_| Errno::Range)?;
        if count > MAX {
            return Err(Errno::Range);
        }
        let chosen = types.get(..count).ok_or(Errno::Inval)?;
        self.types.clear();
        // Cannot fail: `count <= MAX`.
        let _ = self.types.extend_from_slice(chosen);
        Ok(())
    }

    /// The configured types.
    pub fn as_slice(&self) -> &[u16] {
        &self.types
    }

    /// Whether `ptype` is captured.
    pub fn contains(&self, ptype: u16) -> bool {
        self.types.contains(&ptype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAN: u16 = 0x000c;
    const HDLC: u16 = 0x0019;

    #[test]
    fn nothing_passes_until_configured() {
        let filter = LinkTypes::<2>::new();
        assert!(!filter.contains(CAN));
        assert!(filter.as_slice().is_empty());
    }

    #[test]
    fn configured_types_pass_and_others_do_not() {
        let mut filter = LinkTypes::<2>::new();
        filter.set(2, &[CAN, HDLC]).unwrap();
        assert!(filter.contains(CAN) && filter.contains(HDLC));
        assert!(!filter.contains(0x0800));
        filter.set(1, &[HDLC, CAN]).unwrap();
        assert_eq!(filter.as_slice(), &[HDLC]);
        assert!(!filter.contains(CAN));
        filter.set(0, &[]).unwrap();
        assert!(!filter.contains(HDLC));
    }

    #[test]
    fn counts_outside_the_table_are_erange() {
        let mut filter = LinkTypes::<2>::new();
        filter.set(1, &[CAN]).unwrap();
        assert_eq!(filter.set(3, &[1, 2, 3]), Err(Errno::Range));
        assert_eq!(filter.set(-1, &[]), Err(Errno::Range));
        assert_eq!(filter.set(2, &[1]), Err(Errno::Inval));
        assert_eq!(filter.as_slice(), &[CAN], "a refused set changes nothing");
    }
}
