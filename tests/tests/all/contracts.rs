//! The bundled contracts (`contracts/wasm/*.wasm`, built from `contracts/*`): counter, token, and
//! every hostile behaviour with its exact typed outcome, storage unchanged and gas charged.

use borsh::{BorshDeserialize, BorshSerialize, from_slice, to_vec};
use host_api::{Address, ContractId};
use integration_tests::{ALICE, BOB, GAS, OWNER, call, contract_wasm, deploy, session};
use runtime::{CallError, LimitKind, MemoryStore, Receipt, Session, TrapKind};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Mirrors `contracts/token`'s error (same borsh layout).
#[derive(BorshSerialize, BorshDeserialize, Debug, PartialEq, Eq)]
enum TokenError {
    InsufficientBalance,
    InsufficientAllowance,
    AlreadyInitialized,
    Overflow,
}

/// Mirrors `contracts/token`'s transfer event.
#[derive(BorshSerialize, BorshDeserialize, Debug, PartialEq, Eq)]
struct Transfer {
    from: Option<Address>,
    to: Address,
    amount: u128,
}

fn ok<T: BorshDeserialize>(r: &Receipt) -> T {
    match &r.result {
        Ok(bytes) => from_slice(bytes).expect("return value decodes"),
        Err(e) => panic!("{}: expected success, got {e:?}", r.function),
    }
}

fn call_as(s: &mut Session, who: Address, id: ContractId, f: &str, args: &[u8]) -> Receipt {
    s.call(who, id, f, args, GAS).expect("no host error")
}

#[test]
fn counter_increments_persist_across_calls_and_commit() {
    let (store, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("counter"));
    assert_eq!(ok::<u64>(&call(&mut s, id, "get", &[])), 0);
    let r = call(&mut s, id, "increment", &to_vec(&5u64).unwrap());
    assert_eq!(ok::<u64>(&r), 5);
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].topic, "incremented");
    assert!(!r.events[0].reverted);
    assert!(r.gas_spent > 52_000 && r.gas_spent < r.gas_limit);
    assert_eq!(
        ok::<u64>(&call(&mut s, id, "increment", &to_vec(&7u64).unwrap())),
        12
    );
    s.commit().unwrap();

    // A new session over the same store sees the committed count.
    let mut s2 = integration_tests::runtime().session(store, runtime::BlockInfo::default());
    assert_eq!(ok::<u64>(&call(&mut s2, id, "get", &[])), 12);
    ok::<()>(&call(&mut s2, id, "reset", &[]));
    assert_eq!(ok::<u64>(&call(&mut s2, id, "get", &[])), 0);
}

#[test]
fn counter_overflow_is_a_contract_error_and_reverts() {
    let (_, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("counter"));
    ok::<u64>(&call(&mut s, id, "increment", &to_vec(&u64::MAX).unwrap()));
    let r = call(&mut s, id, "increment", &to_vec(&1u64).unwrap());
    assert_eq!(
        r.result,
        Err(CallError::Reverted(vec![0])),
        "CounterError::Overflow is variant 0"
    );
    assert_eq!(ok::<u64>(&call(&mut s, id, "get", &[])), u64::MAX);
}

#[test]
fn malformed_arguments_are_invalid_input() {
    let (_, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("counter"));
    for bad in [&[][..], &[1, 2, 3][..], &[0; 9][..]] {
        let r = call(&mut s, id, "increment", bad);
        match &r.result {
            Err(CallError::InvalidInput(msg)) => assert!(msg.contains("increment"), "{msg}"),
            other => panic!("{bad:?}: {other:?}"),
        }
        assert!(r.gas_spent > 0);
    }
    assert_eq!(ok::<u64>(&call(&mut s, id, "get", &[])), 0);
}

#[test]
fn token_transfers_approvals_and_errors() {
    let (_, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("token"));
    let r = call_as(&mut s, ALICE, id, "init", &to_vec(&1_000u128).unwrap());
    ok::<()>(&r);
    let minted: Transfer = from_slice(&r.events[0].data).unwrap();
    assert_eq!(
        minted,
        Transfer {
            from: None,
            to: ALICE,
            amount: 1_000
        }
    );
    let again = call_as(&mut s, ALICE, id, "init", &to_vec(&1u128).unwrap());
    assert_eq!(
        again.result,
        Err(CallError::Reverted(
            to_vec(&TokenError::AlreadyInitialized).unwrap()
        ))
    );

    let r = call_as(
        &mut s,
        ALICE,
        id,
        "transfer",
        &to_vec(&(BOB, 300u128)).unwrap(),
    );
    ok::<()>(&r);
    assert_eq!(r.events[0].topic, "transfer");
    let balance = |s: &mut Session, who: Address| -> u128 {
        ok(&call_as(s, OWNER, id, "balance_of", &to_vec(&who).unwrap()))
    };
    assert_eq!((balance(&mut s, ALICE), balance(&mut s, BOB)), (700, 300));

    // Too much: the contract's error, nothing moves, the event is marked reverted.
    let r = call_as(
        &mut s,
        BOB,
        id,
        "transfer",
        &to_vec(&(ALICE, 301u128)).unwrap(),
    );
    assert_eq!(
        r.result,
        Err(CallError::Reverted(
            to_vec(&TokenError::InsufficientBalance).unwrap()
        ))
    );
    assert!(r.events.iter().all(|e| e.reverted));
    assert_eq!((balance(&mut s, ALICE), balance(&mut s, BOB)), (700, 300));

    // Allowances: BOB may move 100 of ALICE's tokens, once.
    ok::<()>(&call_as(
        &mut s,
        ALICE,
        id,
        "approve",
        &to_vec(&(BOB, 100u128)).unwrap(),
    ));
    let allowance = |s: &mut Session| -> u128 {
        ok(&call_as(
            s,
            OWNER,
            id,
            "allowance",
            &to_vec(&(ALICE, BOB)).unwrap(),
        ))
    };
    assert_eq!(allowance(&mut s), 100);
    let r = call_as(
        &mut s,
        BOB,
        id,
        "transfer_from",
        &to_vec(&(ALICE, OWNER, 60u128)).unwrap(),
    );
    ok::<()>(&r);
    assert_eq!(allowance(&mut s), 40);
    let r = call_as(
        &mut s,
        BOB,
        id,
        "transfer_from",
        &to_vec(&(ALICE, OWNER, 41u128)).unwrap(),
    );
    assert_eq!(
        r.result,
        Err(CallError::Reverted(
            to_vec(&TokenError::InsufficientAllowance).unwrap()
        ))
    );
    assert_eq!(balance(&mut s, OWNER), 60);
    assert_eq!(ok::<u128>(&call(&mut s, id, "total_supply", &[])), 1_000);
}

/// A contract's committed storage.
type Storage = BTreeMap<Vec<u8>, Vec<u8>>;

/// Deploy `hostile`, set `touched` = 1 with a committed call, and return the committed storage.
fn hostile_setup() -> (Arc<MemoryStore>, Session, ContractId, Storage) {
    let (store, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("hostile"));
    ok::<()>(&call(&mut s, id, "ok_write", &[]));
    s.commit().unwrap();
    let before = store.contract_storage(&id);
    assert_eq!(before.get(&b"touched"[..]), Some(&vec![1u8]));
    (store, s, id, before)
}

/// Run a hostile entry point with `gas`, check the outcome, that gas was charged and that
/// storage, in the session and after commit, is exactly as before.
fn assert_contained(
    function: &str,
    args: &[u8],
    gas: u64,
    expected: impl Fn(&CallError) -> bool,
) -> Receipt {
    let (store, mut s, id, before) = hostile_setup();
    let r = s
        .call(ALICE, id, function, args, gas)
        .expect("no host error");
    let err = r.result.as_ref().expect_err("hostile call must fail");
    assert!(expected(err), "{function}: unexpected outcome {err:?}");
    assert!(
        r.gas_spent > 0 && r.gas_spent <= gas,
        "{function}: gas {}",
        r.gas_spent
    );
    assert!(r.events.iter().all(|e| e.reverted));
    assert_eq!(s.storage(&id, b"touched").unwrap(), Some(vec![1]));
    assert_eq!(s.storage(&id, b"spam/\0\0\0\0\0\0\0\0").unwrap(), None);
    s.commit().unwrap();
    assert_eq!(
        store.contract_storage(&id),
        before,
        "{function} changed storage"
    );
    r
}

#[test]
fn memory_bomb_with_an_ordinary_gas_limit_runs_out_of_gas_before_growing_further() {
    // 10 M gas pays for 29 pages: the bomb (16 pages at a time) is stopped there, not at the
    // memory limit (64 pages).
    let gas = 10_000_000;
    let r = assert_contained("memory_bomb", &[], gas, |e| *e == CallError::OutOfGas);
    assert_eq!(r.gas_spent, gas);
}

#[test]
fn infinite_loop_runs_out_of_gas_and_pays_the_whole_limit() {
    let r = assert_contained("infinite_loop", &[], 1_000_000, |e| {
        *e == CallError::OutOfGas
    });
    assert_eq!(r.gas_spent, 1_000_000);
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    // Growing to the 4 MiB limit costs up to 64 × 340,000 gas: give it enough to get there.
    assert_contained("memory_bomb", &[], 100_000_000, |e| {
        *e == CallError::MemoryLimit {
            requested_bytes: e_requested(e),
            limit_bytes: runtime::config::DEFAULT_MAX_MEMORY_PAGES * 65_536,
        }
    });
}

fn e_requested(e: &CallError) -> u64 {
    match e {
        CallError::MemoryLimit {
            requested_bytes, ..
        } => {
            assert!(*requested_bytes > runtime::config::DEFAULT_MAX_MEMORY_PAGES * 65_536);
            *requested_bytes
        }
        _ => 0,
    }
}

#[test]
fn unbounded_recursion_overflows_the_stack() {
    assert_contained("recurse", &to_vec(&u64::MAX).unwrap(), GAS, |e| {
        *e == CallError::StackOverflow
    });
}

#[test]
fn bounded_recursion_succeeds() {
    let (_, mut s, id, _) = hostile_setup();
    let r = call(&mut s, id, "recurse", &to_vec(&100u64).unwrap());
    assert!(r.is_success(), "{:?}", r.result);
}

#[test]
fn unreachable_traps() {
    assert_contained("unreachable", &[], GAS, |e| {
        *e == CallError::Trap(TrapKind::Unreachable)
    });
}

#[test]
fn panic_message_reaches_the_receipt() {
    assert_contained("panic_with_message", &[], GAS, |e| {
        *e == CallError::Panic("hostile contract panicked on purpose".into())
    });
}

#[test]
fn huge_return_value_is_refused() {
    // Building and encoding 1 MiB in wasm takes more than the usual limit under the measured
    // operator costs (a store costs 255).
    assert_contained("huge_return", &[], 20 * GAS, |e| {
        *e == CallError::LimitExceeded {
            kind: LimitKind::ReturnData,
            size: 4 + (1 << 20),
            max: host_api::limits::MAX_RETURN_BYTES as u64,
        }
    });
}

#[test]
fn storage_spam_runs_out_of_gas_and_writes_nothing() {
    let r = assert_contained("storage_spam", &[], 2_000_000, |e| {
        *e == CallError::OutOfGas
    });
    assert_eq!(r.gas_spent, 2_000_000);
}

#[test]
fn write_then_panic_is_rolled_back() {
    assert_contained("write_then_panic", &[], GAS, |e| {
        *e == CallError::Panic("write_then_panic: panicking after a write".into())
    });
}

#[test]
fn write_then_error_is_rolled_back() {
    assert_contained("write_then_error", &[], GAS, |e| {
        *e == CallError::Reverted(vec![7])
    });
}

#[test]
fn division_by_zero_panics_with_rust_message() {
    assert_contained("div", &to_vec(&(1u32, 0u32)).unwrap(), GAS, |e| {
        *e == CallError::Panic("attempt to divide by zero".into())
    });
}

#[test]
fn forbidden_imports_are_refused_at_deploy() {
    let (store, mut s) = session();
    let err = s
        .deploy(OWNER, &contract_wasm("forbidden_import"), 0)
        .unwrap_err();
    match err {
        runtime::DeployError::ForbiddenImport { module, name } => {
            assert!(
                (module == "wasi_snapshot_preview1" && name == "fd_write")
                    || (module == "host_v1" && name == "random"),
                "{module}.{name}"
            );
        }
        other => panic!("{other:?}"),
    }
    s.commit().unwrap();
    assert!(store.contracts().is_empty());
}

#[test]
fn the_node_survives_every_hostile_call_in_one_session() {
    // All failures in a row, in one session: afterwards ordinary calls still work.
    let (_, mut s, id, _) = hostile_setup();
    for f in [
        "infinite_loop",
        "memory_bomb",
        "unreachable",
        "panic_with_message",
        "storage_spam",
    ] {
        let r = s.call(ALICE, id, f, &[], 3_000_000).unwrap();
        assert!(!r.is_success(), "{f}");
    }
    let r = call(&mut s, id, "recurse", &to_vec(&u64::MAX).unwrap());
    assert_eq!(r.result, Err(CallError::StackOverflow));
    ok::<()>(&call(&mut s, id, "ok_write", &[]));
    assert_eq!(s.storage(&id, b"touched").unwrap(), Some(vec![1]));
}
