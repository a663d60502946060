//! The stream sink on Zephyr: the ring the capture path copies into
//! (`crate::capture::sink::stream`), the transport it drains to (a UART or
//! the application's callback), and the drain thread's loop, which
//! glue_sink.c's thread runs.
//!
//! One transport at a time. Switching stops the stream sink first, so the
//! drain can empty the ring into the old transport and end it with a
//! stats record; the drain then starts the new one (a fresh numbering and
//! a hello) and only then switches the devices back to the stream sink.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, Ordering};

use super::bindings as sys;
use super::data::ZephyrStack;
use super::sync::SpinLock;
use super::CAPTURES;
use crate::capture::sink::stream::{SinkState, StreamSink};
use crate::capture::sink::{Clock, SinkKind};
use crate::capture::Lock;
use crate::errno::{Errno, Result};
use crate::log::{Level, Logger};
use crate::wire::stream::{FrameEncoder, PacketRepr, Record, RESYNC};

/// `CONFIG_NET_CAPTURE_RS_SINK_RING_SIZE`.
pub(crate) const RING_SIZE: usize = sys::CONFIG_NET_CAPTURE_RS_SINK_RING_SIZE as usize;
/// `CONFIG_NET_CAPTURE_RS_SINK_RECORD_MAX`: the drain's record buffer.
const RECORD_MAX: usize = sys::CONFIG_NET_CAPTURE_RS_SINK_RECORD_MAX as usize;
/// The spec asks for a stats record about once a second.
const STATS_INTERVAL_NS: u64 = 1_000_000_000;
/// How long the drain sleeps when the ring is empty: the capture path
/// does not wake it (that would cost every capture a semaphore give).
const IDLE_POLL_MS: i32 = 5;

/// Device time from the kernel's uptime.
pub(crate) struct ZephyrClock;

impl Clock for ZephyrClock {
    fn now_ns(&self) -> u64 {
        // SAFETY: no preconditions; callable from any context.
        unsafe { sys::net_capture_rs_now_ns() }
    }
}

/// The stream sink of this image.
pub(crate) static SINK: StreamSink<ZephyrStack, ZephyrClock, RING_SIZE, RECORD_MAX> =
    StreamSink::new(SpinLock::new(SinkState::new()), ZephyrClock);

/// `struct net_capture_rs_record`: one capture as the callback sink hands
/// it to the application (the fields of a packet record of the capture
/// stream, docs/stream-format.md section 3.3).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SinkRecord {
    /// Capture device index (`NET_CAPTURE<device>`).
    pub device: u8,
    /// 0 unknown, 1 received by the device, 2 sent by the device.
    pub direction: u8,
    /// pcap `LINKTYPE_*` of `data`: 1 Ethernet, 101 raw IP, 113 SLL,
    /// 276 SLL2, 230 IEEE 802.15.4 without FCS, 9 PPP, 147 unknown.
    pub link_type: u16,
    /// 1-based network interface index; 0 unknown.
    pub ifindex: u16,
    /// Packet records the sink dropped (ring full) since the previous one.
    pub lost: u32,
    /// Per-sink number of this record; dropped records take numbers too.
    pub sequence: u32,
    /// Nanoseconds since boot when the frame was captured.
    pub timestamp_ns: u64,
    /// Length of the frame; `len` is smaller when it was cut.
    pub orig_len: u32,
    /// The captured bytes, valid only during the call.
    pub data: *const u8,
    /// Number of captured bytes.
    pub len: usize,
}

/// `net_capture_rs_sink_cb`.
pub(crate) type Callback = unsafe extern "C" fn(record: *const SinkRecord, user_data: *mut c_void);

/// Where the drain sends records.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Transport {
    /// Nowhere: the devices use the tunnel.
    Off,
    /// A UART, as the capture stream.
    #[cfg_attr(not(CONFIG_NET_CAPTURE_RS_SINK_UART), allow(dead_code))]
    Uart(*const sys::device),
    /// The application's callback, packet records only.
    #[cfg_attr(not(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK), allow(dead_code))]
    Callback(Callback, *mut c_void),
}

struct Selected {
    transport: Transport,
    /// Bumped at every change, so the drain sees a re-selection of the
    /// same transport as a restart.
    generation: u32,
}

// SAFETY: a UART pointer names a static device object; a callback and its
// user data are the application's promise (net_capture_rs_sink_register's
// documentation) that they may be used from the drain thread.
unsafe impl Send for Selected {}

static SELECTED: SpinLock<Selected> = SpinLock::new(Selected {
    transport: Transport::Off,
    generation: 0,
});

/// Selects `transport`; the drain starts it. `ENOENT` for a UART that is
/// absent (NULL and no chosen `zephyr,capture-uart`) or not ready.
pub(crate) fn select(transport: Transport) -> Result<()> {
    let transport = match transport {
        Transport::Uart(uart) => Transport::Uart(uart_or_default(uart)?),
        other => other,
    };
    // Stop the stream sink until the drain has started the new transport.
    CAPTURES.set_sink(SinkKind::Tunnel)?;
    {
        let mut selected = SELECTED.lock();
        selected.transport = transport;
        selected.generation = selected.generation.wrapping_add(1);
    }
    // SAFETY: no preconditions.
    unsafe { sys::net_capture_rs_sink_wake() };
    Ok(())
}

/// The selected transport.
pub(crate) fn selected() -> Transport {
    SELECTED.lock().transport
}

fn uart_or_default(uart: *const sys::device) -> Result<*const sys::device> {
    let uart = if uart.is_null() {
        // SAFETY: a const pointer defined by glue_sink.c.
        unsafe { sys::net_capture_rs_sink_uart_default }
    } else {
        uart
    };
    if uart.is_null() {
        CAPTURES.stack().log(
            Level::Error,
            c"No UART for the capture stream: name one, or choose zephyr,capture-uart in the devicetree",
            &[],
        );
        return Err(Errno::NoEnt);
    }
    // SAFETY: a device pointer from the caller (device_get_binding, the
    // shell) or the devicetree; device_is_ready only reads its state.
    if !unsafe { sys::net_capture_rs_device_ready(uart) } {
        CAPTURES.stack().log(
            Level::Error,
            c"UART for the capture stream is not ready",
            &[],
        );
        return Err(Errno::NoEnt);
    }
    Ok(uart)
}

/// The drain's record buffer: used by the one drain thread only.
struct DrainBuffer(UnsafeCell<[u8; RECORD_MAX]>);

// SAFETY: only `run` touches the buffer, and `TAKEN` lets one call of it
// do so.
unsafe impl Sync for DrainBuffer {}

static BUFFER: DrainBuffer = DrainBuffer(UnsafeCell::new([0; RECORD_MAX]));
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The drain thread's loop; returns at once if a thread already runs it.
pub(crate) fn run() {
    if TAKEN.swap(true, Ordering::Acquire) {
        return;
    }
    // SAFETY: `TAKEN` makes this the only reference, for ever.
    let buf = unsafe { &mut *BUFFER.0.get() };
    let mut current = Transport::Off;
    let mut generation = 0u32;
    let mut next_stats = 0u64;
    loop {
        let (wanted, wanted_generation) = {
            let selected = SELECTED.lock();
            (selected.transport, selected.generation)
        };
        if wanted_generation != generation {
            if !matches!(current, Transport::Off) {
                // The stream sink is off (select): this ends.
                while let Some(record) = SINK.pop(buf) {
                    send_packet(current, record);
                }
                send_stats(current, buf);
            }
            current = wanted;
            generation = wanted_generation;
            if !matches!(current, Transport::Off) {
                // SAFETY: a NUL-terminated constant of glue_sink.c.
                let text =
                    unsafe { core::ffi::CStr::from_ptr(sys::net_capture_rs_sink_hello.as_ptr()) };
                let len = SINK.start(text.to_bytes(), buf);
                write_raw(current, &[RESYNC]);
                send_frame(current, buf.get(..len).unwrap_or_default());
                let _ = CAPTURES.set_sink(SinkKind::Stream);
                next_stats = ZephyrClock.now_ns().saturating_add(STATS_INTERVAL_NS);
            }
        }
        if matches!(current, Transport::Off) {
            // SAFETY: no preconditions.
            unsafe { sys::net_capture_rs_sink_wait(-1) };
            continue;
        }
        while let Some(record) = SINK.pop(buf) {
            send_packet(current, record);
            if SELECTED.lock().generation != generation {
                break;
            }
        }
        if ZephyrClock.now_ns() >= next_stats {
            send_stats(current, buf);
            next_stats = ZephyrClock.now_ns().saturating_add(STATS_INTERVAL_NS);
        }
        if SINK.is_empty() {
            // SAFETY: no preconditions.
            unsafe { sys::net_capture_rs_sink_wait(IDLE_POLL_MS) };
        }
    }
}

fn send_stats(transport: Transport, buf: &mut [u8]) {
    let len = SINK.stats_record(buf);
    send_frame(transport, buf.get(..len).unwrap_or_default());
}

/// A packet record to `transport`, counted as sent.
fn send_packet(transport: Transport, record: &[u8]) {
    match transport {
        Transport::Off => return,
        Transport::Uart(_) => send_frame(transport, record),
        Transport::Callback(callback, user_data) => call(callback, user_data, record),
    }
    SINK.sent();
}

/// A record of any kind as a stream frame (UART only).
fn send_frame(transport: Transport, record: &[u8]) {
    if !matches!(transport, Transport::Uart(_)) || record.is_empty() {
        return;
    }
    let mut encoder = FrameEncoder::new(record, &[]);
    let mut chunk = [0u8; 64];
    loop {
        let n = encoder.fill(&mut chunk);
        if n == 0 {
            break;
        }
        write_raw(transport, chunk.get(..n).unwrap_or_default());
    }
}

fn write_raw(transport: Transport, bytes: &[u8]) {
    if let Transport::Uart(uart) = transport {
        // SAFETY: `uart` was ready when selected (a static device); the
        // bytes are readable for their length.
        unsafe { sys::net_capture_rs_uart_write(uart, bytes.as_ptr(), bytes.len()) };
    }
}

fn call(callback: Callback, user_data: *mut c_void, record: &[u8]) {
    let Ok(view) = Record::new_checked(record) else {
        return;
    };
    let Ok(repr) = PacketRepr::parse(&view) else {
        return;
    };
    let data = view.captured();
    let record = SinkRecord {
        device: repr.device,
        direction: repr.direction.flags(),
        link_type: repr.link_type,
        ifindex: repr.ifindex,
        lost: repr.lost,
        sequence: repr.sequence,
        timestamp_ns: repr.timestamp_ns,
        orig_len: repr.orig_len,
        data: data.as_ptr(),
        len: data.len(),
    };
    // SAFETY: the application registered the callback for this thread
    // with `user_data`; the record and its bytes live during the call.
    unsafe { callback(&record, user_data) };
}
