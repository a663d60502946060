//! The compiled form: one node per primitive, each with a jump target for
//! true and one for false (always forward), and the test of one node
//! against a frame. This is the only code on the packet path.
//!
//! Every read goes through [`Packet::u8`], [`Packet::be16`] or
//! [`Packet::be32`], which give `None` past the captured bytes; `?` carries
//! that out of the test, and the evaluator then rejects the frame, as BPF
//! does on an out-of-bounds load. The reads of each test happen in the order
//! of the code libpcap's optimizer emits for the same primitive, so that the
//! same truncated frames are rejected.

use super::LinkType;
use crate::wire::ethernet::ethertype;
use crate::wire::ip_proto;

/// Jump target: the filter accepts the frame.
pub(super) const ACCEPT: u8 = 0xfe;
/// Jump target: the filter rejects the frame.
pub(super) const REJECT: u8 = 0xff;

/// Families in [`Test::Proto`].
pub(super) const V4: u8 = 1;
pub(super) const V6: u8 = 2;

/// Transport protocols in [`Test::Port`].
pub(super) const TCP: u8 = 1;
pub(super) const UDP: u8 = 2;
pub(super) const SCTP: u8 = 4;

/// Where [`Test::Host4`] looks: IPv4, ARP and RARP addresses.
pub(super) const IP: u8 = 1;
pub(super) const ARP: u8 = 2;
pub(super) const RARP: u8 = 4;

/// EtherType of RARP.
pub(super) const ETHERTYPE_RARP: u16 = 0x8035;
/// SLL protocol value of 802.2 LLC frames.
const SLL_P_802_2: u16 = 4;
/// Largest 802.3 length; larger type/length values are EtherTypes.
const ETHER_MTU: u16 = 1500;
const SCTP_PROTO: u8 = 132;
const TCP_PROTO: u8 = 6;

/// Which address or port of a packet a test looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dir {
    Src,
    Dst,
    /// Either (`src or dst`, the default).
    Any,
    /// Both (`src and dst`).
    Both,
}

/// The comparison of a `len` test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rel {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// One primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Test {
    /// `ether proto N`, and `ip`, `ip6`, `arp`, `rarp`.
    Link(u16),
    /// `vlan [ID]`.
    Vlan(Option<u16>),
    /// `ip proto N` (V4), `ip6 proto N` (V6), `tcp` (both), ...
    Proto { families: u8, proto: u8 },
    /// `[tcp|udp|sctp] [dir] port N` / `portrange A-B`.
    Port {
        protos: u8,
        dir: Dir,
        lo: u16,
        hi: u16,
    },
    /// `[ip|arp|rarp] [dir] host|net` with an IPv4 address; `addr` is
    /// already masked.
    Host4 {
        places: u8,
        dir: Dir,
        addr: u32,
        mask: u32,
    },
    /// `[ip6] [dir] host|net` with an IPv6 address; `addr` is already
    /// masked to `prefix` bits.
    Host6 {
        dir: Dir,
        prefix: u8,
        addr: [u32; 4],
    },
    /// `len REL N`, `less N`, `greater N`.
    Len { rel: Rel, value: u32 },
}

/// A test, the number of VLAN tags before it (fixed at parse time, as
/// libpcap shifts its offsets after each `vlan`), and where to go next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Node {
    pub(super) test: Test,
    pub(super) vlans: u8,
    pub(super) on_true: u8,
    pub(super) on_false: u8,
}

impl Node {
    /// Filler for unused slots.
    pub(super) const UNUSED: Node = Node {
        test: Test::Len {
            rel: Rel::Ge,
            value: 0,
        },
        vlans: 0,
        on_true: REJECT,
        on_false: REJECT,
    };
}

/// The mask of 32-bit word `word` (0-3) of a `prefix`-bit IPv6 prefix.
pub(super) fn word_mask(prefix: u8, word: u8) -> u32 {
    let bits = u32::from(prefix)
        .saturating_sub(u32::from(word).saturating_mul(32))
        .min(32);
    u32::MAX
        .checked_shl(32u32.saturating_sub(bits))
        .unwrap_or(0)
}

/// The frame under test, with where its link layer puts things worked
/// out once (the nodes of a program ask the same questions).
pub(super) struct Packet<'a> {
    bytes: &'a [u8],
    link: LinkType,
    wire_len: usize,
    /// Offset of the link layer's type field before any VLAN tag.
    type_at: usize,
    /// Offset of the network layer before any VLAN tag.
    net_at: usize,
    /// Bytes each `vlan` before a primitive shifts both (4 on Ethernet).
    tag_len: usize,
}

impl<'a> Packet<'a> {
    pub(super) fn new(link: LinkType, bytes: &'a [u8], wire_len: usize) -> Packet<'a> {
        let (type_at, net_at, tag_len) = match link {
            LinkType::Ethernet => (12, 14, 4),
            LinkType::Sll1 => (14, 16, 0),
            LinkType::Sll2 => (0, 20, 0),
            // The protocol field, after `ff 03` when the frame has them.
            LinkType::Ppp if bytes.starts_with(&[0xff, 0x03]) => (2, 4, 0),
            LinkType::Ppp => (0, 2, 0),
            LinkType::RawIp | LinkType::Other => (0, 0, 0),
        };
        Packet {
            bytes,
            link,
            wire_len,
            type_at,
            net_at,
            tag_len,
        }
    }

    fn u8(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn be16(&self, at: usize) -> Option<u16> {
        let bytes = self.bytes.get(at..)?.first_chunk::<2>()?;
        Some(u16::from_be_bytes(*bytes))
    }

    fn be32(&self, at: usize) -> Option<u32> {
        let bytes = self.bytes.get(at..)?.first_chunk::<4>()?;
        Some(u32::from_be_bytes(*bytes))
    }

    /// Offset of the link layer's type field, after `vlans` tags.
    fn type_at(&self, vlans: u8) -> usize {
        self.type_at + self.tag_len * usize::from(vlans)
    }

    /// Offset of the network layer, after `vlans` tags.
    fn net_at(&self, vlans: u8) -> usize {
        self.net_at + self.tag_len * usize::from(vlans)
    }

    /// `ether proto proto`, as libpcap compiles it for each link type:
    /// values up to 1500 are 802.2 LLC SAPs on Ethernet and SLL v1 (with
    /// DSAP and SSAP compared for 0x06, 0xf0 and 0xfe), PPP compares its own
    /// numbers for the protocols it carries, raw IP knows IPv4 and IPv6.
    #[inline]
    fn link_is(&self, vlans: u8, proto: u16) -> Option<bool> {
        let at = self.type_at(vlans);
        match self.link {
            LinkType::Ethernet | LinkType::Sll1 if proto <= ETHER_MTU => self.llc_is(at, proto),
            LinkType::Ethernet | LinkType::Sll1 | LinkType::Sll2 => Some(self.be16(at)? == proto),
            LinkType::Ppp => Some(self.be16(at)? == ppp_protocol(proto)),
            LinkType::RawIp => {
                let version = match proto {
                    ethertype::IPV4 => 4,
                    ethertype::IPV6 => 6,
                    _ => return Some(false),
                };
                Some(self.u8(0)? >> 4 == version)
            }
            LinkType::Other => Some(false),
        }
    }

    /// [`Self::link_is`] for an 802.2 SAP on Ethernet or SLL v1, whose
    /// type field is at `at`.
    #[inline(never)]
    fn llc_is(&self, at: usize, proto: u16) -> Option<bool> {
        let is_llc = match self.link {
            LinkType::Ethernet => self.be16(at)? <= ETHER_MTU,
            _ => self.be16(at)? == SLL_P_802_2,
        };
        if !is_llc {
            return Some(false);
        }
        let llc_at = at + 2;
        match proto {
            0x06 | 0xf0 | 0xfe => Some(self.be16(llc_at)? == proto.wrapping_mul(0x0101)),
            _ => Some(u16::from(self.u8(llc_at)?) == proto),
        }
    }

    /// Applies `dir` to `field`, the test of one address or port, at `src`
    /// and at `dst`, reading the destination only when the source does
    /// not decide.
    #[inline(always)]
    fn by_dir(
        dir: Dir,
        src: usize,
        dst: usize,
        field: impl Fn(usize) -> Option<bool>,
    ) -> Option<bool> {
        match dir {
            Dir::Src => field(src),
            Dir::Dst => field(dst),
            Dir::Any => Some(field(src)? || field(dst)?),
            Dir::Both => Some(field(src)? && field(dst)?),
        }
    }

    /// Where the ports of a TCP, UDP or SCTP packet in `protos` start,
    /// `Some(None)` for any other packet.
    fn ports_at(&self, vlans: u8, protos: u8) -> Option<Option<usize>> {
        let net = self.net_at(vlans);
        if self.link_is(vlans, ethertype::IPV6)? {
            if !transport_in(self.u8(net + 6)?, protos) {
                return Some(None);
            }
            Some(Some(net + 40))
        } else if self.link_is(vlans, ethertype::IPV4)? {
            if !transport_in(self.u8(net + 9)?, protos) {
                return Some(None);
            }
            if self.be16(net + 6)? & 0x1fff != 0 {
                return Some(None);
            }
            // The IHL as it is, like BPF's `ldxb 4*([n]&0xf)`.
            Some(Some(net + 4 * usize::from(self.u8(net)? & 0x0f)))
        } else {
            Some(None)
        }
    }

    /// Whether an IPv6 address at `at` is in `addr`/`prefix`: word by
    /// word, as BPF loads it; words past the prefix are not read.
    #[inline(never)]
    fn in_net6(&self, at: usize, prefix: u8, addr: &[u32; 4]) -> Option<bool> {
        let mut word_at = at;
        for (word, want) in (0u8..4).zip(addr) {
            let mask = word_mask(prefix, word);
            if mask == 0 {
                break;
            }
            if self.be32(word_at)? & mask != *want {
                return Some(false);
            }
            word_at += 4;
        }
        Some(true)
    }

    /// Whether the node's test holds; `None` when it reads past the
    /// captured bytes.
    pub(super) fn test(&self, node: &Node) -> Option<bool> {
        let vlans = node.vlans;
        match node.test {
            Test::Link(proto) => self.link_is(vlans, proto),
            Test::Vlan(id) => {
                if self.link != LinkType::Ethernet {
                    return Some(false);
                }
                let at = self.type_at(vlans);
                let tpid = self.be16(at)?;
                if !matches!(tpid, ethertype::VLAN | ethertype::QINQ | 0x9100) {
                    return Some(false);
                }
                match id {
                    Some(id) => Some(self.be16(at + 2)? & 0x0fff == id),
                    None => Some(true),
                }
            }
            Test::Proto { families, proto } => {
                let net = self.net_at(vlans);
                if families & V4 != 0 && self.link_is(vlans, ethertype::IPV4)? {
                    return Some(self.u8(net + 9)? == proto);
                }
                if families & V6 != 0 && self.link_is(vlans, ethertype::IPV6)? {
                    // The fixed header's next header, or the one of a
                    // fragment header right after it; no other chasing.
                    let next = self.u8(net + 6)?;
                    return Some(
                        next == proto
                            || (next == ip_proto::IPV6_FRAGMENT && self.u8(net + 40)? == proto),
                    );
                }
                Some(false)
            }
            Test::Port {
                protos,
                dir,
                lo,
                hi,
            } => {
                let Some(at) = self.ports_at(vlans, protos)? else {
                    return Some(false);
                };
                Self::by_dir(dir, at, at + 2, |at| {
                    let port = self.be16(at)?;
                    Some(lo <= port && port <= hi)
                })
            }
            Test::Host4 {
                places,
                dir,
                addr,
                mask,
            } => {
                let net = self.net_at(vlans);
                let (src, dst) = if places & IP != 0 && self.link_is(vlans, ethertype::IPV4)? {
                    (net + 12, net + 16)
                } else if (places & ARP != 0 && self.link_is(vlans, ethertype::ARP)?)
                    || (places & RARP != 0 && self.link_is(vlans, ETHERTYPE_RARP)?)
                {
                    // Sender and target protocol addresses of an
                    // Ethernet/IPv4 ARP packet, at fixed offsets.
                    (net + 14, net + 24)
                } else {
                    return Some(false);
                };
                // A /0 net reads nothing, like libpcap's optimized code.
                if mask == 0 {
                    return Some(true);
                }
                Self::by_dir(dir, src, dst, |at| Some(self.be32(at)? & mask == addr))
            }
            Test::Host6 { dir, prefix, addr } => {
                if !self.link_is(vlans, ethertype::IPV6)? {
                    return Some(false);
                }
                let net = self.net_at(vlans);
                Self::by_dir(dir, net + 8, net + 24, |at| self.in_net6(at, prefix, &addr))
            }
            Test::Len { rel, value } => {
                let len = u32::try_from(self.wire_len).unwrap_or(u32::MAX);
                Some(match rel {
                    Rel::Lt => len < value,
                    Rel::Le => len <= value,
                    Rel::Gt => len > value,
                    Rel::Ge => len >= value,
                    Rel::Eq => len == value,
                    Rel::Ne => len != value,
                })
            }
        }
    }
}

fn transport_in(proto: u8, protos: u8) -> bool {
    let bit = match proto {
        TCP_PROTO => TCP,
        ip_proto::UDP => UDP,
        SCTP_PROTO => SCTP,
        _ => 0,
    };
    protos & bit != 0
}

/// The PPP protocol number libpcap compares for an EtherType or SAP.
fn ppp_protocol(proto: u16) -> u16 {
    match proto {
        ethertype::IPV4 => 0x0021,
        ethertype::IPV6 => 0x0057,
        0x0042 => 0x0031, // 802.1D spanning tree: bridging PDU
        0x00e0 => 0x002b, // IPX
        0x00fe => 0x0023, // ISO/OSI
        0x0600 => 0x0025, // XNS
        0x6003 => 0x0027, // DECnet
        0x809b => 0x0029, // AppleTalk
        other => other,
    }
}
