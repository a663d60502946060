//! `--shell PATH` and its options, and the options that do not go with
//! it.

use std::net::IpAddr;
use std::time::Duration;

use super::{Args, Source};
use crate::error::Fatal;
use crate::shell::{Endpoint, ShellOptions, DEFAULT_LOCAL, DEFAULT_PEER};

/// The shell source the arguments name, if any.
pub fn source(args: &Args) -> Result<Option<Source>, Fatal> {
    let Some(path) = &args.shell else {
        let orphan = [
            (args.shell_iface.is_some(), "--shell-iface"),
            (args.setup_remote.is_some(), "--setup-remote"),
            (args.setup_local.is_some(), "--setup-local"),
            (args.setup_peer.is_some(), "--setup-peer"),
        ];
        if let Some((_, option)) = orphan.iter().find(|(given, _)| *given) {
            return Err(Fatal::usage(format!(
                "{option} sets up a capture through the device's shell; add --shell PATH"
            )));
        }
        return Ok(None);
    };
    let conflicts = [
        (
            args.serial.is_some(),
            "--serial",
            "the shell's port is --shell",
        ),
        (
            args.read.is_some(),
            "-r",
            "zcap reads the interface the device sends over",
        ),
        (
            !args.ports.is_empty(),
            "--port",
            "the port comes from --setup-peer ADDR:PORT",
        ),
        (
            args.interface
                .as_deref()
                .is_some_and(|name| name.contains('/') || name == "any"),
            "-i with a path or any",
            "-i names the host's network interface the tunnel arrives on",
        ),
    ];
    if let Some((_, option, why)) = conflicts.iter().find(|(given, _, _)| *given) {
        return Err(Fatal::usage(format!(
            "{option} does not go with --shell ({why}); drop it"
        )));
    }
    let baud = super::serial::checked_baud(args)?;
    let local = args.setup_local.unwrap_or(Endpoint {
        addr: IpAddr::V6(DEFAULT_LOCAL),
        port: None,
    });
    let peer = args.setup_peer.unwrap_or(Endpoint {
        addr: IpAddr::V6(DEFAULT_PEER),
        port: None,
    });
    if local.addr.is_ipv4() != peer.addr.is_ipv4() {
        return Err(Fatal::usage(format!(
            "--setup-local {local} and --setup-peer {peer} are of two address families; the inner tunnel needs one"
        )));
    }
    Ok(Some(Source::Shell(Box::new(ShellOptions {
        path: path.clone(),
        baud,
        host_interface: args.interface.clone(),
        device_iface: args.shell_iface,
        remote: args.setup_remote,
        local,
        peer,
        timeout: Duration::from_secs(args.shell_timeout),
    }))))
}
