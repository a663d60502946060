//! The primitives: keywords, qualifiers, and the test each id compiles to
//! (addresses, ports, protocol numbers and names, checked as libpcap
//! checks them).

use super::error::{ParseError, ParseErrorKind as Kind};
use super::lexer::{self, Addr};
use super::program::{word_mask, Dir, Test, ARP, ETHERTYPE_RARP, IP, RARP, SCTP, TCP, UDP, V4, V6};
use crate::wire::ethernet::ethertype;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Proto {
    None,
    Ether,
    Ip,
    Ip6,
    Arp,
    Rarp,
    Tcp,
    Udp,
    Sctp,
    Icmp,
    Icmp6,
    Igmp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Type {
    Host,
    Net,
    Port,
    PortRange,
    Proto,
}

/// The qualifiers of an id primitive; a bare id after `and`/`or`/`not`
/// reuses those of the primitive before it (`port 53 or 54`).
#[derive(Clone, Copy)]
pub(super) struct Qual {
    pub(super) proto: Proto,
    pub(super) dir: Dir,
    pub(super) kind: Type,
}

#[derive(Clone, Copy)]
pub(super) enum Keyword {
    Proto(Proto),
    Dir(Dir),
    Type(Type),
    Vlan,
    Len,
    Less,
    Greater,
    Unsupported,
    None,
}

/// The keywords of the language.
const KEYWORDS: [(&[u8], Keyword); 22] = [
    (b"ether", Keyword::Proto(Proto::Ether)),
    (b"ip", Keyword::Proto(Proto::Ip)),
    (b"ip6", Keyword::Proto(Proto::Ip6)),
    (b"arp", Keyword::Proto(Proto::Arp)),
    (b"rarp", Keyword::Proto(Proto::Rarp)),
    (b"tcp", Keyword::Proto(Proto::Tcp)),
    (b"udp", Keyword::Proto(Proto::Udp)),
    (b"sctp", Keyword::Proto(Proto::Sctp)),
    (b"icmp", Keyword::Proto(Proto::Icmp)),
    (b"icmp6", Keyword::Proto(Proto::Icmp6)),
    (b"igmp", Keyword::Proto(Proto::Igmp)),
    (b"src", Keyword::Dir(Dir::Src)),
    (b"dst", Keyword::Dir(Dir::Dst)),
    (b"host", Keyword::Type(Type::Host)),
    (b"net", Keyword::Type(Type::Net)),
    (b"port", Keyword::Type(Type::Port)),
    (b"portrange", Keyword::Type(Type::PortRange)),
    (b"proto", Keyword::Type(Type::Proto)),
    (b"vlan", Keyword::Vlan),
    (b"len", Keyword::Len),
    (b"less", Keyword::Less),
    (b"greater", Keyword::Greater),
];

/// Keywords of the pcap-filter language left out, refused as such rather
/// than as unknown words.
const UNSUPPORTED: [&[u8]; 12] = [
    b"gateway",
    b"broadcast",
    b"multicast",
    b"mask",
    b"mpls",
    b"pppoes",
    b"geneve",
    b"inbound",
    b"outbound",
    b"llc",
    b"protochain",
    b"ifindex",
];

pub(super) fn keyword(word: &[u8]) -> Keyword {
    if let Some((_, keyword)) = KEYWORDS.iter().find(|(name, _)| *name == word) {
        *keyword
    } else if UNSUPPORTED.contains(&word) {
        Keyword::Unsupported
    } else {
        Keyword::None
    }
}

/// A protocol qualifier on its own: `ip`, `tcp`, ...
pub(super) fn alone(proto: Proto, next_at: usize) -> Result<Test, ParseError> {
    let both = V4 | V6;
    Ok(match proto {
        Proto::None | Proto::Ether => {
            return Err(ParseError::new(next_at, Kind::ExpectedQualifier))
        }
        Proto::Ip => Test::Link(ethertype::IPV4),
        Proto::Ip6 => Test::Link(ethertype::IPV6),
        Proto::Arp => Test::Link(ethertype::ARP),
        Proto::Rarp => Test::Link(ETHERTYPE_RARP),
        Proto::Tcp => ip_proto(both, 6),
        Proto::Udp => ip_proto(both, 17),
        Proto::Sctp => ip_proto(both, 132),
        Proto::Icmp => ip_proto(V4, 1),
        Proto::Icmp6 => ip_proto(V6, 58),
        Proto::Igmp => ip_proto(V4, 2),
    })
}

fn ip_proto(families: u8, proto: u8) -> Test {
    Test::Proto { families, proto }
}

/// The test of an id with its qualifiers (already checked to fit together).
pub(super) fn id(qual: Qual, pos: usize, word: &[u8]) -> Result<Test, ParseError> {
    let at = |offset: usize, kind: Kind| ParseError::new(pos + offset, kind);
    match qual.kind {
        Type::Host | Type::Net => {
            let (addr, prefix) = match word.iter().position(|b| *b == b'/') {
                Some(slash) if qual.kind == Type::Host => return Err(at(slash, Kind::MaskOnHost)),
                Some(slash) => {
                    let (addr, len) = word.split_at(slash);
                    let len = len.get(1..).unwrap_or_default();
                    let len = lexer::number(len).map_err(|_| at(slash + 1, Kind::BadPrefix))?;
                    (addr, Some((slash + 1, len)))
                }
                None => (word, None),
            };
            let Some(addr) = lexer::address(addr) else {
                let name =
                    word.first().is_some_and(u8::is_ascii_alphabetic) && !word.contains(&b':');
                return Err(at(
                    0,
                    if name {
                        Kind::HostName
                    } else {
                        Kind::ExpectedAddress
                    },
                ));
            };
            let max = match addr {
                Addr::V4(_) => 32,
                Addr::V6(_) => 128,
            };
            let prefix = match prefix {
                Some((offset, len)) if len > max => return Err(at(offset, Kind::BadPrefix)),
                Some((_, len)) => u8::try_from(len).unwrap_or(0),
                None => u8::try_from(max).unwrap_or(0),
            };
            match addr {
                Addr::V4(addr) => {
                    let places = match qual.proto {
                        Proto::Ip => IP,
                        Proto::Arp => ARP,
                        Proto::Rarp => RARP,
                        Proto::None => IP | ARP | RARP,
                        _ => return Err(at(0, Kind::WrongFamily)),
                    };
                    let mask = word_mask(prefix, 0);
                    if addr & !mask != 0 {
                        return Err(at(0, Kind::HostBits));
                    }
                    Ok(Test::Host4 {
                        places,
                        dir: qual.dir,
                        addr,
                        mask,
                    })
                }
                Addr::V6(addr) => {
                    if !matches!(qual.proto, Proto::None | Proto::Ip6) {
                        return Err(at(0, Kind::WrongFamily));
                    }
                    if (0u8..4)
                        .zip(addr)
                        .any(|(word, bits)| bits & !word_mask(prefix, word) != 0)
                    {
                        return Err(at(0, Kind::HostBits));
                    }
                    Ok(Test::Host6 {
                        dir: qual.dir,
                        prefix,
                        addr,
                    })
                }
            }
        }
        Type::Port | Type::PortRange => {
            let protos = match qual.proto {
                Proto::Tcp => TCP,
                Proto::Udp => UDP,
                Proto::Sctp => SCTP,
                _ => TCP | UDP | SCTP,
            };
            let dash = word.iter().position(|b| *b == b'-');
            let (lo, hi) = match dash {
                // `portrange N` is port N, as in libpcap.
                Some(dash) if qual.kind == Type::PortRange => {
                    let (lo, hi) = word.split_at(dash);
                    let hi = hi.get(1..).unwrap_or_default();
                    let lo = port(lo).map_err(|kind| at(0, kind))?;
                    let hi = port(hi).map_err(|kind| at(dash + 1, kind))?;
                    (lo.min(hi), lo.max(hi))
                }
                _ => {
                    let port = port(word).map_err(|kind| at(0, kind))?;
                    (port, port)
                }
            };
            Ok(Test::Port {
                protos,
                dir: qual.dir,
                lo,
                hi,
            })
        }
        Type::Proto => {
            let name = word.strip_prefix(b"\\").unwrap_or(word);
            if qual.proto == Proto::Ether {
                let value = match name {
                    b"ip" => ethertype::IPV4,
                    b"ip6" => ethertype::IPV6,
                    b"arp" => ethertype::ARP,
                    b"rarp" => ETHERTYPE_RARP,
                    _ => lexer::number(word)
                        .ok()
                        .and_then(|n| u16::try_from(n).ok())
                        .ok_or(at(0, Kind::ExpectedProtocol))?,
                };
                if matches!(value, 0x00e0 | 0x809b | 0x80f3) {
                    return Err(at(0, Kind::UnsupportedEtherProto));
                }
                return Ok(Test::Link(value));
            }
            let proto = match name {
                b"icmp" => 1,
                b"igmp" => 2,
                b"tcp" => 6,
                b"udp" => 17,
                b"icmp6" | b"ipv6-icmp" => 58,
                b"sctp" => 132,
                _ => lexer::number(word)
                    .ok()
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or(at(0, Kind::ExpectedProtocol))?,
            };
            let families = match qual.proto {
                Proto::Ip => V4,
                Proto::Ip6 => V6,
                _ => V4 | V6,
            };
            Ok(ip_proto(families, proto))
        }
    }
}

/// A port number; names are refused.
fn port(word: &[u8]) -> Result<u16, Kind> {
    if word.first().is_some_and(u8::is_ascii_alphabetic) {
        return Err(Kind::ServiceName);
    }
    let value = lexer::number(word).map_err(|_| Kind::ExpectedPort)?;
    u16::try_from(value).map_err(|_| Kind::ExpectedPort)
}
