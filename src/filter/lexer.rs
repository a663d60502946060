//! Tokens of the expression text, and the numbers and addresses in words.

use super::error::{ParseError, ParseErrorKind};
use super::program::Rel;

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    /// A keyword, number, address, port range or `\name`.
    Word(&'a [u8]),
    Open,
    Close,
    /// `not`, `!`.
    Not,
    /// `and`, `&&`.
    And,
    /// `or`, `||`.
    Or,
    Rel(Rel),
    End,
}

/// Splits the text into tokens; cheap to copy, which is how the parser
/// looks ahead.
#[derive(Clone, Copy)]
pub(super) struct Lexer<'a> {
    text: &'a [u8],
    at: usize,
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b':' | b'-' | b'_' | b'\\' | b'/')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a [u8]) -> Lexer<'a> {
        Lexer { text, at: 0 }
    }

    /// The next token and the offset where it starts.
    pub(super) fn next(&mut self) -> Result<(usize, Token<'a>), ParseError> {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
        let start = self.at;
        let Some(&first) = self.text.get(start) else {
            return Ok((start, Token::End));
        };
        let second = self.text.get(start + 1).copied();
        let (len, token) = match (first, second) {
            (b'(', _) => (1, Token::Open),
            (b')', _) => (1, Token::Close),
            (b'!', Some(b'=')) => (2, Token::Rel(Rel::Ne)),
            (b'!', _) => (1, Token::Not),
            (b'&', Some(b'&')) => (2, Token::And),
            (b'|', Some(b'|')) => (2, Token::Or),
            (b'<', Some(b'=')) => (2, Token::Rel(Rel::Le)),
            (b'<', _) => (1, Token::Rel(Rel::Lt)),
            (b'>', Some(b'=')) => (2, Token::Rel(Rel::Ge)),
            (b'>', _) => (1, Token::Rel(Rel::Gt)),
            (b'=', Some(b'=')) => (2, Token::Rel(Rel::Eq)),
            (b'=', _) => (1, Token::Rel(Rel::Eq)),
            _ if is_word_byte(first) => {
                let rest = self.text.get(start..).unwrap_or_default();
                let len = rest.iter().take_while(|b| is_word_byte(**b)).count();
                let word = rest.get(..len).unwrap_or_default();
                let token = match word {
                    b"and" => Token::And,
                    b"or" => Token::Or,
                    b"not" => Token::Not,
                    _ => Token::Word(word),
                };
                (len, token)
            }
            _ => return Err(ParseError::new(start, ParseErrorKind::UnexpectedCharacter)),
        };
        self.at = start + len;
        Ok((start, token))
    }

    /// The next token, without consuming it.
    pub(super) fn peek(&self) -> Result<(usize, Token<'a>), ParseError> {
        let mut ahead = *self;
        ahead.next()
    }
}

/// A number as libpcap reads it: decimal, `0x` hexadecimal, or octal with a
/// leading `0`; 32 bits at most.
pub(super) fn number(word: &[u8]) -> Result<u32, ParseErrorKind> {
    let (digits, radix) = match word {
        [b'0', b'x' | b'X', hex @ ..] => (hex, 16),
        [b'0', octal @ ..] if !octal.is_empty() => (octal, 8),
        _ => (word, 10),
    };
    if digits.is_empty() {
        return Err(ParseErrorKind::ExpectedNumber);
    }
    let mut value: u32 = 0;
    for &byte in digits {
        let digit = char::from(byte)
            .to_digit(radix)
            .ok_or(ParseErrorKind::ExpectedNumber)?;
        value = value
            .checked_mul(radix)
            .and_then(|v| v.checked_add(digit))
            .ok_or(ParseErrorKind::NumberTooLarge)?;
    }
    Ok(value)
}

/// An address in a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Addr {
    V4(u32),
    V6([u32; 4]),
}

/// An IPv4 dotted quad or an IPv6 address (anything with a `:`). Written
/// here rather than taken from `core::net`, whose parsers are several
/// times larger on a microcontroller.
pub(super) fn address(word: &[u8]) -> Option<Addr> {
    if word.contains(&b':') {
        ipv6(word).map(Addr::V6)
    } else {
        ipv4(word).map(Addr::V4)
    }
}

/// Four decimal numbers 0-255 without leading zeros, separated by dots.
fn ipv4(text: &[u8]) -> Option<u32> {
    let mut value = 0u32;
    let mut parts = 0;
    for part in text.split(|b| *b == b'.') {
        let leading_zero = part.len() > 1 && part.first() == Some(&b'0');
        if part.is_empty() || part.len() > 3 || leading_zero {
            return None;
        }
        let octet = number(part).ok().filter(|n| *n <= 255)?;
        value = value << 8 | octet;
        parts += 1;
    }
    (parts == 4).then_some(value)
}

/// Up to eight groups of 1-4 hex digits separated by `:`, one `::` for
/// one or more zero groups, and a dotted quad for the last two groups.
fn ipv6(text: &[u8]) -> Option<[u32; 4]> {
    let mut groups = [0u16; 8];
    let mut count = 0usize;
    let mut gap = None;
    let mut rest = text;
    if let Some(after) = rest.strip_prefix(b"::") {
        gap = Some(0);
        rest = after;
    }
    while !rest.is_empty() {
        let end = rest.iter().position(|b| *b == b':').unwrap_or(rest.len());
        let (part, tail) = rest.split_at_checked(end)?;
        if tail.is_empty() && part.contains(&b'.') {
            let quad = ipv4(part)?;
            for half in [quad >> 16, quad & 0xffff] {
                *groups.get_mut(count)? = u16::try_from(half).ok()?;
                count += 1;
            }
            break;
        }
        if part.is_empty() || part.len() > 4 || !part.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let mut group = 0u16;
        for digit in part {
            let digit = char::from(*digit).to_digit(16)?;
            group = group << 4 | u16::try_from(digit).ok()?;
        }
        *groups.get_mut(count)? = group;
        count += 1;
        rest = match tail {
            [] => tail,
            [b':', b':', after @ ..] if gap.is_none() => {
                gap = Some(count);
                after
            }
            [b':', after @ ..] if !after.is_empty() => after,
            _ => return None,
        };
    }
    let mut full = [0u16; 8];
    match gap {
        None if count == 8 => full = groups,
        Some(at) if count < 8 => {
            let head = groups.get(..at)?;
            let tail = groups.get(at..count)?;
            full.get_mut(..at)?.copy_from_slice(head);
            full.get_mut(8 - tail.len()..)?.copy_from_slice(tail);
        }
        _ => return None,
    }
    let mut words = [0u32; 4];
    for (word, pair) in words.iter_mut().zip(full.chunks_exact(2)) {
        let (high, low) = (pair.first()?, pair.get(1)?);
        *word = u32::from(*high) << 16 | u32::from(*low);
    }
    Some(words)
}

/// Whether a word is meant as an address or number (and not as a keyword
/// or a name): it starts with a digit or `\`, or holds a `:`.
pub(super) fn is_id(word: &[u8]) -> bool {
    word.first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'\\')
        || word.contains(&b':')
}
