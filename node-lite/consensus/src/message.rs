//! What provisioners send each other.
//!
//! Every signature is over `genesis-types`' [`vote_message`] of a [`VoteHeader`]: a vote's
//! payload is `BLAKE2b-256(parent hash ‖ borsh(value))`, a candidate's is its hash (signed in
//! the `Proposal` step). So a double vote *and* a double candidate are both an
//! [`Equivocation`](genesis_types::stake::Equivocation) the stake contract's `slash` accepts.

use crate::types::{Attestation, Block, Candidate, Hash, StepVotes, VoteValue, blake2b256};
use borsh::{BorshDeserialize, BorshSerialize};
use genesis_types::stake::{SignedVote, Step, VoteHeader, vote_message};
use genesis_types::{BlsPublicKey, BlsSignature};

/// A network message. Messages travel inside an `Arc` (one copy per broadcast), so the size
/// difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A generator's candidate.
    Candidate(Candidate),
    /// A validation or ratification vote.
    Vote(Vote),
    /// A fail attestation: the iteration ended without a block (lets late nodes move on).
    FailQuorum(FailQuorum),
    /// An accepted block with its attestation (relayed once by every node that accepts it).
    Block(Block),
    /// Asks the receiver for its blocks from this height on (sent to a peer that is ahead).
    GetBlocks {
        /// The first height wanted.
        from: u64,
    },
}

impl Message {
    /// The round the message is about (for blocks, their height).
    pub fn round(&self) -> u64 {
        match self {
            Message::Candidate(c) => c.header.height,
            Message::Vote(v) => v.header.round,
            Message::FailQuorum(q) => q.round,
            Message::Block(b) => b.header().height,
            Message::GetBlocks { from } => *from,
        }
    }
}

/// A validation or ratification vote.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    /// Slot and payload ([`vote_payload`] of `prev_hash` and `value`).
    pub header: VoteHeader,
    /// The parent the round builds on.
    pub prev_hash: Hash,
    /// What is voted.
    pub value: VoteValue,
    /// The voter.
    pub voter: BlsPublicKey,
    /// The voter's signature over `vote_message(header)`.
    pub signature: BlsSignature,
    /// Private mode: the voter's VRF proof for the slot.
    pub proof: Option<BlsSignature>,
    /// Ratification votes for `Valid`/`Invalid`/`NoCandidate`: the validation step votes that
    /// justify the value.
    pub validation: Option<StepVotes>,
}

impl Vote {
    /// The signed header, as an equivocation proof needs it.
    pub fn signed(&self) -> SignedVote {
        SignedVote {
            header: self.header,
            signature: self.signature,
        }
    }
}

/// A fail attestation of one iteration.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct FailQuorum {
    /// The round.
    pub round: u64,
    /// The iteration that failed.
    pub iteration: u8,
    /// The parent the round builds on.
    pub prev_hash: Hash,
    /// The attestation (its result is not `Valid`).
    pub attestation: Attestation,
}

/// What a vote signs: `BLAKE2b-256(prev_hash ‖ borsh(value))`.
pub fn vote_payload(prev_hash: &Hash, value: &VoteValue) -> Hash {
    let mut bytes = prev_hash.to_vec();
    bytes.extend_from_slice(&borsh::to_vec(value).unwrap_or_default());
    blake2b256(&bytes)
}

/// The header of a vote.
pub fn vote_header(
    round: u64,
    iteration: u8,
    step: Step,
    prev: &Hash,
    value: &VoteValue,
) -> VoteHeader {
    VoteHeader {
        round,
        iteration,
        step,
        payload: vote_payload(prev, value),
    }
}

/// The header a generator signs for its candidate.
pub fn candidate_header(round: u64, iteration: u8, hash: &Hash) -> VoteHeader {
    VoteHeader {
        round,
        iteration,
        step: Step::Proposal,
        payload: *hash,
    }
}

/// The bytes signed for `header`.
pub fn signing_bytes(header: &VoteHeader) -> Vec<u8> {
    vote_message(header)
}
