//! The committees of decided rounds, as the API serves them (`GET /committee/{round}/{iteration}/
//! {step}`): recomputed on request from what a node stores with each block — the block (its
//! header's generator, `failed_iterations` attestations and its own attestation) and the
//! eligible set the round was drawn from (`store.rs`, record `e` of the parent; the genesis
//! set for round 1) — with the consensus's own sortition. Nothing is computed while blocks are
//! made: only a query pays.
//!
//! - **proposal**: the iteration's generator (public draw in both modes, 1 credit);
//! - **validation / ratification**: public mode, the whole committee; private mode, the members
//!   the step's votes in the chain reveal (the success attestation of the decided iteration, the
//!   fail attestations the header lists for earlier ones), with the credits their VRF proofs
//!   give (checked by the consensus when the block was accepted, not again). An iteration that
//!   failed without an attestation in the header reveals nobody.

use super::keys::ConsensusKeys;
use super::store::NodeStore;
use super::voters::step_voters;
use crate::node_api::{ApiError, CommitteeView};
use consensus::{Block, Header, Sortition, StaticEligibility};
use genesis_types::committee::{CommitteeParams, Mode};
use genesis_types::stake::{Eligible, Step};

/// What answers committee queries for one node.
pub struct Committees<'a> {
    /// The node's store.
    pub store: &'a NodeStore,
    /// The keys (for the consensus ↔ stake key map).
    pub keys: &'a ConsensusKeys,
    /// The committee parameters.
    pub params: CommitteeParams,
    /// The genesis block's header.
    pub genesis: &'a Header,
    /// Round 1's eligible set (stake keys).
    pub genesis_set: &'a [Eligible],
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// `proposal`, `validation` or `ratification`.
///
/// # Errors
/// [`ApiError::BadRequest`] naming the step otherwise.
pub fn parse_step(step: &str) -> Result<Step, ApiError> {
    match step {
        "proposal" => Ok(Step::Proposal),
        "validation" => Ok(Step::Validation),
        "ratification" => Ok(Step::Ratification),
        _ => Err(ApiError::BadRequest(format!(
            "step `{step}`: proposal, validation or ratification"
        ))),
    }
}

impl Committees<'_> {
    fn block(&self, height: u64) -> Result<Option<Block>, ApiError> {
        self.store.block(height).map_err(internal)
    }

    /// The committee of `step` in `iteration` of the decided round `round`.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] for round 0, a round not decided (yet) on this node, or an
    /// iteration after the one that decided it; [`ApiError::BadRequest`] for a bad step.
    pub fn committee(
        &self,
        round: u64,
        iteration: u8,
        step_name: &str,
    ) -> Result<CommitteeView, ApiError> {
        let step = parse_step(step_name)?;
        let not_found =
            |why: String| ApiError::NotFound(format!("committee of round {round}: {why}"));
        if round == 0 {
            return Err(not_found("genesis has no committee".into()));
        }
        let block = self
            .block(round)?
            .ok_or_else(|| not_found("the round is not decided on this node".into()))?;
        let decided = block.header().iteration;
        if iteration > decided {
            return Err(not_found(format!(
                "the round was decided at iteration {decided}"
            )));
        }
        let (parent, set) = if round == 1 {
            (self.genesis.clone(), self.genesis_set.to_vec())
        } else {
            let parent = self
                .block(round - 1)?
                .ok_or_else(|| not_found("its parent is not stored".into()))?;
            let set = self
                .store
                .eligible_after(round - 1)
                .map_err(internal)?
                .ok_or_else(|| not_found("its eligible set is not stored".into()))?;
            (parent.header().clone(), set)
        };
        let consensus_set = set
            .iter()
            .map(|e| Eligible {
                key: self.keys.consensus_key(&e.key),
                weight: e.weight,
            })
            .collect();
        let eligibility = StaticEligibility::new(consensus_set, self.params);
        let mut sortition = Sortition::new(&eligibility, &parent);
        let stake_hex = |k: &genesis_types::BlsPublicKey| hex::encode(self.keys.stake_key(k).0);
        let (total_credits, mut members) = match step {
            Step::Proposal => (
                1,
                sortition
                    .generator(iteration)
                    .map(|g| vec![(stake_hex(&g), 1)])
                    .unwrap_or_default(),
            ),
            Step::Validation | Step::Ratification => {
                let credits = self.params.credits(step);
                let members = match self.params.mode {
                    Mode::Public => sortition
                        .public_members(iteration, step)
                        .iter()
                        .map(|m| (stake_hex(&m.key), m.credits))
                        .collect(),
                    Mode::Private => {
                        let attestation = if iteration == decided {
                            Some(&block.attestation)
                        } else {
                            block
                                .header()
                                .failed_iterations
                                .get(usize::from(iteration))
                                .and_then(Option::as_ref)
                        };
                        match attestation {
                            Some(att) => {
                                let votes = match step {
                                    Step::Validation => &att.validation,
                                    _ => &att.ratification,
                                };
                                step_voters(&mut sortition, iteration, step, votes)
                                    .iter()
                                    .map(|(k, c)| (stake_hex(k), *c))
                                    .collect()
                            }
                            None => Vec::new(),
                        }
                    }
                };
                (credits, members)
            }
        };
        members.sort();
        Ok(CommitteeView {
            round,
            iteration,
            step: step_name.to_string(),
            total_credits,
            members,
            provisioners: set
                .iter()
                .map(|e| (hex::encode(e.key.0), e.weight.to_string()))
                .collect(),
        })
    }
}
