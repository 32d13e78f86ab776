//! Each block executed once by the process: the nodes of one devnet share their executions of
//! a candidate ([`SharedExecutions`]).
//!
//! Executing a block is a deterministic function of the state it runs over and of the
//! candidate (its header fixes the height, timestamp, generator, the failed iterations and
//! faults the protocol calls read, and its transactions): the same state root and the same
//! candidate hash give the same writes, receipts and root on every node. Without sharing, the
//! N in-process nodes executed every block N times (the generator to build it, each validator
//! to check it), on the same cores: three quarters of a 4-node devnet's execution was the same
//! work done again. Now the first node to execute a candidate over a state publishes the
//! result, and the others take it: the generator's build is published when it broadcasts the
//! candidate, and validators that arrive while one of them executes wait for it rather than
//! execute beside it.
//!
//! **What each node still does itself:** it checks that the candidate's parent is its tip and
//! that its own state is that parent's (the key includes the node's own state root), commits
//! the shared writes to its own store and checks that its store computes the block's state root
//! (`Node::accept`), and keeps its own receipts index, pool and consensus state. As with the
//! signature checks the process shares (`chain::verified`), this is **per process**: in a
//! multi-process network each node executes what it receives once. A failed execution (an
//! invalid candidate, a store failure) is not shared: each node finds it out itself.
//! `NodeConfig::with_shared_execution(false)` makes every node execute every block itself (N
//! times the execution; it shows that nodes agree rather than assuming it).
//!
//! **The receipts' views for the stores** ([`SharedExecutions::receipt_views`]): each node's store
//! records an accepted block's receipts as the API shows them (hex strings, JSON). They are a
//! function of the shared receipts and the height, so with sharing on the first node to commit
//! a block renders them and the others take them.
//!
//! Bounded: the last [`MAX_SHARED_EXECUTIONS`] candidates are kept (the nodes use a candidate's
//! execution within a round; an evicted one is executed again by whoever still needs it).

use super::executor::Executed;
use super::render::receipt_view;
use crate::chain::BlockOutput;
use crate::node_api::ReceiptView;
use consensus::Hash;
use parking_lot::Mutex;
use runtime::Root;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Candidates whose execution the process keeps for its other nodes.
pub const MAX_SHARED_EXECUTIONS: usize = 16;

/// Accepted blocks whose receipts' views the process keeps for its other nodes' stores.
pub const MAX_SHARED_VIEWS: usize = 8;

/// An execution's key: the state root it ran over and the candidate's hash.
pub type ExecutionKey = (Root, Hash);

/// One candidate's execution: empty until the node executing it publishes its result.
#[derive(Default)]
struct Slot(Mutex<Option<Executed>>);

/// The executions the nodes of one process share (see the [module docs](self)).
pub struct SharedExecutions {
    enabled: bool,
    slots: Mutex<VecDeque<(ExecutionKey, Arc<Slot>)>>,
    views: Mutex<VecDeque<(Hash, Arc<[ReceiptView]>)>>,
    made: AtomicU64,
    taken: AtomicU64,
}

/// How many executions of candidates the nodes made and how many they took from another node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecutionStats {
    /// Executions made (builds, and validators' executions), counted when sharing is on.
    pub made: u64,
    /// Executions a node took from another instead of executing.
    pub taken: u64,
}

impl SharedExecutions {
    /// Sharing on (`enabled`) or off (every node executes every block itself).
    pub fn new(enabled: bool) -> Self {
        SharedExecutions {
            enabled,
            slots: Mutex::new(VecDeque::new()),
            views: Mutex::new(VecDeque::new()),
            made: AtomicU64::new(0),
            taken: AtomicU64::new(0),
        }
    }

    /// The slot of `key`, made if absent (the oldest evicted past the bound).
    fn slot(&self, key: &ExecutionKey) -> Arc<Slot> {
        let mut slots = self.slots.lock();
        if let Some((_, slot)) = slots.iter().find(|(k, _)| k == key) {
            return slot.clone();
        }
        let slot = Arc::new(Slot::default());
        slots.push_back((*key, slot.clone()));
        while slots.len() > MAX_SHARED_EXECUTIONS {
            slots.pop_front();
        }
        slot
    }

    /// The execution of `key`: another node's if one published it (waiting while another node
    /// executes it), else `execute`'s, published for the others when it succeeds.
    pub fn get_or_execute(
        &self,
        key: &ExecutionKey,
        execute: impl FnOnce() -> Option<Executed>,
    ) -> Option<Executed> {
        if !self.enabled {
            return execute();
        }
        let slot = self.slot(key);
        // Held while executing: a node that wants the same execution waits here for it.
        let mut done = slot.0.lock();
        if let Some(executed) = done.as_ref() {
            self.taken.fetch_add(1, Ordering::Relaxed);
            return Some(executed.clone());
        }
        let executed = execute()?;
        self.made.fetch_add(1, Ordering::Relaxed);
        *done = Some(executed.clone());
        Some(executed)
    }

    /// Publishes a generator's own execution of the candidate `key` names (its build). A
    /// build lists the transactions it left out of the block ([`BlockOutput::excluded`]); a
    /// validator's execution of the block lists none, so the published one lists none either:
    /// the rest (writes, receipts, root) is what executing the block's own transactions makes.
    pub fn publish(&self, key: &ExecutionKey, executed: &Executed) {
        if !self.enabled {
            return;
        }
        let mut executed = executed.clone();
        if !executed.output.excluded.is_empty() {
            let mut output = BlockOutput::clone(&executed.output);
            output.excluded.clear();
            executed.output = Arc::new(output);
        }
        let slot = self.slot(key);
        let mut done = slot.0.lock();
        if done.is_none() {
            self.made.fetch_add(1, Ordering::Relaxed);
            *done = Some(executed);
        }
    }

    /// The views of the receipts of `executed`, the execution of the block `block` at
    /// `height` (as its store records them): with sharing on, made by the first node to ask
    /// for the block (the others wait for them, as for an execution) and taken by the others.
    pub fn receipt_views(
        &self,
        block: &Hash,
        height: u64,
        executed: &Executed,
    ) -> Arc<[ReceiptView]> {
        let render = || {
            executed
                .receipts()
                .iter()
                .map(|r| receipt_view(r, height))
                .collect::<Arc<[_]>>()
        };
        if !self.enabled {
            return render();
        }
        let mut views = self.views.lock();
        if let Some((_, made)) = views.iter().find(|(b, _)| b == block) {
            return made.clone();
        }
        let made = render();
        views.push_back((*block, made.clone()));
        while views.len() > MAX_SHARED_VIEWS {
            views.pop_front();
        }
        made
    }

    /// The executions made and taken so far.
    pub fn stats(&self) -> ExecutionStats {
        ExecutionStats {
            made: self.made.load(Ordering::Relaxed),
            taken: self.taken.load(Ordering::Relaxed),
        }
    }

    /// How many candidates' executions are kept (published or being made).
    pub fn len(&self) -> usize {
        self.slots.lock().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;

    /// An execution whose root is `root` (nothing else in it matters here).
    fn executed(root: u8) -> Executed {
        Executed {
            base_root: Root([0; 32]),
            changes: Arc::default(),
            items: Arc::default(),
            output: Arc::new(crate::devnet::executor::tests::empty_output()),
            mints: Vec::new(),
            root: [root; 32],
            next_eligible: Vec::new(),
            stored_receipts: Default::default(),
        }
    }

    fn key(state: u8, candidate: u8) -> ExecutionKey {
        (Root([state; 32]), [candidate; 32])
    }

    /// Runs `get_or_execute` with an execution that counts its runs and returns `root`.
    fn get(
        shared: &SharedExecutions,
        key: &ExecutionKey,
        runs: &AtomicUsize,
        root: u8,
    ) -> Option<[u8; 32]> {
        shared
            .get_or_execute(key, || {
                runs.fetch_add(1, Ordering::SeqCst);
                Some(executed(root))
            })
            .map(|e| e.root)
    }

    #[test]
    fn a_candidate_is_executed_once_over_one_state() {
        let shared = SharedExecutions::new(true);
        let runs = AtomicUsize::new(0);
        assert_eq!(get(&shared, &key(1, 1), &runs, 7), Some([7; 32]));
        // The second node takes the first one's execution: same root, no run.
        assert_eq!(get(&shared, &key(1, 1), &runs, 8), Some([7; 32]));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Another state, or another candidate, is another execution.
        assert_eq!(get(&shared, &key(2, 1), &runs, 9), Some([9; 32]));
        assert_eq!(get(&shared, &key(1, 2), &runs, 10), Some([10; 32]));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(shared.stats(), ExecutionStats { made: 3, taken: 1 });
    }

    #[test]
    fn a_failed_execution_is_not_shared() {
        let shared = SharedExecutions::new(true);
        assert!(shared.get_or_execute(&key(1, 1), || None).is_none());
        let runs = AtomicUsize::new(0);
        assert_eq!(get(&shared, &key(1, 1), &runs, 7), Some([7; 32]));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn off_every_node_executes() {
        let shared = SharedExecutions::new(false);
        let runs = AtomicUsize::new(0);
        get(&shared, &key(1, 1), &runs, 7);
        assert_eq!(get(&shared, &key(1, 1), &runs, 8), Some([8; 32]));
        shared.publish(&key(1, 2), &executed(3));
        assert_eq!(get(&shared, &key(1, 2), &runs, 9), Some([9; 32]));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert!(shared.is_empty());
    }

    #[test]
    fn a_published_build_is_taken_without_its_excluded_list() {
        let shared = SharedExecutions::new(true);
        let mut build = executed(5);
        let mut output = BlockOutput::clone(&build.output);
        output.excluded.push((
            crate::chain::TxHash([1; 32]),
            crate::chain::block_exec::Exclusion::ReservedSender,
        ));
        build.output = Arc::new(output);
        shared.publish(&key(1, 1), &build);
        let runs = AtomicUsize::new(0);
        let taken = shared
            .get_or_execute(&key(1, 1), || {
                runs.fetch_add(1, Ordering::SeqCst);
                None
            })
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        assert_eq!(taken.root, [5; 32]);
        assert!(taken.output.excluded.is_empty());
        // The writes are the build's own, not a copy.
        assert!(Arc::ptr_eq(&taken.changes, &build.changes));
    }

    /// An execution with one receipt (no events) of the transaction `tx`.
    fn with_receipt(tx: u8) -> Executed {
        let mut output = crate::devnet::executor::tests::empty_output();
        output.receipts.push(crate::chain::block_exec::TxReceipt {
            hash: crate::chain::TxHash([tx; 32]),
            sender: host_api::Address([2; 32]),
            nonce: 3,
            gas_limit: 4,
            gas_spent: 5,
            fee_paid: 6,
            result: Ok(vec![7]),
            deployed: None,
            events: Vec::new(),
        });
        Executed {
            output: Arc::new(output),
            ..executed(1)
        }
    }

    #[test]
    fn a_blocks_receipt_views_are_made_once_when_sharing() {
        let shared = SharedExecutions::new(true);
        let executed = with_receipt(9);
        let first = shared.receipt_views(&[1; 32], 12, &executed);
        assert_eq!(*first, [receipt_view(&executed.receipts()[0], 12)]);
        // Another node's commit of the block takes them.
        let second = shared.receipt_views(&[1; 32], 12, &executed);
        assert!(Arc::ptr_eq(&first, &second));
        // Another block is rendered for itself.
        let other = shared.receipt_views(&[2; 32], 13, &with_receipt(8));
        assert_eq!(other[0].hash, hex::encode([8; 32]));
        // Past the bound the oldest is made again.
        for b in 3..3 + MAX_SHARED_VIEWS as u8 {
            shared.receipt_views(&[b; 32], 14, &executed);
        }
        let again = shared.receipt_views(&[1; 32], 12, &executed);
        assert!(!Arc::ptr_eq(&first, &again));
        assert_eq!(first, again);
        // Sharing off: each node renders its own.
        let off = SharedExecutions::new(false);
        let a = off.receipt_views(&[1; 32], 12, &executed);
        let b = off.receipt_views(&[1; 32], 12, &executed);
        assert!(!Arc::ptr_eq(&a, &b) && a == b);
    }

    #[test]
    fn the_executions_kept_stop_at_the_bound() {
        let shared = SharedExecutions::new(true);
        let runs = AtomicUsize::new(0);
        for c in 0..MAX_SHARED_EXECUTIONS as u8 {
            get(&shared, &key(1, c), &runs, c);
        }
        assert_eq!(shared.len(), MAX_SHARED_EXECUTIONS);
        // At the bound the first is still kept.
        get(&shared, &key(1, 0), &runs, 0);
        assert_eq!(runs.load(Ordering::SeqCst), MAX_SHARED_EXECUTIONS);
        // One past it evicts the oldest: it is executed again.
        get(&shared, &key(1, 200), &runs, 200);
        assert_eq!(shared.len(), MAX_SHARED_EXECUTIONS);
        get(&shared, &key(1, 0), &runs, 0);
        assert_eq!(runs.load(Ordering::SeqCst), MAX_SHARED_EXECUTIONS + 2);
    }

    /// A node that wants an execution another node is making waits for it instead of
    /// executing beside it.
    #[test]
    fn a_node_waits_for_the_execution_under_way() {
        let shared = Arc::new(SharedExecutions::new(true));
        let (started_tx, started) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let first = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                shared
                    .get_or_execute(&key(1, 1), || {
                        started_tx.send(()).unwrap();
                        release_rx.recv().unwrap();
                        Some(executed(4))
                    })
                    .map(|e| e.root)
            })
        };
        started.recv().unwrap();
        let second = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                shared
                    .get_or_execute(&key(1, 1), || panic!("executed beside the first"))
                    .map(|e| e.root)
            })
        };
        release.send(()).unwrap();
        assert_eq!(first.join().unwrap(), Some([4; 32]));
        assert_eq!(second.join().unwrap(), Some([4; 32]));
    }
}
