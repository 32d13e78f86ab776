//! Candidates, blocks, the fork choice and catching up.

use super::Provisioner;
use crate::config::{MAX_ALTERNATIVE_BLOCKS, MAX_BLOCKS_PER_SYNC};
use crate::error::MessageError;
use crate::io::{Output, PeerId};
use crate::message::Message;
use crate::types::{Block, Candidate, VoteValue};
use genesis_types::stake::{Equivocation, SignedVote, Step};
use std::sync::Arc;

impl Provisioner {
    pub(super) fn on_candidate(
        &mut self,
        from: PeerId,
        candidate: &Candidate,
    ) -> Result<(), MessageError> {
        let h = &candidate.header;
        let current = self.round().number;
        if h.height > current {
            let message = Arc::new(Message::Candidate(candidate.clone()));
            return self.defer(from, &message, h.height);
        }
        if h.height < current {
            return Err(MessageError::WrongRound {
                got: h.height,
                current,
            });
        }
        if h.prev_hash != self.round().tip_hash {
            return Err(MessageError::WrongParent);
        }
        if h.timestamp > self.now + super::verify::MAX_TIMESTAMP_DRIFT {
            return Err(MessageError::BadHeader("timestamp in the future"));
        }
        let iteration = h.iteration;
        // A relayed copy (same generator signature, which binds the hash): nothing to do.
        let known = self
            .round()
            .iterations
            .get(&iteration)
            .and_then(|s| s.candidate.as_ref().map(|c| c.signature));
        if known == Some(candidate.signature) {
            return Err(MessageError::Duplicate);
        }
        let mut round = self.round.take().expect("started");
        let checked = self.verify_candidate(&mut round.sortition, &round.tip, candidate);
        self.round = Some(round);
        checked?;
        let round = self.round();
        let state = round.iterations.entry(iteration).or_default();
        if let Some(known) = &state.candidate {
            // Same generator, same slot, two signed candidates: a double candidate.
            let header = |c: &Candidate| SignedVote {
                header: crate::message::candidate_header(
                    c.header.height,
                    c.header.iteration,
                    &c.hash(),
                ),
                signature: c.signature,
            };
            let fault = Equivocation {
                key: h.generator,
                first: header(known),
                second: header(candidate),
            };
            self.record_fault(fault);
            return Ok(());
        }
        state.candidate = Some(Arc::new(candidate.clone()));
        if from != u64::MAX {
            // Relay (gossip) the first candidate seen for the slot: a generator that sends
            // different candidates to different peers is then seen by everyone and convicted.
            let relay = Arc::new(Message::Candidate(candidate.clone()));
            self.emit(Output::Broadcast(relay));
        }
        let round = self.round();
        if round.iteration == iteration && round.step == Step::Proposal {
            self.enter_validation(false);
        } else if round.iteration == iteration && round.step == Step::Validation {
            let c = self.round().iterations[&iteration].candidate.clone();
            if let Some(c) = c {
                self.request_execution(iteration, c);
            }
        }
        self.try_complete(iteration);
        Ok(())
    }

    /// A success attestation and its candidate make a block.
    pub(super) fn try_complete(&mut self, iteration: u8) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        let Some(state) = round.iterations.get(&iteration) else {
            return;
        };
        let (Some(candidate), Some(attestation)) = (&state.candidate, &state.success) else {
            return;
        };
        if attestation.result != VoteValue::Valid(candidate.hash()) {
            return;
        }
        let block = Arc::new(Block {
            candidate: candidate.as_ref().clone(),
            attestation: attestation.clone(),
        });
        let pni = u16::from(iteration)
            - candidate
                .header
                .failed_iterations
                .iter()
                .filter(|a| a.is_some())
                .count() as u16;
        let duration = self.now.saturating_sub(self.round().step_started);
        self.timeouts.succeeded(Step::Ratification, duration);
        self.accept(block, pni);
    }

    pub(super) fn on_block(&mut self, from: PeerId, block: &Block) -> Result<(), MessageError> {
        let height = block.header().height;
        let tip_height = self.chain.tip().block.header().height;
        if height <= self.chain.last_final() {
            return Err(MessageError::WrongRound {
                got: height,
                current: tip_height + 1,
            });
        }
        if height > tip_height + 1 {
            if self
                .alternatives
                .contains_key(&(height - 1, block.header().prev_hash))
            {
                return self.on_other_branch(from, block);
            }
            let message = Arc::new(Message::Block(block.clone()));
            return self.defer(from, &message, height - 1);
        }
        // A relayed copy of a block already held (same generator signature): nothing to do.
        if self
            .chain
            .get(height)
            .is_some_and(|e| e.block.candidate.signature == block.candidate.signature)
        {
            return Err(MessageError::Duplicate);
        }
        let hash = block.hash();
        if let Some(existing) = self.chain.get(height) {
            if existing.hash == hash {
                return Err(MessageError::Duplicate);
            }
            // Fork choice: at one height the lowest iteration wins, then the lowest hash (two
            // success attestations in one iteration need equivocating voters; without a
            // tie-break, nodes split between the two blocks stall for good: twin seed 2022).
            let ours = (existing.block.header().iteration, existing.hash);
            if (block.header().iteration, hash) > ours {
                if from != u64::MAX {
                    let ours = Arc::new(Message::Block(existing.block.as_ref().clone()));
                    self.emit(Output::Send(from, ours));
                }
                self.keep_alternative(block);
                return Err(MessageError::Duplicate);
            }
        }
        let parent = self
            .chain
            .get(height - 1)
            .ok_or(MessageError::UnknownParent)?
            .block
            .clone();
        if block.header().prev_hash != parent.hash() {
            return self.on_other_branch(from, block);
        }
        let pni = self.check_block(&parent, block)?;
        if height <= tip_height {
            if !self.chain.revert_to(height - 1) {
                return Err(MessageError::WrongRound {
                    got: height,
                    current: tip_height + 1,
                });
            }
            self.stats.reverts += 1;
            self.emit(Output::Revert {
                height: height - 1,
                hash: parent.hash(),
            });
        }
        self.accept(Arc::new(block.clone()), pni);
        Ok(())
    }

    /// Appends a checked block on the tip and announces it; the next round starts once the
    /// driver reports the block applied ([`crate::Input::Applied`]).
    pub(super) fn accept(&mut self, block: Arc<Block>, pni: u16) {
        let header = block.header().clone();
        let mut sortition = match self.sortition_for(header.height) {
            Ok(s) => s,
            Err(_) => return,
        };
        self.emit(Output::Accept(block.clone()));
        let changes = self.chain.push(block.clone(), pni);
        self.emit(Output::Labels(changes));
        for (iteration, entry) in header.failed_iterations.iter().enumerate() {
            if let Some(att) = entry
                && att.result == VoteValue::NoCandidate
                && let Some(generator) = sortition.generator(iteration as u8)
            {
                self.emit(Output::MissedProposal {
                    round: header.height,
                    iteration: iteration as u8,
                    generator,
                });
            }
        }
        let included = &block.candidate.faults;
        self.pending_faults.retain(|f| !included.contains(f));
        self.diverged = false;
        let last_final = self.chain.last_final();
        self.alternatives.retain(|(h, _), _| *h > last_final);
        self.emit(Output::Broadcast(Arc::new(Message::Block(
            block.as_ref().clone(),
        ))));
        // The next round's committees are drawn from this block's state: wait for it.
        self.awaiting = Some(block.hash());
    }

    /// Accepts the next block of the branch being adopted, if it still extends the tip (the
    /// messages replayed when a round starts may have extended it already).
    pub(super) fn continue_branch(&mut self) {
        if self.awaiting.is_some() {
            return;
        }
        let Some((alt, pni)) = self.branch.pop_front() else {
            return;
        };
        if alt.header().prev_hash == self.chain.tip().hash {
            self.accept(alt, pni);
        } else {
            self.branch.clear();
        }
    }

    pub(super) fn on_get_blocks(&mut self, to: PeerId, from: u64) {
        if to == u64::MAX {
            return;
        }
        let blocks: Vec<_> = self
            .chain
            .blocks_from(from.max(1))
            .take(MAX_BLOCKS_PER_SYNC)
            .map(|e| Arc::new(Message::Block(e.block.as_ref().clone())))
            .collect();
        for block in blocks {
            self.emit(Output::Send(to, block));
        }
    }

    /// Checks a block over `parent` (a block of the chain or of another branch): its candidate
    /// and its success attestation. Returns its PNI.
    fn check_block(&self, parent: &Block, block: &Block) -> Result<u16, MessageError> {
        let mut sortition = self.sortition_after(parent);
        let pni = self.verify_candidate(&mut sortition, parent, &block.candidate)?;
        if block.attestation.result != VoteValue::Valid(block.hash()) {
            return Err(MessageError::BadHeader("not a success attestation"));
        }
        self.verify_attestation(
            &mut sortition,
            block.header().iteration,
            &block.header().prev_hash,
            &block.attestation,
        )?;
        Ok(pni)
    }

    /// Keeps a block the fork choice refused, once checked, in case its branch turns out to be
    /// the one the network builds on (at most [`MAX_ALTERNATIVE_BLOCKS`], above the last final
    /// block, whose parent is held).
    fn keep_alternative(&mut self, block: &Block) {
        let height = block.header().height;
        let prev = block.header().prev_hash;
        let key = (height, block.hash());
        if height <= self.chain.last_final()
            || self.alternatives.len() >= MAX_ALTERNATIVE_BLOCKS
            || self.alternatives.contains_key(&key)
        {
            return;
        }
        let parent = match self.chain.get(height - 1) {
            Some(e) if e.hash == prev => e.block.clone(),
            _ => match self.alternatives.get(&(height - 1, prev)) {
                Some((b, _)) => b.clone(),
                None => return,
            },
        };
        if let Ok(pni) = self.check_block(&parent, block) {
            self.alternatives
                .insert(key, (Arc::new(block.clone()), pni));
        }
    }

    /// A block whose parent is not the chain's block below it. It is kept (checked) with the
    /// other branch it extends; when the kept blocks link that branch to the chain above the
    /// last final block and make its first block `Final` by this node's own labels (rolling
    /// finality), the node reverts to the fork point and follows it. A block whose parent is
    /// unknown makes the node ask the sender for the blocks above its last final block.
    ///
    /// Why: a node that alone saw a success quorum at a lower iteration (the others timed out
    /// before the late votes reached them) holds a lower-iteration block that the
    /// lowest-iteration rule makes it keep, while the others finalize a higher-iteration block
    /// at that height; without this it never finalizes again (replay seed 110, 5 provisioners).
    /// A branch that is final by the node's own rule is one it would have finalized had it
    /// received it first, so this adds no new way to finalize, and the lowest-iteration rule
    /// is unchanged below it.
    fn on_other_branch(&mut self, from: PeerId, block: &Block) -> Result<(), MessageError> {
        let height = block.header().height;
        let key = (height, block.hash());
        self.keep_alternative(block);
        if !self.alternatives.contains_key(&key) {
            self.diverged = true;
            self.request_sync(from);
            return Err(MessageError::UnknownParent);
        }
        let mut branch: Vec<(Arc<Block>, u16)> = Vec::new();
        let mut at = key;
        let fork = loop {
            let (alt, pni) = self
                .alternatives
                .get(&at)
                .cloned()
                .ok_or(MessageError::UnknownParent)?;
            let prev = alt.header().prev_hash;
            let below = at.0.checked_sub(1).ok_or(MessageError::WrongParent)?;
            branch.push((alt, pni));
            if self.chain.get(below).is_some_and(|e| e.hash == prev) {
                break below;
            }
            at = (below, prev);
        };
        branch.reverse();
        let mut trial = self.chain.clone();
        if !trial.revert_to(fork) {
            return Err(MessageError::WrongParent);
        }
        for (alt, pni) in &branch {
            trial.push(alt.clone(), *pni);
        }
        if trial.last_final() <= fork || !self.chain.revert_to(fork) {
            // Kept: more blocks of that branch may make it final.
            return Err(MessageError::WrongParent);
        }
        self.stats.reverts += 1;
        let hash = self.chain.tip().hash;
        self.emit(Output::Revert { height: fork, hash });
        // One block at a time: each waits until the driver has applied its parent.
        self.branch = branch.into();
        self.continue_branch();
        Ok(())
    }

    /// Asks `peer` for the blocks after the tip, or after the last final block when another
    /// branch was seen (at most once per rebroadcast interval).
    pub(super) fn request_sync(&mut self, peer: PeerId) {
        if peer == u64::MAX {
            return;
        }
        if self
            .last_sync
            .is_some_and(|at| self.now < at + self.config.rebroadcast_interval)
        {
            return;
        }
        self.last_sync = Some(self.now);
        let from = if self.diverged {
            self.chain.last_final() + 1
        } else {
            self.chain.tip().block.header().height + 1
        };
        self.emit(Output::Send(peer, Arc::new(Message::GetBlocks { from })));
    }
}
