//! `differential`: see `integration_tests::fuzz::differential::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::differential::run(data));
