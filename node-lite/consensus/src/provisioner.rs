//! The state machine of one provisioner (one key): rounds, iterations and steps.
//!
//! A round decides the block at `tip + 1`; each iteration runs Proposal → Validation →
//! Ratification. The machine never reads a clock: the driver passes `now` with every input,
//! and it asks for timers with [`Output::SetTimer`]. See [`crate::io`] for the driver's duties
//! and the crate README for the protocol.

mod blocks;
mod verify;
mod votes;

use crate::chain::Chain;
use crate::committee::{Eligibility, Sortition};
use crate::config::{Config, ConfigError};
use crate::crypto::{Crypto, Signer};
use crate::io::{Built, Input, Output, PeerId, Record, TimerId, TimerKind};
use crate::message::{Message, Vote, candidate_header, signing_bytes, vote_header};
use crate::tally::Tally;
use crate::timeouts::Timeouts;
use crate::types::{
    Attestation, Block, Candidate, Genesis, Hash, Header, Label, StepVotes, Time, VoteValue,
    hash_of,
};
use genesis_types::BlsPublicKey;
use genesis_types::Seed;
use genesis_types::committee::seed_message;
use genesis_types::stake::{Equivocation, Step};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// What one iteration of the current round has seen.
#[derive(Default)]
struct Iteration {
    candidate: Option<Arc<Candidate>>,
    /// This node's verdict on the candidate, once executed.
    verdict: Option<VoteValue>,
    execute_requested: bool,
    /// The failed iterations and faults a requested build was given (its header carries them).
    build_requested: Option<(Vec<Option<Attestation>>, Vec<Equivocation>)>,
    validation: Tally,
    ratification: Tally,
    /// The validation result: a quorum's value and votes, or `NoQuorum` after a timeout.
    validation_result: Option<(VoteValue, StepVotes)>,
    /// A success attestation waiting for its candidate.
    success: Option<Attestation>,
    fail: Option<Attestation>,
}

/// The round being decided.
struct Round {
    number: u64,
    tip: Arc<Block>,
    tip_hash: Hash,
    sortition: Sortition,
    iteration: u8,
    step: Step,
    step_started: Time,
    iterations: BTreeMap<u8, Iteration>,
    /// Digests of step votes already verified (ratification votes repeat them).
    verified: BTreeSet<Hash>,
}

/// Counters a test or an operator can read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages refused (bad signature, wrong round, ...).
    pub refused: u64,
    /// Iterations started.
    pub iterations: u64,
    /// Step timeouts.
    pub timeouts: u64,
    /// Blocks reverted by the fork choice.
    pub reverts: u64,
}

/// One provisioner's consensus state machine.
pub struct Provisioner {
    config: Config,
    genesis: Arc<Block>,
    signer: Arc<dyn Signer>,
    key: BlsPublicKey,
    crypto: Arc<dyn Crypto>,
    eligibility: Arc<dyn Eligibility>,
    chain: Chain,
    round: Option<Round>,
    timeouts: Timeouts,
    records: BTreeMap<(u64, u8, Step), Arc<Message>>,
    pending_faults: Vec<Equivocation>,
    seen_faults: BTreeSet<(BlsPublicKey, u64, u8, Step)>,
    future: BTreeMap<u64, Vec<(PeerId, Arc<Message>)>>,
    future_len: usize,
    last_sync: Option<Time>,
    /// Checked blocks of other branches above the last final block, by (height, hash), with
    /// their PNI.
    alternatives: BTreeMap<(u64, Hash), (Arc<Block>, u16)>,
    /// A block on top of another branch was seen: sync from the last final block, not the tip.
    diverged: bool,
    /// The accepted block the driver has not reported applied yet ([`Input::Applied`]): the
    /// next round starts once it is (its committees are drawn from that block's state). While
    /// it is set the decided round is closed: every step function returns at once (the code
    /// that led to the `accept` may still be on the stack), timers and answers are ignored,
    /// messages are held.
    awaiting: Option<Hash>,
    /// Messages received while `awaiting`, handled once the next round starts (at most
    /// [`MAX_BUFFERED_MESSAGES`](crate::config::MAX_BUFFERED_MESSAGES)).
    held: VecDeque<(PeerId, Arc<Message>)>,
    /// The rest of another branch being adopted, accepted one block per [`Input::Applied`].
    branch: VecDeque<(Arc<Block>, u16)>,
    stats: Stats,
    now: Time,
    out: Vec<Output>,
}

impl Provisioner {
    /// A provisioner for `signer`'s key, not started (feed [`Input::Start`] or
    /// [`Input::Restart`]).
    ///
    /// # Errors
    /// An invalid `config`.
    pub fn new(
        config: Config,
        genesis: &Genesis,
        signer: Arc<dyn Signer>,
        crypto: Arc<dyn Crypto>,
        eligibility: Arc<dyn Eligibility>,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let genesis = Arc::new(Block::genesis(genesis));
        let chain = Chain::new(genesis.clone(), config.retained_blocks);
        let key = signer.public_key();
        Ok(Provisioner {
            config,
            genesis,
            signer,
            key,
            crypto,
            eligibility,
            chain,
            round: None,
            timeouts: Timeouts::new(),
            records: BTreeMap::new(),
            pending_faults: Vec::new(),
            seen_faults: BTreeSet::new(),
            future: BTreeMap::new(),
            future_len: 0,
            last_sync: None,
            alternatives: BTreeMap::new(),
            diverged: false,
            awaiting: None,
            held: VecDeque::new(),
            branch: VecDeque::new(),
            stats: Stats::default(),
            now: 0,
            out: Vec::new(),
        })
    }

    /// The key.
    pub fn key(&self) -> BlsPublicKey {
        self.key
    }

    /// The chain.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The round being decided and its current iteration (none before start).
    pub fn position(&self) -> Option<(u64, u8, Step)> {
        self.round.as_ref().map(|r| (r.number, r.iteration, r.step))
    }

    /// Feeds one input at time `now`; returns what the driver must do, in order.
    pub fn handle(&mut self, now: Time, input: Input) -> Vec<Output> {
        self.now = now;
        match input {
            Input::Start => {
                if self.round.is_none() {
                    self.start_round();
                }
            }
            Input::Restart(persisted) => {
                // Genesis is never `Accept`ed, so never persisted: before a block is final
                // the persisted chain starts at height 1, and without genesis below it the
                // node took block 1 for its final base and could check no block 2 (found by
                // the simulator: seeds 112, 188 and 263 with 5 provisioners, a crash in the
                // first seconds).
                let mut blocks = persisted.chain;
                if blocks.first().is_some_and(|(b, _)| b.header().height == 1) {
                    blocks.insert(0, (self.genesis.clone(), Label::Final));
                }
                if let Some(chain) = Chain::from_blocks(blocks, self.config.retained_blocks) {
                    self.chain = chain;
                } else {
                    self.chain = Chain::new(self.genesis.clone(), self.config.retained_blocks);
                }
                self.records = persisted
                    .records
                    .into_iter()
                    .map(|r| (r.slot, r.message))
                    .collect();
                self.round = None;
                self.awaiting = None;
                self.held.clear();
                self.branch.clear();
                self.start_round();
            }
            _ if self.round.is_none() => {}
            Input::Applied(hash) => self.on_applied(hash),
            Input::Message(from, message) => self.on_message(from, message),
            Input::TimerFired(id) => self.on_timer(id),
            Input::CandidateBuilt(built) => self.on_built(built),
            Input::Executed { candidate, result } => self.on_executed(candidate, result),
        }
        std::mem::take(&mut self.out)
    }

    fn emit(&mut self, output: Output) {
        self.out.push(output);
    }

    fn round(&mut self) -> &mut Round {
        // Only called once started.
        self.round.as_mut().expect("started")
    }

    fn is_last(&self, iteration: u8) -> bool {
        iteration.saturating_add(1) >= self.config.max_iterations
    }

    /// The driver applied the accepted block `hash`: the next round starts (drawn from that
    /// block's state, handling the messages held meanwhile), then the rest of a branch being
    /// adopted.
    fn on_applied(&mut self, hash: Hash) {
        if self.awaiting != Some(hash) {
            return;
        }
        self.awaiting = None;
        self.start_round();
        self.continue_branch();
    }

    fn start_round(&mut self) {
        let tip = self.chain.tip().clone();
        let number = tip.block.header().height + 1;
        let sortition = Sortition::new(self.eligibility.as_ref(), tip.block.header());
        // Records of rounds above the last final block stay: the fork choice can revert to
        // such a round, and the node must not sign anything new in a slot it signed before.
        let last_final = self.chain.last_final();
        self.records.retain(|slot, _| slot.0 > last_final);
        let resume = self
            .records
            .keys()
            .filter(|slot| slot.0 == number)
            .map(|slot| slot.1)
            .max()
            .unwrap_or(0);
        self.timeouts.new_round();
        self.round = Some(Round {
            number,
            tip: tip.block,
            tip_hash: tip.hash,
            sortition,
            iteration: resume,
            step: Step::Proposal,
            step_started: self.now,
            iterations: BTreeMap::new(),
            verified: BTreeSet::new(),
        });
        self.enter_iteration(resume);
        // The buffered messages of this round and earlier ones, by round. One that completes
        // this round (an accepted block) stops the replay: the rest of its round's messages are
        // held, and the later rounds' stay buffered, for the next round to replay (in this order,
        // as if this round had ended before they came).
        let ready: Vec<u64> = self.future.range(..=number).map(|(r, _)| *r).collect();
        for r in ready {
            if self.awaiting.is_some() {
                return;
            }
            let mut messages = self.future.remove(&r).unwrap_or_default().into_iter();
            while let Some((from, message)) = messages.next() {
                self.future_len -= 1;
                self.on_message(from, message);
                if self.awaiting.is_some() {
                    for rest in messages.by_ref() {
                        self.future_len -= 1;
                        self.held.push_back(rest);
                    }
                }
            }
        }
        // Then the messages held while the parent was being applied (a completed round holds
        // the rest again).
        let held = std::mem::take(&mut self.held);
        for (from, message) in held {
            self.on_message(from, message);
        }
    }

    fn set_timer(&mut self, iteration: u8, kind: TimerKind, at: Time) {
        let round = self.round().number;
        self.emit(Output::SetTimer(
            TimerId {
                round,
                iteration,
                kind,
            },
            at,
        ));
    }

    fn enter_iteration(&mut self, iteration: u8) {
        if self.awaiting.is_some() {
            return;
        }
        let now = self.now;
        let min_block_time = self.config.min_block_time;
        let last = self.is_last(iteration);
        let proposal_timeout = self.timeouts.timeout(&self.config, Step::Proposal);
        let key = self.key;
        self.stats.iterations += 1;
        let round = self.round();
        round.iteration = iteration;
        round.step = Step::Proposal;
        round.iterations.entry(iteration).or_default();
        let propose_at = if iteration == 0 {
            now.max(round.tip.header().timestamp.saturating_add(min_block_time))
        } else {
            now
        };
        round.step_started = propose_at;
        let generator = round.sortition.generator(iteration);
        let number = round.number;
        if last {
            self.emit(Output::OpenConsensus { round: number });
            let at = now + self.config.rebroadcast_interval;
            self.set_timer(iteration, TimerKind::Rebroadcast, at);
        } else {
            self.set_timer(
                iteration,
                TimerKind::Step(Step::Proposal),
                propose_at + proposal_timeout,
            );
        }
        if generator == Some(key) {
            if let Some(message) = self
                .records
                .get(&(number, iteration, Step::Proposal))
                .cloned()
            {
                self.emit(Output::Broadcast(message.clone()));
                self.on_message(u64::MAX, message);
            } else if propose_at > now {
                self.set_timer(iteration, TimerKind::Propose, propose_at);
            } else {
                self.request_build(iteration);
            }
        }
        let has_candidate = self.round().iterations[&iteration].candidate.is_some();
        if has_candidate
            && self.round().step == Step::Proposal
            && self.round().iteration == iteration
        {
            self.enter_validation(false);
        }
    }

    fn request_build(&mut self, iteration: u8) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round.as_ref().expect("started");
        if round
            .iterations
            .get(&iteration)
            .is_some_and(|e| e.build_requested.is_some() || e.candidate.is_some())
        {
            return;
        }
        let failed_iterations = (0..iteration.min(crate::config::MAX_FAILED_ATTESTATIONS as u8))
            .map(|i| round.iterations.get(&i).and_then(|it| it.fail.clone()))
            .collect::<Vec<_>>();
        let faults: Vec<Equivocation> = self
            .pending_faults
            .iter()
            .take(crate::config::MAX_FAULTS_PER_BLOCK)
            .copied()
            .collect();
        let round = self.round();
        let entry = round.iterations.entry(iteration).or_default();
        entry.build_requested = Some((failed_iterations.clone(), faults.clone()));
        let (number, parent) = (round.number, round.tip.clone());
        self.emit(Output::BuildCandidate {
            round: number,
            iteration,
            parent,
            failed_iterations,
            faults,
        });
    }

    fn on_built(&mut self, built: Built) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        if built.round != round.number
            || round.sortition.generator(built.iteration) != Some(self.key)
        {
            return;
        }
        if self
            .records
            .contains_key(&(built.round, built.iteration, Step::Proposal))
        {
            return;
        }
        let round = self.round.as_ref().expect("started");
        // What the driver was asked to execute: the header must say the same.
        let Some((failed_iterations, faults)) = round
            .iterations
            .get(&built.iteration)
            .and_then(|it| it.build_requested.clone())
        else {
            return;
        };
        let tip = round.tip.header();
        let header = Header {
            height: round.number,
            prev_hash: round.tip_hash,
            timestamp: self.now.max(tip.timestamp + self.config.min_block_time),
            iteration: built.iteration,
            state_root: built.state_root,
            tx_root: hash_of(&built.txs),
            fault_root: hash_of(&faults),
            gas_used: built.gas_used,
            generator: self.key,
            seed: Seed::from(self.signer.sign(&seed_message(&tip.seed))),
            prev_attestation: (tip.height > 0).then(|| round.tip.attestation.clone()),
            failed_iterations,
        };
        let hash = header.hash();
        let signature = self.signer.sign(&signing_bytes(&candidate_header(
            round.number,
            built.iteration,
            &hash,
        )));
        let candidate = Candidate {
            header,
            txs: built.txs,
            faults,
            signature,
        };
        let slot = (built.round, built.iteration, Step::Proposal);
        let message = Arc::new(Message::Candidate(candidate));
        self.records.insert(slot, message.clone());
        self.emit(Output::Persist(Record {
            slot,
            message: message.clone(),
        }));
        self.emit(Output::Broadcast(message.clone()));
        self.on_message(u64::MAX, message);
    }

    /// The proposal step ends: with a candidate, or (`timed_out`) without.
    fn enter_validation(&mut self, timed_out: bool) {
        if self.awaiting.is_some() {
            return;
        }
        let now = self.now;
        let timeout = self.timeouts.timeout(&self.config, Step::Validation);
        let round = self.round();
        let iteration = round.iteration;
        if !timed_out {
            let duration = now.saturating_sub(round.step_started);
            self.timeouts.succeeded(Step::Proposal, duration);
        }
        let round = self.round();
        round.step = Step::Validation;
        round.step_started = now;
        if !self.is_last(iteration) {
            self.set_timer(iteration, TimerKind::Step(Step::Validation), now + timeout);
        }
        let round = self.round();
        let state = round.iterations.entry(iteration).or_default();
        if timed_out && state.candidate.is_none() {
            self.cast_vote(iteration, Step::Validation, VoteValue::NoCandidate, None);
        } else if let Some(verdict) = state.verdict {
            self.cast_vote(iteration, Step::Validation, verdict, None);
        } else if let Some(candidate) = state.candidate.clone() {
            self.request_execution(iteration, candidate);
        }
        let decided = self.round().iterations[&iteration]
            .validation_result
            .is_some();
        if decided {
            self.enter_ratification(false);
        }
    }

    fn request_execution(&mut self, iteration: u8, candidate: Arc<Candidate>) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        let parent_state_root = round.tip.header().state_root;
        let state = round.iterations.entry(iteration).or_default();
        if state.execute_requested {
            return;
        }
        // Only members need the verdict before voting.
        state.execute_requested = true;
        let signer = self.signer.clone();
        let round = self.round();
        let (credits, _) =
            round
                .sortition
                .own_credits(signer.as_ref(), iteration, Step::Validation);
        if credits == 0 {
            return;
        }
        self.emit(Output::Execute {
            candidate,
            parent_state_root,
        });
    }

    fn on_executed(&mut self, hash: Hash, result: crate::io::Execution) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        let Some((&iteration, state)) = round
            .iterations
            .iter_mut()
            .find(|(_, s)| s.candidate.as_ref().is_some_and(|c| c.hash() == hash))
        else {
            return;
        };
        let header = &state.candidate.as_ref().expect("found by candidate").header;
        let verdict = match result {
            crate::io::Execution::Done {
                state_root,
                gas_used,
            } if state_root == header.state_root && gas_used == header.gas_used => {
                VoteValue::Valid(hash)
            }
            _ => VoteValue::Invalid(hash),
        };
        state.verdict = Some(verdict);
        if round.iteration == iteration && round.step == Step::Validation {
            self.cast_vote(iteration, Step::Validation, verdict, None);
        }
    }

    /// The validation step ends: with a quorum, or (`timed_out`) with `NoQuorum`.
    fn enter_ratification(&mut self, timed_out: bool) {
        if self.awaiting.is_some() {
            return;
        }
        let now = self.now;
        let timeout = self.timeouts.timeout(&self.config, Step::Ratification);
        let round = self.round();
        let iteration = round.iteration;
        let duration = now.saturating_sub(round.step_started);
        round.step = Step::Ratification;
        round.step_started = now;
        let state = round.iterations.entry(iteration).or_default();
        if timed_out && state.validation_result.is_none() {
            state.validation_result = Some((VoteValue::NoQuorum, StepVotes::empty()));
        } else if !timed_out {
            self.timeouts.succeeded(Step::Validation, duration);
        }
        if !self.is_last(iteration) {
            self.set_timer(
                iteration,
                TimerKind::Step(Step::Ratification),
                now + timeout,
            );
        }
        let round = self.round();
        let Some((value, votes)) = round.iterations[&iteration].validation_result.clone() else {
            return;
        };
        let carried = (value != VoteValue::NoQuorum).then_some(votes);
        self.cast_vote(iteration, Step::Ratification, value, carried);
    }

    fn next_iteration(&mut self) {
        if self.awaiting.is_some() {
            return;
        }
        let iteration = self.round().iteration;
        if self.is_last(iteration) {
            return;
        }
        self.enter_iteration(iteration + 1);
    }

    fn on_timer(&mut self, id: TimerId) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        if id.round != round.number || id.iteration != round.iteration {
            return;
        }
        let step = round.step;
        match id.kind {
            TimerKind::Propose => self.request_build(id.iteration),
            TimerKind::Step(s) if s == step => {
                self.stats.timeouts += 1;
                self.timeouts.timed_out(step);
                match step {
                    Step::Proposal => self.enter_validation(true),
                    Step::Validation => self.enter_ratification(true),
                    Step::Ratification => self.next_iteration(),
                }
            }
            TimerKind::Step(_) => {}
            TimerKind::Rebroadcast => {
                let number = round.number;
                let mine: Vec<_> = self
                    .records
                    .range(
                        (number, id.iteration, Step::Proposal)
                            ..=(number, id.iteration, Step::Ratification),
                    )
                    .map(|(_, m)| m.clone())
                    .collect();
                for message in mine {
                    self.emit(Output::Broadcast(message));
                }
                let at = self.now + self.config.rebroadcast_interval;
                self.set_timer(id.iteration, TimerKind::Rebroadcast, at);
            }
        }
    }

    /// Votes in a slot, unless this node holds no credits there. A slot already voted in
    /// (this run or, persisted, before a restart) gets the same message again, never a new one.
    fn cast_vote(
        &mut self,
        iteration: u8,
        step: Step,
        value: VoteValue,
        validation: Option<StepVotes>,
    ) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        let number = round.number;
        let slot = (number, iteration, step);
        if let Some(message) = self.records.get(&slot).cloned() {
            self.emit(Output::Broadcast(message.clone()));
            self.on_message(u64::MAX, message);
            return;
        }
        let round = self.round.as_mut().expect("started");
        let (credits, proof) = round
            .sortition
            .own_credits(self.signer.as_ref(), iteration, step);
        if credits == 0 {
            return;
        }
        let header = vote_header(number, iteration, step, &round.tip_hash, &value);
        let vote = Vote {
            header,
            prev_hash: round.tip_hash,
            value,
            voter: self.key,
            signature: self.signer.sign(&signing_bytes(&header)),
            proof,
            validation,
        };
        let message = Arc::new(Message::Vote(vote));
        self.records.insert(slot, message.clone());
        self.emit(Output::Persist(Record {
            slot,
            message: message.clone(),
        }));
        self.emit(Output::Broadcast(message.clone()));
        self.on_message(u64::MAX, message);
    }

    fn record_fault(&mut self, fault: Equivocation) {
        let h = fault.first.header;
        if self
            .seen_faults
            .insert((fault.key, h.round, h.iteration, h.step))
        {
            self.pending_faults.push(fault);
            self.emit(Output::Fault(fault));
        }
    }

    fn on_message(&mut self, from: PeerId, message: Arc<Message>) {
        if self.awaiting.is_some() {
            if self.held.len() < crate::config::MAX_BUFFERED_MESSAGES {
                self.held.push_back((from, message));
            }
            return;
        }
        let result = match message.as_ref() {
            Message::Candidate(c) => self.on_candidate(from, c),
            Message::Vote(v) => self.on_vote(from, &message, v),
            Message::FailQuorum(q) => self.on_fail_quorum(from, &message, q),
            Message::Block(b) => self.on_block(from, b),
            Message::GetBlocks { from: height } => {
                self.on_get_blocks(from, *height);
                Ok(())
            }
        };
        if result.is_err() {
            self.stats.refused += 1;
        }
    }
}
