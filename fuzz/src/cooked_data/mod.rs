//! Cooked mode (`Cooked::data`, `Cooked::recv`) with arbitrary link types,
//! contexts, data and packet types, on the cooked sample's topology
//! (1 = "any", 2 = the cooked interface, 3 = Ethernet, 4 = an IPIP tunnel).
//!
//! `input` is what the fuzzer generates; `harness` applies it and checks
//! every datagram and counter against an independently written header.

mod harness;
mod input;

use arbitrary::{Arbitrary, Unstructured};

use harness::Harness;
use input::MAX_OPS;
pub use input::*;

pub fn check(data: &[u8]) {
    if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(data)) {
        run(&script);
    }
}

/// What a run reached, for choosing seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    pub sent: bool,
    pub dropped: bool,
    pub recv_consumed: bool,
}

impl Reached {
    /// Each flag with its name (the seed classes).
    pub fn flags(&self) -> [(&'static str, bool); 3] {
        [
            ("sent", self.sent),
            ("dropped", self.dropped),
            ("recv-consumed", self.recv_consumed),
        ]
    }
}

/// Runs a script and its final cleanup; returns what it reached.
pub fn run(script: &Script) -> Reached {
    let mut harness = Harness::new(script);
    if script.sample {
        harness.sample();
    }
    for op in script.ops.iter().take(MAX_OPS) {
        harness.apply(op);
    }
    harness.finish();
    harness.reached
}
