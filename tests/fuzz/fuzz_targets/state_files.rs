//! `state_files`: see `integration_tests::fuzz::state_files::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::state_files::run(data));
