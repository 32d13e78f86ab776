//! The `stake` contract's parameters, records, errors, events and the signed messages it checks.
//!
//! Time is counted in **epochs** of [`StakeParams::epoch_length`] blocks: the epoch of height `h`
//! is `h / epoch_length`. Eligibility changes only at epoch boundaries, so the set a committee is
//! drawn from is fixed for a whole epoch (see `contracts/README.md` for the lifecycle diagram).

use crate::keys::{BlsPublicKey, BlsSignature};
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::{Address, ContractId};

/// Genesis parameters of the stake contract (set once by the protocol, `init`).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StakeParams {
    /// The `transfer` contract holding the native token.
    pub transfer: ContractId,
    /// The smallest stake (locked plus maturing) a key may hold; a smaller one has no weight.
    pub minimum_stake: u128,
    /// Blocks per epoch (≥ 1).
    pub epoch_length: u64,
    /// Epochs between staking and eligibility: stake placed in epoch `e` is eligible from the
    /// start of epoch `e + maturity_epochs` (≥ 1, so it never counts in the epoch it arrives).
    pub maturity_epochs: u64,
    /// How many epochs an eligibility window lasts before it expires unless renewed (≥ 1).
    pub eligibility_epochs: u64,
    /// Consecutive missed duties that suspend a provisioner (≥ 1).
    pub miss_limit: u32,
    /// Epochs a suspension lasts, starting with the next epoch (≥ 1).
    pub suspension_epochs: u64,
    /// Fraction of the stake burnt for a proven equivocation, in basis points (1–10,000).
    pub slash_basis_points: u16,
}

impl StakeParams {
    /// Whether the parameters are usable (every bound in the field docs holds).
    pub fn is_valid(&self) -> bool {
        self.epoch_length >= 1
            && self.maturity_epochs >= 1
            && self.eligibility_epochs >= 1
            && self.miss_limit >= 1
            && self.suspension_epochs >= 1
            && (1..=10_000).contains(&self.slash_basis_points)
            && self.minimum_stake >= 1
    }

    /// The epoch of block `height`.
    pub fn epoch_of(&self, height: u64) -> u64 {
        height / self.epoch_length.max(1)
    }
}

/// One key's stake, as stored and as returned by `stake_of`.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StakeInfo {
    /// Who staked: the only address that may renew, top up, unstake or withdraw.
    pub owner: Address,
    /// Matured stake: counts while the window is open.
    pub locked: u128,
    /// A top-up still maturing: counts from epoch `maturing_from` on (inside the window).
    pub maturing: u128,
    /// The first epoch `maturing` counts in.
    pub maturing_from: u64,
    /// First epoch of the eligibility window.
    pub eligible_from: u64,
    /// First epoch after the window: the stake has expired from this epoch on unless renewed.
    pub expires_at: u64,
    /// Rewards earned and not yet withdrawn.
    pub reward: u128,
    /// Consecutive missed duties since the last reward or suspension.
    pub missed: u32,
    /// Epochs `[suspended_from, suspended_until)` carry no weight (no funds are lost).
    pub suspended_from: u64,
    /// End (exclusive) of the suspension.
    pub suspended_until: u64,
    /// Everything burnt from this key by slashing, in total.
    pub slashed: u128,
}

impl StakeInfo {
    /// Locked plus maturing.
    pub fn total(&self) -> u128 {
        self.locked.saturating_add(self.maturing)
    }

    /// Whether the eligibility window is open in `epoch` (whatever the amount or suspension).
    pub fn window_open(&self, epoch: u64) -> bool {
        self.eligible_from <= epoch && epoch < self.expires_at
    }

    /// Whether `epoch` falls in a suspension.
    pub fn suspended(&self, epoch: u64) -> bool {
        self.suspended_from <= epoch && epoch < self.suspended_until
    }

    /// The weight this stake carries in `epoch`: zero outside the window, while suspended, or
    /// below `minimum`; otherwise the locked amount plus whatever top-up has matured by then.
    pub fn weight_at(&self, epoch: u64, minimum: u128) -> u128 {
        if !self.window_open(epoch) || self.suspended(epoch) {
            return 0;
        }
        let matured = if self.maturing_from <= epoch {
            self.maturing
        } else {
            0
        };
        let weight = self.locked.saturating_add(matured);
        if weight < minimum { 0 } else { weight }
    }
}

/// A provisioner with its weight, as listed by `eligible_set` (sorted by key).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eligible {
    /// Its key.
    pub key: BlsPublicKey,
    /// Its weight (stake) in the epoch asked for.
    pub weight: u128,
}

/// One key's weight and the total active weight in an epoch (`eligibility`).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eligibility {
    /// The key's weight (0 if it has none).
    pub weight: u128,
    /// The total weight of every eligible key.
    pub total: u128,
}

/// Why a `stake` call failed (borsh: the variant index, then any payload).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StakeError {
    /// A host-only entry point was called by someone other than the protocol. (0)
    ProtocolOnly,
    /// `init` was already called. (1)
    AlreadyInitialized,
    /// The contract has not been initialised. (2)
    NotInitialized,
    /// `init` with parameters that break a documented bound. (3)
    InvalidParams,
    /// The proof of possession does not verify for this key, owner and contract. (4)
    BadProofOfPossession,
    /// The key's stake belongs to another owner. (5)
    NotOwner,
    /// No stake under this key. (6)
    NoStake,
    /// The stake would end up below the minimum (and above zero). (7)
    BelowMinimum,
    /// Unstaking eligible stake: only maturing, not-yet-eligible or expired stake unlocks. (8)
    Locked,
    /// Asked for more than there is. (9)
    InsufficientStake,
    /// An amount of zero. (10)
    ZeroAmount,
    /// A sum would overflow `u128`. (11)
    Overflow,
    /// The `transfer` contract refused a movement of funds (its error). (12)
    Transfer(crate::transfer::TransferError),
    /// The `transfer` contract could not be called or answered unexpectedly. (13)
    TransferUnavailable,
    /// `reward` would promise more than the contract holds: mint the rewards to it first. (14)
    Unfunded,
    /// The two votes of an equivocation proof are not for the same round, iteration and step,
    /// or carry the same payload. (15)
    NotConflicting,
    /// A signature of an equivocation proof does not verify. (16)
    BadSignature,
    /// This equivocation was already punished. (17)
    AlreadySlashed,
    /// Nothing to withdraw. (18)
    NothingToWithdraw,
}

/// The consensus step a vote belongs to.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[borsh(use_discriminant = true)]
#[repr(u8)]
pub enum Step {
    /// One generator proposes a block.
    Proposal = 0,
    /// A committee re-executes the candidate and votes.
    Validation = 1,
    /// A committee confirms the validation result.
    Ratification = 2,
}

impl Step {
    /// All steps, in order.
    pub const ALL: [Step; 3] = [Step::Proposal, Step::Validation, Step::Ratification];
}

/// What a provisioner signs when it votes: the slot (round, iteration, step) and what it votes
/// for (`payload`: e.g. the candidate's hash and the result, hashed).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteHeader {
    /// The round (block height being decided).
    pub round: u64,
    /// The iteration within the round.
    pub iteration: u8,
    /// The step.
    pub step: Step,
    /// The digest of what is voted for.
    pub payload: [u8; 32],
}

/// Domain tag of signed votes.
pub const VOTE_DOMAIN: &[u8] = b"sandbox-vote-v1";
/// Domain tag of a stake's proof of possession.
pub const STAKE_POP_DOMAIN: &[u8] = b"sandbox-stake-pop-v1";

/// The bytes a provisioner signs for a vote: `VOTE_DOMAIN ‖ borsh(header)`.
pub fn vote_message(header: &VoteHeader) -> Vec<u8> {
    let mut message = Vec::with_capacity(VOTE_DOMAIN.len() + 42);
    message.extend_from_slice(VOTE_DOMAIN);
    message.extend_from_slice(&header.round.to_le_bytes());
    message.push(header.iteration);
    message.push(header.step as u8);
    message.extend_from_slice(&header.payload);
    message
}

/// The bytes a key signs to prove that its holder stakes with it:
/// `STAKE_POP_DOMAIN ‖ owner ‖ stake contract id`. Binding the owner stops anyone from staking
/// with a key they do not hold (and so from claiming another provisioner's identity).
pub fn proof_of_possession_message(owner: &Address, stake_contract: &ContractId) -> Vec<u8> {
    let mut message = Vec::with_capacity(STAKE_POP_DOMAIN.len() + 64);
    message.extend_from_slice(STAKE_POP_DOMAIN);
    message.extend_from_slice(&owner.0);
    message.extend_from_slice(&stake_contract.0);
    message
}

impl VoteHeader {
    /// This header with `sign`'s signature over [`vote_message`] of it (`sign` is the voter's
    /// BLS signer).
    pub fn signed(self, sign: impl FnOnce(&[u8]) -> BlsSignature) -> SignedVote {
        SignedVote {
            header: self,
            signature: sign(&vote_message(&self)),
        }
    }
}

/// A signed vote.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedVote {
    /// What was voted.
    pub header: VoteHeader,
    /// The voter's BLS signature over [`vote_message`]`(header)`.
    pub signature: BlsSignature,
}

/// Proof that `key` signed two conflicting votes: same round, iteration and step, different
/// payloads.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Equivocation {
    /// The equivocating key.
    pub key: BlsPublicKey,
    /// One vote.
    pub first: SignedVote,
    /// The other.
    pub second: SignedVote,
}

impl Equivocation {
    /// Whether the two headers conflict (same slot, different payloads). Signatures are the
    /// contract's to check.
    pub fn conflicts(&self) -> bool {
        let (a, b) = (&self.first.header, &self.second.header);
        a.round == b.round
            && a.iteration == b.iteration
            && a.step == b.step
            && a.payload != b.payload
    }
}

/// Data of the `staked` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Staked {
    /// The key.
    pub key: BlsPublicKey,
    /// The amount added.
    pub amount: u128,
    /// The first epoch it counts in.
    pub eligible_from: u64,
}

/// Data of the `slashed` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slashed {
    /// The key.
    pub key: BlsPublicKey,
    /// The amount burnt.
    pub amount: u128,
    /// The round of the equivocation.
    pub round: u64,
}

/// Data of the `suspended` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suspended {
    /// The key.
    pub key: BlsPublicKey,
    /// First suspended epoch.
    pub from: u64,
    /// End (exclusive).
    pub until: u64,
}
