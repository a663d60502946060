//! Offline input: a pcap or pcapng file recorded on the interface that
//! carries the capture tunnel (e.g. `tcpdump -i zeth -w tunnel.pcap`).

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::Path;

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};

use crate::decap::{is_supported_linktype, network_layer};
use crate::error::{describe, Fatal};

/// Buffer for the reader; a block larger than this cannot be read.
const READ_BUFFER: usize = 1 << 20;

/// An IP packet read from the file.
pub struct RecordedPacket {
    /// Record time, nanoseconds since 1970.
    pub ts_ns: u64,
    /// The network-layer packet.
    pub ip: Vec<u8>,
}

#[derive(Clone, Copy)]
struct Interface {
    linktype: u32,
    /// Timestamp units per second.
    resolution: u64,
    offset_secs: i64,
}

/// A capture file being read.
pub struct OfflineReader {
    name: String,
    reader: Box<dyn PcapReaderIterator + Send>,
    /// Link type and timestamp unit of a classic pcap file.
    legacy: Option<Interface>,
    /// pcapng interfaces of the current section, by id.
    interfaces: HashMap<u32, Interface>,
    next_interface: u32,
    unsupported: Vec<u32>,
}

impl OfflineReader {
    /// Opens `path` (pcap or pcapng).
    pub fn open(path: &Path) -> Result<OfflineReader, Fatal> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|err| {
            Fatal::input(format!(
                "cannot read {name}: {}; pass -r with a pcap or pcapng file",
                describe(&err)
            ))
        })?;
        let reader = create_reader(READ_BUFFER, file).map_err(|err| {
            Fatal::input(format!(
                "cannot read {name}: {}; pass -r with a pcap or pcapng file",
                reader_error(&err)
            ))
        })?;
        Ok(OfflineReader {
            name,
            reader,
            legacy: None,
            interfaces: HashMap::new(),
            next_interface: 0,
            unsupported: Vec::new(),
        })
    }

    /// Link types met in the file that cannot carry the tunnel.
    pub fn unsupported_linktypes(&self) -> &[u32] {
        &self.unsupported
    }

    /// The next IP packet, or `None` at the end of the file. Records that
    /// carry no IP packet are skipped.
    pub fn next_packet(&mut self) -> Result<Option<RecordedPacket>, Fatal> {
        let mut stalled = 0;
        loop {
            let (consumed, packet) = match self.reader.next() {
                Ok((consumed, block)) => {
                    stalled = 0;
                    let packet = take_packet(
                        block,
                        &mut self.legacy,
                        &mut self.interfaces,
                        &mut self.next_interface,
                        &mut self.unsupported,
                    );
                    (consumed, packet)
                }
                Err(PcapError::Eof) => return Ok(None),
                Err(PcapError::Incomplete(_)) => {
                    stalled += 1;
                    if stalled > 2 {
                        // The file ends inside a record: keep what came before.
                        eprintln!("zcap: {} ends with a truncated record", self.name);
                        return Ok(None);
                    }
                    if let Err(err) = self.reader.refill() {
                        return Err(failed(&self.name, &err));
                    }
                    continue;
                }
                Err(err) => return Err(failed(&self.name, &err)),
            };
            self.reader.consume(consumed);
            if let Some(packet) = packet {
                return Ok(Some(packet));
            }
        }
    }
}

fn failed(name: &str, err: &PcapError<&[u8]>) -> Fatal {
    Fatal::runtime(format!(
        "cannot read {name}: {}; the file is damaged",
        reader_error(err)
    ))
}

fn reader_error<I: std::fmt::Debug>(err: &PcapError<I>) -> String {
    match err {
        PcapError::HeaderNotRecognized => "not a pcap or pcapng file".to_string(),
        PcapError::Eof => "the file is empty".to_string(),
        PcapError::ReadError => describe(&io::Error::other("read error")),
        other => format!("{other:?}"),
    }
}

fn take_packet(
    block: PcapBlockOwned<'_>,
    legacy: &mut Option<Interface>,
    interfaces: &mut HashMap<u32, Interface>,
    next_interface: &mut u32,
    unsupported: &mut Vec<u32>,
) -> Option<RecordedPacket> {
    let mut note_linktype = |linktype: u32| {
        if !is_supported_linktype(linktype) && !unsupported.contains(&linktype) {
            unsupported.push(linktype);
        }
    };
    match block {
        PcapBlockOwned::LegacyHeader(header) => {
            let linktype = u32::try_from(header.network.0).unwrap_or(u32::MAX);
            note_linktype(linktype);
            *legacy = Some(Interface {
                linktype,
                resolution: if header.is_nanosecond_precision() {
                    1_000_000_000
                } else {
                    1_000_000
                },
                offset_secs: 0,
            });
            None
        }
        PcapBlockOwned::Legacy(record) => {
            let interface = (*legacy)?;
            let ts_ns = u64::from(record.ts_sec) * 1_000_000_000
                + u64::from(record.ts_usec) * (1_000_000_000 / interface.resolution);
            let caplen = usize::try_from(record.caplen).unwrap_or(usize::MAX);
            let data = record.data.get(..caplen).unwrap_or(record.data);
            packet(interface, ts_ns, data)
        }
        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
            interfaces.clear();
            *next_interface = 0;
            None
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            let linktype = u32::try_from(idb.linktype.0).unwrap_or(u32::MAX);
            note_linktype(linktype);
            interfaces.insert(
                *next_interface,
                Interface {
                    linktype,
                    resolution: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                    offset_secs: idb.ts_offset(),
                },
            );
            *next_interface += 1;
            None
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let interface = *interfaces.get(&epb.if_id)?;
            let units = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let secs = (units / interface.resolution).saturating_add_signed(interface.offset_secs);
            let frac = units % interface.resolution;
            let nanos = u128::from(frac) * 1_000_000_000 / u128::from(interface.resolution);
            let ts_ns = secs
                .saturating_mul(1_000_000_000)
                .saturating_add(u64::try_from(nanos).unwrap_or(0));
            let caplen = usize::try_from(epb.caplen).unwrap_or(usize::MAX);
            let data = epb.data.get(..caplen).unwrap_or(epb.data);
            packet(interface, ts_ns, data)
        }
        _ => None,
    }
}

fn packet(interface: Interface, ts_ns: u64, frame: &[u8]) -> Option<RecordedPacket> {
    network_layer(interface.linktype, frame).map(|ip| RecordedPacket {
        ts_ns,
        ip: ip.to_vec(),
    })
}
