//! A fake Zephyr shell on a pseudo-terminal: it echoes what is typed,
//! answers `net capture ...` and `net iface` with the strings of Zephyr's
//! subsys/net/lib/shell/capture.c and iface.c, and, once capture is
//! enabled, sends tunnel packets of given frames over loopback as the
//! device's tunnel would.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::stream::Pty;
use super::{inner_packets, send_tunnelled};

/// The prompt, coloured as the shell colours it, in the pieces the fake
/// writes it in.
const PROMPT_PIECES: [&str; 3] = ["\x1b", "[1;32muart:~$ \x1b", "[m"];

/// How the fake device behaves.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Never answer anything.
    pub mute: bool,
    /// The line `net capture setup` prints instead of success.
    pub setup_fails: Option<&'static str>,
    /// The line `net capture enable` prints instead of success.
    pub enable_fails: Option<&'static str>,
    /// Take `net capture setup` but never answer it (a line that drops
    /// the answer).
    pub setup_answer_lost: bool,
    /// NET_CAPTURE0 is set up at boot (as samples/net/capture does).
    pub set_up_at_boot: bool,
    /// ... and enabled.
    pub enabled_at_boot: bool,
    /// Frames sent through the tunnel once capture is enabled.
    pub frames: Vec<Vec<u8>>,
}

/// What the fake device's capture looks like now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// `net capture setup` arguments in force (remote, local, peer).
    pub setup: Option<(String, String, String)>,
    /// The interface captured.
    pub enabled: Option<u32>,
}

/// A running fake shell.
pub struct FakeShell {
    /// The pty's slave side: what zcap opens.
    pub path: PathBuf,
    commands: Arc<Mutex<Vec<String>>>,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeShell {
    /// Starts the fake device.
    pub fn start(behaviour: Behaviour) -> FakeShell {
        let pty = Pty::open();
        let path = pty.path.clone();
        let commands = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(Mutex::new(State {
            setup: behaviour.set_up_at_boot.then(|| {
                (
                    "192.0.2.2".to_string(),
                    "2001:db8:200::1".to_string(),
                    "2001:db8:200::2".to_string(),
                )
            }),
            enabled: behaviour.enabled_at_boot.then_some(1),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let device = Device {
            behaviour,
            commands: Arc::clone(&commands),
            state: Arc::clone(&state),
            stop: Arc::clone(&stop),
        };
        let thread = thread::spawn(move || device.serve(pty));
        FakeShell {
            path,
            commands,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The commands received so far (an empty one for each bare Enter).
    pub fn commands(&self) -> Vec<String> {
        self.commands.lock().unwrap().clone()
    }

    /// The device's capture now.
    pub fn state(&self) -> State {
        self.state.lock().unwrap().clone()
    }
}

impl Drop for FakeShell {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Device {
    behaviour: Behaviour,
    commands: Arc<Mutex<Vec<String>>>,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Device {
    fn serve(self, mut pty: Pty) {
        let fd = pty.master.try_clone().unwrap();
        nix::fcntl::fcntl(
            &fd,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .unwrap();
        let mut line = String::new();
        let mut buf = [0u8; 256];
        while !self.stop.load(Ordering::Relaxed) {
            let len = match pty.master.read(&mut buf) {
                Ok(len) => len,
                Err(_) => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            if self.behaviour.mute {
                continue;
            }
            for &byte in &buf[..len] {
                match byte {
                    b'\n' | b'\r' => {
                        let command = std::mem::take(&mut line);
                        let answer = self.execute(command.trim());
                        if self.behaviour.setup_answer_lost
                            && command.starts_with("net capture setup")
                        {
                            continue;
                        }
                        let _ = write!(pty.master, "\r\n{answer}");
                        // A UART hands the prompt over in pieces, cut
                        // inside its colour codes.
                        for piece in PROMPT_PIECES {
                            let _ = pty.master.write_all(piece.as_bytes());
                            thread::sleep(Duration::from_millis(15));
                        }
                    }
                    byte => {
                        line.push(char::from(byte));
                        let _ = pty.master.write_all(&[byte]);
                    }
                }
            }
        }
    }

    fn execute(&self, command: &str) -> String {
        self.commands.lock().unwrap().push(command.to_string());
        let words: Vec<&str> = command.split_whitespace().collect();
        let mut state = self.state.lock().unwrap();
        match words.as_slice() {
            [] => String::new(),
            ["net", "iface"] => NET_IFACE.replace('\n', "\r\n"),
            ["net", "capture"] => listing(&state),
            ["net", "capture", "setup", remote, local, peer] => {
                let mut out = String::new();
                if state.setup.take().is_some() {
                    state.enabled = None;
                    out.push_str("Capture already setup, cleaning up settings.\r\n");
                }
                match self.behaviour.setup_fails {
                    Some(line) => out + line + "\r\n",
                    None => {
                        state.setup =
                            Some((remote.to_string(), local.to_string(), peer.to_string()));
                        out + "Capture setup done, next enable it by \"net capture enable <idx>\"\r\n"
                    }
                }
            }
            ["net", "capture", "enable", index] => {
                let Some((remote, local, peer)) = state.setup.clone() else {
                    return String::new();
                };
                if let Some(line) = self.behaviour.enable_fails {
                    return format!("{line}\r\n");
                }
                state.enabled = index.parse().ok();
                let frames = self.behaviour.frames.clone();
                thread::spawn(move || send(&remote, &local, &peer, &frames));
                String::new()
            }
            ["net", "capture", "disable"] => {
                state.enabled = None;
                String::new()
            }
            ["net", "capture", "cleanup"] => {
                state.enabled = None;
                state.setup = None;
                String::new()
            }
            [first, ..] => format!("{first}: command not found\r\n"),
        }
    }
}

/// `net capture`, as capture.c prints it.
fn listing(state: &State) -> String {
    let status = if state.enabled.is_some() {
        "enabled"
    } else {
        "disabled"
    };
    let mut out = format!("Network packet capture {status}\r\n");
    if let Some((_, local, peer)) = &state.setup {
        let capturing = state
            .enabled
            .map_or("-".to_string(), |index| index.to_string());
        out.push_str("      \t\tCapture  Tunnel\r\nDevice\t\tiface    iface   Local\t\t\tPeer\r\n");
        out.push_str(&format!(
            "NET_CAPTURE0\t{capturing}        2      {}\t{}\r\n",
            with_port(local),
            with_port(peer)
        ));
    }
    out
}

/// `[addr]:port` as the listing shows an endpoint.
fn with_port(endpoint: &str) -> String {
    match endpoint.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("[{v6}]:4242"),
        Ok(IpAddr::V4(v4)) => format!("{v4}:4242"),
        Err(_) => endpoint.to_string(),
    }
}

/// The tunnel: each frame as inner packets from `local` to `peer`, sent
/// to `remote`.
fn send(remote: &str, local: &str, peer: &str, frames: &[Vec<u8>]) {
    let (peer, port) = match peer.rsplit_once("]:") {
        Some((addr, port)) => (addr.trim_start_matches('['), port.parse().unwrap()),
        None => (peer, 4242),
    };
    let remote: IpAddr = remote.parse().unwrap();
    // The host opened its socket before enabling; give it a moment anyway.
    thread::sleep(Duration::from_millis(200));
    for (ident, frame) in frames.iter().enumerate() {
        for inner in inner_packets(local, peer, port, frame, 1280, ident as u32) {
            send_tunnelled(remote, &inner);
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// `net iface` of a device whose Ethernet interface is reached at
/// 127.0.0.1, with the capture tunnel's virtual interface after it.
const NET_IFACE: &str = "
Interface eth0 (0x55d1c8a0c6e0) (Ethernet) [1]
===================================
Link addr : 00:00:5E:00:53:3A
MTU       : 1500
IPv6 unicast addresses (max 4):
\tfe80::200:5eff:fe00:533a autoconf preferred infinite
IPv4 unicast addresses (max 3):
\t127.0.0.1/255.0.0.0 overridable preferred infinite

Interface net0 (0x55d1c8a0c830) (Virtual) [2]
==================================
Virtual name : Capture tunnel
IPv6 unicast addresses (max 4):
\t2001:db8:200::1 manual preferred infinite
";
