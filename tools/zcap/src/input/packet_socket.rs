//! Tunnel-less input: a packet socket (AF_PACKET, needs CAP_NET_RAW) on the
//! interface that carries the capture tunnel, such as the `zeth` TAP. The
//! socket is `SOCK_DGRAM`, so the kernel strips the link header whatever
//! the interface type and hands over the outer IP packet.

use std::io::{self, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::net::if_::if_nametoindex;
use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::socket::{
    self, sockopt, AddressFamily, LinkAddr, MsgFlags, SockFlag, SockProtocol, SockType,
};

use super::{now_ns, receive_metadata, DropCounter};
use crate::error::{describe, Fatal};

/// `sll_pkttype` of frames this host sent; on loopback each packet is seen
/// once outgoing and once incoming, so only the incoming copy is kept.
const PACKET_OUTGOING: u8 = 4;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;
const MAX_PACKET: usize = 65_535;

/// An outer IP packet seen on the interface.
pub struct WirePacket {
    /// Kernel receive time, nanoseconds since 1970.
    pub ts_ns: u64,
    /// Packets the socket dropped since the previous one.
    pub drops: u64,
    /// The outer IP packet.
    pub bytes: Vec<u8>,
}

/// A packet socket on one interface.
pub struct PacketSocket {
    fd: OwnedFd,
    ifindex: usize,
    drops: DropCounter,
    buf: Vec<u8>,
    cmsg: Vec<u8>,
}

impl PacketSocket {
    /// Opens a packet socket that reads IP packets arriving on `interface`.
    pub fn open(interface: &str) -> Result<PacketSocket, Fatal> {
        let ifindex = if_nametoindex(interface).map_err(|err| {
            Fatal::input(format!(
                "cannot find interface {interface}: {}; check the name with 'ip link'",
                describe(&io::Error::from(err))
            ))
        })?;
        let fd = socket::socket(
            AddressFamily::Packet,
            SockType::Datagram,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            SockProtocol::EthAll,
        )
        .map_err(|err| {
            let fix = if matches!(err, Errno::EPERM | Errno::EACCES) {
                "run as root or grant the capability: sudo setcap cap_net_raw+ep $(command -v zcap)"
            } else {
                "this kernel must support AF_PACKET sockets"
            };
            Fatal::input(format!(
                "cannot open a packet socket on {interface}: {}; {fix}",
                describe(&io::Error::from(err))
            ))
        })?;
        let setup = |what: &str, err: Errno| {
            Fatal::input(format!(
                "cannot set up the packet socket on {interface}: {what}: {}",
                describe(&io::Error::from(err))
            ))
        };
        socket::setsockopt(&fd, sockopt::ReceiveTimestampns, &true)
            .map_err(|err| setup("SO_TIMESTAMPNS", err))?;
        let _ = socket::setsockopt(&fd, sockopt::RxqOvfl, &1);
        let _ = socket::setsockopt(&fd, sockopt::RcvBuf, &(8 << 20));
        Ok(PacketSocket {
            fd,
            ifindex: usize::try_from(ifindex).unwrap_or(usize::MAX),
            drops: DropCounter::default(),
            buf: vec![0u8; MAX_PACKET],
            cmsg: nix::cmsg_space!(nix::sys::time::TimeSpec, u32),
        })
    }

    /// The next IP packet received on the interface, waiting up to
    /// `timeout_ms`; `None` on timeout.
    pub fn recv(&mut self, timeout_ms: u16) -> Result<Option<WirePacket>, Fatal> {
        for attempt in 0..2 {
            // Drain what is queued before sleeping again.
            loop {
                match self.try_recv()? {
                    Received::Packet(packet) => return Ok(Some(packet)),
                    Received::Skipped => continue,
                    Received::Nothing => break,
                }
            }
            if attempt == 0 && !self.wait(timeout_ms)? {
                break;
            }
        }
        Ok(None)
    }

    fn wait(&self, timeout_ms: u16) -> Result<bool, Fatal> {
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout_ms) {
            Ok(ready) => Ok(ready > 0),
            Err(Errno::EINTR) => Ok(false),
            Err(err) => Err(Fatal::runtime(format!("cannot wait for packets: {err}"))),
        }
    }

    fn try_recv(&mut self) -> Result<Received, Fatal> {
        let mut iov = [IoSliceMut::new(&mut self.buf)];
        let received = socket::recvmsg::<LinkAddr>(
            self.fd.as_raw_fd(),
            &mut iov,
            Some(&mut self.cmsg),
            MsgFlags::MSG_DONTWAIT,
        );
        let msg = match received {
            Ok(msg) => msg,
            Err(Errno::EAGAIN | Errno::EINTR) => return Ok(Received::Nothing),
            Err(err) => {
                return Err(Fatal::runtime(format!(
                    "cannot read the packet socket: {}",
                    describe(&io::Error::from(err))
                )))
            }
        };
        let (ts_ns, counter) = match msg.cmsgs() {
            Ok(cmsgs) => receive_metadata(cmsgs),
            Err(_) => (None, None),
        };
        let drops = self.drops.update(counter);
        let len = msg.bytes;
        let wanted = msg.address.as_ref().is_some_and(|addr| {
            let protocol = u16::from_be(addr.protocol());
            addr.ifindex() == self.ifindex
                && addr.pkttype() != PACKET_OUTGOING
                && (protocol == ETH_P_IP || protocol == ETH_P_IPV6)
        });
        if !wanted {
            return Ok(Received::Skipped);
        }
        Ok(Received::Packet(WirePacket {
            ts_ns: ts_ns.unwrap_or_else(now_ns),
            drops,
            bytes: self.buf.get(..len).unwrap_or_default().to_vec(),
        }))
    }
}

enum Received {
    Packet(WirePacket),
    Skipped,
    Nothing,
}
