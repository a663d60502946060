//! Tokens of the expression text, and the numbers and addresses in words.

use super::error::{ParseError, ParseErrorKind};
use super::program::Rel;
use core::net::{Ipv4Addr, Ipv6Addr};

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

/// An IPv4 dotted quad or an IPv6 address (anything with a `:`).
pub(super) fn address(word: &[u8]) -> Option<Addr> {
    let text = core::str::from_utf8(word).ok()?;
    if text.contains(':') {
        let octets = text.parse::<Ipv6Addr>().ok()?.octets();
        let mut words = [0u32; 4];
        for (slot, chunk) in words.iter_mut().zip(octets.chunks_exact(4)) {
            *slot = u32::from_be_bytes(chunk.try_into().ok()?);
        }
        Some(Addr::V6(words))
    } else {
        Some(Addr::V4(u32::from(text.parse::<Ipv4Addr>().ok()?)))
    }
}

/// Whether a word is meant as an address or number (and not as a keyword
/// or a name): it starts with a digit or `\`, or holds a `:`.
pub(super) fn is_id(word: &[u8]) -> bool {
    word.first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'\\')
        || word.contains(&b':')
}
