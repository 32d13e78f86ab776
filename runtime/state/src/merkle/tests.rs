use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// 48 keys: 24 random-looking, 16 sharing their first 252 bits (chains of 250+ levels), 8 at
/// every distance from all-ones.
fn universe() -> Vec<LeafKey> {
    let mut keys: Vec<LeafKey> = (0u8..24)
        .map(|i| LeafKey(blake2b_256(&[b"k", &[i]])))
        .collect();
    for i in 0u8..16 {
        let mut k = [0u8; 32];
        k[31] = i;
        keys.push(LeafKey(k));
    }
    for i in 0..8 {
        let mut k = [0xffu8; 32];
        let bit = i * 36;
        k[bit / 8] ^= 1 << (7 - bit % 8);
        keys.push(LeafKey(k));
    }
    keys
}

fn value(v: u8) -> LeafValue {
    LeafValue {
        hash: blake2b_256(&[b"v", &[v]]),
        payload: vec![v],
    }
}

fn reachable_count(nodes: &MemoryNodes, root: NodeRef) -> usize {
    let mut set = BTreeSet::new();
    reachable(nodes, root, &mut set).unwrap();
    set.len()
}

/// Apply one batch to the tree and the model, keeping only the new root referenced.
fn apply(
    nodes: &mut MemoryNodes,
    root: NodeRef,
    model: &mut BTreeMap<LeafKey, Hash>,
    batch: &[(LeafKey, Option<u8>)],
) -> NodeRef {
    let updates: Vec<LeafUpdate> = batch.iter().map(|(k, v)| (*k, v.map(value))).collect();
    for (k, v) in batch {
        match v {
            Some(v) => model.insert(*k, value(*v).hash),
            None => model.remove(k),
        };
    }
    let (new, _) = update(nodes, root, updates).unwrap();
    release(nodes, root).unwrap();
    new
}

/// Every reference in the tree of `root` carries its subtree's leaf count and its leftmost
/// leaf's locality (the storage metadata the redb store keys nodes by).
fn assert_storage_metadata(nodes: &MemoryNodes, root: NodeRef) {
    fn walk(nodes: &MemoryNodes, at: NodeRef) -> (u64, Option<LeafKey>) {
        if at.is_empty() {
            assert_eq!(at, NodeRef::EMPTY);
            return (0, None);
        }
        let (leaves, leftmost) = match nodes.node(&at).unwrap().unwrap() {
            Node::Leaf { key, .. } => (1, Some(key)),
            Node::Internal { left, right } => {
                let (l, lk) = walk(nodes, left);
                let (r, rk) = walk(nodes, right);
                assert!(l + r >= 2, "an internal node over fewer than two leaves");
                (l + r, lk.or(rk))
            }
        };
        assert_eq!(at.leaves, leaves);
        assert_eq!(Some(at.loc), leftmost.as_ref().map(leaf_loc));
        (leaves, leftmost)
    }
    walk(nodes, root);
}

#[test]
fn empty_tree_and_single_leaf() {
    assert_eq!(root_of(&BTreeMap::new()), Root::EMPTY);
    let mut nodes = MemoryNodes::new();
    let (root, _) = update(&mut nodes, NodeRef::EMPTY, vec![]).unwrap();
    assert_eq!(root, NodeRef::EMPTY);
    let k = LeafKey([5; 32]);
    let (root, stats) = update(&mut nodes, NodeRef::EMPTY, vec![(k, Some(value(1)))]).unwrap();
    assert_eq!(root.hash, leaf_hash(&k, &value(1).hash));
    assert_eq!(stats.leaves_added, 1);
    assert_eq!(get(&nodes, root, &k).unwrap(), Some(value(1)));
    assert_eq!(get(&nodes, root, &LeafKey([6; 32])).unwrap(), None);
}

/// The root written out by hand from the module docs, independently of the code above.
#[test]
fn hashing_follows_the_documented_layout() {
    let h = |parts: &[&[u8]]| {
        let mut s = blake2b_simd::Params::new().hash_length(32).to_state();
        for p in parts {
            s.update(p);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(s.finalize().as_bytes());
        out
    };
    let contract = ContractId([9; 32]);
    let leaf_a = h(&[b"leaf-key-v1", &[9; 32], b"a"]);
    assert_eq!(storage_leaf_key(&contract, b"a").0, leaf_a);
    let vh_a = h(&[b"leaf-v1", &leaf_a, b"1"]);
    assert_eq!(storage_value_hash(&LeafKey(leaf_a), b"1"), vh_a);

    // Two keys under the same first bit and different second bits: a chain node on top.
    let (mut k0, mut k1) = ([0u8; 32], [0u8; 32]);
    k0[0] = 0b0000_0000;
    k1[0] = 0b0100_0000;
    let (v0, v1) = ([1u8; 32], [2u8; 32]);
    let l0 = h(&[b"smt-leaf-v1", &k0, &v0]);
    let l1 = h(&[b"smt-leaf-v1", &k1, &v1]);
    let below = h(&[b"smt-node-v1", &l0, &l1]);
    let expected = h(&[b"smt-node-v1", &below, &[0u8; 32]]);
    let mut nodes = MemoryNodes::new();
    let both = vec![
        (
            LeafKey(k1),
            Some(LeafValue {
                hash: v1,
                payload: vec![],
            }),
        ),
        (
            LeafKey(k0),
            Some(LeafValue {
                hash: v0,
                payload: vec![],
            }),
        ),
    ];
    let (root, _) = update(&mut nodes, NodeRef::EMPTY, both).unwrap();
    assert_eq!(root.hash, expected);
    let model = BTreeMap::from([(LeafKey(k0), v0), (LeafKey(k1), v1)]);
    assert_eq!(root_of(&model).0, expected);
    // Deleting one leaves the other alone at the top: the root is its leaf hash.
    let (after, _) = update(&mut nodes, root, vec![(LeafKey(k0), None)]).unwrap();
    assert_eq!(after.hash, l1);
}

#[test]
fn keys_differing_in_the_last_bit_hang_256_levels_deep() {
    let universe = universe();
    let (a, b) = (universe[24], universe[25]);
    assert_eq!(a.common_prefix(&b), 255);
    let mut nodes = MemoryNodes::new();
    let (root, stats) = update(
        &mut nodes,
        NodeRef::EMPTY,
        vec![(a, Some(value(1))), (b, Some(value(2)))],
    )
    .unwrap();
    assert_eq!(stats.nodes_created, 2 + 256);
    let proof = prove(&nodes, root, &a).unwrap();
    assert_eq!(proof.siblings.len(), 256);
    assert!(verify_leaf(
        &Root(root.hash),
        &a,
        Some(&value(1).hash),
        &proof
    ));
    let (root2, _) = update(&mut nodes, root, vec![(b, None)]).unwrap();
    release(&mut nodes, root).unwrap();
    assert_eq!(root2.hash, leaf_hash(&a, &value(1).hash));
    assert_eq!(
        nodes.len(),
        1,
        "the chain is gone once the old root is released"
    );
}

#[test]
fn proofs_verify_and_reject_tampering() {
    let universe = universe();
    let mut nodes = MemoryNodes::new();
    let mut model = BTreeMap::new();
    let batch: Vec<(LeafKey, Option<u8>)> = universe
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(i, k)| (*k, Some(i as u8)))
        .collect();
    let root = apply(&mut nodes, NodeRef::EMPTY, &mut model, &batch);
    for key in &universe {
        let proof = prove(&nodes, root, key).unwrap();
        let present = model.get(key);
        assert!(
            verify_leaf(&Root(root.hash), key, present, &proof),
            "{key:?}"
        );
        // Wrong value, claimed presence of an absent key, claimed absence of a present one.
        assert!(!verify_leaf(&Root(root.hash), key, Some(&[7; 32]), &proof));
        if present.is_some() {
            assert!(!verify_leaf(&Root(root.hash), key, None, &proof));
        }
        // Wrong root.
        assert!(!verify_leaf(&Root([1; 32]), key, present, &proof));
        // Any flipped bit in a sibling.
        for i in 0..proof.siblings.len() {
            let mut bad = proof.clone();
            bad.siblings[i][0] ^= 1;
            assert!(!verify_leaf(&Root(root.hash), key, present, &bad));
        }
        // A truncated path.
        if !proof.siblings.is_empty() {
            let mut bad = proof.clone();
            bad.siblings.pop();
            assert!(!verify_leaf(&Root(root.hash), key, present, &bad));
        }
    }
}

fn key_index() -> impl Strategy<Value = usize> {
    0usize..48
}

fn batches() -> impl Strategy<Value = Vec<Vec<(usize, Option<u8>)>>> {
    proptest::collection::vec(
        proptest::collection::vec(
            (key_index(), proptest::option::weighted(0.6, 0u8..4)),
            0..20,
        ),
        1..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    /// After every batch (inserts, overwrites, deletes, repeated keys, chains 250+ levels deep)
    /// the incremental root is the root built from scratch, every stored node is reachable from
    /// it (nothing leaks once the old root is released), and deleting every key brings back the
    /// empty root with no node left. The linked in-memory tree, given the same batches, is the
    /// same tree: the same root, leaf and node counts and value for every key after each batch,
    /// the same proof for every key at the end (which verifies), and empty once every key is
    /// deleted. Before every batch, the root computed without writing — over the
    /// content-addressed store through an overlay, and over the linked tree by a read-only
    /// walk — is the root (with its leaf count) the update then gives, and computing it
    /// changed neither store.
    #[test]
    fn incremental_root_equals_root_from_scratch(batches in batches()) {
        let universe = universe();
        let mut nodes = MemoryNodes::new();
        let mut tree = MemoryTree::new();
        let mut model = BTreeMap::new();
        let mut root = NodeRef::EMPTY;
        for batch in &batches {
            let batch: Vec<(LeafKey, Option<u8>)> =
                batch.iter().map(|(i, v)| (universe[*i], *v)).collect();
            let updates: Vec<LeafUpdate> = batch.iter().map(|(k, v)| (*k, v.map(value))).collect();
            let stored = nodes.len();
            let over_nodes = root_after(&nodes, root, updates.clone()).unwrap();
            let over_tree = tree.root_after(updates.clone());
            prop_assert_eq!(nodes.len(), stored);
            prop_assert_eq!(tree.root(), Root(root.hash));
            root = apply(&mut nodes, root, &mut model, &batch);
            tree.update(updates);
            prop_assert_eq!(over_nodes, root);
            prop_assert_eq!(over_tree, Root(root.hash));
            prop_assert_eq!(Root(root.hash), root_of(&model));
            prop_assert_eq!(root.leaves, model.len() as u64);
            prop_assert_eq!(nodes.len(), reachable_count(&nodes, root));
            assert_storage_metadata(&nodes, root);
            prop_assert_eq!(tree.root(), root_of(&model));
            prop_assert_eq!(tree.leaves(), model.len() as u64);
            prop_assert_eq!(tree.node_count(), nodes.len());
            for key in &universe {
                let expected = model.get(key).copied();
                prop_assert_eq!(get(&nodes, root, key).unwrap().map(|v| v.hash), expected);
                prop_assert_eq!(tree.get(key), expected);
            }
        }
        for key in &universe {
            let proof = tree.prove(key);
            prop_assert_eq!(&proof, &prove(&nodes, root, key).unwrap());
            prop_assert!(verify_leaf(&tree.root(), key, model.get(key), &proof));
        }
        let delete_all: Vec<(LeafKey, Option<u8>)> = universe.iter().map(|k| (*k, None)).collect();
        root = apply(&mut nodes, root, &mut model, &delete_all);
        tree.update(delete_all.iter().map(|(k, _)| (*k, None)).collect());
        prop_assert_eq!(root, NodeRef::EMPTY);
        prop_assert!(nodes.is_empty());
        prop_assert_eq!(tree.root(), Root::EMPTY);
        prop_assert_eq!(tree.leaves(), 0);
        prop_assert_eq!(tree.node_count(), 0);
    }

    /// The same final content reached through different batchings and orders has one root, and
    /// old roots stay readable while they are retained.
    #[test]
    fn root_is_independent_of_order_and_history(
        content in proptest::collection::btree_map(key_index(), 0u8..4, 0..30),
        noise in proptest::collection::vec((key_index(), 0u8..4), 0..20),
        chunk in 1usize..7,
    ) {
        let universe = universe();
        // Tree A: everything in one batch.
        let mut a = MemoryNodes::new();
        let all: Vec<LeafUpdate> = content.iter().map(|(i, v)| (universe[*i], Some(value(*v)))).collect();
        let (root_a, _) = update(&mut a, NodeRef::EMPTY, all).unwrap();
        // Tree B: noise first, then the content in reverse order in chunks, then the noise
        // keys that are not part of the content deleted. Every root is retained.
        let mut b = MemoryNodes::new();
        let mut roots = vec![];
        let noise: Vec<LeafUpdate> = noise.iter().map(|(i, v)| (universe[*i], Some(value(*v)))).collect();
        let (mut root_b, _) = update(&mut b, NodeRef::EMPTY, noise.clone()).unwrap();
        roots.push(root_b);
        let reversed: Vec<(usize, u8)> = content.iter().rev().map(|(i, v)| (*i, *v)).collect();
        for part in reversed.chunks(chunk) {
            let part: Vec<LeafUpdate> = part.iter().map(|(i, v)| (universe[*i], Some(value(*v)))).collect();
            root_b = update(&mut b, root_b, part).unwrap().0;
            roots.push(root_b);
        }
        let stale: Vec<LeafUpdate> = noise
            .iter()
            .filter(|(k, _)| !content.keys().any(|i| universe[*i] == *k))
            .map(|(k, _)| (*k, None))
            .collect();
        root_b = update(&mut b, root_b, stale).unwrap().0;
        prop_assert_eq!(root_a, root_b);
        // The first retained root still answers for the noise.
        for (k, _) in &noise {
            let last = noise.iter().rev().find(|(k2, _)| k2 == k).and_then(|(_, v)| v.as_ref().map(|v| v.hash));
            prop_assert_eq!(get(&b, roots[0], k).unwrap().map(|v| v.hash), last);
        }
        // Releasing every old root leaves exactly the nodes of the last one.
        for r in roots {
            release(&mut b, r).unwrap();
        }
        prop_assert_eq!(b.len(), reachable_count(&b, root_b));
        prop_assert_eq!(b.len(), a.len());
    }
}

/// A commit's merkle work grows with the keys it changes and the depth of the tree, not with
/// the size of the state: 200 changed keys over 4,096 and over 65,536 leaves (16× more) create
/// at most `depth + 1` nodes per changed key, and the larger state costs less than twice as
/// many nodes (the depth grows by 4 levels, the paths' shared top stays). Releasing the old
/// root deletes as many nodes as the update created, and the in-memory tree writes as many. A
/// commit whose work followed the size of the state (rehashing, or rewriting, a share of it)
/// would fail here.
#[test]
fn commit_work_follows_changed_keys_and_depth_not_state_size() {
    let key = |i: u32| LeafKey(blake2b_256(&[b"scale", &i.to_le_bytes()]));
    let leaf = |i: u32, round: u8| LeafValue {
        hash: blake2b_256(&[b"v", &i.to_le_bytes(), &[round]]),
        payload: vec![],
    };
    let changed = 200u32;
    let mut created = vec![];
    for total in [4_096u32, 65_536] {
        let mut nodes = MemoryNodes::new();
        let all = (0..total).map(|i| (key(i), Some(leaf(i, 0)))).collect();
        let (root, _) = update(&mut nodes, NodeRef::EMPTY, all).unwrap();
        let before = nodes.len();
        let step = total / changed;
        let batch = (0..changed).map(|j| (key(j * step), Some(leaf(j * step, 1))));
        let batch: Vec<LeafUpdate> = batch.collect();
        // The in-memory tree writes the same nodes: the paths of the changed keys.
        let mut tree = MemoryTree::new();
        tree.update((0..total).map(|i| (key(i), Some(leaf(i, 0)))).collect());
        assert_eq!(tree.root(), Root(root.hash));
        let tree_stats = tree.update(batch.clone());
        let (new_root, stats) = update(&mut nodes, root, batch).unwrap();
        assert_eq!(tree.root(), Root(new_root.hash));
        assert_eq!(
            tree_stats.nodes_created, stats.nodes_created,
            "over {total}"
        );
        let depth = u64::from(total.ilog2()) + 1;
        assert!(
            stats.nodes_created <= u64::from(changed) * (depth + 1),
            "{} nodes created for {changed} keys over {total}",
            stats.nodes_created
        );
        assert_eq!(nodes.len() as u64, before as u64 + stats.nodes_created);
        let deleted = release(&mut nodes, root).unwrap();
        assert_eq!(deleted, stats.nodes_created, "over {total}");
        assert_eq!(nodes.len(), reachable_count(&nodes, new_root));
        created.push(stats.nodes_created);
    }
    eprintln!("nodes created for {changed} changed keys over 4,096 / 65,536 leaves: {created:?}");
    assert!(created[1] < 2 * created[0], "{created:?}");
}

/// Rewriting every key of a tree with the values it already has changes nothing: same root,
/// same nodes; deleting absent keys changes nothing either.
#[test]
fn memory_tree_rewrites_and_absent_deletes_are_no_ops() {
    let universe = universe();
    let mut tree = MemoryTree::new();
    let all: Vec<LeafUpdate> = universe
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, Some(value(i as u8))))
        .collect();
    tree.update(all.clone());
    let (root, nodes) = (tree.root(), tree.node_count());
    tree.update(all);
    assert_eq!((tree.root(), tree.node_count()), (root, nodes));
    let absent = (0u8..20).map(|i| (LeafKey(blake2b_256(&[b"absent", &[i]])), None));
    let stats = tree.update(absent.collect());
    assert_eq!((tree.root(), tree.node_count()), (root, nodes));
    assert_eq!(stats.leaves_removed, 0);
    assert_eq!(tree.leaves(), universe.len() as u64);
}
