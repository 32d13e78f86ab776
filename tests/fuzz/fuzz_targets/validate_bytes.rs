//! `validate_bytes`: see `integration_tests::fuzz::validate::arbitrary_bytes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::validate::arbitrary_bytes(data));
