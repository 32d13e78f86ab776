//! The node's chain: retained blocks with their finality labels, Dusk's rolling finality and
//! the fork choice's revert.
//!
//! # Labels (rolling finality)
//! A new block's *PNI* (previous non-attested iterations) is its iteration minus the valid
//! fail attestations its header carries. PNI = 0 → `Attested(1)`, else `Accepted(2·PNI)`.
//! When the new block is `Attested`, two passes run: from the tip's parent down to the last
//! final block, with `stable = 1`, an `Accepted(n)`/`Attested(n)` block with `stable ≥ n`
//! becomes `Confirmed` and `stable += 1`, a `Confirmed` one adds 1, and a block not yet
//! confirmable is passed over (it adds nothing); then, from the last final block up,
//! consecutive `Confirmed` blocks become `Final`. On the happy path (every block at
//! iteration 0) block `N − 1` is final once `N` is accepted.
//!
//! Dusk's pass stops at the first block it cannot confirm. Passing over it instead keeps
//! every block's own demand (`n` stable blocks above it on its branch) and the contiguity of
//! `Final`, and drops only the demand that the stable blocks be *consecutive*: with message
//! delays beyond the step timeouts, blocks of high PNI come every few rounds, one of them is
//! nearly always among the last few blocks, and Dusk's pass then confirmed nothing for good
//! (the split adversary's hold stalled 18 runs of 100; see the crate README).

use crate::io::LabelChange;
use crate::types::{Block, Hash, Label};
use std::collections::VecDeque;
use std::sync::Arc;

/// One retained block.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The block.
    pub block: Arc<Block>,
    /// Its hash.
    pub hash: Hash,
    /// Its label.
    pub label: Label,
}

/// Contiguous retained blocks, ending at the tip.
#[derive(Clone, Debug)]
pub struct Chain {
    entries: VecDeque<Entry>,
    retained: usize,
}

/// The label of a new block with `pni` previous non-attested iterations.
pub fn label_for(pni: u16) -> Label {
    if pni == 0 {
        Label::Attested(1)
    } else {
        Label::Accepted(pni.saturating_mul(2))
    }
}

impl Chain {
    /// A chain holding only `genesis` (final).
    pub fn new(genesis: Arc<Block>, retained: usize) -> Self {
        let hash = genesis.hash();
        Chain {
            entries: VecDeque::from([Entry {
                block: genesis,
                hash,
                label: Label::Final,
            }]),
            retained,
        }
    }

    /// A chain from persisted blocks (ascending, contiguous). `None` if empty or broken.
    pub fn from_blocks(blocks: Vec<(Arc<Block>, Label)>, retained: usize) -> Option<Self> {
        let mut entries = VecDeque::new();
        for (block, label) in blocks {
            let hash = block.hash();
            if let Some(prev) = entries.back().map(|e: &Entry| e.hash)
                && block.header().prev_hash != prev
            {
                return None;
            }
            entries.push_back(Entry { block, hash, label });
        }
        if entries.is_empty() {
            return None;
        }
        Some(Chain { entries, retained })
    }

    /// The tip.
    pub fn tip(&self) -> &Entry {
        // Never empty: constructed with one entry, and pruning keeps the tip.
        self.entries.back().expect("a chain is never empty")
    }

    /// The retained block at `height`.
    pub fn get(&self, height: u64) -> Option<&Entry> {
        let first = self.entries.front()?.block.header().height;
        let index = usize::try_from(height.checked_sub(first)?).ok()?;
        self.entries.get(index)
    }

    /// Height of the highest final block.
    pub fn last_final(&self) -> u64 {
        self.entries
            .iter()
            .rev()
            .find(|e| e.label == Label::Final)
            .map(|e| e.block.header().height)
            .unwrap_or_else(|| self.entries[0].block.header().height)
    }

    /// Retained blocks from `from` on (ascending).
    pub fn blocks_from(&self, from: u64) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(move |e| e.block.header().height >= from)
    }

    /// Every retained block with its label (for persistence).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Appends `block` (its parent is the tip) with `pni`; returns every label change,
    /// the new block's first.
    pub fn push(&mut self, block: Arc<Block>, pni: u16) -> Vec<LabelChange> {
        let hash = block.hash();
        let height = block.header().height;
        let label = label_for(pni);
        let last_final = self.last_final();
        self.entries.push_back(Entry { block, hash, label });
        let mut changes = vec![LabelChange {
            height,
            hash,
            label,
        }];
        if matches!(label, Label::Attested(_)) {
            let mut stable: u16 = 1;
            for entry in self.entries.iter_mut().rev().skip(1) {
                let h = entry.block.header().height;
                if h <= last_final {
                    break;
                }
                match entry.label {
                    Label::Confirmed => stable = stable.saturating_add(1),
                    Label::Accepted(n) | Label::Attested(n) if stable >= n => {
                        entry.label = Label::Confirmed;
                        changes.push(LabelChange {
                            height: h,
                            hash: entry.hash,
                            label: Label::Confirmed,
                        });
                        stable = stable.saturating_add(1);
                    }
                    // Not confirmable yet: it stays as it is, and adds nothing to the
                    // stable count of the blocks below it.
                    Label::Accepted(_) | Label::Attested(_) | Label::Final => {}
                }
            }
            for entry in self.entries.iter_mut() {
                let h = entry.block.header().height;
                if h <= last_final {
                    continue;
                }
                if entry.label != Label::Confirmed {
                    break;
                }
                entry.label = Label::Final;
                changes.push(LabelChange {
                    height: h,
                    hash: entry.hash,
                    label: Label::Final,
                });
            }
        }
        self.prune();
        changes
    }

    /// Drops the blocks above `height`; refuses (false) to drop a final block.
    pub fn revert_to(&mut self, height: u64) -> bool {
        if height < self.last_final() || self.get(height).is_none() {
            return false;
        }
        while self.tip().block.header().height > height {
            self.entries.pop_back();
        }
        true
    }

    fn prune(&mut self) {
        let last_final = self.last_final();
        while self.entries.len() > self.retained
            && self.entries[0].block.header().height < last_final
        {
            self.entries.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Genesis;
    use genesis_types::Seed;

    fn child(parent: &Block, iteration: u8) -> Arc<Block> {
        let mut block = parent.clone();
        let header = &mut block.candidate.header;
        header.height += 1;
        header.prev_hash = parent.hash();
        header.iteration = iteration;
        Arc::new(block)
    }

    fn genesis() -> Arc<Block> {
        Arc::new(Block::genesis(&Genesis {
            seed: Seed([0; 48]),
            state_root: [0; 32],
            timestamp: 0,
        }))
    }

    #[test]
    fn happy_path_finalizes_the_parent() {
        let mut chain = Chain::new(genesis(), 16);
        let b1 = child(&chain.tip().block.clone(), 0);
        let changes = chain.push(b1.clone(), 0);
        assert_eq!(changes[0].label, Label::Attested(1));
        let b2 = child(&b1, 0);
        let changes = chain.push(b2, 0);
        assert!(
            changes
                .iter()
                .any(|c| c.height == 1 && c.label == Label::Final)
        );
        assert_eq!(chain.last_final(), 1);
        assert!(!chain.revert_to(0), "a final block is never reverted");
    }

    #[test]
    fn an_accepted_block_needs_stable_successors() {
        let mut chain = Chain::new(genesis(), 16);
        let b1 = child(&chain.tip().block.clone(), 2);
        assert_eq!(chain.push(b1.clone(), 2)[0].label, Label::Accepted(4));
        let mut parent = b1;
        for height in 2..=5 {
            let b = child(&parent, 0);
            chain.push(b.clone(), 0);
            parent = b;
            let label = chain.get(1).unwrap().label;
            // The pass from the tip down counts 1 plus one per block it confirms: block 1
            // (Accepted(4)) is reached with 4 only once block 5 is accepted.
            if height < 5 {
                assert_eq!(label, Label::Accepted(4), "at {height}");
            } else {
                assert_eq!(label, Label::Final, "at {height}");
            }
        }
        assert_eq!(chain.last_final(), 4);
        assert!(chain.revert_to(chain.last_final()));
    }

    /// A young block of high PNI no longer holds back the blocks below it: they are
    /// confirmed by the stable blocks above it, and become `Final` up to it; it becomes
    /// `Confirmed` itself only once it has its own `2·PNI` stable blocks above it. (Dusk's
    /// pass stopped at it: nothing here became final before block 1 had four stable blocks
    /// above it in a row.)
    #[test]
    fn a_high_pni_block_does_not_hold_back_the_blocks_below_it() {
        let mut chain = Chain::new(genesis(), 16);
        let b1 = child(&chain.tip().block.clone(), 0);
        chain.push(b1.clone(), 0);
        let b2 = child(&b1, 0);
        chain.push(b2.clone(), 0);
        assert_eq!(chain.last_final(), 1);
        let b3 = child(&b2, 2);
        assert_eq!(chain.push(b3.clone(), 2)[0].label, Label::Accepted(4));
        let b4 = child(&b3, 0);
        chain.push(b4.clone(), 0);
        // Block 2 (Attested(1)) is confirmed past block 3 (Accepted(4), one stable above it).
        assert_eq!(chain.last_final(), 2);
        assert_eq!(chain.get(3).unwrap().label, Label::Accepted(4));
        let mut parent = b4;
        for height in 5..=7 {
            let b = child(&parent, 0);
            chain.push(b.clone(), 0);
            parent = b;
            let label = chain.get(3).unwrap().label;
            if height < 7 {
                assert_eq!(label, Label::Accepted(4), "at {height}");
                assert_eq!(chain.last_final(), 2, "at {height}");
            } else {
                // Blocks 4, 5 and 6 confirmed, and block 7: four stable blocks above it.
                assert_eq!(label, Label::Final, "at {height}");
                assert_eq!(chain.last_final(), 6, "at {height}");
            }
        }
        // Two blocks of high PNI in a row are both passed over: block 7 is confirmed by
        // block 10 (one stable block above it, as its `Attested(1)` asks), the two stay.
        let b8 = child(&parent, 3);
        chain.push(b8.clone(), 3);
        let b9 = child(&b8, 1);
        chain.push(b9.clone(), 1);
        let b10 = child(&b9, 0);
        let changes = chain.push(b10, 0);
        assert_eq!(chain.last_final(), 7, "{changes:?}");
        assert_eq!(chain.get(8).unwrap().label, Label::Accepted(6));
        assert_eq!(chain.get(9).unwrap().label, Label::Accepted(2));
    }

    #[test]
    fn revert_drops_only_unfinal_blocks() {
        let mut chain = Chain::new(genesis(), 16);
        let b1 = child(&chain.tip().block.clone(), 1);
        chain.push(b1.clone(), 1);
        let b2 = child(&b1, 1);
        chain.push(b2, 1);
        assert_eq!(chain.last_final(), 0);
        assert!(chain.revert_to(0));
        assert_eq!(chain.tip().block.header().height, 0);
        assert!(!chain.revert_to(5), "unknown height");
    }
}
