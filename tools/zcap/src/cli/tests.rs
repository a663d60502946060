use super::*;

fn request(args: &[&str]) -> Result<Request, Fatal> {
    let mut argv = vec!["zcap"];
    argv.extend_from_slice(args);
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

#[test]
fn defaults_listen_dual_stack_on_4242_with_ethernet() {
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
    assert_eq!(
        config.links.choose("192.0.2.1".parse().unwrap(), 4242),
        LinkChoice::Fixed(LinkType::Ethernet)
    );
}

#[test]
fn net_capture_options_keep_their_meaning() {
    let config = config(&["-i", "zeth-ip6ip", "-p", "5000", "-q", "-C", "-w", "x.pcap"]);
    assert!(config.quiet);
    assert_eq!(config.target, Target::File("x.pcap".into()));
    assert_eq!(
        config.links.choose("2001:db8::1".parse().unwrap(), 5000),
        LinkChoice::Fixed(LinkType::Sll2)
    );
    let typed = self::config(&["-t", "CookedLinux"]);
    assert_eq!(
        typed.links.choose("2001:db8::1".parse().unwrap(), 4242),
        LinkChoice::Fixed(LinkType::Sll)
    );
    assert!(request(&["-c", "-C"]).is_err());
}

#[test]
fn inconsistent_options_are_refused() {
    assert!(request(&["--tunnel-less"]).is_err());
    assert!(request(&["-b", "duration:5"]).is_err());
    assert!(request(&["-w", "-", "-b", "duration:5"]).is_err());
    assert!(request(&["-w", "f.pcapng", "-b", "files:3"]).is_err());
    assert!(request(&["-r", "f.pcap", "-p", "0"]).is_err());
    assert!(request(&["-a", "bytes:3"]).is_err());
    assert!(request(&["--capture"]).is_err());
}

#[test]
fn extcap_capture_writes_pcapng_to_the_fifo_quietly() {
    let config = config(&[
        "--extcap-interface",
        "zcap",
        "--capture",
        "--fifo",
        "/tmp/f",
        "--port",
        "4243",
    ]);
    assert_eq!(config.target, Target::Fifo("/tmp/f".into()));
    assert!(config.quiet && config.extcap);
    assert_eq!(config.format, Format::Pcapng);
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
    let message = |args: &[&str]| match request(args) {
        Err(err) => {
            assert_eq!(err.code, crate::error::EXIT_USAGE);
            err.message
        }
        Ok(_) => panic!("{args:?} accepted"),
    };
    assert!(message(&["--baud", "9600"]).contains("--baud needs a serial port"));
    assert!(message(&["--serial", "/dev/ttyACM0", "--baud", "12345"])
        .contains("unsupported baud rate 12345"));
    assert!(message(&["--serial", "/dev/ttyACM0", "-p", "4242"])
        .starts_with("-p does not apply to the serial stream on /dev/ttyACM0"));
    assert!(
        message(&["--serial", "/dev/ttyACM0", "-C"]).contains("each record names its link type")
    );
    assert!(message(&["--serial", "/dev/ttyACM0", "-i", "/dev/ttyACM1"]).contains("two sources"));
    let file = std::env::temp_dir().join("zcap-cli-test-not-a-device");
    std::fs::write(&file, b"").unwrap();
    let name = file.to_str().unwrap();
    assert!(message(&["-i", name]).contains("neither a network interface nor a serial device"));
    std::fs::remove_file(&file).unwrap();
}
