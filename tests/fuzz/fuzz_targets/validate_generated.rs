//! `validate_generated`: see `integration_tests::fuzz::validate::generated`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::validate::generated(data));
