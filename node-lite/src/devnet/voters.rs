//! Who a block's included votes credit: the voters of its parent's attestation (the block
//! carries it in `prev_attestation`), with their credits in the validation and ratification
//! steps, mapped to the BLS keys the genesis staked (the `voters` input of the reward split).
//!
//! The credits are recomputed from the attestation with the consensus's own sortition
//! (`consensus::Sortition` over `genesis-types`): in private mode each voter's VRF proof gives its
//! credits, in public mode the committee's. Every node derives the same list from the same chain.

use super::keys::ConsensusKeys;
use consensus::{Attestation, Crypto, Eligibility, Header, Sortition, StepVotes};
use genesis_types::BlsPublicKey;
use genesis_types::committee::Mode;
use genesis_types::stake::Step;
use std::collections::BTreeMap;

/// The voters whose votes `attestation` holds — the attestation of the block after `parent`
/// decided at `iteration`, as a block's `prev_attestation` carries it — with their credits summed
/// over both steps (stake keys, sorted). The round was drawn from `parent` (its seed, and the
/// set `eligibility` gives for its state). A vote that does not check out is left out.
pub fn voters_of(
    keys: &ConsensusKeys,
    eligibility: &dyn Eligibility,
    parent: &Header,
    iteration: u8,
    attestation: &Attestation,
) -> Vec<(BlsPublicKey, u32)> {
    let mut sortition = Sortition::new(eligibility, parent);
    let crypto: &dyn Crypto = keys.crypto.as_ref();
    let mut credits: BTreeMap<BlsPublicKey, u32> = BTreeMap::new();
    for (step, votes) in [
        (Step::Validation, &attestation.validation),
        (Step::Ratification, &attestation.ratification),
    ] {
        for (key, c) in step_voters(&mut sortition, crypto, iteration, step, votes) {
            let entry = credits.entry(keys.stake_key(&key)).or_default();
            *entry = entry.saturating_add(c);
        }
    }
    credits.into_iter().collect()
}

pub(super) fn step_voters(
    sortition: &mut Sortition,
    crypto: &dyn Crypto,
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
            let provisioners: Vec<BlsPublicKey> =
                sortition.provisioners().iter().map(|(k, _)| *k).collect();
            votes
                .voters
                .iter()
                .zip(&votes.proofs)
                .filter_map(|(p, proof)| {
                    let key = *provisioners.get(p)?;
                    let (c, _) = sortition
                        .credits_of(crypto, &key, iteration, step, Some(proof))
                        .ok()?;
                    Some((key, c))
                })
                .collect()
        }
    }
}
