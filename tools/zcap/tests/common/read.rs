//! Reading what zcap wrote: pcap-parser (an independent reader) and tshark.

use std::path::Path;
use std::process::{Command, Stdio};

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{OptionCode, PcapBlockOwned, PcapError};

/// An interface description as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idb {
    pub linktype: i32,
    pub name: String,
    pub ts_resolution: Option<u64>,
    pub snaplen: u32,
}

/// An enhanced packet as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Epb {
    pub interface: u32,
    pub ts_units: u64,
    pub orig_len: u32,
    pub data: Vec<u8>,
    pub flags: Option<u32>,
    pub dropcount: Option<u64>,
    pub comment: Option<String>,
}

/// An interface statistics block as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Isb {
    pub interface: u32,
    pub received: Option<u64>,
    pub if_dropped: Option<u64>,
    pub os_dropped: Option<u64>,
}

/// A pcapng file as read back with pcap-parser.
#[derive(Clone, Debug, Default)]
pub struct Pcapng {
    pub sections: usize,
    pub interfaces: Vec<Idb>,
    pub packets: Vec<Epb>,
    pub statistics: Vec<Isb>,
}

fn option_bytes(options: &[pcap_parser::PcapNGOption<'_>], code: u16) -> Option<Vec<u8>> {
    options
        .iter()
        .find(|option| option.code == OptionCode(code))
        .map(|option| option.value[..usize::from(option.len)].to_vec())
}

fn ne_u64(bytes: Option<Vec<u8>>) -> Option<u64> {
    bytes.map(|bytes| u64::from_ne_bytes(bytes.try_into().expect("8-byte option")))
}

/// Parses a pcapng file.
pub fn read_pcapng(bytes: &[u8]) -> Pcapng {
    let mut reader =
        pcap_parser::PcapNGReader::new(1 << 20, bytes).expect("a pcapng section header");
    let mut file = Pcapng::default();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => file.sections += 1,
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        file.interfaces.push(Idb {
                            linktype: idb.linktype.0,
                            name: idb.if_name().expect("if_name").expect("utf-8").to_string(),
                            ts_resolution: idb.ts_resolution(),
                            snaplen: idb.snaplen,
                        })
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => file.packets.push(Epb {
                        interface: epb.if_id,
                        ts_units: (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low),
                        orig_len: epb.origlen,
                        data: epb.data[..epb.caplen as usize].to_vec(),
                        flags: option_bytes(&epb.options, 2)
                            .map(|v| u32::from_ne_bytes(v.try_into().expect("4-byte flags"))),
                        dropcount: ne_u64(option_bytes(&epb.options, 4)),
                        comment: option_bytes(&epb.options, 1)
                            .map(|v| String::from_utf8(v).expect("utf-8 comment")),
                    }),
                    PcapBlockOwned::NG(Block::InterfaceStatistics(isb)) => {
                        file.statistics.push(Isb {
                            interface: isb.if_id,
                            received: ne_u64(option_bytes(&isb.options, 4)),
                            if_dropped: ne_u64(option_bytes(&isb.options, 5)),
                            os_dropped: ne_u64(option_bytes(&isb.options, 7)),
                        })
                    }
                    _ => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().expect("refill"),
            Err(err) => panic!("pcapng parse error: {err:?}"),
        }
    }
    file
}

/// Parses a pcapng file on disk.
pub fn read_pcapng_file(path: &Path) -> Pcapng {
    read_pcapng(&std::fs::read(path).expect("output file exists"))
}

/// Whether tshark can be run.
pub fn has_tshark() -> bool {
    Command::new("tshark")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}

/// tshark, which the tests require (`.ci/run` installs Debian's tshark).
pub fn tshark() -> Command {
    assert!(
        has_tshark(),
        "these tests need tshark to check zcap's files; install it (apt-get install tshark)"
    );
    let mut command = Command::new("tshark");
    // Keep tshark away from the user's profile, so every host decodes alike.
    command.env("WIRESHARK_CONFIG_DIR", std::env::temp_dir());
    command
}

/// `tshark -r file -T fields -e ...`, one Vec of fields per packet.
pub fn tshark_fields(path: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut command = tshark();
    command
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-E", "separator=|"]);
    for field in fields {
        command.args(["-e", field]);
    }
    let output = command.output().expect("tshark runs");
    assert!(
        output.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| line.split('|').map(str::to_string).collect())
        .collect()
}
