//! `--shell`: zcap drives the Zephyr shell on a serial line (as ciscodump
//! drives a router's CLI) to set the capture up, receives it tunnel-less
//! on the host interface the device is reached over, and undoes the setup
//! at exit.
//!
//! - `protocol`: what the shell prints and what it means (pure, tested
//!   against Zephyr's own strings).
//! - `port`: the serial line: raw mode, paced writes, reads up to the
//!   prompt.
//! - `route`: the host side: which local address and interface reach the
//!   device.
//! - `session`: the sequence of commands and the undo on failure and exit.

mod port;
mod protocol;
mod route;
mod session;

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::cli::DEFAULT_PORT;

pub use session::Shell;

/// The device's inner address when none is given: the one Zephyr's
/// capture sample and net-tools' zeth-tunnel.conf use.
pub const DEFAULT_LOCAL: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x200, 0, 0, 0, 0, 1);
/// The inner peer address when none is given (see [`DEFAULT_LOCAL`]).
pub const DEFAULT_PEER: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x200, 0, 0, 0, 0, 2);

/// An inner tunnel end: an address and, optionally, a UDP port, written
/// as `net capture setup` takes it (`2001:db8::1`, `[2001:db8::1]:4242`,
/// `192.0.2.1:4242`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The address.
    pub addr: IpAddr,
    /// The UDP port; the device's default (4242) when `None`.
    pub port: Option<u16>,
}

impl FromStr for Endpoint {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Ok(addr) = text.parse::<IpAddr>() {
            return Ok(Endpoint { addr, port: None });
        }
        text.parse::<SocketAddr>()
            .map(|socket| Endpoint {
                addr: socket.ip(),
                port: Some(socket.port()),
            })
            .map_err(|_| {
                format!("'{text}' is not ADDR or ADDR:PORT (IPv6 with a port: [2001:db8::1]:4242)")
            })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.addr, self.port) {
            (addr, None) => write!(f, "{addr}"),
            (IpAddr::V6(v6), Some(port)) => write!(f, "[{v6}]:{port}"),
            (IpAddr::V4(v4), Some(port)) => write!(f, "{v4}:{port}"),
        }
    }
}

/// What `--shell` and its options ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellOptions {
    /// The serial port or pty of the device's shell.
    pub path: PathBuf,
    /// Its baud rate.
    pub baud: u32,
    /// The host interface to read (`-i`); found from the route to the
    /// device when `None`.
    pub host_interface: Option<String>,
    /// The device's interface to capture; the one holding the device's
    /// address when `None`.
    pub device_iface: Option<u32>,
    /// The outer address the device tunnels to; this host's address
    /// towards the device when `None`.
    pub remote: Option<IpAddr>,
    /// The device's inner end.
    pub local: Endpoint,
    /// The inner end captures are sent to.
    pub peer: Endpoint,
    /// How long each answer of the shell may take.
    pub timeout: Duration,
}

impl ShellOptions {
    /// The inner UDP port the captures arrive on.
    pub fn peer_port(&self) -> u16 {
        self.peer.port.unwrap_or(DEFAULT_PORT)
    }

    /// The device's inner address: the source of every capture datagram.
    pub fn local_addr(&self) -> IpAddr {
        crate::link::canonical(self.local.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_read_and_print_as_the_shell_takes_them() {
        for text in [
            "2001:db8::1",
            "[2001:db8::1]:4243",
            "192.0.2.1:9000",
            "192.0.2.1",
        ] {
            let endpoint: Endpoint = text.parse().unwrap();
            assert_eq!(endpoint.to_string(), text);
        }
        assert_eq!(
            "[2001:db8::2]:4243".parse::<Endpoint>().unwrap().port,
            Some(4243)
        );
        assert!("zeth".parse::<Endpoint>().is_err());
        assert!("2001:db8::1:99999".parse::<Endpoint>().is_err());
    }
}
