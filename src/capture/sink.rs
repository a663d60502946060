//! Where captures go. The IP tunnel is the default and the only sink of
//! builds without another; a build may add a [`PacketSink`] (the stream
//! sink of [`stream`], drained to a UART or a C callback on Zephyr) and
//! switch the devices to it at run time. Filter, snap length, counting and
//! the feedback check happen before the dispatch, the same for every sink.

pub mod ring;
pub mod stream;

use core::sync::atomic::Ordering;

use crate::wire::feedback::Link;
use crate::wire::sll;
use crate::wire::stream::Direction as StreamDirection;

use super::device::Route;
use super::hotpath::Source;
use super::payload::Payload;
use super::platform::{DataPlane, Direction, Frame};
use super::Captures;
use crate::errno::{Errno, Result};
use crate::filter::LinkType;

/// Why a sink dropped a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkLoss {
    /// No room: the drain has not caught up.
    Full,
    /// Larger than the sink could ever hold.
    TooBig,
    /// Anything else.
    Other,
}

/// What a packet record says about a capture, besides its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketMeta {
    /// Capture device index.
    pub device: u8,
    /// Received or sent by the device.
    pub direction: StreamDirection,
    /// pcap LINKTYPE_* of the captured bytes.
    pub link_type: u16,
    /// 1-based interface index; 0 unknown.
    pub ifindex: u16,
    /// Length of the whole frame, before any snap length.
    pub orig_len: u32,
}

/// A destination for captures other than the tunnel. Called on the
/// capture path, possibly in interrupt context: must copy and return,
/// never wait.
pub trait PacketSink<F: Frame + ?Sized>: Sync {
    /// Takes the first `len` bytes of `payload` (the rest is cut by a
    /// snap length; `meta.orig_len` is the whole).
    fn put(
        &self,
        meta: &PacketMeta,
        payload: &Payload<'_, F>,
        len: usize,
    ) -> core::result::Result<(), SinkLoss>;
}

/// The device's clock, for record timestamps.
pub trait Clock: Sync {
    /// Nanoseconds since boot; never goes back.
    fn now_ns(&self) -> u64;
}

/// Which sink the devices use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// Tunnel packets (the default).
    Tunnel,
    /// The build's other sink.
    Stream,
}

/// pcap link types of packet records.
pub mod linktype {
    /// LINKTYPE_ETHERNET.
    pub const ETHERNET: u16 = 1;
    /// LINKTYPE_PPP: the protocol field, then the packet (Zephyr's PPP L2
    /// hands capture no address and control bytes; pcap allows that).
    pub const PPP: u16 = 9;
    /// LINKTYPE_RAW: an IPv4 or IPv6 packet.
    pub const RAW: u16 = 101;
    /// LINKTYPE_LINUX_SLL.
    pub const LINUX_SLL: u16 = 113;
    /// LINKTYPE_USER0: a link layer capture cannot name.
    pub const USER0: u16 = 147;
    /// LINKTYPE_IEEE802_15_4_NOFCS: Zephyr's 802.15.4 drivers strip the
    /// FCS before the stack (and so capture) sees a frame.
    pub const IEEE802_15_4_NOFCS: u16 = 230;
    /// LINKTYPE_LINUX_SLL2.
    pub const LINUX_SLL2: u16 = 276;
}

/// The link type of captures of `source` through a route of `link`.
pub(crate) fn record_linktype(source: Source, link: Link) -> u16 {
    match source {
        Source::Cooked(LinkType::Sll2) => linktype::LINUX_SLL2,
        Source::Cooked(_) => linktype::LINUX_SLL,
        Source::Packet => match link {
            Link::Ethernet => linktype::ETHERNET,
            Link::RawIp => linktype::RAW,
            Link::Ppp => linktype::PPP,
            Link::Ieee802154 => linktype::IEEE802_15_4_NOFCS,
            Link::Other => linktype::USER0,
        },
    }
}

// SLL headers carry their own numbers; keep them tied to the wire module.
const _: () = assert!(sll::LINKTYPE_LINUX_SLL == linktype::LINUX_SLL as u32);
const _: () = assert!(sll::LINKTYPE_LINUX_SLL2 == linktype::LINUX_SLL2 as u32);

/// The stream direction of a capture point's direction.
pub(crate) fn stream_direction(direction: Direction) -> StreamDirection {
    match direction {
        Direction::Unknown => StreamDirection::Unknown,
        Direction::In => StreamDirection::Inbound,
        Direction::Out => StreamDirection::Outbound,
    }
}

impl<S: DataPlane, const N: usize> Captures<S, N> {
    /// Switches every device to `kind`; `ENOTSUP` for a stream sink in a
    /// build without one. Captures already past the dispatch finish where
    /// they started.
    pub fn set_sink(&self, kind: SinkKind) -> Result<()> {
        match kind {
            SinkKind::Stream if self.sink.is_none() => Err(Errno::NotSup),
            _ => {
                self.stream
                    .store(kind == SinkKind::Stream, Ordering::Release);
                Ok(())
            }
        }
    }

    /// The sink the devices use.
    pub fn sink_kind(&self) -> SinkKind {
        if self.stream_sink().is_some() {
            SinkKind::Stream
        } else {
            SinkKind::Tunnel
        }
    }

    /// Hands the first `len` bytes of `payload`, seen on `iface` through
    /// `route`, to the stream sink as a packet record.
    #[inline(never)]
    pub(crate) fn to_sink(
        &self,
        sink: &dyn PacketSink<S::Frame>,
        iface: S::Iface,
        route: &Route<S::Iface>,
        payload: &Payload<'_, S::Frame>,
        (source, direction): (Source, Direction),
        len: usize,
    ) -> core::result::Result<(), SinkLoss> {
        let meta = PacketMeta {
            device: u8::try_from(route.device).unwrap_or(u8::MAX),
            direction: stream_direction(direction),
            link_type: record_linktype(source, route.link),
            ifindex: self
                .stack
                .iface_index(iface)
                .and_then(|index| u16::try_from(index).ok())
                .unwrap_or(0),
            orig_len: u32::try_from(payload.len()).unwrap_or(u32::MAX),
        };
        sink.put(&meta, payload, len)
    }

    /// The other sink, when it is the one in use.
    #[inline]
    pub(crate) fn stream_sink(&self) -> Option<&'static dyn PacketSink<S::Frame>> {
        if self.stream.load(Ordering::Acquire) {
            self.sink
        } else {
            None
        }
    }
}
