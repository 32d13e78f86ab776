//! The `committee` contract's parameters, claims, errors and the messages provisioners sign to
//! draw lots and to chain seeds.

use crate::keys::{BlsPublicKey, BlsSignature, Seed};
use crate::stake::Step;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::ContractId;

/// How committees are drawn.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Each provisioner learns its own credits from a VRF only it can evaluate and reveals them
    /// with its vote (binomial sortition, as Algorand's). The default.
    Private,
    /// Everyone computes the whole committee from the seed (Dusk's deterministic sortition):
    /// the reference to compare against; it tells an attacker whom to target in advance.
    Public,
}

/// Genesis parameters of the committee contract (set once by the protocol, `init`).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitteeParams {
    /// The stake contract the eligible set is read from.
    pub stake: ContractId,
    /// Private or public sortition.
    pub mode: Mode,
    /// Stake per lot: a provisioner with weight `w` holds `w / credit_unit` lots (≥ 1).
    pub credit_unit: u128,
    /// Credits (public mode) or expected credits (private mode) of the proposal step.
    pub proposal_credits: u32,
    /// Credits, or expected credits, of a validation committee.
    pub validation_credits: u32,
    /// Credits, or expected credits, of a ratification committee.
    pub ratification_credits: u32,
}

/// Largest credits per step: bounds the gas of public sortition (one hash and one walk over the
/// provisioners per credit) and of a private claim (at most `2τ + 32` terms of the inverse
/// CDF). 10,000 admits the committees the risk model sizes for a per-round safety risk of
/// 10⁻⁶ and 10⁻⁹ at a Byzantine stake of 0.3 with 10,000 lots (public 1,394 and 2,210,
/// private 5,972 and 7,181 credits; see `node-lite/consensus/README.md`).
pub const MAX_STEP_CREDITS: u32 = 10_000;

impl CommitteeParams {
    /// The credits (public) or expected credits (private) of `step`.
    pub fn credits(&self, step: Step) -> u32 {
        match step {
            Step::Proposal => self.proposal_credits,
            Step::Validation => self.validation_credits,
            Step::Ratification => self.ratification_credits,
        }
    }

    /// The default committee sizes (see `contracts/README.md`): 64 credits for validation and
    /// for ratification; for the proposal step 5 expected credits in private mode (the lowest
    /// priority wins; no generator with probability e⁻⁵ ≈ 0.7 %) and exactly 1 in public mode.
    pub fn with_default_sizes(stake: ContractId, mode: Mode, credit_unit: u128) -> Self {
        CommitteeParams {
            stake,
            mode,
            credit_unit,
            proposal_credits: if mode == Mode::Private { 5 } else { 1 },
            validation_credits: 64,
            ratification_credits: 64,
        }
    }

    /// Whether the parameters are usable: a non-zero unit and 1..=[`MAX_STEP_CREDITS`] credits
    /// per step.
    pub fn is_valid(&self) -> bool {
        self.credit_unit >= 1
            && Step::ALL
                .iter()
                .all(|s| (1..=MAX_STEP_CREDITS).contains(&self.credits(*s)))
    }
}

/// A provisioner's claim to sit on a committee (private mode), revealed with its vote.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct MembershipClaim {
    /// The provisioner.
    pub key: BlsPublicKey,
    /// The round's seed.
    pub seed: Seed,
    /// The round (block height being decided); its epoch picks the eligible set.
    pub round: u64,
    /// The iteration.
    pub iteration: u8,
    /// The step.
    pub step: Step,
    /// The VRF proof: the key's BLS signature over [`sortition_message`].
    pub proof: BlsSignature,
}

/// A verified membership.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The credits (votes) the provisioner holds in the step; 0 = not a member.
    pub credits: u32,
    /// The VRF output, `blake2b-256(proof)`: among proposal claims the lowest wins.
    pub priority: [u8; 32],
}

/// A committee member (public mode), sorted by key.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The provisioner.
    pub key: BlsPublicKey,
    /// Its credits.
    pub credits: u32,
}

/// Votes needed to decide a step (see [`crate::sortition::supermajority`]).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// The committee's (expected) credits.
    pub committee: u32,
    /// Credits needed for a `Valid` result: ⌈2/3⌉ of the committee.
    pub supermajority: u32,
    /// Credits needed for `Invalid`, `NoCandidate` or `NoQuorum`: more than half.
    pub majority: u32,
}

/// Why a `committee` call failed (borsh: the variant index).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitteeError {
    /// A host-only entry point was called by someone other than the protocol. (0)
    ProtocolOnly,
    /// `init` was already called. (1)
    AlreadyInitialized,
    /// The contract has not been initialised. (2)
    NotInitialized,
    /// `init` with parameters that break a documented bound. (3)
    InvalidParams,
    /// The call needs the other sortition mode. (4)
    WrongMode,
    /// The VRF proof does not verify for this key and slot. (5)
    BadProof,
    /// The key has no active stake in the round's epoch. (6)
    NotEligible,
    /// The seed signature does not verify for this generator and previous seed. (7)
    BadSeedSignature,
    /// The stake contract could not be read. (8)
    StakeUnavailable,
}

/// Domain tag of the sortition VRF message.
pub const SORTITION_DOMAIN: &[u8] = b"sandbox-sortition-v1";
/// Domain tag of the seed-chaining message.
pub const SEED_DOMAIN: &[u8] = b"sandbox-seed-v1";

/// What a provisioner signs to draw its lots in a slot:
/// `SORTITION_DOMAIN ‖ seed ‖ round (u64 LE) ‖ iteration ‖ step`.
pub fn sortition_message(seed: &Seed, round: u64, iteration: u8, step: Step) -> Vec<u8> {
    let mut message = Vec::with_capacity(SORTITION_DOMAIN.len() + 58);
    message.extend_from_slice(SORTITION_DOMAIN);
    message.extend_from_slice(&seed.0);
    message.extend_from_slice(&round.to_le_bytes());
    message.push(iteration);
    message.push(step as u8);
    message
}

/// What a block's generator signs to make the next seed: `SEED_DOMAIN ‖ previous seed`. The
/// signature itself is the next seed (BLS signatures are unique, so the generator cannot grind).
pub fn seed_message(previous: &Seed) -> Vec<u8> {
    let mut message = Vec::with_capacity(SEED_DOMAIN.len() + 48);
    message.extend_from_slice(SEED_DOMAIN);
    message.extend_from_slice(&previous.0);
    message
}
