//! Return data, events and arguments, at their limits.

use super::*;

#[test]
fn return_data_at_max_return_bytes_is_accepted_and_one_past_is_return_data() {
    assert_eq!(MAX_RETURN_BYTES, 64 * 1024);
    let (_store, mut session, id) = harness();
    let r = call(
        &mut session,
        id,
        "output_sized",
        &words(&[MAX_RETURN_BYTES as u32]),
    );
    assert_eq!(r.result, Ok(vec![0; MAX_RETURN_BYTES]));
    let r = call(
        &mut session,
        id,
        "output_sized",
        &words(&[MAX_RETURN_BYTES as u32 + 1]),
    );
    assert_eq!(
        r.result,
        limit(
            LimitKind::ReturnData,
            MAX_RETURN_BYTES + 1,
            MAX_RETURN_BYTES
        )
    );
    // A length that is negative as an i32 is a huge unsigned length, not an error of sign.
    let r = call(&mut session, id, "output_sized", &words(&[u32::MAX]));
    assert_eq!(
        r.result,
        limit(LimitKind::ReturnData, u32::MAX as usize, MAX_RETURN_BYTES)
    );
}

#[test]
fn event_topic_at_max_topic_bytes_is_accepted_and_one_past_is_topic_size() {
    assert_eq!(MAX_TOPIC_BYTES, 64);
    let (_store, mut session, id) = harness();
    let r = call(
        &mut session,
        id,
        "emit_sized",
        &words(&[MAX_TOPIC_BYTES as u32, 2, 1]),
    );
    assert_eq!(r.result, Ok(vec![]));
    assert_eq!(
        r.events,
        vec![Event {
            contract: id,
            topic: "a".repeat(64),
            data: vec![0, 0],
            reverted: false
        }]
    );
    let r = call(
        &mut session,
        id,
        "emit_sized",
        &words(&[MAX_TOPIC_BYTES as u32 + 1, 2, 1]),
    );
    assert_eq!(
        r.result,
        limit(LimitKind::TopicSize, MAX_TOPIC_BYTES + 1, MAX_TOPIC_BYTES)
    );
    assert_eq!(r.events, vec![]);
}

#[test]
fn event_data_at_max_event_data_bytes_is_accepted_and_one_past_is_event_data_size() {
    assert_eq!(MAX_EVENT_DATA_BYTES, 16 * 1024);
    let (_store, mut session, id) = harness();
    let r = call(
        &mut session,
        id,
        "emit_sized",
        &words(&[1, MAX_EVENT_DATA_BYTES as u32, 1]),
    );
    assert_eq!(r.result, Ok(vec![]));
    assert_eq!(
        r.events,
        vec![Event {
            contract: id,
            topic: "a".into(),
            data: vec![0; MAX_EVENT_DATA_BYTES],
            reverted: false
        }]
    );
    let r = call(
        &mut session,
        id,
        "emit_sized",
        &words(&[1, MAX_EVENT_DATA_BYTES as u32 + 1, 1]),
    );
    assert_eq!(
        r.result,
        limit(
            LimitKind::EventDataSize,
            MAX_EVENT_DATA_BYTES + 1,
            MAX_EVENT_DATA_BYTES
        )
    );
    assert_eq!(r.events, vec![]);
}

#[test]
fn events_at_max_events_per_call_are_accepted_and_one_more_is_event_count() {
    assert_eq!(MAX_EVENTS_PER_CALL, 1024);
    let (_store, mut session, id) = harness();
    let r = call(
        &mut session,
        id,
        "emit_sized",
        &words(&[3, 0, MAX_EVENTS_PER_CALL as u32]),
    );
    assert_eq!(r.result, Ok(vec![]));
    assert_eq!(r.events.len(), MAX_EVENTS_PER_CALL);
    let one = Event {
        contract: id,
        topic: "aaa".into(),
        data: vec![],
        reverted: false,
    };
    assert!(r.events.iter().all(|e| *e == one));

    let r = call(
        &mut session,
        id,
        "emit_sized",
        &words(&[3, 0, MAX_EVENTS_PER_CALL as u32 + 1]),
    );
    assert_eq!(
        r.result,
        limit(
            LimitKind::EventCount,
            MAX_EVENTS_PER_CALL + 1,
            MAX_EVENTS_PER_CALL
        )
    );
    // The 1 024 emitted before the refused one are kept in the receipt, marked reverted.
    assert_eq!(r.events.len(), MAX_EVENTS_PER_CALL);
    assert!(r.events.iter().all(|e| *e
        == Event {
            reverted: true,
            ..one.clone()
        }));
}

#[test]
fn non_utf8_topic_is_an_abi_violation() {
    let (_store, mut session, id) = harness();
    let r = call(&mut session, id, "emit_input", b"ok topic \xe2\x82\xac");
    assert_eq!(r.result, Ok(vec![]));
    assert_eq!(r.events[0].topic, "ok topic €");
    for bad in [&b"\xff\xfe"[..], b"abc\x80", b"\xe2\x82"] {
        let r = call(&mut session, id, "emit_input", bad);
        assert_eq!(
            r.result,
            Err(CallError::AbiViolation("event topic is not UTF-8".into()))
        );
        assert_eq!(r.events, vec![]);
    }
}

#[test]
fn argument_at_max_argument_bytes_is_accepted_and_one_past_is_argument_size() {
    assert_eq!(MAX_ARGUMENT_BYTES, 64 * 1024);
    let (_store, mut session, id) = harness();
    let arg: Vec<u8> = (0..MAX_ARGUMENT_BYTES)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let r = call(&mut session, id, "arg", &arg);
    assert_eq!(r.result, Ok(arg.clone()));
    assert_eq!(i32_output(&call(&mut session, id, "arg_len", &arg)), 65_536);

    let mut past = arg.clone();
    past.push(1);
    let r = call(&mut session, id, "arg_len", &past);
    assert_eq!(
        r.result,
        limit(
            LimitKind::ArgumentSize,
            MAX_ARGUMENT_BYTES + 1,
            MAX_ARGUMENT_BYTES
        )
    );
    // Refused before the contract runs: no gas is charged.
    assert_eq!(r.gas_spent, 0);
}
