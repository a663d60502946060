//! Loss accounting from sequence numbers. Every packet record the device
//! produces takes the next number, whether it is sent or dropped; a packet
//! record also says how many the device dropped since the previous one it
//! sent (`lost`). So a gap in the numbers the host sees is made of device
//! drops (`lost`) and records lost on the line (the rest).
//!
//! Hello and stats records carry the number the next packet record will
//! get: a hello starts counting afresh (the device restarted), a stats
//! record lets counting start before the first packet arrives, and the
//! last one shows records that went missing at the very end of a run.

/// Half the sequence space: a number further "ahead" than this is taken to
/// be behind, i.e. the device restarted without the host seeing its hello.
const HALF: u32 = 1 << 31;

/// What came before one packet record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gap {
    /// Records the device dropped (from its `lost` field).
    pub device: u64,
    /// Records lost between the device and the host.
    pub line: u64,
    /// The sequence went backwards: the device restarted unannounced.
    pub restarted: bool,
}

/// Sequence state of one stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sequence {
    /// The number the next packet record should carry, once known.
    expected: Option<u32>,
    /// The number a stats record said comes next.
    announced: Option<u32>,
}

impl Sequence {
    /// A packet record numbered `sequence` that says the device dropped
    /// `lost` records before it. Before anything is known (the host joined
    /// a running stream), nothing is counted.
    pub fn packet(&mut self, sequence: u32, lost: u32) -> Gap {
        let expected = self.expected.replace(sequence.wrapping_add(1));
        let Some(expected) = expected else {
            return Gap::default();
        };
        let gap = sequence.wrapping_sub(expected);
        if gap >= HALF {
            self.announced = None;
            return Gap {
                restarted: true,
                ..Gap::default()
            };
        }
        // A correct device never claims more drops than numbers skipped.
        let device = lost.min(gap);
        Gap {
            device: u64::from(device),
            line: u64::from(gap - device),
            restarted: false,
        }
    }

    /// A stats record: the next packet record will be numbered `next`.
    pub fn stats(&mut self, next: u32) {
        if self.expected.is_none() {
            self.expected = Some(next);
        }
        self.announced = Some(next);
    }

    /// A hello: the device (re)started and numbers from `next`.
    pub fn hello(&mut self, next: u32) {
        self.expected = Some(next);
        self.announced = None;
    }

    /// Records announced by the last stats record but never seen: lost at
    /// the end of the run, on the line or on the device.
    pub fn unseen_at_end(&self) -> u64 {
        match (self.expected, self.announced) {
            (Some(expected), Some(announced)) => {
                let missing = announced.wrapping_sub(expected);
                if missing < HALF {
                    u64::from(missing)
                } else {
                    0
                }
            }
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(device: u64, line: u64) -> Gap {
        Gap {
            device,
            line,
            restarted: false,
        }
    }

    #[test]
    fn first_record_of_a_joined_stream_counts_nothing() {
        let mut seq = Sequence::default();
        assert_eq!(seq.packet(1000, 5), Gap::default());
        assert_eq!(seq.packet(1001, 0), gap(0, 0));
    }

    #[test]
    fn gaps_split_into_device_drops_and_line_losses() {
        let mut seq = Sequence::default();
        seq.hello(0);
        assert_eq!(seq.packet(0, 0), gap(0, 0));
        // Three numbers skipped, all explained by the device.
        assert_eq!(seq.packet(4, 3), gap(3, 0));
        // Two skipped, none explained: lost on the line.
        assert_eq!(seq.packet(7, 0), gap(0, 2));
        // Four skipped, one explained.
        assert_eq!(seq.packet(12, 1), gap(1, 3));
        // A device claiming more than the gap is believed only up to it.
        assert_eq!(seq.packet(14, 9), gap(1, 0));
    }

    #[test]
    fn numbers_wrap_around() {
        let mut seq = Sequence::default();
        seq.hello(u32::MAX - 1);
        assert_eq!(seq.packet(u32::MAX - 1, 0), gap(0, 0));
        assert_eq!(seq.packet(1, 1), gap(1, 1));
    }

    #[test]
    fn a_sequence_going_backwards_is_a_restart() {
        let mut seq = Sequence::default();
        seq.hello(500);
        seq.packet(500, 0);
        let restarted = seq.packet(3, 0);
        assert!(restarted.restarted);
        assert_eq!(seq.packet(4, 0), gap(0, 0));
    }

    #[test]
    fn hello_restarts_counting_and_stats_start_it() {
        let mut seq = Sequence::default();
        seq.stats(40);
        assert_eq!(seq.packet(42, 1), gap(1, 1));
        seq.hello(0);
        assert_eq!(seq.packet(0, 0), gap(0, 0));
    }

    #[test]
    fn records_announced_but_never_seen_are_lost_at_the_end() {
        let mut seq = Sequence::default();
        seq.hello(0);
        seq.packet(0, 0);
        seq.packet(1, 0);
        assert_eq!(seq.unseen_at_end(), 0);
        seq.stats(5);
        assert_eq!(seq.unseen_at_end(), 3);
        seq.packet(5, 3);
        assert_eq!(seq.unseen_at_end(), 0);
    }
}
