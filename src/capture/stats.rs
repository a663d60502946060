//! Per-device counters (W15: the C code dropped captures silently).
//!
//! Plain relaxed atomics: the hot path bumps them without a lock, and a
//! reader gets each counter exact, if not a snapshot of all at one instant.

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Counters of one device.
#[derive(Debug, Default)]
pub struct DeviceStats {
    captured: AtomicU32,
    fragmented: AtomicU32,
    truncated: AtomicU32,
    dropped_nomem: AtomicU32,
    dropped_send: AtomicU32,
    dropped_other: AtomicU32,
    skipped_feedback: AtomicU32,
    cooked_captured: AtomicU32,
    cooked_dropped: AtomicU32,
    filtered: AtomicU32,
    snapped: AtomicU32,
    /// Set once a kind of loss has been logged, so a flood logs one line.
    logged: LoggedOnce,
}

/// Kinds of loss that are logged once per device setup.
#[derive(Debug, Default)]
pub struct LoggedOnce {
    truncated: AtomicBool,
    nomem: AtomicBool,
    send: AtomicBool,
    other: AtomicBool,
}

/// A copy of a device's counters. Also the C API's
/// `struct net_capture_rs_stats` (`net_capture_rs_stats_get()`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Datagrams queued for the tunnel (each may be several fragments).
    pub captured: u32,
    /// Of those, datagrams sent as inner IP fragments.
    pub fragmented: u32,
    /// Of those, datagrams cut to fit the tunnel MTU.
    pub truncated: u32,
    /// Captures lost because the capture pools were exhausted.
    pub dropped_nomem: u32,
    /// Tunnel packets the stack refused to transmit, after their datagram
    /// was counted in `captured` (the system work queue sends them).
    pub dropped_send: u32,
    /// Captures lost otherwise (too large for the pools or the tunnel,
    /// malformed cooked context).
    pub dropped_other: u32,
    /// Frames not captured because they were the tunnel's own traffic.
    pub skipped_feedback: u32,
    /// Cooked-mode captures sent (also counted in `captured`).
    pub cooked_captured: u32,
    /// Cooked-mode captures lost (also counted in a `dropped_*`).
    pub cooked_dropped: u32,
    /// Frames the device's capture filter rejected (not copied).
    pub filtered: u32,
    /// Captures cut to the device's snap length (also in `captured`).
    pub snapped: u32,
}

/// What happened to one capture, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Sent; `fragmented`/`truncated`/`snapped` say how.
    Sent {
        /// Sent as fragments.
        fragmented: bool,
        /// Cut to fit.
        truncated: bool,
        /// Cut to the snap length.
        snapped: bool,
    },
    /// Rejected by the capture filter.
    Filtered,
    /// Lost for lack of pool memory.
    NoMem,
    /// Refused by the stack.
    SendFailed,
    /// Lost for another reason.
    Other,
    /// Skipped: tunnel feedback.
    Feedback,
}

impl DeviceStats {
    /// All zero.
    pub const fn new() -> Self {
        DeviceStats {
            captured: AtomicU32::new(0),
            fragmented: AtomicU32::new(0),
            truncated: AtomicU32::new(0),
            dropped_nomem: AtomicU32::new(0),
            dropped_send: AtomicU32::new(0),
            dropped_other: AtomicU32::new(0),
            skipped_feedback: AtomicU32::new(0),
            cooked_captured: AtomicU32::new(0),
            cooked_dropped: AtomicU32::new(0),
            filtered: AtomicU32::new(0),
            snapped: AtomicU32::new(0),
            logged: LoggedOnce {
                truncated: AtomicBool::new(false),
                nomem: AtomicBool::new(false),
                send: AtomicBool::new(false),
                other: AtomicBool::new(false),
            },
        }
    }

    /// Counts one capture. Returns true when this is the first loss of its
    /// kind since the last [`DeviceStats::rearm_logging`], i.e. when to log it.
    pub fn record(&self, outcome: Outcome, cooked: bool) -> bool {
        let bump = |counter: &AtomicU32| {
            counter.fetch_add(1, Ordering::Relaxed);
        };
        let first = |flag: &AtomicBool| !flag.swap(true, Ordering::Relaxed);
        let lost = !matches!(
            outcome,
            Outcome::Sent { .. } | Outcome::Feedback | Outcome::Filtered
        );
        if cooked && outcome != Outcome::Filtered {
            bump(if lost {
                &self.cooked_dropped
            } else {
                &self.cooked_captured
            });
        }
        match outcome {
            Outcome::Sent {
                fragmented,
                truncated,
                snapped,
            } => {
                bump(&self.captured);
                if fragmented {
                    bump(&self.fragmented);
                }
                if snapped {
                    bump(&self.snapped);
                }
                if truncated {
                    bump(&self.truncated);
                    return first(&self.logged.truncated);
                }
                false
            }
            Outcome::NoMem => {
                bump(&self.dropped_nomem);
                first(&self.logged.nomem)
            }
            Outcome::SendFailed => {
                bump(&self.dropped_send);
                first(&self.logged.send)
            }
            Outcome::Other => {
                bump(&self.dropped_other);
                first(&self.logged.other)
            }
            Outcome::Feedback => {
                bump(&self.skipped_feedback);
                false
            }
            Outcome::Filtered => {
                bump(&self.filtered);
                false
            }
        }
    }

    /// Reads all counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |counter: &AtomicU32| counter.load(Ordering::Relaxed);
        StatsSnapshot {
            captured: get(&self.captured),
            fragmented: get(&self.fragmented),
            truncated: get(&self.truncated),
            dropped_nomem: get(&self.dropped_nomem),
            dropped_send: get(&self.dropped_send),
            dropped_other: get(&self.dropped_other),
            skipped_feedback: get(&self.skipped_feedback),
            cooked_captured: get(&self.cooked_captured),
            cooked_dropped: get(&self.cooked_dropped),
            filtered: get(&self.filtered),
            snapped: get(&self.snapped),
        }
    }

    /// Re-arms the log-once flags (a new setup logs its first losses).
    pub fn rearm_logging(&self) {
        for flag in [
            &self.logged.truncated,
            &self.logged.nomem,
            &self.logged.send,
            &self.logged.other,
        ] {
            flag.store(false, Ordering::Relaxed);
        }
    }
}
