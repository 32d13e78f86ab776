//! The happy path: all provisioners online, blocks finalize.

use consensus::sim::{SimOptions, Simulator};
use genesis_types::committee::Mode;
use std::sync::Arc;

#[test]
fn four_nodes_finalize_in_both_modes() {
    for mode in [Mode::Private, Mode::Public] {
        let options = SimOptions::calm(1, 4, mode);
        let mut sim = Simulator::new(options);
        let report = sim.run(20).unwrap_or_else(|v| panic!("{v}"));
        println!(
            "{mode:?}: {report:?}",
            report = (report.min_final, report.time, report.iterations)
        );
        assert!(report.min_final >= 20);
    }
}

/// The nodes of one process retain one copy of a block's transactions between them: every
/// node's block at a height points to the list of the candidate its generator broadcast
/// (`Candidate::txs` is an `Arc`), not to a copy of its own.
#[test]
fn the_nodes_share_one_copy_of_a_blocks_transactions() {
    let mut sim = Simulator::new(SimOptions::calm(3, 4, Mode::Private));
    let report = sim.run(10).unwrap_or_else(|v| panic!("{v}"));
    assert!(report.min_final >= 10);
    for height in 1..=10 {
        let first = &sim.chain(0).get(height).expect("retained").block;
        assert!(
            !first.candidate.txs.is_empty(),
            "the sim's blocks carry txs"
        );
        for node in 1..4 {
            let other = &sim.chain(node).get(height).expect("retained").block;
            assert_eq!(other.hash(), first.hash(), "one chain");
            assert!(
                Arc::ptr_eq(&other.candidate.txs, &first.candidate.txs),
                "node {node}'s block {height} holds its own copy of the transactions"
            );
        }
    }
}
