//! The data the protocol agrees on: vote values, step votes, attestations, block headers,
//! candidates and blocks. Everything is borsh-encoded; a header's hash is BLAKE2b-256 of its
//! encoding, so two nodes agree on a hash exactly when they agree on every field.

use crate::bitset::Bitset;
use borsh::{BorshDeserialize, BorshSerialize};
use genesis_types::stake::Equivocation;
use genesis_types::{BlsPublicKey, BlsSignature, Seed};
use std::sync::Arc;

/// A BLAKE2b-256 digest.
pub type Hash = [u8; 32];

/// Milliseconds of (virtual or wall-clock) time, as given by the driver.
pub type Time = u64;

/// BLAKE2b-256 of `data` (the same function the committee contract uses for VRF outputs).
pub fn blake2b256(data: &[u8]) -> Hash {
    let digest = blake2b_simd::Params::new().hash_length(32).hash(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_bytes());
    out
}

/// BLAKE2b-256 of a value's borsh encoding.
pub fn hash_of<T: BorshSerialize>(value: &T) -> Hash {
    // Encoding into a Vec cannot fail.
    blake2b256(&borsh::to_vec(value).unwrap_or_default())
}

/// What a validation or ratification vote says about an iteration.
#[derive(
    BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum VoteValue {
    /// No candidate arrived before the proposal step timed out.
    NoCandidate,
    /// The candidate with this hash executed to the state its header claims.
    Valid(Hash),
    /// The candidate with this hash is invalid (wrong state root, bad fields).
    Invalid(Hash),
    /// The validation step ended without a quorum (ratification only).
    NoQuorum,
}

impl VoteValue {
    /// Whether this is a success (`Valid`): only a success makes a block.
    pub fn is_success(&self) -> bool {
        matches!(self, VoteValue::Valid(_))
    }
}

/// The aggregated votes of one step for one value: who voted and their aggregate signature.
///
/// The bitset indexes the step's committee sorted by key (public mode) or the round's eligible
/// set sorted by key (private mode). In private mode `proofs` holds each voter's VRF proof in
/// bitset order, so anyone recomputes each voter's credits without trusting the aggregator.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct StepVotes {
    /// The voters.
    pub voters: Bitset,
    /// The aggregate of the voters' signatures over the same vote message.
    pub aggregate: BlsSignature,
    /// Private mode: the voters' VRF proofs, in bitset order; empty in public mode.
    pub proofs: Vec<BlsSignature>,
}

impl StepVotes {
    /// No votes (the validation part of a `NoQuorum` attestation, or genesis).
    pub fn empty() -> Self {
        StepVotes {
            voters: Bitset::default(),
            aggregate: BlsSignature([0; 48]),
            proofs: Vec::new(),
        }
    }

    /// Encoded size in bytes.
    pub fn encoded_len(&self) -> usize {
        borsh::to_vec(self).map(|v| v.len()).unwrap_or(0)
    }
}

/// The proof that an iteration was decided: its result, the validation step's votes and the
/// ratification step's votes (both for `result`, except that a `NoQuorum` result has empty
/// validation votes).
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    /// What was decided: `Valid(hash)` makes a block; anything else fails the iteration.
    pub result: VoteValue,
    /// The validation committee's votes for `result`.
    pub validation: StepVotes,
    /// The ratification committee's votes for `result`.
    pub ratification: StepVotes,
}

/// A block header. Its hash covers every field.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Height (= the round that decided it).
    pub height: u64,
    /// Hash of the parent block.
    pub prev_hash: Hash,
    /// Milliseconds, at least the parent's plus the minimum block time.
    pub timestamp: Time,
    /// The iteration that produced it.
    pub iteration: u8,
    /// State root after executing the transactions over the parent's state.
    pub state_root: Hash,
    /// BLAKE2b-256 of the borsh-encoded transactions.
    pub tx_root: Hash,
    /// BLAKE2b-256 of the borsh-encoded fault proofs.
    pub fault_root: Hash,
    /// Gas used by the transactions.
    pub gas_used: u64,
    /// The generator's key.
    pub generator: BlsPublicKey,
    /// The generator's signature over `seed_message(parent seed)`: the next round's seed.
    pub seed: Seed,
    /// The parent's attestation (none for the block after genesis).
    pub prev_attestation: Option<Attestation>,
    /// Fail attestations of this round's earlier iterations, indexed by iteration (at most
    /// [`crate::config::MAX_FAILED_ATTESTATIONS`] entries).
    pub failed_iterations: Vec<Option<Attestation>>,
}

impl Header {
    /// BLAKE2b-256 of the header's encoding.
    pub fn hash(&self) -> Hash {
        hash_of(self)
    }
}

/// A block's transactions: opaque bytes, behind an `Arc` so that every copy of a candidate, and
/// every block made of it, shares one list. The nodes of one process that receive the same
/// candidate (or block) message then retain one copy of its transactions between them, not one
/// each. Encoded exactly as the list (`Vec<Vec<u8>>`): hashes and `tx_root` do not see the `Arc`.
pub type Txs = Arc<Vec<Vec<u8>>>;

/// A proposed block, signed by its generator.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The header.
    pub header: Header,
    /// Opaque transactions (the driver's executor knows them), shared by the candidate's copies.
    pub txs: Txs,
    /// Equivocation proofs for the stake contract's `slash`.
    pub faults: Vec<Equivocation>,
    /// The generator's signature over `vote_message(round, iteration, Proposal, hash)`.
    pub signature: BlsSignature,
}

impl Candidate {
    /// The header's hash.
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }
}

/// An accepted block: a candidate and the attestation that decided it.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The candidate.
    pub candidate: Candidate,
    /// Its success attestation (empty for genesis).
    pub attestation: Attestation,
}

impl Block {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.candidate.header
    }

    /// The header's hash.
    pub fn hash(&self) -> Hash {
        self.candidate.hash()
    }

    /// The genesis block: height 0, the given seed and state root, no attestation.
    pub fn genesis(genesis: &Genesis) -> Self {
        Block {
            candidate: Candidate {
                header: Header {
                    height: 0,
                    prev_hash: [0; 32],
                    timestamp: genesis.timestamp,
                    iteration: 0,
                    state_root: genesis.state_root,
                    tx_root: hash_of(&Vec::<Vec<u8>>::new()),
                    fault_root: hash_of(&Vec::<Equivocation>::new()),
                    gas_used: 0,
                    generator: BlsPublicKey([0; 96]),
                    seed: genesis.seed,
                    prev_attestation: None,
                    failed_iterations: Vec::new(),
                },
                txs: Txs::default(),
                faults: Vec::new(),
                signature: BlsSignature([0; 48]),
            },
            attestation: Attestation {
                result: VoteValue::NoQuorum,
                validation: StepVotes::empty(),
                ratification: StepVotes::empty(),
            },
        }
    }
}

/// What the chain starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Genesis {
    /// The first round's seed.
    pub seed: Seed,
    /// The genesis state root.
    pub state_root: Hash,
    /// The genesis timestamp.
    pub timestamp: Time,
}

/// A block's finality label (Dusk's, see the crate README for the rolling rule).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// Decided at an iteration some of whose predecessors have no fail attestation: a block
    /// of a lower iteration could still replace it. Needs this many stable successors.
    Accepted(u16),
    /// Every earlier iteration of its round has a fail attestation; needs this many stable
    /// successors to be confirmed.
    Attested(u16),
    /// Enough stable successors; becomes final once its predecessors are.
    Confirmed,
    /// Never reverted.
    Final,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Txs` is encoded as the bare list: sharing it changes no hash, no `tx_root`, no byte on
    /// the wire or on disk.
    #[test]
    fn shared_transactions_are_encoded_as_the_list() {
        let list = vec![b"one".to_vec(), b"two".to_vec()];
        let shared: Txs = Arc::new(list.clone());
        assert_eq!(
            borsh::to_vec(&shared).unwrap(),
            borsh::to_vec(&list).unwrap()
        );
        assert_eq!(hash_of(&shared), hash_of(&list));
        let decoded: Txs = borsh::from_slice(&borsh::to_vec(&list).unwrap()).unwrap();
        assert_eq!(decoded, shared);
    }
}
