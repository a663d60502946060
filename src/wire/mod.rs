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
pub mod link;
pub mod sll;
pub mod stream;
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

    /// Whether `protocol` is one a capture tunnel carries its inner packets
    /// in: IPv4 ([`IPIP`]) or IPv6 ([`IPV6`]) encapsulated in IP.
    pub const fn is_tunnel(protocol: u8) -> bool {
        protocol == IPIP || protocol == IPV6
    }
}

// Field accessors. Callers check lengths first; out of range reads give 0
// and writes do nothing, so no accessor can panic: the library carries no
// panicking code path.

/// The byte at `at`.
#[inline]
pub(crate) fn byte(buf: &[u8], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}

/// Writes the byte at `at`.
#[inline]
pub(crate) fn set_byte(buf: &mut [u8], at: usize, value: u8) {
    if let Some(slot) = buf.get_mut(at) {
        *slot = value;
    }
}

/// `N` bytes from `at`.
#[inline]
pub(crate) fn array<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    buf.get(at..at + N)
        .and_then(|bytes| bytes.try_into().ok())
        .unwrap_or([0; N])
}

/// Writes `bytes` at `at`.
#[inline]
pub(crate) fn put_bytes(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(field) = buf.get_mut(at..at + bytes.len()) {
        field.copy_from_slice(bytes);
    }
}

/// The bytes in `range`, or none.
#[inline]
pub(crate) fn slice(buf: &[u8], range: core::ops::Range<usize>) -> &[u8] {
    buf.get(range).unwrap_or_default()
}

/// Reads a big-endian `u16` at `at`.
#[inline]
pub(crate) fn be16(buf: &[u8], at: usize) -> u16 {
    buf.get(at..at + 2)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map_or(0, u16::from_be_bytes)
}

/// Reads a big-endian `u32` at `at`.
#[inline]
pub(crate) fn be32(buf: &[u8], at: usize) -> u32 {
    buf.get(at..at + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes)
}

/// Writes a big-endian `u16` at `at`.
#[inline]
pub(crate) fn put_be16(buf: &mut [u8], at: usize, value: u16) {
    if let Some(field) = buf.get_mut(at..at + 2) {
        field.copy_from_slice(&value.to_be_bytes());
    }
}

/// Writes a big-endian `u32` at `at`.
#[inline]
pub(crate) fn put_be32(buf: &mut [u8], at: usize, value: u32) {
    if let Some(field) = buf.get_mut(at..at + 4) {
        field.copy_from_slice(&value.to_be_bytes());
    }
}
