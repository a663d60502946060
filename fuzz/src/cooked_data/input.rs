//! What the fuzzer generates: link types, contexts, packet types and the
//! calls to make on the cooked sample's topology.

use arbitrary::Arbitrary;
use fake_stack::Op as FailOp;
use zephyr_net_capture::cooked::CookedContext;

use crate::capture_state::{Mtu, Text};

pub(super) const DEVICES: usize = 2;
/// `CONFIG_NET_CAPTURE_COOKED_MODE_MAX_LINK_TYPES`.
pub(super) const MAX_TYPES: usize = 3;
pub(super) const MAX_OPS: usize = 48;
pub(super) const COOKED: u8 = 2;
pub(super) const IFACES: u8 = 4;

/// A protocol type: one the sample uses, or any.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Ptype {
    Known(u8),
    Any(u16),
}

impl Ptype {
    pub fn value(self) -> u16 {
        const KNOWN: [u16; 4] = [0x000c, 0x0019, 0x0800, 0x86dd];
        match self {
            Ptype::Known(i) => KNOWN[usize::from(i) % KNOWN.len()],
            Ptype::Any(value) => value,
        }
    }
}

/// A packet type: 0..=4 as the API documents, or any `u32`.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Pkttype {
    Known(u8),
    Any(u32),
}

impl Pkttype {
    pub(super) fn value(self) -> u32 {
        match self {
            Pkttype::Known(i) => u32::from(i % 5),
            Pkttype::Any(value) => value,
        }
    }
}

/// The caller's context: missing (NULL), as `net_capture_cooked_setup()`
/// builds it, or a statically built one with any length.
#[derive(Arbitrary, Clone, Debug)]
pub enum Context {
    Null,
    Setup {
        hatype: u16,
        halen: u8,
        addr: [u8; 8],
    },
    Static {
        hatype: u16,
        halen: u16,
        addr: [u8; 8],
    },
}

impl Context {
    pub(super) fn get(&self) -> Option<CookedContext> {
        match *self {
            Context::Null => None,
            Context::Setup {
                hatype,
                halen,
                addr,
            } => {
                let built = CookedContext::new(hatype, u16::from(halen), &addr);
                assert_eq!(built.is_ok(), (1..=8).contains(&halen));
                built.ok()
            }
            Context::Static {
                hatype,
                halen,
                addr,
            } => Some(CookedContext {
                hatype,
                halen,
                addr,
            }),
        }
    }
}

#[derive(Arbitrary, Clone, Debug)]
pub enum Op {
    LinkTypes {
        count: i8,
        types: Vec<u16>,
    },
    Data {
        ctx: Context,
        data: Option<Vec<u8>>,
        pkttype: Pkttype,
        ptype: Ptype,
    },
    /// Data of `len` bytes, for sizes past the tunnel MTU.
    BigData {
        len: u16,
        pkttype: Pkttype,
        ptype: Ptype,
    },
    Recv {
        ll_proto: Ptype,
        bytes: Vec<u8>,
        chunk: u8,
    },
    /// The cooked interface's up flag in the stack.
    Up(bool),
    Started(bool),
    Init(u8),
    Setup {
        remote: Text,
        local: Text,
        peer: Text,
    },
    Enable {
        device: u8,
        iface: u8,
    },
    Disable(u8),
    Cleanup(u8),
    Fail {
        op: FailOp,
        count: u8,
    },
    /// Stops (true) or restarts the system work queue. Was `InIsr`:
    /// same encoding, so recorded inputs still decode.
    HoldQueue(bool),
    Truncate(bool),
}

#[derive(Arbitrary, Clone, Debug)]
pub struct Script {
    /// Start from the cooked sample's state (interface initialised and up,
    /// device 0 capturing it, CAN and HDLC selected) instead of from
    /// nothing, so short inputs reach the data path.
    pub sample: bool,
    pub v2: bool,
    pub eth_mtu: Mtu,
    pub ops: Vec<Op>,
}
