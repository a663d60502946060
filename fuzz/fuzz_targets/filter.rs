//! Fuzz target `filter`: see `capture_fuzz::filter::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::filter::check(data));
