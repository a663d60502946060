//! Memory-safe replacement for Zephyr's network packet capture subsystem.
//!
//! The crate is built twice:
//! - on the host (`cargo test`), where only the pure layers exist: [`wire`]
//!   (byte formats), [`capture`] and [`cooked`] (device table, state machine,
//!   hot path, link-type filter, all generic over the platform traits in
//!   [`capture`]), and [`filter`] (the capture filter language);
//! - inside a Zephyr build (feature `zephyr`, driven by the module's CMake),
//!   which adds the bindgen'd stack bindings (`zephyr`) and the C ABI
//!   exports (`ffi`) that replace `subsys/net/lib/capture/{capture,cooked}.c`.
//!
//! `unsafe` is denied everywhere except in those two Zephyr-only modules.
//!
//! Comments cite defects of the C implementation as W1..W29: see
//! `docs/c-defects.md` in the repository.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
// No panic may be reachable from an exported function: the library's own
// code never indexes, unwraps or panics (tests may).
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

// A host build of the staticlib needs a panic handler and std provides one;
// nothing in the crate names std, so the code stays `no_std`. Zephyr builds
// bring their own handler, which ends in Zephyr's fatal error path.
#[cfg(all(not(test), not(feature = "zephyr")))]
extern crate std;

pub mod capture;
pub mod cooked;
pub mod errno;
pub mod filter;
pub mod log;
pub mod wire;

#[cfg(feature = "zephyr")]
#[allow(unsafe_code)]
mod ffi;
#[cfg(feature = "zephyr")]
#[allow(unsafe_code)]
mod zephyr;
