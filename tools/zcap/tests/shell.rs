//! `--shell`: zcap sets the capture up through a (fake) Zephyr shell on a
//! pseudo-terminal, receives the tunnel on loopback without a kernel
//! tunnel, and leaves the device as it found it, or without a capture
//! once it set one up. Needs root (packet and raw sockets), as CI runs.

mod common;

use std::time::{Duration, Instant};

use common::fake_shell::{Behaviour, FakeShell, State};
use common::*;

fn need_root() {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "this test needs root (CAP_NET_RAW) for packet and raw sockets; run cargo test as root"
    );
}

/// Runs `zcap --shell` against `shell`, keeping frames from the device
/// address `local` (distinct per test, so parallel tests do not cross).
fn zcap_shell(shell: &FakeShell, local: &str, extra: &[&str]) -> std::process::Output {
    let path = shell.path.to_str().unwrap().to_string();
    let mut args = vec![
        "--shell",
        &path,
        "--setup-local",
        local,
        "--shell-timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    run_within(&args, Duration::from_secs(20)).0
}

#[test]
fn shell_sets_up_the_capture_receives_it_and_cleans_up() {
    need_root();
    let frames: Vec<Vec<u8>> = (1..=3).map(|seq| ethernet_ping(seq, 40)).collect();
    let shell = FakeShell::start(Behaviour {
        frames: frames.clone(),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shell.pcapng");
    let output = zcap_shell(
        &shell,
        "2001:db8:200::11",
        &["-c", "3", "-w", out.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        shell.commands(),
        [
            "",
            "net capture",
            "net iface",
            "net capture setup 127.0.0.1 2001:db8:200::11 2001:db8:200::2",
            "net capture enable 1",
            "net capture",
            "net capture disable",
            "net capture cleanup",
        ]
    );
    assert_eq!(shell.state(), State::default(), "the device is left clean");
    let file = read_pcapng_file(&out);
    let data: Vec<Vec<u8>> = file.packets.iter().map(|epb| epb.data.clone()).collect();
    assert_eq!(data, frames);
    assert_eq!(file.interfaces[0].name, "zephyr-2001:db8:200::11-eth");
    assert!(
        stderr.contains("reading the capture tunnel on lo (inner UDP ports 4242)"),
        "the host interface comes from the route to the device: {stderr}"
    );
}

#[test]
fn a_setup_made_at_boot_is_replaced_and_gone_at_exit() {
    need_root();
    let frames = vec![ethernet_ping(7, 40)];
    let shell = FakeShell::start(Behaviour {
        set_up_at_boot: true,
        frames: frames.clone(),
        ..Behaviour::default()
    });
    let output = zcap_shell(
        &shell,
        "2001:db8:200::12",
        &[
            "-c",
            "1",
            "-i",
            "lo",
            "--shell-iface",
            "1",
            "--setup-remote",
            "127.0.0.1",
            "-q",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("replacing the capture set up on the device (NET_CAPTURE0 from [2001:db8:200::1]:4242 to [2001:db8:200::2]:4242)"),
        "{stderr}"
    );
    // Everything given: no need to ask for the interfaces.
    assert!(!shell.commands().contains(&"net iface".to_string()));
    assert_eq!(shell.state(), State::default());
}

#[test]
fn a_shell_that_does_not_answer_fails_within_the_timeout() {
    let shell = FakeShell::start(Behaviour {
        mute: true,
        ..Behaviour::default()
    });
    let started = Instant::now();
    let output = zcap_shell(&shell, "2001:db8:200::13", &["-w", "/dev/null"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "zcap: the shell on {} did not answer a prompt within 2 s; check that the device runs and that this is its shell's port (baud rate: --baud)\n",
            shell.path.display()
        )
    );
    assert_eq!(shell.state(), State::default(), "nothing was changed");
}

#[test]
fn a_refused_setup_is_reported_and_changes_nothing_else() {
    need_root();
    let shell = FakeShell::start(Behaviour {
        setup_fails: Some("Capture cannot be setup (-16)"),
        ..Behaviour::default()
    });
    let output = zcap_shell(&shell, "2001:db8:200::14", &["-w", "/dev/null"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with("zcap: the device refused 'net capture setup 127.0.0.1 2001:db8:200::14 2001:db8:200::2': Capture cannot be setup (-16) (EBUSY: no free capture device or tunnel)\n"),
        "{stderr}"
    );
    let commands = shell.commands();
    assert!(
        !commands.iter().any(|c| c.starts_with("net capture enable")),
        "{commands:?}"
    );
    assert_eq!(shell.state(), State::default());
}

/// Runs zcap against a device that fails it after the setup went in;
/// checks that zcap cleaned up and returns its standard error.
fn failed_after_setup(behaviour: Behaviour, local: &str) -> String {
    need_root();
    let shell = FakeShell::start(behaviour);
    let output = zcap_shell(&shell, local, &["-w", "/dev/null"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        shell.commands().last().map(String::as_str),
        Some("net capture cleanup")
    );
    assert_eq!(shell.state(), State::default(), "the setup was undone");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_refused_enable_cleans_up_the_setup_it_made() {
    let behaviour = Behaviour {
        enable_fails: Some("Capture enable failed (-22)"),
        ..Behaviour::default()
    };
    let stderr = failed_after_setup(behaviour, "2001:db8:200::15");
    assert!(
        stderr.ends_with("zcap: the device refused 'net capture enable 1': Capture enable failed (-22) (EINVAL: an address or interface was refused)\n"),
        "{stderr}"
    );
}

#[test]
fn a_setup_whose_answer_is_lost_is_cleaned_up() {
    let behaviour = Behaviour {
        setup_answer_lost: true,
        ..Behaviour::default()
    };
    let stderr = failed_after_setup(behaviour, "2001:db8:200::18");
    assert!(
        stderr.contains("did not finish 'net capture setup 127.0.0.1 2001:db8:200::18 2001:db8:200::2' with a prompt within 2 s"),
        "{stderr}"
    );
}

#[test]
fn a_capture_someone_else_enabled_is_left_alone() {
    let shell = FakeShell::start(Behaviour {
        set_up_at_boot: true,
        enabled_at_boot: true,
        ..Behaviour::default()
    });
    let before = shell.state();
    let output = zcap_shell(&shell, "2001:db8:200::16", &["-w", "/dev/null"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("NET_CAPTURE0 on the device already captures interface 1 for [2001:db8:200::2]:4242; stop that capture first"),
        "{stderr}"
    );
    assert_eq!(shell.commands(), ["", "net capture"]);
    assert_eq!(shell.state(), before);
}

#[test]
fn sigterm_ends_the_capture_and_still_cleans_the_device_up() {
    need_root();
    let shell = FakeShell::start(Behaviour::default());
    let path = shell.path.to_str().unwrap().to_string();
    let mut zcap = spawn_until(
        &[
            "--shell",
            &path,
            "--setup-local",
            "2001:db8:200::17",
            "-w",
            "/dev/null",
        ],
        "reading the capture tunnel on lo",
    );
    // Set up and enabled: stop zcap as Wireshark stops an extcap.
    let deadline = Instant::now() + Duration::from_secs(10);
    while shell.state().enabled.is_none() {
        assert!(Instant::now() < deadline, "{:?}", shell.commands());
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = nix::unistd::Pid::from_raw(zcap.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = wait_bounded(&mut zcap.child);
    // Nothing arrived, which zcap says (exit 5); the device is clean.
    assert_eq!(status.code(), Some(5));
    assert_eq!(
        shell.commands()[shell.commands().len() - 2..],
        ["net capture disable", "net capture cleanup"]
    );
    assert_eq!(shell.state(), State::default());
}
