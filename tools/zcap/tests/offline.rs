//! Offline decapsulation of captures recorded on the interface that carries
//! the tunnel. The captures are built here, from the device library's own
//! tunnel encoder, for all four tunnel combinations.

mod common;

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use common::*;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use zephyr_net_capture::wire::sll::{packet_type, Version};

/// The tunnels of net-tools' zeth-tunnel.conf, device side.
const TUNNELS: [(bool, &str, &str); 4] = [
    (false, "198.51.100.1", "198.51.100.2"), // zeth-ipip: v4 in v4
    (true, "203.0.113.1", "203.0.113.2"),    // zeth-ipip6: v4 in v6
    (false, "2001:db8:200::1", "2001:db8:200::2"), // zeth-ip6ip: v6 in v4
    (true, "2001:db8:100::1", "2001:db8:100::2"), // zeth-ip6ip6: v6 in v6
];

#[test]
fn all_four_tunnel_combinations_decapsulate_from_a_recorded_pcap() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("zeth.pcap");
    let output = dir.path().join("frames.pcapng");
    let mut recorded = Vec::new();
    let mut expected = Vec::new();
    // Noise on the TAP that is not capture traffic.
    recorded.push(on_tap(&ipv4_udp(b"dns?")));
    for (index, (outer_v6, device, peer)) in TUNNELS.iter().enumerate() {
        let small = ethernet_ping(index as u16, 16);
        // A full-size frame the device must fragment (inner MTU 1280).
        let large = ethernet_ping(100 + index as u16, 1400);
        for (frame, ident) in [(&small, 0), (&large, 7 + index as u32)] {
            let mut pieces = inner_packets(device, peer, 4242, frame, 1280, ident);
            if index == 3 {
                pieces.reverse();
            }
            let last = recorded.len() + pieces.len() - 1;
            for piece in pieces {
                recorded.push(on_tap(&outer_packet(*outer_v6, &piece)));
            }
            expected.push((
                device.to_string(),
                frame.clone(),
                BASE_US + last as u64 * 1000,
            ));
        }
    }
    write_pcap(&input, &recorded);

    let run = run(&[
        "-q",
        "-r",
        input.to_str().unwrap(),
        "-w",
        output.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 packets ignored")
            && stderr.contains("4 reassembled from fragments, 0 reassembly failures"),
        "{stderr}"
    );

    let file = read_pcapng_file(&output);
    let got: Vec<(String, Vec<u8>, u64)> = file
        .packets
        .iter()
        .map(|epb| {
            let name = &file.interfaces[epb.interface as usize].name;
            let device = name
                .strip_prefix("zephyr-")
                .and_then(|rest| rest.strip_suffix("-eth"))
                .unwrap()
                .to_string();
            (device, epb.data.clone(), epb.ts_units / 1000)
        })
        .collect();
    assert_eq!(got, expected, "frames, devices and recorded times survive");

    let decoded = tshark_fields(
        &output,
        &[
            "frame.interface_name",
            "icmpv6.echo.sequence_number",
            "frame.len",
        ],
    );
    assert_eq!(decoded.len(), 8);
    assert_eq!(decoded[7], ["zephyr-2001:db8:100::1-eth", "103", "1462"]);
}

fn write_pcapng(path: &Path, frames: &[(u64, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = PcapNgWriter::new(file).unwrap();
    writer
        .write_pcapng_block(InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 0,
            // pcap-file 2 writes nanoseconds whatever the IDB says, so say so.
            options: vec![InterfaceDescriptionOption::IfTsResol(9)],
        })
        .unwrap();
    for (ts_ns, frame) in frames {
        writer
            .write_pcapng_block(EnhancedPacketBlock {
                interface_id: 0,
                timestamp: Duration::from_nanos(*ts_ns),
                original_len: frame.len() as u32,
                data: Cow::Borrowed(frame),
                options: vec![],
            })
            .unwrap();
    }
}

#[test]
fn pcapng_input_keeps_nanoseconds_and_applies_port_and_link_rules() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("zeth.pcapng");
    let device = "2001:db8:200::1";
    let peer = "2001:db8:200::2";
    let cooked = cooked_ping(Version::V2, packet_type::OUTGOING, 1);
    let eth = ethernet_ping(2, 8);
    let t0 = 1_764_147_600_123_456_789u64;
    let packets = vec![
        (
            t0,
            on_tap(&outer_packet(
                false,
                &inner_packets(device, peer, 4243, &cooked, 1280, 0)[0],
            )),
        ),
        (
            t0 + 1,
            on_tap(&outer_packet(
                false,
                &inner_packets(device, peer, 4242, &eth, 1280, 0)[0],
            )),
        ),
    ];
    write_pcapng(&input, &packets);

    let only_4242 = dir.path().join("4242.pcapng");
    let run1 = run(&[
        "-q",
        "-r",
        input.to_str().unwrap(),
        "-w",
        only_4242.to_str().unwrap(),
    ]);
    assert!(run1.status.success());
    let file = read_pcapng_file(&only_4242);
    assert_eq!(file.packets.len(), 1);
    assert_eq!(file.packets[0].data, eth);
    assert_eq!(file.packets[0].ts_units, t0 + 1);

    let both = dir.path().join("both.pcapng");
    let run2 = run(&[
        "-q",
        "-r",
        input.to_str().unwrap(),
        "--port",
        "4242",
        "--port",
        "4243",
        "--link",
        "4243=sll2",
        "-w",
        both.to_str().unwrap(),
    ]);
    assert!(run2.status.success());
    let decoded = tshark_fields(
        &both,
        &[
            "frame.interface_name",
            "frame.time_epoch",
            "frame.protocols",
        ],
    );
    assert_eq!(
        decoded,
        [
            [
                "zephyr-2001:db8:200::1-sll2",
                "1764147600.123456789",
                "sll:ethertype:ipv6:icmpv6:data"
            ],
            [
                "zephyr-2001:db8:200::1-eth",
                "1764147600.123456790",
                "eth:ethertype:ipv6:icmpv6:data"
            ],
        ]
    );
}

#[test]
fn damaged_and_incomplete_tunnel_packets_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("damaged.pcap");
    let output = dir.path().join("out.pcapng");
    let device = "198.51.100.1";
    let peer = "198.51.100.2";
    let good = inner_packets(device, peer, 4242, &ethernet_ping(1, 8), 1280, 0).remove(0);
    let mut bad_checksum = good.clone();
    *bad_checksum.last_mut().unwrap() ^= 0x55;
    let truncated = good[..good.len() - 4].to_vec();
    let mut pieces = inner_packets(device, peer, 4242, &ethernet_ping(2, 1400), 1280, 9);
    pieces.pop(); // the last fragment never arrives
    let mut recorded = vec![
        on_tap(&outer_packet(false, &bad_checksum)),
        on_tap(&outer_packet(true, &truncated)),
        on_tap(&outer_packet(false, &good)),
    ];
    recorded.extend(
        pieces
            .iter()
            .map(|piece| on_tap(&outer_packet(false, piece))),
    );
    // A record cut short by the capture's snap length.
    let mut cut = on_tap(&outer_packet(false, &good));
    cut.truncate(30);
    recorded.push(cut);
    write_pcap(&input, &recorded);

    let run = run(&[
        "-q",
        "-r",
        input.to_str().unwrap(),
        "-w",
        output.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(read_pcapng_file(&output).packets.len(), 1);
    let row: Vec<&str> = stderr
        .lines()
        .find(|line| line.starts_with("198.51.100.1 "))
        .expect("a row for the device")
        .split_whitespace()
        .collect();
    assert_eq!(
        (row[2], row[4]),
        ("1", "2"),
        "1 packet, 2 malformed: {stderr}"
    );
    assert!(
        stderr.contains("1 reassembly failures (1 timed out"),
        "{stderr}"
    );
    assert!(stderr.contains("inner UDP checksum is wrong"), "{stderr}");
}
