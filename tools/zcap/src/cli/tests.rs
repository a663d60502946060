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
