use super::*;

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|line| line.trim().to_string()).collect()
}

/// The prompt as the shell colours it.
const PROMPT: &str = "\x1b[1;32muart:~$ \x1b[m";

#[test]
fn terminal_codes_and_carriage_returns_are_removed() {
    let raw = format!("\x1b[Jnet capture\r\n\x1b[1;33mCapture setup done\x1b[m\r\n{PROMPT}");
    assert_eq!(
        strip_terminal_codes(&raw),
        "net capture\nCapture setup done\nuart:~$ "
    );
    assert!(ends_with_prompt(&strip_terminal_codes(&raw)));
    assert!(!ends_with_prompt("uart:~$ net capt"));
}

#[test]
fn the_answer_ends_at_the_next_prompt_and_leaves_out_the_echo() {
    let command = "net capture enable 1";
    let partial = format!("{command}\nCapture enable failed (-22)\n");
    assert_eq!(answer(&partial, command), None);
    let whole = format!("{partial}uart:~$ ");
    assert_eq!(
        answer(&whole, command),
        Some(vec!["Capture enable failed (-22)".to_string()])
    );
    // An empty answer: the echo, then the prompt.
    assert_eq!(
        answer(&format!("uart:~$ {command}\nuart:~$ "), command),
        Some(vec![])
    );
    // Without echo, the first line already belongs to the answer.
    assert_eq!(
        answer("Capture setup done\nuart:~$ ", "net capture setup a b c"),
        Some(vec!["Capture setup done".to_string()])
    );
    // The prompt before the command is not its end.
    assert_eq!(answer("uart:~$ ", command), None);
}

#[test]
fn listing_reads_upstream_rows() {
    let text = "Network packet capture disabled\n      \t\tCapture  Tunnel\nDevice\t\tiface    iface   Local\t\t\tPeer\nNET_CAPTURE0\t-        2      [2001:db8:200::1]:4242\t[2001:db8:200::2]:4242\n";
    assert_eq!(
        listing(&lines(text)),
        Listing::Devices {
            enabled: false,
            rows: vec![CaptureRow {
                device: "NET_CAPTURE0".into(),
                capturing: None,
                tunnel_iface: 2,
                local: "[2001:db8:200::1]:4242".into(),
                peer: "[2001:db8:200::2]:4242".into(),
            }]
        }
    );
    let enabled = text
        .replace("disabled", "enabled")
        .replace("\t-        2", "\t1        2");
    match listing(&lines(&enabled)) {
        Listing::Devices { enabled, rows } => {
            assert!(enabled);
            assert_eq!(rows[0].capturing, Some(1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        listing(&lines("Network packet capture disabled\n")),
        Listing::Devices {
            enabled: false,
            rows: vec![]
        }
    );
}

#[test]
fn listing_says_when_capture_is_missing() {
    assert!(matches!(
        listing(&lines(
            "Set CONFIG_NET_CAPTURE to enable network packet capture support."
        )),
        Listing::Unavailable(_)
    ));
    assert!(matches!(
        listing(&lines("Network packet capture not configured")),
        Listing::Unavailable(_)
    ));
    assert!(matches!(
        listing(&lines("net: command not found")),
        Listing::NoCommand(_)
    ));
}

const NET_IFACE: &str = "
Interface eth0 (0x55d1c8a0c6e0) (Ethernet) [1]
===================================
Virtual interfaces attached to this : 2
Link addr : 00:00:5E:00:53:3A
MTU       : 1500
Flags     : AUTO_START,IPv4,IPv6
Device    : zeth (0x55d1c8a0a1a8)
IPv6 unicast addresses (max 4):
	fe80::200:5eff:fe00:533a autoconf preferred infinite
	2001:db8::1 manual preferred infinite
IPv6 multicast addresses (max 4):
	ff02::1
IPv4 unicast addresses (max 3):
	192.0.2.1/255.255.255.0 overridable preferred infinite
IPv4 multicast addresses (max 2):
	<none>

Interface net0 (0x55d1c8a0c830) (Virtual) [2]
==================================
Virtual name : Capture tunnel
Attached  : 1 (Ethernet / 0x55d1c8a0c6e0)
IPv6 unicast addresses (max 4):
	2001:db8:200::1 manual preferred infinite
IPv4 unicast addresses (max 3):
	<none>
";

#[test]
fn net_iface_gives_indexes_kinds_and_addresses() {
    let found = interfaces(&lines(NET_IFACE));
    assert_eq!(found.len(), 2);
    let eth = &found[0];
    assert_eq!(
        (eth.index, eth.name.as_deref(), eth.kind.as_str()),
        (1, Some("eth0"), "Ethernet")
    );
    assert_eq!(eth.ipv4, ["192.0.2.1".parse::<Ipv4Addr>().unwrap()]);
    assert_eq!(
        eth.ipv6.len(),
        2,
        "multicast addresses are not unicast ones"
    );
    assert_eq!(eth.address(), Some("192.0.2.1".parse().unwrap()));
    assert!(eth.is_physical());
    let tunnel = &found[1];
    assert_eq!((tunnel.index, tunnel.kind.as_str()), (2, "Virtual"));
    assert!(!tunnel.is_physical());
    assert_eq!(tunnel.address(), Some("2001:db8:200::1".parse().unwrap()));
    let unnamed = interfaces(&lines("Interface 0x55d1 (PPP) [3]\n"));
    assert_eq!((unnamed[0].index, unnamed[0].name.as_deref()), (3, None));
}

#[test]
fn failures_and_their_errno_are_recognised() {
    let setup = lines("Capture cannot be setup (-16)");
    let line = failure(&setup).unwrap();
    assert_eq!(errno_in(line), Some(-16));
    assert!(errno_meaning(-16).starts_with("EBUSY"));
    assert!(failure(&lines("Capture enable failed (-22)")).is_some());
    assert!(failure(&lines("Interface index 9 is invalid.")).is_some());
    assert!(failure(&lines("Capture already setup, cleaning up settings.\nCapture setup done, next enable it by \"net capture enable <idx>\"")).is_none());
    assert!(setup_done(&lines(
        "Capture setup done, next enable it by \"net capture enable <idx>\""
    )));
    assert_eq!(errno_in("no number here"), None);
    // Whatever number the device prints.
    assert_eq!(errno_meaning(i32::MIN), "");
    assert_eq!(
        errno_in("Capture cannot be setup (-2147483648)"),
        Some(i32::MIN)
    );
}

#[test]
fn a_prompt_reprinted_around_a_log_line_does_not_end_the_answer() {
    let command = "net capture setup 192.0.2.2 2001:db8:200::1 2001:db8:200::2";
    let text = format!(
        "[00:00:03.000,000] <inf> net_config: IPv4 address: 192.0.2.1\nuart:~$ net capture se\n{command}\nCapture setup done, next enable it by \"net capture enable <idx>\"\nuart:~$ "
    );
    let lines = answer(&text, command).unwrap();
    assert!(setup_done(&lines), "{lines:?}");
}
