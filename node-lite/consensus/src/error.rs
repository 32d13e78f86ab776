//! Why a message was refused. The state machine drops refused messages (a network delivers
//! garbage too); the reason is counted, so tests and the simulator can see it.

use genesis_types::stake::Step;
use thiserror::Error;

/// A refused message.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MessageError {
    /// For a round other than the one being decided (or too far ahead).
    #[error("message for round {got}, deciding {current}")]
    WrongRound {
        /// The message's round.
        got: u64,
        /// The node's round.
        current: u64,
    },
    /// Built on a parent other than the node's tip.
    #[error("message built on another parent")]
    WrongParent,
    /// An iteration at or past the configured maximum.
    #[error("iteration {0} past the maximum")]
    IterationOutOfRange(u8),
    /// A proposal vote, or a vote value that does not belong to its step.
    #[error("vote value not allowed in step {0:?}")]
    WrongStep(Step),
    /// The sender holds no credits in the step (or is not its generator).
    #[error("the sender holds no credits in {0:?}")]
    NotAMember(Step),
    /// A private-mode vote without its VRF proof, or a public one with one.
    #[error("VRF proof missing or unexpected")]
    Proof,
    /// A signature (vote, candidate, VRF, seed or aggregate) does not verify.
    #[error("bad signature: {0}")]
    BadSignature(&'static str),
    /// Step votes that do not reach the value's quorum.
    #[error("step votes reach {got} credits, {needed} needed")]
    NoQuorum {
        /// Credits found.
        got: u32,
        /// Credits needed.
        needed: u32,
    },
    /// Step votes whose bitset names a position outside the committee or eligible set, or
    /// whose proofs do not match the bitset.
    #[error("malformed step votes")]
    MalformedStepVotes,
    /// A header field that contradicts the rules (timestamp, roots, attestations, size).
    #[error("bad header: {0}")]
    BadHeader(&'static str),
    /// A block whose parent is unknown.
    #[error("unknown parent")]
    UnknownParent,
    /// A duplicate of something already processed.
    #[error("duplicate")]
    Duplicate,
}
