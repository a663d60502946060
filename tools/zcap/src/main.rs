//! `zcap`: the host receiver for Zephyr network captures. It turns the
//! capture tunnel (UDP, a raw interface, or a recorded file) into pcapng,
//! a live Wireshark feed (stdout or extcap), and a per-packet summary.

mod capture;
mod cli;
mod decap;
mod error;
mod extcap;
mod input;
mod link;
mod output;
mod reassembly;
mod stats;
mod stream;
mod summary;
mod terminal;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::Parser;

use crate::cli::{Args, Request};
use crate::error::{Fatal, EXIT_OK, EXIT_USAGE};

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    match run(args) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(fatal) => {
            eprintln!("zcap: {fatal}");
            ExitCode::from(fatal.code)
        }
    }
}

fn run(args: Args) -> Result<(), Fatal> {
    match args.into_request()? {
        Request::ExtcapInterfaces => print!("{}", extcap::interfaces()),
        Request::ExtcapDlts(interface) => print!("{}", extcap::dlts(interface.as_deref())?),
        Request::ExtcapConfig(interface) => print!("{}", extcap::config(interface.as_deref())?),
        Request::Capture(config) => {
            let stop = Arc::new(AtomicBool::new(false));
            for signal in [
                signal_hook::consts::SIGINT,
                signal_hook::consts::SIGTERM,
                signal_hook::consts::SIGHUP,
            ] {
                signal_hook::flag::register(signal, Arc::clone(&stop)).map_err(|err| {
                    Fatal::runtime(format!("cannot install the signal handler: {err}"))
                })?;
            }
            capture::run(&config, &stop)?;
        }
    }
    Ok(())
}
