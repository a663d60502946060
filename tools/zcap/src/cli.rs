//! The command line: options after tcpdump, tshark and dumpcap (and
//! net-capture.py's, as long options), and the checks that turn them into
//! one consistent request.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use crate::capture_filter::CaptureFilter;
use crate::error::Fatal;
use crate::link::{canonical, LinkChoice, LinkRules, LinkType};
use crate::output::rotation::Ring;
use crate::output::{Format, Target};
use crate::shell::ShellOptions;
use crate::summary::TimeFormat;

pub use args::Args;

/// The default capture port of Zephyr's `net capture setup`.
pub const DEFAULT_PORT: u16 = 4242;
/// The default baud rate of a serial capture stream.
pub const DEFAULT_BAUD: u32 = 115_200;

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
    /// A capture file, or standard input for `-`.
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
    /// A device whose capture zcap sets up through its shell, received
    /// tunnel-less.
    Shell(Box<ShellOptions>),
}

/// What the user asked for.
pub enum Request {
    /// `-D`: list the sources.
    ListSources,
    /// Print extcap interfaces.
    ExtcapInterfaces,
    /// Print extcap link types.
    ExtcapDlts(Option<String>),
    /// Print the extcap config dialog.
    ExtcapConfig(Option<String>),
    /// Check a capture filter typed in Wireshark.
    ExtcapFilterCheck {
        /// The extcap interface.
        interface: Option<String>,
        /// The expression.
        filter: String,
    },
    /// Capture.
    Capture(Box<Config>),
}

/// Where packet lines go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// Nowhere.
    Off,
    /// Standard output.
    Stdout,
    /// Standard error (the capture itself goes to standard output).
    Stderr,
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
    /// The capture filter.
    pub filter: Option<CaptureFilter>,
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
    /// Packet lines.
    pub lines: Lines,
    /// Their time column.
    pub time_format: TimeFormat,
    /// No live counter.
    pub quiet: bool,
    /// Repair legacy SLL2 headers.
    pub repair_sll2: bool,
    /// Running as a Wireshark extcap: no terminal output.
    pub extcap: bool,
}

impl Args {
    /// Checks the arguments and turns them into a request.
    pub fn into_request(self) -> Result<Request, Fatal> {
        if self.list_sources {
            return Ok(Request::ListSources);
        }
        if self.extcap_interfaces {
            return Ok(Request::ExtcapInterfaces);
        }
        if self.extcap_dlts {
            return Ok(Request::ExtcapDlts(self.extcap_interface));
        }
        if self.extcap_config {
            return Ok(Request::ExtcapConfig(self.extcap_interface));
        }
        // Wireshark checks a typed filter with the interface and the
        // filter alone, and waits for the answer.
        if !self.capture {
            if let Some(filter) = &self.extcap_capture_filter {
                return Ok(Request::ExtcapFilterCheck {
                    interface: self.extcap_interface,
                    filter: filter.clone(),
                });
            }
        }
        let extcap = self.capture;
        let filter = self.capture_filter()?;
        let source = self.source()?;
        if extcap {
            crate::extcap::check_capture(self.extcap_interface.as_deref(), &source)?;
        }
        let target = match (&self.fifo, self.write.as_deref()) {
            (Some(fifo), _) if extcap => Target::Fifo(fifo.clone()),
            (_, Some("-")) => Target::Stdout,
            (_, Some(path)) => Target::File(PathBuf::from(path)),
            (_, None) => Target::Nothing,
        };
        if matches!(&source, Source::Offline { path } if path.as_os_str() == "-")
            && target == Target::Nothing
            && !self.print
        {
            // Reading a pipe with nothing to write or show is a mistake.
            return Err(Fatal::usage(
                "-r - reads a capture from standard input: pass -w FILE or -w - to write the frames, or -P to show them",
            ));
        }
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
        let ports = match &source {
            Source::Shell(shell) => vec![shell.peer_port()],
            _ if self.ports.is_empty() => vec![DEFAULT_PORT],
            _ => self.ports.clone(),
        };
        if !matches!(source, Source::Udp { .. }) && ports.contains(&0) {
            return Err(Fatal::usage(
                "--port 0 only makes sense when listening; name the inner UDP port with --port",
            ));
        }
        let default = if self.sll1 {
            LinkChoice::Fixed(LinkType::Sll)
        } else if self.sll2 {
            LinkChoice::Fixed(LinkType::Sll2)
        } else {
            LinkChoice::Auto
        };
        let stop_after_packets = self
            .autostop
            .iter()
            .rev()
            .find_map(|stop| match stop {
                Autostop::Packets(count) => Some(*count),
                Autostop::Duration(_) => None,
            })
            .into_iter()
            .chain(self.count)
            .min();
        let stop_after_secs = self.autostop.iter().rev().find_map(|stop| match stop {
            Autostop::Duration(secs) => Some(*secs),
            Autostop::Packets(_) => None,
        });
        let lines = if self.quiet || extcap || (target != Target::Nothing && !self.print) {
            Lines::Off
        } else if target == Target::Stdout {
            Lines::Stderr
        } else {
            Lines::Stdout
        };
        let mut devices: Vec<IpAddr> = self.devices.iter().copied().map(canonical).collect();
        if let Source::Shell(shell) = &source {
            devices.push(shell.local_addr());
        }
        Ok(Request::Capture(Box::new(Config {
            source,
            ports,
            devices,
            links: LinkRules::new(self.links, default),
            filter,
            target,
            format: self.format,
            ring,
            snaplen: self.snaplen.unwrap_or(0),
            stop_after_packets,
            stop_after_secs,
            lines,
            time_format: self.time_format,
            quiet: self.quiet || extcap,
            repair_sll2: self.repair_sll2,
            extcap,
        })))
    }

    /// `-f`, or the filter Wireshark passes to a capture.
    fn capture_filter(&self) -> Result<Option<CaptureFilter>, Fatal> {
        let text = match (&self.filter, &self.extcap_capture_filter) {
            (Some(_), Some(_)) if self.capture => {
                return Err(Fatal::usage(
                    "-f and --extcap-capture-filter both give a filter; pass one",
                ))
            }
            (Some(text), _) => text,
            (None, Some(text)) if self.capture => text,
            _ => return Ok(None),
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        CaptureFilter::parse(text)
            .map(Some)
            .map_err(|error| Fatal::usage(format!("capture filter '{text}': {error}")))
    }

    /// Which source the options name.
    fn source(&self) -> Result<Source, Fatal> {
        if let Some(shell) = shell::source(self)? {
            return Ok(shell);
        }
        if let Some(serial) = serial::source(self)? {
            return Ok(serial);
        }
        let interface = self.interface.clone();
        if self.tunnel_less {
            return match interface.as_deref() {
                Some("any") | None => Err(Fatal::usage(
                    "--tunnel-less reads one interface; name it with -i (zcap -D lists them)",
                )),
                Some(name) => Ok(Source::TunnelLess {
                    interface: name.to_string(),
                }),
            };
        }
        if let Some(path) = &self.read {
            if interface.is_some() {
                return Err(Fatal::usage("-r and -i name two sources; pass only one"));
            }
            return Ok(Source::Offline { path: path.clone() });
        }
        let ports = if self.ports.is_empty() {
            vec![DEFAULT_PORT]
        } else {
            self.ports.clone()
        };
        Ok(Source::Udp {
            listen: self.listen,
            ports,
            // tshark's `any`: every interface.
            interface: interface.filter(|name| name != "any"),
        })
    }
}

mod args;
pub mod habits;
mod serial;
mod shell;
#[cfg(test)]
mod tests;
