//! The HTTP API over a recording fake node: routes, statuses, JSON shapes, the body cap,
//! malformed input, the event stream and shutdown.

mod support;

use node_lite::api::{ApiConfig, ApiServeError, ApiServer, serve, serve_with};
use node_lite::chain::{AccountKey, Payload, UnsignedTx};
use node_lite::node_api::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::fake_node::{self, *};
use support::http::{get, post, post_json, request};

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn start(node: FakeNode) -> (Arc<FakeNode>, ApiServer, String) {
    let node = Arc::new(node);
    let server = serve(node.clone(), local()).expect("the API starts");
    let url = server.url();
    (node, server, url)
}

fn to_json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn signed_transfer(chain_id: u64) -> node_lite::chain::Transaction {
    let key = AccountKey::from_seed("api-test");
    UnsignedTx {
        chain_id,
        sender: key.public(),
        nonce: 0,
        gas_limit: 1_000_000,
        gas_price: 1,
        payload: Payload::Transfer {
            to: host_api::Address([9; 32]),
            amount: 10,
        },
    }
    .sign(&key)
}

#[test]
fn queries_reach_the_node_and_answer_its_views() {
    let (node, _server, url) = start(FakeNode::new());
    // The expected views come from a second fake, so `node` records only what HTTP asked.
    let reference = FakeNode::new();
    let ok = |path: &str| {
        let r = get(&url, path);
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert!(r.content_type.starts_with("application/json"), "{r:?}");
        r.json()
    };
    assert_eq!(ok("/chain"), to_json(reference.chain_info()));
    assert_eq!(ok("/head"), to_json(reference.head()));
    assert_eq!(ok("/blocks/3"), to_json(block_at(3)));
    let by_hash = format!("/blocks/0x{}", BLOCK_HASH.to_uppercase());
    assert_eq!(ok(&by_hash), to_json(block_at(7)));
    assert_eq!(
        ok(&format!("/tx/{INCLUDED_TX}")),
        json!({"status": "included", "height": 7, "block_hash": BLOCK_HASH,
               "receipt": to_json(receipt())})
    );
    assert_eq!(
        ok(&format!("/tx/{PENDING_TX}")),
        json!({"status": "pending"})
    );
    let address = "aa".repeat(32);
    assert_eq!(
        ok(&format!("/accounts/{address}")),
        json!({"address": address, "balance": u128::MAX.to_string(), "nonce": NEXT_NONCE})
    );
    assert_eq!(
        ok(&format!("/contracts/{TRANSFER}/storage/0x6B6579")),
        json!({"contract": TRANSFER, "key": "6b6579", "value": "beef"})
    );
    assert_eq!(
        ok(&format!("/contracts/{TRANSFER}/storage/00")),
        json!({"contract": TRANSFER, "key": "00", "value": null})
    );
    assert_eq!(
        ok("/provisioners"),
        to_json(reference.provisioners().unwrap())
    );
    assert_eq!(
        ok("/committee/3/1/validation"),
        to_json(reference.committee(3, 1, "validation").unwrap())
    );
    let events = ok(&format!(
        "/events?contract={TRANSFER}&topic=transfer&from_height=1&to_height=9&limit=5"
    ));
    assert_eq!(events, json!([to_json(fake_node::event())]));
    assert_eq!(ok("/events"), events);
    assert_eq!(ok("/dev/accounts"), to_json(reference.dev_accounts()));

    assert_eq!(
        node.calls(),
        [
            "chain_info".to_string(),
            "head".into(),
            "block Height(3)".into(),
            format!("block Hash(\"{BLOCK_HASH}\")"),
            format!("tx_status {INCLUDED_TX}"),
            format!("tx_status {PENDING_TX}"),
            format!("account {address}"),
            format!("storage {TRANSFER} 6b6579"),
            format!("storage {TRANSFER} 00"),
            "provisioners".into(),
            "committee 3 1 validation".into(),
            format!(
                "events {{\"contract\":\"{TRANSFER}\",\"topic\":\"transfer\",\"from_height\":1,\
                 \"to_height\":9,\"limit\":5}}"
            ),
            "events {\"contract\":null,\"topic\":null,\"from_height\":null,\"to_height\":null,\
             \"limit\":100}"
                .into(),
            "dev_accounts".into(),
        ]
    );
}

#[test]
fn each_error_has_its_status_and_a_json_body() {
    let (node, _server, url) = start(FakeNode::new());
    // 404 from the node.
    get(&url, "/blocks/99").assert_error(404, "not_found", "Height(99)");
    get(&url, &format!("/tx/{}", "33".repeat(32))).assert_error(404, "not_found", "transaction");
    // 409: mine on an instant devnet.
    request(&url, "POST", "/dev/mine").assert_error(409, "not_allowed", "--manual");
    // 422: a transaction signed for another chain.
    let tx = signed_transfer(CHAIN_ID + 1);
    post(&url, "/tx", "application/octet-stream", &tx.encode())
        .assert_error(422, "refused", "chain");
    // 500: the backend panics; the server answers and goes on.
    let call = json!({"contract": TRANSFER, "function": "explode", "args": ""});
    post_json(&url, "/call", &call).assert_error(500, "internal", "the node failed");
    assert_eq!(get(&url, "/head").status, 200, "still serving");
    // The HTTP layer's own.
    get(&url, "/nope").assert_error(404, "not_found", "no route for GET /nope");
    request(&url, "DELETE", "/head").assert_error(405, "method_not_allowed", "/head");
    get(&url, "/tx").assert_error(405, "method_not_allowed", "/tx");
    let before = node.calls().len();
    // 400: what the API refuses before the node sees it.
    for (path, needle) in [
        ("/accounts/xyz", "`address` is not hex"),
        ("/accounts/abcd", "`address` must be 32 bytes"),
        ("/blocks/latest", "a block is a height"),
        ("/blocks/18446744073709551616", "over 2^64 - 1"),
        ("/tx/0x12", "`hash` must be 32 bytes"),
        ("/committee/1/256/validation", "Cannot parse"),
        ("/committee/x/0/validation", "Cannot parse"),
        (
            "/committee/1/0/vote",
            "step must be one of proposal, validation, ratification",
        ),
        ("/events?limit=abc", "limit"),
        ("/events?limit=0", "limit must be at least 1"),
        ("/events?limit=1001", "over the maximum of 1000"),
        ("/events?from_height=5&to_height=4", "above to_height"),
        ("/events?contrakt=00", "unknown field `contrakt`"),
        ("/events?contract=00", "`contract` must be 32 bytes"),
        ("/stream?types=blocks", "unknown event type"),
        ("/accounts/%ZZ", ""),
    ] {
        get(&url, path).assert_error(400, "bad_request", needle);
    }
    assert_eq!(get(&url, "/events?limit=1000").status, 200, "at the limit");
    for (path, body, needle) in [
        ("/call", "{", "bad JSON body: EOF"),
        ("/call", "[]", "bad JSON body"),
        (
            "/call",
            r#"{"contract": "00", "function": "f", "args": ""}"#,
            "`contract` must be",
        ),
        (
            "/call",
            &format!(r#"{{"contract": "{TRANSFER}", "function": "f", "args": "0"}}"#),
            "`args` is not hex",
        ),
        (
            "/call",
            &format!(r#"{{"contract": "{TRANSFER}", "function": "", "args": ""}}"#),
            "`function` is empty",
        ),
        (
            "/dev/fund",
            r#"{"address": "00"}"#,
            "missing field `amount`",
        ),
        (
            "/dev/fund",
            &format!(r#"{{"address": "{TRANSFER}", "amount": "-5"}}"#),
            "decimal amount",
        ),
        (
            "/dev/fund",
            &format!(r#"{{"address": "{TRANSFER}", "amount": "1", "x": 1}}"#),
            "unknown field `x`",
        ),
        (
            "/dev/next-timestamp",
            r#"{"timestamp_ms": -1}"#,
            "bad JSON body",
        ),
        (
            "/dev/tx",
            r#"{"account": 0, "payload": {"kind": "burn"}}"#,
            "unknown variant `burn`",
        ),
        (
            "/dev/tx",
            r#"{"account": 0, "payload": {"kind": "transfer", "to": "00", "amount": "1"}}"#,
            "`payload.to` must be 32 bytes",
        ),
        (
            "/dev/tx",
            r#"{"account": 0, "payload": {"kind": "deploy", "code": "zz"}}"#,
            "`payload.code` is not hex",
        ),
        ("/tx", "not hex", "`tx` is not hex"),
        ("/tx", "", "the transaction is empty"),
    ] {
        post(&url, path, "text/plain", body.as_bytes()).assert_error(400, "bad_request", needle);
    }
    post(&url, "/tx", "application/octet-stream", &[0xff; 7]).assert_error(
        400,
        "bad_request",
        "malformed transaction",
    );
    post(&url, "/tx", "text/plain", &[0xff, 0xfe]).assert_error(400, "bad_request", "neither");
    post(&url, "/tx", "application/json", br#"{"tx": 5}"#).assert_error(
        400,
        "bad_request",
        "bad JSON body",
    );
    post(&url, "/dev/provisioners/x/offline", "text/plain", b"").assert_error(
        400,
        "bad_request",
        "Cannot parse",
    );
    // Only the two `/tx` bodies that reached the decoder were passed on.
    let after: Vec<String> = node.calls()[before..].to_vec();
    assert_eq!(
        after,
        [
            "events {\"contract\":null,\"topic\":null,\"from_height\":null,\"to_height\":null,\"limit\":1000}",
            "submit 7 bytes"
        ],
        "malformed requests never reach the node"
    );
}

#[test]
fn a_transaction_is_submitted_raw_as_hex_or_as_json() {
    let (node, _server, url) = start(FakeNode::new());
    let tx = signed_transfer(CHAIN_ID);
    let bytes = tx.encode();
    let expected = json!({"hash": tx.hash().to_string()});
    let hex_text = format!("0x{}\n", hex::encode(&bytes));
    let json_body = json!({"tx": hex::encode(&bytes)}).to_string();
    for (content_type, body) in [
        ("application/octet-stream", bytes.clone()),
        ("text/plain", hex_text.into_bytes()),
        ("application/json; charset=utf-8", json_body.into_bytes()),
    ] {
        let r = post(&url, "/tx", content_type, &body);
        assert_eq!(r.status, 202, "{content_type}: {r:?}");
        assert_eq!(r.json(), expected);
    }
    assert_eq!(node.submitted(), vec![tx.clone(), tx.clone(), tx]);
}

#[test]
fn dev_controls_and_dev_transactions() {
    let (node, _server, url) = start(FakeNode::manual());
    let r = request(&url, "POST", "/dev/mine");
    assert_eq!(
        (r.status, r.json()),
        (200, json!({"height": HEAD_HEIGHT + 1}))
    );
    let t = json!({"timestamp_ms": 1_800_000_000_000u64});
    let r = post_json(&url, "/dev/next-timestamp", &t);
    assert_eq!((r.status, r.json()), (200, t));
    let address = "Cc".repeat(32);
    let r = post_json(
        &url,
        "/dev/fund",
        &json!({"address": format!("0x{address}"), "amount": "0100"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.json(),
        json!({"address": address.to_lowercase(), "amount": "100"})
    );
    let r = request(&url, "POST", "/dev/provisioners/2/offline");
    assert_eq!(r.json(), json!({"index": 2, "online": false}));
    let r = request(&url, "POST", "/dev/provisioners/2/online");
    assert_eq!(r.json(), json!({"index": 2, "online": true}));
    request(
        &url,
        "POST",
        &format!("/dev/provisioners/{PROVISIONERS}/offline"),
    )
    .assert_error(404, "not_found", "there are 4");
    let transfer = json!({"account": 0, "payload":
        {"kind": "transfer", "to": format!("0X{}", "AB".repeat(32)), "amount": "7"}});
    let r = post_json(&url, "/dev/tx", &transfer);
    assert_eq!((r.status, r.json()), (202, json!({"hash": DEV_TX})));
    let call = json!({"account": 0, "gas_limit": 5000000, "payload":
        {"kind": "call", "contract": STAKE, "function": "renew", "args": "0x0A"}});
    assert_eq!(post_json(&url, "/dev/tx", &call).status, 202);
    let mut other = transfer.clone();
    other["account"] = json!(3);
    post_json(&url, "/dev/tx", &other).assert_error(404, "not_found", "dev account 3");
    let r = post_json(
        &url,
        "/call",
        &json!({"contract": STAKE, "function": "stake_of", "args": "0xAA", "caller": null}),
    );
    assert_eq!(
        (r.status, r.json()),
        (
            200,
            json!({"success": true, "return_data": "2a", "error": null,
                     "gas_spent": 1000, "gas_estimate": 2000000})
        )
    );
    let ab = "ab".repeat(32);
    assert_eq!(
        node.calls(),
        [
            "mine".to_string(),
            "set_next_timestamp 1800000000000".into(),
            format!("fund {} 100", address.to_lowercase()),
            "set_online 2 false".into(),
            "set_online 2 true".into(),
            "set_online 4 false".into(),
            format!(
                "submit_dev {{\"account\":0,\"payload\":{{\"kind\":\"transfer\",\"to\":\"{ab}\",\"amount\":\"7\"}},\"gas_limit\":null}}"
            ),
            format!(
                "submit_dev {{\"account\":0,\"payload\":{{\"kind\":\"call\",\"contract\":\"{STAKE}\",\"function\":\"renew\",\"args\":\"0a\"}},\"gas_limit\":5000000}}"
            ),
            format!(
                "submit_dev {{\"account\":3,\"payload\":{{\"kind\":\"transfer\",\"to\":\"{ab}\",\"amount\":\"7\"}},\"gas_limit\":null}}"
            ),
            format!(
                "dry_run {{\"caller\":null,\"contract\":\"{STAKE}\",\"function\":\"stake_of\",\"args\":\"aa\",\"gas_limit\":null}}"
            ),
        ]
    );
}

/// A `/dev/fund` JSON body of exactly `size` bytes (padded with spaces).
fn fund_body(size: usize) -> Vec<u8> {
    let mut body = json!({"address": TRANSFER, "amount": "1"})
        .to_string()
        .into_bytes();
    assert!(body.len() <= size);
    body.resize(size, b' ');
    body
}

#[test]
fn bodies_are_capped_at_the_limit() {
    let node = Arc::new(FakeNode::new());
    let config = ApiConfig {
        body_limit: 1024,
        ..ApiConfig::default()
    };
    let server = serve_with(node.clone(), local(), config).unwrap();
    let url = server.url();
    let at = post(&url, "/dev/fund", "application/json", &fund_body(1024));
    assert_eq!(at.status, 200, "at the limit: {at:?}");
    post(&url, "/dev/fund", "application/json", &fund_body(1025)).assert_error(
        413,
        "payload_too_large",
        "1024-byte limit",
    );
    let tx = signed_transfer(CHAIN_ID).encode();
    let mut raw = tx.clone();
    raw.resize(1025, 0);
    post(&url, "/tx", "application/octet-stream", &raw).assert_error(
        413,
        "payload_too_large",
        "1024-byte limit",
    );
    // At the limit the node decodes it and finds trailing bytes.
    raw.truncate(1024);
    post(&url, "/tx", "application/octet-stream", &raw).assert_error(
        400,
        "bad_request",
        "malformed",
    );
    // A chunked body (no Content-Length) is counted as it arrives.
    let chunked = |size: usize| {
        let body = fund_body(size);
        let mut socket = TcpStream::connect(server.local_addr()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = "POST /dev/fund HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        // The server may answer 413 and close while chunks are still being sent: a write
        // then fails (broken pipe), and the answer is read all the same.
        let mut send = |bytes: &[u8]| socket.write_all(bytes).is_ok();
        let mut open = send(head.as_bytes());
        for chunk in body.chunks(100) {
            open = open
                && send(format!("{:x}\r\n", chunk.len()).as_bytes())
                && send(chunk)
                && send(b"\r\n");
        }
        let _ = open && send(b"0\r\n\r\n");
        let mut answer = String::new();
        let _ = socket.read_to_string(&mut answer);
        answer
    };
    assert!(chunked(1024).starts_with("HTTP/1.1 200"), "at the limit");
    let past = chunked(1025);
    assert!(past.starts_with("HTTP/1.1 413"), "{past}");
    assert!(past.contains("payload_too_large"), "{past}");
    assert_eq!(node.calls().len(), 3, "{:?}", node.calls());
}

#[test]
fn the_default_cap_takes_the_largest_transaction_in_hex() {
    use node_lite::api::server::DEFAULT_BODY_LIMIT;
    use node_lite::chain::tx::MAX_TX_BYTES;
    let (node, _server, url) = start(FakeNode::new());
    // The largest transaction the node takes, written in hex: under the cap.
    let hex_text = "00".repeat(MAX_TX_BYTES + 1);
    post(&url, "/tx", "text/plain", hex_text.as_bytes()).assert_error(
        400,
        "bad_request",
        "over the",
    );
    assert_eq!(node.calls(), [format!("submit {} bytes", MAX_TX_BYTES + 1)]);
    let at = vec![b'0'; DEFAULT_BODY_LIMIT];
    post(&url, "/tx", "text/plain", &at).assert_error(400, "bad_request", "over the");
    let past = vec![b'0'; DEFAULT_BODY_LIMIT + 1];
    post(&url, "/tx", "text/plain", &past).assert_error(413, "payload_too_large", "limit");
}

#[test]
fn garbage_on_the_socket_does_not_hurt_the_server() {
    let (_node, server, url) = start(FakeNode::new());
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /head HTTP/9.9\r\n\r\n",
        b"POST /tx HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST /tx HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        &[0u8, 159, 146, 150, 255, 13, 10, 13, 10],
    ] {
        let mut socket = TcpStream::connect(server.local_addr()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        socket.write_all(garbage).unwrap();
        let mut answer = Vec::new();
        // The server answers 400 or closes; either way the read ends.
        let _ = socket.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || text.starts_with("HTTP/1.1 4"),
            "{garbage:?}: {text}"
        );
    }
    assert_eq!(get(&url, "/head").status, 200, "still serving");
}

/// Read SSE lines until `count` events (name and data; an event ends at a blank line) arrived.
fn read_events(reader: &mut impl BufRead, count: usize) -> Vec<(String, Value)> {
    let mut events = Vec::new();
    let (mut name, mut data) = (String::new(), String::new());
    let mut line = String::new();
    while events.len() < count {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
        let line = line.trim_end();
        if let Some(n) = line.strip_prefix("event: ") {
            name = n.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data = d.to_string();
        } else if line.is_empty() && !data.is_empty() {
            events.push((
                std::mem::take(&mut name),
                serde_json::from_str(&data).unwrap(),
            ));
            data.clear();
        }
    }
    events
}

fn wait_for_subscribers(node: &FakeNode, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while node.subscribers() < n {
        assert!(Instant::now() < deadline, "no subscriber after 10 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn open_stream(url: &str, query: &str) -> impl BufRead {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_recv_body(Some(Duration::from_secs(10)))
        .build()
        .into();
    let response = agent.get(format!("{url}/stream{query}")).call().unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert_eq!(content_type, "text/event-stream");
    BufReader::new(response.into_body().into_reader())
}

#[test]
fn the_stream_delivers_chain_events_in_order_and_filters_by_type() {
    let (node, server, url) = start(FakeNode::new());
    let mut all = open_stream(&url, "");
    let mut only_events = open_stream(&url, "?types=event,label");
    wait_for_subscribers(&node, 2);
    let published = [
        ChainEvent::Block(block_at(13)),
        ChainEvent::Event(fake_node::event()),
        ChainEvent::Label {
            height: 13,
            hash: block_at(13).hash,
            label: "final".into(),
        },
    ];
    for e in &published {
        assert_eq!(node.publish(e.clone()), 2);
    }
    let names = ["block", "event", "label"];
    let got = read_events(&mut all, 3);
    let expected: Vec<(String, Value)> = names
        .iter()
        .zip(&published)
        .map(|(n, e)| (n.to_string(), to_json(e)))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(read_events(&mut only_events, 2), expected[1..].to_vec());
    // Shutdown ends the open streams and returns.
    let started = Instant::now();
    server.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let mut rest = String::new();
    all.read_to_string(&mut rest).unwrap();
    assert!(!rest.contains("data:"), "{rest:?}");
}

#[test]
fn a_taken_port_is_a_bind_error_and_port_zero_binds() {
    let node = Arc::new(FakeNode::new());
    let first = serve(node.clone(), local()).unwrap();
    assert_ne!(first.local_addr().port(), 0);
    match serve(node, first.local_addr()) {
        Err(ApiServeError::Bind { addr, .. }) => assert_eq!(addr, first.local_addr()),
        Err(e) => panic!("expected a bind error, got {e}"),
        Ok(_) => panic!("the port is taken"),
    }
    first.shutdown();
}

#[test]
fn a_batch_answers_each_transaction_in_order() {
    let (node, _server, url) = start(FakeNode::new());
    let good = signed_transfer(CHAIN_ID);
    let mut bad_signature = good.clone();
    bad_signature.signature[0] ^= 1;
    let truncated = &good.encode()[..10];
    let body = json!({"txs": [
        hex::encode(good.encode()),
        hex::encode(bad_signature.encode()),
        "not hex",
        hex::encode(truncated),
        format!("0x{}", hex::encode(good.encode())),
    ]});
    let r = post_json(&url, "/txs", &body);
    assert_eq!(r.status, 200, "{r:?}");
    let results = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 5, "{results:?}");
    let hash = json!({"hash": good.hash().to_string()});
    assert_eq!(results[0], hash);
    assert_eq!(results[1]["error"], "refused", "{results:?}");
    assert!(
        results[1]["message"]
            .as_str()
            .unwrap()
            .contains("signature")
    );
    assert_eq!(results[2]["error"], "bad_request", "{results:?}");
    assert_eq!(results[3]["error"], "bad_request", "{results:?}");
    assert!(
        results[3]["message"]
            .as_str()
            .unwrap()
            .contains("malformed")
    );
    assert_eq!(results[4], hash);
    // What was not hex never reached the node; the rest did, in order.
    assert_eq!(
        node.calls(),
        [
            format!("submit {} bytes", good.encode().len()),
            format!("submit {} bytes", bad_signature.encode().len()),
            format!("submit {} bytes", truncated.len()),
            format!("submit {} bytes", good.encode().len()),
        ]
    );
    assert_eq!(node.submitted(), vec![good.clone(), good]);
}

#[test]
fn a_batch_is_capped_at_its_limit() {
    use node_lite::node_api::MAX_SUBMIT_BATCH;
    let (node, _server, url) = start(FakeNode::new());
    let tx = hex::encode(signed_transfer(CHAIN_ID).encode());
    let at = json!({ "txs": vec![tx.clone(); MAX_SUBMIT_BATCH] });
    let r = post_json(&url, "/txs", &at);
    assert_eq!(r.status, 200, "at the limit");
    assert_eq!(
        r.json()["results"].as_array().unwrap().len(),
        MAX_SUBMIT_BATCH
    );
    assert_eq!(node.submitted().len(), MAX_SUBMIT_BATCH);
    let past = json!({ "txs": vec![tx.clone(); MAX_SUBMIT_BATCH + 1] });
    post_json(&url, "/txs", &past).assert_error(400, "bad_request", "transaction limit");
    assert_eq!(
        node.submitted().len(),
        MAX_SUBMIT_BATCH,
        "none of it submitted"
    );
    // The body limit holds for a batch as for every body.
    let node = Arc::new(FakeNode::new());
    let config = ApiConfig {
        body_limit: 1024,
        ..ApiConfig::default()
    };
    let server = serve_with(node.clone(), local(), config).unwrap();
    let body = |size: usize| {
        let mut b = json!({ "txs": [tx.clone()] }).to_string().into_bytes();
        assert!(b.len() <= size);
        b.resize(size, b' ');
        b
    };
    let r = post(&server.url(), "/txs", "application/json", &body(1024));
    assert_eq!(r.status, 200, "at the body limit: {r:?}");
    post(&server.url(), "/txs", "application/json", &body(1025)).assert_error(
        413,
        "payload_too_large",
        "1024-byte limit",
    );
    assert_eq!(node.submitted().len(), 1);
}
