//! Targets `validate_bytes` and `validate_generated`: deploy validation of any bytes, and of
//! generated modules.

use super::generate;
use crate::{OWNER, runtime, session};
use arbitrary::Unstructured;
use runtime::ALLOWED_FEATURES;
use wasmparser::Validator;

/// Validate `bytes`; when validation accepts them, deploy them: the deploy compiles and
/// instantiates once, and must succeed or refuse with a typed error (a panic is a finding).
pub fn arbitrary_bytes(bytes: &[u8]) {
    check(bytes);
}

/// [`arbitrary_bytes`] on a `wasm-smith` module built from `data`.
pub fn generated(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(module) = wasm_smith::Module::new(generate::any_module(), &mut u) else {
        return;
    };
    check(&module.to_bytes());
}

fn check(bytes: &[u8]) {
    let (_, mut s) = session();
    if runtime().validate(bytes).is_err() {
        return;
    }
    // What deploy accepts is valid wasm of the allowed features.
    assert!(
        Validator::new_with_features(ALLOWED_FEATURES)
            .validate_all(bytes)
            .is_ok(),
        "validation accepted a module wasmparser refuses"
    );
    // A typed result either way; only a panic (or a hang) is a finding.
    let _ = s.deploy(OWNER, bytes, 0);
}
