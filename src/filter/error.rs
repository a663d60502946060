//! Why an expression was refused, and where.

use core::ffi::CStr;

/// A refused expression: what is wrong and the byte offset in the text
/// where the mistake starts (the text's length for a premature end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the mistake in the expression text.
    pub position: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The kinds of mistake [`super::Filter::parse`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text is longer than [`super::MAX_TEXT`] bytes.
    TooLong,
    /// A byte that no token starts with (or a lone `&` or `|`).
    UnexpectedCharacter,
    /// The text ends where more is needed.
    UnexpectedEnd,
    /// A primitive (`ip`, `host ADDR`, `port N`, `(`, ...) was expected.
    ExpectedPrimitive,
    /// `and`, `or`, `)` or the end was expected after a primitive.
    ExpectedOperator,
    /// A word that is neither a keyword nor an address or number.
    UnknownWord,
    /// A `(` is never closed.
    MissingParen,
    /// A `)` closes nothing.
    UnmatchedParen,
    /// More primitives than [`super::MAX_NODES`].
    TooManyPrimitives,
    /// Parentheses nested deeper than the parser's stack.
    TooDeep,
    /// More `vlan` primitives than the filter can look through.
    TooManyVlans,
    /// A number was expected.
    ExpectedNumber,
    /// A number does not fit in 32 bits.
    NumberTooLarge,
    /// A port number (0-65535) was expected.
    ExpectedPort,
    /// A port range `A-B` was expected.
    ExpectedPortRange,
    /// An IPv4 or IPv6 address was expected.
    ExpectedAddress,
    /// A host name was given; only addresses are accepted.
    HostName,
    /// A service name was given for a port; only numbers are accepted.
    ServiceName,
    /// `/LEN` after an address that is not a `net`.
    MaskOnHost,
    /// A prefix length was expected after `/`, up to 32 (IPv4) or 128 (IPv6).
    BadPrefix,
    /// The address of a `net` has bits set past its prefix length.
    HostBits,
    /// `host`, `net`, `port`, `portrange` or `proto` was expected.
    ExpectedQualifier,
    /// A qualifier that does not apply to what follows (`tcp host`, `ip port`,
    /// `src proto`, `arp proto`).
    BadQualifier,
    /// An address of the other family than the protocol qualifier
    /// (`ip host ::1`, `ip6 host 10.0.0.1`).
    WrongFamily,
    /// A protocol number (0-255, 0-65535 after `ether`) or known name was
    /// expected.
    ExpectedProtocol,
    /// An `ether proto` value that libpcap gives a special meaning (0xe0
    /// IPX, 0x809b AppleTalk, 0x80f3 AARP): not supported.
    UnsupportedEtherProto,
    /// A keyword of the pcap-filter language outside the supported subset.
    Unsupported,
    /// `<`, `<=`, `>`, `>=`, `=`, `==` or `!=` was expected after `len`.
    ExpectedComparison,
    /// A VLAN id above 4095.
    BadVlanId,
}

/// The descriptions, in one place: `messages!` turns `Kind => "text"`
/// pairs into [`MESSAGES`], every text followed by a NUL, and the table
/// of which kind each text is.
macro_rules! messages {
    ($($kind:ident => $text:literal,)*) => {
        /// Every description, each NUL-terminated, one after the other.
        ///
        /// One constant with NULs inside rather than a C string literal
        /// per kind: the compiler puts C string literals into one
        /// mergeable string section per object, which a linker keeps
        /// whole as soon as any C string of the library is used, so
        /// images that never parse a filter (`CONFIG_NET_CAPTURE_RS_FILTER=n`)
        /// kept these ~1 KB of texts. This constant has a section of its
        /// own, dropped with [`ParseErrorKind::message_c`].
        const MESSAGES: &[u8] = concat!($($text, "\0",)*).as_bytes();

        /// The kind each text of [`MESSAGES`] describes, in order.
        const KINDS: &[ParseErrorKind] = &[$(ParseErrorKind::$kind,)*];
    };
}

messages! {
    TooLong => "expression too long",
    UnexpectedCharacter => "unexpected character",
    UnexpectedEnd => "unexpected end of expression",
    ExpectedPrimitive => "expected a primitive such as `ip`, `host ADDR` or `port N`",
    ExpectedOperator => "expected `and`, `or` or `)`",
    UnknownWord => "unknown word",
    MissingParen => "missing `)`",
    UnmatchedParen => "`)` without `(`",
    TooManyPrimitives => "too many primitives",
    TooDeep => "parentheses nested too deeply",
    TooManyVlans => "too many `vlan` primitives",
    ExpectedNumber => "expected a number",
    NumberTooLarge => "number too large",
    ExpectedPort => "expected a port number (0-65535)",
    ExpectedPortRange => "expected a port range such as 1000-2000",
    ExpectedAddress => "expected an IPv4 or IPv6 address",
    HostName => "host names are not supported; give an address",
    ServiceName => "service names are not supported; give a port number",
    MaskOnHost => "`/LEN` is only allowed after `net`",
    BadPrefix => "expected a prefix length (0-32 for IPv4, 0-128 for IPv6)",
    HostBits => "address has bits set past the prefix length",
    ExpectedQualifier => "expected `host`, `net`, `port`, `portrange` or `proto`",
    BadQualifier => "qualifier does not apply here",
    WrongFamily => "address family does not match the protocol qualifier",
    ExpectedProtocol => "expected a protocol number or name",
    UnsupportedEtherProto => "this `ether proto` value is not supported",
    Unsupported => "not supported by this filter",
    ExpectedComparison => "expected a comparison such as `<=`",
    BadVlanId => "VLAN id must be 0-4095",
}

impl ParseErrorKind {
    /// A short English description, without the position.
    pub fn message(self) -> &'static str {
        self.message_c().to_str().unwrap_or_default()
    }

    /// The same description as a C string (for Zephyr's logging).
    pub fn message_c(self) -> &'static CStr {
        let index = KINDS.iter().position(|kind| *kind == self).unwrap_or(0);
        let mut rest = MESSAGES;
        for _ in 0..index {
            let end = rest
                .iter()
                .position(|byte| *byte == 0)
                .map_or(rest.len(), |nul| nul + 1);
            rest = rest.get(end..).unwrap_or_default();
        }
        CStr::from_bytes_until_nul(rest).unwrap_or_default()
    }
}

impl ParseError {
    pub(super) const fn new(position: usize, kind: ParseErrorKind) -> ParseError {
        ParseError { position, kind }
    }

    /// A short English description, without the position.
    pub fn message(&self) -> &'static str {
        self.kind.message()
    }

    /// The explanation as a C string (for Zephyr's logging).
    pub fn message_c(&self) -> &'static CStr {
        self.kind.message_c()
    }
}

/// `<message> at position N`; for hosts and logs, never called on the
/// packet path.
impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} at position {}", self.message(), self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind has its own text, at the index of its discriminant.
    #[test]
    fn one_message_per_kind() {
        assert_eq!(KINDS.len(), ParseErrorKind::BadVlanId as usize + 1);
        for (index, kind) in KINDS.iter().enumerate() {
            assert_eq!(*kind as usize, index);
            assert!(!kind.message().is_empty());
        }
        let count = MESSAGES.iter().filter(|byte| **byte == 0).count();
        assert_eq!(count, KINDS.len());
        assert_eq!(ParseErrorKind::TooLong.message(), "expression too long");
        assert_eq!(
            ParseErrorKind::BadVlanId.message_c(),
            c"VLAN id must be 0-4095"
        );
    }
}
