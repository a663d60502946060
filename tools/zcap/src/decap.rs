//! Tunnel-less decapsulation: from an outer IPv4/IPv6 packet carrying
//! IPv4-in-IP (protocol 4) or IPv6-in-IP (41), through the inner IP packet
//! (reassembling the device's inner fragments) and the inner UDP header, to
//! the captured frame. This is what the kernel's ipip/sit/ip6tnl devices
//! and the UDP socket do in the default mode.

use std::net::IpAddr;

use zephyr_net_capture::wire::{ethernet, ip, ip_proto, ipv4, ipv6, sll, udp};

use crate::reassembly::{Fragment, FragmentKey, Reassembler};

/// Which inner datagrams to keep.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Inner UDP destination ports; empty keeps all.
    pub ports: Vec<u16>,
    /// Inner source (device) addresses; empty keeps all.
    pub devices: Vec<IpAddr>,
}

/// A captured frame taken out of its tunnel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    /// The device: inner source address.
    pub device: IpAddr,
    /// Inner UDP destination port.
    pub port: u16,
    /// The captured frame (inner UDP payload).
    pub payload: Vec<u8>,
}

/// What became of one outer packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A complete captured frame.
    Datagram(Datagram),
    /// A fragment was stored; its packet is not complete yet.
    Pending,
    /// Not capture traffic, or filtered out.
    Ignored,
    /// Capture traffic that cannot be decoded.
    Malformed {
        /// The device, when the inner header was readable enough to say.
        device: Option<IpAddr>,
        /// What is wrong.
        reason: &'static str,
    },
}

fn malformed(device: Option<IpAddr>, reason: &'static str) -> Outcome {
    Outcome::Malformed { device, reason }
}

/// Decapsulates outer packets, keeping fragment state between them.
pub struct Decapsulator {
    filter: Filter,
    reassembler: Reassembler,
}

impl Decapsulator {
    /// A decapsulator keeping what `filter` selects.
    pub fn new(filter: Filter) -> Decapsulator {
        Decapsulator {
            filter,
            reassembler: Reassembler::new(),
        }
    }

    /// The fragment reassembler, for its counters.
    pub fn reassembler(&self) -> &Reassembler {
        &self.reassembler
    }

    /// Counts unfinished packets as failed at the end of the input.
    pub fn finish(&mut self) {
        self.reassembler.finish();
    }

    /// Drops stale fragments while the input is idle.
    pub fn expire(&mut self, now_ns: u64) {
        self.reassembler.expire(now_ns);
    }

    /// Decapsulates an outer IP packet seen at `now_ns`.
    pub fn decapsulate(&mut self, now_ns: u64, outer: &[u8]) -> Outcome {
        match outer.first().map(|byte| byte >> 4) {
            Some(4) => self.outer_ipv4(now_ns, outer),
            Some(6) => self.outer_ipv6(now_ns, outer),
            _ => Outcome::Ignored,
        }
    }

    fn outer_ipv4(&mut self, now_ns: u64, outer: &[u8]) -> Outcome {
        let Ok(packet) = ipv4::Packet::new_checked(outer) else {
            return Outcome::Ignored;
        };
        if !is_tunnel(packet.protocol()) {
            return Outcome::Ignored;
        }
        let Ok(repr) = ipv4::Repr::parse(&packet) else {
            return malformed(None, "outer IPv4 header checksum is wrong");
        };
        if repr.more_frags || repr.frag_offset != 0 {
            return malformed(
                None,
                "outer IPv4 fragment (only inner fragments are reassembled)",
            );
        }
        self.inner(now_ns, repr.protocol, packet.payload())
    }

    fn outer_ipv6(&mut self, now_ns: u64, outer: &[u8]) -> Outcome {
        let Ok(packet) = ipv6::Packet::new_checked(outer) else {
            return Outcome::Ignored;
        };
        let payload = packet.payload();
        let mut next = packet.next_header();
        let mut at = 0usize;
        // Skip a bounded number of extension headers before the tunnel.
        for _ in 0..8 {
            match next {
                ip_proto::IPV6_HOP_BY_HOP | ip_proto::IPV6_ROUTING | ip_proto::IPV6_DEST_OPTS => {
                    let (Some(&following), Some(&units)) = (payload.get(at), payload.get(at + 1))
                    else {
                        return Outcome::Ignored;
                    };
                    next = following;
                    at += (usize::from(units) + 1) * 8;
                }
                ip_proto::IPV6_FRAGMENT => {
                    let tunnelled = payload.get(at).is_some_and(|next| is_tunnel(*next));
                    return if tunnelled {
                        malformed(
                            None,
                            "outer IPv6 fragment (only inner fragments are reassembled)",
                        )
                    } else {
                        Outcome::Ignored
                    };
                }
                _ => break,
            }
        }
        if !is_tunnel(next) {
            return Outcome::Ignored;
        }
        match payload.get(at..) {
            Some(inner) => self.inner(now_ns, next, inner),
            None => malformed(None, "outer IPv6 extension headers overrun the packet"),
        }
    }

    fn inner(&mut self, now_ns: u64, protocol: u8, inner: &[u8]) -> Outcome {
        let lenient_src = ip::parse(inner).map(|header| header.src);
        let version_matches = matches!(
            (protocol, inner.first().map(|byte| byte >> 4)),
            (ip_proto::IPIP, Some(4)) | (ip_proto::IPV6, Some(6))
        );
        if !version_matches {
            return malformed(
                lenient_src,
                "inner IP version does not match the tunnel protocol",
            );
        }
        if protocol == ip_proto::IPIP {
            self.inner_ipv4(now_ns, inner, lenient_src)
        } else {
            self.inner_ipv6(now_ns, inner, lenient_src)
        }
    }

    fn wanted_device(&self, device: IpAddr) -> bool {
        self.filter.devices.is_empty() || self.filter.devices.contains(&device)
    }

    fn inner_ipv4(&mut self, now_ns: u64, inner: &[u8], src: Option<IpAddr>) -> Outcome {
        let Ok(packet) = ipv4::Packet::new_checked(inner) else {
            return malformed(src, "inner IPv4 packet is truncated");
        };
        let Ok(repr) = ipv4::Repr::parse(&packet) else {
            return malformed(src, "inner IPv4 header checksum is wrong");
        };
        let (device, peer) = (IpAddr::V4(repr.src), IpAddr::V4(repr.dst));
        if !self.wanted_device(device) || repr.protocol != ip_proto::UDP {
            return Outcome::Ignored;
        }
        if !repr.more_frags && repr.frag_offset == 0 {
            return self.udp(device, peer, packet.payload());
        }
        let key = FragmentKey {
            src: device,
            dst: peer,
            ident: u32::from(repr.ident),
        };
        let fragment = Fragment {
            offset: usize::from(repr.frag_offset),
            more: repr.more_frags,
            data: packet.payload(),
        };
        match self.reassembler.add(key, now_ns, fragment) {
            Some(whole) => self.udp(device, peer, &whole),
            None => Outcome::Pending,
        }
    }

    fn inner_ipv6(&mut self, now_ns: u64, inner: &[u8], src: Option<IpAddr>) -> Outcome {
        let Ok(packet) = ipv6::Packet::new_checked(inner) else {
            return malformed(src, "inner IPv6 packet is truncated");
        };
        let (device, peer) = (IpAddr::V6(packet.src_addr()), IpAddr::V6(packet.dst_addr()));
        if !self.wanted_device(device) {
            return Outcome::Ignored;
        }
        match packet.next_header() {
            ip_proto::UDP => self.udp(device, peer, packet.payload()),
            ip_proto::IPV6_FRAGMENT => {
                let Ok(header) = ipv6::FragmentRepr::parse(packet.payload()) else {
                    return malformed(Some(device), "inner IPv6 fragment header is truncated");
                };
                if header.next_header != ip_proto::UDP {
                    return Outcome::Ignored;
                }
                let data = packet
                    .payload()
                    .get(ipv6::FRAGMENT_HEADER_LEN..)
                    .unwrap_or_default();
                let key = FragmentKey {
                    src: device,
                    dst: peer,
                    ident: header.ident,
                };
                let fragment = Fragment {
                    offset: usize::from(header.frag_offset),
                    more: header.more_frags,
                    data,
                };
                match self.reassembler.add(key, now_ns, fragment) {
                    Some(whole) => self.udp(device, peer, &whole),
                    None => Outcome::Pending,
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn udp(&self, device: IpAddr, peer: IpAddr, bytes: &[u8]) -> Outcome {
        let Ok(packet) = udp::Packet::new_checked(bytes) else {
            return malformed(Some(device), "inner UDP length does not fit the packet");
        };
        let port = packet.dst_port();
        if !self.filter.ports.is_empty() && !self.filter.ports.contains(&port) {
            return Outcome::Ignored;
        }
        if !packet.verify_checksum(&device, &peer) {
            return malformed(Some(device), "inner UDP checksum is wrong");
        }
        Outcome::Datagram(Datagram {
            device,
            port,
            payload: packet.payload().to_vec(),
        })
    }
}

fn is_tunnel(protocol: u8) -> bool {
    protocol == ip_proto::IPIP || protocol == ip_proto::IPV6
}

/// pcap link types an offline file may have, with how to find the network
/// layer in their frames.
pub mod linktype {
    /// BSD loopback: a 4-byte host-order address family.
    pub const NULL: u32 = 0;
    /// Ethernet.
    pub const ETHERNET: u32 = 1;
    /// Raw IP.
    pub const RAW: u32 = 101;
    /// Raw IPv4.
    pub const IPV4: u32 = 228;
    /// Raw IPv6.
    pub const IPV6: u32 = 229;
}

/// Whether frames of this pcap link type can be decapsulated.
pub fn is_supported_linktype(linktype: u32) -> bool {
    matches!(
        linktype,
        linktype::NULL
            | linktype::ETHERNET
            | linktype::RAW
            | linktype::IPV4
            | linktype::IPV6
            | sll::LINKTYPE_LINUX_SLL
            | sll::LINKTYPE_LINUX_SLL2
    )
}

/// The IP packet inside a frame of pcap link type `linktype`, if it
/// carries one.
pub fn network_layer(linktype: u32, frame: &[u8]) -> Option<&[u8]> {
    const ETHERTYPES: [u16; 2] = [ethernet::ethertype::IPV4, ethernet::ethertype::IPV6];
    match linktype {
        linktype::RAW | linktype::IPV4 | linktype::IPV6 => Some(frame),
        linktype::ETHERNET => {
            let parsed = ethernet::Frame::parse(frame).ok()?;
            ETHERTYPES
                .contains(&parsed.ethertype)
                .then_some(parsed.payload)
        }
        linktype::NULL => frame.get(4..),
        sll::LINKTYPE_LINUX_SLL => {
            let header = sll::Sll1Repr::parse(frame).ok()?;
            ETHERTYPES
                .contains(&header.protocol)
                .then(|| frame.get(sll::SLL1_HEADER_LEN..))
                .flatten()
        }
        sll::LINKTYPE_LINUX_SLL2 => {
            let header = sll::Sll2Repr::parse(frame).ok()?;
            ETHERTYPES
                .contains(&header.protocol)
                .then(|| frame.get(sll::SLL2_HEADER_LEN..))
                .flatten()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
