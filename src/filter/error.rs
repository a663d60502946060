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

impl ParseErrorKind {
    /// A short English description, without the position.
    pub fn message(self) -> &'static str {
        self.message_c().to_str().unwrap_or_default()
    }

    /// The same description as a C string (for Zephyr's logging).
    pub fn message_c(self) -> &'static CStr {
        use ParseErrorKind::*;
        match self {
            TooLong => c"expression too long",
            UnexpectedCharacter => c"unexpected character",
            UnexpectedEnd => c"unexpected end of expression",
            ExpectedPrimitive => c"expected a primitive such as `ip`, `host ADDR` or `port N`",
            ExpectedOperator => c"expected `and`, `or` or `)`",
            UnknownWord => c"unknown word",
            MissingParen => c"missing `)`",
            UnmatchedParen => c"`)` without `(`",
            TooManyPrimitives => c"too many primitives",
            TooDeep => c"parentheses nested too deeply",
            TooManyVlans => c"too many `vlan` primitives",
            ExpectedNumber => c"expected a number",
            NumberTooLarge => c"number too large",
            ExpectedPort => c"expected a port number (0-65535)",
            ExpectedPortRange => c"expected a port range such as 1000-2000",
            ExpectedAddress => c"expected an IPv4 or IPv6 address",
            HostName => c"host names are not supported; give an address",
            ServiceName => c"service names are not supported; give a port number",
            MaskOnHost => c"`/LEN` is only allowed after `net`",
            BadPrefix => c"expected a prefix length (0-32 for IPv4, 0-128 for IPv6)",
            HostBits => c"address has bits set past the prefix length",
            ExpectedQualifier => c"expected `host`, `net`, `port`, `portrange` or `proto`",
            BadQualifier => c"qualifier does not apply here",
            WrongFamily => c"address family does not match the protocol qualifier",
            ExpectedProtocol => c"expected a protocol number or name",
            UnsupportedEtherProto => c"this `ether proto` value is not supported",
            Unsupported => c"not supported by this filter",
            ExpectedComparison => c"expected a comparison such as `<=`",
            BadVlanId => c"VLAN id must be 0-4095",
        }
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
