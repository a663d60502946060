//! Output options: classic pcap, stdout for a pipe reader, snap length,
//! and the dumpcap-style ring buffer.

mod common;

use common::*;
use zephyr_net_capture::wire::sll::{packet_type, Version};

#[test]
fn classic_pcap_holds_one_link_type_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.pcap");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:3",
        "-F",
        "pcap",
        "--link",
        "auto",
        "-w",
        path.to_str().unwrap(),
    ]);
    zcap.send(
        "::1",
        &[
            ethernet_ping(1, 8),
            cooked_ping(Version::V2, packet_type::OUTGOING, 2),
            ethernet_ping(3, 8),
        ],
    );
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stderr.contains("use -F pcapng"), "{}", done.stderr);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        bytes[..4],
        0xA1B2_3C4Du32.to_ne_bytes(),
        "nanosecond pcap magic"
    );
    let decoded = tshark_fields(&path, &["frame.encap_type", "icmpv6.echo.sequence_number"]);
    assert_eq!(decoded, [["1", "1"], ["1", "3"]]);
}

#[test]
fn stdout_stream_feeds_a_pipe_reader() {
    let zcap = start(&["-a", "packets:2", "-w", "-", "--link", "sll2"]);
    zcap.send("::1", &cooked_ping_pair());
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    let file = read_pcapng(&done.stdout);
    assert_eq!(
        file.packets.len(),
        2,
        "no summary lines mixed into the stream"
    );
    assert_eq!(file.interfaces[0].linktype, 276);
    // tshark reads the same stream from a pipe, as Wireshark -k -i - does.
    let mut tshark = tshark()
        .args(["-r", "-", "-T", "fields", "-e", "sll.pkttype"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    tshark
        .stdin
        .take()
        .unwrap()
        .write_all(&done.stdout)
        .unwrap();
    let out = tshark.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "4\n0\n");
}

#[test]
fn snaplen_cuts_frames_but_keeps_their_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.pcapng");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:1",
        "-s",
        "40",
        "-w",
        path.to_str().unwrap(),
    ]);
    let frame = ethernet_ping(1, 200);
    zcap.send("::1", std::slice::from_ref(&frame));
    assert!(zcap.wait().status.success());
    let file = read_pcapng_file(&path);
    assert_eq!(file.packets[0].data, frame[..40]);
    assert_eq!(file.packets[0].orig_len as usize, frame.len());
    let decoded = tshark_fields(&path, &["frame.cap_len", "frame.len"]);
    assert_eq!(decoded, [["40".to_string(), frame.len().to_string()]]);
}

#[test]
fn ring_buffer_keeps_the_newest_self_contained_files() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("ring.pcapng");
    let zcap = start(&[
        "-q",
        "-a",
        "packets:5",
        "-b",
        "packets:2",
        "-b",
        "files:2",
        "-w",
        base.to_str().unwrap(),
    ]);
    let frames: Vec<Vec<u8>> = (1..=5).map(|seq| ethernet_ping(seq, 8)).collect();
    zcap.send("::1", &frames);
    assert!(zcap.wait().status.success());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].starts_with("ring_00002_") && names[0].ends_with(".pcapng"),
        "{names:?}"
    );
    assert!(names[1].starts_with("ring_00003_"), "{names:?}");
    let second = read_pcapng_file(&dir.path().join(&names[0]));
    let third = read_pcapng_file(&dir.path().join(&names[1]));
    assert_eq!((second.sections, second.interfaces.len()), (1, 1));
    assert_eq!(
        second
            .packets
            .iter()
            .map(|p| p.data.clone())
            .collect::<Vec<_>>(),
        frames[2..4]
    );
    assert_eq!(
        third
            .packets
            .iter()
            .map(|p| p.data.clone())
            .collect::<Vec<_>>(),
        frames[4..]
    );
    assert_eq!(second.statistics.len(), 1);
}

#[test]
fn closed_pipe_reader_ends_the_capture_cleanly() {
    // The reader (say, Wireshark) has gone away.
    let mut zcap = start_with_stdout_closed(&["-q", "-w", "-"]);
    let frames: Vec<Vec<u8>> = (1..=50).map(|seq| ethernet_ping(seq, 1000)).collect();
    for _ in 0..50 {
        zcap.send("::1", &frames);
        if zcap.child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    assert!(
        done.stderr.contains("::1"),
        "totals still printed: {}",
        done.stderr
    );
}
