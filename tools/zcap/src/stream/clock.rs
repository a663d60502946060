//! Device time to host time. The device stamps records with nanoseconds
//! since it booted; the first record anchors that clock to the host's
//! receive time, and each packet gets
//! `host = anchor_host + (device − anchor_device)`. A device restart (a
//! hello, or time running backwards) re-anchors.
//!
//! The receive times also show how fast the device clock runs: over a run,
//! device elapsed against host elapsed gives the drift in parts per
//! million. Receive times include transport latency, so the figure is good
//! for runs much longer than the latency jitter (tens of seconds).

/// The shortest host span a drift is reported for.
const MIN_SPAN_NS: u64 = 1_000_000_000;

/// One stretch of device time tied to host time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Epoch {
    anchor_device: u64,
    anchor_host: u64,
    last_device: u64,
    last_host: u64,
}

impl Epoch {
    fn device_span(&self) -> u64 {
        self.last_device.saturating_sub(self.anchor_device)
    }

    fn host_span(&self) -> u64 {
        self.last_host.saturating_sub(self.anchor_host)
    }
}

/// How the device clock compared with the host clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drift {
    /// Device clock rate minus host clock rate, in parts per million
    /// (positive: the device clock runs fast).
    pub ppm: f64,
    /// Host time the figure is measured over, in nanoseconds.
    pub host_span_ns: u64,
}

/// The mapping from device to host time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    epoch: Option<Epoch>,
    /// Device and host time of the epochs before the current one.
    closed_device_ns: u64,
    closed_host_ns: u64,
}

impl Clock {
    /// Host time of a record stamped `device_ns` and received at
    /// `host_ns`; the first record anchors the clocks, and a device time
    /// before the anchor (the device restarted) re-anchors them.
    pub fn map(&mut self, device_ns: u64, host_ns: u64) -> u64 {
        let epoch = match self.epoch {
            Some(epoch) if device_ns >= epoch.anchor_device => epoch,
            _ => self.start(device_ns, host_ns),
        };
        let mapped =
            i128::from(epoch.anchor_host) + i128::from(device_ns) - i128::from(epoch.anchor_device);
        self.epoch = Some(Epoch {
            last_device: epoch.last_device.max(device_ns),
            last_host: epoch.last_host.max(host_ns),
            ..epoch
        });
        u64::try_from(mapped.max(0)).unwrap_or(u64::MAX)
    }

    /// Ties `device_ns` to `host_ns` from now on (a device restart).
    pub fn anchor(&mut self, device_ns: u64, host_ns: u64) {
        self.start(device_ns, host_ns);
    }

    fn start(&mut self, device_ns: u64, host_ns: u64) -> Epoch {
        if let Some(old) = self.epoch.take() {
            self.closed_device_ns = self.closed_device_ns.saturating_add(old.device_span());
            self.closed_host_ns = self.closed_host_ns.saturating_add(old.host_span());
        }
        let epoch = Epoch {
            anchor_device: device_ns,
            anchor_host: host_ns,
            last_device: device_ns,
            last_host: host_ns,
        };
        self.epoch = Some(epoch);
        epoch
    }

    /// Whether a record has anchored the clocks yet.
    pub fn is_anchored(&self) -> bool {
        self.epoch.is_some()
    }

    /// The drift over everything received, once at least a second of host
    /// time has passed.
    pub fn drift(&self) -> Option<Drift> {
        let (device, host) = match &self.epoch {
            Some(epoch) => (epoch.device_span(), epoch.host_span()),
            None => (0, 0),
        };
        let device = self.closed_device_ns.saturating_add(device);
        let host = self.closed_host_ns.saturating_add(host);
        if host < MIN_SPAN_NS {
            return None;
        }
        Some(Drift {
            ppm: (device as f64 - host as f64) / host as f64 * 1e6,
            host_span_ns: host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: u64 = 1_700_000_000_000_000_000;

    #[test]
    fn first_record_anchors_device_time_to_receive_time() {
        let mut clock = Clock::default();
        assert!(!clock.is_anchored());
        assert_eq!(clock.map(5_000, HOST), HOST);
        // Later records follow device time, whatever their receive time.
        assert_eq!(clock.map(1_005_000, HOST + 3_000_000), HOST + 1_000_000);
        assert_eq!(clock.map(2_005_000, HOST + 2_000_000), HOST + 2_000_000);
    }

    #[test]
    fn restart_reanchors_and_time_before_the_anchor_does_too() {
        let mut clock = Clock::default();
        clock.map(10_000_000_000, HOST);
        clock.anchor(1_000, HOST + 50);
        assert_eq!(clock.map(2_000, HOST + 60), HOST + 1_050);
        // Device time jumped back without a hello: a restart as well.
        assert_eq!(clock.map(500, HOST + 70), HOST + 70);
        assert_eq!(clock.map(600, HOST + 80), HOST + 170);
    }

    #[test]
    fn drift_compares_device_and_host_elapsed_time() {
        let mut clock = Clock::default();
        clock.map(0, HOST);
        assert_eq!(clock.drift(), None, "nothing elapsed yet");
        // The device counts 10.0001 s while the host counts 10 s: +10 ppm.
        clock.map(10_000_100_000, HOST + 10_000_000_000);
        let drift = clock.drift().unwrap();
        assert!((drift.ppm - 10.0).abs() < 1e-6, "{drift:?}");
        assert_eq!(drift.host_span_ns, 10_000_000_000);
        // A restart keeps what was measured before it: 10 more host
        // seconds in which the device counts 9.9999 s give 0 ppm overall.
        clock.anchor(0, HOST + 20_000_000_000);
        clock.map(9_999_900_000, HOST + 30_000_000_000);
        let drift = clock.drift().unwrap();
        assert!(drift.ppm.abs() < 1e-6, "{drift:?}");
        assert_eq!(drift.host_span_ns, 20_000_000_000);
    }

    #[test]
    fn short_runs_report_no_drift() {
        let mut clock = Clock::default();
        clock.map(0, HOST);
        clock.map(500_000_000, HOST + 500_000_000);
        assert_eq!(clock.drift(), None);
    }
}
