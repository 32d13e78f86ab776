//! End-to-end tests of the devnet, against `devnet::spawn` (no HTTP): transactions, failures,
//! provisioners offline, refusals, dev controls. Waits are on events (`NodeApi::subscribe`,
//! `DevnetHandle::wait_until`), each with a timeout.

use node_lite::devnet::{BlockMode, DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{ApiError, DevPayload, DevTxRequest, NodeApi, TxStatus};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

fn transfer(devnet: &DevnetHandle, from: usize, to: &str, amount: u128) -> String {
    devnet
        .submit_dev(DevTxRequest {
            account: from,
            payload: DevPayload::Transfer {
                to: to.to_string(),
                amount: amount.to_string(),
            },
            gas_limit: None,
        })
        .expect("a dev transfer is accepted")
}

fn wait_included(devnet: &DevnetHandle, hash: &str) -> TxStatus {
    let mut status = None;
    let included = devnet.wait_until(WAIT, || {
        let s = devnet.tx_status(hash).expect("a known transaction");
        let done = matches!(s, TxStatus::Included { .. });
        status = Some(s);
        done
    });
    assert!(included, "{hash} not included within {WAIT:?}: {status:?}");
    status.expect("checked")
}

fn balance(devnet: &DevnetHandle, address: &str) -> u128 {
    devnet
        .account(address)
        .expect("an account")
        .balance
        .parse()
        .expect("a decimal balance")
}

#[test]
fn a_transfer_is_included_and_balances_move() {
    let devnet = spawn(NodeConfig::test()).expect("a devnet starts");
    let accounts = devnet.dev_accounts();
    let (a, b) = (&accounts[0].address, &accounts[1].address);
    let (a0, b0) = (balance(&devnet, a), balance(&devnet, b));
    let hash = transfer(&devnet, 0, b, 1_234);
    let status = wait_included(&devnet, &hash);
    let TxStatus::Included {
        receipt, height, ..
    } = status
    else {
        unreachable!()
    };
    assert!(receipt.success, "{receipt:?}");
    let fee: u128 = receipt.fee_paid.parse().unwrap();
    assert!(fee > 0);
    assert_eq!(balance(&devnet, b), b0 + 1_234);
    assert_eq!(balance(&devnet, a), a0 - 1_234 - fee);
    assert_eq!(devnet.account(a).unwrap().nonce, 1);
    // Every node holds the same block at that height.
    assert!(devnet.wait_until(WAIT, || (0..4).all(|i| devnet.node_tip(i) >= height)));
    let hashes: Vec<_> = (0..4).map(|i| devnet.node_block_hash(i, height)).collect();
    assert!(
        hashes.iter().all(|h| h.is_some() && *h == hashes[0]),
        "{hashes:?}"
    );
    for i in 0..4 {
        assert_eq!(devnet.node_failure(i), None);
    }
    let _ = ApiError::NotFound(String::new());
    let _ = BlockMode::Instant;
}
