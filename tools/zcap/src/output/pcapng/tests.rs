//! The writer checked against pcap-parser, an independent reader.

use super::*;
use pcap_parser::pcapng::{Block, PcapNGOption};
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{OptionCode, PcapBlockOwned, PcapError, PcapNGReader};

fn desc(linktype: u32) -> InterfaceDesc {
    InterfaceDesc {
        linktype,
        snaplen: 0,
        name: "zephyr-2001:db8:200::1-eth".to_string(),
        description: "Zephyr capture".to_string(),
        comment: Some("link type guessed".to_string()),
        counts_if_drops: false,
    }
}

fn blocks(bytes: &[u8]) -> Vec<String> {
    let mut reader = PcapNGReader::new(65536, bytes).unwrap();
    let mut seen = Vec::new();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                if let PcapBlockOwned::NG(block) = block {
                    seen.push(describe(&block));
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(err) => panic!("parse error {err:?}"),
        }
    }
    seen
}

fn option<'a>(options: &'a [PcapNGOption<'a>], code: OptionCode) -> Option<&'a [u8]> {
    options
        .iter()
        .find(|opt| opt.code == code)
        .map(|opt| &opt.value[..usize::from(opt.len)])
}

fn describe(block: &Block<'_>) -> String {
    match block {
        Block::SectionHeader(shb) => format!("SHB {}.{}", shb.major_version, shb.minor_version),
        Block::InterfaceDescription(idb) => format!(
            "IDB lt={} res={:?} name={} comment={}",
            idb.linktype.0,
            idb.ts_resolution(),
            idb.if_name().unwrap().unwrap(),
            String::from_utf8_lossy(option(&idb.options, OptionCode::Comment).unwrap()),
        ),
        Block::EnhancedPacket(epb) => format!(
            "EPB if={} ts={} cap={} orig={} data={:?} flags={:?} drops={:?}",
            epb.if_id,
            (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low),
            epb.caplen,
            epb.origlen,
            &epb.data[..epb.caplen as usize],
            option(&epb.options, OptionCode(2)),
            option(&epb.options, OptionCode(4)),
        ),
        Block::InterfaceStatistics(isb) => format!(
            "ISB if={} recv={:?} ifdrop={:?} osdrop={:?}",
            isb.if_id,
            option(&isb.options, OptionCode::IsbIfRecv)
                .map(|v| u64::from_ne_bytes(v.try_into().unwrap())),
            option(&isb.options, OptionCode::IsbIfDrop)
                .map(|v| u64::from_ne_bytes(v.try_into().unwrap())),
            option(&isb.options, OptionCode::IsbOsDrop)
                .map(|v| u64::from_ne_bytes(v.try_into().unwrap())),
        ),
        other => format!("other {:08x}", other.magic()),
    }
}

#[test]
fn section_reads_back_with_an_independent_parser() {
    let mut out = Vec::new();
    let mut writer = PcapngWriter::new(&mut out, "zcap test").unwrap();
    assert_eq!(writer.interface(&desc(276)).unwrap(), 0);
    assert_eq!(writer.interface(&desc(1)).unwrap(), 1);
    let ts = 1_700_000_000_123_456_789;
    writer
        .packet(
            0,
            &PacketRecord {
                ts_ns: ts,
                data: &[1, 2, 3, 4, 5],
                orig_len: 9,
                flags: 0b10,
                dropcount: 3,
                if_drops: 0,
                comment: None,
            },
        )
        .unwrap();
    writer
        .packet(
            1,
            &PacketRecord {
                ts_ns: ts + 1,
                data: &[6; 4],
                orig_len: 4,
                flags: 0,
                dropcount: 0,
                if_drops: 0,
                comment: None,
            },
        )
        .unwrap();
    let stats = InterfaceStats {
        start_ns: ts,
        end_ns: ts,
        received: 1,
        os_dropped: 3,
        if_dropped: None,
    };
    writer.statistics(0, ts + 2, &stats).unwrap();
    let written = writer.bytes_written();
    assert_eq!(written as usize, out.len());
    let seen = blocks(&out);
    let flags = 2u32.to_ne_bytes();
    let drops = 3u64.to_ne_bytes();
    assert_eq!(
        seen,
        vec![
            "SHB 1.0".to_string(),
            "IDB lt=276 res=Some(1000000000) name=zephyr-2001:db8:200::1-eth comment=link type guessed".to_string(),
            "IDB lt=1 res=Some(1000000000) name=zephyr-2001:db8:200::1-eth comment=link type guessed".to_string(),
            format!("EPB if=0 ts={ts} cap=5 orig=9 data=[1, 2, 3, 4, 5] flags={:?} drops={:?}", Some(&flags[..]), Some(&drops[..])),
            format!("EPB if=1 ts={} cap=4 orig=4 data=[6, 6, 6, 6] flags=None drops=None", ts + 1),
            "ISB if=0 recv=Some(1) ifdrop=None osdrop=Some(3)".to_string(),
        ]
    );
}

#[test]
fn blocks_are_padded_to_four_bytes() {
    let mut out = Vec::new();
    let mut writer = PcapngWriter::new(&mut out, "z").unwrap();
    writer.interface(&desc(1)).unwrap();
    let before = writer.bytes_written();
    writer
        .packet(
            0,
            &PacketRecord {
                ts_ns: 0,
                data: &[0xab],
                orig_len: 1,
                flags: 0,
                dropcount: 0,
                if_drops: 0,
                comment: Some("x"),
            },
        )
        .unwrap();
    let epb_len = writer.bytes_written() - before;
    // 28 fixed + 4 data + (4+4 comment) + 4 end of options + 4 trailing length.
    assert_eq!(epb_len, 48);
    assert_eq!(out.len() % 4, 0);
}

#[test]
fn device_drops_go_to_isb_ifdrop_when_the_source_counts_them() {
    let mut out = Vec::new();
    let mut writer = PcapngWriter::new(&mut out, "z").unwrap();
    writer.interface(&desc(1)).unwrap();
    let stats = InterfaceStats {
        start_ns: 1,
        end_ns: 2,
        received: 5,
        os_dropped: 1,
        if_dropped: Some(4),
    };
    writer.statistics(0, 3, &stats).unwrap();
    let seen = blocks(&out);
    assert_eq!(
        seen[2],
        "ISB if=0 recv=Some(5) ifdrop=Some(4) osdrop=Some(1)"
    );
}
