//! The address parser against `core::net`.

use crate::filter::lexer;

/// `lexer::address` against `core::net`'s parsers.
fn std_address(text: &str) -> Option<lexer::Addr> {
    if text.contains(':') {
        let octets = text.parse::<core::net::Ipv6Addr>().ok()?.octets();
        let mut words = [0u32; 4];
        for (word, chunk) in words.iter_mut().zip(octets.chunks_exact(4)) {
            *word = u32::from_be_bytes(chunk.try_into().unwrap());
        }
        Some(lexer::Addr::V6(words))
    } else {
        Some(lexer::Addr::V4(
            text.parse::<core::net::Ipv4Addr>().ok()?.into(),
        ))
    }
}

#[test]
fn addresses_parse_as_core_net_parses_them() {
    for text in [
        "192.0.2.1",
        "0.0.0.0",
        "255.255.255.255",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "1..2.3",
        "1.2.3.4.",
        "",
        "::",
        "::1",
        "1::",
        "2001:db8::1",
        "2001:db8:0:0:0:0:0:1",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::8",
        ":1::",
        "1:::2",
        "1::2::3",
        "::ffff:192.0.2.1",
        "::192.0.2.1",
        "1:2:3:4:5:6:192.0.2.1",
        "1:2:3:4:5:6:7:192.0.2.1",
        "12345::",
        "fe80::1:",
        ":",
        "::g",
        "1:2",
        "a:b:c:d:e:f:0:1",
        "ABCD::EF",
        "::1.2.3",
        "::1.2.3.4:5",
        "1:2:3:4:5:6:7:",
    ] {
        assert_eq!(
            lexer::address(text.as_bytes()),
            std_address(text),
            "{text:?}"
        );
    }
}

proptest::proptest! {
    #[test]
    fn random_addresses_parse_as_core_net_parses_them(text in "[0-9a-fA-F:.]{0,24}") {
        proptest::prop_assert_eq!(lexer::address(text.as_bytes()), std_address(&text), "{:?}", text);
    }

    #[test]
    fn random_dotted_addresses_parse_as_core_net_parses_them(text in "(:|::|[0-9]{1,3}|[0-9a-f]{1,4}|\\.)*") {
        proptest::prop_assert_eq!(lexer::address(text.as_bytes()), std_address(&text), "{:?}", text);
    }
}
