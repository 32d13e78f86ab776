//! The encoded size of a block's attestation in private and public mode, measured on
//! simulated chains: `cargo run --release -p consensus --example attestation_size`.
//!
//! Public step votes are a bitset over the committee (at most 64 members: one word) and one
//! aggregate signature; private step votes add a bitset over the whole eligible set and each
//! voter's 48-byte VRF proof, so anyone can recompute every voter's credits.

use consensus::sim::{SimOptions, Simulator};
use genesis_types::committee::Mode;

fn main() {
    println!("| provisioners | mode | voters (validation + ratification) | attestation bytes |");
    println!("|---|---|---|---|");
    for n in [4usize, 16, 64] {
        for mode in [Mode::Public, Mode::Private] {
            let rounds = 12;
            let mut sim = Simulator::new(SimOptions::calm(1, n, mode));
            sim.run(rounds).expect("calm run");
            let (mut bytes, mut voters, mut samples) = (0usize, 0usize, 0usize);
            // Each node's tip carries the attestation it formed or received, and its header
            // the parent's: two samples per node.
            for node in 0..n {
                let tip = sim.tip(node);
                let parent = tip.header().prev_attestation.clone();
                for att in std::iter::once(tip.attestation.clone()).chain(parent) {
                    bytes += borsh::to_vec(&att).map(|v| v.len()).unwrap_or(0);
                    voters += att.validation.voters.len() + att.ratification.voters.len();
                    samples += 1;
                }
            }
            let blocks = samples;
            println!(
                "| {n} | {mode:?} | {:.1} | {:.0} |",
                voters as f64 / blocks.max(1) as f64,
                bytes as f64 / blocks.max(1) as f64
            );
        }
    }
}
