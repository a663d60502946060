//! UDP sockets at the end of a kernel-terminated capture tunnel: one per
//! port, dual-stack by default, with kernel receive timestamps
//! (`SO_TIMESTAMPNS`) and the socket drop counter (`SO_RXQ_OVFL`).

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::socket::{self, sockopt, MsgFlags, SockaddrStorage};
use socket2::{Domain, Protocol, Socket, Type};

use super::{now_ns, receive_metadata, DropCounter, Event, Frame};
use crate::error::{describe, Fatal};
use crate::link::canonical;

/// The socket receive buffer asked for, so bursts survive a slow writer.
const RECV_BUFFER: usize = 8 << 20;
/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

struct Bound {
    socket: Socket,
    port: u16,
    drops: DropCounter,
}

/// Bound UDP sockets, read round-robin.
pub struct UdpListener {
    sockets: Vec<Bound>,
    next: usize,
    buf: Vec<u8>,
    cmsg: Vec<u8>,
}

impl UdpListener {
    /// Binds `addr` on every port in `ports`, optionally only on the
    /// network interface `device` (SO_BINDTODEVICE, as net-capture.py `-i`).
    pub fn bind(addr: IpAddr, ports: &[u16], device: Option<&str>) -> Result<UdpListener, Fatal> {
        let mut sockets = Vec::with_capacity(ports.len());
        for &port in ports {
            let socket = bind_one(SocketAddr::new(addr, port), device)?;
            let port = socket
                .local_addr()
                .ok()
                .and_then(|local| local.as_socket())
                .map_or(port, |local| local.port());
            sockets.push(Bound {
                socket,
                port,
                drops: DropCounter::default(),
            });
        }
        Ok(UdpListener {
            sockets,
            next: 0,
            buf: vec![0u8; MAX_DATAGRAM],
            cmsg: nix::cmsg_space!(nix::sys::time::TimeSpec, u32),
        })
    }

    /// The ports actually bound (port 0 becomes the one the kernel chose).
    pub fn ports(&self) -> Vec<u16> {
        self.sockets.iter().map(|bound| bound.port).collect()
    }

    /// The next datagram from any socket, waiting up to `timeout_ms`.
    pub fn recv(&mut self, timeout_ms: u16) -> Result<Event, Fatal> {
        for attempt in 0..2 {
            let count = self.sockets.len();
            for offset in 0..count {
                let index = (self.next + offset) % count;
                if let Some(frame) = self.try_recv(index)? {
                    self.next = (index + 1) % count;
                    return Ok(Event::Frame(frame));
                }
            }
            if attempt == 0 && !self.wait(timeout_ms)? {
                break;
            }
        }
        Ok(Event::Idle)
    }

    /// Waits until a socket is readable; false on timeout or a signal.
    fn wait(&self, timeout_ms: u16) -> Result<bool, Fatal> {
        let mut fds: Vec<PollFd<'_>> = self
            .sockets
            .iter()
            .map(|bound| PollFd::new(bound.socket.as_fd(), PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, timeout_ms) {
            Ok(ready) => Ok(ready > 0),
            Err(Errno::EINTR) => Ok(false),
            Err(err) => Err(Fatal::runtime(format!(
                "cannot wait for UDP datagrams: {err}"
            ))),
        }
    }

    fn try_recv(&mut self, index: usize) -> Result<Option<Frame>, Fatal> {
        let Some(bound) = self.sockets.get_mut(index) else {
            return Ok(None);
        };
        let mut iov = [IoSliceMut::new(&mut self.buf)];
        let received = socket::recvmsg::<SockaddrStorage>(
            bound.socket.as_raw_fd(),
            &mut iov,
            Some(&mut self.cmsg),
            MsgFlags::MSG_DONTWAIT,
        );
        let msg = match received {
            Ok(msg) => msg,
            Err(Errno::EAGAIN | Errno::EINTR) => return Ok(None),
            Err(err) => {
                return Err(Fatal::runtime(format!(
                    "cannot read UDP port {}: {}",
                    bound.port,
                    describe(&io::Error::from(err))
                )))
            }
        };
        let (ts_ns, counter) = match msg.cmsgs() {
            Ok(cmsgs) => receive_metadata(cmsgs),
            Err(_) => (None, None),
        };
        let device = msg.address.as_ref().and_then(sender).map(canonical);
        let len = msg.bytes;
        let drops = bound.drops.update(counter);
        let Some(device) = device else {
            return Ok(None);
        };
        let bytes = self.buf.get(..len).unwrap_or_default().to_vec();
        Ok(Some(Frame {
            ts_ns: ts_ns.unwrap_or_else(now_ns),
            device,
            port: bound.port,
            bytes,
            drops,
        }))
    }
}

fn sender(addr: &SockaddrStorage) -> Option<IpAddr> {
    if let Some(v6) = addr.as_sockaddr_in6() {
        return Some(IpAddr::V6(v6.ip()));
    }
    addr.as_sockaddr_in().map(|v4| IpAddr::V4(v4.ip()))
}

fn bind_one(addr: SocketAddr, device: Option<&str>) -> Result<Socket, Fatal> {
    let shown = match addr {
        SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
        SocketAddr::V4(v4) => v4.to_string(),
    };
    let setup = |what: &str, err: io::Error| {
        Fatal::input(format!(
            "cannot set up UDP socket for {shown}: {what}: {}",
            describe(&err)
        ))
    };
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .map_err(|err| setup("socket", err))?;
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        socket
            .set_only_v6(false)
            .map_err(|err| setup("dual-stack", err))?;
    }
    // A smaller buffer than asked for is fine (capped by net.core.rmem_max).
    let _ = socket.set_recv_buffer_size(RECV_BUFFER);
    if let Some(name) = device {
        socket.bind_device(Some(name.as_bytes())).map_err(|err| {
            Fatal::input(format!(
                "cannot bind UDP socket to interface {name}: {}; check the name with 'ip link' or run as root",
                describe(&err)
            ))
        })?;
    }
    socket.bind(&addr.into()).map_err(|err| {
        let fix = match err.kind() {
            io::ErrorKind::AddrInUse => "pass -p to choose another port",
            io::ErrorKind::PermissionDenied => "choose a port above 1023 or run as root",
            _ => "pass --listen with an address of this host",
        };
        Fatal::input(format!("cannot bind {shown}: {}; {fix}", describe(&err)))
    })?;
    socket
        .set_nonblocking(true)
        .map_err(|err| setup("non-blocking", err))?;
    socket::setsockopt(&socket, sockopt::ReceiveTimestampns, &true)
        .map_err(|err| setup("SO_TIMESTAMPNS", io::Error::from(err)))?;
    // Drop counting is a bonus; old kernels lack it.
    let _ = socket::setsockopt(&socket, sockopt::RxqOvfl, &1);
    Ok(socket)
}
