//! The state machine's interface: what the driver feeds in ([`Input`]) and what it must do
//! ([`Output`]). The driver owns the clock, the network, the timers, execution and storage.
//!
//! # The driver's duties
//! - call [`Provisioner::handle`](crate::Provisioner::handle) with the current time and one
//!   input at a time; perform the outputs **in order** (a [`Output::Persist`] comes before the
//!   [`Output::Broadcast`] of the same vote: write it durably first, or a crash could make the
//!   node vote twice after a restart);
//! - [`Output::SetTimer`]: call back with [`Input::TimerFired`] at that time (a timer never
//!   needs cancelling: stale ones are ignored);
//! - [`Output::BuildCandidate`] / [`Output::Execute`]: run the transactions (possibly
//!   asynchronously) and answer with [`Input::CandidateBuilt`] / [`Input::Executed`];
//! - [`Output::Accept`]: apply the block to its chain store and state (see
//!   [`Persisted::apply`]), then answer [`Input::Applied`]: the machine starts the next round
//!   only then, because that round's committees are drawn from the eligible set as of the
//!   accepted block's state (see [`crate::Eligibility`]);
//! - [`Output::Revert`], [`Output::Labels`]: apply to its chain store; [`Output::Fault`] and [`Output::MissedProposal`]: for the stake
//!   contract's `slash` and `missed` (the fault proofs also travel in later candidates).

use crate::message::Message;
use crate::types::{Block, Candidate, Hash, Label, Time, Txs};
use genesis_types::BlsPublicKey;
use genesis_types::stake::{Equivocation, Step};
use std::sync::Arc;

/// An opaque network peer id chosen by the driver (replies go back to it).
pub type PeerId = u64;

/// What a timer is for. Stale timers (another round or iteration) are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimerId {
    /// The round.
    pub round: u64,
    /// The iteration.
    pub iteration: u8,
    /// Which deadline.
    pub kind: TimerKind,
}

/// The deadlines the machine sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimerKind {
    /// The generator may propose (the minimum block time has passed).
    Propose,
    /// A step's timeout.
    Step(Step),
    /// Re-send own messages / retry a sync (open consensus, or behind).
    Rebroadcast,
}

/// The outcome of executing a candidate's transactions over its parent's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    /// Executed: the post-state root and gas used (the node compares them with the header).
    Done {
        /// Post-state root.
        state_root: Hash,
        /// Gas used.
        gas_used: u64,
    },
    /// The transactions cannot be executed (malformed, over a limit).
    Invalid,
}

/// The driver's answer to [`Output::BuildCandidate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    /// Round asked for.
    pub round: u64,
    /// Iteration asked for.
    pub iteration: u8,
    /// The transactions chosen (the candidate shares this list).
    pub txs: Txs,
    /// State root after executing them over the parent.
    pub state_root: Hash,
    /// Gas they used.
    pub gas_used: u64,
}

/// One input.
#[derive(Clone, Debug)]
pub enum Input {
    /// Start from a fresh chain (genesis only).
    Start,
    /// Start again from what was persisted (chain and own votes).
    Restart(Persisted),
    /// A message from a peer.
    Message(PeerId, Arc<Message>),
    /// A timer set earlier.
    TimerFired(TimerId),
    /// A candidate this node is to propose, built by the driver.
    CandidateBuilt(Built),
    /// The block of the last [`Output::Accept`] (its hash) is applied: its state is the node's,
    /// so the eligible set of the next round can be read from it. Until then the machine
    /// starts no round, keeps the messages it receives for that round, and ignores timers and
    /// answers of the round it decided.
    Applied(Hash),
    /// The result of an [`Output::Execute`].
    Executed {
        /// The candidate's hash.
        candidate: Hash,
        /// What executing it gave.
        result: Execution,
    },
}

/// What the node persisted about its own signed messages, one per slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The slot (round, iteration, step).
    pub slot: (u64, u8, Step),
    /// The message sent there (candidate or vote), re-sent as is after a restart.
    pub message: Arc<Message>,
}

/// A change of a block's finality label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelChange {
    /// Height.
    pub height: u64,
    /// Hash.
    pub hash: Hash,
    /// New label.
    pub label: Label,
}

/// One action for the driver.
#[derive(Clone, Debug)]
pub enum Output {
    /// Send to every peer.
    Broadcast(Arc<Message>),
    /// Send to one peer.
    Send(PeerId, Arc<Message>),
    /// Fire [`Input::TimerFired`] at this time.
    SetTimer(TimerId, Time),
    /// Build a candidate on `parent` (transactions, execution): answer
    /// [`Input::CandidateBuilt`]. The candidate's header will carry exactly these
    /// `failed_iterations` and `faults`, so the driver executes the protocol calls they imply
    /// (`missed` for the generators of `NoCandidate` iterations, `slash` for the faults).
    BuildCandidate {
        /// Round.
        round: u64,
        /// Iteration.
        iteration: u8,
        /// The parent.
        parent: Arc<Block>,
        /// The fail attestations of the round's earlier iterations, by iteration (as the
        /// header's `failed_iterations`).
        failed_iterations: Vec<Option<crate::types::Attestation>>,
        /// The equivocation proofs the candidate carries.
        faults: Vec<Equivocation>,
    },
    /// Execute a candidate over its parent's state: answer [`Input::Executed`].
    Execute {
        /// The candidate.
        candidate: Arc<Candidate>,
        /// The parent's state root.
        parent_state_root: Hash,
    },
    /// Store durably **before** performing the next outputs.
    Persist(Record),
    /// A block joins the chain at its height (the parent is the previous tip): apply it, then
    /// answer [`Input::Applied`] with its hash.
    Accept(Arc<Block>),
    /// Drop every block above `height` (fork choice found a lower-iteration block).
    Revert {
        /// The height kept.
        height: u64,
        /// Its hash.
        hash: Hash,
    },
    /// Finality labels changed.
    Labels(Vec<LabelChange>),
    /// An equivocation was seen (double vote or double candidate).
    Fault(Equivocation),
    /// An accepted block shows that this generator missed its iteration.
    MissedProposal {
        /// Round.
        round: u64,
        /// Iteration.
        iteration: u8,
        /// The generator.
        generator: BlsPublicKey,
    },
    /// The round reached its last iteration: it no longer times out (see the README).
    OpenConsensus {
        /// Round.
        round: u64,
    },
}

/// What a driver keeps for a restart: the retained chain with labels, and the records of
/// the node's own signed messages of the rounds not yet decided.
#[derive(Clone, Debug, Default)]
pub struct Persisted {
    /// Retained blocks, ascending heights, with their labels.
    pub chain: Vec<(Arc<Block>, Label)>,
    /// Own candidates and votes.
    pub records: Vec<Record>,
}

impl Persisted {
    /// Folds an output into the persisted state (what a driver's store does).
    pub fn apply(&mut self, output: &Output, retained: usize) {
        match output {
            Output::Accept(block) => {
                let label = Label::Accepted(u16::MAX);
                self.chain.push((block.clone(), label));
                if self.chain.len() > retained {
                    let excess = self.chain.len() - retained;
                    self.chain.drain(..excess);
                }
            }
            Output::Revert { height, .. } => {
                self.chain.retain(|(b, _)| b.header().height <= *height);
            }
            Output::Labels(changes) => {
                for change in changes {
                    if change.label == Label::Final {
                        self.records.retain(|r| r.slot.0 > change.height);
                    }
                    if let Some(entry) = self
                        .chain
                        .iter_mut()
                        .rev()
                        .find(|(b, _)| b.header().height == change.height)
                    {
                        entry.1 = change.label;
                    }
                }
            }
            Output::Persist(record) => self.records.push(record.clone()),
            _ => {}
        }
    }
}
