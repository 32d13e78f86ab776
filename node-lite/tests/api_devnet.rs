//! The HTTP API and the CLI client end to end against a real devnet (`devnet::spawn` with
//! `NodeConfig::test()`): a dev transfer awaited through the event stream, a transfer signed by
//! the client, balances and receipts read over HTTP, refusals as 4xx.

use clap::Parser;
use node_lite::api::{ApiServer, serve};
use node_lite::chain::{AccountKey, Payload, UnsignedTx};
use node_lite::cli::{Cli, Command};
use node_lite::client::{NodeClient, tx_cmd};
use node_lite::devnet::{DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{AccountView, DevAccount, TxStatus};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

fn start() -> (Arc<DevnetHandle>, ApiServer, NodeClient) {
    let devnet = Arc::new(spawn(NodeConfig::test()).expect("a devnet starts"));
    let server = serve(devnet.clone(), "127.0.0.1:0".parse().unwrap()).expect("the API starts");
    let client = NodeClient::new(&server.url());
    (devnet, server, client)
}

fn balance(client: &NodeClient, address: &str) -> u128 {
    let account: AccountView = client.account(address).expect("an account");
    account.balance.parse().expect("a decimal balance")
}

/// Read the SSE stream until a `block` event lists `hash`; that block's JSON.
fn block_with(reader: &mut impl BufRead, hash: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    let mut line = String::new();
    loop {
        assert!(
            Instant::now() < deadline,
            "no block with {hash} within {WAIT:?}"
        );
        line.clear();
        assert!(
            reader.read_line(&mut line).expect("the stream reads") > 0,
            "the stream ended"
        );
        let Some(data) = line.trim_end().strip_prefix("data: ") else {
            continue;
        };
        let event: Value = serde_json::from_str(data).expect("JSON data");
        let listed = event["transactions"]
            .as_array()
            .is_some_and(|txs| txs.iter().any(|t| t == hash));
        if event["type"] == "block" && listed {
            return event;
        }
    }
}

#[test]
fn a_dev_transfer_over_http_is_seen_on_the_stream_and_moves_balances() {
    let (_devnet, server, client) = start();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_recv_body(Some(WAIT))
        .build()
        .into();
    let response = agent
        .get(format!("{}/stream?types=block", server.url()))
        .call()
        .expect("the stream opens");
    let mut stream = BufReader::new(response.into_body().into_reader());
    let accounts: Vec<DevAccount> = client.dev_accounts().unwrap();
    let (a, b) = (&accounts[0].address, &accounts[1].address);
    let (a0, b0) = (balance(&client, a), balance(&client, b));
    let answer = client
        .post_json(
            "/dev/tx",
            &json!({"account": 0, "payload": {"kind": "transfer", "to": b, "amount": "1234"}}),
        )
        .expect("a dev transfer is accepted");
    let hash = answer["hash"].as_str().unwrap().to_string();
    let block = block_with(&mut stream, &hash);
    // The stream announces a block when a node accepts it; the queries answer from the
    // node that serves them, which may accept it a moment later: ask until it has.
    let status = client.wait_included(&hash, WAIT).unwrap();
    let TxStatus::Included {
        height, receipt, ..
    } = status
    else {
        unreachable!("wait_included returns an included status")
    };
    assert_eq!(block["height"], height);
    assert!(receipt.success, "{receipt:?}");
    let fee: u128 = receipt.fee_paid.parse().unwrap();
    assert_eq!(balance(&client, b), b0 + 1234);
    assert_eq!(balance(&client, a), a0 - 1234 - fee);
    let by_height = client.get(&format!("/blocks/{height}")).unwrap();
    assert_eq!(by_height["hash"], block["hash"]);
    let head = client.get("/head").unwrap();
    assert!(head["height"].as_u64().unwrap() >= height);
}

#[test]
fn the_client_signs_locally_and_the_devnet_includes_it() {
    let (_devnet, server, client) = start();
    let accounts = client.dev_accounts().unwrap();
    let (sender, payee) = (&accounts[2], &accounts[3].address);
    let p0 = balance(&client, payee);
    let url = server.url();
    let argv = [
        "node-lite",
        "tx",
        "transfer",
        "--to",
        payee,
        "--amount",
        "777",
        "--key",
        &sender.secret_key,
        "--node",
        &url,
        "--wait",
    ];
    let Command::Tx(args) = Cli::try_parse_from(argv).unwrap().command else {
        panic!("tx")
    };
    let out = tx_cmd::run(&args).expect("sent and included");
    assert_eq!(out.code, 0, "{}", out.json);
    assert_eq!(
        out.json["status"]["receipt"]["success"], true,
        "{}",
        out.json
    );
    assert_eq!(out.json["nonce"], 0);
    assert_eq!(balance(&client, payee), p0 + 777);
    assert_eq!(client.account(&sender.address).unwrap().nonce, 1);
}

#[test]
fn malformed_badly_signed_and_replayed_transactions_are_4xx() {
    let (_devnet, _server, client) = start();
    let info = client.chain_info().unwrap();
    let secret = &client.dev_accounts().unwrap()[4].secret_key;
    let key = AccountKey::from_secret(hex::decode(secret).unwrap().try_into().unwrap());
    let tx = |nonce: u64, chain_id: u64| {
        UnsignedTx {
            chain_id,
            sender: key.public(),
            nonce,
            gas_limit: tx_cmd::TRANSFER_GAS,
            gas_price: 1,
            payload: Payload::Transfer {
                to: host_api::Address([5; 32]),
                amount: 1,
            },
        }
        .sign(&key)
    };
    let status = |e: node_lite::client::ClientError| match e {
        node_lite::client::ClientError::Api { status, .. } => status,
        other => panic!("expected an API error, got {other}"),
    };
    assert_eq!(status(client.submit(&[1, 2, 3]).unwrap_err()), 400);
    assert_eq!(
        status(
            client
                .submit(&tx(0, info.chain_id + 1).encode())
                .unwrap_err()
        ),
        422
    );
    let first = tx(0, info.chain_id);
    let hash = client.submit(&first.encode()).expect("accepted");
    client.wait_included(&hash, WAIT).expect("included");
    // The same nonce again: a replay.
    let mut replay = tx(0, info.chain_id);
    replay.body.gas_price = 2;
    let replay = UnsignedTx { ..replay.body }.sign(&key);
    assert_eq!(status(client.submit(&replay.encode()).unwrap_err()), 422);
}

/// `node-lite devnet --port 0` serves the API where its banner says, and stops on Ctrl-C.
#[test]
fn the_devnet_command_serves_the_api_at_the_printed_address() {
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(env!("CARGO_BIN_EXE_node-lite"))
        .args(["devnet", "--port", "0", "--instant", "--provisioners", "4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node-lite devnet starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "no API line in the banner"
        );
        if let Some(url) = line.trim().strip_prefix("API") {
            break url.trim().to_string();
        }
    };
    assert!(!url.ends_with(":0"), "the bound port is printed: {url}");
    let client = NodeClient::new(&url);
    assert_eq!(client.chain_info().unwrap().block_mode, "instant");
    assert_eq!(client.get("/head").unwrap()["height"], 0);
    let status = Process::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(rest.contains("stopped at height"), "{rest}");
    assert!(client.get("/head").is_err(), "the API is down");
}

#[test]
fn the_committee_and_provisioners_of_a_devnet_are_served_over_http() {
    let (devnet, _server, client) = start();
    // A transaction makes two blocks in instant mode (its own and the one that finalizes it).
    let answer = client
        .post_json(
            "/dev/tx",
            &json!({"account": 0, "payload": {"kind": "transfer", "to": "00".repeat(32), "amount": "1"}}),
        )
        .expect("a dev transfer is accepted");
    let hash = answer["hash"].as_str().unwrap().to_string();
    let TxStatus::Included { height, .. } = client.wait_included(&hash, WAIT).unwrap() else {
        panic!("not included")
    };
    let block = client.get(&format!("/blocks/{height}")).unwrap();
    let iteration = block["iteration"].as_u64().unwrap();
    let provisioners = client.get("/provisioners").unwrap();
    let keys: Vec<&str> = provisioners
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 4, "{provisioners}");
    assert!(provisioners[0]["eligible"].as_bool().unwrap());
    assert_eq!(provisioners[0]["weight"], "1000000");
    let proposal = client
        .get(&format!("/committee/{height}/{iteration}/proposal"))
        .unwrap();
    assert_eq!(proposal["total_credits"], 1);
    let generator = proposal["members"][0][0].as_str().unwrap();
    assert!(keys.contains(&generator), "{proposal}");
    assert_eq!(proposal["provisioners"].as_array().unwrap().len(), 4);
    let validation = client
        .get(&format!("/committee/{height}/{iteration}/validation"))
        .unwrap();
    assert_eq!(validation["total_credits"], 64);
    let credits: u64 = validation["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[1].as_u64().unwrap())
        .sum();
    assert!(
        credits >= 43,
        "a supermajority of 64 expected credits: {validation}"
    );
    // A round not decided yet is a 404 naming it.
    let missing = client.get(&format!("/committee/{}/0/proposal", height + 100));
    let error = missing.expect_err("not decided").to_string();
    assert!(error.contains("not decided"), "{error}");
    drop(devnet);
}

/// Over HTTP as through the handle: a dev transfer posted, then `POST /dev/mine`, and the
/// transaction is in the block mined, every time. (The HTTP round trip between the two calls
/// usually gives the nodes time to check their gossip anyway: the race itself is reproduced by
/// `devnet::submit_then_mine_includes_the_transaction_every_time`.)
#[test]
fn submit_then_mine_over_http_includes_the_transaction_every_time() {
    let devnet = Arc::new(
        spawn(NodeConfig::test().with_block_mode(node_lite::devnet::BlockMode::Manual))
            .expect("a devnet starts"),
    );
    let server = serve(devnet.clone(), "127.0.0.1:0".parse().unwrap()).expect("the API starts");
    let client = NodeClient::new(&server.url());
    let to = client.dev_accounts().unwrap()[1].address.clone();
    for round in 0..20u32 {
        let hash = client
            .submit_dev(&node_lite::node_api::DevTxRequest {
                account: 0,
                payload: node_lite::node_api::DevPayload::Transfer {
                    to: to.clone(),
                    amount: (1 + round).to_string(),
                },
                gas_limit: None,
            })
            .expect("a dev transfer is accepted");
        let mined = client.post_json("/dev/mine", &json!({})).expect("mined");
        let height = mined["height"].as_u64().expect("a height");
        let block = client.get(&format!("/blocks/{height}")).expect("the block");
        assert_eq!(
            block["transactions"],
            json!([hash]),
            "round {round}: {block}"
        );
    }
}
