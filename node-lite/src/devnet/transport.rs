//! How the nodes reach each other: the [`Transport`] trait every message goes through, and
//! [`InProcess`], its implementation over channels with a per-node online switch.
//!
//! The consensus never sees the transport: a node hands it the `Broadcast`/`Send` outputs of its
//! state machine and the transactions it gossips, and gets [`NetMessage`]s back in its inbox. A
//! multi-process network (libp2p) implements the same trait, encoding messages with borsh.

use super::node::NodeEvent;
use super::outbox::TxBatch;
use consensus::Message;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

/// A node's index in the devnet (its consensus `PeerId` too).
pub type NodeIndex = usize;

/// What travels between nodes.
#[derive(Clone, Debug)]
pub enum NetMessage {
    /// A consensus message.
    Consensus(Arc<Message>),
    /// Transactions for the mempools, in the order the gossiping node's pool accepted them
    /// (checked there; each receiver checks them again): 1 to
    /// [`MAX_TX_BATCH`](super::outbox::MAX_TX_BATCH), a multi-process network refuses more.
    Txs(Arc<TxBatch>),
}

/// The network between the nodes.
pub trait Transport: Send + Sync {
    /// Send `message` to every other node.
    fn broadcast(&self, from: NodeIndex, message: NetMessage);
    /// Send `message` to one node.
    fn send(&self, from: NodeIndex, to: NodeIndex, message: NetMessage);
}

/// The in-process network: each node's inbox is a channel; a node taken offline neither sends
/// nor receives (its messages are dropped, as a cut cable would).
pub struct InProcess {
    inboxes: Vec<Sender<NodeEvent>>,
    online: Vec<AtomicBool>,
}

impl InProcess {
    /// A network over these inboxes (index = node), every node online.
    pub fn new(inboxes: Vec<Sender<NodeEvent>>) -> Self {
        let online = inboxes.iter().map(|_| AtomicBool::new(true)).collect();
        InProcess { inboxes, online }
    }

    /// Take node `index` offline or back online. Returns `false` for an unknown index.
    pub fn set_online(&self, index: NodeIndex, online: bool) -> bool {
        match self.online.get(index) {
            Some(flag) => {
                flag.store(online, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// Whether node `index` is online.
    pub fn is_online(&self, index: NodeIndex) -> bool {
        self.online
            .get(index)
            .is_some_and(|f| f.load(Ordering::SeqCst))
    }

    fn deliver(&self, from: NodeIndex, to: NodeIndex, message: NetMessage) {
        if from == to || !self.is_online(from) || !self.is_online(to) {
            return;
        }
        if let Some(inbox) = self.inboxes.get(to) {
            // A node that has shut down has dropped its inbox: nothing to deliver to.
            let _ = inbox.send(NodeEvent::Net(from, message));
        }
    }
}

impl Transport for InProcess {
    fn broadcast(&self, from: NodeIndex, message: NetMessage) {
        for to in 0..self.inboxes.len() {
            self.deliver(from, to, message.clone());
        }
    }

    fn send(&self, from: NodeIndex, to: NodeIndex, message: NetMessage) {
        self.deliver(from, to, message);
    }
}
