//! Where captured frames come from: the UDP socket at the end of a kernel
//! tunnel, a packet socket on the interface that carries the tunnel
//! (tunnel-less), or a recorded capture of that interface (offline).

pub mod offline;
mod open;
pub mod packet_socket;
pub mod serial;
pub mod udp;

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use nix::sys::socket::ControlMessageOwned;

use crate::decap::{Decapsulator, Outcome, Sightings};
use crate::error::Fatal;
use crate::input::offline::Recorded;
use crate::reassembly::Failures;

/// One captured frame, as the device sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Receive time, nanoseconds since 1970 (kernel time where available).
    pub ts_ns: u64,
    /// The device: the sender of the capture datagram.
    pub device: IpAddr,
    /// The UDP port the datagram was sent to.
    pub port: u16,
    /// The captured frame, byte for byte.
    pub bytes: Vec<u8>,
    /// Datagrams the host dropped (socket queue full) since the previous frame.
    pub drops: u64,
}

/// What an input produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A frame.
    Frame(Frame),
    /// A capture datagram that could not be taken out of its tunnel.
    Malformed {
        /// The device, when known.
        device: Option<IpAddr>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Something a serial capture stream carried.
    Stream(Box<crate::stream::Item>),
    /// Something to tell the user (a serial port went away or came back).
    Notice(String),
    /// Nothing arrived within the timeout, or something not for us.
    Idle,
    /// The input has ended (end of an offline file).
    End,
}

/// What tunnel-less and offline inputs saw besides frames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecapCounts {
    /// Packets that were not capture traffic or were filtered out.
    pub ignored: u64,
    /// Inner packets reassembled from fragments.
    pub reassembled: u64,
    /// Fragmented packets that could not be reassembled.
    pub reassembly: Failures,
    /// What the decapsulator saw besides the frames it kept.
    pub sightings: Sightings,
}

/// An open input.
pub enum Input {
    /// UDP sockets at the end of a kernel tunnel.
    Udp(udp::UdpListener),
    /// A packet socket on the tunnel-carrying interface.
    TunnelLess {
        /// The socket.
        socket: packet_socket::PacketSocket,
        /// Tunnel decoding state.
        decap: Decapsulator,
        /// Packets that were not for us.
        ignored: u64,
    },
    /// A capture recorded on the tunnel-carrying interface.
    Offline {
        /// The capture.
        reader: offline::OfflineReader,
        /// Tunnel decoding state.
        decap: Decapsulator,
        /// Packets that were not for us.
        ignored: u64,
    },
    /// A serial capture stream.
    Serial(serial::SerialInput),
}

impl Input {
    /// Waits up to `timeout_ms` for the next event.
    pub fn next(&mut self, timeout_ms: u16) -> Result<Event, Fatal> {
        match self {
            Input::Udp(listener) => listener.recv(timeout_ms),
            Input::TunnelLess {
                socket,
                decap,
                ignored,
            } => match socket.recv(timeout_ms)? {
                Some(packet) => Ok(decapsulated(
                    decap,
                    ignored,
                    packet.ts_ns,
                    packet.drops,
                    &packet.bytes,
                )),
                None => {
                    decap.expire(now_ns());
                    Ok(Event::Idle)
                }
            },
            Input::Offline {
                reader,
                decap,
                ignored,
            } => match reader.next(timeout_ms)? {
                Recorded::Packet(packet) => {
                    Ok(decapsulated(decap, ignored, packet.ts_ns, 0, &packet.ip))
                }
                Recorded::Notice(text) => Ok(Event::Notice(text)),
                Recorded::Idle => Ok(Event::Idle),
                Recorded::End => Ok(Event::End),
            },
            Input::Serial(serial) => serial.next(timeout_ms),
        }
    }

    /// Counts of the decapsulating inputs; `None` for UDP.
    pub fn decap_counts(&mut self, finished: bool) -> Option<DecapCounts> {
        let (decap, ignored) = match self {
            Input::Udp(_) | Input::Serial(_) => return None,
            Input::TunnelLess { decap, ignored, .. } | Input::Offline { decap, ignored, .. } => {
                (decap, *ignored)
            }
        };
        if finished {
            decap.finish();
        }
        Some(DecapCounts {
            ignored,
            reassembled: decap.reassembler().completed(),
            reassembly: decap.reassembler().failures(),
            sightings: decap.sightings().clone(),
        })
    }
}

fn decapsulated(
    decap: &mut Decapsulator,
    ignored: &mut u64,
    ts_ns: u64,
    drops: u64,
    ip: &[u8],
) -> Event {
    match decap.decapsulate(ts_ns, ip) {
        Outcome::Datagram(datagram) => Event::Frame(Frame {
            ts_ns,
            device: datagram.device,
            port: datagram.port,
            bytes: datagram.payload,
            drops,
        }),
        Outcome::Pending => Event::Idle,
        Outcome::Ignored => {
            *ignored += 1;
            Event::Idle
        }
        Outcome::Malformed { device, reason } => Event::Malformed { device, reason },
    }
}

/// The wall clock in nanoseconds since 1970, for when the kernel gave no
/// receive time.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| u64::try_from(since.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Receive time and socket drop counter from a message's control data.
pub fn receive_metadata(
    cmsgs: impl Iterator<Item = ControlMessageOwned>,
) -> (Option<u64>, Option<u32>) {
    let mut ts_ns = None;
    let mut dropped = None;
    for cmsg in cmsgs {
        match cmsg {
            ControlMessageOwned::ScmTimestampns(ts) => {
                let secs = u64::try_from(ts.tv_sec()).unwrap_or(0);
                let nanos = u64::try_from(ts.tv_nsec()).unwrap_or(0);
                ts_ns = Some(secs.saturating_mul(1_000_000_000).saturating_add(nanos));
            }
            ControlMessageOwned::RxqOvfl(count) => dropped = Some(count),
            _ => {}
        }
    }
    (ts_ns, dropped)
}

/// Tracks a socket's cumulative drop counter (`SO_RXQ_OVFL`, which wraps
/// at 2^32) and yields the drops since the previous datagram.
#[derive(Clone, Copy, Debug, Default)]
pub struct DropCounter {
    last: u32,
}

impl DropCounter {
    /// The drops since the previous call, given the kernel's counter.
    pub fn update(&mut self, counter: Option<u32>) -> u64 {
        let Some(counter) = counter else {
            return 0;
        };
        let new = counter.wrapping_sub(self.last);
        self.last = counter;
        u64::from(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_counter_reports_increments_across_wraparound() {
        let mut counter = DropCounter::default();
        assert_eq!(counter.update(None), 0);
        assert_eq!(counter.update(Some(3)), 3);
        assert_eq!(counter.update(Some(3)), 0);
        let mut near_wrap = DropCounter { last: u32::MAX - 1 };
        assert_eq!(near_wrap.update(Some(2)), 4);
    }
}
