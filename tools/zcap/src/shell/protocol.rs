//! What Zephyr's shell prints, and what it means: the prompt, the echo of
//! a command, the answers of `net capture ...` (subsys/net/lib/shell/
//! capture.c) and of `net iface` (iface.c). Pure functions over text, so
//! they are tested against the shell's own strings.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The end of a shell prompt: `uart:~$ ` on a UART, `rtt:~$ ` on RTT.
const PROMPT_END: &str = ":~$ ";

/// Removes VT100 escape sequences (colours, cursor moves, line clears)
/// and carriage returns, which the shell writes around its prompt and
/// echo.
pub fn strip_terminal_codes(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                // CSI: ESC [ parameters final-byte; others: ESC and one byte.
                if chars.next_if_eq(&'[').is_some() {
                    for next in chars.by_ref() {
                        if ('@'..='~').contains(&next) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' | '\x07' => {}
            other => text.push(other),
        }
    }
    text
}

/// Whether `line` is a shell prompt (possibly with typed text after it).
fn is_prompt(line: &str) -> bool {
    line.find(PROMPT_END).is_some_and(|at| {
        line.get(..at).is_some_and(|name| {
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    })
}

/// Whether `text` (terminal codes stripped) ends in an idle prompt.
pub fn ends_with_prompt(text: &str) -> bool {
    let last = text.rsplit('\n').next().unwrap_or(text);
    is_prompt(last) && last.ends_with(PROMPT_END)
}

/// The lines the shell printed for `command`, once `text` (everything
/// received since the command was sent, terminal codes stripped) holds
/// them all: they end at the prompt that follows. The echo of the
/// command is left out; `None` while the answer is incomplete.
pub fn answer(text: &str, command: &str) -> Option<Vec<String>> {
    let mut lines = text.split('\n');
    let first = lines.next()?;
    let mut answer = Vec::new();
    // Without echo the first line is already part of the answer.
    if !first.contains(command) {
        if is_prompt(first) {
            return None;
        }
        answer.push(first.trim().to_string());
    }
    for line in lines {
        // An idle prompt: a prompt the shell reprints around a log line
        // carries the text typed so far.
        if is_prompt(line) && line.ends_with(PROMPT_END) {
            answer.retain(|line| !line.is_empty());
            return Some(answer);
        }
        answer.push(line.trim().to_string());
    }
    None
}

/// One row of `net capture`: a capture device that is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureRow {
    /// The device name, `NET_CAPTURE0`.
    pub device: String,
    /// The interface it captures, when enabled.
    pub capturing: Option<u32>,
    /// Its tunnel interface.
    pub tunnel_iface: u32,
    /// Its inner local end, as printed (`[2001:db8:200::1]:4242`).
    pub local: String,
    /// Its inner peer end, as printed.
    pub peer: String,
}

/// What `net capture` says about the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listing {
    /// The image has no capture support (`CONFIG_NET_CAPTURE` off) or no
    /// `NET_CAPTURE0` device.
    Unavailable(String),
    /// The shell has no `net capture` command.
    NoCommand(String),
    /// Capture is there; the rows are the devices that are set up.
    Devices {
        /// Whether `NET_CAPTURE0` is enabled.
        enabled: bool,
        /// The set-up devices.
        rows: Vec<CaptureRow>,
    },
}

/// Reads the answer of `net capture`.
pub fn listing(lines: &[String]) -> Listing {
    if let Some(line) = lines.iter().find(|line| is_missing_command(line)) {
        return Listing::NoCommand(line.clone());
    }
    if let Some(line) = lines
        .iter()
        .find(|line| line.contains("not configured") || line.starts_with("Set CONFIG_NET_CAPTURE"))
    {
        return Listing::Unavailable(line.clone());
    }
    let enabled = lines
        .iter()
        .any(|line| line.contains("Network packet capture enabled"));
    let rows = lines.iter().filter_map(|line| row(line)).collect();
    Listing::Devices { enabled, rows }
}

/// `NET_CAPTURE0\t1        2      [2001:db8:200::1]:4242\t[2001:db8:200::2]:4242`
/// (the capture interface is one character: `-` when not enabled).
fn row(line: &str) -> Option<CaptureRow> {
    let mut fields = line.split_whitespace();
    let device = fields
        .next()
        .filter(|name| name.starts_with("NET_CAPTURE"))?;
    let capturing = match fields.next()? {
        "-" => None,
        index => Some(index.parse().ok()?),
    };
    Some(CaptureRow {
        device: device.to_string(),
        capturing,
        tunnel_iface: fields.next()?.parse().ok()?,
        local: fields.next()?.to_string(),
        peer: fields.next()?.to_string(),
    })
}

/// Whether the shell says it does not know a command.
pub fn is_missing_command(line: &str) -> bool {
    line.contains("command not found") || line.contains("Unknown command")
}

/// An interface of `net iface`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceIface {
    /// Its index.
    pub index: u32,
    /// Its name, if it has one (`eth0`).
    pub name: Option<String>,
    /// Its kind (`Ethernet`, `Virtual`, `Dummy`, ...).
    pub kind: String,
    /// Its IPv4 unicast addresses.
    pub ipv4: Vec<Ipv4Addr>,
    /// Its IPv6 unicast addresses.
    pub ipv6: Vec<Ipv6Addr>,
}

impl DeviceIface {
    /// The address the host should reach the device at: its first IPv4
    /// address, else its first global IPv6 one.
    pub fn address(&self) -> Option<IpAddr> {
        self.ipv4
            .iter()
            .find(|addr| !addr.is_unspecified() && !addr.is_link_local())
            .map(|addr| IpAddr::V4(*addr))
            .or_else(|| {
                self.ipv6
                    .iter()
                    .find(|addr| !addr.is_unspecified() && !addr.is_unicast_link_local())
                    .map(|addr| IpAddr::V6(*addr))
            })
    }

    /// Whether it can carry the tunnel: not one of the capture's own
    /// virtual interfaces or a dummy.
    pub fn is_physical(&self) -> bool {
        !matches!(self.kind.as_str(), "Virtual" | "Dummy" | "IP tunnel")
    }
}

/// Reads the answer of `net iface`: `Interface eth0 (0x...) (Ethernet) [1]`
/// headers, then sections; the unicast addresses are indented lines after
/// `IPv4 unicast addresses` and `IPv6 unicast addresses`.
pub fn interfaces(lines: &[String]) -> Vec<DeviceIface> {
    #[derive(PartialEq)]
    enum Section {
        Other,
        Ipv4,
        Ipv6,
    }
    let mut found: Vec<DeviceIface> = Vec::new();
    let mut section = Section::Other;
    for line in lines {
        if let Some(iface) = iface_header(line) {
            found.push(iface);
            section = Section::Other;
            continue;
        }
        let Some(current) = found.last_mut() else {
            continue;
        };
        let first = line.split_whitespace().next().unwrap_or_default();
        if line.starts_with("IPv4 unicast addresses") {
            section = Section::Ipv4;
        } else if line.starts_with("IPv6 unicast addresses") {
            section = Section::Ipv6;
        } else if section == Section::Ipv4 {
            match first.split('/').next().and_then(|addr| addr.parse().ok()) {
                Some(addr) => current.ipv4.push(addr),
                None => section = Section::Other,
            }
        } else if section == Section::Ipv6 {
            match first.parse() {
                Ok(addr) => current.ipv6.push(addr),
                Err(_) => section = Section::Other,
            }
        }
    }
    found
}

fn iface_header(line: &str) -> Option<DeviceIface> {
    let rest = line.strip_prefix("Interface ")?;
    let open = rest.rfind('[')?;
    let index = rest.get(open + 1..)?.strip_suffix(']')?.parse().ok()?;
    let before = rest.get(..open)?.trim_end();
    let kind_start = before.rfind('(')?;
    let kind = before.get(kind_start + 1..)?.strip_suffix(')')?.to_string();
    let first = before.split_whitespace().next()?;
    let name = (!first.starts_with('(') && !first.starts_with("0x")).then(|| first.to_string());
    Some(DeviceIface {
        index,
        name,
        kind,
        ..DeviceIface::default()
    })
}

/// The error the shell reports in a line like `Capture cannot be setup
/// (-16)` or `Capture enable failed (-22)`.
pub fn errno_in(line: &str) -> Option<i32> {
    let open = line.rfind('(')?;
    line.get(open + 1..)?.split(')').next()?.trim().parse().ok()
}

/// What a negative errno from the capture API usually means.
pub fn errno_meaning(errno: i32) -> &'static str {
    match errno {
        -1 => "EPERM",
        -2 => "ENOENT: no such device or interface",
        -12 => "ENOMEM: out of memory",
        -16 => "EBUSY: no free capture device or tunnel",
        -19 => "ENODEV: no tunnel interface",
        -22 => "EINVAL: an address or interface was refused",
        -101 => "ENETUNREACH: no interface reaches the remote address",
        -114 => "EALREADY: already enabled",
        _ => "",
    }
}

/// Which answer lines say a command failed.
pub fn failure(lines: &[String]) -> Option<&String> {
    lines.iter().find(|line| {
        is_missing_command(line)
            || line.contains("cannot be setup")
            || line.contains("failed (")
            || line.contains("is invalid")
            || line.contains("No such interface")
            || line.contains("is missing")
            || line.contains("not specified")
            || line.contains("wrong parameter count")
    })
}

/// Whether the answer of `net capture setup` says it worked.
pub fn setup_done(lines: &[String]) -> bool {
    lines.iter().any(|line| line.contains("Capture setup done"))
}

#[cfg(test)]
mod tests;
