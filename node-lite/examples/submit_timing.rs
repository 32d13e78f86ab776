//! What admitting one transaction costs, piece by piece, outside a running devnet: a
//! measurement, not a test.
//!
//! ```text
//! cargo run --release -p node-lite --example submit_timing [-- ROUNDS]
//! ```
//!
//! The transaction is `devnet_bench`'s (`counter.increment(1)`, 1,024 senders). Prints the
//! median over `ROUNDS` (default 20,000) of: decoding it (`Transaction::decode`, bounds
//! included), its hash (`Transaction::hash`: encoded again, BLAKE2b), the signed bytes
//! (`UnsignedTx::signing_bytes`), the sender's key decoded (`VerifyingKey::from_bytes`, an
//! ed25519 point decompression), the signature check as `Transaction::verify` did before the key
//! cache (key decoded every time, `verify_strict`), the check with a key cached
//! (`Mempool`'s `KeyCache`), and a whole `Mempool::insert` of a transaction whose signature the
//! process's verified set already holds (what every node but the first does), against an
//! in-memory account view.

use ed25519_dalek::{Signature, VerifyingKey};
use host_api::{Address, ContractId};
use node_lite::chain::accounts::{AccountView, AccountViewError};
use node_lite::chain::tx::{Payload, UnsignedTx};
use node_lite::chain::verified::VerifiedSignatures;
use node_lite::chain::{AccountKey, Mempool, MempoolConfig, Transaction};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SENDERS: usize = 1_024;

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

/// Every account funded, every next nonce 0.
struct Funded;

impl AccountView for Funded {
    fn balance(&mut self, _: &Address) -> Result<u128, AccountViewError> {
        Ok(u128::MAX / 2)
    }
    fn next_nonce(&mut self, _: &Address) -> Result<u64, AccountViewError> {
        Ok(0)
    }
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let keys: Vec<AccountKey> = (0..SENDERS)
        .map(|i| AccountKey::from_seed(&format!("bench-{i}")))
        .collect();
    let args = borsh::to_vec(&1u64).expect("an argument");
    let txs: Vec<Transaction> = (0..rounds)
        .map(|i| {
            let key = &keys[i % SENDERS];
            UnsignedTx {
                chain_id: 1,
                sender: key.public(),
                nonce: (i / SENDERS) as u64,
                gas_limit: 8_844_894,
                gas_price: 1,
                payload: Payload::Call {
                    contract: ContractId([7; 32]),
                    function: "increment".into(),
                    args: args.clone(),
                },
            }
            .sign(key)
        })
        .collect();
    let encoded: Vec<Vec<u8>> = txs.iter().map(Transaction::encode).collect();
    let decode = time(rounds, |i| Transaction::decode(&encoded[i]));
    let hash = time(rounds, |i| txs[i].hash());
    let signing_bytes = time(rounds, |i| txs[i].body.signing_bytes());
    let key_decode = time(rounds, |i| VerifyingKey::from_bytes(&txs[i].body.sender));
    let uncached = time(rounds, |i| {
        let tx = &txs[i];
        let key = VerifyingKey::from_bytes(&tx.body.sender).expect("a key");
        key.verify_strict(
            &tx.body.signing_bytes(),
            &Signature::from_bytes(&tx.signature),
        )
    });
    let decoded: HashMap<[u8; 32], VerifyingKey> = keys
        .iter()
        .map(|k| {
            let public = k.public();
            (public, VerifyingKey::from_bytes(&public).expect("a key"))
        })
        .collect();
    let cached = time(rounds, |i| {
        let tx = &txs[i];
        decoded[&tx.body.sender].verify_strict(
            &tx.body.signing_bytes(),
            &Signature::from_bytes(&tx.signature),
        )
    });
    let verified = Arc::new(VerifiedSignatures::default());
    for tx in &txs {
        verified.insert(tx.hash());
    }
    let mut config = MempoolConfig::new(1, u64::MAX);
    config.capacity = rounds;
    config.max_nonce_gap = u64::MAX;
    let mut pool = Mempool::new(config).with_verified(verified);
    let insert = time(rounds, |i| {
        pool.insert(txs[i].clone(), &mut Funded).expect("admitted")
    });
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("submit_timing: median of {rounds} rounds, µs");
    for (what, d) in [
        ("Transaction::decode", decode),
        ("Transaction::hash", hash),
        ("UnsignedTx::signing_bytes", signing_bytes),
        ("VerifyingKey::from_bytes (decompression)", key_decode),
        ("ed25519 check, key decoded each time", uncached),
        ("ed25519 check, key cached", cached),
        ("Mempool::insert, signature already verified", insert),
    ] {
        println!("{what:<46} {:>8.2}", us(d));
    }
}
