//! Storage: reads, writes, removals, key and value sizes, spam.

use super::*;

#[test]
fn storage_write_read_remove_round_trip_within_one_call() {
    let (store, mut session, id) = harness();
    let r = call(&mut session, id, "within", &[]);
    let mut expected = 5i32.to_le_bytes().to_vec(); // storage_read: length 5
    expected.extend_from_slice(b"hello"); // the value
    expected.extend_from_slice(&1i32.to_le_bytes()); // storage_remove: existed
    expected.extend_from_slice(&(-1i32).to_le_bytes()); // storage_read: absent
    expected.extend_from_slice(&0i32.to_le_bytes()); // storage_remove: did not exist
    assert_eq!(r.result, Ok(expected));
    assert_eq!(session.storage(&id, b"key"), Ok(None));
    session.commit().expect("commit");
    assert!(store.contract_storage(&id).is_empty());
}

#[test]
fn storage_round_trip_across_calls_and_sessions() {
    let (store, mut session, id) = harness();
    assert_eq!(
        call(&mut session, id, "get", &get_arg(100, b"k1")).result,
        Ok(absent())
    );
    assert_eq!(
        call(&mut session, id, "set", &set_arg(b"k1", b"value one")).result,
        Ok(vec![])
    );
    assert_eq!(
        call(&mut session, id, "set", &set_arg(b"k2", b"")).result,
        Ok(vec![])
    );
    assert_eq!(
        call(&mut session, id, "get", &get_arg(100, b"k1")).result,
        Ok(found(9, b"value one"))
    );
    // An empty value is present, not absent.
    assert_eq!(
        call(&mut session, id, "get", &get_arg(100, b"k2")).result,
        Ok(found(0, b""))
    );
    // Overwrite.
    call(&mut session, id, "set", &set_arg(b"k1", b"v1"));
    assert_eq!(
        call(&mut session, id, "get", &get_arg(100, b"k1")).result,
        Ok(found(2, b"v1"))
    );
    assert_eq!(session.storage(&id, b"k1"), Ok(Some(b"v1".to_vec())));
    session.commit().expect("commit");
    assert_eq!(
        store.contract_storage(&id).get(&b"k1"[..]),
        Some(&b"v1".to_vec())
    );

    // A new session over the committed store.
    let mut next = runtime().session(store.clone(), BlockInfo::default());
    assert_eq!(
        call(&mut next, id, "get", &get_arg(100, b"k1")).result,
        Ok(found(2, b"v1"))
    );
    assert_eq!(i32_output(&call(&mut next, id, "del", b"k1")), 1);
    assert_eq!(i32_output(&call(&mut next, id, "del", b"k1")), 0);
    assert_eq!(i32_output(&call(&mut next, id, "del", b"never")), 0);
    assert_eq!(
        call(&mut next, id, "get", &get_arg(100, b"k1")).result,
        Ok(absent())
    );
    // Not committed yet: the store still has it.
    assert_eq!(
        store.contract_storage(&id).get(&b"k1"[..]),
        Some(&b"v1".to_vec())
    );
    next.commit().expect("commit");
    assert_eq!(
        store.contract_storage(&id).keys().collect::<Vec<_>>(),
        vec![&b"k2".to_vec()]
    );
}

#[test]
fn storage_read_copies_at_most_cap_and_returns_the_full_length() {
    let (_store, mut session, id) = harness();
    call(&mut session, id, "set", &set_arg(b"k", b"0123456789"));
    assert_eq!(
        call(&mut session, id, "get", &get_arg(4, b"k")).result,
        Ok(found(10, b"0123"))
    );
    assert_eq!(
        call(&mut session, id, "get", &get_arg(0, b"k")).result,
        Ok(found(10, b""))
    );
    assert_eq!(
        call(&mut session, id, "get", &get_arg(10, b"k")).result,
        Ok(found(10, b"0123456789"))
    );
}

#[test]
fn storage_is_isolated_between_contracts() {
    let (store, mut session) = session();
    let code = harness_code();
    let a = session.deploy(OWNER, &code, 0).expect("deploy a");
    let b = session.deploy(OWNER, &code, 1).expect("deploy b");
    call(&mut session, a, "set", &set_arg(b"shared", b"from a"));
    assert_eq!(
        call(&mut session, b, "get", &get_arg(100, b"shared")).result,
        Ok(absent())
    );
    call(&mut session, b, "set", &set_arg(b"shared", b"from b"));
    assert_eq!(
        call(&mut session, a, "get", &get_arg(100, b"shared")).result,
        Ok(found(6, b"from a"))
    );
    assert_eq!(
        call(&mut session, b, "get", &get_arg(100, b"shared")).result,
        Ok(found(6, b"from b"))
    );
    // Removing in b leaves a's value.
    assert_eq!(i32_output(&call(&mut session, b, "del", b"shared")), 1);
    assert_eq!(
        call(&mut session, a, "get", &get_arg(100, b"shared")).result,
        Ok(found(6, b"from a"))
    );
    session.commit().expect("commit");
    assert_eq!(
        store.contract_storage(&a).get(&b"shared"[..]),
        Some(&b"from a".to_vec())
    );
    assert!(store.contract_storage(&b).is_empty());
}

#[test]
fn key_at_max_key_bytes_is_accepted_and_one_past_is_key_size() {
    assert_eq!(MAX_KEY_BYTES, 512);
    let (_store, mut session, id) = harness();
    let at = MAX_KEY_BYTES as u32;
    assert_eq!(
        call(&mut session, id, "write_sized", &words(&[at, 3])).result,
        Ok(vec![])
    );
    assert_eq!(
        session.storage(&id, &[0; MAX_KEY_BYTES]),
        Ok(Some(vec![0; 3]))
    );
    assert_eq!(
        i32_output(&call(&mut session, id, "read_sized", &words(&[at]))),
        3
    );
    assert_eq!(
        i32_output(&call(&mut session, id, "remove_sized", &words(&[at]))),
        1
    );

    let past = MAX_KEY_BYTES + 1;
    for (entry, arg) in [
        ("write_sized", words(&[past as u32, 3])),
        ("read_sized", words(&[past as u32])),
        ("remove_sized", words(&[past as u32])),
    ] {
        let r = call(&mut session, id, entry, &arg);
        assert_eq!(
            r.result,
            limit(LimitKind::KeySize, past, MAX_KEY_BYTES),
            "{entry}"
        );
    }
    assert_eq!(session.storage(&id, &[0; MAX_KEY_BYTES + 1]), Ok(None));
    assert_eq!(session.storage(&id, &[0; MAX_KEY_BYTES]), Ok(None));
}

#[test]
fn value_at_max_value_bytes_is_accepted_and_one_past_is_value_size() {
    assert_eq!(MAX_VALUE_BYTES, 64 * 1024);
    let (_store, mut session, id) = harness();
    let r = call(
        &mut session,
        id,
        "write_sized",
        &words(&[1, MAX_VALUE_BYTES as u32]),
    );
    assert_eq!(r.result, Ok(vec![]));
    assert_eq!(
        session.storage(&id, &[0]),
        Ok(Some(vec![0; MAX_VALUE_BYTES]))
    );
    assert_eq!(
        i32_output(&call(&mut session, id, "read_sized", &words(&[1]))),
        65_536
    );

    let r = call(
        &mut session,
        id,
        "write_sized",
        &words(&[2, MAX_VALUE_BYTES as u32 + 1]),
    );
    assert_eq!(
        r.result,
        limit(LimitKind::ValueSize, MAX_VALUE_BYTES + 1, MAX_VALUE_BYTES)
    );
    assert_eq!(session.storage(&id, &[0, 0]), Ok(None));
}
