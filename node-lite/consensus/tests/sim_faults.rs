//! Seeds, replay, network faults, absence (issue item 6), crash and restart.

use consensus::sim::{FaultEvent, SimOptions, Simulator};
use genesis_types::committee::Mode;

fn run(options: SimOptions, rounds: u64) -> consensus::sim::Report {
    let printed = options.to_string();
    let mut sim = Simulator::new(options);
    sim.run(rounds)
        .unwrap_or_else(|v| panic!("{v}\noptions:\n{printed}"))
}

#[test]
fn a_seed_replays_exactly() {
    let options = SimOptions::from_seed(11, 4, Mode::Private, 20_000);
    println!("{options}");
    let a = run(options.clone(), 12);
    let b = run(options, 12);
    assert_eq!(
        a.accepted, b.accepted,
        "every accepted block hash, node by node"
    );
    assert_eq!(a.time, b.time);
    assert_eq!(a.events, b.events);
    let c = run(SimOptions::from_seed(12, 4, Mode::Private, 20_000), 12);
    assert_ne!(a.accepted, c.accepted, "another seed, another run");
}

/// Seed 110 (5 provisioners, node 0's messages delayed ~3 s for its first 10 s) used to run
/// forever: node 0 alone saw a late success quorum at a lower iteration of round 2, the
/// lowest-iteration rule made it keep that block while the others finalized the
/// higher-iteration one, and it never finalized again (the liveness check only watched the
/// fastest node). Now node 0 follows the branch its own finality rule labels final, and a node
/// left behind while connected is a liveness violation, so this cannot hang again.
#[test]
fn a_node_alone_on_a_lower_iteration_block_rejoins_the_final_branch() {
    let options = SimOptions::from_seed(110, 5, Mode::Private, 30_000);
    let report = run(options, 20);
    assert!(report.min_final >= 20);
    assert!(report.reverts >= 1, "node 0 left its branch");
}

/// Seeds 112, 188 and 263 (5 provisioners, a node crashing in the first seconds) left the
/// restarted node stuck for good: its persisted chain began at block 1 (genesis is never
/// persisted), which it took for its final base, and it could check no block 2.
#[test]
fn a_node_restarted_before_any_final_block_catches_up() {
    for seed in [112, 188, 263] {
        let report = run(SimOptions::from_seed(seed, 5, Mode::Private, 50_000), 50);
        assert!(report.min_final >= 50, "seed {seed}");
    }
}

#[test]
fn seeded_network_faults_keep_safety_and_liveness() {
    let mut rounds = 0;
    for seed in 100..106 {
        for mode in [Mode::Private, Mode::Public] {
            let options = SimOptions::from_seed(seed, 5, mode, 30_000);
            let report = run(options, 10);
            assert!(report.min_final >= 10);
            rounds += report.min_final;
        }
    }
    println!("{rounds} rounds finalized over 12 seeded runs, no violation");
}

fn block_time(options: SimOptions, rounds: u64) -> f64 {
    let report = run(options, rounds);
    report.block_time(1, rounds).expect("heights accepted")
}

#[test]
fn one_of_four_offline_slows_blocks_but_they_finalize() {
    for mode in [Mode::Private, Mode::Public] {
        let calm = block_time(SimOptions::calm(3, 4, mode), 40);
        let mut options = SimOptions::calm(3, 4, mode);
        options.faults.push(FaultEvent::Offline {
            node: 3,
            from: 0,
            until: u64::MAX,
        });
        if mode == Mode::Public {
            // Public committees exclude this and the next generator: with 4 provisioners a
            // committee is 2 of them, so an iteration whose committee holds the offline node
            // fails, often without a fail attestation, and blocks stay `Accepted` (not
            // `Attested`) for long stretches: rolling finality lags (see the README).
            options.liveness_bound = 600_000;
        }
        // The offline node is honest but cut off: count only the three others.
        let mut sim = Simulator::new(options);
        let report = sim
            .run_nodes(&[0, 1, 2], 40)
            .unwrap_or_else(|v| panic!("{v}"));
        let online_min = sim.final_heights()[..3].iter().min().copied().unwrap_or(0);
        let degraded = report.block_time(1, 40).expect("progress");
        println!(
            "{mode:?}: block time 4/4 online {calm:.0} ms, 3/4 online {degraded:.0} ms ({:.2}x), {online_min} final blocks at {} ms",
            degraded / calm,
            report.time
        );
        assert!(online_min >= 40, "{mode:?}: only {online_min} blocks final");
        if mode == Mode::Private {
            assert!(degraded / calm <= 3.0, "goal: at most 3x slower");
        }
    }
}

#[test]
fn two_of_four_offline_stall_without_conflict_and_resume() {
    let mut options = SimOptions::calm(5, 4, Mode::Private);
    options.faults.push(FaultEvent::Offline {
        node: 2,
        from: 10_000,
        until: 60_000,
    });
    options.faults.push(FaultEvent::Offline {
        node: 3,
        from: 10_000,
        until: 60_000,
    });
    let mut sim = Simulator::new(options);
    let before = sim.run_until(12_000).unwrap_or_else(|v| panic!("{v}"));
    let during = sim.run_until(59_000).unwrap_or_else(|v| panic!("{v}"));
    println!(
        "final heights: {} at 12 s, {} at 59 s (2 of 4 offline from 10 s to 60 s)",
        before.max_final, during.max_final
    );
    // A block accepted just before the cut may still be finalized; nothing after it.
    assert!(during.max_final <= before.max_final + 2);
    let first_stalled = during.max_final;
    let resumed = sim
        .run(first_stalled + 10)
        .unwrap_or_else(|v| panic!("{v}"));
    println!(
        "after they return: {} final blocks on every node at {} ms",
        resumed.min_final, resumed.time
    );
    assert!(resumed.min_final >= first_stalled + 10);
}

#[test]
fn crash_and_restart_never_double_votes() {
    for seed in 0..4 {
        let mut options = SimOptions::calm(seed, 4, Mode::Private);
        // Crash a node mid-round, several times; the invariant checker sees every vote sent.
        for k in 0..5 {
            options.faults.push(FaultEvent::Crash {
                node: (seed as usize + k) % 4,
                at: 3_000 + 4_000 * k as u64 + seed * 137,
                restart: 3_600 + 4_000 * k as u64 + seed * 137,
            });
        }
        let report = run(options, 25);
        assert!(report.min_final >= 25);
    }
}

#[test]
fn past_the_last_iteration_open_consensus_waits_and_resumes() {
    let mut options = SimOptions::calm(9, 4, Mode::Private);
    options.config.max_iterations = 3;
    for node in [2, 3] {
        options.faults.push(FaultEvent::Offline {
            node,
            from: 5_000,
            until: 40_000,
        });
    }
    let mut sim = Simulator::new(options);
    let stalled = sim.run_until(39_000).unwrap_or_else(|v| panic!("{v}"));
    assert!(stalled.open_consensus > 0, "the last iteration was reached");
    let resumed = sim
        .run(stalled.max_final + 5)
        .unwrap_or_else(|v| panic!("{v}"));
    println!(
        "open consensus entered {} times; final {} at 39 s, {} at {} ms",
        stalled.open_consensus, stalled.max_final, resumed.min_final, resumed.time
    );
    assert!(resumed.min_final >= stalled.max_final + 5);
}
