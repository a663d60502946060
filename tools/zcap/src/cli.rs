//! The command line: options after dumpcap/tshark and net-capture.py, and
//! the checks that turn them into one consistent configuration.

use std::net::{IpAddr, Ipv6Addr};
use std::path::PathBuf;
use std::str::FromStr;

use clap::Parser;

use crate::error::{Fatal, EXIT_CODES_HELP};
use crate::link::{canonical, LinkChoice, LinkRule, LinkRules, LinkType};
use crate::output::rotation::{Ring, RingOption};
use crate::output::{Format, Target};

/// The default capture port of Zephyr's `net capture setup`.
pub const DEFAULT_PORT: u16 = 4242;
/// The default baud rate of a serial capture stream.
pub const DEFAULT_BAUD: u32 = 115_200;

const ABOUT: &str = "Receive Zephyr network captures and write pcapng or a live Wireshark feed";

const EXAMPLES: &str = "\
Examples:
  zcap -w capture.pcapng                       listen on [::]:4242, write pcapng
  zcap -w - | wireshark -k -i -                live view in Wireshark
  zcap -p 4242 -p 4243 --link 4243=sll2        two ports, the second one cooked (SLL2)
  zcap -i zeth --tunnel-less -w capture.pcapng decapsulate on the TAP, no kernel tunnels
  zcap -r zeth.pcap -w frames.pcapng           decapsulate a recorded tunnel capture
  zcap --serial /dev/ttyACM0 --baud 921600 -w capture.pcapng
                                               a device's capture stream over its UART
  zcap -w ring.pcapng -b filesize:10000 -b files:5";

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "zcap",
    version,
    about = ABOUT,
    after_help = format!("{EXAMPLES}\n\n{EXIT_CODES_HELP}")
)]
pub struct Args {
    /// UDP port to listen on; with --tunnel-less or -r, the inner UDP port to
    /// accept. Repeat for several ports. Port 0 picks a free port.
    #[arg(short = 'p', long = "port", value_name = "PORT")]
    pub ports: Vec<u16>,

    /// Network interface: receive only on it (UDP mode, like net-capture.py),
    /// or read the tunnel from it (--tunnel-less). The path of a serial
    /// device (/dev/ttyACM0) reads its capture stream, as --serial does.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Option<String>,

    /// Read the capture stream of a device without a second network link
    /// from a serial port or pty (e.g. /dev/ttyACM0, /dev/pts/3), or from a
    /// file holding a recorded stream.
    #[arg(long = "serial", value_name = "PATH")]
    pub serial: Option<PathBuf>,

    /// Baud rate of the serial port [default: 115200]; a pty ignores it.
    #[arg(long = "baud", value_name = "N")]
    pub baud: Option<u32>,

    /// Read the interface carrying the tunnel (e.g. the zeth TAP) with a
    /// packet socket and take the tunnel apart in user space (needs
    /// CAP_NET_RAW).
    #[arg(long = "tunnel-less", requires = "interface")]
    pub tunnel_less: bool,

    /// Read a pcap/pcapng file recorded on the interface carrying the tunnel
    /// and decapsulate it.
    #[arg(
        short = 'r',
        long = "read",
        value_name = "FILE",
        conflicts_with = "tunnel_less"
    )]
    pub read: Option<PathBuf>,

    /// Local address to listen on (UDP mode); :: is dual-stack.
    #[arg(long = "listen", value_name = "ADDR", default_value_t = IpAddr::V6(Ipv6Addr::UNSPECIFIED))]
    pub listen: IpAddr,

    /// Accept only frames from this device (inner source) address; repeatable.
    #[arg(long = "device", value_name = "ADDR")]
    pub devices: Vec<IpAddr>,

    /// Link type of the frames: eth, sll, sll2, raw or auto, for all frames
    /// or per port (PORT=TYPE) or per device (ADDR=TYPE); repeatable.
    /// net-capture.py's -t names (Ether, CookedLinux, CookedLinuxV2) work too.
    #[arg(short = 't', long = "link", value_name = "[PORT=|ADDR=]TYPE")]
    pub links: Vec<LinkRule>,

    /// Frames are SLL v1 (same as --link sll).
    #[arg(short = 'c', long = "cooked-sllv1", conflicts_with = "sll2")]
    pub sll1: bool,

    /// Frames are SLL v2 (same as --link sll2).
    #[arg(short = 'C', long = "cooked-sllv2")]
    pub sll2: bool,

    /// Rewrite the byte-swapped interface index of SLL2 headers sent by the
    /// old C implementation in network order.
    #[arg(long = "repair-sll2")]
    pub repair_sll2: bool,

    /// Write the capture to FILE, or to standard output with -w -.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<String>,

    /// File format.
    #[arg(short = 'F', long = "format", value_enum, default_value_t = Format::Pcapng)]
    pub format: Format,

    /// Ring buffer, as dumpcap: duration:SECS, filesize:KB, files:N,
    /// packets:N; repeatable.
    #[arg(short = 'b', long = "ring-buffer", value_name = "KEY:VALUE")]
    pub ring: Vec<RingOption>,

    /// Keep at most this many bytes of each frame.
    #[arg(short = 's', long = "snaplen", value_name = "BYTES")]
    pub snaplen: Option<u32>,

    /// Stop after packets:N frames received or duration:SECS; repeatable.
    #[arg(short = 'a', long = "autostop", value_name = "KEY:VALUE")]
    pub autostop: Vec<Autostop>,

    /// No line per packet (the live counter stays, on a terminal).
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,

    /// List the extcap interface (Wireshark).
    #[arg(long = "extcap-interfaces", help_heading = "Wireshark extcap")]
    pub extcap_interfaces: bool,

    /// The extcap interface Wireshark asks about.
    #[arg(
        long = "extcap-interface",
        value_name = "NAME",
        help_heading = "Wireshark extcap"
    )]
    pub extcap_interface: Option<String>,

    /// List the link types of the extcap interface.
    #[arg(long = "extcap-dlts", help_heading = "Wireshark extcap")]
    pub extcap_dlts: bool,

    /// Print the extcap configuration dialog.
    #[arg(long = "extcap-config", help_heading = "Wireshark extcap")]
    pub extcap_config: bool,

    /// Wireshark's version (accepted, not needed).
    #[arg(
        long = "extcap-version",
        value_name = "VERSION",
        help_heading = "Wireshark extcap"
    )]
    pub extcap_version: Option<String>,

    /// Start an extcap capture into --fifo.
    #[arg(long = "capture", requires = "fifo", help_heading = "Wireshark extcap")]
    pub capture: bool,

    /// The fifo Wireshark reads the capture from.
    #[arg(long = "fifo", value_name = "PATH", help_heading = "Wireshark extcap")]
    pub fifo: Option<PathBuf>,

    /// Capture filter typed in Wireshark (not supported; ignored with a warning).
    #[arg(
        long = "extcap-capture-filter",
        value_name = "FILTER",
        help_heading = "Wireshark extcap"
    )]
    pub extcap_capture_filter: Option<String>,

    /// Extcap control pipe from Wireshark (unused).
    #[arg(
        long = "extcap-control-in",
        value_name = "PATH",
        help_heading = "Wireshark extcap"
    )]
    pub extcap_control_in: Option<PathBuf>,

    /// Extcap control pipe to Wireshark (unused).
    #[arg(
        long = "extcap-control-out",
        value_name = "PATH",
        help_heading = "Wireshark extcap"
    )]
    pub extcap_control_out: Option<PathBuf>,
}

/// One `-a KEY:VALUE` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Autostop {
    /// Stop after this many frames.
    Packets(u64),
    /// Stop after this many seconds.
    Duration(u64),
}

impl FromStr for Autostop {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (key, value) = text
            .split_once(':')
            .ok_or_else(|| format!("'{text}' is not KEY:VALUE; e.g. -a packets:100"))?;
        let number = value
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("'{value}' in -a {key} must be a positive number"))?;
        match key {
            "packets" => Ok(Autostop::Packets(number)),
            "duration" => Ok(Autostop::Duration(number)),
            _ => Err(format!(
                "unknown autostop key '{key}'; use packets or duration"
            )),
        }
    }
}

/// What to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// UDP sockets.
    Udp {
        /// Local address.
        listen: IpAddr,
        /// Ports.
        ports: Vec<u16>,
        /// SO_BINDTODEVICE interface.
        interface: Option<String>,
    },
    /// A packet socket on an interface.
    TunnelLess {
        /// The interface.
        interface: String,
    },
    /// A capture file.
    Offline {
        /// Its path.
        path: PathBuf,
    },
    /// A capture stream on a serial port (or in a file).
    Serial {
        /// The port.
        path: PathBuf,
        /// Its baud rate.
        baud: u32,
    },
}

/// What the user asked for.
pub enum Request {
    /// Print extcap interfaces.
    ExtcapInterfaces,
    /// Print extcap link types.
    ExtcapDlts(Option<String>),
    /// Print the extcap config dialog.
    ExtcapConfig(Option<String>),
    /// Capture.
    Capture(Box<Config>),
}

/// A consistent capture configuration.
pub struct Config {
    /// Input.
    pub source: Source,
    /// Inner UDP ports to accept (tunnel-less and offline).
    pub ports: Vec<u16>,
    /// Device addresses to accept; empty accepts all.
    pub devices: Vec<IpAddr>,
    /// Link type rules.
    pub links: LinkRules,
    /// Output.
    pub target: Target,
    /// File format.
    pub format: Format,
    /// Rotation.
    pub ring: Ring,
    /// Snap length; 0 for none.
    pub snaplen: u32,
    /// Stop after this many frames.
    pub stop_after_packets: Option<u64>,
    /// Stop after this many seconds.
    pub stop_after_secs: Option<u64>,
    /// No per-packet lines, no counter.
    pub quiet: bool,
    /// Repair legacy SLL2 headers.
    pub repair_sll2: bool,
    /// Running as a Wireshark extcap: no terminal output.
    pub extcap: bool,
}

impl Args {
    /// Checks the arguments and turns them into a request.
    pub fn into_request(self) -> Result<Request, Fatal> {
        if self.extcap_interfaces {
            return Ok(Request::ExtcapInterfaces);
        }
        if self.extcap_dlts {
            return Ok(Request::ExtcapDlts(self.extcap_interface));
        }
        if self.extcap_config {
            return Ok(Request::ExtcapConfig(self.extcap_interface));
        }
        let extcap = self.capture;
        let serial = serial::source(&self)?;
        if extcap {
            crate::extcap::check_capture(self.extcap_interface.as_deref(), serial.is_some())?;
            if let Some(filter) = self
                .extcap_capture_filter
                .as_deref()
                .filter(|f| !f.is_empty())
            {
                eprintln!(
                    "zcap: capture filter '{filter}' ignored; use a display filter in Wireshark"
                );
            }
        }
        let target = match (&self.fifo, self.write.as_deref()) {
            (Some(fifo), _) if extcap => Target::Fifo(fifo.clone()),
            (_, Some("-")) => Target::Stdout,
            (_, Some(path)) => Target::File(PathBuf::from(path)),
            (_, None) => Target::Nothing,
        };
        let ring = Ring::from_options(&self.ring);
        if !self.ring.is_empty() && !matches!(target, Target::File(_)) {
            return Err(Fatal::usage(
                "-b needs a file to rotate; pass -w FILE (not -w -)",
            ));
        }
        if ring.files.is_some() && !ring.rotates() {
            return Err(Fatal::usage(
                "-b files:N needs a switch condition; add -b duration:SECS, -b filesize:KB or -b packets:N",
            ));
        }
        let mut ports = self.ports.clone();
        if ports.is_empty() {
            ports.push(crate::cli::DEFAULT_PORT);
        }
        let source = if let Some(serial) = serial {
            serial
        } else if self.tunnel_less {
            Source::TunnelLess {
                interface: self.interface.clone().unwrap_or_default(),
            }
        } else if let Some(path) = &self.read {
            Source::Offline { path: path.clone() }
        } else {
            Source::Udp {
                listen: self.listen,
                ports: ports.clone(),
                interface: self.interface.clone(),
            }
        };
        if !matches!(source, Source::Udp { .. }) && ports.contains(&0) {
            return Err(Fatal::usage(
                "-p 0 only makes sense when listening; name the inner UDP port with -p",
            ));
        }
        let default = if self.sll1 {
            LinkChoice::Fixed(LinkType::Sll)
        } else if self.sll2 {
            LinkChoice::Fixed(LinkType::Sll2)
        } else {
            LinkChoice::Fixed(LinkType::Ethernet)
        };
        let stop_after_packets = self.autostop.iter().rev().find_map(|stop| match stop {
            Autostop::Packets(count) => Some(*count),
            Autostop::Duration(_) => None,
        });
        let stop_after_secs = self.autostop.iter().rev().find_map(|stop| match stop {
            Autostop::Duration(secs) => Some(*secs),
            Autostop::Packets(_) => None,
        });
        Ok(Request::Capture(Box::new(Config {
            source,
            ports,
            devices: self.devices.iter().copied().map(canonical).collect(),
            links: LinkRules::new(self.links, default),
            target,
            format: self.format,
            ring,
            snaplen: self.snaplen.unwrap_or(0),
            stop_after_packets,
            stop_after_secs,
            quiet: self.quiet || extcap,
            repair_sll2: self.repair_sll2,
            extcap,
        })))
    }
}

mod serial;
#[cfg(test)]
mod tests;
