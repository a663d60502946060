use clap::Parser;

use super::*;

fn request(args: &[&str]) -> Result<Request, Fatal> {
    let mut argv: Vec<std::ffi::OsString> = vec!["zcap".into()];
    argv.extend(args.iter().map(std::ffi::OsString::from));
    habits::check(&argv)?;
    Args::try_parse_from(argv)
        .map_err(|err| Fatal::usage(err.to_string()))?
        .into_request()
}

fn config(args: &[&str]) -> Config {
    match request(args) {
        Ok(Request::Capture(config)) => *config,
        Ok(_) => panic!("not a capture"),
        Err(err) => panic!("{err}"),
    }
}

fn refusal(args: &[&str]) -> String {
    match request(args) {
        Err(err) => {
            assert_eq!(
                err.code,
                crate::error::EXIT_USAGE,
                "{args:?}: {}",
                err.message
            );
            err.message
        }
        Ok(_) => panic!("{args:?} accepted"),
    }
}

#[test]
fn defaults_listen_dual_stack_on_4242_and_recognise_the_link_type() {
    let config = config(&[]);
    assert_eq!(
        config.source,
        Source::Udp {
            listen: "::".parse().unwrap(),
            ports: vec![4242],
            interface: None
        }
    );
    assert_eq!(config.target, Target::Nothing);
    assert_eq!(config.lines, Lines::Stdout);
    assert_eq!(
        config.links.choose("192.0.2.1".parse().unwrap(), 4242),
        LinkChoice::Auto
    );
}

#[test]
fn short_options_mean_what_they_mean_in_tcpdump_and_tshark() {
    let config = config(&[
        "-i",
        "zeth-ip6ip",
        "-c",
        "10",
        "-s",
        "96",
        "-f",
        "icmp6",
        "-n",
        "-p",
        "-w",
        "x.pcapng",
    ]);
    assert_eq!(config.stop_after_packets, Some(10));
    assert_eq!(config.snaplen, 96);
    assert_eq!(config.filter.as_ref().map(|f| f.text()), Some("icmp6"));
    assert_eq!(config.target, Target::File("x.pcapng".into()));
    // Writing a file prints no packet lines, as dumpcap and tshark -w.
    assert_eq!(config.lines, Lines::Off);
    assert_eq!(
        self::config(&["-P", "-w", "x.pcapng"]).lines,
        Lines::Stdout,
        "-P prints them anyway"
    );
    assert_eq!(self::config(&["-P", "-w", "-"]).lines, Lines::Stderr);
    assert_eq!(self::config(&["-q"]).lines, Lines::Off);
    // -y is tcpdump's link type option.
    assert_eq!(
        self::config(&["-y", "sll2"])
            .links
            .choose("::1".parse().unwrap(), 4242),
        LinkChoice::Fixed(LinkType::Sll2)
    );
    // -c and -a packets: the smaller one stops.
    assert_eq!(
        self::config(&["-c", "5", "-a", "packets:3"]).stop_after_packets,
        Some(3)
    );
    assert_eq!(
        self::config(&["-i", "any"]).source,
        Source::Udp {
            listen: "::".parse().unwrap(),
            ports: vec![4242],
            interface: None
        }
    );
}

#[test]
fn net_capture_options_live_on_as_long_options() {
    let config = config(&["-i", "zeth-ip6ip", "--port", "5000", "-q", "--cooked-sllv2"]);
    assert_eq!(
        config.links.choose("2001:db8::1".parse().unwrap(), 5000),
        LinkChoice::Fixed(LinkType::Sll2)
    );
    let typed = self::config(&["--link", "CookedLinux"]);
    assert_eq!(
        typed.links.choose("2001:db8::1".parse().unwrap(), 4242),
        LinkChoice::Fixed(LinkType::Sll)
    );
    assert!(refusal(&["-p", "4242"]).contains("--port 4242"));
    assert!(refusal(&["-c"]).contains("--link sll"));
    assert!(refusal(&["-C"]).contains("--link sll2"));
    assert!(refusal(&["-t", "Ether"]).contains("--link Ether"));
}

#[test]
fn a_bad_filter_is_refused_with_its_position() {
    let message = refusal(&["-f", "udp port 99999"]);
    assert_eq!(
        message,
        "capture filter 'udp port 99999': expected a port number (0-65535) at position 9 (\"99999\")"
    );
    assert!(config(&["-f", "  "]).filter.is_none());
}

#[test]
fn inconsistent_options_are_refused() {
    for args in [
        &["--tunnel-less"][..],
        &["--tunnel-less", "-i", "any"],
        &["-b", "duration:5"],
        &["-w", "-", "-b", "duration:5"],
        &["-w", "f.pcapng", "-b", "files:3"],
        &["-r", "f.pcap", "--port", "0"],
        &["-r", "f.pcap", "-i", "zeth"],
        &["-r", "-"],
        &["-a", "bytes:3"],
        &["-c", "0"],
        &["--capture"],
        &["--shell-iface", "1"],
    ] {
        assert!(request(args).is_err(), "{args:?} accepted");
    }
}

#[test]
fn extcap_capture_writes_pcapng_to_the_fifo_quietly_with_its_filter() {
    let config = config(&[
        "--extcap-interface",
        "zcap",
        "--capture",
        "--fifo",
        "/tmp/f",
        "--port",
        "4243",
        "--extcap-capture-filter",
        "udp",
    ]);
    assert_eq!(config.target, Target::Fifo("/tmp/f".into()));
    assert!(config.quiet && config.extcap);
    assert_eq!(config.lines, Lines::Off);
    assert_eq!(config.format, Format::Pcapng);
    assert_eq!(
        config.filter.map(|f| f.text().to_string()).as_deref(),
        Some("udp")
    );
}

#[test]
fn a_filter_without_capture_is_wiresharks_check() {
    match request(&[
        "--extcap-interface",
        "zcap",
        "--extcap-capture-filter",
        "port 1",
    ]) {
        Ok(Request::ExtcapFilterCheck { interface, filter }) => {
            assert_eq!(interface.as_deref(), Some("zcap"));
            assert_eq!(filter, "port 1");
        }
        _ => panic!("not a filter check"),
    }
}

#[test]
fn serial_port_by_option_or_by_device_path() {
    let by_option = config(&["--serial", "/dev/ttyACM7", "--baud", "921600"]);
    assert_eq!(
        by_option.source,
        Source::Serial {
            path: "/dev/ttyACM7".into(),
            baud: 921_600
        }
    );
    // dumpcap habits: -i names any source; /dev/null is a character device.
    let by_path = config(&["-i", "/dev/null", "-w", "x.pcapng"]);
    assert_eq!(
        by_path.source,
        Source::Serial {
            path: "/dev/null".into(),
            baud: DEFAULT_BAUD
        }
    );
    // A USB port not plugged in yet is still a serial port.
    assert!(matches!(
        config(&["-i", "/dev/ttyUSB-not-there"]).source,
        Source::Serial { .. }
    ));
}

#[test]
fn serial_options_that_do_not_fit_are_refused_with_the_fix() {
    assert!(refusal(&["--baud", "9600"]).contains("--baud needs a serial port"));
    assert!(refusal(&["--serial", "/dev/ttyACM0", "--baud", "12345"])
        .contains("unsupported baud rate 12345"));
    assert!(refusal(&["--serial", "/dev/ttyACM0", "--port", "4242"])
        .starts_with("--port does not apply to the serial stream on /dev/ttyACM0"));
    assert!(refusal(&["--serial", "/dev/ttyACM0", "--cooked-sllv2"])
        .contains("each record names its link type"));
    assert!(refusal(&["--serial", "/dev/ttyACM0", "-i", "/dev/ttyACM1"]).contains("two sources"));
    let file = std::env::temp_dir().join("zcap-cli-test-not-a-device");
    std::fs::write(&file, b"").unwrap();
    let name = file.to_str().unwrap();
    assert!(refusal(&["-i", name]).contains("neither a network interface nor a serial device"));
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn shell_captures_from_the_peer_port_and_the_device_address() {
    let config = config(&[
        "--shell",
        "/dev/pts/7",
        "--setup-peer",
        "[2001:db8:200::2]:4243",
        "-i",
        "zeth",
    ]);
    assert_eq!(config.ports, [4243]);
    assert_eq!(
        config.devices,
        ["2001:db8:200::1".parse::<IpAddr>().unwrap()]
    );
    match &config.source {
        Source::Shell(shell) => {
            assert_eq!(shell.host_interface.as_deref(), Some("zeth"));
            assert_eq!(shell.local.to_string(), "2001:db8:200::1");
        }
        other => panic!("{other:?}"),
    }
    assert!(refusal(&["--shell", "/dev/pts/7", "--port", "4242"]).contains("--setup-peer"));
    assert!(
        refusal(&["--shell", "/dev/pts/7", "--setup-local", "192.0.2.9"])
            .contains("two address families")
    );
}
