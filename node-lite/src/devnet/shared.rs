//! What the nodes of one devnet share: the clock and its demand rule, the network, the chain's
//! constants, the dev controls' queues, and the event stream with its de-duplication (every node
//! accepts the same block; subscribers see it once).
//!
//! # The demand rule (instant and manual modes)
//! `target` is the height the devnet wants. A generator builds round `r` only when
//! `r ≤ target`, and the clock runs only while some online node's tip is below `target`: so an
//! idle devnet neither makes empty blocks nor times out steps. A transaction (instant) or
//! `mine` (manual) raises `target` to one above the highest online tip; a node that accepts a
//! block with transactions still waiting, or a block with contents (its successor finalizes it),
//! raises it again. In interval mode the clock always runs and every round is wanted.

use super::clock::DevClock;
use super::config::BlockMode;
use super::executions::SharedExecutions;
use super::executor::ChainParams;
use super::keys::ConsensusKeys;
use super::node::NodeEvent;
use super::outbox::Outbox;
use super::render::{hex32, is_hex32, label_name};
use super::transport::{InProcess, NodeIndex};
use crate::node_api::{BlockView, ChainEvent, EventView};
use consensus::Label;
use host_api::Address;
use parking_lot::{Condvar, Mutex};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Items the event stream buffers per subscriber before a slow one loses the oldest.
pub const EVENT_BUFFER: usize = 4_096;

/// A pending dev mint: (id, payee, amount).
pub type PendingMint = (u64, Address, u128);

/// The devnet-wide state (see the [module docs](self)).
pub struct Shared {
    /// The clock every node reads.
    pub clock: DevClock,
    /// The network.
    pub transport: InProcess,
    /// The chain's constants.
    pub params: ChainParams,
    /// Consensus keys and eligibility.
    pub keys: ConsensusKeys,
    /// Block mode.
    pub mode: BlockMode,
    /// Print nothing.
    pub quiet: bool,
    /// The nodes' shared executions of candidates.
    pub executions: SharedExecutions,
    /// Each node's transactions to gossip (`outbox.rs`), by node index.
    pub outboxes: Vec<Outbox>,
    target: AtomicU64,
    tips: Vec<AtomicU64>,
    inboxes: Vec<Sender<NodeEvent>>,
    /// Mints waiting for a block (`fund`).
    pub mints: Mutex<Vec<PendingMint>>,
    next_mint: AtomicU64,
    /// The next block's timestamp (`set_next_timestamp`).
    pub next_timestamp: Mutex<Option<u64>>,
    events: broadcast::Sender<ChainEvent>,
    /// Published (height → hash, label), so each is sent once.
    published: Mutex<BTreeMap<u64, (String, String)>>,
    tip_lock: Mutex<()>,
    tip_changed: Condvar,
}

impl Shared {
    /// The shared state of `n` nodes whose inboxes are `inboxes`, starting at `tip`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        clock: DevClock,
        inboxes: Vec<Sender<NodeEvent>>,
        params: ChainParams,
        keys: ConsensusKeys,
        mode: BlockMode,
        quiet: bool,
        shared_execution: bool,
        tip: u64,
    ) -> Self {
        let n = inboxes.len();
        Shared {
            clock,
            transport: InProcess::new(inboxes.clone()),
            params,
            keys,
            mode,
            quiet,
            executions: SharedExecutions::new(shared_execution),
            outboxes: (0..n).map(Outbox::new).collect(),
            target: AtomicU64::new(tip),
            tips: (0..n).map(|_| AtomicU64::new(tip)).collect(),
            inboxes,
            mints: Mutex::new(Vec::new()),
            next_mint: AtomicU64::new(0),
            next_timestamp: Mutex::new(None),
            events: broadcast::channel(EVENT_BUFFER).0,
            published: Mutex::new(BTreeMap::new()),
            tip_lock: Mutex::new(()),
            tip_changed: Condvar::new(),
        }
    }

    /// How many nodes.
    pub fn nodes(&self) -> usize {
        self.inboxes.len()
    }

    /// Whether round `round` may get a candidate now.
    pub fn wants_round(&self, round: u64) -> bool {
        match self.mode {
            BlockMode::Interval(_) => true,
            BlockMode::Instant | BlockMode::Manual => round <= self.target.load(Ordering::SeqCst),
        }
    }

    /// The highest tip among online nodes (any node's when none is online).
    pub fn highest_online_tip(&self) -> u64 {
        let online = (0..self.nodes()).filter(|i| self.transport.is_online(*i));
        online
            .map(|i| self.tips[i].load(Ordering::SeqCst))
            .max()
            .unwrap_or_else(|| self.tip(0))
    }

    /// Node `i`'s tip height.
    pub fn tip(&self, i: NodeIndex) -> u64 {
        self.tips.get(i).map_or(0, |t| t.load(Ordering::SeqCst))
    }

    /// Wants a block above the highest online tip; returns the height wanted.
    pub fn want_next(&self) -> u64 {
        let next = self.highest_online_tip() + 1;
        self.want(next);
        next.max(self.target.load(Ordering::SeqCst))
    }

    /// Wants blocks up to `height`.
    pub fn want(&self, height: u64) {
        if matches!(self.mode, BlockMode::Interval(_)) {
            return;
        }
        if self.target.fetch_max(height, Ordering::SeqCst) < height {
            self.update_clock();
            self.wake_all();
        }
    }

    /// Runs the clock while an online node is below the target (instant and manual modes).
    pub fn update_clock(&self) {
        if matches!(self.mode, BlockMode::Interval(_)) {
            return;
        }
        let target = self.target.load(Ordering::SeqCst);
        let behind = (0..self.nodes())
            .any(|i| self.transport.is_online(i) && self.tips[i].load(Ordering::SeqCst) < target);
        if self.clock.set_running(behind) && behind {
            self.wake_all();
        }
    }

    /// Wakes every node (the clock started or jumped, or the target moved).
    pub fn wake_all(&self) {
        for inbox in &self.inboxes {
            let _ = inbox.send(NodeEvent::Wake);
        }
    }

    /// Has every online node check the transactions gossiped to it so far (its inbox holds
    /// them ahead of this request once the outboxes are flushed) and waits
    /// for all of them, at most `timeout`; returns whether all answered. Offline nodes receive
    /// no gossip and are not asked.
    pub fn sync_gossip(&self, timeout: Duration) -> bool {
        // What waits in the outboxes first: delivered when `flush` returns.
        for outbox in &self.outboxes {
            outbox.flush(&self.transport);
        }
        let (done, answers) = std::sync::mpsc::channel();
        let mut asked = 0;
        for (i, inbox) in self.inboxes.iter().enumerate() {
            if self.transport.is_online(i)
                && inbox.send(NodeEvent::SyncGossip(done.clone())).is_ok()
            {
                asked += 1;
            }
        }
        let deadline = Instant::now() + timeout;
        (0..asked).all(|_| {
            let left = deadline.saturating_duration_since(Instant::now());
            answers.recv_timeout(left).is_ok()
        })
    }

    /// Asks every node to stop.
    pub fn shutdown_all(&self) {
        for inbox in &self.inboxes {
            let _ = inbox.send(NodeEvent::Shutdown);
        }
    }

    /// Node `i`'s tip moved to `height`.
    pub fn set_tip(&self, i: NodeIndex, height: u64) {
        if let Some(t) = self.tips.get(i) {
            t.store(height, Ordering::SeqCst);
        }
        self.update_clock();
        self.notify_change();
    }

    /// Wakes [`Shared::wait_until`]'s waiters: a tip moved or a label changed.
    pub fn notify_change(&self) {
        let _guard = self.tip_lock.lock();
        self.tip_changed.notify_all();
    }

    /// Waits until `done()` holds (checked at each tip or label change), at most `timeout`;
    /// returns whether it holds.
    pub fn wait_until(&self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut guard = self.tip_lock.lock();
        loop {
            if done() {
                return true;
            }
            if self
                .tip_changed
                .wait_until(&mut guard, deadline)
                .timed_out()
            {
                return done();
            }
        }
    }

    /// Queues a mint for the next block.
    pub fn queue_mint(&self, to: Address, amount: u128) {
        let id = self.next_mint.fetch_add(1, Ordering::SeqCst);
        self.mints.lock().push((id, to, amount));
    }

    /// The mints waiting.
    pub fn pending_mints(&self) -> Vec<PendingMint> {
        self.mints.lock().clone()
    }

    /// Drops mints a block made.
    pub fn mints_done(&self, ids: &[u64]) {
        self.mints.lock().retain(|(id, ..)| !ids.contains(id));
    }

    /// A receiver of what happens next.
    pub fn subscribe(&self) -> broadcast::Receiver<ChainEvent> {
        self.events.subscribe()
    }

    /// Publishes a new block (labelled `label`) and its events, once per (height, hash):
    /// `render` makes their views, called only by the first node to publish the block, and
    /// only when someone listens (every node accepts every block; the stream sends it once).
    pub fn publish_block(
        &self,
        height: u64,
        hash: &[u8; 32],
        label: Label,
        render: impl FnOnce() -> (BlockView, Vec<EventView>),
    ) {
        let mut published = self.published.lock();
        if published
            .get(&height)
            .is_some_and(|(h, _)| is_hex32(h, hash))
        {
            return;
        }
        published.insert(height, (hex32(hash), label_name(label).to_string()));
        // Keep the map small: heights far below this one will not change again.
        while published.len() > 4_096 {
            published.pop_first();
        }
        if self.events.receiver_count() == 0 {
            // Nobody listens (a send would go nowhere): nothing to render.
            return;
        }
        let (view, events) = render();
        let _ = self.events.send(ChainEvent::Block(view));
        for e in events {
            let _ = self.events.send(ChainEvent::Event(e));
        }
    }

    /// Publishes a label change, once per (height, hash, label), and only forward: each node
    /// takes a block's labels in turn (`Confirmed`, then `Final`), so a node behind another
    /// would otherwise announce `confirmed` after `final`, then `final` again.
    pub fn publish_label(&self, height: u64, hash: &str, label: Label) {
        let name = label_name(label);
        let mut published = self.published.lock();
        match published.get_mut(&height) {
            Some((h, l)) if h == hash => {
                if label_rank(l) >= label_rank(name) {
                    return;
                }
                *l = name.to_string();
            }
            _ => return,
        }
        let _ = self.events.send(ChainEvent::Label {
            height,
            hash: hash.to_string(),
            label: name.to_string(),
        });
    }
}

/// A label's place in the order a block's labels go (the consensus's `Chain::push`): accepted or
/// attested when accepted, then confirmed, then final.
fn label_rank(name: &str) -> u8 {
    match name {
        "confirmed" => 1,
        "final" => 2,
        _ => 0,
    }
}
