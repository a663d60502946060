//! Fuzz target `zcap_decap`: see `capture_fuzz::zcap_decap::check` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capture_fuzz::zcap_decap::check(data));
