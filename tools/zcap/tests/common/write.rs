//! Writing captures of the interface that carries the tunnel, as tcpdump
//! would record them, with pcap-file (an independent writer).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, TsResolution};

/// The time of the first recorded frame, in microseconds since 1970; the
/// next ones follow 1 ms apart.
pub const BASE_US: u64 = 1_764_147_600_000_000;

/// A microsecond pcap of Ethernet `frames`, into `out`.
pub fn write_pcap_to<W: Write>(out: W, frames: &[Vec<u8>]) {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        ts_resolution: TsResolution::MicroSecond,
        ..PcapHeader::default()
    };
    let mut writer = PcapWriter::with_header(out, header).expect("pcap header");
    for (index, frame) in frames.iter().enumerate() {
        let ts = Duration::from_micros(BASE_US + index as u64 * 1000);
        writer
            .write_packet(&PcapPacket::new(ts, frame.len() as u32, frame))
            .expect("pcap record");
    }
}

/// [`write_pcap_to`] a file.
pub fn write_pcap(path: &Path, frames: &[Vec<u8>]) {
    write_pcap_to(std::fs::File::create(path).expect("pcap file"), frames);
}

/// [`write_pcap_to`] memory.
pub fn pcap_bytes(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_pcap_to(&mut bytes, frames);
    bytes
}
