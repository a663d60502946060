//! The commands zcap types into the device's shell, in order, and their
//! undo. Nothing on the device changes before the plan is complete; a
//! setup that fails half-way is cleaned up; at exit the capture is
//! disabled and cleaned up.

use std::net::IpAddr;
use std::time::Duration;

use super::port::{no_answer, Draining, ShellPort};
use super::protocol::{self, CaptureRow, DeviceIface, Listing};
use super::{route, ShellOptions};
use crate::error::Fatal;

/// A device shell that answered its prompt.
pub struct Shell {
    port: ShellPort,
    options: ShellOptions,
    /// Print each command on standard error (not as an extcap).
    verbose: bool,
}

/// How the capture will be set up, found before anything changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The host interface the tunnel arrives on (read tunnel-less).
    pub host_interface: String,
    /// The outer address the device tunnels to (this host's).
    pub remote: IpAddr,
    /// The device's interface to capture.
    pub device_iface: u32,
    /// A capture the device had set up, which the setup replaces.
    pub replaced: Option<CaptureRow>,
}

impl Shell {
    /// Opens the shell's line and waits for its prompt.
    pub fn connect(options: &ShellOptions, verbose: bool) -> Result<Shell, Fatal> {
        let mut port = ShellPort::open(&options.path, options.baud)?;
        port.sync(options.timeout)
            .map_err(|error| no_answer(&options.path, "", &error, options.timeout))?;
        Ok(Shell {
            port,
            options: options.clone(),
            verbose,
        })
    }

    fn timeout(&self) -> Duration {
        self.options.timeout
    }

    fn note(&self, text: &str) {
        if self.verbose {
            eprintln!("zcap: {}: {text}", self.port.path().display());
        }
    }

    /// Runs `command` and returns what it printed.
    fn run(&mut self, command: &str) -> Result<Vec<String>, Fatal> {
        self.note(command);
        let timeout = self.timeout();
        self.port
            .run(command, timeout)
            .map_err(|error| no_answer(self.port.path(), command, &error, timeout))
    }

    /// `net capture`: whether NET_CAPTURE0 is enabled, and the set-up
    /// devices.
    fn listing(&mut self) -> Result<(bool, Vec<CaptureRow>), Fatal> {
        let lines = self.run("net capture")?;
        match protocol::listing(&lines) {
            Listing::Devices { enabled, rows } => Ok((enabled, rows)),
            Listing::Unavailable(line) => Err(Fatal::input(format!(
                "the device cannot capture ({line}); build it with CONFIG_NET_CAPTURE=y"
            ))),
            Listing::NoCommand(line) => Err(Fatal::input(format!(
                "the device's shell has no 'net capture' ({line}); build it with CONFIG_NET_SHELL=y and CONFIG_NET_CAPTURE=y"
            ))),
        }
    }

    /// Finds out how to set the capture up, changing nothing.
    pub fn plan(&mut self) -> Result<Plan, Fatal> {
        let (enabled, rows) = self.listing()?;
        if let Some(busy) = rows.iter().find(|row| row.capturing.is_some()) {
            return Err(Fatal::input(format!(
                "{} on the device already captures interface {} for {}; stop that capture first ('net capture disable' on the device)",
                busy.device,
                busy.capturing.unwrap_or_default(),
                busy.peer
            )));
        }
        if enabled {
            return Err(Fatal::input(
                "the device's capture is already enabled; stop it first ('net capture disable' on the device)",
            ));
        }
        let options = self.options.clone();
        let ifaces = if options.device_iface.is_some()
            && options.remote.is_some()
            && options.host_interface.is_some()
        {
            Vec::new()
        } else {
            protocol::interfaces(&self.run("net iface")?)
        };
        let chosen = choose_iface(&ifaces, options.device_iface)?;
        let device_iface = options
            .device_iface
            .or(chosen.map(|iface| iface.index))
            .unwrap_or_default();
        let device_addr = chosen.and_then(DeviceIface::address);
        let remote = match (options.remote, device_addr) {
            (Some(remote), _) => remote,
            (None, Some(device)) => route::source_towards(device).map_err(|err| {
                Fatal::input(format!(
                    "this host has no route to the device's address {device} ({err}); pass --setup-remote ADDR and -i IFACE"
                ))
            })?,
            (None, None) => {
                return Err(Fatal::input(format!(
                    "the device's interface {device_iface} has no address to find the host side by; pass --setup-remote ADDR and -i IFACE"
                )))
            }
        };
        let host_interface = match options.host_interface.clone() {
            Some(name) => name,
            None => route::interface_with(remote).ok_or_else(|| {
                Fatal::input(format!(
                    "no interface of this host holds {remote}; pass -i IFACE (zcap -D lists them)"
                ))
            })?,
        };
        Ok(Plan {
            host_interface,
            remote,
            device_iface,
            replaced: rows.into_iter().next(),
        })
    }

    /// Sets the capture up and enables it; on failure, cleans up what it
    /// set up.
    pub fn attach(mut self, plan: &Plan) -> Result<Attached, Fatal> {
        if let Some(old) = &plan.replaced {
            self.note(&format!(
                "replacing the capture set up on the device ({} from {} to {}); the device is left without one at exit",
                old.device, old.local, old.peer
            ));
        }
        let setup = format!(
            "net capture setup {} {} {}",
            plan.remote, self.options.local, self.options.peer
        );
        let lines = match self.run(&setup) {
            Ok(lines) => lines,
            // It may have taken the setup without the answer reaching us.
            Err(error) => return Err(self.undo_after(error)),
        };
        if !protocol::setup_done(&lines) {
            // A refused setup leaves nothing behind: the shell cleans up
            // an old setup before it tries, and the library rolls back.
            return Err(refused(&setup, &lines));
        }
        let enable = format!("net capture enable {}", plan.device_iface);
        let enabled = self
            .run(&enable)
            .and_then(|lines| match protocol::failure(&lines) {
                Some(_) => Err(refused(&enable, &lines)),
                None => Ok(()),
            });
        let checked = enabled.and_then(|()| self.check_capturing(plan.device_iface));
        if let Err(error) = checked {
            return Err(self.undo_after(error));
        }
        Ok(Attached {
            draining: Some(self.port.drain_in_background()),
            options: self.options,
            verbose: self.verbose,
        })
    }

    /// Cleans up a setup that `error` interrupted; the error, with how the
    /// cleanup went when it failed too.
    fn undo_after(&mut self, error: Fatal) -> Fatal {
        match self.run_checked("net capture cleanup") {
            Ok(()) => error,
            Err(undo) => Fatal::input(format!("{error}; cleaning up failed too: {undo}")),
        }
    }

    /// Whether the listing now shows the capture of `iface`.
    fn check_capturing(&mut self, iface: u32) -> Result<(), Fatal> {
        let (enabled, rows) = self.listing()?;
        if enabled && rows.iter().any(|row| row.capturing == Some(iface)) {
            return Ok(());
        }
        Err(Fatal::input(format!(
            "the device took 'net capture enable {iface}' but 'net capture' shows no capture of interface {iface}"
        )))
    }

    /// Runs a command whose only answer on success is none.
    fn run_checked(&mut self, command: &str) -> Result<(), Fatal> {
        let lines = self.run(command)?;
        match protocol::failure(&lines) {
            Some(_) => Err(refused(command, &lines)),
            None => Ok(()),
        }
    }
}

/// The interface to capture: the one given, else the first physical one
/// with an address.
fn choose_iface(ifaces: &[DeviceIface], given: Option<u32>) -> Result<Option<&DeviceIface>, Fatal> {
    if let Some(index) = given {
        return Ok(ifaces.iter().find(|iface| iface.index == index));
    }
    ifaces
        .iter()
        .find(|iface| iface.is_physical() && iface.address().is_some())
        .map(Some)
        .ok_or_else(|| {
            Fatal::input(
                "the device's 'net iface' lists no interface with an address to capture; pass --shell-iface N",
            )
        })
}

/// The device refused `command`: one line with what it said.
fn refused(command: &str, lines: &[String]) -> Fatal {
    let said = protocol::failure(lines)
        .or(lines.first())
        .map_or("no answer", String::as_str);
    let meaning = protocol::errno_in(said)
        .map(protocol::errno_meaning)
        .filter(|meaning| !meaning.is_empty())
        .map(|meaning| format!(" ({meaning})"))
        .unwrap_or_default();
    Fatal::input(format!("the device refused '{command}': {said}{meaning}"))
}

/// A capture zcap set up, to be undone at exit.
pub struct Attached {
    draining: Option<Draining>,
    options: ShellOptions,
    verbose: bool,
}

impl Attached {
    /// Disables the capture and cleans it up.
    pub fn detach(mut self) -> Result<(), Fatal> {
        self.undo()
    }

    fn undo(&mut self) -> Result<(), Fatal> {
        let Some(draining) = self.draining.take() else {
            return Ok(());
        };
        let mut shell = Shell {
            port: draining.stop()?,
            options: self.options.clone(),
            verbose: self.verbose,
        };
        let disabled = shell.run_checked("net capture disable");
        let cleaned = shell.run_checked("net capture cleanup");
        disabled.and(cleaned).map_err(|error| {
            Fatal::runtime(format!(
                "{error}; the device may still capture: run 'net capture disable' and 'net capture cleanup' on it"
            ))
        })
    }
}

impl Drop for Attached {
    /// Undoes the setup when the capture ended without [`Attached::detach`].
    fn drop(&mut self) {
        if let Err(error) = self.undo() {
            eprintln!("zcap: {error}");
        }
    }
}
