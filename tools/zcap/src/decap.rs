//! Tunnel-less decapsulation: from an outer IPv4/IPv6 packet carrying
//! IPv4-in-IP (protocol 4) or IPv6-in-IP (41), through the inner IP packet
//! (reassembling the device's inner fragments) and the inner UDP header, to
//! the captured frame. This is what the kernel's ipip/sit/ip6tnl devices
//! and the UDP socket do in the default mode.

use std::collections::BTreeMap;
use std::net::IpAddr;

use zephyr_net_capture::wire::link::LinkLayer;
use zephyr_net_capture::wire::{ip, ip_proto, ipv4, ipv6, udp};

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

/// Most distinct refused ports [`Sightings`] remembers.
const MAX_REFUSED_PORTS: usize = 8;

/// What the decapsulator saw besides the frames it kept, so that a capture
/// that kept nothing can say why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sightings {
    /// Outer packets looked at.
    pub packets: u64,
    /// Of those, IPv4-in-IP or IPv6-in-IP tunnel packets.
    pub tunnel: u64,
    /// Inner UDP datagrams to ports the filter refuses, by port (the
    /// first few ports).
    pub refused_ports: BTreeMap<u16, u64>,
    /// Inner datagrams from devices the filter refuses.
    pub refused_devices: u64,
}

fn malformed(device: Option<IpAddr>, reason: &'static str) -> Outcome {
    Outcome::Malformed { device, reason }
}

/// Decapsulates outer packets, keeping fragment state between them.
pub struct Decapsulator {
    filter: Filter,
    reassembler: Reassembler,
    sightings: Sightings,
}

impl Decapsulator {
    /// A decapsulator keeping what `filter` selects.
    pub fn new(filter: Filter) -> Decapsulator {
        Decapsulator {
            filter,
            reassembler: Reassembler::new(),
            sightings: Sightings::default(),
        }
    }

    /// What was seen besides the frames kept.
    pub fn sightings(&self) -> &Sightings {
        &self.sightings
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
        self.sightings.packets += 1;
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
        if !ip_proto::is_tunnel(packet.protocol()) {
            return Outcome::Ignored;
        }
        self.sightings.tunnel += 1;
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
        let whole = outer
            .get(..ipv6::HEADER_LEN + usize::from(packet.payload_len()))
            .unwrap_or(outer);
        let Some(upper) = ipv6::upper_layer(whole) else {
            return Outcome::Ignored;
        };
        if !ip_proto::is_tunnel(upper.protocol) {
            return Outcome::Ignored;
        }
        self.sightings.tunnel += 1;
        if upper.fragment.is_some() {
            return malformed(
                None,
                "outer IPv6 fragment (only inner fragments are reassembled)",
            );
        }
        match whole.get(upper.offset..) {
            Some(inner) => self.inner(now_ns, upper.protocol, inner),
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

    fn wanted_device(&mut self, device: IpAddr) -> bool {
        let wanted = self.filter.devices.is_empty() || self.filter.devices.contains(&device);
        if !wanted {
            self.sightings.refused_devices += 1;
        }
        wanted
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

    fn udp(&mut self, device: IpAddr, peer: IpAddr, bytes: &[u8]) -> Outcome {
        let Ok(packet) = udp::Packet::new_checked(bytes) else {
            return malformed(Some(device), "inner UDP length does not fit the packet");
        };
        let port = packet.dst_port();
        if !self.filter.ports.is_empty() && !self.filter.ports.contains(&port) {
            let refused = &mut self.sightings.refused_ports;
            if refused.len() < MAX_REFUSED_PORTS || refused.contains_key(&port) {
                *refused.entry(port).or_default() += 1;
            }
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

/// pcap link types an offline file may have.
#[allow(unused_imports)] // named by the tests and the fuzz targets
pub use zephyr_net_capture::wire::link::linktype;

/// Whether frames of this pcap link type can be decapsulated.
pub fn is_supported_linktype(linktype: u32) -> bool {
    LinkLayer::from_linktype(linktype).is_some()
}

/// The IP packet inside a frame of pcap link type `linktype`, if it
/// carries one.
pub fn network_layer(linktype: u32, frame: &[u8]) -> Option<&[u8]> {
    LinkLayer::from_linktype(linktype)?.ip_packet(frame)
}

#[cfg(test)]
mod tests;
