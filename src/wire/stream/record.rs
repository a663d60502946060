//! The records inside the frames: a common 8-byte header, then the fields
//! of the record's kind.
//!
//! ```text
//! common   0 kind | 1 version | 2 device | 3 flags | 4..8 sequence
//! packet   8..16 timestamp | 16..18 link type | 18..20 interface index
//!          20..24 original length | 24..28 lost | 28.. captured bytes
//! stats    8..16 timestamp | 16.. u32 counters: sent, lost_full,
//!          lost_too_big, lost_other (and later ones, ignored)
//! hello    8..16 timestamp | 16..20 ring capacity | 20.. UTF-8 text
//! ```

use super::{kind, Direction, HEADER_LEN, PACKET_HEADER_LEN, SINK_DEVICE, VERSION};
use crate::wire::{array, be16, be32, byte, put_be16, put_be32, put_bytes, set_byte};
use crate::wire::{slice, Error, Result};

mod field {
    use core::ops::Range;
    pub const KIND: usize = 0;
    pub const VERSION: usize = 1;
    pub const DEVICE: usize = 2;
    pub const FLAGS: usize = 3;
    pub const SEQUENCE: Range<usize> = 4..8;
    pub const TIMESTAMP: Range<usize> = 8..16;
    // Packet records.
    pub const LINK_TYPE: Range<usize> = 16..18;
    pub const IFINDEX: Range<usize> = 18..20;
    pub const ORIG_LEN: Range<usize> = 20..24;
    pub const LOST: Range<usize> = 24..28;
    pub const CAPTURED: usize = 28;
    // Stats records.
    pub const COUNTERS: usize = 16;
    // Hello records.
    pub const RING_CAPACITY: Range<usize> = 16..20;
    pub const TEXT: usize = 20;
}

/// Length of a record up to and including its timestamp.
const TIMESTAMPED_LEN: usize = field::TIMESTAMP.end;
/// Length of a stats record with the four counters of version 1.
const STATS_LEN: usize = field::COUNTERS + 4 * 4;
/// Length of a hello record without text.
const HELLO_HEADER_LEN: usize = field::TEXT;

fn be64(buf: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(array::<8>(buf, at))
}

/// A view of one record (without its CRC).
#[derive(Clone, Debug)]
pub struct Record<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Record<T> {
    /// Wraps a buffer without checking it (for emitting into).
    pub const fn new_unchecked(buffer: T) -> Record<T> {
        Record { buffer }
    }

    /// Wraps a record after checking that it holds the common header and,
    /// for the kinds of this version, the fields of its kind.
    pub fn new_checked(buffer: T) -> Result<Record<T>> {
        let record = Record { buffer };
        let len = record.buffer.as_ref().len();
        let needed = match (record.kind(), record.version()) {
            (kind::PACKET, VERSION) => PACKET_HEADER_LEN,
            (kind::STATS, VERSION) => TIMESTAMPED_LEN,
            (kind::HELLO, VERSION) => HELLO_HEADER_LEN,
            _ => HEADER_LEN,
        };
        if len < needed {
            return Err(Error::Truncated);
        }
        Ok(record)
    }

    /// The whole record.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Record kind (see [`kind`]).
    pub fn kind(&self) -> u8 {
        byte(self.buffer.as_ref(), field::KIND)
    }

    /// Format version.
    pub fn version(&self) -> u8 {
        byte(self.buffer.as_ref(), field::VERSION)
    }

    /// Capture device index, or [`SINK_DEVICE`].
    pub fn device(&self) -> u8 {
        byte(self.buffer.as_ref(), field::DEVICE)
    }

    /// Flags (packet records: the direction in bits 0–1).
    pub fn flags(&self) -> u8 {
        byte(self.buffer.as_ref(), field::FLAGS)
    }

    /// Sequence number.
    pub fn sequence(&self) -> u32 {
        be32(self.buffer.as_ref(), field::SEQUENCE.start)
    }

    /// Device time in nanoseconds since boot (all kinds of version 1).
    pub fn timestamp(&self) -> u64 {
        be64(self.buffer.as_ref(), field::TIMESTAMP.start)
    }

    /// Packet: pcap link type of the captured bytes.
    pub fn link_type(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LINK_TYPE.start)
    }

    /// Packet: interface index (1-based; 0 unknown).
    pub fn ifindex(&self) -> u16 {
        be16(self.buffer.as_ref(), field::IFINDEX.start)
    }

    /// Packet: length of the frame on the wire.
    pub fn orig_len(&self) -> u32 {
        be32(self.buffer.as_ref(), field::ORIG_LEN.start)
    }

    /// Packet: records dropped on the device since the previous one sent.
    pub fn lost(&self) -> u32 {
        be32(self.buffer.as_ref(), field::LOST.start)
    }

    /// Packet: the captured bytes.
    pub fn captured(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        slice(data, field::CAPTURED..data.len())
    }

    /// Stats: how many whole counters the record holds.
    pub fn counter_count(&self) -> usize {
        self.buffer.as_ref().len().saturating_sub(field::COUNTERS) / 4
    }

    /// Stats: counter `index` (0 sent, 1 lost_full, 2 lost_too_big,
    /// 3 lost_other), if the record holds it.
    pub fn counter(&self, index: usize) -> Option<u32> {
        let at = index.checked_mul(4)?.checked_add(field::COUNTERS)?;
        let bytes = self.buffer.as_ref().get(at..at.checked_add(4)?)?;
        <[u8; 4]>::try_from(bytes).ok().map(u32::from_be_bytes)
    }

    /// Hello: size of the device's ring buffer in bytes.
    pub fn ring_capacity(&self) -> u32 {
        be32(self.buffer.as_ref(), field::RING_CAPACITY.start)
    }

    /// Hello: the text (UTF-8 by the specification; not checked).
    pub fn text(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        slice(data, field::TEXT..data.len())
    }
}

/// Writes the common header and timestamp into `buf`, which the caller
/// checked to be long enough.
fn emit_header(buf: &mut [u8], kind: u8, device: u8, flags: u8, sequence: u32, ts: u64) {
    set_byte(buf, field::KIND, kind);
    set_byte(buf, field::VERSION, VERSION);
    set_byte(buf, field::DEVICE, device);
    set_byte(buf, field::FLAGS, flags);
    put_be32(buf, field::SEQUENCE.start, sequence);
    put_bytes(buf, field::TIMESTAMP.start, &ts.to_be_bytes());
}

/// The metadata of a packet record (the captured bytes follow it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketRepr {
    /// Capture device index.
    pub device: u8,
    /// Which way the frame went.
    pub direction: Direction,
    /// Sequence number.
    pub sequence: u32,
    /// Device time in nanoseconds since boot.
    pub timestamp_ns: u64,
    /// pcap link type.
    pub link_type: u16,
    /// Interface index (1-based; 0 unknown).
    pub ifindex: u16,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// Records dropped on the device since the previous one sent.
    pub lost: u32,
}

impl PacketRepr {
    /// Reads a packet record; its captured bytes are [`Record::captured`].
    /// Fails when it holds more bytes than the frame had.
    pub fn parse<T: AsRef<[u8]>>(record: &Record<T>) -> Result<PacketRepr> {
        if record.kind() != kind::PACKET || record.version() != VERSION {
            return Err(Error::Malformed);
        }
        if record.as_bytes().len() < PACKET_HEADER_LEN {
            return Err(Error::Truncated);
        }
        let orig_len = record.orig_len();
        if u32::try_from(record.captured().len()).map_or(true, |len| len > orig_len) {
            return Err(Error::Malformed);
        }
        Ok(PacketRepr {
            device: record.device(),
            direction: Direction::from_flags(record.flags()),
            sequence: record.sequence(),
            timestamp_ns: record.timestamp(),
            link_type: record.link_type(),
            ifindex: record.ifindex(),
            orig_len,
            lost: record.lost(),
        })
    }

    /// Writes the first [`PACKET_HEADER_LEN`] bytes of the record; the
    /// captured bytes go after them.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if buf.len() < PACKET_HEADER_LEN {
            return Err(Error::Truncated);
        }
        let flags = self.direction.flags();
        emit_header(
            buf,
            kind::PACKET,
            self.device,
            flags,
            self.sequence,
            self.timestamp_ns,
        );
        put_be16(buf, field::LINK_TYPE.start, self.link_type);
        put_be16(buf, field::IFINDEX.start, self.ifindex);
        put_be32(buf, field::ORIG_LEN.start, self.orig_len);
        put_be32(buf, field::LOST.start, self.lost);
        Ok(())
    }
}

/// The sink's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsRepr {
    /// The sequence number of the next packet record.
    pub sequence: u32,
    /// Device time in nanoseconds since boot.
    pub timestamp_ns: u64,
    /// Packet records written to the transport.
    pub sent: u32,
    /// Packet records dropped because the ring buffer was full.
    pub lost_full: u32,
    /// Packet records dropped because they were larger than the ring.
    pub lost_too_big: u32,
    /// Packet records dropped for other reasons.
    pub lost_other: u32,
}

impl StatsRepr {
    /// Length of the record [`StatsRepr::emit`] writes.
    pub const LEN: usize = STATS_LEN;

    /// Reads a stats record. Counters the record does not hold (it is
    /// shorter than version 1 writes) read as 0; further ones are ignored.
    pub fn parse<T: AsRef<[u8]>>(record: &Record<T>) -> Result<StatsRepr> {
        if record.kind() != kind::STATS || record.version() != VERSION {
            return Err(Error::Malformed);
        }
        if record.as_bytes().len() < TIMESTAMPED_LEN {
            return Err(Error::Truncated);
        }
        let counter = |index| record.counter(index).unwrap_or(0);
        Ok(StatsRepr {
            sequence: record.sequence(),
            timestamp_ns: record.timestamp(),
            sent: counter(0),
            lost_full: counter(1),
            lost_too_big: counter(2),
            lost_other: counter(3),
        })
    }

    /// Writes the whole record ([`StatsRepr::LEN`] bytes).
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if buf.len() < STATS_LEN {
            return Err(Error::Truncated);
        }
        emit_header(
            buf,
            kind::STATS,
            SINK_DEVICE,
            0,
            self.sequence,
            self.timestamp_ns,
        );
        let counters = [
            self.sent,
            self.lost_full,
            self.lost_too_big,
            self.lost_other,
        ];
        let mut at = field::COUNTERS;
        for counter in counters {
            put_be32(buf, at, counter);
            at = at.saturating_add(4);
        }
        Ok(())
    }
}

/// The sink started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelloRepr<'a> {
    /// The sequence number of the next packet record.
    pub sequence: u32,
    /// Device time in nanoseconds since boot.
    pub timestamp_ns: u64,
    /// Size of the device's ring buffer in bytes.
    pub ring_capacity: u32,
    /// Free text, UTF-8 (e.g. the Zephyr version and board); may be empty.
    pub text: &'a [u8],
}

impl<'a> HelloRepr<'a> {
    /// Reads a hello record.
    pub fn parse(record: &Record<&'a [u8]>) -> Result<HelloRepr<'a>> {
        if record.kind() != kind::HELLO || record.version() != VERSION {
            return Err(Error::Malformed);
        }
        let data: &'a [u8] = record.buffer;
        if data.len() < HELLO_HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(HelloRepr {
            sequence: record.sequence(),
            timestamp_ns: record.timestamp(),
            ring_capacity: record.ring_capacity(),
            text: slice(data, field::TEXT..data.len()),
        })
    }

    /// Length of the record [`HelloRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HELLO_HEADER_LEN.saturating_add(self.text.len())
    }

    /// Writes the whole record ([`HelloRepr::buffer_len`] bytes).
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if buf.len() < self.buffer_len() {
            return Err(Error::Truncated);
        }
        emit_header(
            buf,
            kind::HELLO,
            SINK_DEVICE,
            0,
            self.sequence,
            self.timestamp_ns,
        );
        put_be32(buf, field::RING_CAPACITY.start, self.ring_capacity);
        put_bytes(buf, field::TEXT, self.text);
        Ok(())
    }
}
