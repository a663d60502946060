//! The capture filter: arbitrary expression text, and every filter that
//! parses evaluated on arbitrary frames for every link type.

use zephyr_net_capture::filter::{Filter, LinkType, ParseErrorKind, MAX_READ, MAX_TEXT};

const LINKS: [LinkType; 6] = [
    LinkType::Ethernet,
    LinkType::RawIp,
    LinkType::Sll1,
    LinkType::Sll2,
    LinkType::Ppp,
    LinkType::Other,
];

/// No read of any primitive reaches this far (Ethernet, 8 VLAN tags, a
/// 60-byte IPv4 header, then the ports), so on a frame this long no
/// primitive can fail for a short read.
const LONG_ENOUGH: usize = MAX_READ;

/// The filter's own address parser accepts exactly what `std` does.
fn check_address(text: &[u8]) {
    let is_address_text = |b: &u8| b.is_ascii_hexdigit() || *b == b':' || *b == b'.';
    if text.is_empty() || !text.iter().all(is_address_text) {
        return;
    }
    let Ok(string) = std::str::from_utf8(text) else {
        return;
    };
    let std_ok = string.parse::<std::net::IpAddr>().is_ok();
    let host = [b"host ".as_slice(), text].concat();
    let ours = Filter::parse(&host);
    if host.len() <= MAX_TEXT {
        assert_eq!(ours.is_ok(), std_ok, "{string:?}: {ours:?}");
    }
}

/// An input: the text's length in the first byte, the text, then the frame.
pub fn input(text: &[u8], frame: &[u8]) -> Vec<u8> {
    let mut data = vec![u8::try_from(text.len()).expect("text under 256 bytes")];
    data.extend_from_slice(text);
    data.extend_from_slice(frame);
    data
}

/// Parsing never panics; errors point into the text; the first
/// [`MAX_READ`] bytes of a frame decide as the whole frame does; wrapping an
/// expression in parentheses or blanks compiles to the same program; for
/// every link type `E` and `not (E)` are never both true, and exactly one
/// is true on a frame long enough for every read.
pub fn check(data: &[u8]) {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (text, frame) = rest.split_at(usize::from(len).min(rest.len()));
    check_address(text);
    let filter = match Filter::parse(text) {
        Ok(filter) => filter,
        Err(err) => {
            assert!(!err.message().is_empty());
            if err.kind == ParseErrorKind::TooLong {
                assert!(text.len() > MAX_TEXT);
                assert_eq!(err.position, MAX_TEXT);
            } else {
                assert!(text.len() <= MAX_TEXT);
                assert!(err.position <= text.len(), "{err:?} in {text:?}");
            }
            return;
        }
    };
    assert!(text.len() <= MAX_TEXT);
    assert_eq!(filter.is_accept_all(), text.trim_ascii().is_empty());
    // The device evaluates filters on a frame's first MAX_READ bytes.
    let head = frame.get(..MAX_READ).unwrap_or(frame);
    for link in LINKS {
        let whole = filter.matches(link, frame, frame.len());
        assert_eq!(
            filter.matches(link, head, frame.len()),
            whole,
            "{text:?} reads past MAX_READ"
        );
        let _ = filter.matches(link, frame, usize::MAX);
    }
    if filter.is_accept_all() {
        return;
    }
    let wrapped = [b"( ".as_slice(), text, b" )"].concat();
    if wrapped.len() <= MAX_TEXT {
        match Filter::parse(&wrapped) {
            Ok(again) => assert_eq!(again, filter, "parentheses change {text:?}"),
            Err(err) => assert_eq!(err.kind, ParseErrorKind::TooDeep, "{text:?}"),
        }
    }
    let negated = [b"not (".as_slice(), text, b")"].concat();
    if negated.len() > MAX_TEXT {
        return;
    }
    let not = match Filter::parse(&negated) {
        Ok(not) => not,
        Err(err) => {
            assert_eq!(err.kind, ParseErrorKind::TooDeep, "{text:?}");
            return;
        }
    };
    let mut long = frame.to_vec();
    long.resize(frame.len().max(LONG_ENOUGH), 0);
    for link in LINKS {
        let (yes, no) = (
            filter.matches(link, frame, frame.len()),
            not.matches(link, frame, frame.len()),
        );
        assert!(!(yes && no), "{text:?} and its negation on {link:?}");
        let (yes, no) = (
            filter.matches(link, &long, long.len()),
            not.matches(link, &long, long.len()),
        );
        assert!(yes != no, "{text:?} on a long {link:?} frame: {yes} {no}");
    }
}
