//! `signature_codec`: see `integration_tests::fuzz::codec::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| integration_tests::fuzz::codec::run(data));
