//! Contract ids, and the effect of a refused deploy.

use super::*;

#[test]
fn same_module_same_nonce_is_already_deployed_another_nonce_is_a_new_id() {
    let code = conforming("");
    let hash = CodeHash::of(&code);
    let (store, mut session) = session();
    let first = session.deploy(OWNER, &code, 0).expect("first deploy");
    assert_eq!(first, contract_id(&OWNER, &hash, 0));
    assert_eq!(
        session.deploy(OWNER, &code, 0),
        Err(DeployError::AlreadyDeployed(first))
    );

    let second = session.deploy(OWNER, &code, 1).expect("another nonce");
    assert_eq!(second, contract_id(&OWNER, &hash, 1));
    assert_ne!(second, first);
    // Another owner with the same nonce gets yet another id.
    let third = session.deploy(BOB, &code, 0).expect("another owner");
    assert_eq!(third, contract_id(&BOB, &hash, 0));
    assert!(third != first && third != second);

    for id in [first, second, third] {
        assert_eq!(call(&mut session, id, "f", &[]).result, Ok(Vec::new()));
    }
    session.commit().expect("commit");
    let mut expected = vec![first, second, third];
    expected.sort();
    assert_eq!(store.contracts(), expected);
    assert_eq!(
        store
            .contract(&third)
            .expect("store")
            .expect("record")
            .owner,
        BOB
    );

    // After the commit, a new session over the same store sees the id as taken.
    let mut again = runtime().session(store.clone(), BlockInfo::default());
    assert_eq!(
        again.deploy(OWNER, &code, 0),
        Err(DeployError::AlreadyDeployed(first))
    );
    assert_eq!(
        again.deploy(OWNER, &code, 1),
        Err(DeployError::AlreadyDeployed(second))
    );
    let fourth = again.deploy(OWNER, &code, 2).expect("fresh nonce");
    assert_eq!(fourth, contract_id(&OWNER, &hash, 2));
}

#[test]
fn refused_deploy_leaves_session_and_store_unchanged() {
    let good = conforming("");
    let bad = conforming("(func $s) (start $s)");
    let (store, mut session) = session();
    let id = deploy(&mut session, &good);
    assert_eq!(
        session.deploy(OWNER, &bad, 0),
        Err(DeployError::StartFunction)
    );
    assert_eq!(
        session.deploy(OWNER, b"\0asm", 0).map_err(|e| e.kind()),
        Err("invalid_wasm")
    );
    let bad_id = contract_id(&OWNER, &CodeHash::of(&bad), 0);
    assert_eq!(session.contract(&bad_id), Ok(None));
    // An AlreadyDeployed refusal does not disturb the existing record.
    assert_eq!(
        session.deploy(OWNER, &good, 0),
        Err(DeployError::AlreadyDeployed(id))
    );
    session.commit().expect("commit");
    assert_eq!(store.contracts(), vec![id]);
    assert_eq!(store.code(&CodeHash::of(&bad)), Ok(None));
    assert_eq!(
        store.code(&CodeHash::of(&good)).expect("store").as_deref(),
        Some(&good[..])
    );
    assert_eq!(
        store.contract(&id),
        Ok(Some(runtime::ContractRecord {
            owner: OWNER,
            code_hash: CodeHash::of(&good).0
        }))
    );

    // Only refusals: the commit writes nothing at all.
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime().session(store.clone(), BlockInfo::default());
    for code in [
        bad.clone(),
        Vec::new(),
        module(ENTRY),
        padded_to(&good, DEFAULT_MAX_MODULE_BYTES + 1),
    ] {
        assert!(session.deploy(OWNER, &code, 0).is_err());
    }
    session.commit().expect("commit");
    assert!(store.contracts().is_empty());
}

/// A data segment that does not fit the memory passes validation (its offset is only checked
/// when instantiating) but could never be called: deploy instantiates once and refuses it.
#[test]
fn data_segment_outside_memory_is_refused_at_deploy() {
    let fits = conforming(r#"(data (i32.const 65532) "abcd")"#);
    accepted(&fits);
    let past = conforming(r#"(data (i32.const 65533) "abcd")"#);
    assert!(
        runtime().validate(&past).is_ok(),
        "validation alone cannot see it"
    );
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime().session(store.clone(), BlockInfo::default());
    let err = session.deploy(OWNER, &past, 0).expect_err("refused");
    match &err {
        DeployError::Instantiation(msg) => assert!(msg.contains("out of bounds"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), "instantiation_failed");
    session.commit().expect("commit");
    assert!(store.contracts().is_empty());
}
