//! The Wireshark extcap interfaces: with the binary (or a link to it) in
//! Wireshark's extcap folder, "Zephyr capture" (UDP tunnel) and "Zephyr
//! capture (serial stream)" show up in the interface list. Wireshark asks
//! for interfaces, link types and the config dialog, then runs a capture
//! that writes pcapng into a fifo.

use std::fmt::Write as _;

use crate::error::Fatal;
use crate::input::serial;

/// The extcap interface of the UDP tunnel receiver.
pub const INTERFACE: &str = "zcap";
/// The extcap interface of the serial capture stream.
pub const SERIAL_INTERFACE: &str = "zcap-serial";

/// `--extcap-interfaces`.
pub fn interfaces() -> String {
    format!(
        "extcap {{version={}}}{{help=https://github.com/zephyrproject-rtos/net-tools}}\n\
         interface {{value={INTERFACE}}}{{display=Zephyr capture (UDP tunnel receiver)}}\n\
         interface {{value={SERIAL_INTERFACE}}}{{display=Zephyr capture (serial stream)}}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Whether `interface` is the serial one; an error when it is unknown.
fn is_serial(interface: Option<&str>) -> Result<bool, Fatal> {
    match interface {
        Some(INTERFACE) => Ok(false),
        Some(SERIAL_INTERFACE) => Ok(true),
        Some(other) => Err(Fatal::usage(format!(
            "unknown extcap interface '{other}'; zcap provides '{INTERFACE}' and '{SERIAL_INTERFACE}'"
        ))),
        None => Err(Fatal::usage(format!(
            "missing --extcap-interface; pass --extcap-interface {INTERFACE} or {SERIAL_INTERFACE}"
        ))),
    }
}

/// `--extcap-interface zcap --extcap-dlts`. The capture is pcapng, where
/// each device (and, on a serial stream, each interface and link type)
/// gets its own interface block; Wireshark only shows this one.
pub fn dlts(interface: Option<&str>) -> Result<String, Fatal> {
    if is_serial(interface)? {
        return Ok("dlt {number=1}{name=EN10MB}{display=Ethernet (records of other link types get their own interfaces in the pcapng stream)}\n".to_string());
    }
    Ok("dlt {number=1}{name=EN10MB}{display=Ethernet (SLL and SLL2 devices get their own interfaces in the pcapng stream)}\n".to_string())
}

/// `--extcap-interface zcap-serial --extcap-config`: the port (a text
/// field, since Wireshark 4.0 has no editable selector; it starts with the
/// first serial device present) and the baud rate.
fn serial_config() -> String {
    let mut text = String::from(
        "arg {number=0}{call=--serial}{display=Serial port}{type=string}{required=true}",
    );
    let ports = serial_ports();
    if let Some(first) = ports.first() {
        let _ = write!(text, "{{default={first}}}");
    }
    let present = if ports.is_empty() {
        "none found now".to_string()
    } else {
        ports.join(", ")
    };
    let _ = writeln!(
        text,
        "{{tooltip=The device's UART, USB CDC ACM port or pty, e.g. /dev/ttyACM0 (present: {present})}}"
    );
    text.push_str("arg {number=1}{call=--baud}{display=Baud rate}{type=selector}{tooltip=Baud rate of the UART (a pty or USB CDC ACM port ignores it)}\n");
    for rate in serial::rates() {
        let default = rate == crate::cli::DEFAULT_BAUD;
        let _ = writeln!(
            text,
            "value {{arg=1}}{{value={rate}}}{{display={rate}}}{{default={default}}}"
        );
    }
    text
}

/// Serial ports present now: stable names first, then the kernel's.
fn serial_ports() -> Vec<String> {
    let list = |dir: &str, prefixes: &[&str]| -> Vec<String> {
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .filter(|name| prefixes.iter().any(|prefix| name.starts_with(prefix)))
                    .map(|name| format!("{dir}/{name}"))
                    // Braces would end the value in the extcap syntax.
                    .filter(|path| !path.contains(['{', '}']))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    let mut ports = list("/dev/serial/by-id", &[""]);
    ports.extend(list("/dev", &["ttyACM", "ttyUSB"]));
    ports
}

/// `--extcap-interface zcap --extcap-config`.
pub fn config(interface: Option<&str>) -> Result<String, Fatal> {
    if is_serial(interface)? {
        return Ok(serial_config());
    }
    Ok("\
arg {number=0}{call=--port}{display=UDP port}{type=unsigned}{default=4242}{range=1,65535}{tooltip=Port the devices send capture datagrams to}\n\
arg {number=1}{call=--link}{display=Link type}{type=selector}{tooltip=What the captured frames are; auto recognises SLL v1/v2 headers}\n\
value {arg=1}{value=eth}{display=Ethernet}{default=true}\n\
value {arg=1}{value=sll}{display=Linux cooked v1 (SLL)}{default=false}\n\
value {arg=1}{value=sll2}{display=Linux cooked v2 (SLL2)}{default=false}\n\
value {arg=1}{value=raw}{display=Raw IP}{default=false}\n\
value {arg=1}{value=auto}{display=Auto-detect}{default=false}\n\
arg {number=2}{call=--listen}{display=Listen address}{type=string}{default=::}{tooltip=Local address to bind (:: is dual-stack)}\n\
arg {number=3}{call=--interface}{display=Only on interface}{type=string}{tooltip=Receive only on this network interface, e.g. zeth-ip6ip (optional)}\n"
        .to_string())
}

/// Checks the interface of `--capture` against the source: the serial
/// interface needs `--serial`, the UDP one must not have it.
pub fn check_capture(interface: Option<&str>, serial: bool) -> Result<(), Fatal> {
    match (is_serial(interface)?, serial) {
        (true, false) => Err(Fatal::usage(format!(
            "the {SERIAL_INTERFACE} interface needs a port; set 'Serial port' in its options (--serial PATH)"
        ))),
        (false, true) => Err(Fatal::usage(format!(
            "the {INTERFACE} interface receives UDP; use {SERIAL_INTERFACE} for --serial"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_zcap_interface_is_known() {
        assert!(dlts(Some(INTERFACE)).unwrap().starts_with("dlt {number=1}"));
        assert_eq!(
            dlts(Some("eth0")).unwrap_err().code,
            crate::error::EXIT_USAGE
        );
        assert!(config(None).is_err());
    }

    #[test]
    fn serial_interface_needs_a_port_and_the_udp_one_refuses_it() {
        assert!(check_capture(Some(SERIAL_INTERFACE), true).is_ok());
        assert!(check_capture(Some(INTERFACE), false).is_ok());
        assert!(check_capture(Some(SERIAL_INTERFACE), false).is_err());
        assert!(check_capture(Some(INTERFACE), true).is_err());
    }

    #[test]
    fn config_lines_are_well_formed() {
        let both = config(Some(INTERFACE)).unwrap() + &config(Some(SERIAL_INTERFACE)).unwrap();
        for line in both.lines() {
            assert!(
                line.starts_with("arg {") || line.starts_with("value {"),
                "{line}"
            );
            assert_eq!(
                line.matches('{').count(),
                line.matches('}').count(),
                "{line}"
            );
        }
    }
}
