//! `--extcap-config`: the options dialog of each interface, offering what
//! the command line offers. Selectors list what is on the host now (its
//! network interfaces, its serial ports).

use std::fmt::Write as _;

use super::Interface;
use crate::cli::{DEFAULT_BAUD, DEFAULT_PORT};
use crate::error::Fatal;
use crate::input::serial;
use crate::sources::{self, InterfaceKind};

/// The snap length the dialog starts with (dumpcap's default).
const SNAPLEN: u32 = crate::output::DEFAULT_SNAPLEN;

/// `--extcap-interface I --extcap-config`.
pub fn config(interface: Option<&str>) -> Result<String, Fatal> {
    Ok(match Interface::named(interface)? {
        Interface::Tunnel => tunnel_config(),
        Interface::Serial => serial_config(),
        Interface::Shell => shell_config(),
    })
}

/// One `arg` line; `extra` holds further `{key=value}` fields.
fn arg(text: &mut String, number: u8, call: &str, display: &str, kind: &str, extra: &str) {
    let _ = writeln!(
        text,
        "arg {{number={number}}}{{call={call}}}{{display={display}}}{{type={kind}}}{extra}"
    );
}

/// One `value` line of a selector.
fn value(text: &mut String, arg: u8, value: &str, display: &str, default: bool) {
    let _ = writeln!(
        text,
        "value {{arg={arg}}}{{value={value}}}{{display={display}}}{{default={default}}}"
    );
}

fn snaplen(text: &mut String, number: u8) {
    arg(
        text,
        number,
        "--snaplen",
        "Snap length",
        "unsigned",
        &format!("{{default={SNAPLEN}}}{{range=1,{SNAPLEN}}}{{tooltip=Keep at most this many bytes of each frame}}"),
    );
}

fn link(text: &mut String, number: u8) {
    arg(
        text,
        number,
        "--link",
        "Link type",
        "selector",
        "{tooltip=What the captured frames are; auto recognises SLL v1/v2 and raw IP headers}",
    );
    for (name, display) in [
        ("auto", "Auto-detect"),
        ("eth", "Ethernet"),
        ("sll", "Linux cooked v1 (SLL)"),
        ("sll2", "Linux cooked v2 (SLL2)"),
        ("raw", "Raw IP"),
    ] {
        value(text, number, name, display, name == "auto");
    }
}

/// The UDP receiver, and tunnel-less reading of an interface.
fn tunnel_config() -> String {
    let mut text = String::new();
    arg(
        &mut text,
        0,
        "--port",
        "UDP port",
        "unsigned",
        &format!("{{default={DEFAULT_PORT}}}{{range=1,65535}}{{tooltip=Port the devices send capture datagrams to (the inner port when tunnel-less)}}"),
    );
    link(&mut text, 1);
    arg(
        &mut text,
        2,
        "--interface",
        "Interface",
        "selector",
        "{tooltip=UDP: the tunnel end to receive on (any: all of them). Tunnel-less: the interface that carries the tunnel}",
    );
    value(&mut text, 2, "any", "any (UDP on every interface)", true);
    for interface in sources::network_interfaces() {
        let what = match interface.kind {
            InterfaceKind::Tunnel(what) => what.to_string(),
            InterfaceKind::Tap => "TAP, tunnel-less".to_string(),
            InterfaceKind::Ethernet => "Ethernet, tunnel-less".to_string(),
            InterfaceKind::Loopback => "loopback".to_string(),
            InterfaceKind::Other(hatype) => format!("link type {hatype}"),
        };
        let name = &interface.name;
        value(&mut text, 2, name, &format!("{name} ({what})"), false);
    }
    arg(
        &mut text,
        3,
        "--tunnel-less",
        "Tunnel-less",
        "boolflag",
        "{default=false}{tooltip=Read the interface that carries the tunnel (e.g. zeth) and decapsulate in zcap: no kernel tunnels needed, CAP_NET_RAW is}",
    );
    arg(
        &mut text,
        4,
        "--device",
        "Only from device",
        "string",
        "{tooltip=Keep only captures from this device (its inner address, e.g. 2001:db8:200::1); empty keeps all}",
    );
    arg(
        &mut text,
        5,
        "--listen",
        "Listen address",
        "string",
        "{default=::}{tooltip=Local address to bind in UDP mode (:: is dual-stack)}",
    );
    snaplen(&mut text, 6);
    text
}

/// The serial port (a text field, since Wireshark 4.0 has no editable
/// selector; it starts with the first port present) and its baud rate.
fn port_and_baud(text: &mut String, call: &str, display: &str, what: &str) {
    let ports = sources::serial_ports(false);
    let default = ports
        .first()
        .map(|first| format!("{{default={first}}}"))
        .unwrap_or_default();
    let present = if ports.is_empty() {
        "none found now".to_string()
    } else {
        ports.join(", ")
    };
    arg(
        text,
        0,
        call,
        display,
        "string",
        &format!("{{required=true}}{default}{{tooltip={what}, e.g. /dev/ttyACM0 or an emulator's /dev/pts/N (present: {present})}}"),
    );
    arg(
        text,
        1,
        "--baud",
        "Baud rate",
        "selector",
        "{tooltip=Baud rate of the UART (a pty or USB CDC ACM port ignores it)}",
    );
    for rate in serial::rates() {
        value(
            text,
            1,
            &rate.to_string(),
            &rate.to_string(),
            rate == DEFAULT_BAUD,
        );
    }
}

fn serial_config() -> String {
    let mut text = String::new();
    port_and_baud(
        &mut text,
        "--serial",
        "Serial port",
        "The device's UART, USB CDC ACM port or pty carrying its capture stream",
    );
    snaplen(&mut text, 2);
    text
}

/// `--shell`: the shell's port, and what zcap otherwise finds out itself.
fn shell_config() -> String {
    let mut text = String::new();
    port_and_baud(
        &mut text,
        "--shell",
        "Shell port",
        "The serial port or pty of the device's Zephyr shell",
    );
    let names: Vec<String> = sources::network_interfaces()
        .into_iter()
        .filter(|interface| !interface.kind.is_tunnel())
        .map(|interface| interface.name)
        .collect();
    for (number, call, display, tooltip) in [
        (2, "--interface", "Host interface", format!("The interface the device is reached over (found from the route to the device when empty; present: {})", names.join(", "))),
        (3, "--setup-remote", "Tunnel to", "This host's address the device tunnels to (found from the route when empty)".to_string()),
        (4, "--setup-local", "Device inner address", "net capture setup <local>: the device's inner address[:port] (default 2001:db8:200::1)".to_string()),
        (5, "--setup-peer", "Inner peer address", "net capture setup <peer>: where the captures go, address[:port] (default 2001:db8:200::2, port 4242)".to_string()),
    ] {
        arg(&mut text, number, call, display, "string", &format!("{{tooltip={tooltip}}}"));
    }
    arg(
        &mut text,
        6,
        "--shell-iface",
        "Device interface",
        "unsigned",
        "{range=1,255}{tooltip=net capture enable <index> (found from 'net iface' when empty)}",
    );
    snaplen(&mut text, 7);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extcap::{INTERFACE, SERIAL_INTERFACE, SHELL_INTERFACE};

    #[test]
    fn config_lines_are_well_formed() {
        for name in [INTERFACE, SERIAL_INTERFACE, SHELL_INTERFACE] {
            let text = config(Some(name)).unwrap();
            let mut numbers = Vec::new();
            for line in text.lines() {
                assert!(
                    line.starts_with("arg {") || line.starts_with("value {"),
                    "{line}"
                );
                assert_eq!(
                    line.matches('{').count(),
                    line.matches('}').count(),
                    "{line}"
                );
                if let Some(rest) = line.strip_prefix("arg {number=") {
                    numbers.push(rest.split('}').next().unwrap().parse::<u8>().unwrap());
                }
            }
            let expected: Vec<u8> = (0..numbers.len() as u8).collect();
            assert_eq!(numbers, expected, "{name}: arguments numbered in order");
        }
    }

    #[test]
    fn the_tunnel_dialog_offers_every_mode() {
        let text = config(Some(INTERFACE)).unwrap();
        for wanted in [
            "{call=--tunnel-less}",
            "{call=--device}",
            "{call=--snaplen}",
            "value {arg=1}{value=auto}{display=Auto-detect}{default=true}",
            "value {arg=2}{value=lo}{display=lo (loopback)}{default=false}",
        ] {
            assert!(text.contains(wanted), "{wanted} missing:\n{text}");
        }
        let shell = config(Some(SHELL_INTERFACE)).unwrap();
        assert!(shell.starts_with("arg {number=0}{call=--shell}"), "{shell}");
    }
}
