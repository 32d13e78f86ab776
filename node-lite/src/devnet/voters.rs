//! Who a block's included votes credit: the voters of its parent's attestation (the block
//! carries it in `prev_attestation`), with their credits in the validation and ratification
//! steps, mapped to the BLS keys the genesis staked (the `voters` input of the reward split).
//!
//! The credits are recomputed from the attestation with the consensus's own sortition
//! (`consensus::Sortition` over `genesis-types`): in private mode each voter's VRF proof gives its
//! credits, in public mode the committee's. Every node derives the same list from the same chain.
//!
//! The proofs are **not verified again**: the consensus checked the attestation before any
//! execution of a block carrying it (a candidate's `prev_attestation` is verified unless it is
//! the parent's own attestation, verified when the parent was accepted), and a BLS verification
//! costs about a millisecond. A private-mode voter's credits are `genesis-types`'
//! `private_credits` of its proof's BLAKE2b-256, as `Sortition::credits_of` computes them.

use super::keys::ConsensusKeys;
use consensus::{Attestation, Eligibility, Header, Sortition, StepVotes, blake2b256};
use genesis_types::BlsPublicKey;
use genesis_types::committee::Mode;
use genesis_types::sortition::private_credits;
use genesis_types::stake::Step;
use std::collections::BTreeMap;

/// The voters whose votes `attestation` holds — the attestation of the block after `parent`
/// decided at `iteration`, as a block's `prev_attestation` carries it — with their credits summed
/// over both steps (stake keys, sorted). The round was drawn from `parent` (its seed, and the
/// set `eligibility` gives for its state). A voter outside the set is left out.
pub fn voters_of(
    keys: &ConsensusKeys,
    eligibility: &dyn Eligibility,
    parent: &Header,
    iteration: u8,
    attestation: &Attestation,
) -> Vec<(BlsPublicKey, u32)> {
    let mut sortition = Sortition::new(eligibility, parent);
    let mut credits: BTreeMap<BlsPublicKey, u32> = BTreeMap::new();
    for (step, votes) in [
        (Step::Validation, &attestation.validation),
        (Step::Ratification, &attestation.ratification),
    ] {
        for (key, c) in step_voters(&mut sortition, iteration, step, votes) {
            let entry = credits.entry(keys.stake_key(&key)).or_default();
            *entry = entry.saturating_add(c);
        }
    }
    credits.into_iter().collect()
}

/// The voters of one step's votes with their credits (consensus keys, bitset order).
pub(super) fn step_voters(
    sortition: &mut Sortition,
    iteration: u8,
    step: Step,
    votes: &StepVotes,
) -> Vec<(BlsPublicKey, u32)> {
    match sortition.mode() {
        Mode::Public => {
            let members = sortition.public_members(iteration, step);
            votes
                .voters
                .iter()
                .filter_map(|p| members.get(p).map(|m| (m.key, m.credits)))
                .collect()
        }
        Mode::Private => {
            let lots = sortition.provisioners();
            let total_lots: u64 = lots.iter().map(|(_, l)| *l).sum();
            let credits = sortition.thresholds(step).committee;
            votes
                .voters
                .iter()
                .zip(&votes.proofs)
                .filter_map(|(p, proof)| {
                    let (key, own) = *lots.get(p)?;
                    let c = private_credits(&blake2b256(&proof.0), own, total_lots, credits);
                    Some((key, c))
                })
                .collect()
        }
    }
}
