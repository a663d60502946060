//! Harness code shared by the fuzz targets in `fuzz_targets/`.
//!
//! Each target is a one-line wrapper around a `check` function here, so the
//! same checks run from `cargo fuzz` and, on stable Rust, from
//! `tests/seeds.rs`, which replays every committed seed, corpus entry and
//! regression input and regenerates the seeds.

#![forbid(unsafe_code)]

pub mod capture_state;
pub mod cooked_data;
pub mod decode;
pub mod endpoint;
pub mod filter;
pub mod sll;
pub mod stream_decode;
pub mod tunnel_plan;
pub mod wire_decode;
pub mod zcap_decap;

// zcap is a binary crate without a library target, so its decapsulation
// modules are compiled into this crate from their sources. They only need
// `std` and `zephyr_net_capture`; `decap` names `crate::reassembly`, hence
// both sit at this crate's root. `dead_code` is allowed because zcap's other
// callers of these items are not compiled here.
#[allow(dead_code)]
#[path = "../../tools/zcap/src/decap.rs"]
pub mod decap;
#[allow(dead_code)]
#[path = "../../tools/zcap/src/link/mod.rs"]
pub mod link;
#[allow(dead_code)]
#[path = "../../tools/zcap/src/reassembly.rs"]
pub mod reassembly;

// zcap's serial stream receiver: pure, it needs only `std` and
// `zephyr_net_capture` (its `tests` module is `cfg(test)`).
#[allow(dead_code)]
#[path = "../../tools/zcap/src/stream/mod.rs"]
pub mod stream;
