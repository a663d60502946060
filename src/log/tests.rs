use super::*;
use std::string::String;
use std::vec::Vec;

struct Text(Vec<u8>);

impl Sink for Text {
    fn put(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

fn render(template: &'static str, args: &[Arg<'_>]) -> String {
    let mut out = Text(Vec::new());
    Message {
        level: Level::Info,
        template,
        args,
    }
    .render(&mut out);
    String::from_utf8(out.0).unwrap()
}

#[test]
fn substitutes_arguments_in_order() {
    assert_eq!(
        render(
            "NET_CAPTURE{}: {} ({})",
            &[Arg::Int(0), Arg::Str("lost"), Arg::Int(-22)]
        ),
        "NET_CAPTURE0: lost (-22)"
    );
    assert_eq!(render("no args", &[]), "no args");
    assert_eq!(render("{} and {}", &[Arg::Int(1)]), "1 and {}");
    assert_eq!(render("{}", &[Arg::Int(i64::MIN)]), "-9223372036854775808");
}

#[test]
fn untrusted_text_is_escaped_and_cut() {
    assert_eq!(
        render("\"{}\"", &[Arg::Untrusted(b"a\x01b\xff")]),
        "\"a?b?\""
    );
    let long = [b'9'; 100];
    let shown = render("{}", &[Arg::Untrusted(&long)]);
    assert_eq!(shown.len(), 63);
    assert!(shown.ends_with("..."));
}

#[test]
fn addresses_look_like_std_displays_them() {
    let cases = [
        "192.0.2.1",
        "0.0.0.0",
        "2001:db8:200::1",
        "::",
        "::1",
        "fe80::5eff:fe00:5331",
        "2001:db8:0:1:1:1:1:1",
        "2001:0:0:1::1",
        "1::",
        "2001:db8::1:0:0:1",
    ];
    for case in cases {
        let addr: std::net::IpAddr = case.parse().unwrap();
        assert_eq!(render("{}", &[Arg::Ip(addr)]), addr.to_string(), "{case}");
    }
}

proptest::proptest! {
    #[test]
    fn any_ipv6_address_matches_std(octets: [u8; 16]) {
        let addr = std::net::Ipv6Addr::from(octets);
        // std shows IPv4-mapped addresses in dotted form; we do not.
        proptest::prop_assume!(addr.to_ipv4_mapped().is_none());
        proptest::prop_assert_eq!(render("{}", &[Arg::Ip(IpAddr::V6(addr))]), addr.to_string());
    }

    #[test]
    fn any_integer_matches_std(value: i64) {
        proptest::prop_assert_eq!(render("{}", &[Arg::Int(value)]), value.to_string());
    }
}
