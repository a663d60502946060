//! The capture stream: how a device without a second network link sends its
//! captures over a UART (or any other byte transport) to a host.
//!
//! The stream is a sequence of *frames*. A frame is
//! `COBS(record ‖ CRC-32(record))` followed by one `0x00` delimiter:
//! Consistent Overhead Byte Stuffing (Cheshire and Baker) removes every zero
//! byte from the record, so a zero always ends a frame and a receiver that
//! lost bytes resynchronises at the next one. The CRC is the IEEE 802.3 /
//! zlib one, appended big-endian. All multi-byte fields are big-endian.
//!
//! A *record* is a packet (a captured frame and its metadata), the sink's
//! statistics, or a hello when the sink starts; see [`Record`] for the
//! layout and `docs/stream-format.md` for the full specification.
//!
//! Both ends live here so they are tested as a pair:
//! - the device keeps records in a ring buffer and frames each one with
//!   [`FrameEncoder`], which reads the record in place (in two pieces where
//!   the ring wraps) and needs no buffer of its own;
//! - the host feeds whatever bytes arrive to a [`StreamDecoder`] and parses
//!   each record it yields with [`Repr::parse`].
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

mod cobs;
mod crc;
mod decoder;
mod record;

pub use cobs::{max_frame_len, FrameEncoder};
pub use crc::{crc32, Crc32};
pub use decoder::{Corruption, Event, StreamDecoder};
pub use record::{HelloRepr, PacketRepr, Record, StatsRepr};

use super::{Error, Result};

/// The frame delimiter. The device sends one extra when its sink starts, so
/// a host that was listening to noise (or to the end of a previous run)
/// starts the first real frame cleanly.
pub const RESYNC: u8 = 0;

/// The record format version this module writes and reads.
pub const VERSION: u8 = 1;

/// The `device` value of records that belong to the sink itself (stats and
/// hello) rather than to one capture device.
pub const SINK_DEVICE: u8 = 0xff;

/// Length of the CRC-32 after each record.
pub const CRC_LEN: usize = 4;

/// Length of the header every record starts with.
pub const HEADER_LEN: usize = 8;

/// Length of a packet record without its captured bytes.
pub const PACKET_HEADER_LEN: usize = 28;

/// The most captured bytes one packet record carries.
pub const MAX_CAPTURED_LEN: usize = 65_535;

/// The longest record a receiver accepts.
pub const MAX_RECORD_LEN: usize = PACKET_HEADER_LEN + MAX_CAPTURED_LEN;

/// The longest decoded frame (record and CRC) a receiver accepts; a
/// [`StreamDecoder`] needs a buffer of this size to accept every record.
pub const MAX_FRAME_DATA_LEN: usize = MAX_RECORD_LEN + CRC_LEN;

/// Record kinds (the first header byte). Other values are skipped by
/// receivers, so later versions can add kinds.
pub mod kind {
    /// A captured frame.
    pub const PACKET: u8 = 1;
    /// The sink's counters.
    pub const STATS: u8 = 2;
    /// The sink started.
    pub const HELLO: u8 = 3;
}

/// Which way a captured frame went, from the device's point of view
/// (packet record flags, bits 0–1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Not known (also what the reserved value 3 reads as).
    Unknown,
    /// Received by the device.
    Inbound,
    /// Sent by the device.
    Outbound,
}

impl Direction {
    const MASK: u8 = 0b11;

    /// The direction in the flags byte of a packet record.
    pub const fn from_flags(flags: u8) -> Direction {
        match flags & Self::MASK {
            1 => Direction::Inbound,
            2 => Direction::Outbound,
            _ => Direction::Unknown,
        }
    }

    /// The flags byte bits of this direction.
    pub const fn flags(self) -> u8 {
        match self {
            Direction::Unknown => 0,
            Direction::Inbound => 1,
            Direction::Outbound => 2,
        }
    }
}

/// Any record, as a receiver sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr<'a> {
    /// A captured frame.
    Packet {
        /// Its metadata.
        repr: PacketRepr,
        /// The captured bytes.
        captured: &'a [u8],
    },
    /// The sink's counters.
    Stats(StatsRepr),
    /// The sink started.
    Hello(HelloRepr<'a>),
    /// A kind this version does not know, or a later version: to be
    /// skipped.
    Unknown {
        /// Its kind.
        kind: u8,
        /// Its version.
        version: u8,
    },
}

impl<'a> Repr<'a> {
    /// Reads a record (as [`StreamDecoder`] yields it). Records of
    /// unknown kinds or of later versions are `Unknown`; version 0 does not
    /// exist and is refused.
    pub fn parse(bytes: &'a [u8]) -> Result<Repr<'a>> {
        let record = Record::new_checked(bytes)?;
        let captured = bytes.get(PACKET_HEADER_LEN..).unwrap_or_default();
        match (record.kind(), record.version()) {
            (_, 0) => Err(Error::Malformed),
            (kind::PACKET, VERSION) => Ok(Repr::Packet {
                repr: PacketRepr::parse(&record)?,
                captured,
            }),
            (kind::STATS, VERSION) => Ok(Repr::Stats(StatsRepr::parse(&record)?)),
            (kind::HELLO, VERSION) => Ok(Repr::Hello(HelloRepr::parse(&record)?)),
            (kind, version) => Ok(Repr::Unknown { kind, version }),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_recovery;
#[cfg(test)]
mod tests_roundtrip;
