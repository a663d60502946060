//! The serial source: a capture stream written into a pseudo-terminal, as
//! a device's UART (or an emulator's `-serial pty`) would send it, read by
//! zcap and checked in the pcapng file with pcap-parser and tshark.

mod common;

use std::io::Write;
use std::os::unix::fs::symlink;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use zephyr_net_capture::wire::stream::Direction;

const ETHERNET: u16 = 1;
const RAW_IP: u16 = 101;
const WPAN_FCS: u16 = 195;

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

fn captured(sequence: u32, device: u8, ifindex: u16, link_type: u16) -> Captured {
    let data = match link_type {
        ETHERNET => ethernet_ping(sequence as u16, 16),
        RAW_IP => ipv4_udp(&[sequence as u8; 12]),
        _ => vec![0x41, 0xcc, sequence as u8, 0xcd, 0xab, 1, 2, 3, 4, 5],
    };
    Captured {
        device,
        ifindex,
        link_type,
        direction: Direction::Inbound,
        sequence,
        lost: 0,
        ts_ns: 1_000_000_000 + u64::from(sequence) * 1_000_000,
        orig_len: data.len() as u32,
        data,
    }
}

/// Bytes a cooked terminal would eat or change: ^C, CR, XON, XOFF, ^Z,
/// ^D, DEL, LF.
const TTY_SPECIALS: [u8; 8] = [0x03, 0x0d, 0x11, 0x13, 0x1a, 0x04, 0x7f, 0x0a];

#[test]
fn serial_stream_becomes_pcapng_with_interfaces_directions_and_losses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("serial.pcapng");
    let mut pty = Pty::open();
    let tty = pty.path.to_str().unwrap().to_string();
    // dumpcap habits: -i names the serial device; -P prints packet lines
    // while writing, as tshark -P.
    let mut zcap = spawn_until(
        &["-i", &tty, "-P", "-w", out.to_str().unwrap()],
        "reading the capture stream on",
    );

    let mut first = vec![0x5a, 0x5a]; // the end of a frame from before
    first.extend(hello_frames(0, 999_000_000, "Zephyr 4.1.99 mps2/an385"));
    let mut frames = Vec::new();
    frames.push(captured(0, 0, 1, ETHERNET));
    frames.push(Captured {
        direction: Direction::Outbound,
        ..captured(1, 0, 1, ETHERNET)
    });
    frames.push(Captured {
        direction: Direction::Outbound,
        ..captured(2, 1, 2, RAW_IP)
    });
    let mut special = captured(3, 0, 1, ETHERNET);
    special.data.extend_from_slice(&TTY_SPECIALS);
    special.orig_len = special.data.len() as u32;
    frames.push(special);
    // 4 and 5 dropped on the device.
    frames.push(Captured {
        lost: 2,
        ..captured(6, 0, 1, ETHERNET)
    });
    for captured in &frames {
        first.extend(packet_frame(captured));
    }
    // 7 damaged on the line, 8 lost without a trace, line noise.
    let mut damaged = packet_frame(&captured(7, 1, 2, RAW_IP));
    damaged[20] ^= 0x08;
    first.extend(damaged);
    first.extend([0x02, 0x55, 0x00]);
    let late = captured(9, 1, 2, RAW_IP);
    first.extend(packet_frame(&late));
    // 802.15.4 with FCS, cut to 10 of its 20 bytes, no direction.
    let wpan = Captured {
        direction: Direction::Unknown,
        orig_len: 20,
        ..captured(10, 0, 3, WPAN_FCS)
    };
    first.extend(packet_frame(&wpan));
    first.extend(stats_frame(11, 1_020_000_000, 9, 2));
    let before = now_ns();
    pty.master.write_all(&first).unwrap();
    let after = now_ns();
    zcap.wait_for_line("the device's capture stream started");

    // The device restarts: its clock starts again near zero.
    thread::sleep(Duration::from_millis(300));
    let mut second = hello_frames(0, 400_000, "Zephyr 4.1.99 mps2/an385");
    let restarted = Captured {
        ts_ns: 500_000,
        direction: Direction::Outbound,
        ..captured(0, 0, 1, ETHERNET)
    };
    second.extend(packet_frame(&restarted));
    second.extend(packet_frame(&Captured {
        ts_ns: 600_000,
        ..captured(1, 0, 1, ETHERNET)
    }));
    pty.master.write_all(&second).unwrap();
    zcap.wait_for_line("the device restarted");
    thread::sleep(Duration::from_millis(400));
    let finished = zcap.interrupt();
    assert!(finished.status.success(), "{}", finished.stderr);
    let stderr = &finished.stderr;

    let file = read_pcapng_file(&out);
    let names: Vec<(&str, i32)> = file
        .interfaces
        .iter()
        .map(|idb| (idb.name.as_str(), idb.linktype))
        .collect();
    assert_eq!(
        names,
        [
            ("zephyr-serial-NET_CAPTURE0-if1-eth", 1),
            ("zephyr-serial-NET_CAPTURE1-if2-raw", 101),
            ("zephyr-serial-NET_CAPTURE0-if3-wpan-fcs", 195),
        ]
    );
    assert!(file
        .interfaces
        .iter()
        .all(|idb| idb.ts_resolution == Some(1_000_000_000)));

    let packets = &file.packets;
    let mut expected: Vec<&Captured> = frames.iter().collect();
    expected.push(&late);
    expected.push(&wpan);
    assert_eq!(packets.len(), expected.len() + 2, "{stderr}");
    for (epb, captured) in packets.iter().zip(&expected) {
        assert_eq!(
            epb.data, captured.data,
            "tty special bytes survive raw mode"
        );
        assert_eq!(epb.orig_len, captured.orig_len);
        let flags = match captured.direction {
            Direction::Inbound => Some(0b01),
            Direction::Outbound => Some(0b10),
            Direction::Unknown => None,
        };
        assert_eq!(epb.flags, flags);
    }
    let interfaces: Vec<u32> = packets.iter().map(|epb| epb.interface).collect();
    assert_eq!(interfaces, [0, 0, 1, 0, 0, 1, 2, 0, 0]);
    let drops: Vec<Option<u64>> = packets.iter().map(|epb| epb.dropcount).collect();
    assert_eq!(
        drops,
        [None, None, None, None, Some(2), Some(2), None, None, None]
    );
    assert_eq!(packets[7].flags, Some(0b10));

    // Anchored to the receive time of the hello, then device time exactly.
    let ts: Vec<u64> = packets.iter().map(|epb| epb.ts_units).collect();
    assert!(ts.windows(2).all(|pair| pair[0] <= pair[1]), "{ts:?}");
    assert!(ts[0] >= before + 1_000_000, "{} < {before}", ts[0]);
    assert!(
        ts[0] <= after + 1_000_000 + 2_000_000_000,
        "{} > {after}",
        ts[0]
    );
    assert_eq!(ts[4] - ts[0], 6_000_000);
    assert_eq!(ts[6] - ts[0], 10_000_000);
    // The restart re-anchors at its hello, at least 300 ms later.
    assert!(ts[7] >= ts[6] + 250_000_000, "{ts:?}");
    assert_eq!(ts[8] - ts[7], 100_000);

    // Device drops on the device's interface, line losses on the host side.
    let isb: Vec<_> = file
        .statistics
        .iter()
        .map(|isb| (isb.interface, isb.received, isb.if_dropped, isb.os_dropped))
        .collect();
    assert_eq!(
        isb,
        [
            (0, Some(6), Some(2), Some(0)),
            (1, Some(2), Some(0), Some(2)),
            (2, Some(1), Some(0), Some(0)),
        ]
    );

    for needle in [
        "losses: 2 packets dropped by the device, 2 lost on the line",
        "2 damaged frames (1 CRC mismatch, 1 shorter than any record)",
        "device counters (latest stats record): sent 9, lost_full 2",
        "device: Zephyr 4.1.99 mps2/an385, ring buffer 8192 bytes; restarts seen: 1",
        "NET_CAPTURE0",
    ] {
        assert!(
            stderr.contains(needle),
            "{needle:?} missing from:\n{stderr}"
        );
    }
    let stdout = String::from_utf8_lossy(&finished.stdout);
    assert!(
        stdout
            .lines()
            .any(|line| line.contains("NET_CAPTURE1 if2") && line.contains(" out ")),
        "{stdout}"
    );
    assert!(stdout.contains("IEEE 802.15.4 data len=10"), "{stdout}");

    let rows = tshark_fields(
        &out,
        &[
            "frame.interface_name",
            "frame.packet_flags_direction",
            "frame.len",
            "frame.cap_len",
            "frame.drop_count",
        ],
    );
    assert_eq!(rows.len(), 9);
    let eth_len = frames[0].data.len().to_string();
    assert_eq!(
        rows[0],
        [
            "zephyr-serial-NET_CAPTURE0-if1-eth",
            "0x00000001",
            &eth_len,
            &eth_len,
            ""
        ]
    );
    assert_eq!(rows[2][0], "zephyr-serial-NET_CAPTURE1-if2-raw");
    assert_eq!(rows[2][1], "0x00000002");
    assert_eq!(rows[5][4], "2");
    assert_eq!(rows[6][2..4], ["20".to_string(), "10".to_string()]);
    let ping = tshark_fields(&out, &["icmpv6.echo.sequence_number"]);
    assert_eq!(ping[0], ["0"]);
}

#[test]
fn a_port_that_goes_away_is_waited_for_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("restart.pcapng");
    // A stable name, as udev's /dev/serial/by-id links or socat's link=.
    let link = dir.path().join("ttyDEVICE");
    let mut zcap = spawn_until(
        &[
            "--serial",
            link.to_str().unwrap(),
            "--baud",
            "921600",
            "-w",
            out.to_str().unwrap(),
            "-q",
        ],
        "waiting for",
    );
    let mut runs = Vec::new();
    for run in 0..2u32 {
        let mut pty = Pty::open();
        symlink(&pty.path, &link).unwrap();
        zcap.wait_for_line("is there; reading the capture stream");
        let mut bytes = hello_frames(0, 1_000, "board");
        for seq in 0..2 {
            let captured = Captured {
                ts_ns: 2_000 + u64::from(seq),
                ..captured(seq, 0, 1, ETHERNET)
            };
            bytes.extend(packet_frame(&captured));
        }
        // The device resets in the middle of a frame.
        let cut = packet_frame(&captured(2, 0, 1, ETHERNET));
        bytes.extend(&cut[..cut.len() / 2]);
        pty.master.write_all(&bytes).unwrap();
        zcap.wait_for_line(if run == 0 {
            "capture stream started"
        } else {
            "the device restarted"
        });
        thread::sleep(Duration::from_millis(200));
        drop(pty);
        zcap.wait_for_line("went away");
        std::fs::remove_file(&link).unwrap();
        runs.push(run);
    }
    let finished = zcap.interrupt();
    assert!(finished.status.success(), "{}", finished.stderr);
    let file = read_pcapng_file(&out);
    assert_eq!(file.packets.len(), 4, "{}", finished.stderr);
    assert!(
        finished
            .stderr
            .contains("2 damaged frames (2 cut off when the port closed)"),
        "{}",
        finished.stderr
    );
    assert!(
        finished.stderr.contains("restarts seen: 1"),
        "{}",
        finished.stderr
    );
}

#[test]
fn a_recorded_stream_is_read_to_its_end_and_pcap_keeps_one_link_type() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("uart.bin");
    let mut bytes = hello_frames(0, 0, "");
    for (seq, link) in [(0, ETHERNET), (1, RAW_IP), (2, ETHERNET)] {
        bytes.extend(packet_frame(&captured(seq, 0, 1, link)));
    }
    std::fs::write(&recorded, bytes).unwrap();
    let out = dir.path().join("one.pcap");
    let output = run(&[
        "--serial",
        recorded.to_str().unwrap(),
        "-F",
        "pcap",
        "-w",
        out.to_str().unwrap(),
        "-q",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "NET_CAPTURE0 if1 sends raw frames, which this pcap file cannot hold; use -F pcapng"
        ),
        "{stderr}"
    );
    let pcap = std::fs::read(&out).unwrap();
    // Header, then two Ethernet records (16-byte header each).
    let ping = ethernet_ping(0, 16).len();
    assert_eq!(pcap.len(), 24 + 2 * (16 + ping));
    assert_eq!(u32::from_ne_bytes(pcap[20..24].try_into().unwrap()), 1);
}

#[test]
fn serial_errors_name_the_port_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["--serial", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is neither a serial device nor a file; pass --serial with a device"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let output = run(&["--serial", "/dev/null"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot use /dev/null: it is not a serial device"),
        "{stderr}"
    );
}
