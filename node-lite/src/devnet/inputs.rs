//! A block's protocol inputs (`chain::ProtocolInputs`) as every node derives them from the
//! block and the chain: the generator (rewards, fees), the voters its `prev_attestation`
//! includes (`voters.rs`), the **absent generators** — the generators of the round's earlier
//! iterations that failed with a `NoCandidate` attestation the header lists (the consensus's
//! `MissedProposal` rule), drawn with the round's sortition — and the **equivocation proofs**
//! the candidate carries. All keys are stake keys (`ConsensusKeys::stake_key`).
//!
//! A failed iteration without an attestation in the header (the generator built on without
//! one) reports nobody: only what the block proves is charged.

use super::keys::ConsensusKeys;
use super::voters::voters_of;
use crate::chain::ProtocolInputs;
use consensus::{Attestation, Eligibility, Header, Sortition, VoteValue};
use genesis_types::BlsPublicKey;
use genesis_types::stake::Equivocation;

/// What a block at `parent.height + 1` tells the protocol calls.
#[derive(Clone, Copy)]
pub struct BlockDuties<'a> {
    /// The block's parent.
    pub parent: &'a Header,
    /// The parent's parent (`None` when the parent is genesis): the round the parent decided
    /// was drawn from it.
    pub grandparent: Option<&'a Header>,
    /// The block's generator (consensus key).
    pub generator: BlsPublicKey,
    /// The parent's attestation the block includes (`None` for the block after genesis).
    pub prev_attestation: Option<&'a Attestation>,
    /// The header's `failed_iterations`.
    pub failed_iterations: &'a [Option<Attestation>],
    /// The candidate's fault proofs.
    pub faults: &'a [Equivocation],
}

/// The generators of the `NoCandidate` iterations `failed_iterations` lists, for the round after
/// `parent` (consensus keys, in iteration order).
pub fn absent_generators(
    eligibility: &dyn Eligibility,
    parent: &Header,
    failed_iterations: &[Option<Attestation>],
) -> Vec<BlsPublicKey> {
    let mut sortition = Sortition::new(eligibility, parent);
    failed_iterations
        .iter()
        .enumerate()
        .filter_map(|(i, att)| {
            let att = att.as_ref()?;
            if att.result != VoteValue::NoCandidate {
                return None;
            }
            sortition.generator(u8::try_from(i).ok()?)
        })
        .collect()
}

/// The protocol inputs of a block (emission left at 0: the executor sets the chain's).
pub fn protocol_inputs(
    keys: &ConsensusKeys,
    eligibility: &dyn Eligibility,
    duties: &BlockDuties,
) -> ProtocolInputs {
    let voters = match (duties.prev_attestation, duties.grandparent) {
        (Some(att), Some(grandparent)) => {
            voters_of(keys, eligibility, grandparent, duties.parent.iteration, att)
        }
        _ => Vec::new(),
    };
    ProtocolInputs {
        generator: keys.stake_key(&duties.generator),
        voters,
        absent_generators: absent_generators(eligibility, duties.parent, duties.failed_iterations)
            .iter()
            .map(|k| keys.stake_key(k))
            .collect(),
        faults: duties.faults.to_vec(),
        emission: 0,
    }
}
