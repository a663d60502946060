//! Failures to start give one clear line and a documented exit code.

mod common;

use std::net::UdpSocket;

use common::*;

fn one_line(stderr: &[u8]) -> String {
    let text = String::from_utf8(stderr.to_vec()).unwrap();
    assert_eq!(text.lines().count(), 1, "one line expected: {text}");
    text
}

#[test]
fn port_in_use_names_the_port_and_the_fix() {
    let taken = UdpSocket::bind("[::]:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = run(&["-q", "--port", &port]);
    assert_eq!(output.status.code(), Some(3));
    let line = one_line(&output.stderr);
    assert_eq!(
        line.trim_end(),
        format!("zcap: cannot bind [::]:{port}: address in use; pass -p to choose another port")
    );
}

#[test]
fn unwritable_output_file_exits_with_code_4() {
    let output = run(&["-q", "--port", "0", "-w", "/nonexistent-dir/capture.pcapng"]);
    assert_eq!(output.status.code(), Some(4));
    let line =
        one_line(&output.stderr[output.stderr.iter().position(|&b| b == b'\n').unwrap() + 1..]);
    assert!(
        line.starts_with("zcap: cannot create /nonexistent-dir/capture.pcapng: no such file or directory; choose a writable path with -w"),
        "{line}"
    );
}

#[test]
fn unknown_interface_for_tunnel_less_mode_exits_with_code_3() {
    let output = run(&["-q", "--tunnel-less", "-i", "no-such-if0"]);
    assert_eq!(output.status.code(), Some(3));
    let line = one_line(&output.stderr);
    assert!(
        line.starts_with("zcap: cannot find interface no-such-if0"),
        "{line}"
    );
}

#[test]
fn missing_capability_for_tunnel_less_mode_says_how_to_grant_it() {
    // Run as nobody, which has no CAP_NET_RAW, whoever runs the tests.
    let mut command = if nix::unistd::Uid::effective().is_root() {
        let mut command = std::process::Command::new("setpriv");
        command.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ]);
        command.arg(env!("CARGO_BIN_EXE_zcap"));
        command
    } else {
        zcap()
    };
    let output = command
        .args(["-q", "--tunnel-less", "-i", "lo"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = one_line(&output.stderr);
    assert!(
        line.starts_with("zcap: cannot open a packet socket on lo: operation not permitted; run as root or grant the capability: sudo setcap cap_net_raw+ep"),
        "{line}"
    );
}

#[test]
fn unreadable_offline_file_exits_with_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-capture.txt");
    std::fs::write(&path, b"hello, this is not a capture file at all").unwrap();
    let output = run(&["-q", "-r", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let line = one_line(&output.stderr);
    assert!(line.contains("not a pcap or pcapng file"), "{line}");
}

#[test]
fn bad_options_exit_with_code_2() {
    let output = run(&["-b", "duration:10"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(one_line(&output.stderr).contains("pass -w FILE"));
    let output = run(&["--link", "token-ring"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_documents_the_exit_codes() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for code in [
        "0  capture ended normally",
        "3  an input could not be opened",
        "4  an output could not be opened",
    ] {
        assert!(help.contains(code), "{code} missing from --help");
    }
}
