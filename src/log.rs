//! Log messages without `core::fmt`.
//!
//! `core::fmt` and the `Display` of IP addresses are the largest things a
//! Rust library adds to a Zephyr image, so messages are templates with `{}`
//! placeholders and a short list of arguments, rendered by this small
//! formatter into a caller's buffer. The host tests render them the same
//! way and see the exact text the device logs.

use crate::wire::IpAddr;

/// Log severity, as Zephyr's `LOG_ERR` .. `LOG_DBG`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// An operation failed.
    Error = 1,
    /// Something was lost or refused.
    Warning = 2,
    /// Normal operation worth a line.
    Info = 3,
    /// Details for debugging.
    Debug = 4,
}

/// One value substituted for a `{}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    /// Text written as is.
    Str(&'a str),
    /// Bytes from outside (a user's address string): printable ASCII,
    /// others as `?`, cut at 60 with `...`.
    Untrusted(&'a [u8]),
    /// A signed decimal number.
    Int(i64),
    /// An address in its usual text form.
    Ip(IpAddr),
}

/// A message: a template and the values of its `{}` placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// Severity.
    pub level: Level,
    /// Text with one `{}` per argument.
    pub template: &'static str,
    /// The arguments, in order.
    pub args: &'a [Arg<'a>],
}

/// Where rendered text goes; implementations cut instead of failing.
pub trait Sink {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);
}

impl Message<'_> {
    /// Writes the message into `out`. Surplus placeholders stay as `{}`;
    /// surplus arguments are dropped.
    pub fn render(&self, out: &mut dyn Sink) {
        let mut args = self.args.iter();
        let mut rest = self.template.as_bytes();
        while let Some((text, after)) =
            find_placeholder(rest).and_then(|at| rest.split_at_checked(at))
        {
            out.put(text);
            match args.next() {
                Some(arg) => put_arg(out, arg),
                None => out.put(b"{}"),
            }
            rest = after.get(2..).unwrap_or_default();
        }
        out.put(rest);
    }
}

fn find_placeholder(text: &[u8]) -> Option<usize> {
    text.windows(2).position(|pair| pair == b"{}")
}

fn put_arg(out: &mut dyn Sink, arg: &Arg<'_>) {
    match arg {
        Arg::Str(text) => out.put(text.as_bytes()),
        Arg::Untrusted(bytes) => put_untrusted(out, bytes),
        Arg::Int(value) => put_int(out, *value),
        Arg::Ip(IpAddr::V4(v4)) => {
            for (index, octet) in v4.octets().iter().enumerate() {
                if index > 0 {
                    out.put(b".");
                }
                put_int(out, i64::from(*octet));
            }
        }
        Arg::Ip(IpAddr::V6(v6)) => put_ipv6(out, &v6.segments()),
    }
}

fn put_untrusted(out: &mut dyn Sink, bytes: &[u8]) {
    const LIMIT: usize = 60;
    for &byte in bytes.iter().take(LIMIT) {
        let shown = if byte.is_ascii_graphic() || byte == b' ' {
            byte
        } else {
            b'?'
        };
        out.put(&[shown]);
    }
    if bytes.len() > LIMIT {
        out.put(b"...");
    }
}

fn put_int(out: &mut dyn Sink, value: i64) {
    // 20 digits hold any u64; filled from the end.
    let mut digits = [0u8; 20];
    let mut used = 0;
    let mut magnitude = value.unsigned_abs();
    for slot in digits.iter_mut().rev() {
        // A digit is 0..=9.
        *slot = b'0' + u8::try_from(magnitude % 10).unwrap_or(0);
        used += 1;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if value < 0 {
        out.put(b"-");
    }
    out.put(digits.get(digits.len() - used..).unwrap_or_default());
}

fn put_hex(out: &mut dyn Sink, value: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in [12u16, 8, 4, 0] {
        let nibble = usize::from((value >> shift) & 0xf);
        if started || nibble != 0 || shift == 0 {
            started = true;
            out.put(HEX.get(nibble..=nibble).unwrap_or_default());
        }
    }
}

/// RFC 5952: lowercase, no leading zeros, the longest run of two or more
/// zero groups (the first of equal runs) as `::`.
fn put_ipv6(out: &mut dyn Sink, groups: &[u16; 8]) {
    let (mut best_start, mut best_len) = (8, 0);
    let mut run_start = 0;
    for index in 0..=8 {
        let zero = groups.get(index).is_some_and(|g| *g == 0);
        if zero {
            continue;
        }
        let len = index - run_start;
        if len > best_len && len >= 2 {
            (best_start, best_len) = (run_start, len);
        }
        run_start = index + 1;
    }
    let mut index = 0;
    while index < 8 {
        if index == best_start {
            out.put(b"::");
            index += best_len;
            continue;
        }
        if index > 0 && index != best_start + best_len {
            out.put(b":");
        }
        put_hex(out, groups.get(index).copied().unwrap_or(0));
        index += 1;
    }
}

#[cfg(test)]
mod tests;
