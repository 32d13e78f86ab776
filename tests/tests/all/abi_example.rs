//! `host-api/examples/counter.wat`, the hand-written contract of `host-api/ABI.md`, behaves as
//! the document says: proof that the ABI is complete enough to write a contract without the SDK.

use integration_tests::{call, deploy, repo_root, session, wat};
use runtime::CallError;

fn example() -> Vec<u8> {
    let path = repo_root().join("host-api/examples/counter.wat");
    wat(&std::fs::read_to_string(path).expect("example exists"))
}

#[test]
fn hand_written_counter_follows_the_abi() {
    let (_, mut s) = session();
    let id = deploy(&mut s, &example());
    assert_eq!(
        call(&mut s, id, "get", &[]).result,
        Ok(0u64.to_le_bytes().to_vec())
    );
    let r = call(&mut s, id, "increment", &5u64.to_le_bytes());
    assert_eq!(r.result, Ok(5u64.to_le_bytes().to_vec()));
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].topic, "incremented");
    assert_eq!(r.events[0].data, 5u64.to_le_bytes());
    let r = call(&mut s, id, "increment", &3u64.to_le_bytes());
    assert_eq!(r.result, Ok(8u64.to_le_bytes().to_vec()));
    assert_eq!(
        s.storage(&id, b"count").unwrap(),
        Some(8u64.to_le_bytes().to_vec())
    );
}

#[test]
fn hand_written_counter_reports_bad_input_without_writing() {
    let (_, mut s) = session();
    let id = deploy(&mut s, &example());
    let r = call(&mut s, id, "increment", &[1, 2, 3]);
    assert_eq!(
        r.result,
        Err(CallError::InvalidInput("argument must be 8 bytes".into()))
    );
    assert_eq!(s.storage(&id, b"count").unwrap(), None);
}
