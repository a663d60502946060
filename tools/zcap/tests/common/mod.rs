//! Helpers shared by the integration tests: run zcap, craft capture
//! datagrams and tunnel packets, and read what zcap wrote with an
//! independent parser (pcap-parser) and with tshark.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{OptionCode, PcapBlockOwned, PcapError};
use zephyr_net_capture::wire::sll::{Cooked, LinkAddr, Version};
use zephyr_net_capture::wire::tunnel::{Encap, Oversize};
use zephyr_net_capture::wire::{ip_proto, ipv4, ipv6};

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
    let mut child = zcap()
        .args(["-p", "0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zcap starts");
    let stderr = child.stderr.take().expect("stderr piped");
    let (lines_tx, lines_rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = child.stdout.take().expect("stdout piped");
    let stdout = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
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
        stdout: Some(stdout),
    }
}

impl Running {
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
        let mut lines = Vec::new();
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

// ---- frames -------------------------------------------------------------

pub const DEVICE_MAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x01];
pub const HOST_MAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x53, 0xff];

/// An Ethernet frame carrying an ICMPv6 echo request with `seq`.
pub fn ethernet_ping(seq: u16, payload_len: usize) -> Vec<u8> {
    let builder = etherparse::PacketBuilder::ethernet2(DEVICE_MAC, HOST_MAC)
        .ipv6(
            "2001:db8::1"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
            "2001:db8::2"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
            64,
        )
        .icmpv6_echo_request(0x42, seq);
    let payload: Vec<u8> = (0..payload_len).map(|i| i as u8).collect();
    let mut frame = Vec::new();
    builder.write(&mut frame, &payload).expect("frame built");
    frame
}

/// An IPv4 UDP packet (raw IP) with `payload`.
pub fn ipv4_udp(payload: &[u8]) -> Vec<u8> {
    let builder = etherparse::PacketBuilder::ipv4([192, 0, 2, 1], [192, 0, 2, 2], 64).udp(5000, 53);
    let mut packet = Vec::new();
    builder.write(&mut packet, payload).expect("packet built");
    packet
}

/// A cooked frame: SLL v1 or v2 header with `pkttype`, hatype Ethernet,
/// the device MAC, protocol IPv6, then an ICMPv6 echo request.
pub fn cooked_ping(version: Version, pkttype: u16, seq: u16) -> Vec<u8> {
    let eth = ethernet_ping(seq, 8);
    let mut addr = [0u8; 8];
    addr[..6].copy_from_slice(&DEVICE_MAC);
    let header = Cooked {
        pkttype,
        hatype: 1,
        addr: LinkAddr::new(6, &addr),
        protocol: 0x86dd,
        ifindex: 2,
    };
    let mut frame = vec![0u8; version.header_len()];
    header.emit(version, &mut frame).expect("header fits");
    frame.extend_from_slice(&eth[14..]);
    frame
}

// ---- tunnel packets -----------------------------------------------------

/// The inner packets (IP + UDP, fragmented to `mtu`) the device builds for
/// one captured `frame`, using the device library's own planner.
pub fn inner_packets(
    device: &str,
    peer: &str,
    port: u16,
    frame: &[u8],
    mtu: usize,
    ident: u32,
) -> Vec<Vec<u8>> {
    let encap = Encap {
        local: device.parse().unwrap(),
        peer: peer.parse().unwrap(),
        local_port: 4242,
        peer_port: port,
    };
    let plan = encap
        .plan(frame.len(), mtu, Oversize::Fragment, ident)
        .expect("plan");
    let mut sum = plan.checksum_start().expect("checksum");
    sum.add(&frame[..plan.payload_len()]);
    (0..plan.pieces())
        .map(|index| {
            let piece = plan.piece(index, sum).expect("piece");
            let mut packet = piece.header().to_vec();
            packet.extend_from_slice(&frame[piece.payload.clone()]);
            packet
        })
        .collect()
}

/// Wraps an inner packet in the outer IPv4 or IPv6 header of the tunnel.
pub fn outer_packet(outer_v6: bool, inner: &[u8]) -> Vec<u8> {
    let protocol = if inner[0] >> 4 == 6 {
        ip_proto::IPV6
    } else {
        ip_proto::IPIP
    };
    let mut packet;
    if outer_v6 {
        packet = vec![0u8; ipv6::HEADER_LEN];
        ipv6::Repr {
            src: "2001:db8::1".parse().unwrap(),
            dst: "2001:db8::2".parse().unwrap(),
            next_header: protocol,
            payload_len: inner.len() as u16,
            hop_limit: 64,
        }
        .emit(&mut ipv6::Packet::new_unchecked(&mut packet[..]))
        .unwrap();
    } else {
        packet = vec![0u8; ipv4::HEADER_LEN];
        ipv4::Repr {
            src: "192.0.2.1".parse().unwrap(),
            dst: "192.0.2.2".parse().unwrap(),
            protocol,
            payload_len: inner.len() as u16,
            ttl: 64,
            ident: 0,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
        }
        .emit(&mut ipv4::Packet::new_unchecked(&mut packet[..]))
        .unwrap();
    }
    packet.extend_from_slice(inner);
    packet
}

/// An Ethernet frame on the zeth TAP carrying `ip` towards the host.
pub fn on_tap(ip: &[u8]) -> Vec<u8> {
    let mut frame = HOST_MAC.to_vec();
    frame.extend_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x53, 0x01]);
    let ethertype: u16 = if ip[0] >> 4 == 6 { 0x86dd } else { 0x0800 };
    frame.extend_from_slice(&ethertype.to_be_bytes());
    frame.extend_from_slice(ip);
    frame
}

// ---- reading what zcap wrote --------------------------------------------

/// An interface description as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idb {
    pub linktype: i32,
    pub name: String,
    pub ts_resolution: Option<u64>,
}

/// An enhanced packet as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Epb {
    pub interface: u32,
    pub ts_units: u64,
    pub orig_len: u32,
    pub data: Vec<u8>,
    pub flags: Option<u32>,
    pub comment: Option<String>,
}

/// An interface statistics block as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Isb {
    pub interface: u32,
    pub received: Option<u64>,
    pub os_dropped: Option<u64>,
}

/// A pcapng file as read back with pcap-parser.
#[derive(Clone, Debug, Default)]
pub struct Pcapng {
    pub sections: usize,
    pub interfaces: Vec<Idb>,
    pub packets: Vec<Epb>,
    pub statistics: Vec<Isb>,
}

fn option_bytes(options: &[pcap_parser::PcapNGOption<'_>], code: u16) -> Option<Vec<u8>> {
    options
        .iter()
        .find(|option| option.code == OptionCode(code))
        .map(|option| option.value[..usize::from(option.len)].to_vec())
}

fn ne_u64(bytes: Option<Vec<u8>>) -> Option<u64> {
    bytes.map(|bytes| u64::from_ne_bytes(bytes.try_into().expect("8-byte option")))
}

/// Parses a pcapng file.
pub fn read_pcapng(bytes: &[u8]) -> Pcapng {
    let mut reader =
        pcap_parser::PcapNGReader::new(1 << 20, bytes).expect("a pcapng section header");
    let mut file = Pcapng::default();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => file.sections += 1,
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        file.interfaces.push(Idb {
                            linktype: idb.linktype.0,
                            name: idb.if_name().expect("if_name").expect("utf-8").to_string(),
                            ts_resolution: idb.ts_resolution(),
                        })
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => file.packets.push(Epb {
                        interface: epb.if_id,
                        ts_units: (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low),
                        orig_len: epb.origlen,
                        data: epb.data[..epb.caplen as usize].to_vec(),
                        flags: option_bytes(&epb.options, 2)
                            .map(|v| u32::from_ne_bytes(v.try_into().expect("4-byte flags"))),
                        comment: option_bytes(&epb.options, 1)
                            .map(|v| String::from_utf8(v).expect("utf-8 comment")),
                    }),
                    PcapBlockOwned::NG(Block::InterfaceStatistics(isb)) => {
                        file.statistics.push(Isb {
                            interface: isb.if_id,
                            received: ne_u64(option_bytes(&isb.options, 4)),
                            os_dropped: ne_u64(option_bytes(&isb.options, 7)),
                        })
                    }
                    _ => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().expect("refill"),
            Err(err) => panic!("pcapng parse error: {err:?}"),
        }
    }
    file
}

/// Parses a pcapng file on disk.
pub fn read_pcapng_file(path: &Path) -> Pcapng {
    read_pcapng(&std::fs::read(path).expect("output file exists"))
}

/// tshark, which the tests require (`.ci/run` installs Debian's tshark).
pub fn tshark() -> Command {
    let found = Command::new("tshark")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false);
    assert!(
        found,
        "these tests need tshark to check zcap's files; install it (apt-get install tshark)"
    );
    let mut command = Command::new("tshark");
    // Keep tshark away from the user's profile, so every host decodes alike.
    command.env("WIRESHARK_CONFIG_DIR", std::env::temp_dir());
    command
}

/// `tshark -r file -T fields -e ...`, one Vec of fields per packet.
pub fn tshark_fields(path: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut command = tshark();
    command
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-E", "separator=|"]);
    for field in fields {
        command.args(["-e", field]);
    }
    let output = command.output().expect("tshark runs");
    assert!(
        output.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| line.split('|').map(str::to_string).collect())
        .collect()
}
