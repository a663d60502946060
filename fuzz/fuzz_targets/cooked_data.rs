//! Fuzz target `cooked_data`: see `capture_fuzz::cooked_data::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::cooked_data::check(data));
