//! A node's queue of gossiped transactions waiting for its mempool's checks (a node checks them
//! only when no consensus work waits). **Bounded**: past [`MAX_GOSSIP_QUEUE`] waiting, a newly
//! gossiped transaction is dropped and counted, as a busy peer drops gossip, so submissions that
//! outrun a node's checks cannot grow its memory without bound. A dropped transaction still
//! reaches the chain through the node that accepted it from its client.

use crate::chain::Transaction;
use crate::chain::mempool::DEFAULT_MEMPOOL_CAPACITY;
use std::collections::VecDeque;
use std::sync::Arc;

/// Most gossiped transactions a node holds unchecked: a full default mempool's worth.
pub const MAX_GOSSIP_QUEUE: usize = DEFAULT_MEMPOOL_CAPACITY;

/// Gossiped transactions, oldest first (see the [module docs](self)).
#[derive(Debug)]
pub struct GossipQueue {
    queue: VecDeque<Arc<Transaction>>,
    capacity: usize,
    dropped: u64,
}

impl Default for GossipQueue {
    fn default() -> Self {
        Self::new(MAX_GOSSIP_QUEUE)
    }
}

impl GossipQueue {
    /// An empty queue holding at most `capacity` transactions.
    pub fn new(capacity: usize) -> Self {
        GossipQueue {
            queue: VecDeque::new(),
            capacity,
            dropped: 0,
        }
    }

    /// Queues `tx`; returns `false` (and counts it) when the queue is full and it was dropped.
    pub fn push(&mut self, tx: Arc<Transaction>) -> bool {
        if self.queue.len() >= self.capacity {
            self.dropped += 1;
            return false;
        }
        self.queue.push_back(tx);
        true
    }

    /// Takes up to `n` of the oldest.
    pub fn take(&mut self, n: usize) -> Vec<Arc<Transaction>> {
        let n = n.min(self.queue.len());
        self.queue.drain(..n).collect()
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many were dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(nonce: u64) -> Arc<Transaction> {
        crate::chain::tx::test_transfer("gossip", nonce)
    }

    #[test]
    fn the_queue_holds_its_capacity_and_drops_past_it() {
        let mut q = GossipQueue::new(3);
        for n in 0..3 {
            assert!(q.push(tx(n)), "at the limit");
        }
        assert_eq!((q.len(), q.dropped()), (3, 0));
        assert!(!q.push(tx(3)), "past the limit");
        assert!(!q.push(tx(4)));
        assert_eq!((q.len(), q.dropped()), (3, 2));
        let taken = q.take(2);
        assert_eq!(
            taken.iter().map(|t| t.body.nonce).collect::<Vec<_>>(),
            [0, 1],
            "oldest first"
        );
        assert!(q.push(tx(5)), "room again");
        assert_eq!(q.take(10).len(), 2);
        assert!(q.is_empty());
    }

    #[test]
    fn the_default_bound_is_a_full_mempool() {
        let mut q = GossipQueue::default();
        for n in 0..MAX_GOSSIP_QUEUE as u64 {
            assert!(q.push(tx(n % 4)));
        }
        assert!(!q.push(tx(0)));
        assert_eq!((q.len(), q.dropped()), (MAX_GOSSIP_QUEUE, 1));
    }
}
