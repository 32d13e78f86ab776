use super::*;
use consensus::Genesis;
use genesis_types::Seed;
use parking_lot::Mutex;

/// Blocks 0..=n, each extending the previous one.
fn chain_of(n: u64) -> Vec<Block> {
    let mut blocks = vec![Block::genesis(&Genesis {
        seed: Seed([7; 48]),
        state_root: [1; 32],
        timestamp: 0,
    })];
    for h in 1..=n {
        let mut b = blocks[0].clone();
        b.candidate.header.height = h;
        b.candidate.header.prev_hash = blocks[h as usize - 1].hash();
        b.candidate.header.timestamp = h * 1_000;
        blocks.push(b);
    }
    blocks
}

fn receipt(height: u64) -> ReceiptView {
    ReceiptView {
        hash: hex32(&[height as u8; 32]),
        sender: hex32(&[0; 32]),
        nonce: height,
        gas_limit: 1,
        gas_spent: 1,
        fee_paid: "1".into(),
        success: true,
        return_data: None,
        error: None,
        deployed: None,
        events: vec![EventView {
            height,
            tx_hash: hex32(&[height as u8; 32]),
            contract: hex32(&[9; 32]),
            topic: "t".into(),
            data: String::new(),
            reverted: false,
        }],
    }
}

/// An archive holding what a store would: every block pushed.
#[derive(Default)]
struct Archive(Mutex<Vec<IndexedBlock>>);

impl BlockArchive for Archive {
    fn block(&self, height: u64) -> Option<IndexedBlock> {
        self.0.lock().get(height as usize).cloned()
    }
    fn height_of(&self, hash: &[u8; 32]) -> Option<u64> {
        let hash = hex32(hash);
        let blocks = self.0.lock();
        blocks
            .iter()
            .find(|b| b.view.hash == hash)
            .map(|b| b.view.height)
    }
    fn tx(&self, hash: &[u8; 32]) -> Option<(u64, usize)> {
        let hash = hex32(hash);
        let blocks = self.0.lock();
        blocks.iter().find_map(|b| {
            let i = b.receipts.iter().position(|r| r.hash == hash)?;
            Some((b.view.height, i))
        })
    }
}

/// An index of `window` blocks over blocks 0..=n (one receipt each from 1 on), with and
/// without an archive.
fn indexes(window: usize, n: u64) -> (ChainIndex, ChainIndex, Vec<Block>) {
    let blocks = chain_of(n);
    let archive = Arc::new(Archive::default());
    let mut with = ChainIndex::with_window(&blocks[0], window);
    with.set_archive(archive.clone());
    let mut without = ChainIndex::with_window(&blocks[0], window);
    archive
        .0
        .lock()
        .push(IndexedBlock::new(&blocks[0], 0, Vec::new(), Label::Final));
    for b in &blocks[1..] {
        let r = vec![receipt(b.header().height)];
        archive
            .0
            .lock()
            .push(IndexedBlock::new(b, 1, r.clone(), Label::Final));
        with.push(b, 1, r.clone(), Label::Attested(1));
        without.push(b, 1, r, Label::Attested(1));
    }
    (with, without, blocks)
}

#[test]
fn the_index_keeps_its_window_in_memory_at_the_limit() {
    // Genesis and 3 blocks: exactly the window.
    let (_, index, blocks) = indexes(4, 3);
    assert_eq!(index.in_memory(), 4);
    assert_eq!(index.tip().view.height, 3);
    for b in &blocks {
        let h = b.header().height;
        assert_eq!(index.by_height(h).unwrap().view.hash, hex32(&b.hash()));
        assert_eq!(index.by_hash(&hex32(&b.hash())).unwrap().view.height, h);
    }
    let found = index.tx(&hex32(&[1; 32])).expect("in memory");
    assert_eq!((found.height, found.receipt.nonce), (1, 1));
    assert_eq!(index.events(&EventFilter::default()).len(), 3);
}

#[test]
fn past_the_window_older_blocks_leave_memory_and_are_read_from_the_archive() {
    let (with, without, blocks) = indexes(4, 4);
    for index in [&with, &without] {
        assert_eq!(index.in_memory(), 4, "the window, not the chain");
        assert_eq!(index.tip().view.height, 4);
    }
    // Genesis left the window: only an index with an archive still answers for it.
    let genesis = hex32(&blocks[0].hash());
    assert!(without.by_height(0).is_none());
    assert!(without.by_hash(&genesis).is_none());
    assert_eq!(with.by_height(0).unwrap().view.hash, genesis);
    assert_eq!(with.by_hash(&genesis).unwrap().view.height, 0);
    // A block still in the window.
    assert_eq!(
        without.by_height(1).unwrap().view.hash,
        hex32(&blocks[1].hash())
    );

    // A long chain: memory stays at the window, every transaction is still found.
    let (with, without, _) = indexes(4, 200);
    assert_eq!((with.in_memory(), without.in_memory()), (4, 4));
    let found = with.tx(&hex32(&[3; 32])).expect("through the archive");
    assert_eq!((found.height, found.receipt.nonce), (3, 3));
    assert!(without.tx(&hex32(&[3; 32])).is_none());
    assert!(without.tx(&hex32(&[199; 32])).is_some(), "in the window");
    assert_eq!(
        with.events(&EventFilter {
            from_height: Some(2),
            to_height: Some(5),
            ..EventFilter::default()
        })
        .len(),
        4
    );
    // Without an archive a query from genesis goes on from the window.
    assert_eq!(without.events(&EventFilter::default()).len(), 4);
    assert!(with.by_height(201).is_none(), "above the tip");
}

#[test]
fn a_revert_below_the_window_reloads_the_kept_block_from_the_archive() {
    let (mut with, _, blocks) = indexes(4, 10);
    with.revert(8);
    assert_eq!(with.tip().view.height, 8);
    assert_eq!(with.in_memory(), 2);
    with.revert(3);
    assert_eq!(with.tip().view.height, 3);
    assert_eq!(with.tip().view.hash, hex32(&blocks[3].hash()));
    assert!(with.by_height(4).is_none());
    assert!(with.tx(&hex32(&[9; 32])).is_none(), "reverted");
    // The chain grows again from there.
    with.push(&blocks[4], 1, vec![receipt(4)], Label::Attested(1));
    assert_eq!(with.tip().view.height, 4);
    assert_eq!(with.in_memory(), 2);
}

#[test]
fn labels_change_in_the_window_and_below_it() {
    let (mut with, _, blocks) = indexes(4, 10);
    let tip = hex32(&blocks[10].hash());
    assert!(with.set_label(10, &tip, Label::Final));
    assert!(!with.set_label(10, &tip, Label::Final), "unchanged");
    assert_eq!(with.finalized, 10);
    assert!(
        !with.set_label(10, &hex32(&[0; 32]), Label::Confirmed),
        "other hash"
    );
    // Below the window: the archive's block (labelled final there) is not changed again.
    assert!(!with.set_label(2, &hex32(&blocks[2].hash()), Label::Final));
    assert!(with.set_label(2, &hex32(&blocks[2].hash()), Label::Confirmed));
}

/// `k` receipts of block `height`, with distinct hashes.
fn receipts(height: u64, k: usize) -> Vec<ReceiptView> {
    (0..k)
        .map(|i| {
            let mut r = receipt(height);
            let mut hash = [height as u8; 32];
            hash[31] = i as u8;
            r.hash = hex32(&hash);
            r
        })
        .collect()
}

/// An index of `max_receipts` (window 64) with an archive, over blocks 1..=n of `k` receipts.
fn by_receipts(max_receipts: usize, n: u64, k: usize) -> ChainIndex {
    let blocks = chain_of(n);
    let archive = Arc::new(Archive::default());
    let mut index = ChainIndex::with_limits(&blocks[0], INDEX_WINDOW, max_receipts);
    index.set_archive(archive.clone());
    archive
        .0
        .lock()
        .push(IndexedBlock::new(&blocks[0], 0, Vec::new(), Label::Final));
    for b in &blocks[1..] {
        let r = receipts(b.header().height, k);
        let indexed = IndexedBlock::new(b, 1, r.clone(), Label::Final);
        archive.0.lock().push(indexed);
        index.push(b, 1, r, Label::Attested(1));
    }
    index
}

#[test]
fn the_receipts_in_memory_stop_at_their_limit_and_older_blocks_come_from_the_archive() {
    // Genesis and 4 blocks of 3 receipts: 12, exactly the limit, all in memory.
    let at = by_receipts(12, 4, 3);
    assert_eq!((at.in_memory(), at.receipts_in_memory()), (5, 12));
    // One block more: the oldest leave until 12 again (genesis, then block 1).
    let past = by_receipts(12, 5, 3);
    assert_eq!((past.in_memory(), past.receipts_in_memory()), (4, 12));
    // Block 1's transaction is still found, through the archive.
    let mut hash = [1u8; 32];
    hash[31] = 2;
    let found = past.tx(&hex32(&hash)).expect("from the archive");
    assert_eq!(found.height, 1);
    // A long chain: the receipts stay at the limit.
    let long = by_receipts(12, 200, 3);
    assert_eq!(long.receipts_in_memory(), 12);
    assert_eq!(long.tip().view.height, 200);
}

#[test]
fn the_last_blocks_stay_in_memory_whatever_their_receipts() {
    // Blocks of 10 receipts over a limit of 12: the last MIN_INDEX_BLOCKS stay.
    let index = by_receipts(12, 20, 10);
    assert_eq!(index.in_memory(), MIN_INDEX_BLOCKS);
    assert_eq!(index.receipts_in_memory(), 10 * MIN_INDEX_BLOCKS);
    // Their labels change in memory.
    let mut index = index;
    let hash = index.by_height(20).unwrap().view.hash;
    assert!(index.set_label(20, &hash, Label::Final));
    assert_eq!(index.by_height(20).unwrap().view.label, "final");
}

/// An index of 2 blocks in memory over blocks 0..=n labelled `Attested(1)`, with an archive
/// holding them all (as a node's store does), and the archive.
fn attested_with_archive(n: u64) -> (ChainIndex, Arc<Archive>, Vec<Block>) {
    let blocks = chain_of(n);
    let archive = Arc::new(Archive::default());
    let mut index = ChainIndex::with_limits(&blocks[0], 2, 0);
    index.set_archive(archive.clone());
    archive
        .0
        .lock()
        .push(IndexedBlock::new(&blocks[0], 0, Vec::new(), Label::Final));
    for b in &blocks[1..] {
        let label = Label::Attested(1);
        archive
            .0
            .lock()
            .push(IndexedBlock::new(b, 1, Vec::new(), label));
        index.push(b, 1, Vec::new(), label);
    }
    (index, archive, blocks)
}

fn change(block: &Block, label: Label) -> LabelChange {
    LabelChange {
        height: block.header().height,
        hash: block.hash(),
        label,
    }
}

/// The node commits a block with the label changes its acceptance made, then gives them to
/// the index: a block below the window is answered from the archive (that store), which then
/// holds the new label. Asked before the commit (`label_changes`), they are changes, each
/// after the ones before it in the list; applied (`apply_label_change`) they raise the
/// finalized height. Asked after, `set_label` finds nothing to change: the devnet announced
/// no `final` for a block finalized below the window, and the instant devnet idled.
#[test]
fn label_changes_are_asked_before_the_store_holds_them() {
    let (mut index, archive, blocks) = attested_with_archive(5);
    let below = &blocks[2];
    let hash = hex32(&below.hash());
    assert!(index.by_height(2).is_some() && index.in_memory() == 2);
    let changes = [
        change(below, Label::Confirmed),
        change(below, Label::Final),
        change(below, Label::Final),
        change(&blocks[5], Label::Attested(1)),
        change(&blocks[4], Label::Confirmed),
        LabelChange {
            hash: [0xee; 32],
            ..change(&blocks[3], Label::Final)
        },
    ];
    assert_eq!(
        index.label_changes(&changes),
        [true, true, false, false, true, false]
    );
    // The commit writes block 2's new label in the store, the index's archive.
    archive.0.lock()[2] = IndexedBlock::new(below, 1, Vec::new(), Label::Final);
    assert!(
        !index.set_label(2, &hash, Label::Final),
        "the archive says final already"
    );
    assert_eq!(index.finalized, 0);
    index.apply_label_change(2, &hash, Label::Final);
    assert_eq!(index.finalized, 2);
    // In the window, the label changes in memory.
    index.apply_label_change(4, &hex32(&blocks[4].hash()), Label::Confirmed);
    assert_eq!(index.by_height(4).unwrap().view.label, "confirmed");
    assert_eq!(index.label_changes(&changes[4..5]), [false]);
}
