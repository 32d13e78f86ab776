//! The split adversary (issue items 5 and 7) against the risk model: Byzantine keys vote for
//! two conflicting candidates in every iteration they generate and order deliveries so that
//! the honest votes split between them (`consensus::sim::split`).
//!
//! ```text
//! cargo run --release -p consensus --example split_attack -- --provisioners 10 --byzantine 3 \
//!     [--committee 64] [--seeds 20] [--rounds 50] [public] [--first-seed 0] [--hold R] \
//!     [--window W]
//! ```
//!
//! Equal stakes (1,000 lots each), a calm network; the first `--byzantine` provisioners are the
//! adversary; `--hold R` keeps the sides of an attacked slot apart for `R` rounds after it
//! (`SimOptions::split_hold_rounds`: what a conflicting `Final` block needs); `--window W`
//! makes the hold the model's window adversary (`SimOptions::split_hold_window`: sides cut
//! apart in the first `W` iterations of each held round, the copies silent after), and the
//! run then compares the conflicting `Final` blocks with the model's second win `P₂` summed
//! over the trials (held slots with two conflicting attestations of PNI 0; exact for `W = 1`,
//! `R = 1`; liveness is not checked, and every run goes to `--rounds` × 2 s of virtual time). Each run stops at its first violation (a conflicting `Final` block breaks
//! safety) or after `--rounds` final blocks (at or above F = 1/3: at `--rounds` × 2 s of
//! virtual time, since nothing bounds liveness there). Prints, over all runs: attacked iterations,
//! iterations with two conflicting success attestations (two honest nodes accepting different
//! blocks in one slot), violations by kind; and, per Byzantine-generated iteration (at least
//! one copy proposed: `SplitAdversary::generated`; attacked iterations, where both did, are a
//! sample selected by the slot's committees and are printed apart), how often the drawn
//! committees met the model's equivocation event in both steps against the model's odds of it
//! given a Byzantine generator (`equivocation.per_iteration / generator.byzantine` for
//! `--provisioners` provisioners of 1,000 lots each: `per_step²` in private mode; in public mode
//! the committees exclude this and the next iteration's generator), with the binomial standard
//! error.

use consensus::risk::{RiskParams, assess, conflicting_final};
use consensus::sim::{SimOptions, Simulator};
use genesis_types::committee::Mode;
use std::collections::BTreeMap;
use std::time::Instant;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = arg(&args, "--provisioners", 10) as usize;
    let k = arg(&args, "--byzantine", 3) as usize;
    let committee = arg(&args, "--committee", 64) as u32;
    let seeds = arg(&args, "--seeds", 20);
    let rounds = arg(&args, "--rounds", 50);
    let first = arg(&args, "--first-seed", 0);
    let hold = arg(&args, "--hold", 0);
    let window = args
        .iter()
        .any(|a| a == "--window")
        .then(|| arg(&args, "--window", 1) as u8);
    let (mut trials, mut trial_finals) = (Vec::new(), 0u64);
    let mode = if args.iter().any(|a| a == "public") {
        Mode::Public
    } else {
        Mode::Private
    };
    let start = Instant::now();
    let (mut attacks, mut conflicts, mut finals) = (0u64, 0u64, 0u64);
    let (mut generated, mut events, mut feasible) = (0u64, 0u64, 0u64);
    let mut attacked_events = 0u64;
    let (mut conflicting_finals, mut holds) = (0u64, 0u64);
    let mut violations: BTreeMap<String, u64> = BTreeMap::new();
    for seed in first..first + seeds {
        let mut options = SimOptions::calm(seed, n, mode);
        options.committee_credits = committee;
        options.split_adversary(&(0..k).collect::<Vec<_>>());
        options.split_hold_rounds = hold;
        options.split_hold_window = window;
        // The window campaign measures safety against the model; the stalls of held runs
        // are the plain hold's measurement, so liveness is not checked there and runs go
        // to the same virtual time.
        if window.is_some() {
            options.liveness_bound = u64::MAX / 4;
        }
        let mut sim = Simulator::new(options);
        // At or above 1/3 the honest stake alone is under 2/3, so no liveness bound applies
        // and a stalled run would never reach `rounds`: such runs stop at a virtual time of
        // `rounds` × 2 s (twice the happy path's block time) instead.
        let outcome = if 3 * k >= n || window.is_some() {
            sim.run_until(rounds * 2_000)
        } else {
            sim.run(rounds)
        };
        let report = sim.report();
        generated += report.split_generated;
        events += report.split_model_events;
        attacks += report.split_attacks;
        attacked_events += report.split_attacked_model_events;
        feasible += report.split_feasible;
        holds += report.split_holds;
        conflicts += report.conflicting_attestations;
        finals += report.min_final;
        trials.extend(report.split_window_trials.iter().map(|t| t.1));
        if let Err(v) = &outcome
            && report.split_window_trials.iter().any(|(round, _)| {
                v.reason
                    .starts_with(&format!("two different Final blocks at height {round} "))
            })
        {
            trial_finals += 1;
        }
        if let Err(v) = outcome {
            let kind = v.reason.split(':').next().unwrap_or("").to_string();
            let safety = !v.reason.starts_with("liveness");
            if safety {
                conflicting_finals += u64::from(v.reason.starts_with("two different Final"));
            }
            *violations
                .entry(if safety { "safety".into() } else { kind })
                .or_default() += 1;
            // Every safety violation, and the first three others.
            if safety || violations.values().sum::<u64>() <= 3 {
                println!("seed {seed}: {}", v.reason);
            }
        }
    }
    let f = k as f64 / n as f64;
    println!(
        "{n} provisioners, {k} Byzantine (F = {f:.3}), {mode:?}, committee {committee}, {seeds} seeds x up to {rounds} rounds, hold {hold}"
    );
    println!(
        "final blocks (slowest honest node, summed): {finals}; Byzantine-generated iterations: {generated}, of which the committees met the model's event 2B + H >= 2q in both steps: {events}; attacked iterations (both candidates sent): {attacks}, of which the committees met the model's event: {attacked_events}, the adversary's split gave both sides a quorum in both steps: {feasible}; conflicting attestations: {conflicts}; holds started: {holds}; conflicting Final blocks: {conflicting_finals}; violations: {violations:?}"
    );
    let params = RiskParams::new(f, committee, mode)
        .with_provisioners(n as u64)
        .with_lots(1_000);
    if let Some(w) = window {
        let (mut expected, mut variance) = (0.0, 0.0);
        for side_a in &trials {
            match conflicting_final(&params, *side_a, u32::from(w)) {
                Ok(odds) => {
                    expected += odds.second_win;
                    variance += odds.second_win * (1.0 - odds.second_win);
                }
                Err(e) => println!("model: {e}"),
            }
        }
        println!(
            "window {w}: trials (held slots with two conflicting attestations of PNI 0): {}; conflicting Final blocks at a trial's height: {trial_finals}; model (sum of P2 over the trials): {expected:.4}, variance {variance:.4}, standard deviation {:.2}, (observed - model) / sd = {:.2}",
            trials.len(),
            variance.sqrt(),
            (trial_finals as f64 - expected) / variance.sqrt().max(f64::MIN_POSITIVE)
        );
    }
    match assess(&params) {
        Ok(model) => {
            let step = model.equivocation.per_step.value();
            // Given a Byzantine generator (public committees exclude it, all its lots).
            let p = model.equivocation.per_iteration.value() / model.generator.byzantine.value();
            let z = |events: u64, trials: u64| {
                let observed = events as f64 / trials.max(1) as f64;
                let se = (p * (1.0 - p) / trials.max(1) as f64).sqrt();
                (observed, se, (observed - p) / se.max(f64::MIN_POSITIVE))
            };
            let (observed, se, score) = z(events, generated);
            println!(
                "model event per Byzantine-generated iteration: observed {observed:.4}, model {p:.4} (per step {step:.4}), standard error {se:.4}, (observed - model) / se = {score:.2}"
            );
            let (observed, se, score) = z(attacked_events, attacks);
            println!(
                "the same over attacked iterations only (a selected sample: whether the second copy proposes depends on the slot's committees): observed {observed:.4}, standard error {se:.4}, (observed - model) / se = {score:.2}"
            );
        }
        Err(e) => println!("model: {e}"),
    }
    println!("wall {:.1} s", start.elapsed().as_secs_f64());
}
