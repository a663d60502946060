//! From the blocks of a pcap or pcapng capture to IP packets with their
//! record times: interfaces and their timestamp units, sections, and the
//! link header before the network layer.

use std::collections::HashMap;

use pcap_parser::pcapng::Block;
use pcap_parser::{OptionCode, PcapBlockOwned};

use super::{FileFacts, RecordedPacket};
use crate::decap::{is_supported_linktype, network_layer};

/// `shb_userappl`: the application that wrote a pcapng section.
const SHB_USERAPPL: u16 = 4;

#[derive(Clone, Copy)]
struct Interface {
    linktype: u32,
    /// Timestamp units per second.
    resolution: u64,
    offset_secs: i64,
}

/// The state of a capture's blocks read so far.
#[derive(Default)]
pub struct Blocks {
    /// Link type and timestamp unit of a classic pcap file.
    legacy: Option<Interface>,
    /// pcapng interfaces of the current section, by id.
    interfaces: HashMap<u32, Interface>,
    next_interface: u32,
}

impl Blocks {
    /// The IP packet `block` holds, if it holds one; updates `facts`.
    pub fn packet(
        &mut self,
        block: PcapBlockOwned<'_>,
        facts: &mut FileFacts,
    ) -> Option<RecordedPacket> {
        let mut note_linktype = |linktype: u32| {
            if !is_supported_linktype(linktype) && !facts.unsupported.contains(&linktype) {
                facts.unsupported.push(linktype);
            }
        };
        match block {
            PcapBlockOwned::LegacyHeader(header) => {
                let linktype = u32::try_from(header.network.0).unwrap_or(u32::MAX);
                note_linktype(linktype);
                self.legacy = Some(Interface {
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
                facts.records += 1;
                let interface = self.legacy?;
                let ts_ns = u64::from(record.ts_sec) * 1_000_000_000
                    + u64::from(record.ts_usec) * (1_000_000_000 / interface.resolution);
                let caplen = usize::try_from(record.caplen).unwrap_or(usize::MAX);
                let data = record.data.get(..caplen).unwrap_or(record.data);
                packet(interface, ts_ns, data)
            }
            PcapBlockOwned::NG(Block::SectionHeader(shb)) => {
                let by_zcap = shb.options.iter().any(|option| {
                    option.code == OptionCode(SHB_USERAPPL) && option.value.starts_with(b"zcap ")
                });
                facts.written_by_zcap |= by_zcap;
                self.interfaces.clear();
                self.next_interface = 0;
                None
            }
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                let linktype = u32::try_from(idb.linktype.0).unwrap_or(u32::MAX);
                note_linktype(linktype);
                self.interfaces.insert(
                    self.next_interface,
                    Interface {
                        linktype,
                        resolution: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                        offset_secs: idb.ts_offset(),
                    },
                );
                self.next_interface += 1;
                None
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                facts.records += 1;
                let interface = *self.interfaces.get(&epb.if_id)?;
                let units = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                let secs =
                    (units / interface.resolution).saturating_add_signed(interface.offset_secs);
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
}

fn packet(interface: Interface, ts_ns: u64, frame: &[u8]) -> Option<RecordedPacket> {
    network_layer(interface.linktype, frame).map(|ip| RecordedPacket {
        ts_ns,
        ip: ip.to_vec(),
    })
}
