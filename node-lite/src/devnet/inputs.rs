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

#[cfg(test)]
mod tests {
    use super::super::keys::Signatures;
    use super::*;
    use consensus::{Block, Genesis, StaticEligibility, StepVotes};
    use genesis_types::stake::{Eligible, SignedVote, Step, VoteHeader};
    use genesis_types::{BlsSignature, Seed};

    fn attestation(result: VoteValue) -> Option<Attestation> {
        Some(Attestation {
            result,
            validation: StepVotes::empty(),
            ratification: StepVotes::empty(),
        })
    }

    #[test]
    fn nocandidate_iterations_charge_their_generators_and_faults_pass_through() {
        let prices = runtime::PriceTable::default();
        let genesis = crate::chain::GenesisConfig::parse(
            crate::chain::genesis_config::DEFAULT_GENESIS_TOML,
            &prices,
        )
        .unwrap();
        let keys = ConsensusKeys::new(&genesis, 4, Signatures::Fake);
        let eligible = keys
            .signers
            .iter()
            .map(|s| Eligible {
                key: s.public_key(),
                weight: 1_000_000,
            })
            .collect();
        let eligibility = StaticEligibility::new(eligible, genesis.committee);
        let parent = Block::genesis(&Genesis {
            seed: Seed([3; 48]),
            state_root: [1; 32],
            timestamp: 0,
        })
        .header()
        .clone();
        let failed = vec![
            attestation(VoteValue::NoCandidate),
            attestation(VoteValue::NoQuorum),
            None,
            attestation(VoteValue::NoCandidate),
        ];
        let mut sortition = Sortition::new(&eligibility, &parent);
        let expected: Vec<BlsPublicKey> = [0u8, 3]
            .iter()
            .map(|i| keys.stake_key(&sortition.generator(*i).unwrap()))
            .collect();
        let vote = |payload| SignedVote {
            header: VoteHeader {
                round: 1,
                iteration: 0,
                step: Step::Validation,
                payload,
            },
            signature: BlsSignature([0; 48]),
        };
        let fault = Equivocation {
            key: keys.signers[0].public_key(),
            first: vote([1; 32]),
            second: vote([2; 32]),
        };
        let inputs = protocol_inputs(
            &keys,
            &eligibility,
            &BlockDuties {
                parent: &parent,
                grandparent: None,
                generator: keys.signers[2].public_key(),
                prev_attestation: None,
                failed_iterations: &failed,
                faults: &[fault],
            },
        );
        assert_eq!(inputs.absent_generators, expected);
        // Stake keys: the genesis provisioners' BLS keys, not the fake consensus keys.
        let staked: Vec<BlsPublicKey> = genesis
            .provisioners
            .iter()
            .map(|p| p.key().public)
            .collect();
        assert!(inputs.absent_generators.iter().all(|k| staked.contains(k)));
        assert_eq!(inputs.generator, genesis.provisioners[2].key().public);
        assert_eq!(inputs.faults, vec![fault]);
        assert!(inputs.voters.is_empty());
        // Without fail attestations nobody is charged.
        let none = absent_generators(&eligibility, &parent, &[None, None]);
        assert!(none.is_empty());
    }
}
