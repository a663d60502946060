//! A small pcapng writer (draft-ietf-opsawg-pcapng): section header,
//! interface description, enhanced packet and interface statistics blocks.
//!
//! Written here rather than taken from pcap-file 2.0, which always encodes
//! packet timestamps in nanoseconds whatever `if_tsresol` says
//! (host-receiver-peers.md section 4.4). We write `if_tsresol = 9` and
//! nanosecond timestamps, in the host's byte order as dumpcap requires of
//! pcapng read from a pipe.

use std::io::{self, Write};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const ISB: u32 = 5;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

const OPT_END: u16 = 0;
const OPT_COMMENT: u16 = 1;
const SHB_OS: u16 = 3;
const SHB_USERAPPL: u16 = 4;
const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;
const EPB_FLAGS: u16 = 2;
const EPB_DROPCOUNT: u16 = 4;
const ISB_STARTTIME: u16 = 2;
const ISB_ENDTIME: u16 = 3;
const ISB_IFRECV: u16 = 4;
const ISB_IFDROP: u16 = 5;
const ISB_OSDROP: u16 = 7;

/// Timestamp resolution 10^-9 s.
const TSRESOL_NS: u8 = 9;

/// What an interface description block says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceDesc {
    /// pcap link type.
    pub linktype: u32,
    /// Snap length; 0 means none.
    pub snaplen: u32,
    /// `if_name`.
    pub name: String,
    /// `if_description`.
    pub description: String,
    /// `opt_comment`, e.g. that the link type was guessed.
    pub comment: Option<String>,
    /// Whether the source tells which losses happened on the capturing
    /// device itself (a serial stream does); its statistics then carry
    /// `isb_ifdrop`.
    pub counts_if_drops: bool,
}

/// One packet to write.
#[derive(Clone, Copy, Debug)]
pub struct PacketRecord<'a> {
    /// Nanoseconds since 1970.
    pub ts_ns: u64,
    /// Captured bytes (already cut to the snap length).
    pub data: &'a [u8],
    /// Length of the frame before the snap length cut it.
    pub orig_len: u32,
    /// `epb_flags` (direction and reception type); 0 writes no option.
    pub flags: u32,
    /// Packets lost just before this one; 0 writes none.
    pub dropcount: u64,
    /// Of `dropcount`, those the capturing device dropped (`isb_ifdrop`);
    /// the rest were lost on the way to zcap (`isb_osdrop`).
    pub if_drops: u64,
    /// `opt_comment`.
    pub comment: Option<&'a str>,
}

/// Counters for an interface statistics block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterfaceStats {
    /// Time of the first packet (ns).
    pub start_ns: u64,
    /// Time of the last packet (ns).
    pub end_ns: u64,
    /// Packets received.
    pub received: u64,
    /// Packets lost between the capturing device and zcap (host socket
    /// drops, or records lost on a serial line).
    pub os_dropped: u64,
    /// Packets the capturing device dropped, when the source says.
    pub if_dropped: Option<u64>,
}

/// Builds one block body, then frames it with type and lengths.
struct BlockBuf {
    bytes: Vec<u8>,
}

impl BlockBuf {
    fn new(block_type: u32) -> BlockBuf {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&block_type.to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        BlockBuf { bytes }
    }

    fn u16(&mut self, value: u16) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_ne_bytes());
        self
    }

    fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_ne_bytes());
        self
    }

    fn i64(&mut self, value: i64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_ne_bytes());
        self
    }

    fn timestamp(&mut self, ts_ns: u64) -> &mut Self {
        let [high, low] = split_u64(ts_ns);
        self.u32(high).u32(low)
    }

    fn padded(&mut self, data: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(data);
        self.bytes.resize(self.bytes.len() + pad4(data.len()), 0);
        self
    }

    fn option(&mut self, code: u16, value: &[u8]) -> &mut Self {
        // Option values are at most 64 KiB; longer ones are cut.
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        self.u16(code).u16(len);
        self.padded(value.get(..usize::from(len)).unwrap_or(value))
    }

    fn option_u64(&mut self, code: u16, value: u64) -> &mut Self {
        self.option(code, &value.to_ne_bytes())
    }

    fn option_timestamp(&mut self, code: u16, ts_ns: u64) -> &mut Self {
        let [high, low] = split_u64(ts_ns);
        let mut value = [0u8; 8];
        value[..4].copy_from_slice(&high.to_ne_bytes());
        value[4..].copy_from_slice(&low.to_ne_bytes());
        self.option(code, &value)
    }

    fn end_options(&mut self) -> &mut Self {
        self.u16(OPT_END).u16(0)
    }

    fn finish(mut self) -> Vec<u8> {
        let total = u32::try_from(self.bytes.len() + 4).unwrap_or(u32::MAX);
        self.bytes[4..8].copy_from_slice(&total.to_ne_bytes());
        self.bytes.extend_from_slice(&total.to_ne_bytes());
        self.bytes
    }
}

fn split_u64(value: u64) -> [u32; 2] {
    let bytes = value.to_be_bytes();
    [
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
    ]
}

fn pad4(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// A pcapng section being written.
pub struct PcapngWriter<W: Write> {
    out: W,
    written: u64,
    interfaces: u32,
}

impl<W: Write> PcapngWriter<W> {
    /// Starts a section; `application` goes into `shb_userappl`.
    pub fn new(out: W, application: &str) -> io::Result<PcapngWriter<W>> {
        let mut writer = PcapngWriter {
            out,
            written: 0,
            interfaces: 0,
        };
        let mut block = BlockBuf::new(SHB);
        block
            .u32(BYTE_ORDER_MAGIC)
            .u16(1)
            .u16(0)
            .i64(-1)
            .option(SHB_OS, std::env::consts::OS.as_bytes())
            .option(SHB_USERAPPL, application.as_bytes())
            .end_options();
        writer.emit(block)?;
        Ok(writer)
    }

    fn emit(&mut self, block: BlockBuf) -> io::Result<()> {
        let bytes = block.finish();
        self.out.write_all(&bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Describes the next interface; returns its id.
    pub fn interface(&mut self, desc: &InterfaceDesc) -> io::Result<u32> {
        let linktype = u16::try_from(desc.linktype)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "link type over 65535"))?;
        let mut block = BlockBuf::new(IDB);
        block
            .u16(linktype)
            .u16(0)
            .u32(desc.snaplen)
            .option(IF_NAME, desc.name.as_bytes())
            .option(IF_DESCRIPTION, desc.description.as_bytes())
            .option(IF_TSRESOL, &[TSRESOL_NS]);
        if let Some(comment) = &desc.comment {
            block.option(OPT_COMMENT, comment.as_bytes());
        }
        block.end_options();
        self.emit(block)?;
        let id = self.interfaces;
        self.interfaces += 1;
        Ok(id)
    }

    /// Writes an enhanced packet block on interface `id`.
    pub fn packet(&mut self, id: u32, packet: &PacketRecord<'_>) -> io::Result<()> {
        let caplen = u32::try_from(packet.data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet over 4 GiB"))?;
        let mut block = BlockBuf::new(EPB);
        block
            .u32(id)
            .timestamp(packet.ts_ns)
            .u32(caplen)
            .u32(packet.orig_len)
            .padded(packet.data);
        let has_options = packet.flags != 0 || packet.dropcount != 0 || packet.comment.is_some();
        if packet.flags != 0 {
            block.option(EPB_FLAGS, &packet.flags.to_ne_bytes());
        }
        if packet.dropcount != 0 {
            block.option_u64(EPB_DROPCOUNT, packet.dropcount);
        }
        if let Some(comment) = packet.comment {
            block.option(OPT_COMMENT, comment.as_bytes());
        }
        if has_options {
            block.end_options();
        }
        self.emit(block)
    }

    /// Writes an interface statistics block for interface `id` at `now_ns`.
    pub fn statistics(&mut self, id: u32, now_ns: u64, stats: &InterfaceStats) -> io::Result<()> {
        let mut block = BlockBuf::new(ISB);
        block
            .u32(id)
            .timestamp(now_ns)
            .option_timestamp(ISB_STARTTIME, stats.start_ns)
            .option_timestamp(ISB_ENDTIME, stats.end_ns)
            .option_u64(ISB_IFRECV, stats.received);
        if let Some(if_dropped) = stats.if_dropped {
            block.option_u64(ISB_IFDROP, if_dropped);
        }
        block.option_u64(ISB_OSDROP, stats.os_dropped).end_options();
        self.emit(block)
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests;
