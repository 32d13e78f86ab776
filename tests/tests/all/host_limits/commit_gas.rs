//! The commit's share of a storage write (gas.rs, "Storage commit"): `storage_commit_per_key`
//! once per key a call tree writes or removes, `storage_commit_per_byte` per byte of every
//! write, charged before the journal changes, so a call that cannot pay writes nothing.

use super::*;
use integration_tests::unit_cost_session;

/// `f` writes "hello" under "key", then, by its argument's first byte: 0 nothing more, 1 the
/// same key again, 2 another key ("kez"), 3 removes "key", 4 removes "kez" (never written).
/// Every operator costs 1 under `unit_cost_session`.
const WRITES: &str = r#"
  (memory (export "memory") 1)
  (data (i32.const 0) "keyhellokez")
  (func (export "f") (param i32) (result i32) (local $mode i32)
    (call $input_read (i32.const 100))
    (local.set $mode (i32.load8_u (i32.const 100)))
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))
    (if (i32.eq (local.get $mode) (i32.const 1))
      (then (call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))))
    (if (i32.eq (local.get $mode) (i32.const 2))
      (then (call $storage_write (i32.const 8) (i32.const 3) (i32.const 3) (i32.const 5))))
    (if (i32.eq (local.get $mode) (i32.const 3))
      (then (drop (call $storage_remove (i32.const 0) (i32.const 3)))))
    (if (i32.eq (local.get $mode) (i32.const 4))
      (then (drop (call $storage_remove (i32.const 8) (i32.const 3)))))
    (i32.const 0))
"#;

fn prices() -> PriceTable {
    PriceTable::default()
}

/// A write of a 3-byte key and a 5-byte value, without the commit's per-key share.
fn write_8_bytes() -> u64 {
    let p = prices();
    p.storage_write_base + (p.storage_write_per_byte + p.storage_commit_per_byte) * 8
}

/// The gas of `f` with argument `mode`, in a fresh session of its own.
fn spent(mode: u8) -> (Receipt, ContractId, Session) {
    let (_store, mut session) = unit_cost_session();
    let id = deploy(&mut session, &wat(&format!("(module {IMPORTS} {WRITES})")));
    let r = session
        .call(ALICE, id, "f", &[mode], GAS)
        .expect("no host error");
    assert!(r.is_success(), "mode {mode}: {:?}", r.result);
    (r, id, session)
}

#[test]
fn the_commit_of_a_key_is_charged_once_per_call_tree() {
    let p = prices();
    assert!(p.storage_commit_per_key > 0 && p.storage_commit_per_byte > 0);
    let (one, _, _) = spent(0);
    let (again, _, _) = spent(1);
    let (other, _, _) = spent(2);
    let (removed, _, _) = spent(3);
    let (removed_absent, _, _) = spent(4);
    // The branches not taken cost the same in every mode (each `if` with its condition), so
    // the differences are the second host call and the operators that pass its arguments.
    let ops_write = 5; // 4 consts + call
    let ops_remove = 3; // 2 consts + call (+ drop, free)
    assert_eq!(
        again.gas_spent - one.gas_spent,
        ops_write + write_8_bytes(),
        "the same key again pays no second commit"
    );
    assert_eq!(
        other.gas_spent - one.gas_spent,
        ops_write + write_8_bytes() + p.storage_commit_per_key,
        "another key pays its own"
    );
    // A removal of the key the call wrote: its commit is paid; the 5 bytes it found are read.
    let remove = p.storage_remove_base
        + (p.storage_write_per_byte + p.storage_commit_per_byte) * 3
        + p.storage_read_per_byte * 5;
    assert_eq!(removed.gas_spent - one.gas_spent, ops_remove + remove);
    // A removal of a key nobody wrote still dirties its merkle path: it pays the commit.
    let remove_absent = p.storage_remove_base
        + (p.storage_write_per_byte + p.storage_commit_per_byte) * 3
        + p.storage_commit_per_key;
    assert_eq!(
        removed_absent.gas_spent - one.gas_spent,
        ops_remove + remove_absent
    );
}

#[test]
fn every_call_tree_pays_for_the_keys_it_writes() {
    // The session's earlier calls wrote "key" already: each new tree still pays its commit
    // (gas does not depend on what other transactions of a block did).
    let (first, id, mut session) = spent(0);
    let second = session
        .call(ALICE, id, "f", &[0], GAS)
        .expect("no host error");
    assert_eq!(second.gas_spent, first.gas_spent);
}

#[test]
fn a_write_that_cannot_pay_its_commit_writes_nothing() {
    let p = prices();
    let (one, _, _) = spent(0);
    let exact = one.gas_spent;
    // Before the write: call base, entry 1, input_read (2 ops + 200 + 1 byte), 3 ops of
    // `local.set (i32.load8_u ...)`, then the write's 5 ops; after it, 4 × `if` on a compare
    // (local.get, const, eq, if) and the final const.
    let before_write = p.call_base + 1 + 2 + p.host_call_base + 1 + 3 + 5;
    let after_write = 4 * 4 + 1;
    assert_eq!(
        exact,
        before_write + write_8_bytes() + p.storage_commit_per_key + after_write
    );
    for (limit, writes) in [
        (exact, true),
        (exact - 1, false),
        // Enough for the write's journal price, not for its commit: refused at the second
        // charge, before the journal changes.
        (
            before_write + write_8_bytes() + p.storage_commit_per_key - 1,
            false,
        ),
        (before_write + write_8_bytes(), false),
    ] {
        let (_store, mut session) = unit_cost_session();
        let id = deploy(&mut session, &wat(&format!("(module {IMPORTS} {WRITES})")));
        let r = session
            .call(ALICE, id, "f", &[0], limit)
            .expect("no host error");
        assert_eq!(r.is_success(), writes, "limit {limit}: {:?}", r.result);
        if !writes {
            assert_eq!(
                (r.result, r.gas_spent),
                (Err(CallError::OutOfGas), limit),
                "limit {limit}"
            );
        }
        session.commit().expect("commit");
        let stored = session.storage(&id, b"key").expect("store");
        assert_eq!(stored.is_some(), writes, "limit {limit}");
    }
}
