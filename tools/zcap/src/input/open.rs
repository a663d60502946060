//! Opening the input a configuration names.

use std::net::IpAddr;

use super::{offline, packet_socket, serial, udp, Input};
use crate::cli::{Config, Source};
use crate::decap::{Decapsulator, Filter};
use crate::error::Fatal;

impl Input {
    /// Opens the input the configuration names and says what it listens on.
    pub fn open(config: &Config) -> Result<Input, Fatal> {
        let filter = Filter {
            ports: config.ports.clone(),
            devices: config.devices.clone(),
        };
        let input = match &config.source {
            Source::Udp {
                listen,
                ports,
                interface,
            } => {
                let listener = udp::UdpListener::bind(*listen, ports, interface.as_deref())?;
                if !config.extcap {
                    for port in listener.ports() {
                        let shown = match listen {
                            IpAddr::V6(v6) => format!("[{v6}]:{port}"),
                            IpAddr::V4(v4) => format!("{v4}:{port}"),
                        };
                        let on = interface
                            .as_deref()
                            .map(|name| format!(" on {name}"))
                            .unwrap_or_default();
                        eprintln!("zcap: listening on UDP {shown}{on}");
                    }
                }
                Input::Udp(listener)
            }
            Source::TunnelLess { interface } => {
                let socket = packet_socket::PacketSocket::open(interface)?;
                if !config.extcap {
                    eprintln!(
                        "zcap: reading the capture tunnel on {interface} (inner UDP ports {})",
                        ports_text(&config.ports)
                    );
                }
                Input::TunnelLess {
                    socket,
                    decap: Decapsulator::new(filter),
                    ignored: 0,
                }
            }
            Source::Offline { path } => {
                let reader = offline::OfflineReader::open(path)?;
                Input::Offline {
                    reader,
                    decap: Decapsulator::new(filter),
                    ignored: 0,
                }
            }
            Source::Shell(_) => {
                return Err(Fatal::runtime(
                    "a --shell capture reads the interface its plan names; plan it first",
                ))
            }
            Source::Serial { path, baud } => {
                let input = serial::SerialInput::open(path, *baud)?;
                if input.is_open() && !config.extcap {
                    eprintln!("zcap: {}", input.describe());
                }
                Input::Serial(input)
            }
        };
        Ok(input)
    }
}

fn ports_text(ports: &[u16]) -> String {
    let texts: Vec<String> = ports.iter().map(u16::to_string).collect();
    texts.join(", ")
}
