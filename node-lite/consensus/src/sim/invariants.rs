//! The invariants checked after every event, and how a violation is reported.

use crate::message::Message;
use crate::types::{Hash, Time};
use genesis_types::BlsPublicKey;
use std::collections::BTreeMap;
use std::fmt;

/// A broken invariant: the seed to replay and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The run's seed.
    pub seed: u64,
    /// Virtual time of the event that broke it.
    pub at: Time,
    /// What broke.
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seed {} at {} ms: {}", self.seed, self.at, self.reason)
    }
}

/// What the checker remembers.
#[derive(Default)]
pub struct Invariants {
    /// The first Final hash seen at each height (any honest node).
    pub finals: BTreeMap<u64, Hash>,
    /// Each honest node's signed payload per (key, round, iteration, step).
    signed: BTreeMap<(BlsPublicKey, u64, u8, u8), [u8; 32]>,
}

impl Invariants {
    /// An honest node labelled `hash` Final at `height`: no other Final block there.
    pub fn on_final(&mut self, node: usize, height: u64, hash: Hash) -> Result<(), String> {
        match self.finals.get(&height) {
            Some(known) if *known != hash => Err(format!(
                "two different Final blocks at height {height} (node {node})"
            )),
            Some(_) => Ok(()),
            None => {
                self.finals.insert(height, hash);
                Ok(())
            }
        }
    }

    /// An honest node with key `own` sent `message`: it never signs two payloads for one slot.
    pub fn on_sent(
        &mut self,
        node: usize,
        own: &BlsPublicKey,
        message: &Message,
    ) -> Result<(), String> {
        let (key, header) = match message {
            Message::Vote(v) => (v.voter, v.header),
            Message::Candidate(c) => (
                c.header.generator,
                crate::message::candidate_header(c.header.height, c.header.iteration, &c.hash()),
            ),
            _ => return Ok(()),
        };
        if key != *own {
            // A relayed message: signed by someone else.
            return Ok(());
        }
        let slot = (key, header.round, header.iteration, header.step as u8);
        match self.signed.get(&slot) {
            Some(p) if *p != header.payload => Err(format!(
                "honest node {node} signed twice in round {} iteration {} step {:?}: {}",
                header.round,
                header.iteration,
                header.step,
                match message {
                    Message::Vote(v) =>
                        format!("second vote {:?} on {:?}", v.value, &v.prev_hash[..4]),
                    _ => "a second candidate".into(),
                }
            )),
            Some(_) => Ok(()),
            None => {
                self.signed.insert(slot, header.payload);
                Ok(())
            }
        }
    }

    /// Forgets signed slots of rounds below `round` (memory stays bounded).
    pub fn prune(&mut self, round: u64) {
        self.signed.retain(|k, _| k.1 >= round);
    }
}
