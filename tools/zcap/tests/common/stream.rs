//! Capture streams as a device sends them over its UART, built with the
//! device library's own encoder, and the pseudo-terminals that carry them.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use zephyr_net_capture::wire::stream::{
    max_frame_len, Direction, FrameEncoder, HelloRepr, PacketRepr, StatsRepr, PACKET_HEADER_LEN,
    RESYNC,
};

/// One captured frame as the device records it.
#[derive(Clone, Debug)]
pub struct Captured {
    pub device: u8,
    pub ifindex: u16,
    pub link_type: u16,
    pub direction: Direction,
    pub sequence: u32,
    pub lost: u32,
    pub ts_ns: u64,
    pub orig_len: u32,
    pub data: Vec<u8>,
}

/// The frame of `record`, split where a ring buffer could have wrapped.
pub fn frame(record: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; max_frame_len(record.len())];
    let (first, second) = record.split_at(record.len() / 3);
    let mut encoder = FrameEncoder::new(first, second);
    let mut len = 0;
    // A few bytes at a time, as a UART driver's FIFO takes them.
    loop {
        let end = (len + 16).min(out.len());
        let n = encoder.fill(&mut out[len..end]);
        if n == 0 {
            break;
        }
        len += n;
    }
    out.truncate(len);
    out
}

/// The frame of a packet record.
pub fn packet_frame(captured: &Captured) -> Vec<u8> {
    let mut record = vec![0u8; PACKET_HEADER_LEN];
    PacketRepr {
        device: captured.device,
        direction: captured.direction,
        sequence: captured.sequence,
        timestamp_ns: captured.ts_ns,
        link_type: captured.link_type,
        ifindex: captured.ifindex,
        orig_len: captured.orig_len,
        lost: captured.lost,
    }
    .emit(&mut record)
    .expect("header fits");
    record.extend_from_slice(&captured.data);
    frame(&record)
}

/// The start of a stream: the resync delimiter, then a hello.
pub fn hello_frames(sequence: u32, ts_ns: u64, text: &str) -> Vec<u8> {
    let repr = HelloRepr {
        sequence,
        timestamp_ns: ts_ns,
        ring_capacity: 8192,
        text: text.as_bytes(),
    };
    let mut record = vec![0u8; repr.buffer_len()];
    repr.emit(&mut record).expect("hello fits");
    let mut bytes = vec![RESYNC];
    bytes.extend(frame(&record));
    bytes
}

/// The frame of a stats record.
pub fn stats_frame(sequence: u32, ts_ns: u64, sent: u32, lost_full: u32) -> Vec<u8> {
    let mut record = vec![0u8; StatsRepr::LEN];
    StatsRepr {
        sequence,
        timestamp_ns: ts_ns,
        sent,
        lost_full,
        lost_too_big: 0,
        lost_other: 0,
    }
    .emit(&mut record)
    .expect("stats fit");
    frame(&record)
}

/// A pseudo-terminal: the test writes into the master side, zcap reads the
/// other side by its path. The terminal is left in its default (cooked)
/// mode, so only zcap's raw mode keeps the bytes intact.
pub struct Pty {
    pub master: File,
    pub path: PathBuf,
    _slave: OwnedFd,
}

impl Pty {
    pub fn open() -> Pty {
        let pty = nix::pty::openpty(None, None).expect("openpty");
        let path = nix::unistd::ttyname(&pty.slave).expect("ttyname");
        Pty {
            master: File::from(pty.master),
            path,
            _slave: pty.slave,
        }
    }
}
