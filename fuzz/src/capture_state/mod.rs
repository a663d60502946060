//! The capture device state machine (`Captures`) driven by arbitrary call
//! sequences against the fake stack, with its invariants checked after
//! every call and after a final cleanup of every device.
//!
//! `input` is what the fuzzer generates (a topology and calls), `harness`
//! applies the calls and `checks` holds what must be true after each one.

mod checks;
mod harness;
mod input;

use arbitrary::{Arbitrary, Unstructured};

use harness::Harness;
pub use input::*;

pub fn check(data: &[u8]) {
    if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(data)) {
        run(&script);
    }
}

/// What a run reached, for choosing seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    pub set_up: bool,
    pub enabled: bool,
    pub sent: bool,
    pub fragmented: bool,
    pub truncated: bool,
    pub feedback: bool,
    pub setup_failed_midway: bool,
}

impl Reached {
    /// Each flag with its name (the seed classes).
    pub fn flags(&self) -> [(&'static str, bool); 7] {
        [
            ("set-up", self.set_up),
            ("enabled", self.enabled),
            ("sent", self.sent),
            ("fragmented", self.fragmented),
            ("truncated", self.truncated),
            ("feedback", self.feedback),
            ("setup-rolled-back", self.setup_failed_midway),
        ]
    }
}

/// Runs a script and its final cleanup; returns what it reached.
pub fn run(script: &Script) -> Reached {
    let mut harness = Harness::new(&script.topology);
    for op in script.ops.iter().take(MAX_OPS) {
        harness.apply(op);
    }
    harness.finish();
    harness.reached
}
