//! Fuzz target `endpoint`: see `capture_fuzz::endpoint::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::endpoint::check(data));
