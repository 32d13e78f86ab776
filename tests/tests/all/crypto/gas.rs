//! Gas of the crypto queries (golden prices, charged before the work) and the ignored timing
//! that sets the prices.

use super::*;

// ---------------------------------------------------------------------------------------------
// Gas
// ---------------------------------------------------------------------------------------------

/// The default crypto prices (a change fails the golden values below on purpose).
#[test]
fn default_crypto_prices() {
    let p = PriceTable::default();
    assert_eq!(
        [
            p.ed25519_verify_base,
            p.ed25519_verify_per_byte,
            p.bls_verify_base,
            p.bls_verify_per_byte,
            p.plonk_verify_base,
            p.plonk_verify_per_public_input,
            p.plonk_verify_per_byte,
        ],
        PRICES
    );
}

/// `[ed25519 base, ed25519 per byte, bls base, bls per byte, plonk base, plonk per input,
/// plonk per verifier-data byte]`.
const PRICES: [u64; 7] = [500_000, 20, 30_000_000, 8, 120_000_000, 250_000, 1_100];

/// WAT string of `bytes`.
fn wat_data(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// A one-page module whose entry `g` calls `import` once with constant arguments pointing at
/// `data` (placed at 0x100, each part 8-aligned), stores the result at 0xff00 and outputs it.
/// Its cost is exactly 52 000 (call) + 1 (entry) + 1 (`i32.const` address) + one `i32.const`
/// per argument + 1 (`call`) + the price + 1 (`i32.store`) + 2 (`i32.const`) + 1 (`call`) +
/// 204 (`output_write` of 4 bytes) + 1 (`i32.const` status). Entry `gas_only` does the same with
/// `oob` as the first pointer (0xffff, out of bounds for any length ≥ 2).
fn gas_module(import: &str, parts: &[&[u8]], lengths: &[bool]) -> (Vec<u8>, u64) {
    let mut segments = String::new();
    let mut args = Vec::new();
    let mut at = 0x100usize;
    for (part, with_len) in parts.iter().zip(lengths) {
        segments.push_str(&format!("(data (i32.const {at}) \"{}\")\n", wat_data(part)));
        args.push(at);
        if *with_len {
            args.push(part.len());
        }
        at += part.len().div_ceil(8) * 8 + 8;
    }
    assert!(at < 0xff00);
    let consts =
        |args: &[usize]| -> String { args.iter().map(|a| format!("(i32.const {a}) ")).collect() };
    let mut oob = args.clone();
    oob[0] = 0xffff;
    let code = wat(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 1) {segments}
          (func (export "g") (param i32) (result i32)
            (i32.store (i32.const 0xff00) (call ${import} {}))
            (call $output_write (i32.const 0xff00) (i32.const 4))
            (i32.const 0))
          (func (export "oob") (param i32) (result i32)
            (i32.store (i32.const 0xff00) (call ${import} {}))
            (call $output_write (i32.const 0xff00) (i32.const 4))
            (i32.const 0)))"#,
        consts(&args),
        consts(&oob),
    ));
    let wasm = 1 + 1 + args.len() as u64 + 1 + 1 + 2 + 1 + 204 + 1;
    (code, wasm)
}

/// Before the host function runs: call base, entry, the address and argument constants, `call`.
fn before_host_call(args: usize) -> u64 {
    52_000 + 1 + 1 + args as u64 + 1
}

/// Check a gas module: `g` returns 1 and spends exactly `52 000 + wasm + price`, also with that
/// exact limit; one gas less is `OutOfGas` (spending the limit), even with an out-of-bounds
/// pointer (the price is charged before memory is read, so before any verification); with
/// enough gas that pointer traps.
fn check_gas(name: &str, (code, wasm): (Vec<u8>, u64), args: usize, price: u64) {
    // The wasm's cost is written in wasmtime's unit operator costs.
    let (_store, mut s) = integration_tests::unit_cost_session();
    let id = deploy(&mut s, &code);
    let total = 52_000 + wasm + price;
    let r = call(&mut s, id, "g", &[]);
    assert_eq!((verified(&r), r.gas_spent), (1, total), "{name}");
    let r = s.call(ALICE, id, "g", &[], total).expect("no host error");
    assert_eq!(
        (verified(&r), r.gas_spent),
        (1, total),
        "{name}: exact limit"
    );
    let short = before_host_call(args) + price - 1;
    for entry in ["g", "oob"] {
        let r = s.call(ALICE, id, entry, &[], short).expect("no host error");
        assert_eq!(
            (r.result, r.gas_spent),
            (Err(CallError::OutOfGas), short),
            "{name} {entry}: one gas short"
        );
    }
    let r = s
        .call(ALICE, id, "oob", &[], short + 1)
        .expect("no host error");
    assert_eq!(r.result, OOB, "{name}: oob with enough gas");
    assert_eq!(
        r.gas_spent,
        short + 1,
        "{name}: oob spends what was charged"
    );
}

#[test]
fn gas_is_exactly_the_price_and_is_charged_before_the_work() {
    let [eb, ep, bb, bp, pb, pi, pv] = PRICES;
    let e = ed25519();
    let len = MESSAGE.len() as u64;
    check_gas(
        "ed25519",
        gas_module(
            "ed25519_verify",
            &[&e.pk, MESSAGE, &e.sig],
            &[false, true, false],
        ),
        4,
        eb + ep * len,
    );
    let b = bls();
    check_gas(
        "bls",
        gas_module(
            "bls_verify",
            &[&b.pk, MESSAGE, &b.sig],
            &[false, true, false],
        ),
        4,
        bb + bp * len,
    );
    let p = plonk();
    check_gas(
        "plonk",
        gas_module(
            "plonk_verify",
            &[&p.vd, &p.proof, &p.pi],
            &[true, true, true],
        ),
        6,
        pb + pi + pv * p.vd.len() as u64,
    );
}

#[test]
fn gas_grows_exactly_by_the_per_byte_and_per_input_prices() {
    let [_, ep, _, bp, _, pi, pv] = PRICES;
    let (mut s, id) = harness();
    let spent = |s: &mut Session, entry: &str, params: &[u32]| {
        let r = call(s, id, entry, &words(params));
        assert!(r.is_success(), "{entry}: {:?}", r.result);
        r.gas_spent
    };
    // The session's first call pays the module's load; every call measured below runs it warm.
    spent(&mut s, "ed25519", &[ZEROS, ZEROS, 0, ZEROS]);
    // Zero keys and signatures (malformed: 0), messages of zeros: same wasm, different length.
    for (entry, per_byte) in [("ed25519", ep), ("bls", bp)] {
        let empty = spent(&mut s, entry, &[ZEROS, ZEROS, 0, ZEROS]);
        let full = spent(
            &mut s,
            entry,
            &[ZEROS, ZEROS, MAX_SIGNED_MESSAGE_BYTES as u32, ZEROS],
        );
        assert_eq!(
            full - empty,
            per_byte * MAX_SIGNED_MESSAGE_BYTES as u64,
            "{entry}"
        );
    }
    let plonk = |s: &mut Session, vd: usize, pi_bytes: usize| {
        spent(
            s,
            "plonk",
            &[ZEROS, vd as u32, ZEROS, 0, ZEROS, pi_bytes as u32],
        )
    };
    let none = plonk(&mut s, 0, 0);
    assert_eq!(plonk(&mut s, 0, 32) - none, pi);
    // A started word is charged as a whole input.
    assert_eq!(plonk(&mut s, 0, 33) - none, 2 * pi);
    assert_eq!(plonk(&mut s, 0, 1) - none, pi);
    assert_eq!(
        plonk(&mut s, 0, MAX_PLONK_PUBLIC_INPUT_BYTES) - none,
        256 * pi
    );
    assert_eq!(
        plonk(&mut s, MAX_PLONK_VERIFIER_DATA_BYTES, 0) - none,
        pv * MAX_PLONK_VERIFIER_DATA_BYTES as u64
    );
}

#[test]
fn size_caps_are_checked_before_gas() {
    // A call past a cap with too little gas for the price is LimitExceeded, not OutOfGas.
    let (mut s, id) = harness();
    let past = MAX_SIGNED_MESSAGE_BYTES as u32 + 1;
    // The harness module's first load in the call and its 4-page initial memory, which the
    // call pays before it runs, and the commit share of the one-byte key and value its
    // `begin` writes.
    let prices = PriceTable::default();
    let load =
        runtime::gas::module_load_price(&prices, &wat(&format!("(module {IMPORTS} {HARNESS})")))
            + runtime::gas::initial_memory_price(&prices, 4)
            + prices.storage_commit_per_key
            + 2 * prices.storage_commit_per_byte;
    for entry in ["ed25519", "bls"] {
        let r = s
            .call(
                ALICE,
                id,
                entry,
                &words(&[ZEROS, ZEROS, past, ZEROS]),
                // Pays for the harness's load, memory and own work, not for any verification.
                load + 100_000,
            )
            .expect("no host error");
        assert_eq!(
            r.result,
            too_big(past as usize, MAX_SIGNED_MESSAGE_BYTES),
            "{entry}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Timing, for the price table
// ---------------------------------------------------------------------------------------------

/// Median µs per run of `f` over `rounds` rounds of `per_round` runs.
fn time_us(rounds: usize, per_round: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = std::time::Instant::now();
            for _ in 0..per_round {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / per_round as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[rounds / 2]
}

#[test]
#[ignore = "timing for the price table: run with --release --ignored --nocapture"]
fn measure_verification_costs() {
    use std::hint::black_box;
    let p = PriceTable::default();
    let report = |what: &str, us: f64, gas: u64| {
        println!(
            "{what:<48} {us:>10.1} µs  price {gas:>10}  {:>7.0} gas/µs",
            gas as f64 / us
        );
    };
    let big = vec![0u8; MAX_SIGNED_MESSAGE_BYTES];

    // ed25519: what the host does (decode, verify_strict).
    let e = ed25519();
    let sig_big = e.key.sign(&big).to_bytes();
    let ed = |msg: &[u8], sig: &[u8; 64]| {
        let pk = ed25519_dalek::VerifyingKey::from_bytes(&e.pk).unwrap();
        pk.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig))
            .is_ok()
    };
    let us = time_us(9, 400, || {
        assert!(black_box(ed(black_box(MESSAGE), &e.sig)))
    });
    let ed_len = MESSAGE.len() as u64;
    report(
        "ed25519 (28-byte message)",
        us,
        p.ed25519_verify_base + p.ed25519_verify_per_byte * ed_len,
    );
    let us_big = time_us(9, 40, || assert!(black_box(ed(black_box(&big), &sig_big))));
    report(
        "ed25519 (64 KiB message)",
        us_big,
        p.ed25519_verify_base + p.ed25519_verify_per_byte * 65_536,
    );
    println!(
        "  ed25519 per byte: {:.2} ns",
        (us_big - us) * 1e3 / 65_508.0
    );

    // BLS: decode both points, verify.
    let b = bls();
    let bls_big = b.key.sign(&big).to_bytes();
    let bl = |msg: &[u8], sig: &[u8; 48]| {
        let pk = bls12_381_bls::PublicKey::from_bytes(&b.pk).unwrap();
        let sig = bls12_381_bls::Signature::from_bytes(sig).unwrap();
        pk.verify(&sig, msg).is_ok()
    };
    let us = time_us(9, 40, || assert!(black_box(bl(black_box(MESSAGE), &b.sig))));
    report(
        "bls (28-byte message)",
        us,
        p.bls_verify_base + p.bls_verify_per_byte * ed_len,
    );
    let us_big = time_us(9, 10, || assert!(black_box(bl(black_box(&big), &bls_big))));
    report(
        "bls (64 KiB message)",
        us_big,
        p.bls_verify_base + p.bls_verify_per_byte * 65_536,
    );
    println!("  bls per byte: {:.2} ns", (us_big - us) * 1e3 / 65_508.0);

    // PLONK: decode the verifier data (and re-encode it, as the host checks), the proof and
    // the inputs, verify (V3).
    let pv = |vd: &[u8], proof: &[u8], pi: &[BlsScalar]| {
        let v = dusk_plonk::prelude::Verifier::try_from_bytes(vd).unwrap();
        assert_eq!(v.to_bytes(), vd);
        let proof = dusk_plonk::prelude::Proof::from_slice(proof).unwrap();
        v.verify_with_version(&proof, pi, dusk_plonk::prelude::PlonkVersion::V3)
            .is_ok()
    };
    let f = plonk();
    let seven = [BlsScalar::from(7)];
    let us = time_us(9, 20, || assert!(black_box(pv(&f.vd, &f.proof, &seven))));
    let plonk_price = |vd: usize, inputs: u64| {
        p.plonk_verify_base
            + p.plonk_verify_per_public_input * inputs
            + p.plonk_verify_per_byte * vd as u64
    };
    report(
        "plonk (1 public input, 1.3 KB verifier data)",
        us,
        plonk_price(f.vd.len(), 1),
    );
    let us_cap = time_us(9, 20, || {
        assert!(black_box(pv(&f.vd_at_cap, &f.proof_at_cap, &seven)))
    });
    report(
        "plonk (1 public input, 8 KiB verifier data)",
        us_cap,
        plonk_price(8192, 1),
    );
    println!(
        "  plonk per verifier-data byte: {:.2} ns",
        (us_cap - us) * 1e3 / (8192 - f.vd.len()) as f64
    );

    // The per-input cost: a circuit of MAX_PLONK_PUBLIC_INPUTS public inputs (all non-zero).
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let pp = PublicParameters::setup(1 << 9, &mut rng).expect("setup");
    let values: Vec<BlsScalar> = (1..=MAX_PLONK_PUBLIC_INPUTS as u64)
        .map(|i| BlsScalar::from(i * 1_000_003))
        .collect();
    let circuit = Inputs(values.clone());
    let (prover, verifier) = Compiler::compile_with_circuit(&pp, LABEL, &circuit).expect("compile");
    let (proof, pi) = prover.prove(&mut rng, &circuit).expect("prove");
    assert_eq!(pi, values);
    let (vd, proof) = (verifier.to_bytes(), proof.to_bytes());
    let us_many = time_us(9, 20, || assert!(black_box(pv(&vd, &proof, &pi))));
    report(
        &format!(
            "plonk ({MAX_PLONK_PUBLIC_INPUTS} public inputs, {} B verifier data)",
            vd.len()
        ),
        us_many,
        plonk_price(vd.len(), MAX_PLONK_PUBLIC_INPUTS as u64),
    );
    println!(
        "  plonk per public input: {:.2} µs",
        (us_many - us) / (MAX_PLONK_PUBLIC_INPUTS - 1) as f64
    );

    // Through the runtime: a call verifying once, in a fresh Store, against the same call
    // without the verification (`oob`, refused after charging, before any work, replaced by
    // a plain call of an empty entry).
    let empty = wat(r#"(module (memory (export "memory") 1)
        (func (export "g") (param i32) (result i32) (i32.const 0)))"#);
    let (_store, mut s) = session();
    let empty_id = deploy(&mut s, &empty);
    let base = time_us(9, 200, || {
        assert!(call(&mut s, empty_id, "g", &[]).is_success());
    });
    println!("empty call through the runtime: {base:.1} µs");
    for (name, module) in [
        (
            "ed25519",
            gas_module(
                "ed25519_verify",
                &[&e.pk, MESSAGE, &e.sig],
                &[false, true, false],
            ),
        ),
        (
            "bls",
            gas_module(
                "bls_verify",
                &[&b.pk, MESSAGE, &b.sig],
                &[false, true, false],
            ),
        ),
        (
            "plonk",
            gas_module(
                "plonk_verify",
                &[&f.vd, &f.proof, &f.pi],
                &[true, true, true],
            ),
        ),
    ] {
        let id = deploy(&mut s, &module.0);
        let us = time_us(9, 20, || {
            assert_eq!(verified(&call(&mut s, id, "g", &[])), 1);
        });
        println!(
            "{name} through the runtime: {us:.1} µs ({:.1} µs over an empty call)",
            us - base
        );
    }

    // Plain metered wasm, the yardstick: a loop of integer arithmetic, gas per µs.
    let spin = wat(crate::gas_prices::SPIN);
    let spin_id = deploy(&mut s, &spin);
    // The wasm's own gas, the call base left out.
    let gas = call(&mut s, spin_id, "f", &[]).gas_spent - p.call_base;
    let us = time_us(9, 5, || {
        assert!(call(&mut s, spin_id, "f", &[]).is_success());
    });
    println!(
        "plain wasm loop: {gas} gas in {us:.1} µs = {:.0} gas/µs",
        gas as f64 / us
    );
}
