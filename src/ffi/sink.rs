//! The stream sink's C API (`CONFIG_NET_CAPTURE_RS_SINK`): choosing where
//! captures go, reading the sink's counters, and the callback sink.
//! Declared in `net_capture_rs.h`; the shell's `net capture_rs sink`
//! commands use them.

use core::ffi::c_int;

use crate::capture::sink::SinkKind;
use crate::errno::Errno;
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)]
use crate::log::{Level, Logger};
use crate::zephyr::bindings as sys;
use crate::zephyr::errno::{status, to_c as errno_to_c};
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)]
use crate::zephyr::sink::SinkRecord;
use crate::zephyr::sink::{self, Transport, RING_SIZE, SINK};
use crate::zephyr::CAPTURES;
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)]
use core::ffi::c_void;

/// What `net_capture_rs_sink_status()` reports
/// (`struct net_capture_rs_sink_status`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SinkStatus {
    /// Where captures go: 0 the IP tunnel, 1 a UART, 2 a callback.
    pub transport: u8,
    /// Whether the capture devices write into the stream sink now: set
    /// once the drain thread started the transport (after its hello).
    pub streaming: bool,
    /// The UART, when `transport` is 1; NULL otherwise.
    pub uart: *const sys::device,
    /// Size of the ring buffer in bytes.
    pub ring_size: u32,
    /// Bytes waiting in it.
    pub ring_used: u32,
    /// Sequence number of the next packet record.
    pub next_sequence: u32,
    /// Packet records handed to the transport since the sink started.
    pub sent: u32,
    /// Dropped because the ring was full.
    pub lost_full: u32,
    /// Dropped because larger than the whole ring.
    pub lost_too_big: u32,
    /// Dropped otherwise.
    pub lost_other: u32,
}

/// The application's record callback (`net_capture_rs_sink_cb`): called
/// from the sink's drain thread with each capture, in sequence order;
/// `record` and its bytes are valid only during the call.
#[allow(non_camel_case_types)]
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)]
pub type net_capture_rs_sink_cb =
    Option<unsafe extern "C" fn(record: *const SinkRecord, user_data: *mut c_void)>;

/// The drain thread's body (glue_sink.c's thread calls it); never
/// returns, except when called a second time.
#[no_mangle]
pub extern "C" fn net_capture_rs_sink_thread() {
    sink::run();
}

/// `int net_capture_rs_sink_uart(const struct device *uart)`: sends
/// captures over `uart` as the capture stream (docs/stream-format.md)
/// instead of the IP tunnel; NULL picks the devicetree's chosen
/// `zephyr,capture-uart`. `-ENOENT` (and a log line) when there is no
/// such UART or it is not ready.
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_UART)]
#[no_mangle]
pub extern "C" fn net_capture_rs_sink_uart(uart: *const sys::device) -> c_int {
    status(sink::select(Transport::Uart(uart)))
}

/// `int net_capture_rs_sink_tunnel(void)`: captures go into the IP tunnel
/// again (the default). Records waiting in the ring still go out, then a
/// last stats record.
#[no_mangle]
pub extern "C" fn net_capture_rs_sink_tunnel() -> c_int {
    status(sink::select(Transport::Off))
}

/// `int net_capture_rs_sink_status(struct net_capture_rs_sink_status
/// *status)`: where captures go and the stream sink's counters.
/// `-EINVAL` for NULL.
///
/// # Safety
/// `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn net_capture_rs_sink_status(out: *mut SinkStatus) -> c_int {
    if out.is_null() {
        return errno_to_c(Errno::Inval);
    }
    let counters = SINK.counters();
    let (transport, uart) = match sink::selected() {
        Transport::Off => (0, core::ptr::null()),
        Transport::Uart(uart) => (1, uart),
        Transport::Callback(..) => (2, core::ptr::null()),
    };
    let status = SinkStatus {
        transport,
        streaming: CAPTURES.sink_kind() == SinkKind::Stream,
        uart,
        ring_size: u32::try_from(RING_SIZE).unwrap_or(u32::MAX),
        ring_used: counters.ring_used,
        next_sequence: counters.next_seq,
        sent: counters.sent,
        lost_full: counters.lost_full,
        lost_too_big: counters.lost_too_big,
        lost_other: counters.lost_other,
    };
    // SAFETY: non-NULL and writable (contract).
    unsafe { out.write(status) };
    0
}

/// `int net_capture_rs_sink_register(net_capture_rs_sink_cb cb,
/// void *user_data)`: hands every capture to `cb` instead of the IP
/// tunnel (or the UART), from the sink's drain thread, which
/// `CONFIG_NET_CAPTURE_RS_SINK_THREAD_STACK_SIZE`/`_PRIORITY` configure.
/// The callback may take its time (the ring buffer absorbs the
/// difference, and overflows are counted in `record->lost`), but it
/// delays every later record. `-EINVAL` for NULL. A capture device must
/// still be set up and enabled (`net_capture_setup()`,
/// `net_capture_enable()`); the callback replaces its tunnel (or the
/// UART sink), for every device, until `net_capture_rs_sink_unregister()`.
///
/// ```c
/// static void on_record(const struct net_capture_rs_record *record, void *user_data)
/// {
///         uint32_t *count = user_data;
///
///         *count += 1;
///         printk("#%u if%u %s %zu/%u bytes, %u lost before\n", record->sequence,
///                record->ifindex, record->direction == 1 ? "in" : "out", record->len,
///                record->orig_len, record->lost);
/// }
///
/// static uint32_t count;
///
/// net_capture_setup("192.0.2.2", "2001:db8:200::1", "2001:db8:200::2", &dev);
/// net_capture_enable(dev, net_if_get_default());
/// net_capture_rs_sink_register(on_record, &count);
/// ```
///
/// See `samples/capture_callback`.
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)]
#[no_mangle]
pub extern "C" fn net_capture_rs_sink_register(
    cb: net_capture_rs_sink_cb,
    user_data: *mut c_void,
) -> c_int {
    let Some(cb) = cb else {
        CAPTURES.stack().log(
            Level::Error,
            c"net_capture_rs_sink_register: NULL callback",
            &[],
        );
        return errno_to_c(Errno::Inval);
    };
    status(sink::select(Transport::Callback(cb, user_data)))
}

/// `int net_capture_rs_sink_unregister(net_capture_rs_sink_cb cb)`:
/// captures go into the IP tunnel again. Records still in the ring are
/// handed to `cb` first, from the drain thread, possibly after this
/// returns. `-ENOENT` when `cb` is not the registered callback.
#[cfg(CONFIG_NET_CAPTURE_RS_SINK_CALLBACK)]
#[no_mangle]
pub extern "C" fn net_capture_rs_sink_unregister(cb: net_capture_rs_sink_cb) -> c_int {
    match (sink::selected(), cb) {
        (Transport::Callback(registered, _), Some(cb)) if registered as usize == cb as usize => {
            status(sink::select(Transport::Off))
        }
        _ => {
            CAPTURES.stack().log(
                Level::Warning,
                c"net_capture_rs_sink_unregister: not the registered callback",
                &[],
            );
            errno_to_c(Errno::NoEnt)
        }
    }
}
