//! Whatever the bytes: mutated modules and random arguments never crash the host, never produce
//! a host error, and a failed call never changes storage.

use integration_tests::{ALICE, OWNER, contract_wasm, session};
use proptest::prelude::*;
use std::sync::OnceLock;

fn counter() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| contract_wasm("counter"))
}

fn token() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| contract_wasm("token"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Flip up to 8 bytes of a valid contract: deploy either refuses with a typed error or
    /// accepts, and then every entry point returns a receipt (no host error, no panic).
    #[test]
    fn mutated_modules_are_refused_or_run_safely(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        args in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut code = counter().to_vec();
        for (at, byte) in &edits {
            let i = at.index(code.len());
            code[i] = *byte;
        }
        let (_, mut s) = session();
        if let Ok(id) = s.deploy(OWNER, &code, 0) {
            for f in ["increment", "get", "reset", "missing"] {
                let r = s.call(ALICE, id, f, &args, 1_000_000);
                prop_assert!(r.is_ok(), "host error: {:?}", r.err());
            }
        }
    }

    /// Random argument bytes to every token entry point: the call fails cleanly (or succeeds
    /// when the bytes happen to decode), never a host error, and a failure writes nothing.
    #[test]
    fn random_arguments_never_corrupt_state(args in proptest::collection::vec(any::<u8>(), 0..120)) {
        let (store, mut s) = session();
        let id = s.deploy(OWNER, token(), 0).expect("deploy");
        s.call(ALICE, id, "init", &borsh::to_vec(&1_000u128).expect("encode"), 10_000_000)
            .expect("init");
        s.commit().expect("commit");
        let mut before = store.contract_storage(&id);
        for f in ["init", "transfer", "approve", "transfer_from", "balance_of", "allowance"] {
            let r = s.call(ALICE, id, f, &args, 10_000_000).expect("no host error");
            s.commit().expect("commit");
            if r.is_success() {
                before = store.contract_storage(&id);
            } else {
                prop_assert_eq!(&store.contract_storage(&id), &before, "{} changed storage", f);
            }
        }
    }
}
