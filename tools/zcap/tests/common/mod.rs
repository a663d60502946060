//! Helpers shared by the integration tests: run zcap, craft capture
//! datagrams and tunnel packets, and read what zcap wrote with an
//! independent parser (pcap-parser) and with tshark.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code, unused_imports)]

use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use socket2::{Domain, Protocol, Socket, Type};

pub mod fake_shell;
mod frames;
mod read;
mod stream;
mod write;

pub use frames::*;
pub use read::*;
pub use stream::*;
pub use write::*;

/// The zcap binary under test.
pub fn zcap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zcap"))
}

/// A zcap process listening on an ephemeral UDP port.
pub struct Running {
    pub child: Child,
    pub port: u16,
    stderr: mpsc::Receiver<String>,
    stdout: Option<thread::JoinHandle<Vec<u8>>>,
    /// Standard error lines already taken by `wait_for_line`.
    seen: Vec<String>,
}

type Collected = (mpsc::Receiver<String>, Option<thread::JoinHandle<Vec<u8>>>);

/// Reads a child's standard error line by line and (if wanted) its
/// standard output to the end, in the background.
fn collect_output(child: &mut Child, read_stdout: bool) -> Collected {
    let stderr = child.stderr.take().expect("stderr piped");
    let (lines_tx, lines_rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().expect("stdout piped");
    let stdout = read_stdout.then(|| {
        thread::spawn(move || {
            let mut stdout = stdout;
            let mut bytes = Vec::new();
            let _ = stdout.read_to_end(&mut bytes);
            bytes
        })
    });
    (lines_rx, stdout)
}

/// What a finished zcap run left behind.
pub struct Finished {
    pub status: std::process::ExitStatus,
    pub stderr: String,
    pub stdout: Vec<u8>,
}

/// Starts zcap with `args` plus `-p 0` and waits until it says which port
/// it bound.
pub fn start(args: &[&str]) -> Running {
    start_inner(args, true)
}

/// Starts zcap with exactly `args` (no port: a serial source) and waits
/// until a line of its standard error contains `ready`.
pub fn spawn_until(args: &[&str], ready: &str) -> Running {
    let mut running = spawn(args);
    running.wait_for_line(ready);
    running
}

/// Starts zcap with `args`, its output piped, no input.
pub fn spawn_piped(args: &[&str]) -> Child {
    zcap()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zcap starts")
}

/// Runs zcap to its end, which must come within `limit`; returns its
/// output and how long it ran.
pub fn run_within(args: &[&str], limit: Duration) -> (Output, Duration) {
    let started = std::time::Instant::now();
    let mut child = spawn_piped(args);
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zcap {args:?} still runs after {limit:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    (child.wait_with_output().expect("output"), took)
}

/// Starts zcap with exactly `args`, reading its output in the background.
pub fn spawn(args: &[&str]) -> Running {
    let mut child = spawn_piped(args);
    let (stderr, stdout) = collect_output(&mut child, true);
    Running {
        child,
        port: 0,
        stderr,
        stdout,
        seen: Vec::new(),
    }
}

/// Like [`start`], but nobody reads zcap's stdout: the pipe's read end is
/// closed at once, as when Wireshark quits.
pub fn start_with_stdout_closed(args: &[&str]) -> Running {
    start_inner(args, false)
}

fn start_inner(args: &[&str], read_stdout: bool) -> Running {
    let mut child = zcap()
        .args(["--port", "0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zcap starts");
    let (lines_rx, stdout) = collect_output(&mut child, read_stdout);
    let first = lines_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("zcap prints the port it listens on");
    let port = first
        .rsplit(':')
        .next()
        .and_then(|port| port.trim().parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    Running {
        child,
        port,
        stderr: lines_rx,
        stdout,
        seen: Vec::new(),
    }
}

impl Running {
    /// Waits (up to 20 s) for a standard error line containing `needle`
    /// and returns it; lines before it are kept for the final output.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "zcap did not print {needle:?}; it printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Sends datagrams to zcap from `from` (an IPv4 or IPv6 loopback
    /// address).
    pub fn send(&self, from: &str, datagrams: &[Vec<u8>]) {
        let from: IpAddr = from.parse().expect("address");
        let socket = UdpSocket::bind(SocketAddr::new(from, 0)).expect("sender binds");
        for datagram in datagrams {
            socket
                .send_to(datagram, SocketAddr::new(from, self.port))
                .expect("datagram sent");
        }
    }

    /// Waits for zcap to exit by itself (`-a packets:N`).
    pub fn wait(mut self) -> Finished {
        let status = wait_bounded(&mut self.child);
        self.finish(status)
    }

    /// Interrupts zcap as Ctrl-C does and waits for it.
    pub fn interrupt(mut self) -> Finished {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).expect("pid fits"));
        kill(pid, Signal::SIGINT).expect("SIGINT sent");
        let status = wait_bounded(&mut self.child);
        self.finish(status)
    }

    fn finish(mut self, status: std::process::ExitStatus) -> Finished {
        let mut lines = std::mem::take(&mut self.seen);
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            lines.push(line);
        }
        let stdout = self
            .stdout
            .take()
            .map(|handle| handle.join().expect("stdout reader"))
            .unwrap_or_default();
        Finished {
            status,
            stderr: lines.join("\n"),
            stdout,
        }
    }
}

/// Waits for a child, killing it if it hangs (a bug, reported as such).
pub fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..600 {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("zcap did not exit within 30 s");
}

/// Runs zcap to completion with `args`.
pub fn run(args: &[&str]) -> Output {
    zcap().args(args).output().expect("zcap runs")
}

/// Sends an inner packet through a raw socket, so the kernel adds the
/// outer header with protocol 4 (IPv4 inner) or 41 (IPv6 inner), as the
/// device's tunnel does.
pub fn send_tunnelled(outer_dst: IpAddr, inner: &[u8]) {
    let protocol = if inner[0] >> 4 == 6 { 41 } else { 4 };
    let socket = Socket::new(
        Domain::for_address(SocketAddr::new(outer_dst, 0)),
        Type::RAW,
        Some(Protocol::from(protocol)),
    )
    .expect("a raw socket: these tests need root or CAP_NET_RAW");
    socket
        .send_to(inner, &SocketAddr::new(outer_dst, 0).into())
        .expect("tunnel packet sent");
}
