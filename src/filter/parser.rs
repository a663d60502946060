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
use super::lexer::{self, Lexer, Token};
use super::primitive::{alone, id, keyword, Keyword, Proto, Qual, Type};
use super::program::{Dir, Node, Rel, Test, ACCEPT, REJECT};
use super::{Filter, MAX_TEXT};

/// Deepest nesting of parentheses.
pub(super) const MAX_DEPTH: usize = 16;
/// Most `vlan` primitives in one expression.
pub(super) const MAX_VLANS: u8 = 8;

/// An empty patch list; otherwise `1 + 2 * node + (1 for the false slot)`.
const NIL: u8 = 0;

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
    let mut filter = const { Filter::accept_all() };
    compile(text, &mut filter)?;
    Ok(filter)
}

/// Compiles into `filter`, which holds the program built so far (so only
/// one program lives on the stack).
pub(super) fn compile(text: &[u8], filter: &mut Filter) -> Result<(), ParseError> {
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
