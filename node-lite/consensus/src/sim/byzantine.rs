//! Byzantine behaviours: how a misbehaving node's outputs are rewritten before they reach the
//! network. The node itself runs the honest state machine (so it stays in step with the
//! round); only what it sends changes.

use crate::crypto::Signer;
use crate::message::{Message, candidate_header, signing_bytes};
use crate::types::{Candidate, hash_of};
use std::sync::Arc;

/// A misbehaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Never sends its votes (it still proposes).
    Withhold,
    /// As generator, signs two candidates and sends one to each half of the network.
    EquivocatingGenerator,
    /// As generator, claims a wrong state root.
    InvalidCandidates,
    /// Re-sends each of its messages again much later (past-round messages), and sends a
    /// copy of each vote relabelled for a future round (which fails its signature check).
    StaleAndFuture,
    /// Runs a second copy of another node's key (Twins): the two copies vote and propose
    /// independently, so they equivocate whenever they see different things.
    TwinOf(usize),
    /// One key of the split adversary ([`super::split`]): this copy plays world A.
    Split,
    /// The split adversary's second copy of node `.0`'s key: it plays world B.
    SplitTwin(usize),
}

/// A second candidate for the same slot: one more transaction, re-signed.
pub fn conflicting_candidate(signer: &dyn Signer, candidate: &Candidate) -> Arc<Message> {
    let mut other = candidate.clone();
    Arc::make_mut(&mut other.txs).push(b"equivocation".to_vec());
    other.header.tx_root = hash_of(&other.txs);
    let hash = other.header.hash();
    other.signature = signer.sign(&signing_bytes(&candidate_header(
        other.header.height,
        other.header.iteration,
        &hash,
    )));
    Arc::new(Message::Candidate(other))
}

/// A vote copied into a later round (its signature no longer matches).
pub fn future_copy(message: &Message) -> Option<Arc<Message>> {
    let Message::Vote(vote) = message else {
        return None;
    };
    let mut v = vote.clone();
    v.header.round += 3;
    Some(Arc::new(Message::Vote(v)))
}
