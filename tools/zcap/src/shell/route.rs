//! The host side of the tunnel: which of this host's addresses the device
//! should send to, and which interface carries the packets, found the way
//! the kernel would route towards the device.

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use nix::ifaddrs::getifaddrs;

use crate::link::canonical;

/// This host's source address towards `device` (the kernel's route
/// lookup; connecting a UDP socket sends nothing).
pub fn source_towards(device: IpAddr) -> io::Result<IpAddr> {
    let any: IpAddr = match device {
        IpAddr::V4(_) => IpAddr::from([0, 0, 0, 0]),
        IpAddr::V6(_) => IpAddr::from([0u16; 8]),
    };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0))?;
    // The discard port: any port routes the same.
    socket.connect(SocketAddr::new(device, 9))?;
    Ok(canonical(socket.local_addr()?.ip()))
}

/// The interface that holds `addr`, if one does.
pub fn interface_with(addr: IpAddr) -> Option<String> {
    let addresses = getifaddrs().ok()?;
    for entry in addresses {
        let Some(storage) = entry.address else {
            continue;
        };
        let found = storage
            .as_sockaddr_in()
            .map(|v4| IpAddr::V4(v4.ip()))
            .or_else(|| storage.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip())));
        if found == Some(addr) {
            return Some(entry.interface_name);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_reached_from_loopback() {
        let device: IpAddr = "127.0.0.1".parse().unwrap();
        let source = source_towards(device).unwrap();
        assert!(source.is_loopback(), "{source}");
        assert_eq!(interface_with(source).as_deref(), Some("lo"));
        assert_eq!(interface_with("192.0.2.254".parse().unwrap()), None);
    }
}
