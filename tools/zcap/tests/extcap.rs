//! The Wireshark extcap handshake, run with the arguments Wireshark passes.

mod common;

use std::io::Read;
use std::net::UdpSocket;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use nix::sys::signal::{kill, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{mkfifo, Pid};

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
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("extcap {version="), "{}", lines[0]);
    assert!(
        lines[0].ends_with("{help=https://github.com/<you>/zephyr-net-capture}"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "interface {value=zcap}{display=Zephyr capture (UDP tunnel receiver)}"
    );
    assert_eq!(
        lines[2],
        "interface {value=zcap-serial}{display=Zephyr capture (serial stream)}"
    );
    assert_eq!(
        lines[3],
        "interface {value=zcap-shell}{display=Zephyr capture (set up through the device shell)}"
    );

    let dlts = stdout_of(&["--extcap-interface", "zcap", "--extcap-dlts"]);
    assert!(dlts.starts_with("dlt {number=1}{name=EN10MB}"), "{dlts}");

    let config = stdout_of(&["--extcap-interface=zcap", "--extcap-config"]);
    assert!(config
        .contains("arg {number=0}{call=--port}{display=UDP port}{type=unsigned}{default=4242}"));
    assert!(config.contains("value {arg=1}{value=sll2}"));
    assert!(config.contains("value {arg=1}{value=auto}{display=Auto-detect}{default=true}"));
    assert!(config.contains("{call=--tunnel-less}{display=Tunnel-less}{type=boolflag}"));
    assert!(
        config.contains("value {arg=2}{value=lo}"),
        "interfaces listed: {config}"
    );
    assert!(config.contains("{call=--snaplen}"));

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

/// Makes the fifo and starts zcap as Wireshark starts an extcap capture of
/// interface zcap on UDP `port`, with `extra` arguments.
fn start_extcap_capture(
    fifo: &std::path::Path,
    port: u16,
    extra: &[&str],
    stderr: Stdio,
) -> std::process::Child {
    mkfifo(fifo, Mode::from_bits_truncate(0o600)).unwrap();
    let port = port.to_string();
    let mut args = vec![
        "--capture",
        "--extcap-interface",
        "zcap",
        "--fifo",
        fifo.to_str().unwrap(),
        "--port",
        &port,
    ];
    args.extend_from_slice(extra);
    zcap()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// Runs an extcap capture of `frames` sent over loopback, with Wireshark's
/// arguments plus `extra`, reads the fifo as Wireshark does, stops zcap
/// with SIGTERM as Wireshark does, and returns what the fifo carried.
fn capture_through_fifo(extra: &[&str], frames: &[Vec<u8>]) -> Pcapng {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("wireshark-fifo");
    // Wireshark passes a fixed port from the config dialog; take a free one.
    let port = UdpSocket::bind("[::]:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = start_extcap_capture(&fifo, port, extra, Stdio::null());
    // Wireshark opens the fifo for reading; zcap opens it for writing.
    let mut reader = std::fs::File::open(&fifo).unwrap();
    let read_all = thread::spawn(move || {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).unwrap();
        bytes
    });
    // The socket is bound before the fifo is opened, so nothing is lost.
    let sender = UdpSocket::bind("[::1]:0").unwrap();
    for frame in frames {
        sender.send_to(frame, ("::1", port)).unwrap();
    }
    thread::sleep(Duration::from_millis(500));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert!(wait_bounded(&mut child).success());
    read_pcapng(&read_all.join().unwrap())
}

#[test]
fn extcap_capture_writes_pcapng_into_the_fifo() {
    let frames = cooked_ping_pair();
    let file = capture_through_fifo(&["--link", "sll2", "--extcap-capture-filter", ""], &frames);
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

/// Exactly what Wireshark runs when a filter is typed (extcap.c), which
/// must answer within a second.
fn filter_check(interface: &str, filter: &str) -> (std::process::Output, Duration) {
    run_within(
        &[
            "--extcap-capture-filter",
            filter,
            "--extcap-interface",
            interface,
        ],
        Duration::from_secs(1),
    )
}

#[test]
fn wiresharks_filter_check_answers_at_once_and_leaves_the_port_free() {
    let (valid, took) = filter_check("zcap", "udp port 4242 or icmp6");
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    assert_eq!(valid.stdout, b"", "empty output means valid");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Nothing was left listening on the default port.
    let free = UdpSocket::bind("[::]:4242");
    assert!(free.is_ok(), "port 4242 is held: {free:?}");
    drop(free);

    let (invalid, _) = filter_check("zcap-serial", "tcp port ssh");
    // Wireshark shows the first line of the output, and only when the
    // exit status is 0.
    assert!(invalid.status.success());
    assert_eq!(
        String::from_utf8(invalid.stdout).unwrap(),
        "service names are not supported; give a port number at position 9 (\"ssh\")\n"
    );
    let (unknown, _) = filter_check("eth0", "ip");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn sigterm_while_waiting_for_wireshark_to_open_the_fifo_ends_zcap() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("never-opened");
    let mut child = start_extcap_capture(&fifo, 0, &[], Stdio::piped());
    thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "zcap waits for the reader"
    );
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let stopped = Instant::now();
    let status = wait_bounded(&mut child);
    assert!(
        stopped.elapsed() < Duration::from_secs(1),
        "{:?}",
        stopped.elapsed()
    );
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(stderr, "", "an extcap writes nothing but fatal errors");
}

#[test]
fn extcap_capture_applies_wiresharks_capture_filter() {
    let udp = ipv4_udp(b"kept");
    let frames = [ethernet_ping(1, 8), udp.clone(), ethernet_ping(2, 8)];
    let file = capture_through_fifo(&["--extcap-capture-filter", "udp"], &frames);
    let data: Vec<Vec<u8>> = file.packets.iter().map(|epb| epb.data.clone()).collect();
    assert_eq!(data, [udp]);
    assert_eq!(file.interfaces[0].linktype, 101, "raw IP, recognised");
}
