//! The inner packet of the capture tunnel: IP, UDP, then the captured bytes
//! (an L2 frame, or an SLL header and data in cooked mode).
//!
//! The stack adds the outer IP header (IPIP) and the link header. Every
//! inner packet must fit the tunnel MTU (the carrying link's MTU less the
//! outer header); the C implementation never checked this and overran the
//! native_sim TAP driver's frame buffer with full-size frames (W29).
//! A [`Plan`] sizes a datagram: either one packet, several inner IP
//! fragments (RFC 791 / RFC 8200 section 4.5), or one packet carrying the
//! leading bytes that fit.

use core::ops::Range;

use super::checksum::Checksum;
use super::{ip_proto, ipv4, ipv6, udp, IpAddr};

/// Hop limit (IPv6) and TTL (IPv4) of inner packets.
pub const HOP_LIMIT: u8 = 64;

/// Longest header a piece can start with: IPv6, fragment header, UDP.
pub const MAX_HEADER_LEN: usize = ipv6::HEADER_LEN + ipv6::FRAGMENT_HEADER_LEN + udp::HEADER_LEN;

/// The inner addressing of a capture tunnel: UDP from local to peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encap {
    /// Inner source address (on the tunnel interface).
    pub local: IpAddr,
    /// Inner destination address.
    pub peer: IpAddr,
    /// UDP source port.
    pub local_port: u16,
    /// UDP destination port.
    pub peer_port: u16,
}

/// What to do with a datagram larger than the tunnel MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oversize {
    /// Split the inner IP packet into fragments.
    Fragment,
    /// Send only the leading bytes that fit.
    Truncate,
}

/// Why a datagram cannot be planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// The endpoints are of different families.
    MixedFamilies,
    /// The MTU cannot hold the headers and at least 8 payload bytes.
    MtuTooSmall,
    /// The datagram exceeds what UDP (or IP reassembly) can carry.
    TooLarge,
}

impl PlanError {
    /// What is wrong, in a few words (a C string: it goes to Zephyr's log).
    pub fn reason(&self) -> &'static core::ffi::CStr {
        match self {
            PlanError::MixedFamilies => c"local and peer of different IP versions",
            PlanError::MtuTooSmall => c"tunnel MTU too small",
            PlanError::TooLarge => c"datagram too large",
        }
    }
}

/// One inner IP packet of a planned datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    header: [u8; MAX_HEADER_LEN],
    header_len: usize,
    /// The payload bytes that follow the header.
    pub payload: Range<usize>,
}

impl Piece {
    /// The headers to write before the payload bytes.
    pub fn header(&self) -> &[u8] {
        self.header.get(..self.header_len).unwrap_or_default()
    }

    /// Length of the whole inner IP packet.
    pub fn len(&self) -> usize {
        self.header_len + self.payload.len()
    }

    /// Always false: a piece has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// How one datagram is cut into inner IP packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan<'a> {
    encap: &'a Encap,
    payload_len: usize,
    truncated_from: Option<usize>,
    /// Bytes of the fragmentable part (UDP header + payload) per piece.
    per_piece: usize,
    pieces: usize,
    ident: u32,
}

impl Encap {
    /// Length of the inner IP header of an unfragmented packet.
    pub fn ip_header_len(&self) -> usize {
        match self.local {
            IpAddr::V4(_) => ipv4::HEADER_LEN,
            IpAddr::V6(_) => ipv6::HEADER_LEN,
        }
    }

    /// Length of IP and UDP headers of an unfragmented packet.
    pub fn header_len(&self) -> usize {
        self.ip_header_len() + udp::HEADER_LEN
    }

    /// Plans a datagram carrying `payload_len` bytes through a tunnel whose
    /// inner packets may be `mtu` bytes long. `ident` identifies the
    /// fragments of this datagram (its low 16 bits for IPv4).
    pub fn plan(
        &self,
        payload_len: usize,
        mtu: usize,
        oversize: Oversize,
        ident: u32,
    ) -> Result<Plan<'_>, PlanError> {
        if core::mem::discriminant(&self.local) != core::mem::discriminant(&self.peer) {
            return Err(PlanError::MixedFamilies);
        }
        // An inner packet's length field is 16 bits wide.
        let mtu = mtu.min(usize::from(u16::MAX));
        let single_max = mtu
            .checked_sub(self.header_len())
            .filter(|room| *room >= 8)
            .ok_or(PlanError::MtuTooSmall)?;
        // UDP's length field bounds the datagram, and IPv4's total length
        // bounds the reassembled packet.
        let datagram_max = usize::from(u16::MAX) - udp::HEADER_LEN - self.ip_header_len();
        let unfragmented = |payload_len, truncated_from| Plan {
            encap: self,
            payload_len,
            truncated_from,
            per_piece: udp::HEADER_LEN + payload_len,
            pieces: 1,
            ident: 0,
        };
        if payload_len <= single_max {
            return Ok(unfragmented(payload_len, None));
        }
        match oversize {
            Oversize::Truncate => Ok(unfragmented(single_max, Some(payload_len))),
            Oversize::Fragment => {
                if payload_len > datagram_max {
                    return Err(PlanError::TooLarge);
                }
                // At least 8: `single_max >= 8` above.
                let per_piece =
                    core::num::NonZeroUsize::new((mtu - self.fragment_header_len()) & !7)
                        .ok_or(PlanError::MtuTooSmall)?;
                let fragmentable = udp::HEADER_LEN + payload_len;
                Ok(Plan {
                    encap: self,
                    payload_len,
                    truncated_from: None,
                    per_piece: per_piece.get(),
                    pieces: fragmentable.div_ceil(per_piece.get()),
                    ident,
                })
            }
        }
    }

    fn fragment_header_len(&self) -> usize {
        match self.local {
            IpAddr::V4(_) => ipv4::HEADER_LEN,
            IpAddr::V6(_) => ipv6::HEADER_LEN + ipv6::FRAGMENT_HEADER_LEN,
        }
    }
}

impl Plan<'_> {
    /// Number of inner IP packets.
    pub fn pieces(&self) -> usize {
        self.pieces
    }

    /// Number of payload bytes carried (after truncation).
    pub fn payload_len(&self) -> usize {
        self.payload_len
    }

    /// The original payload length when the datagram was truncated.
    pub fn truncated_from(&self) -> Option<usize> {
        self.truncated_from
    }

    /// Whether the datagram is split into fragments.
    pub fn is_fragmented(&self) -> bool {
        self.pieces > 1
    }

    fn udp_repr(&self) -> Result<udp::Repr, PlanError> {
        Ok(udp::Repr {
            src_port: self.encap.local_port,
            dst_port: self.encap.peer_port,
            payload_len: narrow(self.payload_len)?,
        })
    }

    /// The UDP checksum over pseudo-header and UDP header; add the carried
    /// payload bytes (`0..payload_len()`) and pass it to [`Plan::piece`].
    pub fn checksum_start(&self) -> Result<Checksum, PlanError> {
        self.udp_repr()?
            .checksum_start(&self.encap.local, &self.encap.peer)
            .map_err(|_| PlanError::TooLarge)
    }

    /// Where piece `index` (< [`Plan::pieces`]) starts and ends in the
    /// fragmentable part (UDP header and payload), and whether more follow.
    fn bounds(&self, index: usize) -> Result<(usize, usize, bool), PlanError> {
        if index >= self.pieces {
            return Err(PlanError::TooLarge);
        }
        let fragmentable = udp::HEADER_LEN + self.payload_len;
        let start = index * self.per_piece;
        let end = (start + self.per_piece).min(fragmentable);
        Ok((start, end, end < fragmentable))
    }

    /// Length of the headers of piece `index`: IP, the IPv6 fragment
    /// header when fragmented, and UDP in the first piece.
    pub fn header_len(&self, index: usize) -> usize {
        let fragment = if self.is_fragmented() && self.encap.local.is_ipv6() {
            ipv6::FRAGMENT_HEADER_LEN
        } else {
            0
        };
        let udp = if index == 0 { udp::HEADER_LEN } else { 0 };
        self.encap.ip_header_len() + fragment + udp
    }

    /// The payload bytes piece `index` carries after its headers.
    pub fn payload_range(&self, index: usize) -> Result<Range<usize>, PlanError> {
        let (start, end, _) = self.bounds(index)?;
        Ok(start.saturating_sub(udp::HEADER_LEN)..end - udp::HEADER_LEN)
    }

    /// Length of the whole inner IP packet of piece `index`.
    pub fn piece_len(&self, index: usize) -> Result<usize, PlanError> {
        Ok(self.header_len(index) + self.payload_range(index)?.len())
    }

    /// Writes the headers of piece `index` into `out`, which holds
    /// [`Plan::header_len`] bytes (the capture's own buffer, so no copy of
    /// them lives on the stack). `sum` is the UDP checksum from
    /// [`Plan::checksum_start`] fed with the payload.
    pub fn write_header(
        &self,
        index: usize,
        sum: Checksum,
        out: &mut [u8],
    ) -> Result<(), PlanError> {
        let (start, end, more) = self.bounds(index)?;
        let ip_payload_len = end - start;
        let mut at = 0;
        match (self.encap.local, self.encap.peer) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => {
                let repr = ipv4::Repr {
                    src,
                    dst,
                    protocol: ip_proto::UDP,
                    payload_len: narrow(ip_payload_len)?,
                    ttl: HOP_LIMIT,
                    // IPv4 identifies fragments with the low 16 bits.
                    ident: if self.is_fragmented() {
                        let [_, _, high, low] = self.ident.to_be_bytes();
                        u16::from_be_bytes([high, low])
                    } else {
                        0
                    },
                    dont_frag: false,
                    more_frags: more,
                    frag_offset: narrow(start)?,
                };
                repr.emit(&mut ipv4::Packet::new_unchecked(&mut *out))
                    .map_err(|_| PlanError::TooLarge)?;
                at += ipv4::HEADER_LEN;
            }
            (IpAddr::V6(src), IpAddr::V6(dst)) => {
                let fragmented = self.is_fragmented();
                let extra = if fragmented {
                    ipv6::FRAGMENT_HEADER_LEN
                } else {
                    0
                };
                let repr = ipv6::Repr {
                    src,
                    dst,
                    next_header: if fragmented {
                        ip_proto::IPV6_FRAGMENT
                    } else {
                        ip_proto::UDP
                    },
                    payload_len: narrow(ip_payload_len + extra)?,
                    hop_limit: HOP_LIMIT,
                };
                repr.emit(&mut ipv6::Packet::new_unchecked(&mut *out))
                    .map_err(|_| PlanError::TooLarge)?;
                at += ipv6::HEADER_LEN;
                if fragmented {
                    let fragment = ipv6::FragmentRepr {
                        next_header: ip_proto::UDP,
                        frag_offset: narrow(start)?,
                        more_frags: more,
                        ident: self.ident,
                    };
                    fragment
                        .emit(out.get_mut(at..).unwrap_or_default())
                        .map_err(|_| PlanError::TooLarge)?;
                    at += ipv6::FRAGMENT_HEADER_LEN;
                }
            }
            _ => return Err(PlanError::MixedFamilies),
        }
        if index == 0 {
            self.udp_repr()?
                .emit(out.get_mut(at..).unwrap_or_default(), sum)
                .map_err(|_| PlanError::TooLarge)?;
        }
        Ok(())
    }

    /// The headers and payload range of piece `index` together (for hosts
    /// and tests; the device writes headers in place).
    pub fn piece(&self, index: usize, sum: Checksum) -> Result<Piece, PlanError> {
        let mut header = [0u8; MAX_HEADER_LEN];
        let header_len = self.header_len(index);
        self.write_header(index, sum, header.get_mut(..header_len).unwrap_or_default())?;
        Ok(Piece {
            header,
            header_len,
            payload: self.payload_range(index)?,
        })
    }
}

fn narrow(value: usize) -> Result<u16, PlanError> {
    u16::try_from(value).map_err(|_| PlanError::TooLarge)
}

#[cfg(test)]
mod tests;
