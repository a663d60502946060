//! Capture filters: the part of the pcap-filter language (tcpdump's
//! syntax) that matters on a device, compiled once into a small
//! fixed-capacity program and evaluated per frame without allocating.
//!
//! ```
//! use zephyr_net_capture::filter::{Filter, LinkType};
//!
//! let filter = Filter::parse(b"udp port 4243 and not vlan").unwrap();
//! assert!(!filter.matches(LinkType::Ethernet, &[0; 60], 60));
//! let error = Filter::parse(b"port 70000").unwrap_err();
//! assert_eq!((error.position, error.message()), (5, "expected a port number (0-65535)"));
//! ```
//!
//! # Expressions
//!
//! An expression is primitives combined with `and` (or `&&`), `or` (or
//! `||`), `not` (or `!`) and parentheses. As in libpcap, `not` binds
//! tightest, and `and` and `or` have the *same* precedence and group from
//! the left: `ip or arp and vlan` means `(ip or arp) and vlan`. An empty or
//! blank expression accepts every frame. Evaluation goes left to right and
//! stops as soon as the result is known.
//!
//! Words are case-sensitive and separated by blanks; `(`, `)`, `!`, `&&`,
//! `||` and the comparison operators need no blanks around them.
//! Numbers are decimal, hexadecimal with `0x`, or octal with a leading `0`
//! (`port 065` is port 53, as in libpcap). IPv4 addresses are dotted quads
//! (`192.0.2.1`), IPv6 addresses are written as usual (`2001:db8::1`,
//! `::ffff:192.0.2.1`); host names and service names are refused.
//!
//! ## Primitives
//!
//! | primitive | true for |
//! | --- | --- |
//! | `ip`, `ip6`, `arp`, `rarp` | frames whose link-layer protocol is IPv4, IPv6, ARP, RARP (same as `ether proto 0x0800`, `0x86dd`, `0x0806`, `0x8035`) |
//! | `tcp`, `udp`, `sctp` | IPv4 or IPv6 packets of that protocol |
//! | `icmp`, `igmp` | IPv4 packets of that protocol |
//! | `icmp6` | IPv6 packets of protocol 58 |
//! | `ip proto P`, `ip6 proto P`, `proto P` | IPv4, IPv6, either packets of protocol `P`: 0-255 or `icmp`, `igmp`, `tcp`, `udp`, `sctp`, `icmp6` (alias `ipv6-icmp`), each also written `\tcp` as libpcap requires |
//! | `ether proto N` | frames whose link-layer protocol is `N` (0-65535) or `ip`, `ip6`, `arp`, `rarp` (also `\ip`, ...); see below for values up to 1500 |
//! | `[Q] [DIR] port N` | TCP, UDP or SCTP packets with source or destination port `N` (0-65535) |
//! | `[Q] [DIR] portrange A-B` | the same for a port from `A` to `B` inclusive (written without blanks; `B-A` is the same range) |
//! | `[ip\|arp\|rarp] [DIR] host A` | IPv4 packets with source or destination address `A`, and ARP/RARP packets with sender or target protocol address `A` (`ip`, `arp`, `rarp` restrict to one) |
//! | `[ip6] [DIR] host A` | IPv6 packets with source or destination address `A` |
//! | `[..] [DIR] net A/LEN` | as `host`, for addresses in the prefix; `net A` alone is `A/32` or `A/128`; `A` must have no bits set past `LEN` |
//! | `[..] DIR A` | as `DIR host A` |
//! | `vlan`, `vlan ID` | Ethernet frames with an 802.1Q (0x8100), 802.1ad (0x88a8) or 0x9100 tag, with VLAN id `ID` (0-4095) if given; see below |
//! | `len OP N` | frames whose length on the wire compares so with `N`; `OP` is one of `<`, `<=`, `>`, `>=`, `=` (or `==`), `!=` |
//! | `less N`, `greater N` | `len <= N`, `len >= N` |
//! | `N`, `A`, `A/LEN`, `A-B`, `\name` alone | after `and`/`or`/`not`/`(`: the previous primitive's qualifiers again: `port 53 or 54`, `host 192.0.2.1 and not 192.0.2.2` |
//!
//! `Q` is `tcp`, `udp` or `sctp` (the default is all three) and `DIR` is
//! `src`, `dst`, `src or dst` (the default) or `src and dst` (also `dst or
//! src`, `dst and src`, and with `||`/`&&`). Qualifiers that do not fit are
//! refused as libpcap refuses them (`tcp host ...`, `ip port ...`, `ip
//! host 2001:db8::1`, `src proto 6`, `arp proto 6`).
//!
//! ## What each primitive looks at
//!
//! The filter reads the frame as libpcap's BPF code for the same
//! expression does, for these link types ([`LinkType`]):
//!
//! | link type | link-layer protocol | network layer at |
//! | --- | --- | --- |
//! | `Ethernet` | EtherType at 12 (+4 per `vlan` before the primitive) | 14 (+4 per `vlan`) |
//! | `Sll1` (Linux cooked v1) | protocol at 14 | 16 |
//! | `Sll2` (Linux cooked v2) | protocol at 0 | 20 |
//! | `Ppp` | PPP protocol at 0, or at 2 after `ff 03` | 2, or 4 after `ff 03` |
//! | `RawIp` | version nibble: 4 is `ip`, 6 is `ip6`, nothing else matches | 0 |
//! | `Other` | nothing matches except `len`, `less`, `greater` | - |
//!
//! - `ether proto N` with `N` up to 1500 is an 802.2 LLC SAP, as in
//!   libpcap: on Ethernet it matches 802.3 frames (length field ≤ 1500)
//!   whose DSAP is `N`; on SLL v1 frames of protocol 4 (802.2) whose DSAP
//!   is `N`; for 0x06, 0xf0 and 0xfe DSAP and SSAP must both be `N`. SLL v2
//!   compares the protocol field directly (so `ether proto 0x19` matches
//!   cooked HDLC frames there, but on SLL v1 it is a SAP test, as in
//!   tcpdump). On PPP, IPv4, IPv6 and a few others are mapped to PPP
//!   protocol numbers (0x0800 → 0x0021, 0x86dd → 0x0057, ...). 0xe0 (IPX),
//!   0x809b (AppleTalk) and 0x80f3 (AARP) have complex meanings in libpcap
//!   and are refused.
//! - `tcp`, `udp`, `sctp`, `icmp6`, `ip6 proto P`: for IPv6, the fixed
//!   header's next header, or the next header of a fragment header right
//!   after it. Other extension headers are not followed (an MLD packet
//!   behind a hop-by-hop header is not `icmp6`), as in libpcap.
//! - `port`, `portrange`: IPv4 packets only when the fragment offset is 0,
//!   with the ports after the IHL; IPv6 packets only when the fixed
//!   header's next header is TCP, UDP or SCTP, with the ports right after
//!   the fixed header.
//! - `host`/`net` with an IPv4 address look at IPv4 source/destination, and
//!   at the sender/target protocol addresses of ARP and RARP packets
//!   (offsets 14 and 24 of an Ethernet/IPv4 ARP packet).
//! - `vlan`: as in libpcap, every primitive written *after* a `vlan` in the
//!   text looks one tag deeper, whatever the `and`/`or`/`not` structure:
//!   `vlan and ip` is IPv4 inside a tag; `vlan 10 or ip` tests `ip` on the
//!   EtherType after the first tag even when the frame is untagged. Up to
//!   8 `vlan` per expression. On link types other than Ethernet `vlan` is
//!   false (libpcap refuses it) and shifts nothing.
//! - `len` is the frame's length on the wire (`wire_len`), not the
//!   captured length.
//!
//! ## Short frames
//!
//! As with BPF, a primitive that needs a byte past the captured part of the
//! frame rejects the whole frame: the filter is then false, even under
//! `not`. Primitives read only what they need in libpcap's order (`host`
//! reads the source address first and the destination only if the source
//! does not decide; an IPv6 `net` reads only the 32-bit words its prefix
//! covers, a `/0` net none). So `not port 53` is false
//! on an IPv4 UDP frame cut before its ports, like tcpdump's.
//!
//! ## Differences from libpcap
//!
//! - Values libpcap accepts but can never match are refused:
//!   `ip proto 256`, `ether proto 0x10000`.
//! - libpcap refuses some combinations this parser accepts with the
//!   obvious meaning: a bare id after a parenthesised primitive (`(port 1)
//!   or 2`), bare ids mixed with primitives inside parentheses, and protocol
//!   names without the backslash (`ip proto tcp`, `ether proto arp`).
//! - Things of the pcap-filter language not listed above are refused
//!   (`ether host`, `gateway`, `broadcast`, `mpls`, byte offsets such as
//!   `ip[0]`, arithmetic, `net A mask M`, partial addresses like `net 10`,
//!   numbers as addresses like `host 53`, protocol names other than those
//!   listed, which libpcap looks up in the system's databases).
//!   Expressions libpcap says "reject all packets" for (`arp` on raw IP)
//!   compile and match nothing.
//! - On a frame cut short, libpcap's optimizer sometimes reorders tests
//!   across primitives (`port 53 or 54` compares both source ports before
//!   either destination port), so it may read fewer bytes than the
//!   left-to-right order this filter keeps, and accept a frame that the
//!   filter rejects.
//! - `Ppp` frames without the `ff 03` address and control bytes are
//!   accepted; libpcap always assumes them.
//!
//! # Limits and costs
//!
//! At most [`MAX_TEXT`] bytes of text, [`MAX_NODES`] primitives,
//! parentheses nested 16 deep and 8 `vlan`. A [`Filter`] is a fixed array
//! of 24-byte nodes and a count: `size_of::<Filter>()` is 388 bytes (on 32-
//! and 64-bit targets alike).
//!
//! Evaluation is one loop over the nodes, whose jumps only go forward, with
//! no allocation and no recursion; a node costs a few bounds-checked loads
//! and compares, so rejecting a frame with a 3-primitive filter takes on
//! the order of a hundred instructions. Measured on `thumbv7m-none-eabi`
//! (`opt-level = "s"`, LTO): [`Filter::matches`] is about 1.8 KB of code
//! and needs at most about 160 bytes of stack; [`Filter::parse`] is about
//! 5.9 KB more (the linker drops it where nothing parses) and needs about
//! 1.3 KB of stack including the returned program, so call it from a
//! control thread, not from the RX path. [`ParseError::message`]'s texts are
//! about 1 KB of read-only data.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod error;
mod lexer;
mod parser;
mod primitive;
mod program;
#[cfg(test)]
mod tests;

pub use error::{ParseError, ParseErrorKind};

use program::{Node, Packet, ACCEPT, REJECT};

/// Most primitives a program holds (each primitive in the text is one
/// node of 24 bytes).
pub const MAX_NODES: usize = 16;

/// Longest expression text accepted, in bytes.
pub const MAX_TEXT: usize = 128;

/// No primitive reads a frame past this many bytes (the deepest read is a
/// port behind 8 VLAN tags and a 60-byte IPv4 header, bytes 106-109): a
/// frame's first `MAX_READ` bytes decide as well as the whole frame.
pub const MAX_READ: usize = 112;

/// How the frames given to [`Filter::matches`] start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkType {
    /// Ethernet II / 802.3 (LINKTYPE_ETHERNET, 1), VLAN tags inline.
    Ethernet,
    /// An IPv4 or IPv6 packet (LINKTYPE_RAW, 101).
    RawIp,
    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113).
    Sll1,
    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276).
    Sll2,
    /// PPP (LINKTYPE_PPP, 9): the protocol field, then the packet,
    /// optionally preceded by `ff 03`.
    Ppp,
    /// Anything else: only `len`, `less` and `greater` can match.
    Other,
}

impl LinkType {
    /// The link type of a pcap LINKTYPE_ value.
    pub fn from_linktype(linktype: u32) -> LinkType {
        match linktype {
            1 => LinkType::Ethernet,
            101 => LinkType::RawIp,
            113 => LinkType::Sll1,
            276 => LinkType::Sll2,
            9 => LinkType::Ppp,
            _ => LinkType::Other,
        }
    }
}

/// A compiled filter expression: a fixed-capacity program, cheap to keep
/// in static memory per capture device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    nodes: [Node; MAX_NODES],
    len: u8,
}

impl Default for Filter {
    fn default() -> Filter {
        Filter::accept_all()
    }
}

impl Filter {
    /// The empty filter, which accepts every frame.
    pub const fn accept_all() -> Filter {
        Filter {
            nodes: [Node::UNUSED; MAX_NODES],
            len: 0,
        }
    }

    /// Whether this is the empty filter.
    pub fn is_accept_all(&self) -> bool {
        self.len == 0
    }

    /// Compiles an expression (see the module documentation). Empty or
    /// blank text gives [`Filter::accept_all`].
    pub fn parse(text: &[u8]) -> Result<Filter, ParseError> {
        parser::parse(text)
    }

    /// Compiles an expression into `self`, as [`Filter::parse`], without a
    /// second program on the stack: what a small thread stack (a shell
    /// command on a microcontroller) can afford. On error `self` accepts
    /// every frame.
    pub fn parse_into(&mut self, text: &[u8]) -> Result<(), ParseError> {
        self.clear();
        parser::compile(text, self).inspect_err(|_| self.clear())
    }

    /// Back to [`Filter::accept_all`], in place (no program-sized
    /// temporary on the stack).
    fn clear(&mut self) {
        self.nodes.fill(Node::UNUSED);
        self.len = 0;
    }

    /// Whether the filter accepts a frame. `frame` is the start of the frame
    /// as captured (it may be shorter than the frame); `wire_len` is the
    /// frame's full length, for `len`, `less` and `greater`.
    pub fn matches(&self, link: LinkType, frame: &[u8], wire_len: usize) -> bool {
        let nodes = self.nodes.get(..usize::from(self.len)).unwrap_or_default();
        if nodes.is_empty() {
            return true;
        }
        let packet = Packet::new(link, frame, wire_len);
        let mut at = 0usize;
        while let Some(node) = nodes.get(at) {
            let next = match packet.test(node) {
                Some(true) => node.on_true,
                Some(false) => node.on_false,
                // Read past the captured bytes.
                None => return false,
            };
            match next {
                ACCEPT => return true,
                REJECT => return false,
                // Jumps only go forward, so the loop ends.
                next if usize::from(next) > at => at = usize::from(next),
                _ => return false,
            }
        }
        false
    }
}

impl core::str::FromStr for Filter {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Filter, ParseError> {
        Filter::parse(text.as_bytes())
    }
}
