//! The options people type out of tcpdump, tshark and dumpcap habit:
//! `-D`, `-c`, `-f`, `-P`, `-t`, `-s`, and net-capture.py's old short
//! options, which now fail with the option that does what was meant.

mod common;

use std::time::Duration;

use common::*;

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn list_sources_names_interfaces_udp_and_serial_ports_with_their_command() {
    let pty = Pty::open();
    let (listed, took) = run_within(&["-D"], Duration::from_secs(5));
    assert!(listed.status.success(), "{}", stderr_of(&listed));
    assert!(took < Duration::from_secs(5));
    let text = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("{}. ", number + 1)), "{line}");
    }
    assert!(
        lines.iter().any(|line| line.ends_with(
            ". any (UDP port 4242 on every interface, the end of kernel tunnels: zcap (or zcap -i any))"
        )),
        "{text}"
    );
    assert!(
        lines.iter().any(|line| line.contains(
            ". lo (loopback, carries the tunnel encapsulated: zcap -i lo --tunnel-less)"
        )),
        "{text}"
    );
    let tty = pty.path.display().to_string();
    assert!(
        lines
            .iter()
            .any(|line| line.contains(&format!(". {tty} (pseudo-terminal"))
                && line.contains(&format!("zcap --shell {tty}"))),
        "{tty} missing: {text}"
    );
}

#[test]
fn net_capture_short_options_fail_with_the_long_option() {
    for (args, hint) in [
        (
            &["-p", "4242"][..],
            "the UDP port (net-capture.py's -p) is --port 4242",
        ),
        (
            &["-c"],
            "for SLL v1 frames (net-capture.py's -c) pass --link sll",
        ),
        (
            &["-C"],
            "for SLL v2 frames (net-capture.py's -C) pass --link sll2",
        ),
        (
            &["-t", "CookedLinuxV2"],
            "(net-capture.py's -t) is --link CookedLinuxV2",
        ),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = stderr_of(&output);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(hint), "{args:?}: {stderr}");
    }
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    assert!(help.contains("-p PORT -> --port PORT"), "{help}");
    assert!(help.contains("-P   print packet lines while writing a file"));
}

#[test]
fn count_stops_after_n_frames_that_pass_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("count.pcapng");
    let zcap = start(&["-c", "2", "-f", "udp", "-w", path.to_str().unwrap()]);
    let kept = [ipv4_udp(b"one"), ipv4_udp(b"two"), ipv4_udp(b"three")];
    zcap.send(
        "::1",
        &[
            ethernet_ping(1, 8),
            kept[0].clone(),
            ethernet_ping(2, 8),
            kept[1].clone(),
            kept[2].clone(),
        ],
    );
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    let file = read_pcapng_file(&path);
    let data: Vec<Vec<u8>> = file.packets.iter().map(|epb| epb.data.clone()).collect();
    assert_eq!(data, kept[..2]);
    // Writing a file prints no packet lines, as dumpcap and tshark -w.
    assert_eq!(done.stdout, b"");
    assert!(
        done.stderr.contains("::1 "),
        "the summary at the end: {}",
        done.stderr
    );
}

#[test]
fn a_filter_zcap_cannot_apply_is_refused_with_its_position() {
    let output = run(&["-f", "ether host 02:00:5e:00:53:01", "--port", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        "zcap: capture filter 'ether host 02:00:5e:00:53:01': not supported by this filter at position 0 (\"ether\")\n"
    );
}

#[test]
fn print_shows_packet_lines_while_writing_with_the_chosen_time_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.pcapng");
    let zcap = start(&["-c", "2", "-P", "-t", "ud", "-w", path.to_str().unwrap()]);
    zcap.send("::1", &cooked_ping_pair());
    let done = zcap.wait();
    assert!(done.status.success(), "{}", done.stderr);
    let stdout = String::from_utf8(done.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // 2026-01-02 03:04:05.123456 ::1 sll2 out ...
    let date = lines[0].split(' ').next().unwrap();
    assert_eq!(date.len(), 10, "{}", lines[0]);
    assert_eq!(date.as_bytes()[4], b'-');
    assert!(
        lines[0].contains(
            "sll2 out 2001:db8::1 → 2001:db8::2 ICMPv6 Echo (ping) request id=0x0042, seq=1"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(
            "sll2 in  2001:db8::1 → 2001:db8::2 ICMPv6 Echo (ping) request id=0x0042, seq=2"
        ),
        "{}",
        lines[1]
    );
    assert_eq!(read_pcapng_file(&path).packets.len(), 2);
}

#[test]
fn interface_blocks_record_the_snap_length() {
    let dir = tempfile::tempdir().unwrap();
    for (args, snaplen) in [(&["-s", "96"][..], 96u32), (&[], 262_144)] {
        let path = dir.path().join(format!("snap{snaplen}.pcapng"));
        let mut all = vec!["-q", "-c", "1", "-w", path.to_str().unwrap()];
        all.extend_from_slice(args);
        let zcap = start(&all);
        zcap.send("::1", &[ethernet_ping(1, 200)]);
        assert!(zcap.wait().status.success());
        let file = read_pcapng_file(&path);
        assert_eq!(file.interfaces[0].snaplen, snaplen);
        // Wireshark's own reader sees the same limit in the interface block.
        let info = std::process::Command::new("capinfos")
            .arg("-I")
            .arg(&path)
            .output()
            .expect("capinfos, installed with tshark");
        let info = String::from_utf8(info.stdout).unwrap();
        assert!(
            info.lines()
                .any(|line| line.trim() == format!("Capture length = {snaplen}")),
            "{info}"
        );
    }
}
