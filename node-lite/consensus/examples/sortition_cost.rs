//! What the committee sizes cost to draw (the work `MAX_STEP_CREDITS` bounds), natively:
//! a private claim's credits (`private_credits`) for a provisioner of 1,000 of 10,000 lots, and
//! a public committee (`public_draw`) among 10 and 1,000 equal provisioners, at 64 credits, the
//! model's sizes for F = 0.3 and the cap.
//!
//! ```text
//! cargo run --release -p consensus --example sortition_cost
//! ```
//!
//! A documented bench command, not a test: the machine's load moves the figures; compare ratios
//! within one run.

use consensus::blake2b256;
use genesis_types::sortition::{private_credits, public_draw};
use genesis_types::stake::Step;
use genesis_types::{BlsPublicKey, Seed};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    println!("private claim, 1,000 of 10,000 lots:");
    for tau in [64u32, 1_000, 5_972, 10_000 - 1] {
        let draws = 20_000u64;
        let start = Instant::now();
        let mut total = 0u64;
        for i in 0..draws {
            let output = blake2b256(&i.to_le_bytes());
            total += u64::from(private_credits(black_box(&output), 1_000, 10_000, tau));
        }
        let per = start.elapsed().as_secs_f64() / draws as f64;
        println!(
            "  tau {tau:>5}: {:>8.2} us per claim, mean credits {:.1}",
            per * 1e6,
            total as f64 / draws as f64
        );
    }
    println!("public committee:");
    for n in [10usize, 1_000] {
        let provisioners: Vec<(BlsPublicKey, u64)> = (0..n)
            .map(|i| {
                let mut key = [0u8; 96];
                key[..8].copy_from_slice(&(i as u64).to_be_bytes());
                (BlsPublicKey(key), (10_000 / n) as u64 + 10)
            })
            .collect();
        for credits in [64u32, 1_394, 10_000] {
            let rounds = 20u64;
            let start = Instant::now();
            let mut members = 0;
            for round in 0..rounds {
                let mut hash = blake2b256;
                members += public_draw(
                    &mut hash,
                    &Seed([7; 48]),
                    (round, 0, Step::Validation),
                    black_box(&provisioners),
                    credits,
                )
                .len();
            }
            let per = start.elapsed().as_secs_f64() / rounds as f64;
            println!(
                "  {n:>5} provisioners, {credits:>6} credits: {:>9.1} us per committee, {} members",
                per * 1e6,
                members as u64 / rounds
            );
        }
    }
}
