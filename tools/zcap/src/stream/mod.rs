//! The capture stream of a device without a second network link (see
//! `docs/stream-format.md`): bytes from a serial port become captured
//! packets with host timestamps and the losses before them, plus the
//! device's hello and statistics.
//!
//! Pure: no I/O and no clock of its own (the caller passes receive times),
//! so the fuzz crate compiles it from this source.

pub mod clock;
pub mod sequence;

use std::collections::BTreeMap;

use zephyr_net_capture::wire::stream::{
    Direction, Event, PacketRepr, Repr, StatsRepr, StreamDecoder, MAX_FRAME_DATA_LEN,
};
use zephyr_net_capture::wire::Error;

use self::clock::{Clock, Drift};
use self::sequence::Sequence;

/// Why a frame counts as corrupt when the transport closed in its middle.
pub const CUT_OFF: &str = "cut off when the port closed";

/// A captured frame, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Host time, nanoseconds since 1970.
    pub ts_ns: u64,
    /// Device time, nanoseconds since it booted.
    pub device_ns: u64,
    /// Capture device index (`NET_CAPTURE<n>`).
    pub device: u8,
    /// Interface index on the device (1-based; 0 unknown).
    pub ifindex: u16,
    /// pcap link type.
    pub link_type: u16,
    /// Which way the frame went.
    pub direction: Direction,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// The captured bytes.
    pub data: Vec<u8>,
    /// Sequence number.
    pub sequence: u32,
    /// Records the device dropped just before this one.
    pub device_drops: u64,
    /// Records lost on the line just before this one.
    pub line_drops: u64,
}

/// What the stream produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A captured frame.
    Packet(Packet),
    /// The device's sink started; `restart` when it is not the first.
    Hello {
        /// The device's text (Zephyr version, board).
        text: String,
        /// Ring buffer size in bytes.
        ring_capacity: u32,
        /// Whether a run had been seen before it.
        restart: bool,
    },
    /// The sequence went backwards without a hello: the device restarted
    /// and its hello was lost.
    Restart,
    /// The device's counters.
    Stats(StatsRepr),
    /// A damaged frame.
    Corrupt {
        /// Bytes it had on the line.
        len: usize,
        /// What was wrong.
        what: &'static str,
    },
    /// A frame with a correct CRC that does not hold a valid record.
    Malformed {
        /// What was wrong.
        what: &'static str,
    },
    /// A record of a kind or version this zcap does not know (skipped).
    Unknown {
        /// Its kind.
        kind: u8,
        /// Its version.
        version: u8,
    },
    /// Bytes before the first delimiter (the stream was joined midway).
    Skipped {
        /// How many.
        len: usize,
    },
}

/// What the stream carried, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records with a correct CRC.
    pub records: u64,
    /// Packet records.
    pub packets: u64,
    /// Damaged frames, by what was wrong.
    pub corrupt: BTreeMap<&'static str, u64>,
    /// Frames with a correct CRC but no valid record.
    pub malformed: u64,
    /// Records skipped as unknown.
    pub unknown: u64,
    /// Bytes before the first delimiter.
    pub skipped_bytes: u64,
    /// Packet records the device dropped (sum of `lost`).
    pub device_drops: u64,
    /// Packet records lost on the line (sequence gaps not explained by
    /// `lost`; a damaged packet frame is one of these).
    pub line_drops: u64,
    /// Device restarts seen after the first record.
    pub restarts: u64,
    /// The latest stats record.
    pub stats: Option<StatsRepr>,
    /// The latest hello: text and ring capacity.
    pub hello: Option<(String, u32)>,
}

impl Counters {
    /// Damaged frames of all kinds.
    pub fn corrupt_total(&self) -> u64 {
        self.corrupt.values().sum()
    }
}

/// The receiving end of one capture stream.
pub struct Receiver {
    decoder: StreamDecoder<Vec<u8>>,
    sequence: Sequence,
    clock: Clock,
    counters: Counters,
}

impl Default for Receiver {
    fn default() -> Self {
        Receiver::new()
    }
}

impl Receiver {
    /// A receiver that waits for the first delimiter.
    pub fn new() -> Receiver {
        Receiver {
            decoder: StreamDecoder::new(vec![0; MAX_FRAME_DATA_LEN]),
            sequence: Sequence::default(),
            clock: Clock::default(),
            counters: Counters::default(),
        }
    }

    /// Decodes `bytes` received at `host_ns`, appending what they held to
    /// `out`.
    pub fn push(&mut self, bytes: &[u8], host_ns: u64, out: &mut Vec<Item>) {
        let Receiver {
            decoder,
            sequence,
            clock,
            counters,
        } = self;
        let mut state = State {
            sequence,
            clock,
            counters,
            host_ns,
            out,
        };
        decoder.push(bytes, |event| state.event(event));
    }

    /// The transport closed: a frame in progress is lost.
    pub fn reset(&mut self, out: &mut Vec<Item>) {
        let len = self.decoder.reset();
        if len > 0 {
            *self.counters.corrupt.entry(CUT_OFF).or_default() += 1;
            out.push(Item::Corrupt { len, what: CUT_OFF });
        }
    }

    /// What the stream carried so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Packet records announced by the last stats record but never seen.
    pub fn unseen_at_end(&self) -> u64 {
        self.sequence.unseen_at_end()
    }

    /// How the device clock compared with the host clock.
    pub fn drift(&self) -> Option<Drift> {
        self.clock.drift()
    }

    /// The size of the decoder's buffer (which never grows); for the tests
    /// and the fuzz harness.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn buffer_capacity(&self) -> usize {
        self.decoder.capacity()
    }
}

/// The receiver's state while the decoder holds its buffer.
struct State<'a> {
    sequence: &'a mut Sequence,
    clock: &'a mut Clock,
    counters: &'a mut Counters,
    host_ns: u64,
    out: &'a mut Vec<Item>,
}

impl State<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Record(bytes) => self.record(bytes),
            Event::Corrupt { len, reason } => {
                let what = reason.describe();
                *self.counters.corrupt.entry(what).or_default() += 1;
                self.out.push(Item::Corrupt { len, what });
            }
            Event::Skipped { len } => {
                self.counters.skipped_bytes += len as u64;
                self.out.push(Item::Skipped { len });
            }
        }
    }

    fn record(&mut self, bytes: &[u8]) {
        let repr = match Repr::parse(bytes) {
            Ok(repr) => repr,
            Err(err) => {
                self.counters.malformed += 1;
                let what = match err {
                    Error::Truncated => "record too short for its kind",
                    _ => "record fields out of range",
                };
                self.out.push(Item::Malformed { what });
                return;
            }
        };
        self.counters.records += 1;
        match repr {
            Repr::Packet { repr, captured } => self.packet(&repr, captured),
            Repr::Stats(stats) => {
                self.sequence.stats(stats.sequence);
                self.clock.map(stats.timestamp_ns, self.host_ns);
                self.counters.stats = Some(stats);
                self.out.push(Item::Stats(stats));
            }
            Repr::Hello(hello) => {
                let restart = self.clock.is_anchored();
                if restart {
                    self.counters.restarts += 1;
                }
                self.sequence.hello(hello.sequence);
                self.clock.anchor(hello.timestamp_ns, self.host_ns);
                let text = String::from_utf8_lossy(hello.text).into_owned();
                self.counters.hello = Some((text.clone(), hello.ring_capacity));
                self.out.push(Item::Hello {
                    text,
                    ring_capacity: hello.ring_capacity,
                    restart,
                });
            }
            Repr::Unknown { kind, version } => {
                self.counters.unknown += 1;
                self.out.push(Item::Unknown { kind, version });
            }
        }
    }

    fn packet(&mut self, repr: &PacketRepr, captured: &[u8]) {
        self.counters.packets += 1;
        let gap = self.sequence.packet(repr.sequence, repr.lost);
        if gap.restarted {
            self.counters.restarts += 1;
            self.clock.anchor(repr.timestamp_ns, self.host_ns);
            self.out.push(Item::Restart);
        }
        self.counters.device_drops += gap.device;
        self.counters.line_drops += gap.line;
        self.out.push(Item::Packet(Packet {
            ts_ns: self.clock.map(repr.timestamp_ns, self.host_ns),
            device_ns: repr.timestamp_ns,
            device: repr.device,
            ifindex: repr.ifindex,
            link_type: repr.link_type,
            direction: repr.direction,
            orig_len: repr.orig_len,
            data: captured.to_vec(),
            sequence: repr.sequence,
            device_drops: gap.device,
            line_drops: gap.line,
        }));
    }
}

#[cfg(test)]
mod tests;
