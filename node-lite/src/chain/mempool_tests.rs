use super::*;
use crate::chain::keys::AccountKey;
use crate::chain::tx::{Payload, TX_INTRINSIC_GAS, UnsignedTx};

const CHAIN: u64 = 7357;
const BLOCK_GAS: u64 = 10_000_000;

/// Balances and nonces in maps.
#[derive(Default)]
struct Accounts {
    balances: BTreeMap<Address, u128>,
    nonces: BTreeMap<Address, u64>,
}

impl AccountView for Accounts {
    fn balance(&mut self, account: &Address) -> Result<u128, AccountViewError> {
        Ok(self.balances.get(account).copied().unwrap_or(0))
    }

    fn next_nonce(&mut self, account: &Address) -> Result<u64, AccountViewError> {
        Ok(self.nonces.get(account).copied().unwrap_or(0))
    }
}

fn key(name: &str) -> AccountKey {
    AccountKey::from_seed(name)
}

fn rich(names: &[&str]) -> Accounts {
    let mut accounts = Accounts::default();
    for name in names {
        accounts.balances.insert(key(name).address(), u128::MAX / 4);
    }
    accounts
}

fn tx(from: &str, nonce: u64, gas_limit: u64, gas_price: u64) -> Transaction {
    UnsignedTx {
        chain_id: CHAIN,
        sender: key(from).public(),
        nonce,
        gas_limit,
        gas_price,
        payload: Payload::Transfer {
            to: Address([1; 32]),
            amount: 1,
        },
    }
    .sign(&key(from))
}

/// A pool whose minimum gas limit is 1, so that the tests' small gas limits are accepted.
fn pool(capacity: usize) -> Mempool {
    Mempool::new(MempoolConfig {
        capacity,
        min_gas_limit: Some(1),
        ..MempoolConfig::new(CHAIN, BLOCK_GAS)
    })
}

#[test]
fn each_refusal_is_typed_and_leaves_the_pool_unchanged() {
    let mut accounts = rich(&["a"]);
    let mut p = pool(100);
    p.insert(tx("a", 0, 1_000, 1), &mut accounts).unwrap();
    let mut bad_signature = tx("a", 1, 1_000, 1);
    bad_signature.signature[0] ^= 1;
    let mut other_chain = tx("a", 1, 1_000, 1);
    other_chain.body.chain_id = CHAIN + 1;
    let cases: Vec<(Transaction, MempoolRefusal)> = vec![
        (
            bad_signature,
            MempoolRefusal::Signature(TxSignatureError::BadSignature),
        ),
        (
            other_chain,
            MempoolRefusal::Signature(TxSignatureError::WrongChain {
                expected: CHAIN,
                found: CHAIN + 1,
            }),
        ),
        (
            tx("a", 1, 0, 1),
            MempoolRefusal::GasLimitTooLow {
                gas_limit: 0,
                minimum: 1,
            },
        ),
        (
            tx("a", 1, BLOCK_GAS + 1, 1),
            MempoolRefusal::GasLimitOverBlock {
                gas_limit: BLOCK_GAS + 1,
                block_gas_limit: BLOCK_GAS,
            },
        ),
        (
            tx("a", 0, 2_000, 1),
            MempoolRefusal::NonceTaken { nonce: 0 },
        ),
        (
            tx("a", 0, 1_000, 1),
            MempoolRefusal::Duplicate(tx("a", 0, 1_000, 1).hash()),
        ),
        (
            tx("poor", 0, 1_000, 1),
            MempoolRefusal::Unpayable {
                needed: 1_000,
                balance: 0,
            },
        ),
    ];
    for (t, refusal) in cases {
        assert_eq!(
            p.insert(t, &mut accounts),
            Err(refusal.clone()),
            "{refusal}"
        );
        assert_eq!(p.len(), 1);
    }
    // A used nonce (a replay of an included transaction).
    accounts.nonces.insert(key("a").address(), 5);
    assert_eq!(
        p.insert(tx("a", 4, 1_000, 1), &mut accounts),
        Err(MempoolRefusal::StaleNonce { nonce: 4, next: 5 })
    );
    // A block that holds a transaction of the intrinsic gas.
    let mut strict = Mempool::new(MempoolConfig {
        min_gas_price: 3,
        ..MempoolConfig::new(CHAIN, 10 * TX_INTRINSIC_GAS)
    });
    // The default minimum gas limit is the transaction's own intrinsic gas (the base and its
    // bytes': a transaction under it could enter no block): at it and one under. Only the gas
    // limit changes between the transactions, and its encoding has a fixed size.
    let intrinsic = tx("a", 5, 0, 3).intrinsic_gas();
    assert!(intrinsic > TX_INTRINSIC_GAS, "the bytes are priced too");
    assert_eq!(
        strict.insert(tx("a", 5, intrinsic - 1, 3), &mut accounts),
        Err(MempoolRefusal::GasLimitTooLow {
            gas_limit: intrinsic - 1,
            minimum: intrinsic
        })
    );
    assert_eq!(
        strict.insert(tx("a", 5, intrinsic, 2), &mut accounts),
        Err(MempoolRefusal::GasPriceTooLow {
            gas_price: 2,
            minimum: 3
        })
    );
    assert!(
        strict
            .insert(tx("a", 5, intrinsic, 3), &mut accounts)
            .is_ok()
    );
}

#[test]
fn nonce_gap_at_the_limit_and_one_past() {
    let mut accounts = rich(&["a"]);
    let mut p = pool(100);
    let gap = DEFAULT_MAX_NONCE_GAP;
    assert!(p.insert(tx("a", gap, 1_000, 1), &mut accounts).is_ok());
    assert_eq!(
        p.insert(tx("a", gap + 1, 1_000, 1), &mut accounts),
        Err(MempoolRefusal::NonceTooFarAhead {
            nonce: gap + 1,
            next: 0,
            max_gap: gap
        })
    );
}

#[test]
fn the_balance_must_cover_every_waiting_maximum_fee() {
    let mut accounts = Accounts::default();
    let a = key("a").address();
    accounts.balances.insert(a, 5_000);
    let mut p = pool(100);
    p.insert(tx("a", 0, 1_000, 2), &mut accounts).unwrap();
    // 2,000 waiting + 3,000 = 5,000: exactly the balance.
    p.insert(tx("a", 1, 1_000, 3), &mut accounts).unwrap();
    assert_eq!(
        p.insert(tx("a", 2, 1, 1), &mut accounts),
        Err(MempoolRefusal::Unpayable {
            needed: 5_001,
            balance: 5_000
        })
    );
}

#[test]
fn size_at_the_cap_and_one_past() {
    let mut accounts = rich(&["a"]);
    let mut p = pool(100);
    let sized = |size: usize| {
        let mut t = tx("a", 0, 1_000, 1);
        t.body.payload = Payload::Deploy {
            code: vec![],
            init_args: None,
        };
        let code = vec![0; size - t.encoded_len()];
        t.body.payload = Payload::Deploy {
            code,
            init_args: None,
        };
        t.body.clone().sign(&key("a"))
    };
    assert!(matches!(
        p.insert(sized(MAX_TX_BYTES + 1), &mut accounts),
        Err(MempoolRefusal::Size(TxDecodeError::TooLarge { .. }))
    ));
    assert!(p.insert(sized(MAX_TX_BYTES), &mut accounts).is_ok());
}

#[test]
fn blocks_come_out_by_gas_price_then_nonce_per_sender() {
    let mut accounts = rich(&["a", "b", "c"]);
    let mut p = pool(100);
    // a's second transaction pays the most but must wait for its first.
    for t in [
        tx("a", 1, 1_000, 50),
        tx("a", 0, 1_000, 5),
        tx("b", 0, 1_000, 10),
        tx("c", 0, 1_000, 7),
        tx("c", 1, 1_000, 6),
        // A gap: c's nonce 3 cannot run before 2 arrives.
        tx("c", 3, 1_000, 100),
    ] {
        p.insert(t, &mut accounts).unwrap();
    }
    let block = p.take_block(BLOCK_GAS, &mut accounts).unwrap();
    let order: Vec<(Address, u64)> = block.iter().map(|t| (t.sender(), t.body.nonce)).collect();
    let (a, b, c) = (key("a").address(), key("b").address(), key("c").address());
    assert_eq!(order, vec![(b, 0), (c, 0), (c, 1), (a, 0), (a, 1)]);
    assert_eq!(p.len(), 1, "c's nonce 3 waits for nonce 2");
}

#[test]
fn take_block_fills_the_gas_and_leaves_the_rest() {
    let mut accounts = rich(&["a", "b"]);
    let mut p = pool(100);
    p.insert(tx("a", 0, 6_000_000, 9), &mut accounts).unwrap();
    p.insert(tx("a", 1, 1_000, 9), &mut accounts).unwrap();
    p.insert(tx("b", 0, 5_000_000, 8), &mut accounts).unwrap();
    p.insert(tx("b", 1, 3_000_000, 8), &mut accounts).unwrap();
    let block = p.take_block(BLOCK_GAS, &mut accounts).unwrap();
    let gas: u64 = block.iter().map(|t| t.body.gas_limit).sum();
    assert!(gas <= BLOCK_GAS);
    // a0 (6 M) and a1 fit; b0 (5 M) does not fit the 3,999,000 left, and b1 must wait for it.
    assert_eq!(block.len(), 2);
    assert_eq!(p.len(), 2);
    // After the block, the state's nonces moved: prune is a no-op for b, which waits.
    accounts.nonces.insert(key("a").address(), 2);
    assert_eq!(p.prune(&mut accounts).unwrap(), 0);
    let next = p.take_block(BLOCK_GAS, &mut accounts).unwrap();
    assert_eq!(next.len(), 2);
    assert!(p.is_empty());
}

#[test]
fn stale_transactions_are_dropped_when_the_state_moves() {
    let mut accounts = rich(&["a"]);
    let mut p = pool(100);
    p.insert(tx("a", 0, 1_000, 1), &mut accounts).unwrap();
    p.insert(tx("a", 1, 1_000, 1), &mut accounts).unwrap();
    accounts.nonces.insert(key("a").address(), 1);
    assert_eq!(p.prune(&mut accounts).unwrap(), 1);
    assert_eq!(p.len(), 1);
}

#[test]
fn capacity_at_the_limit_and_one_past_evicts_the_cheapest() {
    let mut accounts = rich(&["a", "b", "c", "d", "e"]);
    let mut p = pool(3);
    let cheap = tx("a", 0, 1_000, 5);
    p.insert(cheap.clone(), &mut accounts).unwrap();
    p.insert(tx("b", 0, 1_000, 6), &mut accounts).unwrap();
    p.insert(tx("c", 0, 1_000, 7), &mut accounts).unwrap();
    assert_eq!(p.len(), 3, "at capacity");
    // One past: a newcomer not above the cheapest is refused...
    assert_eq!(
        p.insert(tx("d", 0, 1_000, 5), &mut accounts),
        Err(MempoolRefusal::PoolFull {
            gas_price: 5,
            cheapest: 5
        })
    );
    assert_eq!(p.len(), 3);
    // ...a dearer one evicts the cheapest.
    p.insert(tx("e", 0, 1_000, 8), &mut accounts).unwrap();
    assert_eq!(p.len(), 3);
    assert!(!p.contains(&cheap.hash()));
}

#[test]
fn eviction_takes_a_sender_s_last_nonce_first() {
    let mut accounts = rich(&["a", "b"]);
    let mut p = pool(2);
    let first = tx("a", 0, 1_000, 5);
    let second = tx("a", 1, 1_000, 5);
    p.insert(first.clone(), &mut accounts).unwrap();
    p.insert(second.clone(), &mut accounts).unwrap();
    p.insert(tx("b", 0, 1_000, 6), &mut accounts).unwrap();
    assert!(p.contains(&first.hash()));
    assert!(!p.contains(&second.hash()));
}

#[test]
fn pools_sharing_a_verified_set_check_a_signature_once_and_record_only_successes() {
    let verified = Arc::new(VerifiedSignatures::default());
    let mut a = pool(100).with_verified(verified.clone());
    let mut b = pool(100).with_verified(verified.clone());
    let mut accounts = rich(&["a"]);
    let good = tx("a", 0, 1_000, 1);
    a.insert(good.clone(), &mut accounts).unwrap();
    assert!(
        verified.contains(&good.hash()),
        "a verified signature is recorded"
    );
    assert!(b.signature_known(&good.hash()), "known to the other pool");
    b.insert(good, &mut accounts).unwrap();
    // A bad signature is refused by each pool and never recorded.
    let mut bad = tx("a", 1, 1_000, 1);
    bad.signature[0] ^= 1;
    for p in [&mut a, &mut b] {
        assert_eq!(
            p.insert(bad.clone(), &mut accounts),
            Err(MempoolRefusal::Signature(TxSignatureError::BadSignature))
        );
    }
    assert!(!verified.contains(&bad.hash()));
    assert_eq!(verified.len(), 1);
    // Without a shared set only the pool's own transactions are known.
    assert!(!pool(100).signature_known(&bad.hash()));
}

#[test]
fn a_cached_sender_key_never_admits_a_bad_signature() {
    let mut accounts = rich(&["a", "b"]);
    let mut p = pool(100).with_key_cache(2);
    p.insert(tx("a", 0, 1_000, 1), &mut accounts).unwrap();
    assert!(p.key_cache().contains(&key("a").public()), "kept");
    let mut flipped = tx("a", 1, 1_000, 1);
    flipped.signature[5] ^= 1;
    // Signed by b, claiming to be a.
    let mut forged = tx("b", 1, 1_000, 1);
    forged.body.sender = key("a").public();
    for bad in [flipped, forged] {
        assert_eq!(
            p.insert(bad.clone(), &mut accounts),
            Err(MempoolRefusal::Signature(TxSignatureError::BadSignature))
        );
        assert!(!p.contains(&bad.hash()));
    }
    // Bytes that are no key: refused, and never kept.
    let mut no_key = tx("a", 1, 1_000, 1);
    // Not the y-coordinate of a curve point (y = 2 has no x).
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    no_key.body.sender = not_a_point;
    accounts
        .balances
        .insert(Address(not_a_point), u128::MAX / 4);
    assert_eq!(
        p.insert(no_key, &mut accounts),
        Err(MempoolRefusal::Signature(TxSignatureError::BadSenderKey))
    );
    assert_eq!(p.key_cache().len(), 1);
    // The good one still goes in; past the bound the oldest key leaves, nothing else changes.
    p.insert(tx("a", 1, 1_000, 1), &mut accounts).unwrap();
    p.insert(tx("b", 0, 1_000, 1), &mut accounts).unwrap();
    assert_eq!(p.key_cache().len(), 2, "at the bound");
    accounts.balances.insert(key("c").address(), u128::MAX / 4);
    p.insert(tx("c", 0, 1_000, 1), &mut accounts).unwrap();
    assert_eq!(p.key_cache().len(), 2, "past the bound");
    assert!(!p.key_cache().contains(&key("a").public()));
    p.insert(tx("a", 2, 1_000, 1), &mut accounts).unwrap();
    assert_eq!(p.len(), 5);
}
