//! The Wireshark extcap interfaces: with the binary (or a link to it) in
//! Wireshark's extcap folder, "Zephyr capture" (UDP tunnel or tunnel-less
//! on an interface), "Zephyr capture (serial stream)" and "Zephyr capture
//! (device shell)" show up in the interface list. Wireshark asks for
//! interfaces, link types and the config dialog, checks typed capture
//! filters, then runs a capture that writes pcapng into a fifo.

mod config;

pub use config::config;

use crate::capture_filter::CaptureFilter;
use crate::cli::Source;
use crate::error::Fatal;

/// The extcap interface of the UDP tunnel receiver (and tunnel-less).
pub const INTERFACE: &str = "zcap";
/// The extcap interface of the serial capture stream.
pub const SERIAL_INTERFACE: &str = "zcap-serial";
/// The extcap interface that sets the capture up through a device shell.
pub const SHELL_INTERFACE: &str = "zcap-shell";

/// Where the help link of the extcap points.
const HELP: &str = env!("CARGO_PKG_REPOSITORY");

/// Which of zcap's extcap interfaces Wireshark names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Interface {
    Tunnel,
    Serial,
    Shell,
}

impl Interface {
    /// The interface `name`; an error when it is unknown or missing.
    fn named(name: Option<&str>) -> Result<Interface, Fatal> {
        match name {
            Some(INTERFACE) => Ok(Interface::Tunnel),
            Some(SERIAL_INTERFACE) => Ok(Interface::Serial),
            Some(SHELL_INTERFACE) => Ok(Interface::Shell),
            Some(other) => Err(Fatal::usage(format!(
                "unknown extcap interface '{other}'; zcap provides '{INTERFACE}', '{SERIAL_INTERFACE}' and '{SHELL_INTERFACE}'"
            ))),
            None => Err(Fatal::usage(format!(
                "missing --extcap-interface; pass --extcap-interface {INTERFACE}, {SERIAL_INTERFACE} or {SHELL_INTERFACE}"
            ))),
        }
    }
}

/// `--extcap-interfaces`.
pub fn interfaces() -> String {
    format!(
        "extcap {{version={}}}{{help={HELP}}}\n\
         interface {{value={INTERFACE}}}{{display=Zephyr capture (UDP tunnel receiver)}}\n\
         interface {{value={SERIAL_INTERFACE}}}{{display=Zephyr capture (serial stream)}}\n\
         interface {{value={SHELL_INTERFACE}}}{{display=Zephyr capture (set up through the device shell)}}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// `--extcap-interface zcap --extcap-dlts`. The capture is pcapng, where
/// each device (and, on a serial stream, each interface and link type)
/// gets its own interface block; Wireshark only shows this one.
pub fn dlts(interface: Option<&str>) -> Result<String, Fatal> {
    let others = match Interface::named(interface)? {
        Interface::Serial => "records of other link types get their own interfaces",
        Interface::Tunnel | Interface::Shell => {
            "SLL, SLL2 and raw IP devices get their own interfaces"
        }
    };
    Ok(format!(
        "dlt {{number=1}}{{name=EN10MB}}{{display=Ethernet ({others} in the pcapng stream)}}\n"
    ))
}

/// `--extcap-interface I --extcap-capture-filter F` without `--capture`:
/// Wireshark's check of a typed filter. It reads standard output: nothing
/// for a valid filter, else the first line as the error it shows. It
/// discards that output when the exit status is not 0 (extcap.c,
/// ws_pipe_spawn_sync), so a refused filter still exits 0.
pub fn filter_check(interface: Option<&str>, filter: &str) -> Result<String, Fatal> {
    Interface::named(interface)?;
    Ok(match CaptureFilter::parse(filter) {
        Ok(_) => String::new(),
        Err(error) => format!("{error}\n"),
    })
}

/// Checks the interface of `--capture` against the source its options
/// name.
pub fn check_capture(interface: Option<&str>, source: &Source) -> Result<(), Fatal> {
    let wanted = match source {
        Source::Udp { .. } | Source::TunnelLess { .. } => Interface::Tunnel,
        Source::Serial { .. } => Interface::Serial,
        Source::Shell(_) => Interface::Shell,
        Source::Offline { .. } => {
            return Err(Fatal::usage("an extcap capture reads no file; drop -r"))
        }
    };
    let named = Interface::named(interface)?;
    if named == wanted {
        return Ok(());
    }
    Err(Fatal::usage(match named {
        Interface::Serial => format!(
            "the {SERIAL_INTERFACE} interface needs a port; set 'Serial port' in its options (--serial PATH)"
        ),
        Interface::Shell => format!(
            "the {SHELL_INTERFACE} interface needs the shell's port; set 'Shell port' in its options (--shell PATH)"
        ),
        Interface::Tunnel => format!(
            "the {INTERFACE} interface receives UDP or reads an interface; use {SERIAL_INTERFACE} for --serial and {SHELL_INTERFACE} for --shell"
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn only_zcaps_interfaces_are_known() {
        for name in [INTERFACE, SERIAL_INTERFACE, SHELL_INTERFACE] {
            assert!(dlts(Some(name)).unwrap().starts_with("dlt {number=1}"));
        }
        assert_eq!(
            dlts(Some("eth0")).unwrap_err().code,
            crate::error::EXIT_USAGE
        );
        assert!(config(None).is_err());
    }

    #[test]
    fn each_interface_needs_its_own_source() {
        let serial = Source::Serial {
            path: PathBuf::from("/dev/ttyACM0"),
            baud: 115_200,
        };
        let tunnel_less = Source::TunnelLess {
            interface: "zeth".to_string(),
        };
        assert!(check_capture(Some(SERIAL_INTERFACE), &serial).is_ok());
        assert!(check_capture(Some(INTERFACE), &tunnel_less).is_ok());
        assert!(check_capture(Some(SERIAL_INTERFACE), &tunnel_less)
            .unwrap_err()
            .message
            .contains("set 'Serial port'"));
        assert!(check_capture(Some(INTERFACE), &serial).is_err());
        assert!(check_capture(Some(SHELL_INTERFACE), &serial)
            .unwrap_err()
            .message
            .contains("--shell PATH"));
    }

    #[test]
    fn filter_check_prints_nothing_or_the_error_with_its_position() {
        assert_eq!(
            filter_check(Some(INTERFACE), "udp port 4242"),
            Ok(String::new())
        );
        assert_eq!(filter_check(Some(INTERFACE), ""), Ok(String::new()));
        let refused = filter_check(Some(SERIAL_INTERFACE), "tcp port http").unwrap();
        assert!(refused.contains("at position 9"), "{refused}");
        assert_eq!(refused.lines().count(), 1);
        assert!(filter_check(Some("eth0"), "ip").is_err());
    }

    #[test]
    fn the_help_link_points_at_this_project() {
        assert!(interfaces().starts_with("extcap {version="));
        assert!(
            interfaces().contains("{help=https://github.com/"),
            "{}",
            interfaces()
        );
        assert!(HELP.ends_with("/zephyr-net-capture"));
    }
}
