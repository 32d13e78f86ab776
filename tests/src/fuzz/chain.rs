//! Target `chain_inputs`: every decoder the devnet runs on bytes from outside.
//!
//! The first byte picks the input, the rest is its bytes:
//!
//! | byte % 6 | input | what must hold |
//! |---|---|---|
//! | 0 | a signed transaction (`POST /tx`, gossip, blocks) | a typed error, or a transaction within its bounds whose encoding is exactly these bytes (one encoding per transaction: its hash cannot be malleated) and whose signature check answers |
//! | 1 | a consensus message (candidate, vote, fail quorum, block, block request), as a multi-process network will carry it in borsh | the same canonical round trip |
//! | 2 | a block's item (a transaction or a mint) as the executor decodes it | a typed error or items |
//! | 3 | a genesis file (TOML) | a typed error, or a genesis whose dev accounts and provisioners are within its own checks |
//! | 4 | a saved mempool (`mempool.bin`) | a typed error, or transactions each within the bounds |
//! | 5 | an API body (`POST /tx` JSON, `POST /call`, `POST /dev/tx`) | a typed error or a value |

use node_lite::api::submit::TxBody;
use node_lite::chain::Transaction;
use node_lite::chain::genesis_config::GenesisConfig;
use node_lite::devnet::{executor, pool_file};
use node_lite::node_api::{CallRequest, DevTxRequest};
use runtime::PriceTable;
use std::path::Path;
use std::sync::OnceLock;

/// Chain id the signature checks use (any: a fuzzed transaction's signature almost never holds).
const CHAIN_ID: u64 = 7357;

/// A directory for the mempool file of one process's runs (each run overwrites it).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"))
        .path()
}

/// Decode `data[1..]` as the input `data[0]` picks.
pub fn run(data: &[u8]) {
    let Some((kind, body)) = data.split_first() else {
        return;
    };
    match kind % 6 {
        0 => transaction(body),
        1 => consensus_message(body),
        2 => {
            let _ = executor::decode_items(&[body.to_vec()]);
        }
        3 => genesis(body),
        4 => mempool_file(body),
        _ => api_body(body),
    }
}

fn transaction(body: &[u8]) {
    let Ok(tx) = Transaction::decode(body) else {
        return;
    };
    tx.check_bounds()
        .expect("a decoded transaction is within its bounds");
    assert_eq!(
        tx.encode(),
        body,
        "a transaction decoded from bytes that are not its encoding"
    );
    assert_eq!(tx.encoded_len(), body.len());
    let _ = tx.verify(CHAIN_ID);
    let _ = (tx.hash(), tx.max_fee());
}

fn consensus_message(body: &[u8]) {
    let Ok(message) = borsh::from_slice::<consensus::Message>(body) else {
        return;
    };
    let again = borsh::to_vec(&message).expect("a message encodes");
    assert_eq!(
        again, body,
        "a consensus message decoded from bytes that are not its encoding"
    );
    let _ = message.round();
}

fn genesis(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let _ = GenesisConfig::parse(text, &PriceTable::default());
}

fn mempool_file(body: &[u8]) {
    std::fs::write(scratch().join(pool_file::POOL_FILE), body).expect("write the scratch file");
    if let Ok((txs, _undecodable)) = pool_file::take(scratch()) {
        for tx in txs {
            tx.check_bounds()
                .expect("a restored transaction is within its bounds");
        }
    }
}

fn api_body(body: &[u8]) {
    let _ = serde_json::from_slice::<TxBody>(body);
    let _ = serde_json::from_slice::<CallRequest>(body);
    let _ = serde_json::from_slice::<DevTxRequest>(body);
}
