//! The options as clap sees them. Short options mean what they mean in
//! tcpdump, tshark and dumpcap (see [`HABITS`]); net-capture.py's
//! `-p PORT`, `-t TYPE`, `-c` and `-C` live on as long options.

use std::net::{IpAddr, Ipv6Addr};
use std::path::PathBuf;

use clap::Parser;

use super::Autostop;
use crate::error::EXIT_CODES_HELP;
use crate::link::LinkRule;
use crate::output::rotation::RingOption;
use crate::output::Format;
use crate::shell::Endpoint;
use crate::summary::TimeFormat;

const ABOUT: &str = "Receive Zephyr network captures and write pcapng or a live Wireshark feed";

const EXAMPLES: &str = "\
Examples:
  zcap -w capture.pcapng                       listen on [::]:4242, write pcapng
  zcap -w - | wireshark -k -i -                live view in Wireshark
  zcap -D                                      list what zcap can read here
  zcap -i zeth --tunnel-less -w capture.pcapng decapsulate on the TAP, no kernel tunnels
  zcap --shell /dev/ttyACM0 -w capture.pcapng  set the capture up over the device's shell
  zcap -r zeth.pcap -w frames.pcapng           decapsulate a recorded tunnel capture
  ssh lab tcpdump -U -w - -i eth0 | zcap -r - -w - | wireshark -k -i -
                                               decapsulate a remote capture live
  zcap -c 100 -f 'icmp6 or arp' -w pings.pcapng
                                               stop after 100 frames that match the filter
  zcap --serial /dev/ttyACM0 --baud 921600 -w capture.pcapng
                                               a device's capture stream over its UART";

/// How zcap's short options relate to the tools people type them for.
pub const HABITS: &str = "\
Short options as in tcpdump, tshark and dumpcap:
  -i -r -w -c -s -f -D -q -a -b -F   as there (-r - reads standard input)
  -P   print packet lines while writing a file (tshark; dumpcap's -P 'pcap' is -F pcap)
  -t   time format of packet lines (tshark): r, d, e, u, ud
  -y   link type (tcpdump/dumpcap): eth, sll, sll2, raw, auto
  -n, -p   accepted: zcap resolves no names and sets no promiscuous mode
net-capture.py's options that clash are long options now:
  -p PORT -> --port PORT    -t TYPE -> --link TYPE
  -c -> --link sll          -C -> --link sll2";

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "zcap",
    version,
    about = ABOUT,
    after_help = format!("{HABITS}\n\n{EXAMPLES}\n\n{EXIT_CODES_HELP}")
)]
pub struct Args {
    /// Source: a tunnel end or `any` (UDP), the interface carrying the
    /// tunnel (with --tunnel-less), or a serial port (/dev/ttyACM0, as
    /// --serial). zcap -D lists them.
    #[arg(
        short = 'i',
        long = "interface",
        value_name = "IFACE",
        help_heading = "Input"
    )]
    pub interface: Option<String>,

    /// Read a pcap/pcapng capture of the interface carrying the tunnel and
    /// decapsulate it; - reads standard input (ssh host tcpdump -U -w - |
    /// zcap -r -).
    #[arg(
        short = 'r',
        long = "read",
        value_name = "FILE",
        conflicts_with = "tunnel_less",
        help_heading = "Input"
    )]
    pub read: Option<PathBuf>,

    /// Read the interface carrying the tunnel (e.g. the zeth TAP) with a
    /// packet socket and take the tunnel apart in user space (needs
    /// CAP_NET_RAW).
    #[arg(long = "tunnel-less", requires = "interface", help_heading = "Input")]
    pub tunnel_less: bool,

    /// Read the capture stream of a device without a second network link
    /// from a serial port or pty, or from a file holding a recorded stream
    /// (-i /dev/tty... does the same; -s is the snap length, as in tcpdump).
    #[arg(long = "serial", value_name = "PATH", help_heading = "Input")]
    pub serial: Option<PathBuf>,

    /// Baud rate of the serial port or device shell [default: 115200]; a
    /// pty ignores it.
    #[arg(long = "baud", value_name = "N", help_heading = "Input")]
    pub baud: Option<u32>,

    /// UDP port to listen on; with --tunnel-less or -r, the inner UDP port
    /// to accept. Repeat for several ports. Port 0 picks a free port.
    /// (net-capture.py's -p.)
    #[arg(long = "port", value_name = "PORT", help_heading = "Input")]
    pub ports: Vec<u16>,

    /// Local address to listen on (UDP mode); :: is dual-stack.
    #[arg(long = "listen", value_name = "ADDR", default_value_t = IpAddr::V6(Ipv6Addr::UNSPECIFIED), help_heading = "Input")]
    pub listen: IpAddr,

    /// Accept only frames from this device (inner source) address;
    /// repeatable.
    #[arg(long = "device", value_name = "ADDR", help_heading = "Input")]
    pub devices: Vec<IpAddr>,

    /// List the sources zcap can read here and exit.
    #[arg(short = 'D', long = "list-interfaces", help_heading = "Input")]
    pub list_sources: bool,

    /// Keep only frames that match this capture filter (pcap-filter
    /// syntax, the device library's subset: zcap and the device read an
    /// expression the same way).
    #[arg(
        short = 'f',
        long = "filter",
        value_name = "EXPR",
        help_heading = "Filter and link type"
    )]
    pub filter: Option<String>,

    /// Link type of the frames: auto (default), eth, sll, sll2 or raw, for
    /// all frames or per port (PORT=TYPE) or per device (ADDR=TYPE);
    /// repeatable.
    #[arg(
        short = 'y',
        long = "link",
        value_name = "[PORT=|ADDR=]TYPE",
        help_heading = "Filter and link type"
    )]
    pub links: Vec<LinkRule>,

    /// Frames are SLL v1 (same as --link sll; net-capture.py's -c).
    #[arg(
        long = "cooked-sllv1",
        conflicts_with = "sll2",
        help_heading = "Filter and link type"
    )]
    pub sll1: bool,

    /// Frames are SLL v2 (same as --link sll2; net-capture.py's -C).
    #[arg(long = "cooked-sllv2", help_heading = "Filter and link type")]
    pub sll2: bool,

    /// Rewrite the byte-swapped interface index of SLL2 headers sent by the
    /// old C implementation in network order.
    #[arg(long = "repair-sll2", help_heading = "Filter and link type")]
    pub repair_sll2: bool,

    /// Write the capture to FILE, or to standard output with -w -.
    #[arg(
        short = 'w',
        long = "write",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub write: Option<String>,

    /// File format.
    #[arg(short = 'F', long = "format", value_enum, default_value_t = Format::Pcapng, help_heading = "Output")]
    pub format: Format,

    /// Ring buffer, as dumpcap: duration:SECS, filesize:KB, files:N,
    /// packets:N; repeatable.
    #[arg(
        short = 'b',
        long = "ring-buffer",
        value_name = "KEY:VALUE",
        help_heading = "Output"
    )]
    pub ring: Vec<RingOption>,

    /// Keep at most this many bytes of each frame (recorded in the
    /// interface blocks) [default: 262144].
    #[arg(
        short = 's',
        long = "snaplen",
        value_name = "BYTES",
        help_heading = "Output"
    )]
    pub snaplen: Option<u32>,

    /// Stop after N frames (that pass the filter).
    #[arg(
        short = 'c',
        long = "count",
        value_name = "N",
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Output"
    )]
    pub count: Option<u64>,

    /// Stop after packets:N frames or duration:SECS; repeatable.
    #[arg(
        short = 'a',
        long = "autostop",
        value_name = "KEY:VALUE",
        help_heading = "Output"
    )]
    pub autostop: Vec<Autostop>,

    /// Quiet: no packet lines and no live counter; the summary at the end
    /// stays.
    #[arg(short = 'q', long = "quiet", help_heading = "Display")]
    pub quiet: bool,

    /// Print a line per packet even while writing a file (to standard error
    /// with -w -).
    #[arg(short = 'P', long = "print", help_heading = "Display")]
    pub print: bool,

    /// Time in packet lines: r relative to the first (default), d delta
    /// to the previous, e epoch, u UTC time, ud UTC date and time.
    #[arg(
        short = 't',
        long = "time-format",
        value_name = "FORMAT",
        default_value = "r",
        help_heading = "Display"
    )]
    pub time_format: TimeFormat,

    /// Accepted as in tcpdump and tshark: zcap never resolves names.
    #[arg(short = 'n', help_heading = "Display")]
    pub no_name_resolution: bool,

    /// Accepted as in tcpdump and tshark: zcap never puts an interface
    /// into promiscuous mode.
    #[arg(short = 'p', long = "no-promiscuous-mode", help_heading = "Input")]
    pub no_promiscuous: bool,

    /// Set the capture up through the Zephyr shell on this serial port or
    /// pty (net capture setup/enable), receive it tunnel-less on the host
    /// interface the device is reached over, and clean the device up at
    /// exit (net capture disable/cleanup).
    #[arg(long = "shell", value_name = "PATH", help_heading = "Device shell")]
    pub shell: Option<PathBuf>,

    /// The device's interface to capture (net capture enable N)
    /// [default: the interface holding the device's address].
    #[arg(
        long = "shell-iface",
        value_name = "INDEX",
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Device shell"
    )]
    pub shell_iface: Option<u32>,

    /// Outer address the device tunnels to [default: this host's address
    /// towards the device].
    #[arg(
        long = "setup-remote",
        value_name = "ADDR",
        help_heading = "Device shell"
    )]
    pub setup_remote: Option<IpAddr>,

    /// Inner address (and port) of the device's end of the tunnel
    /// [default: 2001:db8:200::1].
    #[arg(
        long = "setup-local",
        value_name = "ADDR[:PORT]",
        help_heading = "Device shell"
    )]
    pub setup_local: Option<Endpoint>,

    /// Inner address (and port) the captures are sent to
    /// [default: 2001:db8:200::2, port 4242].
    #[arg(
        long = "setup-peer",
        value_name = "ADDR[:PORT]",
        help_heading = "Device shell"
    )]
    pub setup_peer: Option<Endpoint>,

    /// Seconds to wait for each answer of the shell.
    #[arg(
        long = "shell-timeout",
        value_name = "SECS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=600),
        help_heading = "Device shell"
    )]
    pub shell_timeout: u64,

    /// List the extcap interfaces (Wireshark).
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

    /// Capture filter typed in Wireshark: checked (without --capture) or
    /// applied as -f.
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
