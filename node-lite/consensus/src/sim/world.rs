//! The simulated world: nodes, network, clock and the event loop.

use super::byzantine::{Behaviour, conflicting_candidate, future_copy};
use super::invariants::{Invariants, Violation};
use super::options::{FaultEvent, SimOptions};
use super::report::Report;
use super::rng::SplitMix64;
use super::split::{Role, Route, SplitAdversary};
use crate::committee::StaticEligibility;
use crate::crypto::Signer;
use crate::crypto::fake::{FakeKeys, FakeSigner};
use crate::io::{Built, Execution, Input, Output, Persisted, TimerId};
use crate::message::Message;
use crate::provisioner::Provisioner;
use crate::types::{Genesis, Hash, Label, Time, blake2b256, hash_of};
use genesis_types::Seed;
use genesis_types::committee::CommitteeParams;
use genesis_types::stake::Eligible;
use host_api::ContractId;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

mod adversary;

enum Event {
    Deliver {
        to: usize,
        from: usize,
        message: Arc<Message>,
    },
    Timer {
        node: usize,
        incarnation: u64,
        id: TimerId,
    },
    Built {
        node: usize,
        incarnation: u64,
        built: Built,
    },
    Executed {
        node: usize,
        incarnation: u64,
        hash: Hash,
        result: Execution,
    },
    Crash(usize),
    Restart(usize),
}

struct Scheduled {
    at: Time,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

struct Node {
    provisioner: Provisioner,
    signer: Arc<FakeSigner>,
    persisted: Persisted,
    up: bool,
    incarnation: u64,
    behaviour: Option<Behaviour>,
    final_height: u64,
}

/// Events allowed at a single virtual instant before the run is declared a livelock.
pub const MAX_EVENTS_AT_ONE_INSTANT: u64 = 100_000;

/// The simulator.
pub struct Simulator {
    options: SimOptions,
    nodes: Vec<Node>,
    queue: BinaryHeap<Reverse<Scheduled>>,
    seq: u64,
    now: Time,
    rng: SplitMix64,
    invariants: Invariants,
    report: Report,
    key_index: BTreeMap<genesis_types::BlsPublicKey, usize>,
    startup: Option<Violation>,
    eligibility: Arc<StaticEligibility>,
    split: SplitAdversary,
    /// Honest acceptances by slot (height, iteration): the block hashes, and whether all of
    /// them have PNI 0.
    accepted_slots: BTreeMap<(u64, u8), (Vec<Hash>, bool)>,
}

fn genesis() -> Genesis {
    Genesis {
        seed: Seed([7; 48]),
        state_root: [0; 32],
        timestamp: 0,
    }
}

/// The fake executor: the post-state root is `H(parent root ‖ tx root)`, gas the bytes.
fn execute(parent_root: &Hash, txs: &[Vec<u8>]) -> (Hash, u64) {
    let mut bytes = parent_root.to_vec();
    bytes.extend_from_slice(&hash_of(&txs.to_vec()));
    (blake2b256(&bytes), txs.iter().map(|t| t.len() as u64).sum())
}

impl Simulator {
    /// Builds the nodes (one per stake, plus one per twin) and starts them at time 0.
    pub fn new(options: SimOptions) -> Self {
        let mut keys = FakeKeys::default();
        let signers = keys.generate(options.seed, options.stakes.len());
        let crypto = Arc::new(keys.crypto());
        let eligible: Vec<Eligible> = signers
            .iter()
            .zip(&options.stakes)
            .map(|(s, stake)| Eligible {
                key: s.public_key(),
                weight: *stake,
            })
            .collect();
        let mut params = CommitteeParams::with_default_sizes(
            ContractId([0; 32]),
            options.mode,
            options.credit_unit,
        );
        params.validation_credits = options.committee_credits;
        params.ratification_credits = options.committee_credits;
        let params_valid = params.is_valid();
        let eligibility = Arc::new(StaticEligibility::new(eligible, params));
        let behaviour_of = |i: usize| {
            options
                .byzantine
                .iter()
                .find(|(n, _)| *n == i)
                .map(|(_, b)| *b)
        };
        let mut node_signers: Vec<Arc<FakeSigner>> = signers.into_iter().map(Arc::new).collect();
        for (_, b) in &options.byzantine {
            if let Behaviour::TwinOf(original) | Behaviour::SplitTwin(original) = b {
                node_signers.push(node_signers[*original].clone());
            }
        }
        let twin_nodes: Vec<usize> = options
            .byzantine
            .iter()
            .filter_map(|(n, b)| matches!(b, Behaviour::TwinOf(_)).then_some(*n))
            .collect();
        let key_index = node_signers
            .iter()
            .enumerate()
            .take(options.stakes.len())
            .map(|(i, s)| (s.public_key(), i))
            .collect();
        let nodes = node_signers
            .into_iter()
            .enumerate()
            .map(|(i, signer)| {
                let provisioner = Provisioner::new(
                    options.config.clone(),
                    &genesis(),
                    signer.clone(),
                    crypto.clone(),
                    eligibility.clone(),
                )
                .expect("valid simulator config");
                let mut behaviour = behaviour_of(i);
                if behaviour.is_none()
                    && twin_nodes.iter().any(|t| {
                        options
                            .byzantine
                            .iter()
                            .any(|(n, b)| n == t && *b == Behaviour::TwinOf(i))
                    })
                {
                    behaviour = Some(Behaviour::TwinOf(i));
                }
                Node {
                    provisioner,
                    signer,
                    persisted: Persisted::default(),
                    up: true,
                    incarnation: 0,
                    behaviour,
                    final_height: 0,
                }
            })
            .collect();
        let rng = SplitMix64::new(options.seed);
        let options_hold = options.split_hold_rounds;
        let options_window = options.split_hold_window;
        let mut sim = Simulator {
            options,
            nodes,
            queue: BinaryHeap::new(),
            seq: 0,
            now: 0,
            rng,
            invariants: Invariants::default(),
            report: Report::default(),
            key_index,
            startup: None,
            eligibility,
            split: SplitAdversary::holding(options_hold).with_window(options_window),
            accepted_slots: BTreeMap::new(),
        };
        sim.report.accepted = vec![Vec::new(); sim.nodes.len()];
        for fault in sim.options.faults.clone() {
            if let FaultEvent::Crash { node, at, restart } = fault {
                sim.schedule(at, Event::Crash(node));
                sim.schedule(restart, Event::Restart(node));
            }
        }
        if !params_valid {
            // What the committee contract refuses (0 or more than `MAX_STEP_CREDITS` credits
            // per step) no chain can start with: a run with it would mean nothing.
            sim.startup = Some(sim.violation(format!(
                "committee parameters refused: {} credits per step (1 to {} allowed), credit unit {}",
                sim.options.committee_credits,
                genesis_types::committee::MAX_STEP_CREDITS,
                sim.options.credit_unit
            )));
            return sim;
        }
        for i in 0..sim.nodes.len() {
            let outputs = sim.nodes[i].provisioner.handle(0, Input::Start);
            if let Err(v) = sim.perform(i, outputs) {
                sim.startup = Some(v);
            }
        }
        sim
    }

    /// The options (print them to replay).
    pub fn options(&self) -> &SimOptions {
        &self.options
    }

    fn honest(&self, node: usize) -> bool {
        self.nodes[node].behaviour.is_none()
    }

    fn schedule(&mut self, at: Time, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at,
            seq: self.seq,
            event,
        }));
    }

    fn cut(&self, node: usize, at: Time) -> bool {
        self.options.faults.iter().any(|f| match f {
            FaultEvent::Offline {
                node: n,
                from,
                until,
            } => *n == node && (*from..*until).contains(&at),
            _ => false,
        }) || !self.nodes[node].up
    }

    fn separated(&self, a: usize, b: usize, at: Time) -> bool {
        self.options.faults.iter().any(|f| match f {
            FaultEvent::Partition { side, from, until } => {
                (*from..*until).contains(&at) && (side.contains(&a) != side.contains(&b))
            }
            _ => false,
        })
    }

    fn extra_delay(&self, node: usize, at: Time) -> Time {
        self.options
            .faults
            .iter()
            .map(|f| match f {
                FaultEvent::Slow {
                    node: n,
                    extra,
                    from,
                    until,
                } if *n == node && (*from..*until).contains(&at) => *extra,
                _ => 0,
            })
            .sum()
    }

    fn send(&mut self, from: usize, to: usize, message: Arc<Message>) {
        self.report.deliveries += 1;
        let now = self.now;
        if self.cut(from, now) || self.cut(to, now) || self.separated(from, to, now) {
            return;
        }
        let late = match self
            .split
            .route((self.role(from), from), to, self.role(to), &message)
        {
            Route::Drop => return,
            Route::Delay(extra) => extra,
            Route::Normal => 0,
        };
        if self.rng.chance(self.options.drop_per_million) {
            return;
        }
        let copies = if self.rng.chance(self.options.duplicate_per_million) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = self
                .rng
                .range(self.options.delay_min, self.options.delay_max)
                + self.extra_delay(from, now)
                + self.extra_delay(to, now)
                + late;
            self.schedule(
                now + delay,
                Event::Deliver {
                    to,
                    from,
                    message: message.clone(),
                },
            );
        }
    }

    fn broadcast(&mut self, from: usize, message: Arc<Message>) {
        self.report.broadcasts += 1;
        for to in 0..self.nodes.len() {
            if to != from {
                self.send(from, to, message.clone());
            }
        }
    }

    fn violation(&self, reason: String) -> Violation {
        Violation {
            seed: self.options.seed,
            at: self.now,
            reason,
        }
    }

    /// Carries out a node's outputs, checking the invariants they touch.
    fn perform(&mut self, node: usize, outputs: Vec<Output>) -> Result<(), Violation> {
        let honest = self.honest(node);
        let incarnation = self.nodes[node].incarnation;
        let retained = self.options.config.retained_blocks;
        // Blocks accepted: applied (the simulated state is the header's root) once the batch's
        // outputs are performed, which starts the next round.
        let mut applied = Vec::new();
        for output in outputs {
            self.nodes[node].persisted.apply(&output, retained);
            match output {
                Output::Broadcast(message) => {
                    if honest {
                        let own = self.nodes[node].signer.public_key();
                        self.invariants
                            .on_sent(node, &own, &message)
                            .map_err(|r| self.violation(r))?;
                    }
                    if let Message::Candidate(c) = message.as_ref()
                        && self.role(node) != Role::Honest
                        && c.header.generator == self.nodes[node].signer.public_key()
                    {
                        self.split_candidate(node, c);
                    }
                    self.byzantine_broadcast(node, message);
                }
                Output::Send(to, message) => {
                    if let Ok(to) = usize::try_from(to) {
                        self.send(node, to, message);
                    }
                }
                Output::SetTimer(id, at) => {
                    self.schedule(
                        at.max(self.now),
                        Event::Timer {
                            node,
                            incarnation,
                            id,
                        },
                    );
                }
                Output::BuildCandidate {
                    round,
                    iteration,
                    parent,
                    ..
                } => {
                    let txs = vec![round.to_le_bytes().to_vec(), vec![iteration, node as u8]];
                    let (mut state_root, gas_used) = execute(&parent.header().state_root, &txs);
                    if self.nodes[node].behaviour == Some(Behaviour::InvalidCandidates) {
                        state_root[0] ^= 1;
                    }
                    let delay = self.rng.range(0, self.options.execution_max);
                    let built = Built {
                        round,
                        iteration,
                        txs: Arc::new(txs),
                        state_root,
                        gas_used,
                    };
                    self.schedule(
                        self.now + delay,
                        Event::Built {
                            node,
                            incarnation,
                            built,
                        },
                    );
                }
                Output::Execute {
                    candidate,
                    parent_state_root,
                } => {
                    let (state_root, gas_used) = execute(&parent_state_root, &candidate.txs);
                    let delay = self.rng.range(0, self.options.execution_max);
                    let result = Execution::Done {
                        state_root,
                        gas_used,
                    };
                    let hash = candidate.hash();
                    self.schedule(
                        self.now + delay,
                        Event::Executed {
                            node,
                            incarnation,
                            hash,
                            result,
                        },
                    );
                }
                Output::Accept(block) => {
                    applied.push(block.hash());
                    let height = block.header().height;
                    self.report.accepted[node].push((height, block.hash()));
                    if honest {
                        self.report.first_accepted.entry(height).or_insert(self.now);
                        let slot = (height, block.header().iteration);
                        let header = block.header();
                        let listed = header.failed_iterations.iter().flatten().count();
                        let pni_zero = usize::from(header.iteration) <= listed;
                        let (hashes, all_pni_zero) = self
                            .accepted_slots
                            .entry(slot)
                            .or_insert_with(|| (Vec::new(), true));
                        if !hashes.contains(&block.hash()) {
                            hashes.push(block.hash());
                            *all_pni_zero &= pni_zero;
                            if hashes.len() == 2 {
                                let all_pni_zero = *all_pni_zero;
                                self.report.conflicting_attestations += 1;
                                // Both blocks can become `Final` with one attested child
                                // each: PNI 0, and every block below them final already.
                                let below_final = (0..self.nodes.len())
                                    .filter(|i| self.honest(*i))
                                    .map(|i| self.nodes[i].provisioner.chain())
                                    .filter(|c| c.tip().block.header().height >= height)
                                    .all(|c| c.last_final() + 1 >= height);
                                let ready = all_pni_zero && below_final;
                                self.split.on_conflict(slot, ready);
                                self.report.split_window_trials = self.split.window_trials.clone();
                            }
                        }
                    }
                }
                Output::Labels(changes) => {
                    for change in changes {
                        if change.label == Label::Final && honest {
                            self.invariants
                                .on_final(node, change.height, change.hash)
                                .map_err(|r| self.violation(r))?;
                            let n = &mut self.nodes[node];
                            n.final_height = n.final_height.max(change.height);
                        }
                    }
                }
                Output::Fault(fault) => {
                    if honest
                        && let Some(&accused) = self.key_index.get(&fault.key)
                        && self.honest(accused)
                    {
                        return Err(self.violation(format!(
                            "honest node {node} produced an equivocation proof against honest node {accused}"
                        )));
                    }
                    if honest && let Some(i) = self.key_index.get(&fault.key) {
                        *self.report.faults.entry(*i).or_default() += 1;
                        if self.report.fault_samples.len() < 8 {
                            let (a, b) = (fault.first.header, fault.second.header);
                            let mut pa = [0; 4];
                            let mut pb = [0; 4];
                            pa.copy_from_slice(&a.payload[..4]);
                            pb.copy_from_slice(&b.payload[..4]);
                            self.report.fault_samples.push((
                                *i,
                                a.round,
                                a.iteration,
                                a.step as u8,
                                pa,
                                pb,
                            ));
                        }
                    }
                }
                Output::MissedProposal { .. } => {
                    if honest {
                        self.report.missed += 1;
                    }
                }
                Output::OpenConsensus { .. } => self.report.open_consensus += 1,
                Output::Revert { .. } | Output::Persist(_) => {}
            }
        }
        for hash in applied {
            let outputs = self.nodes[node]
                .provisioner
                .handle(self.now, Input::Applied(hash));
            self.perform(node, outputs)?;
        }
        Ok(())
    }

    fn byzantine_broadcast(&mut self, node: usize, message: Arc<Message>) {
        match (self.nodes[node].behaviour, message.as_ref()) {
            (Some(Behaviour::Withhold), Message::Vote(_)) => {}
            (Some(Behaviour::EquivocatingGenerator), Message::Candidate(c)) => {
                let other = conflicting_candidate(self.nodes[node].signer.as_ref(), c);
                for to in 0..self.nodes.len() {
                    if to != node {
                        let m = if to % 2 == 0 {
                            message.clone()
                        } else {
                            other.clone()
                        };
                        self.send(node, to, m);
                    }
                }
            }
            (Some(Behaviour::StaleAndFuture), _) => {
                if let Some(copy) = future_copy(&message) {
                    self.broadcast(node, copy);
                }
                self.broadcast(node, message.clone());
                // The same message again, 5 s later: by then it is for a past round.
                for to in 0..self.nodes.len() {
                    if to != node {
                        self.schedule(
                            self.now + 5_000,
                            Event::Deliver {
                                to,
                                from: node,
                                message: message.clone(),
                            },
                        );
                    }
                }
            }
            _ => self.broadcast(node, message),
        }
    }

    fn step(&mut self) -> Result<bool, Violation> {
        let Some(Reverse(next)) = self.queue.pop() else {
            return Ok(false);
        };
        self.now = next.at;
        self.report.events += 1;
        let (node, input) = match next.event {
            Event::Deliver { to, from, message } => {
                if self.cut(to, self.now) {
                    return Ok(true);
                }
                (to, Input::Message(from as u64, message))
            }
            Event::Timer {
                node,
                incarnation,
                id,
            } => {
                if incarnation != self.nodes[node].incarnation || !self.nodes[node].up {
                    return Ok(true);
                }
                (node, Input::TimerFired(id))
            }
            Event::Built {
                node,
                incarnation,
                built,
            } => {
                if incarnation != self.nodes[node].incarnation || !self.nodes[node].up {
                    return Ok(true);
                }
                (node, Input::CandidateBuilt(built))
            }
            Event::Executed {
                node,
                incarnation,
                hash,
                result,
            } => {
                if incarnation != self.nodes[node].incarnation || !self.nodes[node].up {
                    return Ok(true);
                }
                (
                    node,
                    Input::Executed {
                        candidate: hash,
                        result,
                    },
                )
            }
            Event::Crash(node) => {
                let n = &mut self.nodes[node];
                n.up = false;
                n.incarnation += 1;
                return Ok(true);
            }
            Event::Restart(node) => {
                let n = &mut self.nodes[node];
                n.up = true;
                (node, Input::Restart(n.persisted.clone()))
            }
        };
        let outputs = self.nodes[node].provisioner.handle(self.now, input);
        self.perform(node, outputs)?;
        Ok(true)
    }

    fn honest_finals(&self) -> (u64, u64) {
        let finals = (0..self.nodes.len())
            .filter(|i| self.honest(*i))
            .map(|i| self.nodes[i].final_height);
        let min = finals.clone().min().unwrap_or(0);
        (min, finals.max().unwrap_or(0))
    }

    /// Runs until every honest node has `rounds` final blocks, checking the invariants after
    /// every event, and the liveness bound once every scheduled fault is over.
    ///
    /// # Errors
    /// The first violated invariant (with the seed to replay).
    pub fn run(&mut self, rounds: u64) -> Result<Report, Violation> {
        let all: Vec<usize> = (0..self.nodes.len()).filter(|i| self.honest(*i)).collect();
        self.run_nodes(&all, rounds)
    }

    /// As [`Simulator::run`], waiting only for `nodes` (e.g. the ones not cut off for good).
    ///
    /// # Errors
    /// The first violated invariant.
    pub fn run_nodes(&mut self, nodes: &[usize], rounds: u64) -> Result<Report, Violation> {
        if let Some(v) = self.startup.take() {
            return Err(v);
        }
        // Liveness: while at least 2/3 of the stake is honest, up and connected (checked every
        // virtual second), some node of `nodes` must finalize a new block within the bound.
        let mut last_progress: (u64, Time) = (0, 0);
        let mut healthy_since: Option<Time> = None;
        let mut next_check: Time = 0;
        let mut same_instant: (Time, u64) = (Time::MAX, 0);
        // Since when each node has been connected (in the group above) and behind the
        // highest final height: a node left behind for good would keep the run going forever.
        let mut behind_since: Vec<Option<Time>> = vec![None; self.nodes.len()];
        loop {
            let finals = nodes.iter().map(|i| self.nodes[*i].final_height);
            let min = finals.clone().min().unwrap_or(0);
            let max = finals.max().unwrap_or(0);
            if min >= rounds {
                break;
            }
            if max > last_progress.0 {
                last_progress = (max, self.now);
            }
            if self.now >= next_check {
                next_check = self.now + 1_000;
                let usable: Vec<bool> = (0..self.nodes.len())
                    .map(|i| self.honest(i) && self.nodes[i].up)
                    .collect();
                let (connected, total) = self.options.connected_stake(self.now, &usable);
                if connected * 3 >= total * 2 {
                    healthy_since.get_or_insert(self.now);
                } else {
                    healthy_since = None;
                }
                let group = self.options.connected_group(self.now, &usable);
                for &i in nodes {
                    let behind = healthy_since.is_some()
                        && group.contains(&i)
                        && self.nodes[i].final_height < max;
                    if !behind {
                        behind_since[i] = None;
                        continue;
                    }
                    let since = *behind_since[i].get_or_insert(self.now);
                    if self.now - since > self.options.liveness_bound {
                        let position = self.nodes[i].provisioner.position();
                        return Err(self.violation(format!(
                            "liveness: node {i} connected but stuck at final height {} (round, iteration, step {position:?}) for {} ms while others reached {max}",
                            self.nodes[i].final_height,
                            self.now - since
                        )));
                    }
                }
            }
            if let Some(since) = healthy_since {
                let stalled = self.now.saturating_sub(last_progress.1.max(since));
                if stalled > self.options.liveness_bound {
                    let positions: Vec<_> = self
                        .nodes
                        .iter()
                        .map(|n| (n.provisioner.position(), n.final_height, n.up))
                        .collect();
                    return Err(self.violation(format!(
                        "liveness: nothing finalized past height {max} for {stalled} ms with at least 2/3 of the stake honest, up and connected; nodes (round, iteration, step), final height, up: {positions:?}"
                    )));
                }
            }
            if self.now != same_instant.0 {
                same_instant = (self.now, 0);
            }
            same_instant.1 += 1;
            if same_instant.1 > MAX_EVENTS_AT_ONE_INSTANT {
                return Err(self.violation(format!(
                    "livelock: {MAX_EVENTS_AT_ONE_INSTANT} events without virtual time advancing"
                )));
            }
            if !self.step()? {
                return Err(self.violation("the event queue ran dry".into()));
            }
            if self.report.events.is_multiple_of(4_096) {
                self.invariants.prune(min.saturating_sub(2));
            }
        }
        Ok(self.finish())
    }

    /// Runs until virtual time `until` (no liveness check).
    ///
    /// # Errors
    /// The first violated safety invariant.
    pub fn run_until(&mut self, until: Time) -> Result<Report, Violation> {
        if let Some(v) = self.startup.take() {
            return Err(v);
        }
        while self.queue.peek().is_some_and(|Reverse(s)| s.at <= until) {
            self.step()?;
        }
        self.now = self.now.max(until);
        Ok(self.finish())
    }

    fn finish(&mut self) -> Report {
        let (min, max) = self.honest_finals();
        self.report.min_final = min;
        self.report.max_final = max;
        self.report.time = self.now;
        self.report.reverts = (0..self.nodes.len())
            .filter(|i| self.honest(*i))
            .map(|i| self.nodes[i].provisioner.stats().reverts)
            .sum();
        self.report.iterations = self
            .nodes
            .iter()
            .map(|n| n.provisioner.stats().iterations)
            .sum();
        self.report.clone()
    }

    /// The report so far (e.g. after a violation stopped the run).
    pub fn report(&mut self) -> Report {
        self.finish()
    }

    /// A node's tip block.
    pub fn tip(&self, node: usize) -> Arc<crate::types::Block> {
        self.nodes[node].provisioner.chain().tip().block.clone()
    }

    /// A node's chain (retained blocks with their labels).
    pub fn chain(&self, node: usize) -> &crate::chain::Chain {
        self.nodes[node].provisioner.chain()
    }

    /// Every honest node's final height.
    pub fn final_heights(&self) -> Vec<u64> {
        (0..self.nodes.len())
            .filter(|i| self.honest(*i))
            .map(|i| self.nodes[i].final_height)
            .collect()
    }

    /// A signature-free id of the run's outcome: the hash of every accepted block list.
    pub fn fingerprint(report: &Report) -> Hash {
        hash_of(&report.accepted)
    }
}
