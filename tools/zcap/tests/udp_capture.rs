//! zcap listening on UDP over loopback: crafted capture datagrams in,
//! pcapng (or pcap) out, checked with pcap-parser and tshark.

mod common;

use common::*;
use zephyr_net_capture::wire::sll::{packet_type, Version};

#[test]
fn ethernet_frames_from_ipv4_and_ipv6_senders_become_pcapng() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eth.pcapng");
    let zcap = start(&["-q", "-w", path.to_str().unwrap()]);
    let v6_frames: Vec<Vec<u8>> = (1..=3).map(|seq| ethernet_ping(seq, 32)).collect();
    let v4_frames: Vec<Vec<u8>> = (10..=11).map(|seq| ethernet_ping(seq, 1400)).collect();
    zcap.send("::1", &v6_frames);
    zcap.send("127.0.0.1", &v4_frames);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let done = zcap.interrupt();
    assert!(done.status.success(), "{}", done.stderr);

    let file = read_pcapng_file(&path);
    assert_eq!(file.sections, 1);
    let names: Vec<&str> = file
        .interfaces
        .iter()
        .map(|idb| idb.name.as_str())
        .collect();
    assert_eq!(names, ["zephyr-::1-eth", "zephyr-127.0.0.1-eth"]);
    assert!(file.interfaces.iter().all(|idb| idb.linktype == 1));
    assert!(file
        .interfaces
        .iter()
        .all(|idb| idb.ts_resolution == Some(1_000_000_000)));
    let on = |id: u32| -> Vec<Vec<u8>> {
        file.packets
            .iter()
            .filter(|epb| epb.interface == id)
            .map(|epb| epb.data.clone())
            .collect()
    };
    assert_eq!(on(0), v6_frames);
    assert_eq!(on(1), v4_frames);
    let stamps: Vec<u64> = file.packets.iter().map(|epb| epb.ts_units).collect();
    assert!(
        stamps.windows(2).all(|pair| pair[0] <= pair[1]),
        "{stamps:?}"
    );
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    assert!(
        stamps.iter().all(|ts| now_ns - ts < 600_000_000_000),
        "nanosecond wall-clock stamps"
    );
    assert!(
        file.packets.iter().all(|epb| epb.flags.is_none()),
        "Ethernet has no direction"
    );
    let received: Vec<(u32, Option<u64>)> = file
        .statistics
        .iter()
        .map(|isb| (isb.interface, isb.received))
        .collect();
    assert_eq!(received, [(0, Some(3)), (1, Some(2))]);

    let decoded = tshark_fields(
        &path,
        &[
            "frame.interface_name",
            "frame.protocols",
            "icmpv6.echo.sequence_number",
        ],
    );
    let expected: Vec<Vec<String>> = [
        ("::1", 1),
        ("::1", 2),
        ("::1", 3),
        ("127.0.0.1", 10),
        ("127.0.0.1", 11),
    ]
    .iter()
    .map(|(dev, seq)| {
        vec![
            format!("zephyr-{dev}-eth"),
            "eth:ethertype:ipv6:icmpv6:data".to_string(),
            seq.to_string(),
        ]
    })
    .collect();
    assert_eq!(decoded, expected);
    let table = done.stderr;
    assert!(table.contains("127.0.0.1"), "{table}");
    let row: Vec<&str> = table
        .lines()
        .find(|line| line.starts_with("::1 "))
        .expect("a row for ::1")
        .split_whitespace()
        .collect();
    assert_eq!(
        row[..4],
        ["::1", "eth", "3", &(3 * v6_frames[0].len()).to_string()]
    );
}

#[test]
fn cooked_frames_keep_their_sll_fields_and_direction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cooked.pcapng");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:4",
        "--link",
        "127.0.0.1=sll",
        "--link",
        "[::1]=sll2",
        "-w",
        path.to_str().unwrap(),
    ]);
    let sll1 = vec![
        cooked_ping(Version::V1, packet_type::OUTGOING, 1),
        cooked_ping(Version::V1, packet_type::HOST, 2),
    ];
    let sll2 = vec![
        cooked_ping(Version::V2, packet_type::OUTGOING, 3),
        cooked_ping(Version::V2, packet_type::BROADCAST, 4),
    ];
    zcap.send("127.0.0.1", &sll1);
    zcap.send("::1", &sll2);
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);

    let file = read_pcapng_file(&path);
    let mut linktypes: Vec<i32> = file.interfaces.iter().map(|idb| idb.linktype).collect();
    linktypes.sort_unstable();
    assert_eq!(linktypes, [113, 276]);
    let mut flags: Vec<(i32, Option<u32>)> = file
        .packets
        .iter()
        .map(|epb| (file.interfaces[epb.interface as usize].linktype, epb.flags))
        .collect();
    flags.sort_unstable();
    // outbound = 0b10; inbound unicast = 0b101; inbound broadcast = 0b1101.
    assert_eq!(
        flags,
        [
            (113, Some(0b10)),
            (113, Some(0b101)),
            (276, Some(0b10)),
            (276, Some(0b1101))
        ]
    );

    let mut decoded = tshark_fields(
        &path,
        &[
            "frame.interface_name",
            "sll.pkttype",
            "sll.hatype",
            "sll.halen",
            "sll.src.eth",
            "sll.etype",
            "sll.ifindex",
            "frame.p2p_dir",
            "icmpv6.echo.sequence_number",
        ],
    );
    decoded.sort();
    let row = |name: &str, pkttype: &str, ifindex: &str, dir: &str, seq: &str| -> Vec<String> {
        [
            name,
            pkttype,
            "1",
            "6",
            "00:00:5e:00:53:01",
            "0x86dd",
            ifindex,
            dir,
            seq,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    assert_eq!(
        decoded,
        [
            row("zephyr-127.0.0.1-sll", "0", "", "1", "2"),
            row("zephyr-127.0.0.1-sll", "4", "", "0", "1"),
            row("zephyr-::1-sll2", "1", "2", "1", "4"),
            row("zephyr-::1-sll2", "4", "2", "0", "3"),
        ]
    );
}

#[test]
fn tunnel_metadata_records_are_recognised_as_sll2_with_direction_and_interface() {
    // CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA: the host pings the device,
    // which captures the request it received and the reply it sent on its
    // Ethernet interface 1, and an ARP broadcast.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metadata.pcapng");
    let zcap = start(&["-q", "-a", "packets:3", "-w", path.to_str().unwrap()]);
    let host = (HOST_MAC, "2001:db8::2");
    let device = (DEVICE_MAC, "2001:db8::1");
    let mut arp = ethernet_echo(host, device, false, 9);
    arp[..6].copy_from_slice(&[0xff; 6]);
    arp[12..14].copy_from_slice(&[0x08, 0x06]);
    zcap.send(
        "::1",
        &[
            metadata_record(&ethernet_echo(host, device, false, 7), 1, false),
            metadata_record(&ethernet_echo(device, host, true, 7), 1, true),
            metadata_record(&arp, 1, false),
        ],
    );
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    assert!(
        done.stderr.contains("guessed link type sll2 for ::1"),
        "{}",
        done.stderr
    );

    let file = read_pcapng_file(&path);
    let linktypes: Vec<i32> = file.interfaces.iter().map(|idb| idb.linktype).collect();
    assert_eq!(linktypes, [276], "one SLL2 interface for the device");
    let flags: Vec<Option<u32>> = file.packets.iter().map(|epb| epb.flags).collect();
    // inbound unicast, outbound, inbound broadcast.
    assert_eq!(flags, [Some(0b101), Some(0b10), Some(0b1101)]);

    let decoded = tshark_fields(
        &path,
        &[
            "sll.pkttype",
            "sll.ifindex",
            "sll.hatype",
            "sll.src.eth",
            "sll.etype",
            "frame.p2p_dir",
            "icmpv6.type",
        ],
    );
    let row = |fields: [&str; 7]| fields.map(str::to_string).to_vec();
    assert_eq!(
        decoded,
        [
            row(["0", "1", "1", "00:00:5e:00:53:ff", "0x86dd", "1", "128"]),
            row(["4", "1", "1", "00:00:5e:00:53:01", "0x86dd", "0", "129"]),
            row(["1", "1", "1", "00:00:5e:00:53:ff", "0x0806", "1", ""]),
        ]
    );
}

#[test]
fn link_types_are_recognised_by_default_and_zcap_says_it_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auto.pcapng");
    let zcap = start(&["-a", "packets:4", "-P", "-w", path.to_str().unwrap()]);
    zcap.send(
        "::1",
        &[
            cooked_ping(Version::V2, packet_type::OUTGOING, 1),
            cooked_ping(Version::V1, packet_type::HOST, 2),
            ethernet_ping(3, 8),
            ipv4_udp(b"hello"),
        ],
    );
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    let file = read_pcapng_file(&path);
    let linktypes: Vec<i32> = file.interfaces.iter().map(|idb| idb.linktype).collect();
    assert_eq!(linktypes, [276, 113, 1, 101]);
    for link in ["sll2", "sll", "eth", "raw"] {
        assert!(
            done.stderr
                .contains(&format!("guessed link type {link} for ::1")),
            "no guess reported for {link}: {}",
            done.stderr
        );
    }
    // The per-packet summary went to stdout, one line per frame.
    let lines = String::from_utf8(done.stdout).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains("sll2 out")
            && lines[0].contains("ICMPv6 Echo (ping) request id=0x0042, seq=1"),
        "{}",
        lines[0]
    );
    assert!(
        lines[3].contains("raw") && lines[3].contains("UDP 5000 → 53 len=5"),
        "{}",
        lines[3]
    );
    let decoded = tshark_fields(&path, &["frame.protocols"]);
    let protocols: Vec<&str> = decoded.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        protocols,
        [
            "sll:ethertype:ipv6:icmpv6:data",
            "sll:ethertype:ipv6:icmpv6:data",
            "eth:ethertype:ipv6:icmpv6:data",
            "raw:ip:udp:dns"
        ]
    );
}

#[test]
fn malformed_datagrams_are_counted_and_the_capture_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.pcapng");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:3",
        "--cooked-sllv2",
        "-w",
        path.to_str().unwrap(),
    ]);
    let mut reserved_set = cooked_ping(Version::V2, packet_type::HOST, 9);
    reserved_set[3] = 1;
    zcap.send(
        "::1",
        &[
            Vec::new(),
            vec![0x00, 0x19, 0x00],
            reserved_set,
            cooked_ping(Version::V2, packet_type::OUTGOING, 1),
        ],
    );
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    let file = read_pcapng_file(&path);
    let comments: Vec<Option<&str>> = file
        .packets
        .iter()
        .map(|epb| epb.comment.as_deref())
        .collect();
    assert_eq!(
        comments,
        [
            Some("shorter than an SLL2 header (20 bytes)"),
            Some("SLL2 reserved field is not zero"),
            None
        ]
    );
    let row: Vec<&str> = done
        .stderr
        .lines()
        .find(|line| line.starts_with("::1 "))
        .expect("a row for ::1")
        .split_whitespace()
        .collect();
    assert_eq!(row[2], "3", "packets: {}", done.stderr);
    assert_eq!(
        row[4], "3",
        "malformed (empty, short, reserved): {}",
        done.stderr
    );
    assert!(done.stderr.contains("empty datagram"), "{}", done.stderr);
}

#[test]
fn legacy_sll2_headers_lose_direction_and_can_be_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.pcapng");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:1",
        "--cooked-sllv2",
        "--repair-sll2",
        "-w",
        path.to_str().unwrap(),
    ]);
    // As the C implementation wrote it on a little-endian device.
    let mut legacy = cooked_ping(Version::V2, packet_type::OUTGOING, 1);
    legacy[4..8].copy_from_slice(&2u32.to_le_bytes());
    legacy[10] = 0;
    legacy[11] = 0;
    zcap.send("::1", &[legacy]);
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    assert!(
        done.stderr.contains("old C implementation"),
        "{}",
        done.stderr
    );
    let file = read_pcapng_file(&path);
    assert_eq!(file.packets.len(), 1);
    assert_eq!(file.packets[0].flags, None, "direction unknown, not 'host'");
    let decoded = tshark_fields(&path, &["sll.ifindex"]);
    assert_eq!(decoded, [["2"]]);
}

#[test]
fn device_filter_drops_other_senders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filter.pcapng");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:1",
        "--device",
        "127.0.0.1",
        "-w",
        path.to_str().unwrap(),
    ]);
    zcap.send("::1", &[ethernet_ping(1, 8)]);
    zcap.send("127.0.0.1", &[ethernet_ping(2, 8)]);
    assert!(zcap.wait().status.success());
    let decoded = tshark_fields(
        &path,
        &["frame.interface_name", "icmpv6.echo.sequence_number"],
    );
    assert_eq!(decoded, [["zephyr-127.0.0.1-eth", "2"]]);
}
