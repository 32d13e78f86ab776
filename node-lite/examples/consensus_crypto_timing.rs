//! What the consensus's BLS signatures cost: a measurement, not a test.
//!
//! ```text
//! cargo run -p node-lite --example consensus_crypto_timing [-- ROUNDS]
//! ```
//!
//! (The dev profile builds `dusk-bls12_381` and `bls12_381-bls` with `opt-level = 3`, so the
//! curve arithmetic runs optimised without a release build of the whole node; add `--release`
//! for the fully optimised figures.) Prints the median over `ROUNDS` (default 20) of: one
//! signature (`BlsSigner::sign`); one check (`BlsCrypto::verify`, keys already decoded; a
//! verifier that remembers no check, so each is made in full); the same check through
//! `bls12_381-bls`' `PublicKey::verify` (what `BlsCrypto` did before it prepared keys once); a
//! check the verifier remembers; a vote's signature and VRF proof by one key checked together
//! (`verify_all`: one pairing check) against the two checked apart; the aggregation of 64
//! signatures; and the check of that aggregate against 64 keys (decoded already, as in a
//! running node; and once from a cold cache).

use consensus::{Crypto, Signer};
use node_lite::chain::consensus_crypto::{BlsCrypto, BlsSigner};
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(rounds: usize, mut f: impl FnMut(usize) -> T) -> Duration {
    let samples = (0..rounds)
        .map(|i| {
            let start = Instant::now();
            std::hint::black_box(f(i));
            start.elapsed()
        })
        .collect();
    median(samples)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let signers: Vec<BlsSigner> = (0..64)
        .map(|i| BlsSigner::from_seed(&format!("timing-{i}")))
        .collect();
    let keys: Vec<_> = signers.iter().map(Signer::public_key).collect();
    let crypto = BlsCrypto::with_verified_capacity(0);
    let remembering = BlsCrypto::new();
    let message =
        b"a vote message of about the size of the real one (round, iteration, step, hash)";
    let sign = time(rounds, |i| signers[i % 64].sign(message));
    let sigs: Vec<_> = signers.iter().map(|s| s.sign(message)).collect();
    let cold = {
        let fresh = BlsCrypto::new();
        let start = Instant::now();
        let aggregate = fresh.aggregate(&sigs).expect("valid");
        assert!(fresh.verify_aggregate(&keys, message, &aggregate));
        start.elapsed()
    };
    for (key, sig) in keys.iter().zip(&sigs) {
        assert!(
            crypto.verify(key, message, sig),
            "decodes and prepares the key"
        );
    }
    let verify = time(rounds, |i| {
        assert!(crypto.verify(&keys[i % 64], message, &sigs[i % 64]));
    });
    let scheme = {
        use dusk_bytes::Serializable;
        let decoded: Vec<_> = keys
            .iter()
            .zip(&sigs)
            .map(|(k, s)| {
                (
                    bls12_381_bls::PublicKey::from_bytes(&k.0).expect("a key"),
                    bls12_381_bls::Signature::from_bytes(&s.0).expect("a signature"),
                )
            })
            .collect();
        time(rounds, |i| {
            let (k, s) = &decoded[i % 64];
            assert!(k.verify(s, message).is_ok());
        })
    };
    assert!(remembering.verify(&keys[0], message, &sigs[0]));
    let remembered = time(rounds, |_| {
        assert!(remembering.verify(&keys[0], message, &sigs[0]));
    });
    let proof_message = b"a sortition message: domain, seed (48 bytes), round, iteration, step";
    let proofs: Vec<_> = signers.iter().map(|s| s.sign(proof_message)).collect();
    let vote_and_proof = time(rounds, |i| {
        let k = &keys[i % 64];
        assert!(crypto.verify_all(&[
            (k, proof_message, &proofs[i % 64]),
            (k, message, &sigs[i % 64]),
        ]));
    });
    let apart = time(rounds, |i| {
        let k = &keys[i % 64];
        assert!(crypto.verify(k, proof_message, &proofs[i % 64]));
        assert!(crypto.verify(k, message, &sigs[i % 64]));
    });
    let aggregate = time(rounds, |_| crypto.aggregate(&sigs));
    let agg = crypto.aggregate(&sigs).expect("valid");
    let verify_aggregate = time(rounds, |_| {
        assert!(crypto.verify_aggregate(&keys, message, &agg));
    });
    println!("median of {rounds}:");
    println!("  sign                          {sign:?}");
    println!("  verify (key decoded)          {verify:?}");
    println!("  bls12_381-bls PublicKey::verify {scheme:?}");
    println!("  verify, remembered            {remembered:?}");
    println!("  vote + proof, verify_all      {vote_and_proof:?}");
    println!("  vote + proof, two verify      {apart:?}");
    println!("  aggregate 64 signatures       {aggregate:?}");
    println!("  verify aggregate of 64 keys   {verify_aggregate:?}");
    println!("  aggregate + verify, cold keys {cold:?} (once)");
}
