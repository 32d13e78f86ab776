//! One provisioner's node: its consensus state machine, state store, mempool and chain index,
//! driven by one thread ([`run`]) that performs the machine's outputs as `consensus::io`
//! requires: messages through the [`Transport`](super::transport::Transport), real timers on the
//! devnet's clock, `BuildCandidate`/`Execute` answered from an execution's pending root (its
//! own, or another node's of the same candidate over the same state: `executions.rs`), the
//! writes committed on `Accept` (with the block's record, atomically; the store's root checked
//! against the block's) and reported `Applied`, the store moved back on `Revert`.

use super::accounts::{AccountCache, CachedAccounts};
use super::config::BlockMode;
use super::eligibility::ChainEligibility;
use super::executor::{Executed, decode_items, execute};
use super::gossip::GossipQueue;
use super::index::{ChainIndex, hex32};
use super::inputs::{BlockDuties, protocol_inputs};
use super::shared::Shared;
use super::store::NodeStore;
use super::transport::{NetMessage, NodeIndex, Transport};
use crate::chain::{ExecutionMode, Mempool, Transaction, TxHash};
use consensus::{
    Attestation, Block, Built, Candidate, Execution, Hash, Input, LabelChange, Message, Output,
    Provisioner, TimerId,
};
use genesis_types::stake::Equivocation;
use host_api::Address;
use parking_lot::{Mutex, RwLock};
use runtime::BlockInfo;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

/// What a node's inbox receives.
#[derive(Debug)]
pub enum NodeEvent {
    /// A message from another node.
    Net(NodeIndex, NetMessage),
    /// Re-check the clock, timers and deferred work.
    Wake,
    /// Check every gossiped transaction received so far into the mempool, then answer on the
    /// channel: what `mine` waits for before it asks for a block, so the proposer, whichever
    /// node it is, has seen every transaction submitted before the `mine` (`Shared::sync_gossip`).
    SyncGossip(std::sync::mpsc::Sender<()>),
    /// Stop the thread.
    Shutdown,
}

/// The parts of a node the API reads while its thread runs.
pub struct NodeView {
    /// The store.
    pub store: Arc<NodeStore>,
    /// The mempool.
    pub mempool: Arc<Mutex<Mempool>>,
    /// The chain index.
    pub chain: Arc<RwLock<ChainIndex>>,
    /// Balances and nonces read at the tip (cleared when it moves).
    pub accounts: Arc<Mutex<AccountCache>>,
    /// The eligible sets its consensus draws from (`eligibility.rs`).
    pub eligibility: Arc<ChainEligibility>,
}

/// A build the demand rule holds back: round, iteration, parent, and the failed iterations and
/// faults the candidate will carry.
type BuildRequest = (
    u64,
    u8,
    Arc<Block>,
    Vec<Option<Attestation>>,
    Vec<Equivocation>,
);

/// A generator selects transactions whose gas limits sum to this many block gas limits: a
/// block fills by the gas they spend, so limits of twice the block's fill it whenever its
/// transactions spend at least half of their limits (the CLI's estimates spend ≈ 88 %).
const SELECT_LIMITS: u64 = 2;

/// Gossiped transactions checked between two looks at the inbox.
const GOSSIP_BATCH: usize = 64;

/// Longest the loop sleeps without looking at the clock.
const MAX_SLEEP: Duration = Duration::from_millis(200);
/// How often the loop looks at the clock while another node's execution holds it.
const HELD_SLEEP: Duration = Duration::from_millis(5);

/// A running node's state (owned by its thread).
pub struct Node {
    index: NodeIndex,
    shared: Arc<Shared>,
    provisioner: Provisioner,
    store: Arc<NodeStore>,
    mempool: Arc<Mutex<Mempool>>,
    chain: Arc<RwLock<ChainIndex>>,
    accounts: Arc<Mutex<AccountCache>>,
    eligibility: Arc<ChainEligibility>,
    /// Transactions gossiped by other nodes, checked when no consensus work waits (bounded).
    gossip: GossipQueue,
    timers: BinaryHeap<Reverse<(u64, TimerId)>>,
    shift_seen: u64,
    /// Built candidates by (round, iteration), until broadcast.
    built: HashMap<(u64, u8), Executed>,
    /// Executed candidates by hash.
    executed: HashMap<Hash, Executed>,
    /// A build the demand rule holds back.
    deferred: Option<BuildRequest>,
    /// Inputs produced while performing outputs, with the time to pass (`None`: now).
    follow_ups: VecDeque<(Option<u64>, Input)>,
    /// The highest accepted block with contents (instant mode wants blocks until it is final).
    last_content: u64,
}

impl Node {
    /// A node over its parts.
    pub fn new(
        index: NodeIndex,
        shared: Arc<Shared>,
        provisioner: Provisioner,
        view: &NodeView,
    ) -> Self {
        let shift_seen = shared.clock.shifted();
        Node {
            index,
            shared,
            provisioner,
            store: view.store.clone(),
            mempool: view.mempool.clone(),
            chain: view.chain.clone(),
            accounts: view.accounts.clone(),
            eligibility: view.eligibility.clone(),
            gossip: GossipQueue::default(),
            timers: BinaryHeap::new(),
            shift_seen,
            built: HashMap::new(),
            executed: HashMap::new(),
            deferred: None,
            follow_ups: VecDeque::new(),
            last_content: 0,
        }
    }

    /// Runs until [`NodeEvent::Shutdown`] or the inbox closes.
    pub fn run(mut self, start: Input, inbox: Receiver<NodeEvent>) {
        self.handle(None, start);
        let shared = self.shared.clone();
        let outbox = &shared.outboxes[self.index];
        outbox.busy();
        loop {
            // What this node's pool accepted from clients meanwhile (`outbox.rs`).
            outbox.flush(&shared.transport);
            match inbox.try_recv() {
                Ok(event) => {
                    if !self.on_event(event) {
                        return;
                    }
                    continue;
                }
                Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => {}
            }
            self.apply_shift();
            if self.fire_due_timer() {
                continue;
            }
            self.try_deferred();
            if self.check_gossip() {
                continue;
            }
            let sleep = self
                .timers
                .peek()
                .and_then(|Reverse((at, _))| self.shared.clock.until(*at))
                .unwrap_or(if self.shared.clock.held() {
                    HELD_SLEEP
                } else {
                    MAX_SLEEP
                })
                .min(MAX_SLEEP);
            outbox.idle(&shared.transport);
            let event = inbox.recv_timeout(sleep);
            outbox.busy();
            match event {
                Ok(event) => {
                    if !self.on_event(event) {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn on_event(&mut self, event: NodeEvent) -> bool {
        match event {
            NodeEvent::Shutdown => return false,
            NodeEvent::Wake => {}
            NodeEvent::SyncGossip(done) => {
                while self.check_gossip() {}
                let _ = done.send(());
            }
            NodeEvent::Net(from, NetMessage::Consensus(message)) => {
                self.handle(None, Input::Message(from as u64, message));
            }
            NodeEvent::Net(_, NetMessage::Txs(batch)) => {
                for tx in batch.txs() {
                    self.gossip.push(tx.clone());
                }
            }
        }
        true
    }

    /// A forward jump of the clock moves every pending timer by as much.
    fn apply_shift(&mut self) {
        let shifted = self.shared.clock.shifted();
        let delta = shifted - self.shift_seen;
        if delta > 0 {
            self.shift_seen = shifted;
            let timers = std::mem::take(&mut self.timers);
            self.timers = timers
                .into_iter()
                .map(|Reverse((at, id))| Reverse((at + delta, id)))
                .collect();
        }
    }

    fn fire_due_timer(&mut self) -> bool {
        let Some(Reverse((at, _))) = self.timers.peek() else {
            return false;
        };
        if self.shared.clock.until(*at) != Some(Duration::ZERO) {
            return false;
        }
        let Some(Reverse((_, id))) = self.timers.pop() else {
            return false;
        };
        self.handle(None, Input::TimerFired(id));
        true
    }

    fn try_deferred(&mut self) {
        if let Some((round, ..)) = &self.deferred
            && self.shared.wants_round(*round)
            && let Some(request) = self.deferred.take()
        {
            self.build(request);
            self.drain();
        }
    }

    /// Feeds one input (at `at`, or now) and performs the outputs, then the follow-ups.
    fn handle(&mut self, at: Option<u64>, input: Input) {
        self.follow_ups.push_back((at, input));
        self.drain();
    }

    fn drain(&mut self) {
        while let Some((at, input)) = self.follow_ups.pop_front() {
            let now = at.unwrap_or_else(|| self.shared.clock.now());
            let mut outputs = self.provisioner.handle(now, input).into_iter().peekable();
            while let Some(output) = outputs.next() {
                // The consensus follows an `Accept` with the label changes it makes: those are
                // committed with the block (`NodeStore::commit_block`), not one by one after.
                if let Output::Accept(block) = &output
                    && let Some(Output::Labels(_)) = outputs.peek()
                    && let Some(Output::Labels(changes)) = outputs.next()
                {
                    let committed = self.accept(block, &changes);
                    self.labels(&changes, committed.as_deref());
                    continue;
                }
                self.perform(output);
            }
        }
    }

    fn perform(&mut self, output: Output) {
        let transport = &self.shared.transport;
        match output {
            Output::Broadcast(message) => {
                if let Message::Candidate(c) = message.as_ref()
                    && c.header.generator == self.provisioner.key()
                    && let Some(e) = self.built.remove(&(c.header.height, c.header.iteration))
                {
                    // The other nodes of this process take this execution (`executions.rs`).
                    self.shared.executions.publish(&(e.base_root, c.hash()), &e);
                    self.executed.insert(c.hash(), e);
                }
                transport.broadcast(self.index, NetMessage::Consensus(message));
            }
            Output::Send(to, message) => {
                if let Ok(to) = usize::try_from(to) {
                    transport.send(self.index, to, NetMessage::Consensus(message));
                }
            }
            Output::SetTimer(id, at) => self.timers.push(Reverse((at, id))),
            Output::BuildCandidate {
                round,
                iteration,
                parent,
                failed_iterations,
                faults,
            } => {
                let request = (round, iteration, parent, failed_iterations, faults);
                if self.shared.wants_round(round) {
                    self.build(request);
                } else {
                    self.deferred = Some(request);
                }
            }
            Output::Execute {
                candidate,
                parent_state_root,
            } => {
                let result = self.validate(&candidate, parent_state_root);
                self.follow_ups.push_back((
                    None,
                    Input::Executed {
                        candidate: candidate.hash(),
                        result,
                    },
                ));
            }
            Output::Persist(record) => self.store.persist_record(&record),
            Output::Accept(block) => {
                self.accept(&block, &[]);
            }
            Output::Revert { height, .. } => self.revert(height),
            Output::Labels(changes) => self.labels(&changes, None),
            Output::Fault(_) | Output::MissedProposal { .. } | Output::OpenConsensus { .. } => {}
        }
    }

    /// Builds a candidate for `round` over `parent` (the tip): mints, then the mempool's best
    /// transactions, executed with the protocol inputs the candidate will carry; answers
    /// `CandidateBuilt` with the time its timestamp was computed from.
    fn build(&mut self, request: BuildRequest) {
        let (round, iteration, parent, failed_iterations, faults) = request;
        let shared = self.shared.clone();
        let _busy = shared.clock.busy();
        let min_block_time = self.shared.mode.min_block_time();
        let earliest = parent.header().timestamp.saturating_add(min_block_time);
        let now = shared.clock.now();
        let requested = self.shared.next_timestamp.lock().take();
        // The dev control's timestamp (the clock was moved to it), else now; never before the
        // earliest the consensus allows (it would put that in the header).
        let at = requested.unwrap_or(now).max(earliest);
        let mints = self.shared.pending_mints();
        let open = || {
            self.shared
                .params
                .runtime
                .session(self.store.state(), BlockInfo::default())
        };
        let mut cache = self.accounts.lock();
        let mut view = CachedAccounts::new(&mut cache, &open, self.shared.params.contracts);
        // They stay in the pool until a block including them is accepted. A block fills by the
        // gas its transactions spend, not their limits (`chain::block_exec`): take limits
        // worth `SELECT_LIMITS` blocks, execution includes them while they fit and leaves the
        // rest waiting.
        let budget = self
            .shared
            .params
            .block_gas_limit
            .saturating_mul(SELECT_LIMITS);
        let txs = self
            .mempool
            .lock()
            .select_block(budget, &mut view)
            .unwrap_or_default();
        drop(cache);
        // Every one came from the pool, which checked its signature.
        let hashes: Vec<TxHash> = txs.iter().map(Transaction::hash).collect();
        let pooled: HashSet<TxHash> = hashes.iter().copied().collect();
        let protocol = self.protocol_inputs(&BlockDuties {
            parent: parent.header(),
            grandparent: None,
            generator: self.provisioner.key(),
            prev_attestation: (parent.header().height > 0).then_some(&parent.attestation),
            failed_iterations: &failed_iterations,
            faults: &faults,
        });
        let result = execute(
            &self.shared.params,
            self.store.state(),
            round,
            at,
            protocol,
            &mints,
            &txs,
            &hashes,
            ExecutionMode::Propose,
            &|hash| pooled.contains(hash),
        );
        // A candidate that cannot be built (a store failure, a protocol call refused) is not
        // proposed: the iteration times out and the next generator tries.
        let Ok(executed) = result else {
            return;
        };
        self.eligibility
            .record(round + 1, executed.root, &executed.next_eligible);
        let built = Built {
            round,
            iteration,
            txs: executed.items.clone(),
            state_root: executed.root,
            gas_used: executed.output.gas_used,
        };
        self.built.insert((round, iteration), executed);
        self.follow_ups
            .push_back((Some(at), Input::CandidateBuilt(built)));
    }

    /// Executes a candidate over the tip's state (a validator's check), or takes the
    /// execution another node of this process made of it over the same state
    /// (`executions.rs`).
    fn execute_candidate(&self, candidate: &Candidate) -> Option<Executed> {
        let key = (self.store.state().root().ok()?, candidate.hash());
        let mut executed = self
            .shared
            .executions
            .get_or_execute(&key, || self.execute_candidate_here(candidate))?;
        executed.items = candidate.txs.clone();
        self.eligibility.record(
            candidate.header.height + 1,
            executed.root,
            &executed.next_eligible,
        );
        Some(executed)
    }

    /// Executes a candidate over this node's state.
    fn execute_candidate_here(&self, candidate: &Candidate) -> Option<Executed> {
        let (mints, txs) = decode_items(&candidate.txs).ok()?;
        // By height: when a block is accepted the machine's tip is already that block.
        let parent_height = candidate.header.height.checked_sub(1)?;
        let parent = self.provisioner.chain().get(parent_height)?.block.clone();
        // Transactions waiting in this node's pool had their signature checked on the way in
        // (by this node, or by another pool of this process: `chain::verified`).
        let hashes: Vec<TxHash> = txs.iter().map(Transaction::hash).collect();
        let pooled: HashSet<TxHash> = {
            let pool = self.mempool.lock();
            hashes
                .iter()
                .copied()
                .filter(|h| pool.signature_known(h))
                .collect()
        };
        let h = &candidate.header;
        let protocol = self.protocol_inputs(&BlockDuties {
            parent: parent.header(),
            grandparent: None,
            generator: h.generator,
            prev_attestation: h.prev_attestation.as_ref(),
            failed_iterations: &h.failed_iterations,
            faults: &candidate.faults,
        });
        execute(
            &self.shared.params,
            self.store.state(),
            candidate.header.height,
            candidate.header.timestamp,
            protocol,
            &mints,
            &txs,
            &hashes,
            ExecutionMode::Validate,
            &|hash| pooled.contains(hash),
        )
        .ok()
    }

    /// A block's protocol inputs (`inputs.rs`); the grandparent is looked up here.
    fn protocol_inputs(&self, duties: &BlockDuties) -> crate::chain::ProtocolInputs {
        let grandparent = duties
            .parent
            .height
            .checked_sub(1)
            .and_then(|h| self.provisioner.chain().get(h))
            .map(|e| e.block.header().clone());
        let duties = BlockDuties {
            grandparent: grandparent.as_ref(),
            ..*duties
        };
        protocol_inputs(&self.shared.keys, self.eligibility.as_ref(), &duties)
    }

    fn validate(&mut self, candidate: &Candidate, parent_state_root: Hash) -> Execution {
        let shared = self.shared.clone();
        let _busy = shared.clock.busy();
        if self.store.root() != Some(parent_state_root) {
            return Execution::Invalid;
        }
        match self.execute_candidate(candidate) {
            Some(executed) => {
                let result = Execution::Done {
                    state_root: executed.root,
                    gas_used: executed.output.gas_used,
                };
                self.executed.insert(candidate.hash(), executed);
                result
            }
            None => Execution::Invalid,
        }
    }

    /// Applies an accepted block: executes it if this node has not, commits it with the label
    /// `changes` its acceptance made, indexes it. Returns, when the commit wrote `changes`,
    /// which of them change this node's index ([`ChainIndex::label_changes`], asked before the
    /// commit: see [`Self::labels`]).
    fn accept(&mut self, block: &Arc<Block>, changes: &[LabelChange]) -> Option<Vec<bool>> {
        let shared = self.shared.clone();
        let busy = shared.clock.busy();
        let hash = block.hash();
        let executed = match self.executed.remove(&hash) {
            Some(e) => Some(e),
            None => self.execute_candidate(&block.candidate),
        };
        self.built.clear();
        self.executed.clear();
        let height = block.header().height;
        let Some(executed) = executed.filter(|e| e.root == block.header().state_root) else {
            // The network decided a block this node cannot reproduce: its state is no longer
            // the chain's. Stop following rather than diverge silently.
            self.store
                .fail(format!("block {height} does not execute to its state root"));
            return None;
        };
        // The consensus's label for a new block: its iteration less the fail attestations it
        // lists (checked by the validators), `label_for` of that (its `Labels` output follows
        // and says the same).
        let listed = block.header().failed_iterations.iter().flatten().count();
        let pni = usize::from(block.header().iteration).saturating_sub(listed);
        let label = consensus::label_for(u16::try_from(pni).unwrap_or(u16::MAX));
        // The API's views of the receipts, for the store's record: made once per process when
        // the nodes share the execution (`executions.rs`). The index keeps the receipts.
        let views = self
            .shared
            .executions
            .receipt_views(&hash, height, &executed);
        // Which changes are changes, asked before the commit writes them: for a block below the
        // index's window the index answers from this store (the labels of a block finalized
        // late, e.g. after a failed iteration, change out of the window under load).
        let fresh = self.chain.read().label_changes(changes);
        match self
            .store
            .commit_block(block, &executed, &views, label, changes)
        {
            Ok(root) if root.0 == block.header().state_root => {}
            Ok(root) => {
                // The writes were executed once for the process (`executions.rs`): this
                // node's own store must still make the block's root of them.
                self.store.fail(format!(
                    "block {height}: this node's store computed the root {} for its state, \
                     the block says {}",
                    hex::encode(root.0),
                    hex::encode(block.header().state_root)
                ));
                return None;
            }
            Err(e) => {
                self.store.fail(format!("committing block {height}: {e}"));
                return None;
            }
        }
        let mint_ids: Vec<u64> = executed.mints.iter().map(|(id, ..)| *id).collect();
        self.shared.mints_done(&mint_ids);
        self.chain
            .write()
            .push_executed(block, &executed.output, label);
        // The index first, then the pool: a transaction is always in one or the other.
        let included: Vec<(TxHash, Address, u64)> = executed
            .receipts()
            .iter()
            .map(|r| (r.hash, r.sender, r.nonce))
            .collect();
        self.accounts.lock().block_accepted(
            &included,
            &executed.changes,
            self.shared.params.contracts.genesis.transfer,
        );
        let waiting = {
            let mut pool = self.mempool.lock();
            pool.remove_included(&included);
            !pool.is_empty()
        };
        drop(busy);
        // The stream's views are made by the first node to publish the block, if anyone listens.
        self.shared.publish_block(height, &hash, label, || {
            let view = super::render::block_view(block, &executed.output, label);
            (
                view,
                super::render::event_views(executed.receipts(), height),
            )
        });
        self.shared.set_tip(self.index, height);
        // Instant mode: transactions still waiting want the next block; so does a block with
        // contents, whose successor makes it final (the rolling rule finalizes a block when the
        // next one is attested), so a transaction's block does not wait for the next user.
        let more = waiting || !self.shared.pending_mints().is_empty();
        if !block.candidate.txs.is_empty() {
            self.last_content = height;
        }
        if self.shared.mode == BlockMode::Instant && (more || !block.candidate.txs.is_empty()) {
            self.shared.want(height + 1);
        }
        // The block's state is this node's and the next round's set is recorded (`execute`
        // read it): the consensus may start that round (`eligibility.rs`). A block that failed
        // above is never reported: the consensus waits, as the node stopped following.
        self.follow_ups.push_back((None, Input::Applied(hash)));
        Some(fresh)
    }

    /// Instant mode: while a block with contents is not final, the next block is wanted. One
    /// successor finalizes a block decided at its first iteration, but a block decided later
    /// (its label `Accepted(2 × PNI)`) needs as many attested successors: without this the
    /// devnet idled with that block short of final (seen under load, when iterations fail).
    fn want_until_final(&self) {
        if self.shared.mode != BlockMode::Instant {
            return;
        }
        let (finalized, tip) = {
            let chain = self.chain.read();
            (chain.finalized, chain.tip_height())
        };
        if finalized < self.last_content {
            self.shared.want(tip + 1);
        }
    }

    fn revert(&mut self, height: u64) {
        let root = self
            .chain
            .read()
            .view_by_height(height)
            .map(|b| b.state_root);
        let Some(root) = root else { return };
        if let Err(e) = self.store.revert_to(&root, height) {
            self.store.fail(format!("reverting to block {height}: {e}"));
            return;
        }
        self.built.clear();
        self.executed.clear();
        self.accounts.lock().clear();
        self.last_content = self.last_content.min(height);
        self.chain.write().revert(height);
        self.shared.set_tip(self.index, height);
    }

    /// Applies label changes to the chain index and announces those that change it.
    /// `committed`: the store has them already (committed with their block), and which of them
    /// change the index was asked before that commit (the index answers for a block below its
    /// window from the store, which after the commit says the new label: asked then, a block
    /// finalized out of the window was never announced, and the instant devnet idled waiting
    /// for it). Else each one that changes the index is persisted here.
    fn labels(&mut self, changes: &[LabelChange], committed: Option<&[bool]>) {
        let mut changed = false;
        {
            let mut chain = self.chain.write();
            for (i, change) in changes.iter().enumerate() {
                let hash = hex32(&change.hash);
                let change_made = match committed {
                    Some(fresh) => {
                        let fresh = fresh.get(i).copied().unwrap_or(false);
                        if fresh {
                            chain.apply_label_change(change.height, &hash, change.label);
                        }
                        fresh
                    }
                    None => {
                        let set = chain.set_label(change.height, &hash, change.label);
                        if set {
                            self.store.persist_label(change);
                        }
                        set
                    }
                };
                if change_made {
                    self.shared
                        .publish_label(change.height, &hash, change.label);
                    changed = true;
                }
            }
        }
        // A wait for finality wakes on the label itself: the block that makes another final
        // was accepted (and its tip change signalled) before this, and an idle devnet may
        // accept no other.
        if changed {
            self.shared.notify_change();
        }
        self.want_until_final();
    }

    /// Checks a batch of gossiped transactions against this node's tip (consensus messages and
    /// timers go first: the loop comes here only when none waits). Returns whether it did any.
    fn check_gossip(&mut self) -> bool {
        if self.gossip.is_empty() {
            return false;
        }
        let (runtime, store) = (&self.shared.params.runtime, &self.store);
        let open = || runtime.session(store.state(), BlockInfo::default());
        let mut cache = self.accounts.lock();
        let mut view = CachedAccounts::new(&mut cache, &open, self.shared.params.contracts);
        let mut pool = self.mempool.lock();
        for tx in self.gossip.take(GOSSIP_BATCH) {
            let _ = pool.insert(Arc::unwrap_or_clone(tx), &mut view);
        }
        true
    }
}
