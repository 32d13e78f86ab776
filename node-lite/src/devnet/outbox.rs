//! A node's outbox of transactions to gossip: the transactions its pool accepted from clients,
//! sent to the other nodes as [`TxBatch`]es rather than one message each.
//!
//! One message per transaction made the submitting thread send one message to each other node
//! per transaction, and woke each of them per transaction, to check one transaction each time.
//! Now:
//! - while the node's thread is **idle** (about to sleep on its inbox, or asleep), the
//!   submitting thread sends the transaction at once, in a batch of one: no added latency when
//!   the devnet is idle;
//! - while it is **busy** (consensus work, a block to build or execute), the transaction waits
//!   here and the node's thread sends everything waiting, in batches of at most
//!   [`MAX_TX_BATCH`], at its next turn of its loop (before it sleeps at the latest).
//!
//! The outbox's lock is held while a batch is sent, so whoever empties it has delivered what it
//! took before anyone else finds it empty: [`Outbox::flush`] returns only when every transaction
//! added before it is in the other nodes' inboxes (what `mine` relies on).

use super::transport::{NetMessage, NodeIndex, Transport};
use crate::chain::Transaction;
use parking_lot::Mutex;
use std::sync::Arc;

/// Most transactions in one gossip message.
pub const MAX_TX_BATCH: usize = 256;

/// Transactions gossiped together: 1 to [`MAX_TX_BATCH`] of them.
#[derive(Debug)]
pub struct TxBatch(Vec<Arc<Transaction>>);

impl TxBatch {
    /// `txs` as batches of at most [`MAX_TX_BATCH`], in order (none for none).
    pub fn split(mut txs: Vec<Arc<Transaction>>) -> Vec<TxBatch> {
        if txs.len() <= MAX_TX_BATCH {
            return if txs.is_empty() {
                Vec::new()
            } else {
                vec![TxBatch(txs)]
            };
        }
        let mut batches = Vec::with_capacity(txs.len().div_ceil(MAX_TX_BATCH));
        while !txs.is_empty() {
            let rest = txs.split_off(txs.len().min(MAX_TX_BATCH));
            batches.push(TxBatch(txs));
            txs = rest;
        }
        batches
    }

    /// The transactions, in the order they were accepted.
    pub fn txs(&self) -> &[Arc<Transaction>] {
        &self.0
    }
}

#[derive(Debug)]
struct Inner {
    waiting: Vec<Arc<Transaction>>,
    idle: bool,
}

/// One node's outbox (see the [module docs](self)).
#[derive(Debug)]
pub struct Outbox {
    node: NodeIndex,
    inner: Mutex<Inner>,
}

impl Outbox {
    /// Node `node`'s outbox, its thread taken as idle until it says otherwise.
    pub fn new(node: NodeIndex) -> Self {
        Outbox {
            node,
            inner: Mutex::new(Inner {
                waiting: Vec::new(),
                idle: true,
            }),
        }
    }

    /// Gossips `txs` (accepted by this node's pool): now if the node's thread is idle, else at
    /// its next turn.
    pub fn add(&self, transport: &dyn Transport, txs: Vec<Arc<Transaction>>) {
        let mut inner = self.inner.lock();
        inner.waiting.extend(txs);
        if inner.idle {
            self.send(transport, &mut inner);
        }
    }

    /// Sends everything waiting; returns once it is delivered.
    pub fn flush(&self, transport: &dyn Transport) {
        let mut inner = self.inner.lock();
        self.send(transport, &mut inner);
    }

    /// The node's thread is about to sleep on its inbox: sends what waits, and what is added
    /// from now on goes at once until [`busy`](Self::busy).
    pub fn idle(&self, transport: &dyn Transport) {
        let mut inner = self.inner.lock();
        self.send(transport, &mut inner);
        inner.idle = true;
    }

    /// The node's thread has work: what is added waits for its next turn.
    pub fn busy(&self) {
        self.inner.lock().idle = false;
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.inner.lock().waiting.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn send(&self, transport: &dyn Transport, inner: &mut Inner) {
        if inner.waiting.is_empty() {
            return;
        }
        for batch in TxBatch::split(std::mem::take(&mut inner.waiting)) {
            transport.broadcast(self.node, NetMessage::Txs(Arc::new(batch)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(nonce: u64) -> Arc<Transaction> {
        crate::chain::tx::test_transfer("outbox", nonce)
    }

    /// Records what is broadcast: (from, the batch's nonces).
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(NodeIndex, Vec<u64>)>>);

    impl Transport for Recorder {
        fn broadcast(&self, from: NodeIndex, message: NetMessage) {
            if let NetMessage::Txs(batch) = message {
                let nonces = batch.txs().iter().map(|t| t.body.nonce).collect();
                self.0.lock().push((from, nonces));
            }
        }
        fn send(&self, _: NodeIndex, _: NodeIndex, _: NetMessage) {}
    }

    #[test]
    fn batches_hold_at_most_the_bound_in_order() {
        assert!(TxBatch::split(Vec::new()).is_empty());
        let one = TxBatch::split(vec![tx(0)]);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].txs().len(), 1);
        let key = tx(0);
        for n in [MAX_TX_BATCH, MAX_TX_BATCH + 1, 2 * MAX_TX_BATCH + 3] {
            let batches = TxBatch::split(vec![key.clone(); n]);
            let sizes: Vec<usize> = batches.iter().map(|b| b.txs().len()).collect();
            assert!(
                sizes.iter().all(|s| (1..=MAX_TX_BATCH).contains(s)),
                "{sizes:?}"
            );
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert_eq!(batches.len(), n.div_ceil(MAX_TX_BATCH), "at the bound: one");
        }
        let ordered = TxBatch::split((0..300).map(tx).collect());
        let nonces: Vec<u64> = ordered
            .iter()
            .flat_map(|b| b.txs().iter().map(|t| t.body.nonce))
            .collect();
        assert_eq!(nonces, (0..300).collect::<Vec<_>>());
    }

    #[test]
    fn idle_sends_at_once_busy_waits_for_the_nodes_turn() {
        let net = Recorder::default();
        let outbox = Outbox::new(2);
        outbox.add(&net, vec![tx(0)]);
        assert_eq!(*net.0.lock(), [(2, vec![0])], "idle: at once");
        outbox.busy();
        outbox.add(&net, vec![tx(1)]);
        outbox.add(&net, vec![tx(2), tx(3)]);
        assert_eq!(net.0.lock().len(), 1, "busy: waiting");
        assert_eq!(outbox.len(), 3);
        outbox.flush(&net);
        assert_eq!(net.0.lock()[1], (2, vec![1, 2, 3]), "one batch");
        assert!(outbox.is_empty());
        outbox.add(&net, vec![tx(4)]);
        outbox.idle(&net);
        assert_eq!(net.0.lock()[2], (2, vec![4]), "sent before the node sleeps");
        outbox.add(&net, vec![tx(5)]);
        assert_eq!(net.0.lock()[3], (2, vec![5]), "idle again: at once");
        outbox.flush(&net);
        assert_eq!(net.0.lock().len(), 4, "nothing waits, nothing sent");
    }
}
