//! Statuses and panics; block information, hashing, debug prints.

use super::*;

fn finish(status: i32) -> (Receipt, Option<Vec<u8>>, Arc<MemoryStore>, ContractId) {
    let (store, mut session, id) = harness();
    let r = call(&mut session, id, "finish", &status.to_le_bytes());
    let stored = session.storage(&id, b"key").expect("store");
    session.commit().expect("commit");
    (r, stored, store, id)
}

#[test]
fn status_0_keeps_writes_and_events() {
    let (r, stored, store, id) = finish(0);
    assert_eq!(r.result, Ok(b"message".to_vec()));
    assert_eq!(
        r.events,
        vec![Event {
            contract: id,
            topic: "t".into(),
            data: b"d".to_vec(),
            reverted: false
        }]
    );
    assert_eq!(stored, Some(b"hello".to_vec()));
    assert_eq!(
        store.contract_storage(&id).get(&b"key"[..]),
        Some(&b"hello".to_vec())
    );
}

#[test]
fn status_1_is_reverted_with_its_data_writes_rolled_back_and_events_reverted() {
    let (r, stored, store, id) = finish(1);
    assert_eq!(r.result, Err(CallError::Reverted(b"message".to_vec())));
    assert_eq!(
        r.events,
        vec![Event {
            contract: id,
            topic: "t".into(),
            data: b"d".to_vec(),
            reverted: true
        }]
    );
    assert_eq!(stored, None);
    assert!(store.contract_storage(&id).is_empty());
    // Gas is still charged.
    assert!(r.gas_spent > 52_000 + 5_000);
}

#[test]
fn status_2_is_invalid_input_with_the_message() {
    let (r, stored, store, id) = finish(2);
    assert_eq!(r.result, Err(CallError::InvalidInput("message".into())));
    assert!(r.events.iter().all(|e| e.reverted) && r.events.len() == 1);
    assert_eq!(stored, None);
    assert!(store.contract_storage(&id).is_empty());
}

#[test]
fn unknown_status_is_bad_status() {
    for status in [7, 3, -1, i32::MIN] {
        let (r, stored, store, id) = finish(status);
        assert_eq!(r.result, Err(CallError::BadStatus(status)));
        assert!(r.events.iter().all(|e| e.reverted) && r.events.len() == 1);
        assert_eq!(stored, None);
        assert!(store.contract_storage(&id).is_empty());
    }
}

#[test]
fn abort_is_a_panic_with_its_message_and_storage_unchanged() {
    let (store, mut session, id) = harness();
    call(&mut session, id, "set", &set_arg(b"key", b"before"));
    let r = call(&mut session, id, "abort_input", b"boom: invariant broken");
    assert_eq!(
        r.result,
        Err(CallError::Panic("boom: invariant broken".into()))
    );
    assert_eq!(
        r.events,
        vec![Event {
            contract: id,
            topic: "t".into(),
            data: b"d".to_vec(),
            reverted: true
        }]
    );
    assert_eq!(session.storage(&id, b"key"), Ok(Some(b"before".to_vec())));
    session.commit().expect("commit");
    assert_eq!(
        store.contract_storage(&id).get(&b"key"[..]),
        Some(&b"before".to_vec())
    );
    // An empty message.
    let r = call(&mut session, id, "abort_input", b"");
    assert_eq!(r.result, Err(CallError::Panic(String::new())));
}

#[test]
fn panic_message_longer_than_the_limit_is_truncated() {
    assert_eq!(MAX_PANIC_MESSAGE_BYTES, 4096);
    let (_store, mut session, id) = harness();
    let exact = "x".repeat(MAX_PANIC_MESSAGE_BYTES);
    let r = call(&mut session, id, "abort_input", exact.as_bytes());
    assert_eq!(r.result, Err(CallError::Panic(exact.clone())));
    let long = "y".repeat(MAX_PANIC_MESSAGE_BYTES + 1000);
    let r = call(&mut session, id, "abort_input", long.as_bytes());
    assert_eq!(
        r.result,
        Err(CallError::Panic("y".repeat(MAX_PANIC_MESSAGE_BYTES)))
    );
    // The cut falls inside a 2-byte character: truncated on the character boundary before it.
    let straddle = format!("{}é and more", "z".repeat(MAX_PANIC_MESSAGE_BYTES - 1));
    let r = call(&mut session, id, "abort_input", straddle.as_bytes());
    assert_eq!(
        r.result,
        Err(CallError::Panic("z".repeat(MAX_PANIC_MESSAGE_BYTES - 1)))
    );
    // A 3-byte character cut after its first 2 bytes.
    let straddle = format!("{}€", "w".repeat(MAX_PANIC_MESSAGE_BYTES - 2));
    let r = call(&mut session, id, "abort_input", straddle.as_bytes());
    assert_eq!(
        r.result,
        Err(CallError::Panic("w".repeat(MAX_PANIC_MESSAGE_BYTES - 2)))
    );
    // Invalid UTF-8 does not fail the call: it is replaced.
    let r = call(&mut session, id, "abort_input", b"bad \xff byte");
    assert_eq!(r.result, Err(CallError::Panic("bad \u{fffd} byte".into())));
}

fn env_of(r: &Receipt) -> (Address, ContractId, i64, i64) {
    let out = r.result.clone().expect("ok");
    assert_eq!(out.len(), 80);
    (
        Address(out[..32].try_into().unwrap()),
        ContractId(out[32..64].try_into().unwrap()),
        i64::from_le_bytes(out[64..72].try_into().unwrap()),
        i64::from_le_bytes(out[72..].try_into().unwrap()),
    )
}

#[test]
fn caller_self_id_and_block_are_what_the_host_set() {
    let (_store, mut session, id) = harness();
    assert_eq!(
        env_of(&call(&mut session, id, "env", &[])),
        (ALICE, id, 7, 1_000)
    );
    let r = session
        .call(BOB, id, "env", &[], GAS)
        .expect("no host error");
    assert_eq!(r.caller, BOB);
    assert_eq!(env_of(&r), (BOB, id, 7, 1_000));
    session.set_block(BlockInfo {
        height: 123_456_789_012,
        timestamp_ms: 1_700_000_000_123,
    });
    assert_eq!(
        env_of(&call(&mut session, id, "env", &[])),
        (ALICE, id, 123_456_789_012, 1_700_000_000_123)
    );
    // Another deployment of the same code has its own id.
    let other = session.deploy(OWNER, &harness_code(), 9).expect("deploy");
    assert_eq!(env_of(&call(&mut session, other, "env", &[])).1, other);
}

#[test]
fn blake2b_256_matches_the_runtime_function() {
    let (_store, mut session, id) = harness();
    for input in [&b""[..], b"abc", &[0x5a; 1000], &[1; MAX_ARGUMENT_BYTES]] {
        let r = call(&mut session, id, "hash", input);
        assert_eq!(
            r.result,
            Ok(runtime::blake2b_256(&[input]).to_vec()),
            "{} bytes",
            input.len()
        );
    }
}

#[test]
fn debug_print_is_kept_in_dev_mode_only_and_charged_either_way() {
    assert!(RuntimeConfig::test().dev_mode);
    let code = harness_code();
    let (_store, mut dev) = session();
    let id = deploy(&mut dev, &code);
    let on = call(&mut dev, id, "debug_input", b"hello debug");
    assert_eq!(on.result, Ok(vec![]));
    assert_eq!(
        on.debug,
        vec!["hello debug".to_string(), "hello debug".to_string()]
    );

    let quiet = runtime_with(RuntimeConfig::test().with_dev_mode(false));
    let mut session = quiet.session(Arc::new(MemoryStore::new()), BlockInfo::default());
    let id2 = session.deploy(OWNER, &code, 0).expect("deploy");
    assert_eq!(id2, id);
    let off = session
        .call(ALICE, id2, "debug_input", b"hello debug", GAS)
        .expect("no host error");
    assert_eq!(off.result, Ok(vec![]));
    assert_eq!(off.debug, Vec::<String>::new());
    assert_eq!(off.gas_spent, on.gas_spent);

    // A long message is truncated to MAX_DEBUG_MESSAGE_BYTES.
    let long = "d".repeat(MAX_DEBUG_MESSAGE_BYTES + 10);
    let r = call(&mut dev, id, "debug_input", long.as_bytes());
    assert_eq!(r.debug, vec!["d".repeat(MAX_DEBUG_MESSAGE_BYTES); 2]);
}

#[test]
fn debug_messages_past_the_per_call_cap_are_dropped_and_still_charged() {
    use host_api::limits::MAX_DEBUG_MESSAGES_PER_CALL;
    assert_eq!(MAX_DEBUG_MESSAGES_PER_CALL, 1024);
    let code = wat(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 1) (data (i32.const 0) "m")
        (func (export "many") (param i32) (result i32) (local $i i32)
          (local.set $i (i32.const 1025))
          (loop $l
            (call $debug_print (i32.const 0) (i32.const 1))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br_if $l (local.get $i)))
          (i32.const 0)))"#
    ));
    // Written in wasmtime's unit operator costs.
    let (_store, mut session) = integration_tests::unit_cost_session();
    let id = deploy(&mut session, &code);
    let r = call(&mut session, id, "many", &[]);
    assert_eq!(r.result, Ok(vec![]));
    assert_eq!(r.debug, vec!["m".to_string(); MAX_DEBUG_MESSAGES_PER_CALL]);
    // call base + entry 1 + (i32.const, local.set) 2 + 1 025 × (2 consts, call, local.get,
    // i32.const, i32.sub, local.set, local.get, br_if = 9 operators + debug_print 300 + 8 × 1 byte)
    // + final i32.const 1: the 1 025th print is charged like the others.
    assert_eq!(r.gas_spent, 52_000 + 1 + 2 + 1_025 * (9 + 308) + 1);
}

#[test]
fn unknown_contract_and_unknown_function() {
    let (_store, mut session, id) = harness();
    let nobody = ContractId([0x99; 32]);
    // A refused call pays for the lookup (`call_refused`), however it is refused.
    let refused = PriceTable::default().call_refused;
    assert_eq!(refused, 31_000);
    let r = call(&mut session, nobody, "set", &[]);
    assert_eq!(
        (r.result, r.gas_spent),
        (Err(CallError::NoSuchContract(nobody)), refused)
    );
    // An entry point is looked up in the module: its first load in the session is paid too,
    // by the first refusal (the module stays warm for the later ones).
    let load = runtime::gas::module_load_price(&PriceTable::default(), &super::harness_code());
    for (i, name) in ["nope", "", "memory", "Set", "$arg"]
        .into_iter()
        .enumerate()
    {
        let r = call(&mut session, id, name, &[]);
        let paid = if i == 0 { refused + load } else { refused };
        assert_eq!(
            (r.result, r.gas_spent),
            (Err(CallError::NoSuchFunction(name.into())), paid)
        );
    }
    // With less gas than the price, the whole limit.
    let r = session.call(ALICE, nobody, "set", &[], 10).expect("host");
    assert_eq!(
        (r.result, r.gas_spent),
        (Err(CallError::NoSuchContract(nobody)), 10)
    );
}
