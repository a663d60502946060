//! Wire formats, after smoltcp's `wire` module: for each format a zero-copy
//! view over a byte buffer (`new_checked` validates lengths once, then the
//! accessors cannot fail) and a plain `Repr` with a `parse`/`emit` pair.
//!
//! Shared by the device library (encoders) and the host receiver `zcap`
//! (decoders), so both ends are tested against each other.

pub mod checksum;
pub mod endpoint;
pub mod ethernet;
pub mod feedback;
pub mod icmp;
pub mod ip;
pub mod ipv4;
pub mod ipv6;
pub mod sll;
pub mod tunnel;
pub mod udp;

pub use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a buffer could not be read as a given format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The buffer is shorter than the format requires.
    Truncated,
    /// A field holds a value the format does not allow.
    Malformed,
    /// A checksum does not match the data.
    Checksum,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Error::Truncated => "truncated",
            Error::Malformed => "malformed",
            Error::Checksum => "bad checksum",
        })
    }
}

/// Result of parsing a wire format.
pub type Result<T> = core::result::Result<T, Error>;

/// IP protocol numbers used by the capture tunnel.
pub mod ip_proto {
    /// IPv4 encapsulated in IP (RFC 2003).
    pub const IPIP: u8 = 4;
    /// User Datagram Protocol.
    pub const UDP: u8 = 17;
    /// IPv6 encapsulated in IP (RFC 4213).
    pub const IPV6: u8 = 41;
    /// IPv6 fragment extension header.
    pub const IPV6_FRAGMENT: u8 = 44;
    /// Internet Control Message Protocol.
    pub const ICMP: u8 = 1;
    /// ICMP for IPv6.
    pub const ICMPV6: u8 = 58;
    /// IPv6 hop-by-hop options.
    pub const IPV6_HOP_BY_HOP: u8 = 0;
    /// IPv6 routing header.
    pub const IPV6_ROUTING: u8 = 43;
    /// IPv6 destination options.
    pub const IPV6_DEST_OPTS: u8 = 60;
    /// No next header (IPv6).
    pub const NONE: u8 = 59;
}

/// Reads a big-endian `u16` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn be16(buf: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([buf[at], buf[at + 1]])
}

/// Reads a big-endian `u32` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn be32(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

/// Writes a big-endian `u16` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn put_be16(buf: &mut [u8], at: usize, value: u16) {
    buf[at..at + 2].copy_from_slice(&value.to_be_bytes());
}

/// Writes a big-endian `u32` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn put_be32(buf: &mut [u8], at: usize, value: u32) {
    buf[at..at + 4].copy_from_slice(&value.to_be_bytes());
}
