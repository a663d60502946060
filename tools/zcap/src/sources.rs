//! `-D`: the sources zcap can read on this host, as dumpcap and tshark
//! list interfaces. Network interfaces come from `/sys/class/net`, serial
//! ports from `/dev`; each line says how to read the source.

use std::fs;
use std::path::Path;

use crate::cli::DEFAULT_PORT;

/// ARPHRD_ types (linux/if_arp.h) that tell a tunnel end from a carrier.
mod arphrd {
    pub const ETHER: u16 = 1;
    pub const TUNNEL: u16 = 768;
    pub const TUNNEL6: u16 = 769;
    pub const LOOPBACK: u16 = 772;
    pub const SIT: u16 = 776;
}

/// What a network interface is, for capture purposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterfaceKind {
    /// The host end of a kernel tunnel (ipip, sit, ip6tnl): the kernel
    /// decapsulates, zcap receives UDP on it.
    Tunnel(&'static str),
    /// A TAP device: Ethernet frames of an emulator or a board's link.
    Tap,
    /// An Ethernet interface.
    Ethernet,
    /// The loopback interface.
    Loopback,
    /// Anything else (PPP, TUN, ...), readable with a packet socket.
    Other(u16),
}

impl InterfaceKind {
    /// Whether the kernel terminates the capture tunnel on it.
    pub fn is_tunnel(self) -> bool {
        matches!(self, InterfaceKind::Tunnel(_))
    }
}

/// A network interface of this host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetInterface {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: InterfaceKind,
}

/// The network interfaces of this host, by name.
pub fn network_interfaces() -> Vec<NetInterface> {
    let mut found: Vec<NetInterface> = fs::read_dir("/sys/class/net")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter_map(|name| interface_kind(&name).map(|kind| NetInterface { name, kind }))
                .collect()
        })
        .unwrap_or_default();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// What the interface `name` is; `None` when it does not exist.
pub fn interface_kind(name: &str) -> Option<InterfaceKind> {
    let dir = Path::new("/sys/class/net").join(name);
    let hatype: u16 = fs::read_to_string(dir.join("type"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(match hatype {
        arphrd::TUNNEL => InterfaceKind::Tunnel("IPv4-in-IPv4 tunnel (ipip)"),
        arphrd::SIT => InterfaceKind::Tunnel("IPv6-in-IPv4 tunnel (sit)"),
        arphrd::TUNNEL6 => InterfaceKind::Tunnel("IP-in-IPv6 tunnel (ip6tnl)"),
        arphrd::LOOPBACK => InterfaceKind::Loopback,
        // TUN/TAP devices have tun_flags; a TAP is an Ethernet one.
        arphrd::ETHER if dir.join("tun_flags").exists() => InterfaceKind::Tap,
        arphrd::ETHER => InterfaceKind::Ethernet,
        other => InterfaceKind::Other(other),
    })
}

/// Packets received on `name` so far (its kernel counter), if readable.
pub fn received_packets(name: &str) -> Option<u64> {
    let path = Path::new("/sys/class/net")
        .join(name)
        .join("statistics/rx_packets");
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Serial ports present now: stable names first, then the kernel's, then
/// pseudo-terminals (an emulator's serial port is one).
pub fn serial_ports(with_ptys: bool) -> Vec<String> {
    let list = |dir: &str, wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
        let mut found: Vec<String> = fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .filter(|name| wanted(name))
                    .map(|name| format!("{dir}/{name}"))
                    // Braces would end a value in the extcap syntax.
                    .filter(|path| !path.contains(['{', '}']))
                    .collect()
            })
            .unwrap_or_default();
        found.sort_by_key(|path| natural_key(path));
        found
    };
    let mut ports = list("/dev/serial/by-id", &|_| true);
    ports.extend(list("/dev", &|name| {
        name.starts_with("ttyACM") || name.starts_with("ttyUSB")
    }));
    if with_ptys {
        ports.extend(list("/dev/pts", &|name| {
            name.bytes().all(|b| b.is_ascii_digit())
        }));
    }
    ports
}

/// Sorts `/dev/pts/10` after `/dev/pts/9`.
fn natural_key(path: &str) -> (String, u64) {
    let digits = path.len() - path.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = path.split_at(path.len() - digits);
    (stem.to_string(), number.parse().unwrap_or(0))
}

/// One line of `-D`: a name to pass to `-i` and what zcap does with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// What to pass to `-i`.
    pub name: String,
    /// What it is and the command that reads it.
    pub description: String,
}

/// Everything zcap can read here, in the order `-D` lists it: tunnel
/// ends, UDP on every interface, carriers for `--tunnel-less`, serial
/// ports.
pub fn list() -> Vec<Source> {
    let interfaces = network_interfaces();
    let mut sources: Vec<Source> = interfaces
        .iter()
        .filter_map(|interface| match interface.kind {
            InterfaceKind::Tunnel(what) => Some(Source {
                name: interface.name.clone(),
                description: format!(
                    "{what}, UDP port {DEFAULT_PORT} at its end: zcap -i {}",
                    interface.name
                ),
            }),
            _ => None,
        })
        .collect();
    sources.push(Source {
        name: "any".to_string(),
        description: format!(
            "UDP port {DEFAULT_PORT} on every interface, the end of kernel tunnels: zcap (or zcap -i any)"
        ),
    });
    sources.extend(interfaces.iter().filter_map(|interface| {
        let what = match interface.kind {
            InterfaceKind::Tunnel(_) => return None,
            InterfaceKind::Tap => "TAP".to_string(),
            InterfaceKind::Ethernet => "Ethernet".to_string(),
            InterfaceKind::Loopback => "loopback".to_string(),
            InterfaceKind::Other(hatype) => format!("link type {hatype}"),
        };
        Some(Source {
            name: interface.name.clone(),
            description: format!(
                "{what}, carries the tunnel encapsulated: zcap -i {} --tunnel-less",
                interface.name
            ),
        })
    }));
    sources.extend(serial_ports(true).into_iter().map(|path| {
        let what = if path.starts_with("/dev/pts/") {
            "pseudo-terminal (an emulator's serial port)"
        } else {
            "serial port"
        };
        Source {
            description: format!(
                "{what}: zcap -i {path} (capture stream), zcap --shell {path} (device shell)"
            ),
            name: path,
        }
    }));
    sources
}

/// The `-D` text: `1. name (description)` per line, as tshark prints.
pub fn render(sources: &[Source]) -> String {
    sources
        .iter()
        .enumerate()
        .map(|(index, source)| format!("{}. {} ({})\n", index + 1, source.name, source.description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_like_tshark() {
        let text = render(&[
            Source {
                name: "zeth".into(),
                description: "TAP".into(),
            },
            Source {
                name: "/dev/ttyACM0".into(),
                description: "serial port".into(),
            },
        ]);
        assert_eq!(text, "1. zeth (TAP)\n2. /dev/ttyACM0 (serial port)\n");
    }

    #[test]
    fn loopback_is_listed_as_a_carrier_and_any_as_udp() {
        let sources = list();
        let lo = sources.iter().find(|s| s.name == "lo").expect("lo listed");
        assert!(
            lo.description.ends_with("zcap -i lo --tunnel-less"),
            "{lo:?}"
        );
        let any = sources.iter().position(|s| s.name == "any").unwrap();
        let lo_at = sources.iter().position(|s| s.name == "lo").unwrap();
        assert!(any < lo_at, "tunnel ends and UDP come first");
        assert_eq!(interface_kind("lo"), Some(InterfaceKind::Loopback));
        assert_eq!(interface_kind("no-such-if0"), None);
    }

    #[test]
    fn pty_numbers_sort_naturally() {
        let mut paths = vec!["/dev/pts/10", "/dev/pts/9", "/dev/pts/1"];
        paths.sort_by_key(|path| natural_key(path));
        assert_eq!(paths, ["/dev/pts/1", "/dev/pts/9", "/dev/pts/10"]);
    }
}
