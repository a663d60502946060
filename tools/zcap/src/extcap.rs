//! The Wireshark extcap interface: with the binary (or a link to it) in
//! Wireshark's extcap folder, "Zephyr capture" shows up in the interface
//! list. Wireshark asks for interfaces, link types and the config dialog,
//! then runs a capture that writes pcapng into a fifo.

use crate::error::Fatal;

/// The extcap interface name.
pub const INTERFACE: &str = "zcap";

/// `--extcap-interfaces`.
pub fn interfaces() -> String {
    format!(
        "extcap {{version={}}}{{help=https://github.com/zephyrproject-rtos/net-tools}}\n\
         interface {{value={INTERFACE}}}{{display=Zephyr capture (UDP tunnel receiver)}}\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn known(interface: Option<&str>) -> Result<(), Fatal> {
    match interface {
        Some(INTERFACE) => Ok(()),
        Some(other) => Err(Fatal::usage(format!(
            "unknown extcap interface '{other}'; zcap provides '{INTERFACE}'"
        ))),
        None => Err(Fatal::usage(format!(
            "missing --extcap-interface; pass --extcap-interface {INTERFACE}"
        ))),
    }
}

/// `--extcap-interface zcap --extcap-dlts`. The capture is pcapng, where
/// each device gets its own link type; Wireshark only shows this one.
pub fn dlts(interface: Option<&str>) -> Result<String, Fatal> {
    known(interface)?;
    Ok("dlt {number=1}{name=EN10MB}{display=Ethernet (SLL and SLL2 devices get their own interfaces in the pcapng stream)}\n".to_string())
}

/// `--extcap-interface zcap --extcap-config`.
pub fn config(interface: Option<&str>) -> Result<String, Fatal> {
    known(interface)?;
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

/// Checks the interface of `--capture`.
pub fn check_capture(interface: Option<&str>) -> Result<(), Fatal> {
    known(interface)
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
    fn config_lines_are_well_formed() {
        for line in config(Some(INTERFACE)).unwrap().lines() {
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
