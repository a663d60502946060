//! The caller's cooked-capture context (`struct net_capture_cooked`):
//! link-layer address type, length and bytes.

use crate::errno::{Errno, Result};
use crate::wire::sll::{LinkAddr, ADDR_LEN};

/// `NET_CAPTURE_LL_ADDRLEN`.
pub const LL_ADDR_LEN: usize = ADDR_LEN;

/// The fields of `struct net_capture_cooked`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CookedContext {
    /// ARPHRD_* type.
    pub hatype: u16,
    /// Address length as stored (statically built contexts may hold any
    /// value; 0 is used for CAN).
    pub halen: u16,
    /// Address bytes.
    pub addr: [u8; LL_ADDR_LEN],
}

impl CookedContext {
    /// What `net_capture_cooked_setup()` stores: `EINVAL` unless
    /// `1 <= halen <= 8` and `addr` holds `halen` bytes.
    pub fn new(hatype: u16, halen: u16, addr: &[u8]) -> Result<CookedContext> {
        let len = usize::from(halen);
        if len == 0 || len > LL_ADDR_LEN {
            return Err(Errno::Inval);
        }
        let bytes = addr.get(..len).ok_or(Errno::Inval)?;
        let mut out = CookedContext {
            hatype,
            halen,
            addr: [0; LL_ADDR_LEN],
        };
        for (to, from) in out.addr.iter_mut().zip(bytes) {
            *to = *from;
        }
        Ok(out)
    }

    /// The address as an SLL header carries it: the bytes past `halen`
    /// are zeroed; a `halen` above 8 is kept but only 8 bytes fit.
    pub fn link_addr(&self) -> LinkAddr {
        LinkAddr::new(self.halen, &self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_accepts_one_to_eight_bytes() {
        let ctx = CookedContext::new(512, 6, &[1, 2, 3, 4, 5, 6]).unwrap();
        assert_eq!(ctx.addr, [1, 2, 3, 4, 5, 6, 0, 0]);
        assert_eq!(ctx.link_addr().as_bytes(), &[1, 2, 3, 4, 5, 6]);
        assert!(CookedContext::new(1, 8, &[9; 8]).is_ok());
    }

    #[test]
    fn setup_refuses_bad_lengths() {
        assert_eq!(CookedContext::new(280, 0, &[]), Err(Errno::Inval));
        assert_eq!(CookedContext::new(1, 9, &[0; 9]), Err(Errno::Inval));
        assert_eq!(CookedContext::new(1, 4, &[0; 3]), Err(Errno::Inval));
    }

    #[test]
    fn static_contexts_with_odd_lengths_still_encode() {
        let can = CookedContext {
            hatype: 280,
            halen: 0,
            addr: [0; 8],
        };
        assert_eq!(can.link_addr().len, 0);
        let wide = CookedContext {
            hatype: 1,
            halen: 20,
            addr: [7; 8],
        };
        assert_eq!(wide.link_addr().as_bytes(), &[7; 8]);
    }
}
