//! Parser and code generator, in one left-to-right pass without recursion.
//!
//! Each primitive becomes one node, in text order. A compiled
//! subexpression is described by two patch lists: the node slots (true or
//! false targets) that must jump to wherever the subexpression's result
//! "true" leads, and those for "false". The lists are threaded through the
//! unpatched slots themselves, so they cost no memory. `A and B` points A's
//! true list at B's first node and joins the false lists; `or` is the
//! mirror image; `not` swaps the lists. Since B's nodes come after A's,
//! every jump goes forward. Parentheses push the state of the enclosing
//! group onto a small fixed stack.

use super::error::{ParseError, ParseErrorKind as Kind};
use super::lexer::{self, Addr, Lexer, Token};
use super::program::{
    word_mask, Dir, Node, Rel, Test, ACCEPT, ARP, ETHERTYPE_RARP, IP, RARP, REJECT, SCTP, TCP, UDP,
    V4, V6,
};
use super::{Filter, MAX_TEXT};
use crate::wire::ethernet::ethertype;

/// Deepest nesting of parentheses.
pub(super) const MAX_DEPTH: usize = 16;
/// Most `vlan` primitives in one expression.
pub(super) const MAX_VLANS: u8 = 8;

/// An empty patch list; otherwise `1 + 2 * node + (1 for the false slot)`.
const NIL: u8 = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proto {
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
enum Type {
    Host,
    Net,
    Port,
    PortRange,
    Proto,
}

/// The qualifiers of an id primitive; a bare id after `and`/`or`/`not`
/// reuses those of the primitive before it (`port 53 or 54`).
#[derive(Clone, Copy)]
struct Qual {
    proto: Proto,
    dir: Dir,
    kind: Type,
}

#[derive(Clone, Copy)]
enum Keyword {
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

fn keyword(word: &[u8]) -> Keyword {
    if let Some((_, keyword)) = KEYWORDS.iter().find(|(name, _)| *name == word) {
        *keyword
    } else if UNSUPPORTED.contains(&word) {
        Keyword::Unsupported
    } else {
        Keyword::None
    }
}

/// A parenthesised group being compiled.
#[derive(Clone, Copy)]
struct Group {
    on_true: u8,
    on_false: u8,
    full: bool,
    or: bool,
    negate: bool,
    start: u8,
}

const EMPTY_GROUP: Group = Group {
    on_true: NIL,
    on_false: NIL,
    full: false,
    or: false,
    negate: false,
    start: 0,
};

struct Compiler<'a, 'f> {
    lexer: Lexer<'a>,
    filter: &'f mut Filter,
    vlans: u8,
    last: Option<Qual>,
}

/// Compiles an expression; see the module documentation of `filter`.
pub(super) fn parse(text: &[u8]) -> Result<Filter, ParseError> {
    let mut filter = Filter::accept_all();
    compile(text, &mut filter)?;
    Ok(filter)
}

/// Compiles into `filter`, which holds the program built so far (so only
/// one program lives on the stack).
fn compile(text: &[u8], filter: &mut Filter) -> Result<(), ParseError> {
    if text.len() > MAX_TEXT {
        return Err(ParseError::new(MAX_TEXT, Kind::TooLong));
    }
    let mut compiler = Compiler {
        lexer: Lexer::new(text),
        filter,
        vlans: 0,
        last: None,
    };
    if compiler.lexer.peek()?.1 == Token::End {
        return Ok(());
    }
    compiler.expression()
}

impl<'a> Compiler<'a, '_> {
    fn expression(&mut self) -> Result<(), ParseError> {
        let mut stack = [EMPTY_GROUP; MAX_DEPTH + 1];
        let mut top = 0usize;
        let mut negate = false;
        loop {
            // An operand.
            let (pos, token) = self.lexer.next()?;
            let (on_true, on_false, start) = match token {
                Token::Not => {
                    negate = !negate;
                    continue;
                }
                Token::Open => {
                    top += 1;
                    let group = stack
                        .get_mut(top)
                        .ok_or(ParseError::new(pos, Kind::TooDeep))?;
                    *group = Group {
                        negate,
                        start: self.filter.len,
                        ..EMPTY_GROUP
                    };
                    negate = false;
                    continue;
                }
                Token::Word(word) => {
                    let vlans = self.vlans;
                    let test = self.primitive(pos, word)?;
                    let index = self.emit(pos, test, vlans)?;
                    let (t, f) = (entry(index, false), entry(index, true));
                    if negate {
                        (f, t, index)
                    } else {
                        (t, f, index)
                    }
                }
                Token::End => return Err(ParseError::new(pos, Kind::UnexpectedEnd)),
                _ => return Err(ParseError::new(pos, Kind::ExpectedPrimitive)),
            };
            negate = false;
            self.combine(&mut stack, top, on_true, on_false, start);
            // Operators and closing parentheses.
            loop {
                let (pos, token) = self.lexer.next()?;
                match token {
                    Token::And | Token::Or => {
                        if let Some(group) = stack.get_mut(top) {
                            group.or = token == Token::Or;
                        }
                        break;
                    }
                    Token::Close => {
                        let inner = match top.checked_sub(1) {
                            Some(outer) => core::mem::replace(&mut top, outer),
                            None => return Err(ParseError::new(pos, Kind::UnmatchedParen)),
                        };
                        let group = stack.get(inner).copied().unwrap_or(EMPTY_GROUP);
                        let (t, f) = if group.negate {
                            (group.on_false, group.on_true)
                        } else {
                            (group.on_true, group.on_false)
                        };
                        self.combine(&mut stack, top, t, f, group.start);
                    }
                    Token::End if top == 0 => {
                        let group = stack.first().copied().unwrap_or(EMPTY_GROUP);
                        self.patch(group.on_true, ACCEPT);
                        self.patch(group.on_false, REJECT);
                        return Ok(());
                    }
                    Token::End => return Err(ParseError::new(pos, Kind::MissingParen)),
                    _ => return Err(ParseError::new(pos, Kind::ExpectedOperator)),
                }
            }
        }
    }

    /// Joins an operand that starts at node `start` into group `top`.
    fn combine(&mut self, stack: &mut [Group], top: usize, t: u8, f: u8, start: u8) {
        let Some(mut group) = stack.get(top).copied() else {
            return;
        };
        if !group.full {
            group.on_true = t;
            group.on_false = f;
            group.full = true;
        } else if group.or {
            self.patch(group.on_false, start);
            group.on_true = self.concat(group.on_true, t);
            group.on_false = f;
        } else {
            self.patch(group.on_true, start);
            group.on_false = self.concat(group.on_false, f);
            group.on_true = t;
        }
        if let Some(slot) = stack.get_mut(top) {
            *slot = group;
        }
    }

    fn emit(&mut self, pos: usize, test: Test, vlans: u8) -> Result<u8, ParseError> {
        let index = self.filter.len;
        let node = self
            .filter
            .nodes
            .get_mut(usize::from(index))
            .ok_or(ParseError::new(pos, Kind::TooManyPrimitives))?;
        *node = Node {
            test,
            vlans,
            on_true: NIL,
            on_false: NIL,
        };
        self.filter.len = index + 1;
        Ok(index)
    }

    /// The slot a patch list entry names.
    fn slot(&mut self, entry: u8) -> Option<&mut u8> {
        let at = entry.checked_sub(1)?;
        let node = self.filter.nodes.get_mut(usize::from(at / 2))?;
        Some(if at % 2 == 0 {
            &mut node.on_true
        } else {
            &mut node.on_false
        })
    }

    /// Points every slot of `list` at `target`.
    fn patch(&mut self, mut list: u8, target: u8) {
        while let Some(slot) = self.slot(list) {
            list = core::mem::replace(slot, target);
        }
    }

    /// The union of two lists.
    fn concat(&mut self, first: u8, second: u8) -> u8 {
        let mut at = first;
        while let Some(slot) = self.slot(at) {
            if *slot == NIL {
                *slot = second;
                return first;
            }
            at = *slot;
        }
        second
    }

    /// The next token, which must be a word; `expected` otherwise.
    fn word(&mut self, expected: Kind) -> Result<(usize, &'a [u8]), ParseError> {
        match self.lexer.next()? {
            (pos, Token::Word(word)) => Ok((pos, word)),
            (pos, Token::End) => Err(ParseError::new(pos, Kind::UnexpectedEnd)),
            (pos, _) => Err(ParseError::new(pos, expected)),
        }
    }

    fn number(&mut self, expected: Kind) -> Result<u32, ParseError> {
        let (pos, word) = self.word(expected)?;
        lexer::number(word).map_err(|kind| ParseError::new(pos, kind))
    }

    fn primitive(&mut self, pos: usize, word: &'a [u8]) -> Result<Test, ParseError> {
        let kw = keyword(word);
        if !matches!(kw, Keyword::None) {
            self.last = None;
        }
        match kw {
            Keyword::Vlan => {
                let id = match self.lexer.peek()? {
                    (at, Token::Word(id)) if lexer::is_id(id) => {
                        self.lexer.next()?;
                        let id = lexer::number(id).map_err(|kind| ParseError::new(at, kind))?;
                        let id = u16::try_from(id)
                            .ok()
                            .filter(|id| *id <= 0x0fff)
                            .ok_or(ParseError::new(at, Kind::BadVlanId))?;
                        Some(id)
                    }
                    _ => None,
                };
                if self.vlans >= MAX_VLANS {
                    return Err(ParseError::new(pos, Kind::TooManyVlans));
                }
                self.vlans += 1;
                Ok(Test::Vlan(id))
            }
            Keyword::Len => {
                let rel = match self.lexer.next()? {
                    (_, Token::Rel(rel)) => rel,
                    (at, Token::End) => return Err(ParseError::new(at, Kind::UnexpectedEnd)),
                    (at, _) => return Err(ParseError::new(at, Kind::ExpectedComparison)),
                };
                let value = self.number(Kind::ExpectedNumber)?;
                Ok(Test::Len { rel, value })
            }
            Keyword::Less | Keyword::Greater => {
                let value = self.number(Kind::ExpectedNumber)?;
                let rel = match kw {
                    Keyword::Less => Rel::Le,
                    _ => Rel::Ge,
                };
                Ok(Test::Len { rel, value })
            }
            Keyword::Proto(proto) => match self.lexer.peek()? {
                (at, Token::Word(next))
                    if lexer::is_id(next)
                        || matches!(keyword(next), Keyword::Dir(_) | Keyword::Type(_)) =>
                {
                    self.lexer.next()?;
                    self.qualified(proto, pos, at, next)
                }
                (at, _) => alone(proto, at),
            },
            Keyword::Dir(_) | Keyword::Type(_) => self.qualified(Proto::None, pos, pos, word),
            Keyword::Unsupported => Err(ParseError::new(pos, Kind::Unsupported)),
            Keyword::None if lexer::is_id(word) => match self.last {
                Some(qual) => id(qual, pos, word),
                None => Err(ParseError::new(pos, Kind::ExpectedPrimitive)),
            },
            Keyword::None => Err(ParseError::new(pos, Kind::UnknownWord)),
        }
    }

    /// `[proto] [dir] [type] id`, from the word after the protocol (or the
    /// first word when there is none).
    fn qualified(
        &mut self,
        proto: Proto,
        proto_at: usize,
        mut pos: usize,
        mut word: &'a [u8],
    ) -> Result<Test, ParseError> {
        let mut dir = None;
        if let Keyword::Dir(first) = keyword(word) {
            dir = Some((pos, first));
            // `src or dst`, `dst and src`, ...
            let mut ahead = self.lexer;
            if let (Ok((_, op @ (Token::Or | Token::And))), Ok((_, Token::Word(second)))) =
                (ahead.next(), ahead.next())
            {
                if matches!(keyword(second), Keyword::Dir(d) if d != first) {
                    let both = if op == Token::Or { Dir::Any } else { Dir::Both };
                    dir = Some((pos, both));
                    self.lexer = ahead;
                }
            }
            (pos, word) = self.word(Kind::ExpectedQualifier)?;
        }
        let kind = match keyword(word) {
            Keyword::Type(kind) => {
                let expected = match kind {
                    Type::Host | Type::Net => Kind::ExpectedAddress,
                    Type::Port => Kind::ExpectedPort,
                    Type::PortRange => Kind::ExpectedPortRange,
                    Type::Proto => Kind::ExpectedProtocol,
                };
                (pos, word) = self.word(expected)?;
                kind
            }
            Keyword::None if lexer::is_id(word) => Type::Host,
            Keyword::None => return Err(ParseError::new(pos, Kind::HostName)),
            _ => return Err(ParseError::new(pos, Kind::ExpectedQualifier)),
        };
        let allowed = match kind {
            Type::Host | Type::Net => {
                if proto == Proto::Ether {
                    // MAC addresses.
                    return Err(ParseError::new(proto_at, Kind::Unsupported));
                }
                matches!(
                    proto,
                    Proto::None | Proto::Ip | Proto::Ip6 | Proto::Arp | Proto::Rarp
                )
            }
            Type::Port | Type::PortRange => {
                matches!(proto, Proto::None | Proto::Tcp | Proto::Udp | Proto::Sctp)
            }
            Type::Proto => {
                if let Some((at, _)) = dir {
                    return Err(ParseError::new(at, Kind::BadQualifier));
                }
                matches!(proto, Proto::None | Proto::Ether | Proto::Ip | Proto::Ip6)
            }
        };
        if !allowed {
            return Err(ParseError::new(proto_at, Kind::BadQualifier));
        }
        let qual = Qual {
            proto,
            dir: dir.map_or(Dir::Any, |(_, dir)| dir),
            kind,
        };
        let test = id(qual, pos, word)?;
        self.last = Some(qual);
        Ok(test)
    }
}

/// The entry naming a node's true (or false) slot.
fn entry(index: u8, on_false: bool) -> u8 {
    index
        .saturating_mul(2)
        .saturating_add(1 + u8::from(on_false))
}

/// A protocol qualifier on its own: `ip`, `tcp`, ...
fn alone(proto: Proto, next_at: usize) -> Result<Test, ParseError> {
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
fn id(qual: Qual, pos: usize, word: &[u8]) -> Result<Test, ParseError> {
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
