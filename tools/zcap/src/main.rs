//! `zcap`: the host receiver for Zephyr network captures. It turns the
//! capture tunnel (UDP, a raw interface, a recorded capture, a serial
//! stream, or a device it sets up through its shell) into pcapng, a live
//! Wireshark feed (stdout or extcap), and a per-packet summary.

mod capture;
mod capture_filter;
mod cli;
mod decap;
mod error;
mod extcap;
mod input;
mod link;
mod output;
mod reassembly;
mod shell;
mod sources;
mod stats;
mod stream;
mod summary;
mod terminal;
mod utc;

// The integration tests' builders of device frames and tunnel packets,
// for the unit tests too.
#[cfg(test)]
#[path = "../tests/common/frames.rs"]
#[allow(dead_code)]
mod test_frames;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::Parser;

use crate::capture::Capture;
use crate::cli::{Args, Config, Request, Source};
use crate::error::{Fatal, EXIT_OK, EXIT_USAGE};
use crate::shell::Shell;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = cli::habits::check(&argv).map(|()| Args::try_parse_from(&argv));
    let args = match parsed {
        Ok(Ok(args)) => args,
        Ok(Err(err)) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
        Err(fatal) => return fail(&fatal),
    };
    match run(args) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(fatal) => fail(&fatal),
    }
}

fn fail(fatal: &Fatal) -> ExitCode {
    eprintln!("zcap: {fatal}");
    ExitCode::from(fatal.code)
}

fn run(args: Args) -> Result<(), Fatal> {
    match args.into_request()? {
        Request::ListSources => print!("{}", sources::render(&sources::list())),
        Request::ExtcapInterfaces => print!("{}", extcap::interfaces()),
        Request::ExtcapDlts(interface) => print!("{}", extcap::dlts(interface.as_deref())?),
        Request::ExtcapConfig(interface) => print!("{}", extcap::config(interface.as_deref())?),
        Request::ExtcapFilterCheck { interface, filter } => {
            print!("{}", extcap::filter_check(interface.as_deref(), &filter)?)
        }
        Request::Capture(config) => {
            let stop = stop_on_signals()?;
            match &config.source {
                Source::Shell(_) => capture_through_shell(*config, &stop)?,
                _ => Capture::open(&config, &stop)?.run(&stop)?,
            }
        }
    }
    Ok(())
}

/// A flag that SIGINT, SIGTERM (how Wireshark stops an extcap) and SIGHUP
/// set.
fn stop_on_signals() -> Result<Arc<AtomicBool>, Fatal> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|err| Fatal::runtime(format!("cannot install the signal handler: {err}")))?;
    }
    Ok(stop)
}

/// `--shell`: plan through the device's shell, open the capture on the
/// host interface the plan names, set the device up, capture, undo.
fn capture_through_shell(mut config: Config, stop: &AtomicBool) -> Result<(), Fatal> {
    let Source::Shell(options) = &config.source else {
        return Ok(());
    };
    let mut shell = Shell::connect(options, !config.extcap)?;
    let plan = shell.plan()?;
    config.source = Source::TunnelLess {
        interface: plan.host_interface.clone(),
    };
    let capture = Capture::open(&config, stop)?;
    let attached = shell.attach(&plan)?;
    capture.run_then(stop, || attached.detach())
}
