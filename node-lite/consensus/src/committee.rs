//! Who may act in a slot (round, iteration, step), with how many credits, using
//! `genesis-types`' sortition so that the node and the committee contract agree bit for bit.
//!
//! - The **generator** of an iteration is drawn publicly in both modes
//!   ([`public_generator`], 1 credit): every node must know whom to expect a candidate from,
//!   whom to record a missed proposal against, and whom a double candidate convicts. (The
//!   contract's private proposal step, lowest VRF priority among ~5, would let several
//!   generators propose in one iteration and split the votes; see the README.)
//! - **Public mode** committees are [`public_committee`]'s (the generators of this and the
//!   next iteration excluded), and step votes index the committee sorted by key.
//! - **Private mode** committees are each provisioner's own draw: credits =
//!   [`private_credits`] over `BLAKE2b-256(VRF proof)`, the proof being its signature over
//!   [`sortition_message`]. Nobody is excluded (as the contract's `verify_membership`). Step
//!   votes index the eligible set sorted by key and carry the voters' proofs.
//! - Quorums are on the step's credits (public) or expected credits (private):
//!   [`supermajority`] for `Valid`, [`majority`] for the rest.

use crate::bitset::Bitset;
use crate::crypto::{Crypto, Signer};
use crate::error::MessageError;
use crate::types::{Hash, Header, StepVotes, VoteValue, blake2b256};
use genesis_types::committee::{CommitteeParams, Member, Mode, Thresholds, sortition_message};
use genesis_types::sortition::{
    lots_of, majority, private_credits, public_committee, public_generator, supermajority,
};
use genesis_types::stake::{Eligible, Step};
use genesis_types::{BlsPublicKey, BlsSignature, Seed};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The provisioners and committee parameters, as the stake and committee contracts say.
pub trait Eligibility: Send + Sync {
    /// The eligible set for `round`, sorted by key: the stake contract's set for that height as
    /// of the state of the round's parent block, whose state root is `parent_state_root` (every
    /// node derives the same set from the same parent).
    fn eligible(&self, round: u64, parent_state_root: &Hash) -> Arc<Vec<Eligible>>;
    /// The committee parameters (mode, credit unit, credits per step).
    fn params(&self) -> CommitteeParams;
}

/// A fixed eligible set (the simulator's, or a devnet without staking changes).
#[derive(Clone, Debug)]
pub struct StaticEligibility {
    /// Sorted by key.
    pub eligible: Arc<Vec<Eligible>>,
    /// The parameters.
    pub params: CommitteeParams,
}

impl StaticEligibility {
    /// Sorts `eligible` by key.
    pub fn new(mut eligible: Vec<Eligible>, params: CommitteeParams) -> Self {
        eligible.sort_by_key(|e| e.key);
        StaticEligibility {
            eligible: Arc::new(eligible),
            params,
        }
    }
}

impl Eligibility for StaticEligibility {
    fn eligible(&self, _round: u64, _parent_state_root: &Hash) -> Arc<Vec<Eligible>> {
        self.eligible.clone()
    }
    fn params(&self) -> CommitteeParams {
        self.params
    }
}

/// The thresholds of a step with `credits` (expected) credits.
pub fn thresholds(credits: u32) -> Thresholds {
    Thresholds {
        committee: credits,
        supermajority: supermajority(credits),
        majority: majority(credits),
    }
}

/// Credits a value needs: a supermajority for `Valid`, a majority otherwise.
pub fn needed(thresholds: &Thresholds, value: &VoteValue) -> u32 {
    if value.is_success() {
        thresholds.supermajority
    } else {
        thresholds.majority
    }
}

/// One round's sortition: the eligible set, the seed, and caches of generators and public
/// committees.
pub struct Sortition {
    round: u64,
    seed: Seed,
    params: CommitteeParams,
    eligible: Arc<Vec<Eligible>>,
    lots: Vec<(BlsPublicKey, u64)>,
    index: BTreeMap<BlsPublicKey, usize>,
    total_lots: u64,
    generators: BTreeMap<u8, Option<BlsPublicKey>>,
    committees: BTreeMap<(u8, Step), Arc<Vec<Member>>>,
    /// This node's VRF proofs by (signer's key, iteration, step): a proof is asked for when
    /// the node decides whether to execute a candidate and again when it votes; signed once.
    own_proofs: BTreeMap<(BlsPublicKey, u8, Step), BlsSignature>,
}

fn hasher() -> impl FnMut(&[u8]) -> [u8; 32] {
    blake2b256
}

impl Sortition {
    /// The sortition of the round after `parent` (drawn with the parent's seed, over the set
    /// eligible as of the parent's state).
    pub fn new(eligibility: &dyn Eligibility, parent: &Header) -> Self {
        let round = parent.height + 1;
        let seed = parent.seed;
        let params = eligibility.params();
        let eligible = eligibility.eligible(round, &parent.state_root);
        let lots = lots_of(&eligible, params.credit_unit);
        let index = lots.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect();
        let total_lots = lots.iter().map(|(_, l)| *l).sum();
        Sortition {
            round,
            seed,
            params,
            eligible,
            lots,
            index,
            total_lots,
            generators: BTreeMap::new(),
            committees: BTreeMap::new(),
            own_proofs: BTreeMap::new(),
        }
    }

    /// The round.
    pub fn round(&self) -> u64 {
        self.round
    }

    /// The seed.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.params.mode
    }

    /// The message a provisioner signs for its VRF proof in a slot of this round.
    pub fn sortition_message(&self, iteration: u8, step: Step) -> Vec<u8> {
        sortition_message(&self.seed, self.round, iteration, step)
    }

    /// Whether `key` holds lots in this round (a private-mode voter must).
    pub fn has_lots(&self, key: &BlsPublicKey) -> bool {
        self.index.contains_key(key)
    }

    /// The provisioners with at least one lot, sorted by key (private bitset positions).
    pub fn provisioners(&self) -> &[(BlsPublicKey, u64)] {
        &self.lots
    }

    /// The thresholds of `step`.
    pub fn thresholds(&self, step: Step) -> Thresholds {
        thresholds(self.params.credits(step))
    }

    /// The generator of `iteration` (none only with an empty eligible set).
    pub fn generator(&mut self, iteration: u8) -> Option<BlsPublicKey> {
        let (round, seed, lots) = (self.round, self.seed, &self.lots);
        *self
            .generators
            .entry(iteration)
            .or_insert_with(|| public_generator(&mut hasher(), &seed, (round, iteration), lots))
    }

    /// The public committee of a validation or ratification step, sorted by key.
    pub fn public_members(&mut self, iteration: u8, step: Step) -> Arc<Vec<Member>> {
        let (round, seed, params, eligible) = (self.round, self.seed, self.params, &self.eligible);
        self.committees
            .entry((iteration, step))
            .or_insert_with(|| {
                Arc::new(public_committee(
                    &mut hasher(),
                    &params,
                    &seed,
                    (round, iteration, step),
                    eligible,
                ))
            })
            .clone()
    }

    /// Private mode: the credits a VRF `proof` gives provisioner `position` in a slot, after
    /// checking the proof (unless `proof_checked`: the caller verified it).
    fn private_credits_of(
        &self,
        crypto: &dyn Crypto,
        position: usize,
        iteration: u8,
        step: Step,
        proof: &BlsSignature,
        proof_checked: bool,
    ) -> Result<u32, MessageError> {
        let (key, lots) = self.lots[position];
        if !proof_checked && !crypto.verify(&key, &self.sortition_message(iteration, step), proof) {
            return Err(MessageError::BadSignature("VRF proof"));
        }
        Ok(private_credits(
            &blake2b256(&proof.0),
            lots,
            self.total_lots,
            self.params.credits(step),
        ))
    }

    /// A voter's credits in a slot and its bitset position. Checks the VRF proof in private
    /// mode; a public-mode vote must carry none.
    ///
    /// # Errors
    /// [`MessageError::NotAMember`] for zero credits, [`MessageError::Proof`] or
    /// [`MessageError::BadSignature`] for a missing or bad proof.
    pub fn credits_of(
        &mut self,
        crypto: &dyn Crypto,
        key: &BlsPublicKey,
        iteration: u8,
        step: Step,
        proof: Option<&BlsSignature>,
    ) -> Result<(u32, usize), MessageError> {
        self.credits_of_checked(crypto, key, iteration, step, proof, false)
    }

    /// [`Sortition::credits_of`], without checking the proof again when `proof_checked` (the
    /// caller verified it over [`Sortition::sortition_message`] with `key`).
    ///
    /// # Errors
    /// As [`Sortition::credits_of`].
    pub fn credits_of_checked(
        &mut self,
        crypto: &dyn Crypto,
        key: &BlsPublicKey,
        iteration: u8,
        step: Step,
        proof: Option<&BlsSignature>,
        proof_checked: bool,
    ) -> Result<(u32, usize), MessageError> {
        let found = match (self.params.mode, proof) {
            (Mode::Public, None) => {
                let members = self.public_members(iteration, step);
                members
                    .binary_search_by_key(key, |m| m.key)
                    .ok()
                    .map(|i| (members[i].credits, i))
            }
            (Mode::Private, Some(proof)) => match self.index.get(key) {
                Some(&position) => {
                    let credits = self.private_credits_of(
                        crypto,
                        position,
                        iteration,
                        step,
                        proof,
                        proof_checked,
                    )?;
                    Some((credits, position))
                }
                None => None,
            },
            _ => return Err(MessageError::Proof),
        };
        match found {
            Some((credits, position)) if credits > 0 => Ok((credits, position)),
            _ => Err(MessageError::NotAMember(step)),
        }
    }

    /// This node's credits in a slot and the proof to reveal with its vote (private mode).
    /// Zero credits when it is not a member.
    pub fn own_credits(
        &mut self,
        signer: &dyn Signer,
        iteration: u8,
        step: Step,
    ) -> (u32, Option<BlsSignature>) {
        let key = signer.public_key();
        match self.params.mode {
            Mode::Public => {
                let members = self.public_members(iteration, step);
                let credits = members
                    .binary_search_by_key(&key, |m| m.key)
                    .map(|i| members[i].credits)
                    .unwrap_or(0);
                (credits, None)
            }
            Mode::Private => {
                let Some(&position) = self.index.get(&key) else {
                    return (0, None);
                };
                let message = self.sortition_message(iteration, step);
                let proof = *self
                    .own_proofs
                    .entry((key, iteration, step))
                    .or_insert_with(|| signer.sign(&message));
                let credits = private_credits(
                    &blake2b256(&proof.0),
                    self.lots[position].1,
                    self.total_lots,
                    self.params.credits(step),
                );
                (credits, Some(proof))
            }
        }
    }

    /// Checks step votes for `value` in a slot: every voter a member, the proofs (private
    /// mode), the aggregate signature over `message`, and the quorum. Returns the credits.
    ///
    /// # Errors
    /// The first check that fails.
    pub fn verify_step_votes(
        &mut self,
        crypto: &dyn Crypto,
        iteration: u8,
        step: Step,
        value: &VoteValue,
        message: &[u8],
        votes: &StepVotes,
    ) -> Result<u32, MessageError> {
        let mut keys = Vec::new();
        let mut credits: u32 = 0;
        match self.params.mode {
            Mode::Public => {
                if !votes.proofs.is_empty() {
                    return Err(MessageError::MalformedStepVotes);
                }
                let members = self.public_members(iteration, step);
                for position in votes.voters.iter() {
                    let member = members
                        .get(position)
                        .ok_or(MessageError::MalformedStepVotes)?;
                    keys.push(member.key);
                    credits = credits.saturating_add(member.credits);
                }
            }
            Mode::Private => {
                if votes.proofs.len() != votes.voters.len() {
                    return Err(MessageError::MalformedStepVotes);
                }
                for (position, proof) in votes.voters.iter().zip(&votes.proofs) {
                    if position >= self.lots.len() {
                        return Err(MessageError::MalformedStepVotes);
                    }
                    let c =
                        self.private_credits_of(crypto, position, iteration, step, proof, false)?;
                    if c == 0 {
                        return Err(MessageError::NotAMember(step));
                    }
                    keys.push(self.lots[position].0);
                    credits = credits.saturating_add(c);
                }
            }
        }
        let need = needed(&self.thresholds(step), value);
        if credits < need {
            return Err(MessageError::NoQuorum {
                got: credits,
                needed: need,
            });
        }
        if !crypto.verify_aggregate(&keys, message, &votes.aggregate) {
            return Err(MessageError::BadSignature("step votes aggregate"));
        }
        Ok(credits)
    }

    /// Builds a bitset from positions (helper for aggregation).
    pub fn bitset(positions: impl IntoIterator<Item = usize>) -> Bitset {
        let mut set = Bitset::default();
        for p in positions {
            set.insert(p);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::fake::FakeKeys;
    use host_api::ContractId;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn setup(
        mode: Mode,
    ) -> (
        Vec<crate::crypto::fake::FakeSigner>,
        FakeKeys,
        StaticEligibility,
    ) {
        let mut keys = FakeKeys::default();
        let signers = keys.generate(5, 10);
        let eligible = signers
            .iter()
            .enumerate()
            .map(|(i, s)| Eligible {
                key: s.public_key(),
                weight: 100 * (i as u128 + 1),
            })
            .collect();
        let params = CommitteeParams::with_default_sizes(ContractId([0; 32]), mode, 10);
        (signers, keys, StaticEligibility::new(eligible, params))
    }

    /// A parent header of `round` with `seed`.
    fn parent_of(round: u64, seed: Seed) -> Header {
        let genesis = crate::types::Genesis {
            seed,
            state_root: [0; 32],
            timestamp: 0,
        };
        let mut header = crate::types::Block::genesis(&genesis).header().clone();
        header.height = round - 1;
        header
    }

    #[test]
    fn public_committees_are_genesis_types_own() {
        let (signers, keys, eligibility) = setup(Mode::Public);
        let crypto = keys.crypto();
        let seed = Seed([9; 48]);
        let mut sortition = Sortition::new(&eligibility, &parent_of(12, seed));
        for iteration in 0..5 {
            let expected = public_committee(
                &mut hasher(),
                &eligibility.params,
                &seed,
                (12, iteration, Step::Validation),
                &eligibility.eligible,
            );
            assert_eq!(
                *sortition.public_members(iteration, Step::Validation),
                expected
            );
            assert_eq!(expected.iter().map(|m| m.credits).sum::<u32>(), 64);
            let lots = lots_of(&eligibility.eligible, 10);
            let generator = public_generator(&mut hasher(), &seed, (12, iteration), &lots);
            assert_eq!(sortition.generator(iteration), generator);
            // The generators of this and the next iteration sit on no committee.
            let next = public_generator(&mut hasher(), &seed, (12, iteration + 1), &lots);
            assert!(
                expected
                    .iter()
                    .all(|m| Some(m.key) != generator && Some(m.key) != next)
            );
            for signer in &signers {
                let (credits, proof) = sortition.own_credits(signer, iteration, Step::Validation);
                assert!(proof.is_none());
                let checked = sortition.credits_of(
                    &crypto,
                    &signer.public_key(),
                    iteration,
                    Step::Validation,
                    None,
                );
                match checked {
                    Ok((c, _)) => assert_eq!(c, credits),
                    Err(e) => assert_eq!(
                        (credits, e),
                        (0, MessageError::NotAMember(Step::Validation))
                    ),
                }
            }
        }
    }

    #[test]
    fn private_credits_are_genesis_types_own_and_need_the_proof() {
        let (signers, keys, eligibility) = setup(Mode::Private);
        let crypto = keys.crypto();
        let seed = Seed([4; 48]);
        let mut sortition = Sortition::new(&eligibility, &parent_of(3, seed));
        let total_lots: u64 = (1..=10).map(|i| i * 10).sum();
        let mut sum = 0;
        for (i, signer) in signers.iter().enumerate() {
            let (credits, proof) = sortition.own_credits(signer, 0, Step::Ratification);
            let proof = proof.expect("private mode reveals a proof");
            let message = sortition_message(&seed, 3, 0, Step::Ratification);
            assert_eq!(proof, signer.sign(&message));
            let expected =
                private_credits(&blake2b256(&proof.0), 10 * (i as u64 + 1), total_lots, 64);
            assert_eq!(credits, expected);
            sum += credits;
            let key = signer.public_key();
            if credits > 0 {
                let (c, _) = sortition
                    .credits_of(&crypto, &key, 0, Step::Ratification, Some(&proof))
                    .unwrap();
                assert_eq!(c, credits);
            }
            let other = signers[(i + 1) % 10].sign(&message);
            assert_eq!(
                sortition.credits_of(&crypto, &key, 0, Step::Ratification, Some(&other)),
                Err(MessageError::BadSignature("VRF proof"))
            );
            assert_eq!(
                sortition.credits_of(&crypto, &key, 0, Step::Ratification, None),
                Err(MessageError::Proof)
            );
        }
        assert!(
            (30..=100).contains(&sum),
            "about 64 expected credits, got {sum}"
        );
    }

    /// A signer that counts its signatures.
    struct Counting<'a>(&'a crate::crypto::fake::FakeSigner, AtomicU32);

    impl Signer for Counting<'_> {
        fn public_key(&self) -> BlsPublicKey {
            self.0.public_key()
        }
        fn sign(&self, message: &[u8]) -> BlsSignature {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.sign(message)
        }
    }

    /// The node asks for its proof of a slot when it decides whether to execute a candidate
    /// and again when it votes: the proof is signed once per slot, and is the same.
    #[test]
    fn an_own_proof_is_signed_once_per_slot() {
        let (signers, _, eligibility) = setup(Mode::Private);
        let mut sortition = Sortition::new(&eligibility, &parent_of(3, Seed([4; 48])));
        let signer = Counting(&signers[0], AtomicU32::new(0));
        let first = sortition.own_credits(&signer, 0, Step::Validation);
        assert_eq!(sortition.own_credits(&signer, 0, Step::Validation), first);
        assert_eq!(signer.1.load(Ordering::Relaxed), 1, "signed once");
        let message = sortition.sortition_message(0, Step::Validation);
        assert_eq!(first.1, Some(signers[0].sign(&message)));
        sortition.own_credits(&signer, 0, Step::Ratification);
        sortition.own_credits(&signer, 1, Step::Validation);
        assert_eq!(
            signer.1.load(Ordering::Relaxed),
            3,
            "another slot is another proof"
        );
        let other = Counting(&signers[1], AtomicU32::new(0));
        assert_eq!(
            sortition.own_credits(&other, 0, Step::Validation).1,
            Some(signers[1].sign(&message)),
            "another key's proof is its own"
        );
    }
}
