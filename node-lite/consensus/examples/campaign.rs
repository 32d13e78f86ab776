//! A simulation campaign: many seeds, each with options drawn from the seed (network delays,
//! loss, duplication, offline/crashed/slow nodes, partitions) and optionally Byzantine nodes;
//! prints every failing seed with its options, and the throughput of the simulator.
//!
//! ```text
//! cargo run --release -p consensus --example campaign -- --seeds 100 --rounds 1000 \
//!     [--provisioners 4] [--mode private|public] [--byzantine withhold|equivocate|invalid|stale|twin] [--calm]
//! ```
//! `--calm` turns off every fault (the throughput baseline of item 8).

use consensus::sim::{Behaviour, SimOptions, Simulator};
use genesis_types::committee::Mode;
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = arg(&args, "--seeds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let rounds: u64 = arg(&args, "--rounds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let n: usize = arg(&args, "--provisioners")
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let first: u64 = arg(&args, "--first-seed")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mode = match arg(&args, "--mode").as_deref() {
        Some("public") => Mode::Public,
        _ => Mode::Private,
    };
    let calm = args.iter().any(|a| a == "--calm");
    let byzantine = arg(&args, "--byzantine");
    let mut total_rounds = 0u64;
    let mut total_deliveries = 0u64;
    let mut total_broadcasts = 0u64;
    let mut total_virtual = 0u64;
    let mut failures = 0u64;
    let mut faults_caught = 0u64;
    let started = Instant::now();
    for seed in first..first + seeds {
        let horizon = rounds * 1_000;
        let mut options = if calm {
            SimOptions::calm(seed, n, mode)
        } else {
            SimOptions::from_seed(seed, n, mode, horizon.min(120_000))
        };
        // A Byzantine node never counts as one of the honest provisioners.
        let behaviour = match byzantine.as_deref() {
            Some("withhold") => Some(Behaviour::Withhold),
            Some("equivocate") => Some(Behaviour::EquivocatingGenerator),
            Some("invalid") => Some(Behaviour::InvalidCandidates),
            Some("stale") => Some(Behaviour::StaleAndFuture),
            Some("twin") => Some(Behaviour::TwinOf(0)),
            _ => None,
        };
        match behaviour {
            Some(Behaviour::TwinOf(o)) => {
                options.byzantine.push((n, Behaviour::TwinOf(o)));
            }
            Some(b) => options.byzantine.push((n - 1, b)),
            None => {}
        }
        let printed = options.to_string();
        let mut sim = Simulator::new(options);
        match sim.run(rounds) {
            Ok(report) => {
                total_rounds += report.min_final;
                total_deliveries += report.deliveries;
                total_broadcasts += report.broadcasts;
                total_virtual += report.time;
                faults_caught += report.faults.values().sum::<u64>();
            }
            Err(violation) => {
                failures += 1;
                println!("VIOLATION {violation}\n{printed}\n");
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "{seeds} seeds x {rounds} rounds, {n} provisioners, {mode:?} mode, faults {}, byzantine {:?}",
        if calm { "off" } else { "from seed" },
        byzantine
    );
    println!(
        "violations: {failures}; rounds finalized: {total_rounds}; equivocation proofs by honest nodes: {faults_caught}"
    );
    println!(
        "wall {wall:.1} s: {:.0} rounds/s; virtual block time {:.0} ms; per round {:.0} broadcasts, {:.0} messages delivered",
        total_rounds as f64 / wall,
        total_virtual as f64 / total_rounds.max(1) as f64,
        total_broadcasts as f64 / total_rounds.max(1) as f64,
        total_deliveries as f64 / total_rounds.max(1) as f64
    );
    if failures > 0 {
        std::process::exit(1);
    }
}
