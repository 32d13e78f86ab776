//! What a simulated run produced.

use crate::types::{Hash, Time};
use std::collections::BTreeMap;

/// An equivocation proof seen by an honest node: (key index, round, iteration, step, first
/// bytes of the two payloads).
pub type FaultSample = (usize, u64, u8, u8, [u8; 4], [u8; 4]);

/// What a run produced.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Virtual time at the end, ms.
    pub time: Time,
    /// Each node's (height, hash) of every accepted block, in order (reverts included).
    pub accepted: Vec<Vec<(u64, Hash)>>,
    /// The lowest final height over honest nodes.
    pub min_final: u64,
    /// The highest final height over honest nodes.
    pub max_final: u64,
    /// When each height was first accepted by an honest node.
    pub first_accepted: BTreeMap<u64, Time>,
    /// Messages sent (one per recipient).
    pub deliveries: u64,
    /// Broadcasts made.
    pub broadcasts: u64,
    /// Events processed.
    pub events: u64,
    /// Equivocation proofs produced by honest nodes, by key index.
    pub faults: BTreeMap<usize, u64>,
    /// The first few equivocation proofs seen by honest nodes: (key index, round, iteration,
    /// step, the two payloads' first bytes).
    pub fault_samples: Vec<FaultSample>,
    /// Missed proposals reported (by any honest node).
    pub missed: u64,
    /// Reverts by the fork choice (over honest nodes).
    pub reverts: u64,
    /// Iterations started (over all nodes).
    pub iterations: u64,
    /// Times a node entered open consensus (the round's last iteration).
    pub open_consensus: u64,
    /// Split adversary: iterations a Byzantine key generated in (at least one of its
    /// candidates sent; `SplitAdversary::generated`).
    pub split_generated: u64,
    /// Split adversary: generated iterations whose committees met the model's equivocation
    /// event (`2B + H ≥ 2q`) in both steps.
    pub split_model_events: u64,
    /// Split adversary: iterations where both of its candidates were sent.
    pub split_attacks: u64,
    /// Split adversary: attacked iterations whose committees met the model's event (a
    /// selected sample, see `SplitAdversary::attacked_model_events`).
    pub split_attacked_model_events: u64,
    /// Split adversary: attacked iterations where its split gave both sides a quorum in both
    /// steps.
    pub split_feasible: u64,
    /// Split adversary: holds started (`SimOptions::split_hold_rounds`).
    pub split_holds: u64,
    /// Split adversary with a window (`SimOptions::split_hold_window`): the held slots that
    /// ended in two conflicting attestations of PNI 0, the first win of a conflicting `Final`,
    /// as (round, honest nodes on side A).
    pub split_window_trials: Vec<(u64, u64)>,
    /// Slots (height, iteration) where honest nodes accepted two different blocks: two
    /// conflicting success attestations.
    pub conflicting_attestations: u64,
}

impl Report {
    /// Average time between consecutive first acceptances of heights in `(from, to]`, ms.
    pub fn block_time(&self, from: u64, to: u64) -> Option<f64> {
        let a = self.first_accepted.get(&from)?;
        let b = self.first_accepted.get(&to)?;
        (to > from).then(|| (b - a) as f64 / (to - from) as f64)
    }
}
