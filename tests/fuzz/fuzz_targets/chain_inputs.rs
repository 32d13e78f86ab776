//! `chain_inputs`: see `integration_tests::fuzz::chain::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::chain::run(data));
