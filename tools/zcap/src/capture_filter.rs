//! `-f` and Wireshark's capture filter field: the device library's
//! pcap-filter subset (`zephyr_net_capture::filter`), so an expression means
//! the same in zcap as on the device, applied to each captured frame before
//! it is written.

use zephyr_net_capture::filter::{self, Filter, ParseError};

use crate::link::LinkType;

/// A compiled capture filter and the text it came from.
#[derive(Clone, Debug)]
pub struct CaptureFilter {
    text: String,
    program: Filter,
}

impl CaptureFilter {
    /// Compiles `text`; the error is one line with the position of the
    /// mistake.
    pub fn parse(text: &str) -> Result<CaptureFilter, String> {
        Filter::parse(text.as_bytes())
            .map(|program| CaptureFilter {
                text: text.to_string(),
                program,
            })
            .map_err(|error| describe(text, &error))
    }

    /// The expression as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the filter keeps a frame of `link` whose first bytes are
    /// `frame` and whose length on the wire was `wire_len`.
    pub fn matches(&self, link: LinkType, frame: &[u8], wire_len: usize) -> bool {
        let link = filter::LinkType::from_linktype(link.linktype());
        self.program.matches(link, frame, wire_len)
    }
}

/// `expected a port number (0-65535) at position 5 ("70000")`: the
/// parser's message, its position, and the word found there.
pub fn describe(text: &str, error: &ParseError) -> String {
    let rest = text.get(error.position..).unwrap_or_default();
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(24)
        .collect();
    if word.is_empty() {
        format!(
            "{} at position {} (the end)",
            error.message(),
            error.position
        )
    } else {
        format!(
            "{} at position {} (\"{word}\")",
            error.message(),
            error.position
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_position_and_the_word_there() {
        let error = CaptureFilter::parse("udp port 70000").unwrap_err();
        assert_eq!(
            error,
            "expected a port number (0-65535) at position 9 (\"70000\")"
        );
        let end = CaptureFilter::parse("udp and").unwrap_err();
        assert!(end.ends_with("at position 7 (the end)"), "{end}");
        assert!(CaptureFilter::parse("ether host 02:00:00:00:00:01").is_err());
    }

    #[test]
    fn the_filter_reads_each_link_type_as_the_device_does() {
        let filter = CaptureFilter::parse("ip6").unwrap();
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x86, 0xdd]);
        eth.extend_from_slice(&[0x60; 40]);
        assert!(filter.matches(LinkType::Ethernet, &eth, eth.len()));
        assert!(filter.matches(LinkType::RawIp, &eth[14..], 40));
        assert!(!filter.matches(LinkType::RawIp, &[0x45; 20], 20));
        // A link type the filter cannot read matches only length tests.
        assert!(!filter.matches(LinkType::Ieee802154, &eth, eth.len()));
        let long = CaptureFilter::parse("greater 100").unwrap();
        assert!(long.matches(LinkType::Ieee802154, &[0; 10], 200));
        assert_eq!(long.text(), "greater 100");
    }
}
