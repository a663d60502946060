//! Recognising the capture tunnel's own packets in the cooked captures of
//! Zephyr's PPP driver (`CONFIG_NET_PPP_CAPTURE`), so that a tunnel
//! carried by the PPP link it captures is never captured again.
//!
//! What the driver hands to `net_capture_data()` (protocol
//! `ETH_P_HDLC`):
//! - received frames: whole, unstuffed: address `ff`, control `03`, PPP
//!   protocol, packet, FCS;
//! - sent frames: still byte-stuffed (RFC 1662), one call per flush of the
//!   driver's UART buffer, so a long frame arrives in several pieces; the
//!   opening flag `7e` is left out and the closing one is included (an
//!   off-by-one of the driver), which tells where the next frame starts.

use crate::wire::feedback::{self, Link};
use crate::wire::IpAddr;

const FLAG: u8 = 0x7e;
const ESCAPE: u8 = 0x7d;

/// Unstuffed bytes examined at the start of a sent frame: address and
/// control, protocol, and what [`feedback::is_tunnel_packet`] reads.
const HEAD_LEN: usize = 2 + 2 + 40 + 8 + 40;

/// Whether a whole, unstuffed PPP frame is tunnel traffic to or from one
/// of `remotes` (or an ICMP error about it).
pub fn is_tunnel_frame(frame: &[u8], remotes: &[IpAddr]) -> bool {
    let ppp = match frame {
        [0xff, 0x03, rest @ ..] => rest,
        other => other,
    };
    remotes
        .iter()
        .any(|remote| feedback::is_tunnel_frame(ppp, Link::Ppp, remote))
}

/// Follows the pieces of sent frames; one per PPP link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentFrames {
    /// The next piece starts a frame.
    at_start: bool,
    /// The frame in progress is tunnel traffic.
    tunnel: bool,
}

impl SentFrames {
    /// Before the first piece.
    pub const fn new() -> Self {
        SentFrames {
            at_start: true,
            tunnel: false,
        }
    }

    /// Whether `piece` belongs to a tunnel frame (see
    /// [`is_tunnel_frame`]); a frame's first piece decides for all of it.
    pub fn is_tunnel(&mut self, piece: &[u8], remotes: &[IpAddr]) -> bool {
        if self.at_start {
            let mut head = [0u8; HEAD_LEN];
            let len = unstuff(piece, &mut head);
            self.tunnel = is_tunnel_frame(head.get(..len).unwrap_or_default(), remotes);
        }
        self.at_start = piece.last() == Some(&FLAG);
        self.tunnel
    }
}

impl Default for SentFrames {
    fn default() -> Self {
        Self::new()
    }
}

/// Removes RFC 1662 byte stuffing from the start of `stuffed` into `out`,
/// stopping at a flag; returns the bytes written.
fn unstuff(stuffed: &[u8], out: &mut [u8]) -> usize {
    let mut bytes = stuffed.iter().skip_while(|byte| **byte == FLAG);
    let mut len = 0;
    for slot in out.iter_mut() {
        let byte = match bytes.next() {
            Some(&FLAG) | None => break,
            Some(&ESCAPE) => match bytes.next() {
                Some(&next) => next ^ 0x20,
                None => break,
            },
            Some(&byte) => byte,
        };
        *slot = byte;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests;
