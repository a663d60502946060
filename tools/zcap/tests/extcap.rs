//! The Wireshark extcap handshake, run with the arguments Wireshark passes.

mod common;

use std::io::Read;
use std::net::UdpSocket;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use common::*;
use nix::sys::signal::{kill, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{mkfifo, Pid};
use zephyr_net_capture::wire::sll::{packet_type, Version};

fn stdout_of(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn wireshark_discovers_the_zephyr_interface() {
    let interfaces = stdout_of(&["--extcap-interfaces", "--extcap-version=4.0"]);
    let lines: Vec<&str> = interfaces.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("extcap {version="), "{}", lines[0]);
    assert_eq!(
        lines[1],
        "interface {value=zcap}{display=Zephyr capture (UDP tunnel receiver)}"
    );
    assert_eq!(
        lines[2],
        "interface {value=zcap-serial}{display=Zephyr capture (serial stream)}"
    );

    let dlts = stdout_of(&["--extcap-interface", "zcap", "--extcap-dlts"]);
    assert!(dlts.starts_with("dlt {number=1}{name=EN10MB}"), "{dlts}");

    let config = stdout_of(&["--extcap-interface=zcap", "--extcap-config"]);
    assert!(config
        .contains("arg {number=0}{call=--port}{display=UDP port}{type=unsigned}{default=4242}"));
    assert!(config.contains("value {arg=1}{value=sll2}"));

    let unknown = run(&["--extcap-interface", "eth0", "--extcap-dlts"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn wireshark_discovers_the_serial_interface_and_its_options() {
    let dlts = stdout_of(&["--extcap-interface", "zcap-serial", "--extcap-dlts"]);
    assert!(dlts.starts_with("dlt {number=1}{name=EN10MB}"), "{dlts}");
    let config = stdout_of(&["--extcap-interface", "zcap-serial", "--extcap-config"]);
    let lines: Vec<&str> = config.lines().collect();
    assert!(
        lines[0].starts_with(
            "arg {number=0}{call=--serial}{display=Serial port}{type=string}{required=true}"
        ),
        "{config}"
    );
    assert!(config.contains("arg {number=1}{call=--baud}{display=Baud rate}{type=selector}"));
    assert!(config.contains("value {arg=1}{value=115200}{display=115200}{default=true}"));
    assert!(config.contains("value {arg=1}{value=921600}{display=921600}{default=false}"));
    for line in lines {
        assert!(
            line.starts_with("arg {") || line.starts_with("value {"),
            "{line}"
        );
        assert_eq!(
            line.matches('{').count(),
            line.matches('}').count(),
            "{line}"
        );
    }
    // The capture of the serial interface needs its port, and only it.
    let missing = run(&[
        "--capture",
        "--extcap-interface",
        "zcap-serial",
        "--fifo",
        "/nonexistent",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("set 'Serial port'"));
}

#[test]
fn extcap_capture_writes_pcapng_into_the_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("wireshark-fifo");
    mkfifo(&fifo, Mode::from_bits_truncate(0o600)).unwrap();
    // Wireshark passes a fixed port from the config dialog; take a free one.
    let port = UdpSocket::bind("[::]:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let port_text = port.to_string();
    let mut child = zcap()
        .args([
            "--capture",
            "--extcap-interface",
            "zcap",
            "--fifo",
            fifo.to_str().unwrap(),
            "--port",
            &port_text,
            "--link",
            "sll2",
            "--extcap-capture-filter",
            "",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wireshark opens the fifo for reading; zcap opens it for writing.
    let mut reader = std::fs::File::open(&fifo).unwrap();
    let frames = vec![
        cooked_ping(Version::V2, packet_type::OUTGOING, 1),
        cooked_ping(Version::V2, packet_type::HOST, 2),
    ];
    let sender = UdpSocket::bind("[::1]:0").unwrap();
    let read_all = thread::spawn(move || {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).unwrap();
        bytes
    });
    // The socket is bound before the fifo is opened, so nothing is lost.
    for frame in &frames {
        sender.send_to(frame, ("::1", port)).unwrap();
    }
    thread::sleep(Duration::from_millis(500));
    // Wireshark stops an extcap with SIGTERM.
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = wait_bounded(&mut child);
    assert!(status.success());
    let file = read_pcapng(&read_all.join().unwrap());
    assert_eq!(file.interfaces.len(), 1);
    assert_eq!(file.interfaces[0].linktype, 276);
    let data: Vec<Vec<u8>> = file.packets.iter().map(|epb| epb.data.clone()).collect();
    assert_eq!(data, frames);
    assert_eq!(
        file.statistics.len(),
        1,
        "statistics block at the end of the stream"
    );
}
