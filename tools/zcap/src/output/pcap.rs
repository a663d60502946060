//! Classic pcap (`-F pcap`), with nanosecond timestamps (magic
//! 0xA1B23C4D) in the host's byte order. A pcap file has one link type, so
//! frames of any other link type cannot be stored in it and are counted.

use std::io::{self, Write};

use super::pcapng::PacketRecord;
use super::DEFAULT_SNAPLEN;

const MAGIC_NS: u32 = 0xA1B2_3C4D;

/// Whether a packet went into the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Written.
    Yes,
    /// Not written: the file already has another link type.
    WrongLinktype {
        /// The file's link type.
        file: u32,
    },
}

/// A classic pcap file being written. The header is written with the
/// first packet, whose link type the file then has.
pub struct PcapWriter<W: Write> {
    out: W,
    snaplen: u32,
    linktype: Option<u32>,
    written: u64,
}

impl<W: Write> PcapWriter<W> {
    /// A writer; `snaplen` 0 means none.
    pub fn new(out: W, snaplen: u32) -> PcapWriter<W> {
        PcapWriter {
            out,
            snaplen: if snaplen == 0 {
                DEFAULT_SNAPLEN
            } else {
                snaplen
            },
            linktype: None,
            written: 0,
        }
    }

    fn header(&mut self, linktype: u32) -> io::Result<()> {
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&MAGIC_NS.to_ne_bytes());
        header.extend_from_slice(&2u16.to_ne_bytes());
        header.extend_from_slice(&4u16.to_ne_bytes());
        header.extend_from_slice(&0u32.to_ne_bytes());
        header.extend_from_slice(&0u32.to_ne_bytes());
        header.extend_from_slice(&self.snaplen.to_ne_bytes());
        header.extend_from_slice(&linktype.to_ne_bytes());
        self.out.write_all(&header)?;
        self.written += header.len() as u64;
        self.linktype = Some(linktype);
        Ok(())
    }

    /// Writes a packet of `linktype`.
    pub fn packet(&mut self, linktype: u32, packet: &PacketRecord<'_>) -> io::Result<Stored> {
        match self.linktype {
            None => self.header(linktype)?,
            Some(file) if file != linktype => return Ok(Stored::WrongLinktype { file }),
            Some(_) => {}
        }
        let caplen = u32::try_from(packet.data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet over 4 GiB"))?;
        let secs = u32::try_from(packet.ts_ns / 1_000_000_000).unwrap_or(u32::MAX);
        let nanos = u32::try_from(packet.ts_ns % 1_000_000_000).unwrap_or(0);
        let mut record = Vec::with_capacity(16 + packet.data.len());
        for field in [secs, nanos, caplen, packet.orig_len] {
            record.extend_from_slice(&field.to_ne_bytes());
        }
        record.extend_from_slice(packet.data);
        self.out.write_all(&record)?;
        self.written += record.len() as u64;
        Ok(Stored::Yes)
    }

    /// Writes the header of an empty file, so it is a valid capture.
    pub fn finish(&mut self, linktype: u32) -> io::Result<()> {
        if self.linktype.is_none() {
            self.header(linktype)?;
        }
        self.out.flush()
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
mod tests {
    use super::*;
    use pcap_parser::traits::PcapReaderIterator;
    use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError};

    fn record(ts_ns: u64, data: &[u8]) -> PacketRecord<'_> {
        PacketRecord {
            ts_ns,
            data,
            orig_len: data.len() as u32,
            flags: 0,
            dropcount: 0,
            if_drops: 0,
            comment: None,
        }
    }

    #[test]
    fn file_reads_back_with_an_independent_parser() {
        let mut out = Vec::new();
        let mut writer = PcapWriter::new(&mut out, 0);
        let ts = 1_700_000_000_000_000_123;
        assert_eq!(
            writer.packet(113, &record(ts, &[1, 2, 3])).unwrap(),
            Stored::Yes
        );
        assert_eq!(
            writer.packet(1, &record(ts, &[4])).unwrap(),
            Stored::WrongLinktype { file: 113 }
        );
        writer.finish(1).unwrap();
        let mut reader = LegacyPcapReader::new(65536, &out[..]).unwrap();
        let mut seen = Vec::new();
        loop {
            match reader.next() {
                Ok((offset, block)) => {
                    match block {
                        PcapBlockOwned::LegacyHeader(header) => {
                            assert!(header.is_nanosecond_precision());
                            assert_eq!(header.network.0, 113);
                            assert_eq!(header.snaplen, DEFAULT_SNAPLEN);
                        }
                        PcapBlockOwned::Legacy(packet) => {
                            seen.push((packet.ts_sec, packet.ts_usec, packet.data.to_vec()))
                        }
                        PcapBlockOwned::NG(_) => panic!("pcapng block in a pcap file"),
                    }
                    reader.consume(offset);
                }
                Err(PcapError::Eof) => break,
                Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
                Err(err) => panic!("{err:?}"),
            }
        }
        assert_eq!(seen, vec![(1_700_000_000, 123, vec![1, 2, 3])]);
    }
}
