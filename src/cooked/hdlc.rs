//! Zephyr's PPP driver and its cooked captures (`CONFIG_NET_PPP_CAPTURE`,
//! protocol `ETH_P_HDLC`): the frames it sends are put back together, and
//! the capture tunnel's own frames are recognised so that a tunnel carried
//! by the PPP link it captures is never captured again.
//!
//! What the driver hands to `net_capture_data()`:
//! - received frames: whole and unstuffed: address `ff`, control `03`, PPP
//!   protocol, packet, FCS;
//! - sent frames: still byte-stuffed (RFC 1662) and in pieces, one per
//!   flush of its UART buffer (8 bytes by default); the flag that opens a
//!   piece is left out, the one that closes a frame is kept, and a flush
//!   that held only a closing flag comes as an empty (or unreadable) piece.
//!   Its test for a closing flag reads the byte after its buffer: when that
//!   stale byte is a flag, the piece loses its last byte, sometimes the
//!   closing flag itself. The next frame then starts without a flag; it
//!   is told apart by its first bytes (address, stuffed control) arriving
//!   after a frame whose FCS checks.
//!
//! [`SentFrames`] unstuffs the pieces and hands over each sent frame whole,
//! as received ones come: one record per frame, which Wireshark can decode
//! and which costs one capture instead of one per 8 bytes.

use crate::wire::feedback::{self, Link};
use crate::wire::IpAddr;

const FLAG: u8 = 0x7e;
const ESCAPE: u8 = 0x7d;

/// How a sent frame starts: address `ff`, control `03` stuffed.
const OPENING: [u8; 3] = [0xff, ESCAPE, 0x03 ^ 0x20];

/// Whether a whole frame (ending in its FCS) checks (RFC 1662, FCS-16).
fn fcs_ok(frame: &[u8]) -> bool {
    let mut fcs = 0xffffu16;
    for &byte in frame {
        fcs ^= u16::from(byte);
        for _ in 0..8 {
            fcs = if fcs & 1 != 0 {
                (fcs >> 1) ^ 0x8408
            } else {
                fcs >> 1
            };
        }
    }
    frame.len() > 2 && fcs == 0xf0b8
}

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

/// A sent frame put back together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentFrame<'a> {
    /// The unstuffed frame (at most the buffer's size).
    pub bytes: &'a [u8],
    /// The frame was longer than the buffer: its tail is missing.
    pub cut: bool,
}

/// Reassembles the frames the driver sends, holding up to `N` unstuffed
/// bytes of the frame in progress; one per PPP link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentFrames<const N: usize> {
    frame: heapless::Vec<u8, N>,
    /// The previous piece ended with an escape byte.
    escaped: bool,
    /// Bytes of the frame in progress did not fit.
    cut: bool,
}

impl<const N: usize> SentFrames<N> {
    /// Before the first piece.
    pub const fn new() -> Self {
        SentFrames {
            frame: heapless::Vec::new(),
            escaped: false,
            cut: false,
        }
    }

    /// Takes one piece; calls `done` with every frame it completes.
    pub fn feed(&mut self, piece: &[u8], mut done: impl FnMut(SentFrame<'_>)) {
        // A frame whose closing flag the driver dropped: it checks, and a
        // new one starts.
        if piece.starts_with(&OPENING) && !self.escaped && fcs_ok(&self.frame) {
            self.end(&mut done);
        }
        for &byte in piece {
            match (byte, self.escaped) {
                (FLAG, _) => self.end(&mut done),
                (ESCAPE, false) => self.escaped = true,
                (byte, escaped) => {
                    self.escaped = false;
                    let byte = if escaped { byte ^ 0x20 } else { byte };
                    self.cut |= self.frame.push(byte).is_err();
                }
            }
        }
    }

    /// The driver's empty piece: a flush that held only the closing flag.
    pub fn end(&mut self, mut done: impl FnMut(SentFrame<'_>)) {
        if !self.frame.is_empty() {
            done(SentFrame {
                bytes: &self.frame,
                cut: self.cut,
            });
        }
        self.frame.clear();
        self.escaped = false;
        self.cut = false;
    }
}

impl<const N: usize> Default for SentFrames<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests;
