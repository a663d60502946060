//! Tunnel-less capture on a live interface: capture traffic goes over
//! loopback as real IPIP / IPv6-in-IPv6 packets, and zcap takes the tunnel
//! apart from a packet socket. Needs root (CAP_NET_RAW), as CI runs.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;

#[test]
fn tunnel_less_mode_decapsulates_live_loopback_traffic() {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "this test needs root (CAP_NET_RAW) for packet and raw sockets; run cargo test as root"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.pcapng");
    // An inner port of our own, so parallel tests do not cross.
    let inner_port = 40_000 + (std::process::id() % 20_000) as u16;
    let port_text = inner_port.to_string();
    let mut child = zcap()
        .args([
            "-q",
            "--tunnel-less",
            "-i",
            "lo",
            "--port",
            &port_text,
            "--device",
            "198.51.100.1",
            "--device",
            "2001:db8:100::1",
            "-a",
            "packets:3",
            "-w",
            path.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(
        first.starts_with("zcap: reading the capture tunnel on lo"),
        "{first}"
    );

    let v4_frame = ethernet_ping(1, 64);
    let v6_frame = ethernet_ping(2, 64);
    let big_frame = ethernet_ping(3, 1400);
    for inner in inner_packets(
        "198.51.100.1",
        "198.51.100.2",
        inner_port,
        &v4_frame,
        1400,
        0,
    ) {
        send_tunnelled("127.0.0.1".parse().unwrap(), &inner);
    }
    for inner in inner_packets(
        "2001:db8:100::1",
        "2001:db8:100::2",
        inner_port,
        &v6_frame,
        1400,
        0,
    ) {
        send_tunnelled("::1".parse().unwrap(), &inner);
    }
    // Fragmented by the device: three inner IPv6 fragments.
    let fragments = inner_packets(
        "2001:db8:100::1",
        "2001:db8:100::2",
        inner_port,
        &big_frame,
        600,
        5,
    );
    assert_eq!(fragments.len(), 3);
    for inner in fragments {
        send_tunnelled("127.0.0.1".parse().unwrap(), &inner);
    }
    let status = wait_bounded(&mut child);
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
    assert!(status.success(), "{rest}");
    let file = read_pcapng_file(&path);
    let data: Vec<Vec<u8>> = file.packets.iter().map(|epb| epb.data.clone()).collect();
    assert_eq!(data, [v4_frame, v6_frame, big_frame]);
    let names: Vec<&str> = file
        .interfaces
        .iter()
        .map(|idb| idb.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["zephyr-198.51.100.1-eth", "zephyr-2001:db8:100::1-eth"]
    );
    assert!(rest.contains("1 reassembled from fragments"), "{rest}");
}
