//! Fake packets: frames to capture, packets built from a byte-counted pool.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use zephyr_net_capture::capture::{Direction, Frame, IpVersion};
use zephyr_net_capture::errno::{Errno, Result};

use crate::Iface;

/// The capture pool: a byte budget, with the bytes in use counted so tests
/// can see leaks.
#[derive(Debug)]
pub struct Pool {
    capacity: usize,
    in_use: AtomicUsize,
    packets: AtomicUsize,
}

impl Pool {
    /// A pool of `capacity` bytes.
    pub fn new(capacity: usize) -> Pool {
        Pool {
            capacity,
            in_use: AtomicUsize::new(0),
            packets: AtomicUsize::new(0),
        }
    }

    /// Size of the pool.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes held by live packets.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::SeqCst)
    }

    /// Live packets.
    pub fn packets(&self) -> usize {
        self.packets.load(Ordering::SeqCst)
    }

    /// Takes `len` bytes from the pool for a new packet.
    fn take(&self, len: usize) -> Result<()> {
        self.in_use
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                (used + len <= self.capacity).then_some(used + len)
            })
            .map_err(|_| Errno::NoMem)?;
        self.packets.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn give(&self, len: usize) {
        self.in_use.fetch_sub(len, Ordering::SeqCst);
        self.packets.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A packet at a capture point: a chain of buffers.
#[derive(Clone, Debug, Default)]
pub struct FakeFrame {
    /// The buffers.
    pub chunks: Vec<Vec<u8>>,
    /// The stack's *captured* mark.
    pub captured: bool,
    /// The link-layer protocol type.
    pub ll_proto_type: u16,
    /// Whether the device received or is sending it.
    pub direction: Direction,
}

impl FakeFrame {
    /// A frame of `bytes` split into buffers of `chunk` bytes.
    pub fn new(bytes: &[u8], chunk: usize) -> FakeFrame {
        FakeFrame {
            chunks: bytes.chunks(chunk.max(1)).map(<[u8]>::to_vec).collect(),
            captured: false,
            ll_proto_type: 0,
            direction: Direction::Unknown,
        }
    }

    /// The same frame going the given way.
    pub fn going(mut self, direction: Direction) -> FakeFrame {
        self.direction = direction;
        self
    }

    /// All bytes in one buffer.
    pub fn bytes(&self) -> Vec<u8> {
        self.chunks.concat()
    }
}

impl Frame for FakeFrame {
    type Chain = usize;

    fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    fn first(&self) -> (&[u8], Option<usize>) {
        self.next(0)
    }

    fn next(&self, at: usize) -> (&[u8], Option<usize>) {
        let chunk = self.chunks.get(at).map_or(&[][..], Vec::as_slice);
        (chunk, (at + 1 < self.chunks.len()).then_some(at + 1))
    }

    fn is_captured(&self) -> bool {
        self.captured
    }

    fn ll_proto_type(&self) -> u16 {
        self.ll_proto_type
    }

    fn direction(&self) -> Direction {
        self.direction
    }
}

/// A packet allocated from the pool; returns its bytes when dropped (sent
/// packets too: the fake transmits at once).
#[derive(Debug)]
pub struct FakePacket {
    pool: Arc<Pool>,
    reserved: usize,
    bytes: Vec<u8>,
}

impl FakePacket {
    pub(crate) fn alloc(pool: &Arc<Pool>, len: usize) -> Result<FakePacket> {
        pool.take(len)?;
        Ok(FakePacket {
            pool: Arc::clone(pool),
            reserved: len,
            bytes: Vec::with_capacity(len),
        })
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn room(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.bytes.len();
        if start + len > self.reserved {
            return None;
        }
        // Stale bytes, as in a reused buffer: the caller must write them all.
        self.bytes.resize(start + len, 0xa5);
        self.bytes.get_mut(start..)
    }

    pub(crate) fn append(&mut self, bytes: &[u8]) -> Result<()> {
        if self.bytes.len() + bytes.len() > self.reserved {
            return Err(Errno::NoMem);
        }
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    pub(crate) fn into_sent(self, tunnel: Iface, version: IpVersion) -> Sent {
        Sent {
            tunnel,
            version,
            bytes: self.bytes.clone(),
        }
    }
}

impl Drop for FakePacket {
    fn drop(&mut self) {
        self.pool.give(self.reserved);
    }
}

/// A packet sent into a tunnel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The tunnel interface.
    pub tunnel: Iface,
    /// Inner IP version.
    pub version: IpVersion,
    /// The inner IP packet.
    pub bytes: Vec<u8>,
}
