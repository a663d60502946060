//! Fuzz target `sll`: see `capture_fuzz::sll::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::sll::check(data));
