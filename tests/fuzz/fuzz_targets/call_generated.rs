//! `call_generated`: see `integration_tests::fuzz::call::generated`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::call::generated(data));
