//! The consensus of the devnet: Dusk's Succinct Attestation (proposal → validation →
//! ratification per iteration, stake-weighted committees, a 2/3 quorum of credits) as a
//! deterministic state machine, with no I/O, no clock, no threads and no randomness inside.
//!
//! This crate must never depend on `runtime` or wasmtime: execution and eligibility reach it
//! through [`Output::Execute`]/[`Input::Executed`] and the [`Eligibility`] trait, signatures
//! through [`Crypto`]/[`Signer`], so the devnet plugs in the runtime, the committee contract
//! and BLS, and the simulator ([`sim`]) plugs in fakes.
//!
//! The main product is [`Provisioner::handle`]: one [`Input`] and the current time in, a list
//! of [`Output`]s out (see [`io`] for what the driver must do with them).

mod bitset;
mod chain;
mod committee;
mod config;
pub mod crypto;
mod error;
pub mod io;
mod message;
mod provisioner;
pub mod risk;
pub mod sim;
mod tally;
mod timeouts;
mod types;

pub use bitset::Bitset;
pub use chain::{Chain, Entry, label_for};
pub use committee::{Eligibility, Sortition, StaticEligibility, needed, thresholds};
pub use config::{
    Config, ConfigError, DEFAULT_MAX_ITERATIONS, MAX_ALTERNATIVE_BLOCKS, MAX_BLOCKS_PER_SYNC,
    MAX_BUFFERED_MESSAGES, MAX_FAILED_ATTESTATIONS, MAX_FAULTS_PER_BLOCK, MAX_ITERATIONS_LIMIT,
    MAX_ROUND_DISTANCE, TIMEOUT_HISTORY,
};
pub use crypto::{Crypto, Signer};
pub use error::MessageError;
pub use io::{
    Built, Execution, Input, LabelChange, Output, PeerId, Persisted, Record, TimerId, TimerKind,
};
pub use message::{FailQuorum, Message, Vote, candidate_header, vote_header, vote_payload};
pub use provisioner::{Provisioner, Stats};
pub use timeouts::Timeouts;
pub use types::{
    Attestation, Block, Candidate, Genesis, Hash, Header, Label, StepVotes, Time, Txs, VoteValue,
    blake2b256, hash_of,
};
