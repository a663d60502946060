//! `-r -`: a capture of the tunnel's carrier read from a pipe, as in
//! `ssh lab tcpdump -U -w - -i eth0 | zcap -r - -w - | wireshark -k -i -`.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::*;

/// Enhanced packet blocks complete in a pcapng byte stream so far
/// (written in this host's byte order, as zcap writes pipes).
fn complete_packets(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut packets = 0;
    while let Some(header) = bytes.get(at..at + 8) {
        let kind = u32::from_ne_bytes(header[..4].try_into().unwrap());
        let len = u32::from_ne_bytes(header[4..].try_into().unwrap()) as usize;
        if len < 12 || bytes.len() < at + len {
            break;
        }
        packets += usize::from(kind == 6);
        at += len;
    }
    packets
}

/// Tunnel packets as tcpdump records them on the TAP, and the frames in
/// them.
fn recorded_pings(count: u16) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let frames: Vec<Vec<u8>> = (1..=count).map(|seq| ethernet_ping(seq, 24)).collect();
    let recorded = frames
        .iter()
        .map(|frame| {
            let inner = inner_packets("2001:db8:200::1", "2001:db8:200::2", 4242, frame, 1280, 0);
            on_tap(&outer_packet(false, &inner[0]))
        })
        .collect();
    (recorded, frames)
}

#[test]
fn a_pipe_of_tunnel_packets_becomes_a_live_pcapng_pipe() {
    let (recorded, frames) = recorded_pings(4);
    let pcap = pcap_bytes(&recorded);
    let mut zcap = zcap()
        .args(["-r", "-", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = zcap.stdout.take().unwrap();
    let sink = Arc::clone(&received);
    let reader = thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(len @ 1..) = stdout.read(&mut chunk) {
            sink.lock().unwrap().extend_from_slice(&chunk[..len]);
        }
    });
    // tcpdump -U writes the header, then each packet as it comes: a few
    // bytes at a time here, ending inside the third record.
    let two_and_a_bit = 24 + 2 * (16 + recorded[0].len()) + 10;
    let mut stdin = zcap.stdin.take().unwrap();
    for piece in pcap[..two_and_a_bit].chunks(7) {
        stdin.write_all(piece).unwrap();
        stdin.flush().unwrap();
        thread::sleep(Duration::from_millis(2));
    }
    // The first two frames reach the reader while the pipe is still open.
    let deadline = Instant::now() + Duration::from_secs(5);
    while complete_packets(&received.lock().unwrap()) < 2 {
        assert!(
            Instant::now() < deadline,
            "frames not flushed while the input pipe stays open"
        );
        thread::sleep(Duration::from_millis(20));
    }
    stdin.write_all(&pcap[two_and_a_bit..]).unwrap();
    drop(stdin);
    let status = wait_bounded(&mut zcap);
    reader.join().unwrap();
    let mut stderr = String::new();
    zcap.stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{stderr}");

    let bytes = received.lock().unwrap().clone();
    let file = read_pcapng(&bytes);
    let data: Vec<Vec<u8>> = file.packets.iter().map(|epb| epb.data.clone()).collect();
    assert_eq!(data, frames);
    // The recorded times survive (the records are 1 ms apart).
    let times: Vec<u64> = file.packets.iter().map(|epb| epb.ts_units / 1000).collect();
    let expected: Vec<u64> = (0..4).map(|i| BASE_US + i * 1000).collect();
    assert_eq!(times, expected);
    // What Wireshark does with `-k -i -`, tshark does with `-r -`.
    let mut tshark = tshark()
        .args([
            "-r",
            "-",
            "-T",
            "fields",
            "-e",
            "icmpv6.echo.sequence_number",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tshark.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = tshark.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "1\n2\n3\n4\n");
}

#[test]
fn a_pipe_that_is_not_a_capture_is_refused_at_once() {
    let mut zcap = Command::new(env!("CARGO_BIN_EXE_zcap"))
        .args(["-r", "-", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    zcap.stdin
        .take()
        .unwrap()
        .write_all(b"this is not a capture at all, just words\n")
        .unwrap();
    let output = zcap.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "zcap: cannot read standard input: not a pcap or pcapng file; pass -r with a pcap or pcapng file (or - for standard input)\n"
    );
}
