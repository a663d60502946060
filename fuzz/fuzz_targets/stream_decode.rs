//! Fuzz target `stream_decode`: see `capture_fuzz::stream_decode::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::stream_decode::check(data));
