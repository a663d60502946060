//! A capture that keeps nothing says why and exits with code 5, instead
//! of ending quietly with an empty file.

mod common;

use std::net::UdpSocket;

use common::*;

const DEVICE: &str = "2001:db8:200::1";
const PEER: &str = "2001:db8:200::2";

/// The recorded tunnel packet of a ping frame sent to inner `port`.
fn tunnelled(seq: u16, port: u16) -> Vec<u8> {
    let inner = inner_packets(DEVICE, PEER, port, &ethernet_ping(seq, 16), 1280, 0);
    on_tap(&outer_packet(false, &inner[0]))
}

/// Runs zcap on a recorded file; returns its exit code and the last line
/// of its standard error.
fn read_file(frames: &[Vec<u8>], extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("zeth.pcap");
    write_pcap(&input, frames);
    let out = dir.path().join("out.pcapng");
    let mut args = vec!["-r", input.to_str().unwrap(), "-w", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = run(&args);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let last = stderr.lines().last().unwrap_or_default().to_string();
    (output.status.code(), last)
}

#[test]
fn tunnel_packets_to_another_port_name_the_port_to_pass() {
    let frames = [tunnelled(1, 4243), tunnelled(2, 4243)];
    let (code, last) = read_file(&frames, &[]);
    assert_eq!(code, Some(5));
    assert!(
        last.ends_with("the tunnel carried 2 datagrams to UDP port 4243 but zcap accepts 4242: pass --port 4243"),
        "{last}"
    );
    // And with the port given, the frames come out.
    assert_eq!(read_file(&frames, &["--port", "4243"]).0, Some(0));
}

#[test]
fn a_file_without_tunnel_packets_says_so() {
    let (code, last) = read_file(&[on_tap(&ipv4_udp(b"dns?"))], &[]);
    assert_eq!(code, Some(5));
    assert!(
        last.contains("none of the 1 packets in") && last.contains("is a tunnel packet"),
        "{last}"
    );
}

#[test]
fn frames_the_filter_drops_are_counted_in_the_reason() {
    let (code, last) = read_file(&[tunnelled(1, 4242), tunnelled(2, 4242)], &["-f", "arp"]);
    assert_eq!(code, Some(5));
    assert_eq!(
        last,
        "zcap: nothing was captured: 2 frames did not match the capture filter 'arp'"
    );
}

#[test]
fn a_file_zcap_wrote_is_recognised_as_decapsulated_already() {
    let dir = tempfile::tempdir().unwrap();
    let frames_file = dir.path().join("frames.pcapng");
    let zcap = start(&["-q", "-c", "1", "-w", frames_file.to_str().unwrap()]);
    zcap.send("::1", &[ethernet_ping(1, 8)]);
    assert!(zcap.wait().status.success());
    let output = run(&[
        "-r",
        frames_file.to_str().unwrap(),
        "-w",
        dir.path().join("again.pcapng").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(5));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "{} was written by zcap: it holds the device's frames already; open it directly",
            frames_file.display()
        )),
        "{stderr}"
    );
}

#[test]
fn traffic_on_an_interface_that_is_no_tunnel_end_asks_for_tunnel_less() {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "binding a UDP socket to an interface needs root; run cargo test as root"
    );
    let mut zcap = spawn_until(
        &["-i", "lo", "--port", "0", "-a", "duration:1"],
        "listening on UDP",
    );
    // Traffic on lo that is no capture datagram for zcap.
    let other = UdpSocket::bind("127.0.0.1:0").unwrap();
    let nobody = UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..5 {
        other.send_to(b"x", nobody.local_addr().unwrap()).unwrap();
    }
    let status = wait_bounded(&mut zcap.child);
    assert_eq!(status.code(), Some(5));
    let line = zcap.wait_for_line("nothing was captured");
    assert!(
        line.contains("lo is not a tunnel end: the tunnel arrives on it still encapsulated")
            && line.contains("packets arrived on it meanwhile")
            && line.ends_with("read it with -i lo --tunnel-less"),
        "{line}"
    );
}
