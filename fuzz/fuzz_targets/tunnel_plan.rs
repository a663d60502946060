//! Fuzz target `tunnel_plan`: see `capture_fuzz::tunnel_plan::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::tunnel_plan::check(data));
