//! Linux "cooked" capture headers: SLL v1 (`LINKTYPE_LINUX_SLL`, 16 bytes)
//! and SLL v2 (`LINKTYPE_LINUX_SLL2`, 20 bytes), as tcpdump and Wireshark
//! read them. All multi-byte fields are big-endian on every target; the C
//! implementation wrote v2's interface index in host order and truncated its
//! one-byte fields to zero on little-endian targets (W19).

use super::{
    array, be16, be32, byte, put_be16, put_be32, put_bytes, set_byte, slice, Error, Result,
};

/// pcap link type of SLL v1.
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// pcap link type of SLL v2.
pub const LINKTYPE_LINUX_SLL2: u32 = 276;
/// Size of the address field in both versions.
pub const ADDR_LEN: usize = 8;
/// `ARPHRD_ETHER`: the address type of Ethernet.
pub const ARPHRD_ETHER: u16 = 1;
/// `ETH_P_802_3`: the protocol Linux gives raw 802.3 frames (Novell IPX,
/// no LLC header).
pub const ETH_P_802_3: u16 = 0x0001;
/// `ETH_P_802_2`: the protocol Linux gives 802.3 frames with an LLC
/// header.
pub const ETH_P_802_2: u16 = 0x0004;
/// Bytes of an Ethernet frame [`Sll2Repr::for_ethernet`] reads: the
/// header, and the two bytes after it that tell raw 802.3 frames.
pub const ETHERNET_HEAD_LEN: usize = super::ethernet::HEADER_LEN + 2;

/// Packet types (Linux `PACKET_*`, Zephyr `enum net_capture_packet_type`).
pub mod packet_type {
    /// Sent to us.
    pub const HOST: u16 = 0;
    /// Broadcast by somebody else.
    pub const BROADCAST: u16 = 1;
    /// Multicast by somebody else.
    pub const MULTICAST: u16 = 2;
    /// Sent by somebody else to somebody else.
    pub const OTHERHOST: u16 = 3;
    /// Sent by us.
    pub const OUTGOING: u16 = 4;
}

/// A link-layer address as both headers carry it: a length and 8 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkAddr {
    /// Address length as announced (may exceed 8 in SLL v1).
    pub len: u16,
    /// The first 8 bytes of the address; unused bytes are zero on emit.
    pub bytes: [u8; ADDR_LEN],
}

impl LinkAddr {
    /// An address of `len` bytes taken from `addr` (which holds at least
    /// `min(len, 8)` bytes); the bytes after the address are zeroed.
    pub fn new(len: u16, addr: &[u8; ADDR_LEN]) -> LinkAddr {
        let used = usize::from(len).min(ADDR_LEN);
        let mut bytes = [0u8; ADDR_LEN];
        for (to, from) in bytes.iter_mut().zip(addr).take(used) {
            *to = *from;
        }
        LinkAddr { len, bytes }
    }

    /// The address bytes that are in use.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len).min(ADDR_LEN))
            .unwrap_or_default()
    }
}

mod v1 {
    use core::ops::Range;
    pub const PKTTYPE: Range<usize> = 0..2;
    pub const HATYPE: Range<usize> = 2..4;
    pub const HALEN: Range<usize> = 4..6;
    pub const ADDR: Range<usize> = 6..14;
    pub const PROTOCOL: Range<usize> = 14..16;
}

mod v2 {
    use core::ops::Range;
    pub const PROTOCOL: Range<usize> = 0..2;
    pub const RESERVED: Range<usize> = 2..4;
    pub const IFINDEX: Range<usize> = 4..8;
    pub const HATYPE: Range<usize> = 8..10;
    pub const PKTTYPE: usize = 10;
    pub const HALEN: usize = 11;
    pub const ADDR: Range<usize> = 12..20;
}

/// Length of an SLL v1 header.
pub const SLL1_HEADER_LEN: usize = v1::PROTOCOL.end;
/// Length of an SLL v2 header.
pub const SLL2_HEADER_LEN: usize = v2::ADDR.end;

/// An SLL v1 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sll1Repr {
    /// Packet type (see [`packet_type`]).
    pub pkttype: u16,
    /// ARPHRD_* type of the link-layer address.
    pub hatype: u16,
    /// Link-layer address.
    pub addr: LinkAddr,
    /// Protocol (an ETH_P_* value).
    pub protocol: u16,
}

impl Sll1Repr {
    /// Reads a header from the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<Sll1Repr> {
        if buf.len() < SLL1_HEADER_LEN {
            return Err(Error::Truncated);
        }
        let bytes = array::<ADDR_LEN>(buf, v1::ADDR.start);
        Ok(Sll1Repr {
            pkttype: be16(buf, v1::PKTTYPE.start),
            hatype: be16(buf, v1::HATYPE.start),
            addr: LinkAddr {
                len: be16(buf, v1::HALEN.start),
                bytes,
            },
            protocol: be16(buf, v1::PROTOCOL.start),
        })
    }

    /// Writes the header into the first [`SLL1_HEADER_LEN`] bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if buf.len() < SLL1_HEADER_LEN {
            return Err(Error::Truncated);
        }
        put_be16(buf, v1::PKTTYPE.start, self.pkttype);
        put_be16(buf, v1::HATYPE.start, self.hatype);
        put_be16(buf, v1::HALEN.start, self.addr.len);
        put_bytes(buf, v1::ADDR.start, &self.addr.bytes);
        put_be16(buf, v1::PROTOCOL.start, self.protocol);
        Ok(())
    }
}

/// An SLL v2 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sll2Repr {
    /// Protocol (an ETH_P_* value).
    pub protocol: u16,
    /// Index of the interface the packet was captured on.
    pub ifindex: u32,
    /// ARPHRD_* type of the link-layer address.
    pub hatype: u16,
    /// Packet type (see [`packet_type`]).
    pub pkttype: u8,
    /// Link-layer address (length fits one byte in this version).
    pub addr: LinkAddr,
}

impl Sll2Repr {
    /// Reads a header from the start of `buf`; the reserved field must be
    /// zero.
    pub fn parse(buf: &[u8]) -> Result<Sll2Repr> {
        if buf.len() < SLL2_HEADER_LEN {
            return Err(Error::Truncated);
        }
        if be16(buf, v2::RESERVED.start) != 0 {
            return Err(Error::Malformed);
        }
        let bytes = array::<ADDR_LEN>(buf, v2::ADDR.start);
        Ok(Sll2Repr {
            protocol: be16(buf, v2::PROTOCOL.start),
            ifindex: be32(buf, v2::IFINDEX.start),
            hatype: be16(buf, v2::HATYPE.start),
            pkttype: byte(buf, v2::PKTTYPE),
            addr: LinkAddr {
                len: u16::from(byte(buf, v2::HALEN)),
                bytes,
            },
        })
    }

    /// Writes the header into the first [`SLL2_HEADER_LEN`] bytes of `buf`.
    /// Fails when the address length does not fit the one-byte field.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if buf.len() < SLL2_HEADER_LEN {
            return Err(Error::Truncated);
        }
        let halen = u8::try_from(self.addr.len).map_err(|_| Error::Malformed)?;
        put_be16(buf, v2::PROTOCOL.start, self.protocol);
        put_be16(buf, v2::RESERVED.start, 0);
        put_be32(buf, v2::IFINDEX.start, self.ifindex);
        put_be16(buf, v2::HATYPE.start, self.hatype);
        set_byte(buf, v2::PKTTYPE, self.pkttype);
        set_byte(buf, v2::HALEN, halen);
        put_bytes(buf, v2::ADDR.start, &self.addr.bytes);
        Ok(())
    }
}

impl Sll2Repr {
    /// The header Linux's cooked capture gives an Ethernet frame that
    /// begins with `head` (its first [`ETHERNET_HEAD_LEN`] bytes, or all
    /// of a shorter frame), seen on interface `ifindex`, and how many
    /// leading bytes of the frame it stands for: a cooked record is this
    /// header followed by the frame after them.
    /// - protocol: the EtherType, or for an 802.3 length field
    ///   [`ETH_P_802_3`] / [`ETH_P_802_2`] as Linux's `eth_type_trans()`
    ///   tells them apart;
    /// - packet type: [`packet_type::OUTGOING`] for a frame the device
    ///   sends; for one it received, as its destination was addressed
    ///   ([`packet_type::BROADCAST`], [`packet_type::MULTICAST`], else
    ///   [`packet_type::HOST`]), since the record no longer carries it;
    /// - address: the source MAC address (6 bytes).
    ///
    /// A frame shorter than an Ethernet header keeps its bytes, under a
    /// header with `fallback_protocol` (what the stack recorded) and no
    /// address.
    pub fn for_ethernet(
        head: &[u8],
        ifindex: u32,
        outgoing: bool,
        fallback_protocol: u16,
    ) -> (Sll2Repr, usize) {
        let received = |unicast| if outgoing { OUTGOING } else { unicast };
        let Some(header) = head.get(..super::ethernet::HEADER_LEN) else {
            let repr = Sll2Repr {
                protocol: fallback_protocol,
                ifindex,
                hatype: ARPHRD_ETHER,
                pkttype: received(HOST),
                addr: LinkAddr::default(),
            };
            return (repr, 0);
        };
        let dst = array::<6>(header, 0);
        let ethertype = be16(header, 12);
        let protocol = if ethertype >= 0x0600 {
            ethertype
        } else if head.get(14..16) == Some(&[0xff, 0xff][..]) {
            ETH_P_802_3
        } else {
            ETH_P_802_2
        };
        let pkttype = received(if dst == [0xff; 6] {
            BROADCAST
        } else if dst[0] & 1 != 0 {
            MULTICAST
        } else {
            HOST
        });
        let mut addr = [0u8; ADDR_LEN];
        put_bytes(&mut addr, 0, slice(header, 6..12));
        let repr = Sll2Repr {
            protocol,
            ifindex,
            hatype: ARPHRD_ETHER,
            pkttype,
            addr: LinkAddr {
                len: 6,
                bytes: addr,
            },
        };
        (repr, header.len())
    }
}

/// [`packet_type`] values in SLL v2's one-byte field.
const HOST: u8 = packet_type::HOST.to_be_bytes()[1];
const BROADCAST: u8 = packet_type::BROADCAST.to_be_bytes()[1];
const MULTICAST: u8 = packet_type::MULTICAST.to_be_bytes()[1];
const OUTGOING: u8 = packet_type::OUTGOING.to_be_bytes()[1];

/// Which cooked header a capture carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// SLL v1, 16 bytes.
    V1,
    /// SLL v2, 20 bytes.
    V2,
}

impl Version {
    /// Header length of this version.
    pub const fn header_len(self) -> usize {
        match self {
            Version::V1 => SLL1_HEADER_LEN,
            Version::V2 => SLL2_HEADER_LEN,
        }
    }

    /// pcap link type of this version.
    pub const fn linktype(self) -> u32 {
        match self {
            Version::V1 => LINKTYPE_LINUX_SLL,
            Version::V2 => LINKTYPE_LINUX_SLL2,
        }
    }
}

/// The fields of a cooked capture, independent of the header version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cooked {
    /// Packet type (see [`packet_type`]).
    pub pkttype: u16,
    /// ARPHRD_* type.
    pub hatype: u16,
    /// Link-layer address.
    pub addr: LinkAddr,
    /// Protocol (ETH_P_*).
    pub protocol: u16,
    /// Interface index (only SLL v2 carries it).
    pub ifindex: u32,
}

impl Cooked {
    /// Writes the header of `version` into `buf` and returns its length.
    /// Fails when a field does not fit that version (v2 has one-byte packet
    /// type and address length).
    pub fn emit(&self, version: Version, buf: &mut [u8]) -> Result<usize> {
        match version {
            Version::V1 => Sll1Repr {
                pkttype: self.pkttype,
                hatype: self.hatype,
                addr: self.addr,
                protocol: self.protocol,
            }
            .emit(buf)?,
            Version::V2 => Sll2Repr {
                protocol: self.protocol,
                ifindex: self.ifindex,
                hatype: self.hatype,
                pkttype: u8::try_from(self.pkttype).map_err(|_| Error::Malformed)?,
                addr: self.addr,
            }
            .emit(buf)?,
        }
        Ok(version.header_len())
    }
}

#[cfg(test)]
mod tests;
