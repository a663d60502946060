//! Fuzz target `wire_decode`: see `capture_fuzz::wire_decode::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::wire_decode::check(data));
