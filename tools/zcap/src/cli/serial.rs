//! Whether the command line names a serial capture stream (`--serial PATH`,
//! or `-i` with the path of a character device, as dumpcap users pick any
//! source with `-i`), and which options do not go with one.

use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;

use super::{Args, Source, DEFAULT_BAUD};
use crate::error::Fatal;
use crate::input::serial::baud_rate;

/// The serial source the arguments name, if any.
pub fn source(args: &Args) -> Result<Option<Source>, Fatal> {
    let path = match (&args.serial, args.interface.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(Fatal::usage(
                "--serial and -i name two sources; pass only one of them",
            ))
        }
        (Some(path), None) => path.clone(),
        // Interface names cannot hold a '/'; device paths always do.
        (None, Some(name)) if name.contains('/') => device_path(name)?,
        _ => {
            if args.baud.is_some() {
                return Err(Fatal::usage(
                    "--baud needs a serial port; pass --serial PATH or -i /dev/ttyACM0",
                ));
            }
            return Ok(None);
        }
    };
    let shown = path.display();
    let conflicts = [
        (
            !args.ports.is_empty(),
            "--port",
            "a serial stream has no ports",
        ),
        (args.tunnel_less, "--tunnel-less", "it reads one source"),
        (args.read.is_some(), "-r", "it reads one source"),
        (
            !args.devices.is_empty(),
            "--device",
            "the stream names its capture devices itself",
        ),
        (
            !args.links.is_empty() || args.sll1 || args.sll2,
            "--link",
            "each record names its link type",
        ),
        (
            args.repair_sll2,
            "--repair-sll2",
            "the Rust device library writes correct SLL2 headers",
        ),
    ];
    if let Some((_, option, why)) = conflicts.iter().find(|(given, _, _)| *given) {
        return Err(Fatal::usage(format!(
            "{option} does not apply to the serial stream on {shown} ({why}); drop it"
        )));
    }
    Ok(Some(Source::Serial {
        path,
        baud: checked_baud(args)?,
    }))
}

/// `--baud`, or the default, if zcap can set it.
pub fn checked_baud(args: &Args) -> Result<u32, Fatal> {
    let baud = args.baud.unwrap_or(DEFAULT_BAUD);
    match baud_rate(baud) {
        Some(_) => Ok(baud),
        None => Err(Fatal::usage(format!(
            "unsupported baud rate {baud}; pass --baud with a standard rate such as 115200, 460800 or 921600"
        ))),
    }
}

/// `-i PATH`: a character device, or a path that does not exist yet (a USB
/// serial port not plugged in); anything else is a mistake.
fn device_path(name: &str) -> Result<PathBuf, Fatal> {
    match std::fs::metadata(name) {
        Ok(meta) if !meta.file_type().is_char_device() => Err(Fatal::usage(format!(
            "-i {name} is neither a network interface nor a serial device; pass --serial {name} to read a recorded stream"
        ))),
        _ => Ok(PathBuf::from(name)),
    }
}
