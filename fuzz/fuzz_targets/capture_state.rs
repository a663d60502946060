//! Fuzz target `capture_state`: see `capture_fuzz::capture_state::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::capture_state::check(data));
