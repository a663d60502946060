//! Options typed out of net-capture.py habit, where zcap's short options
//! now mean what tcpdump and tshark mean: refused with the option that
//! does what was meant, before clap would refuse them with a bare
//! "unexpected argument".

use std::ffi::OsString;

use crate::error::Fatal;
use crate::link::LinkChoice;

/// Checks the raw arguments (program name first) for net-capture.py's
/// `-p PORT`, `-c`, `-C` and `-t TYPE`.
pub fn check(args: &[OsString]) -> Result<(), Fatal> {
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|arg| arg.to_str().unwrap_or(""))
        .take_while(|word| *word != "--")
        .collect();
    for (at, word) in words.iter().enumerate() {
        let Some(short) = word.strip_prefix('-').filter(|s| !s.starts_with('-')) else {
            continue;
        };
        let next = words.get(at + 1).copied();
        // The value of a short option: glued to it, or the next word.
        let value = |rest: &'static str| -> Option<&str> {
            let glued = short.strip_prefix(rest.trim_start_matches('-'))?;
            Some(if glued.is_empty() {
                next.unwrap_or("")
            } else {
                glued
            })
        };
        if let Some(port) = value("-p").filter(|v| v.parse::<u16>().is_ok()) {
            return Err(Fatal::usage(format!(
                "-p means 'no promiscuous mode' as in tcpdump and tshark; the UDP port (net-capture.py's -p) is --port {port}"
            )));
        }
        if short.starts_with('C') {
            return Err(Fatal::usage(
                "-C is not an option of zcap: for SLL v2 frames (net-capture.py's -C) pass --link sll2; to switch files by size (tcpdump's -C) pass -b filesize:KB",
            ));
        }
        if let Some(count) = value("-c").filter(|v| v.parse::<u64>().is_err()) {
            let shown = if count.is_empty() || count.starts_with('-') {
                "nothing".to_string()
            } else {
                format!("'{count}'")
            };
            return Err(Fatal::usage(format!(
                "-c N stops after N packets as in tcpdump and tshark, and got {shown}; for SLL v1 frames (net-capture.py's -c) pass --link sll"
            )));
        }
        if let Some(link) = value("-t").filter(|v| v.parse::<LinkChoice>().is_ok()) {
            return Err(Fatal::usage(format!(
                "-t sets the time format of packet lines as in tshark (r, d, e, u, ud); the link type (net-capture.py's -t) is --link {link}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(args: &[&str]) -> Result<(), String> {
        let mut argv = vec![OsString::from("zcap")];
        argv.extend(args.iter().map(OsString::from));
        check(&argv).map_err(|err| err.message)
    }

    #[test]
    fn net_capture_habits_name_the_long_option() {
        assert!(checked(&["-p", "4242"])
            .unwrap_err()
            .contains("--port 4242"));
        assert!(checked(&["-p4243"]).unwrap_err().contains("--port 4243"));
        assert!(checked(&["-i", "zeth", "-c"])
            .unwrap_err()
            .contains("--link sll"));
        assert!(checked(&["-c", "-w", "x"])
            .unwrap_err()
            .contains("got nothing"));
        assert!(checked(&["-C"]).unwrap_err().contains("--link sll2"));
        assert!(checked(&["-t", "CookedLinux"])
            .unwrap_err()
            .contains("--link CookedLinux"));
    }

    #[test]
    fn tcpdump_and_tshark_habits_pass() {
        for args in [
            &["-p", "-i", "zeth"][..],
            &["-c", "10"],
            &["-c10"],
            &["-t", "ud"],
            &["-w", "-p"],
            &["--", "-C"],
            &["--port", "4242"],
        ] {
            assert_eq!(checked(args), Ok(()), "{args:?}");
        }
    }
}
