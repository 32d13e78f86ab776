//! The CLI client (`node-lite tx …`, `node-lite query …`) against the HTTP API serving a
//! recording fake node: what it sends, how it signs, what it prints, its exit codes.

mod support;

use clap::Parser;
use genesis_types::stake::proof_of_possession_message;
use genesis_types::{BlsPublicKey, BlsSignature};
use host_api::{Address, ContractId};
use node_lite::api::{ApiServer, serve};
use node_lite::chain::{AccountKey, Payload};
use node_lite::cli::{Cli, Command};
use node_lite::client::stake_calls::{STAKE_GAS, key_from_seed};
use node_lite::client::tx_cmd::TRANSFER_GAS;
use node_lite::client::{ClientError, Outcome, query_cmd, tx_cmd};
use node_lite::node_api::NodeApi;
use serde_json::{Value, json};
use std::sync::Arc;
use support::fake_node::{self, *};

fn start() -> (Arc<FakeNode>, ApiServer) {
    let node = Arc::new(FakeNode::new());
    let server = serve(node.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
    (node, server)
}

/// Run `node-lite <args…> --node <server>` in-process.
fn run(server: &ApiServer, args: &[&str]) -> Result<Outcome, ClientError> {
    let url = server.url();
    let tail = ["--node", url.as_str()];
    let argv = ["node-lite"].iter().chain(args).chain(&tail).copied();
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Tx(a) => tx_cmd::run(&a),
        Command::Query(a) => query_cmd::run(&a),
        other => panic!("not a client command: {other:?}"),
    }
}

fn ok(server: &ApiServer, args: &[&str]) -> Value {
    let out = run(server, args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert_eq!(out.code, 0, "{args:?}: {}", out.json);
    out.json
}

fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
}

const SECRET: &str = "0707070707070707070707070707070707070707070707070707070707070707";

fn local_key() -> AccountKey {
    AccountKey::from_secret([7; 32])
}

#[test]
fn queries_print_the_nodes_answers() {
    let (node, server) = start();
    let reference = FakeNode::new();
    assert_eq!(ok(&server, &["query", "head"]), to_json(reference.head()));
    assert_eq!(
        ok(&server, &["query", "chain"]),
        to_json(reference.chain_info())
    );
    assert_eq!(ok(&server, &["query", "block", "3"]), to_json(block_at(3)));
    assert_eq!(
        ok(&server, &["query", "block", BLOCK_HASH]),
        to_json(block_at(7))
    );
    assert_eq!(
        ok(&server, &["query", "tx", PENDING_TX]),
        json!({"status": "pending"})
    );
    let address = "aa".repeat(32);
    assert_eq!(
        ok(&server, &["query", "account", &address])["nonce"],
        NEXT_NONCE
    );
    assert_eq!(
        ok(&server, &["query", "storage", TRANSFER, "6b6579"]),
        json!({"contract": TRANSFER, "key": "6b6579", "value": "beef"})
    );
    assert_eq!(
        ok(&server, &["query", "provisioners"]),
        to_json(reference.provisioners().unwrap())
    );
    assert_eq!(
        ok(&server, &["query", "committee", "4", "2", "ratification"]),
        to_json(reference.committee(4, 2, "ratification").unwrap())
    );
    assert_eq!(
        ok(
            &server,
            &[
                "query", "events", "--topic", "a b&c", "--from", "2", "--limit", "3"
            ]
        ),
        json!([to_json(fake_node::event())])
    );
    assert_eq!(
        ok(&server, &["query", "dev-accounts"]),
        to_json(reference.dev_accounts())
    );
    let dry = ok(
        &server,
        &[
            "query", "call", STAKE, "--fn", "stake_of", "--args", "0x01", "--caller", &address,
        ],
    );
    assert_eq!(dry["gas_estimate"], 2_000_000);
    let calls = node.calls();
    assert!(
        calls.contains(&"events {\"contract\":null,\"topic\":\"a b&c\",\"from_height\":2,\"to_height\":null,\"limit\":3}".to_string()),
        "the query string is encoded: {calls:?}"
    );
    assert!(calls.contains(&format!(
        "dry_run {{\"caller\":\"{address}\",\"contract\":\"{STAKE}\",\"function\":\"stake_of\",\"args\":\"01\",\"gas_limit\":null}}"
    )));
}

#[test]
fn a_transfer_signed_locally_carries_the_nodes_chain_and_nonce() {
    let (node, server) = start();
    let to = "cd".repeat(32);
    let out = ok(
        &server,
        &[
            "tx", "transfer", "--to", &to, "--amount", "1000", "--key", SECRET,
        ],
    );
    let [tx] = node.submitted().try_into().unwrap();
    tx.verify(CHAIN_ID).expect("signed for the node's chain");
    assert_eq!(tx.sender(), local_key().address());
    assert_eq!(
        (tx.body.nonce, tx.body.gas_limit, tx.body.gas_price),
        (NEXT_NONCE, TRANSFER_GAS, 1)
    );
    assert_eq!(
        tx.body.payload,
        Payload::Transfer {
            to: Address([0xcd; 32]),
            amount: 1000
        }
    );
    assert_eq!(
        out,
        json!({"hash": tx.hash().to_string(), "sender": hex::encode(local_key().public()),
               "nonce": NEXT_NONCE, "gas_limit": TRANSFER_GAS, "gas_price": 1})
    );
    // --nonce, --gas and --gas-price override; --wait adds the receipt.
    let out = ok(
        &server,
        &[
            "tx",
            "transfer",
            "--to",
            &to,
            "--amount",
            "1",
            "--key",
            SECRET,
            "--nonce",
            "9",
            "--gas",
            "900000",
            "--gas-price",
            "3",
            "--wait",
        ],
    );
    let tx = node.submitted()[1].clone();
    assert_eq!(
        (tx.body.nonce, tx.body.gas_limit, tx.body.gas_price),
        (9, 900_000, 3)
    );
    assert_eq!(out["status"]["status"], "included");
    assert_eq!(out["status"]["receipt"]["hash"], tx.hash().to_string());
}

#[test]
fn a_call_is_estimated_by_a_dry_run_and_fails_early_when_it_would() {
    let (node, server) = start();
    let out = ok(
        &server,
        &[
            "tx", "call", STAKE, "--fn", "renew", "--args", "0xabcd", "--key", SECRET,
        ],
    );
    let [tx] = node.submitted().try_into().unwrap();
    assert_eq!(tx.body.gas_limit, 2_000_000, "the fake's estimate");
    assert_eq!(
        tx.body.payload,
        Payload::Call {
            contract: ContractId([0x5a; 32]),
            function: "renew".into(),
            args: vec![0xab, 0xcd]
        }
    );
    assert_eq!(out["hash"], tx.hash().to_string());
    let sender = hex::encode(local_key().public());
    assert!(node.calls().contains(&format!(
        "dry_run {{\"caller\":\"{sender}\",\"contract\":\"{STAKE}\",\"function\":\"renew\",\"args\":\"abcd\",\"gas_limit\":null}}"
    )));
    match run(
        &server,
        &["tx", "call", STAKE, "--fn", "missing", "--key", SECRET],
    ) {
        Err(e @ ClientError::DryRun { .. }) => {
            assert_eq!(e.exit_code(), 1);
            assert!(e.to_string().contains("no entry point `missing`"), "{e}");
        }
        other => panic!("expected a failed dry run, got {other:?}"),
    }
    assert_eq!(node.submitted().len(), 1, "nothing sent");
    // A transaction whose call fails in its block: --wait prints it and exits 1.
    let out = run(
        &server,
        &[
            "tx", "call", STAKE, "--fn", "fail", "--key", SECRET, "--wait",
        ],
    )
    .unwrap();
    assert_eq!(out.code, 1);
    assert_eq!(out.json["status"]["receipt"]["success"], false);
}

#[test]
fn stake_approves_then_stakes_with_a_proof_of_possession() {
    let (node, server) = start();
    let out = ok(
        &server,
        &[
            "tx",
            "stake",
            "--provisioner-seed",
            "new-one",
            "--amount",
            "5000",
            "--key",
            SECRET,
        ],
    );
    let key = key_from_seed("new-one");
    assert_eq!(out["provisioner"], hex::encode(key.public.0));
    let [approve, stake] = node.submitted().try_into().unwrap();
    assert_eq!(
        (approve.body.nonce, stake.body.nonce),
        (NEXT_NONCE, NEXT_NONCE + 1)
    );
    assert_eq!(
        (approve.body.gas_limit, stake.body.gas_limit),
        (2_000_000, STAKE_GAS)
    );
    let stake_id = ContractId([0x5a; 32]);
    assert_eq!(
        approve.body.payload,
        Payload::Call {
            contract: ContractId([0x7a; 32]),
            function: "approve".into(),
            args: borsh::to_vec(&(Address::from(stake_id), 5000u128)).unwrap(),
        }
    );
    let Payload::Call {
        contract,
        function,
        args,
    } = &stake.body.payload
    else {
        panic!("a call")
    };
    assert_eq!((contract, function.as_str()), (&stake_id, "stake"));
    let (k, amount, pop): (BlsPublicKey, u128, BlsSignature) = borsh::from_slice(args).unwrap();
    assert_eq!((k, amount), (key.public, 5000));
    let expected_pop = key.sign(&proof_of_possession_message(
        &local_key().address(),
        &stake_id,
    ));
    assert_eq!(
        pop, expected_pop,
        "signed over the owner and the stake contract"
    );
    assert_eq!(out["transactions"][1]["hash"], stake.hash().to_string());
}

#[test]
fn dev_accounts_let_the_node_sign() {
    let (node, server) = start();
    let to = "cd".repeat(32);
    let out = ok(
        &server,
        &[
            "tx",
            "transfer",
            "--to",
            &to,
            "--amount",
            "7",
            "--dev-account",
            "0",
            "--wait",
        ],
    );
    assert_eq!(out["hash"], DEV_TX);
    assert_eq!(out["status"]["status"], "included");
    ok(
        &server,
        &[
            "tx",
            "renew",
            "--provisioner-seed",
            "provisioner-0",
            "--dev-account",
            "0",
        ],
    );
    ok(
        &server,
        &[
            "tx",
            "stake",
            "--provisioner-seed",
            "p",
            "--amount",
            "9",
            "--dev-account",
            "0",
        ],
    );
    let submits: Vec<String> = node
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("submit_dev"))
        .collect();
    let renew_args = hex::encode(borsh::to_vec(&key_from_seed("provisioner-0").public).unwrap());
    assert_eq!(submits.len(), 4, "{submits:?}");
    assert_eq!(
        submits[0],
        format!(
            "submit_dev {{\"account\":0,\"payload\":{{\"kind\":\"transfer\",\"to\":\"{to}\",\"amount\":\"7\"}},\"gas_limit\":null}}"
        )
    );
    assert_eq!(
        submits[1],
        format!(
            "submit_dev {{\"account\":0,\"payload\":{{\"kind\":\"call\",\"contract\":\"{STAKE}\",\"function\":\"renew\",\"args\":\"{renew_args}\"}},\"gas_limit\":null}}"
        )
    );
    // The proof of possession names the dev account (asked of the node) as the owner.
    let key = key_from_seed("p");
    let owner = Address([0xaa; 32]);
    let pop = key.sign(&proof_of_possession_message(
        &owner,
        &ContractId([0x5a; 32]),
    ));
    let stake_args = hex::encode(borsh::to_vec(&(key.public, 9u128, pop)).unwrap());
    assert!(submits[3].contains(&stake_args), "{}", submits[3]);
    assert!(submits[3].contains(&format!("\"gas_limit\":{STAKE_GAS}")));
    assert!(node.calls().contains(&"dev_accounts".to_string()));
}

#[test]
fn deploy_sends_the_module_with_a_gas_limit_for_its_size() {
    let (node, server) = start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.wat");
    std::fs::write(&path, "(module (memory (export \"memory\") 1))").unwrap();
    let code = wat::parse_str("(module (memory (export \"memory\") 1))").unwrap();
    ok(
        &server,
        &[
            "tx",
            "deploy",
            path.to_str().unwrap(),
            "--init-args",
            "0x0102",
            "--key",
            SECRET,
        ],
    );
    let [tx] = node.submitted().try_into().unwrap();
    // The transaction's intrinsic gas (by its size), the deploy's price, the init allowance.
    let expected_gas = tx.intrinsic_gas()
        + node_lite::chain::block_exec::DEPLOY_BASE_GAS
        + code.len() as u64 * node_lite::chain::block_exec::DEPLOY_GAS_PER_BYTE
        + runtime::PriceTable::default().storage_commit_per_key
        + tx_cmd::INIT_GAS_ALLOWANCE;
    assert_eq!(tx.body.gas_limit, expected_gas);
    assert_eq!(
        tx.body.payload,
        Payload::Deploy {
            code,
            init_args: Some(vec![1, 2])
        }
    );
}

#[test]
fn failures_have_their_exit_codes() {
    let (_node, server) = start();
    let to = "cd".repeat(32);
    let code = |args: &[&str]| match run(&server, args) {
        Err(e) => (e.exit_code(), e.to_string()),
        Ok(out) => panic!("{args:?} succeeded: {}", out.json),
    };
    let (c, m) = code(&[
        "tx",
        "transfer",
        "--to",
        &to,
        "--amount",
        "1",
        "--dev-account",
        "3",
    ]);
    assert_eq!(c, 1);
    assert!(m.contains("404") && m.contains("dev account 3"), "{m}");
    let (c, m) = code(&["query", "block", "99"]);
    assert_eq!((c, m.contains("not_found")), (1, true), "{m}");
    let (c, m) = code(&[
        "tx", "transfer", "--to", &to, "--amount", "1", "--key", "12",
    ]);
    assert_eq!(c, 2);
    assert!(m.contains("--key must be 32 bytes"), "{m}");
    let (c, m) = code(&[
        "tx", "transfer", "--to", "xyz", "--amount", "1", "--key", SECRET,
    ]);
    assert_eq!(c, 2);
    assert!(m.contains("--to is not hex"), "{m}");
    let (c, m) = code(&["tx", "transfer", "--to", &to, "--amount", "1"]);
    assert_eq!(c, 2);
    assert!(m.contains("--dev-account"), "{m}");
    let (c, m) = code(&[
        "tx", "call", STAKE, "--fn", "f", "--args", "[1]", "--key", SECRET,
    ]);
    assert_eq!(c, 2);
    assert!(m.contains("--abi"), "{m}");
    let (c, m) = code(&["tx", "renew", "--provisioner", "abcd", "--key", SECRET]);
    assert_eq!(c, 2);
    assert!(m.contains("--provisioner must be 96 bytes"), "{m}");
    // clap refuses a key and a dev account together, and a provisioner given twice.
    assert!(
        Cli::try_parse_from([
            "node-lite",
            "tx",
            "renew",
            "--provisioner",
            "a",
            "--provisioner-seed",
            "b",
            "--dev-account",
            "0"
        ])
        .is_err()
    );
    assert!(
        Cli::try_parse_from([
            "node-lite",
            "tx",
            "transfer",
            "--to",
            "a",
            "--amount",
            "1",
            "--key",
            "k",
            "--dev-account",
            "0"
        ])
        .is_err()
    );
    // Nobody listens on the node's port: exit 3.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let argv = [
        "node-lite",
        "query",
        "head",
        "--node",
        &format!("http://{closed}"),
    ];
    let Command::Query(args) = Cli::try_parse_from(argv).unwrap().command else {
        panic!("query")
    };
    let e = query_cmd::run(&args).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("cannot reach the node"), "{e}");
}

#[test]
fn the_binary_prints_json_and_reads_the_node_from_the_environment() {
    let (_node, server) = start();
    let binary = env!("CARGO_BIN_EXE_node-lite");
    let out = std::process::Command::new(binary)
        .args(["query", "head"])
        .env("NODE_LITE_NODE", server.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, to_json(FakeNode::new().head()));
    let out = std::process::Command::new(binary)
        .args(["query", "block", "99", "--node", &server.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], 404);
    assert_eq!(json["error"], "not_found");
}
