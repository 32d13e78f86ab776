use super::*;

const CHAIN: u64 = 7357;

fn alice() -> AccountKey {
    AccountKey::from_seed("alice")
}

fn body(payload: Payload) -> UnsignedTx {
    UnsignedTx {
        chain_id: CHAIN,
        sender: alice().public(),
        nonce: 3,
        gas_limit: 1_000_000,
        gas_price: 2,
        payload,
    }
}

fn call(function: &str, args: Vec<u8>) -> Payload {
    Payload::Call {
        contract: ContractId([9; 32]),
        function: function.to_string(),
        args,
    }
}

fn transfer() -> Payload {
    Payload::Transfer {
        to: Address([5; 32]),
        amount: 42,
    }
}

#[test]
fn sign_encode_decode_verify_round_trip() {
    for payload in [
        transfer(),
        call("increment", vec![1, 0, 0, 0, 0, 0, 0, 0]),
        Payload::Deploy {
            code: vec![0, 97, 115, 109],
            init_args: Some(vec![7]),
        },
        Payload::Deploy {
            code: vec![],
            init_args: None,
        },
    ] {
        let tx = body(payload).sign(&alice());
        let bytes = tx.encode();
        assert_eq!(bytes.len(), tx.encoded_len());
        let decoded = Transaction::decode(&bytes).unwrap();
        assert_eq!(decoded, tx);
        assert_eq!(decoded.hash(), tx.hash());
        decoded.verify(CHAIN).unwrap();
        assert_eq!(decoded.sender(), alice().address());
    }
}

#[test]
fn the_signed_bytes_are_the_domain_the_chain_id_and_the_body() {
    let b = body(transfer());
    let bytes = b.signing_bytes();
    assert!(bytes.starts_with(b"sandbox-tx-v1"));
    assert_eq!(&bytes[13..21], &CHAIN.to_le_bytes());
    assert_eq!(&bytes[21..], &borsh::to_vec(&b).unwrap()[..]);
    // The body: chain id, sender, nonce, gas limit, gas price, variant 2, to, amount.
    assert_eq!(bytes.len(), 21 + 8 + 32 + 8 + 8 + 8 + 1 + 32 + 16);
    assert_eq!(bytes[21 + 64], 2, "Transfer is variant 2");
}

#[test]
fn every_changed_byte_is_refused() {
    let tx = body(call("f", vec![1, 2, 3])).sign(&alice());
    let bytes = tx.encode();
    for i in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[i] ^= 0x01;
        match Transaction::decode(&changed) {
            Err(_) => {}
            Ok(t) => assert!(
                t.verify(CHAIN).is_err(),
                "byte {i} changed and still verifies"
            ),
        }
    }
}

#[test]
fn a_wrong_chain_or_key_is_refused() {
    let tx = body(transfer()).sign(&alice());
    assert_eq!(
        tx.verify(CHAIN + 1),
        Err(TxSignatureError::WrongChain {
            expected: CHAIN + 1,
            found: CHAIN
        })
    );
    // Signed for another chain: the chain id is in the signed bytes, so rewriting it fails.
    let mut other = body(transfer());
    other.chain_id = CHAIN + 1;
    let mut moved = other.sign(&alice());
    moved.body.chain_id = CHAIN;
    assert_eq!(moved.verify(CHAIN), Err(TxSignatureError::BadSignature));
    // Signed by bob, claiming to be alice.
    let forged = body(transfer()).sign(&AccountKey::from_seed("bob"));
    assert_eq!(forged.verify(CHAIN), Err(TxSignatureError::BadSignature));
    // A sender that is not a curve point.
    let mut bad_key = tx.clone();
    bad_key.body.sender = [0xff; 32];
    bad_key.body.sender[31] = 0x7f;
    assert!(matches!(
        bad_key.verify(CHAIN),
        Err(TxSignatureError::BadSenderKey | TxSignatureError::BadSignature)
    ));
}

/// A deploy whose encoding is exactly `size` bytes (unsigned: decoding does not verify, and
/// signing a megabyte is slow in a debug build; the mempool's test signs one).
fn deploy_of_size(size: usize) -> Transaction {
    let unsigned = |code: Vec<u8>| Transaction {
        body: body(Payload::Deploy {
            code,
            init_args: None,
        }),
        signature: [0; SIGNATURE_BYTES],
    };
    let empty = unsigned(vec![]).encoded_len();
    unsigned(vec![0u8; size - empty])
}

#[test]
fn size_at_the_cap_and_one_past() {
    let at = deploy_of_size(MAX_TX_BYTES);
    let bytes = at.encode();
    assert_eq!(bytes.len(), MAX_TX_BYTES);
    assert_eq!(Transaction::decode(&bytes), Ok(at));
    let past = deploy_of_size(MAX_TX_BYTES + 1).encode();
    assert_eq!(
        Transaction::decode(&past),
        Err(TxDecodeError::TooLarge {
            size: MAX_TX_BYTES + 1,
            max: MAX_TX_BYTES
        })
    );
}

#[test]
fn field_bounds_at_the_limit_and_one_past() {
    let name_at = "f".repeat(MAX_FUNCTION_NAME_BYTES);
    let name_past = "f".repeat(MAX_FUNCTION_NAME_BYTES + 1);
    let ok = body(call(&name_at, vec![0; MAX_ARGUMENT_BYTES])).sign(&alice());
    assert!(Transaction::decode(&ok.encode()).is_ok());
    let long_name = body(call(&name_past, vec![])).sign(&alice());
    assert!(matches!(
        Transaction::decode(&long_name.encode()),
        Err(TxDecodeError::FunctionNameTooLong { size, .. }) if size == MAX_FUNCTION_NAME_BYTES + 1
    ));
    let big_args = body(call("f", vec![0; MAX_ARGUMENT_BYTES + 1])).sign(&alice());
    assert!(matches!(
        Transaction::decode(&big_args.encode()),
        Err(TxDecodeError::ArgumentTooLarge { .. })
    ));
    let big_init = body(Payload::Deploy {
        code: vec![],
        init_args: Some(vec![0; MAX_ARGUMENT_BYTES + 1]),
    })
    .sign(&alice());
    assert!(matches!(
        Transaction::decode(&big_init.encode()),
        Err(TxDecodeError::ArgumentTooLarge { .. })
    ));
}

#[test]
fn malformed_bytes_are_refused() {
    let bytes = body(transfer()).sign(&alice()).encode();
    assert!(matches!(
        Transaction::decode(&bytes[..bytes.len() - 1]),
        Err(TxDecodeError::Malformed(_))
    ));
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(
        Transaction::decode(&trailing),
        Err(TxDecodeError::Malformed(_))
    ));
    let mut bad_variant = bytes;
    bad_variant[64] = 9;
    assert!(matches!(
        Transaction::decode(&bad_variant),
        Err(TxDecodeError::Malformed(_))
    ));
    assert!(matches!(
        Transaction::decode(&[]),
        Err(TxDecodeError::Malformed(_))
    ));
}

/// `s + l` (l the order of the ed25519 base point), little-endian: the same scalar, not in
/// canonical form.
fn non_canonical(s: [u8; 32]) -> [u8; 32] {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(L[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

#[test]
fn a_cached_key_answers_every_check_as_a_decoded_one() {
    let good = body(call("f", vec![1, 2, 3])).sign(&alice());
    let mut cases = vec![good.clone()];
    // Every bit of the signature and of the sender changed.
    for i in 0..64 * 8 {
        let mut t = good.clone();
        t.signature[i / 8] ^= 1 << (i % 8);
        cases.push(t);
    }
    for i in 0..32 * 8 {
        let mut t = good.clone();
        t.body.sender[i / 8] ^= 1 << (i % 8);
        cases.push(t);
    }
    // Signed by bob, claiming to be alice; another chain.
    cases.push(body(transfer()).sign(&AccountKey::from_seed("bob")));
    let mut other_chain = good.clone();
    other_chain.body.chain_id = CHAIN + 1;
    cases.push(other_chain);
    // The same signature with S not reduced (malleability).
    let mut malleable = good.clone();
    let s: [u8; 32] = good.signature[32..].try_into().unwrap();
    malleable.signature[32..].copy_from_slice(&non_canonical(s));
    cases.push(malleable);
    // A small-order key (the identity) with R the identity and S = 0: the cofactorless equation
    // holds, `verify_strict` refuses the key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut small = body(transfer());
    small.sender = identity;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&identity);
    cases.push(Transaction {
        body: small,
        signature,
    });
    // The cache warmed by every case first, so each is checked with its key taken from it.
    let mut keys = KeyCache::new(1_024);
    for t in &cases {
        let _ = t.verify_with(CHAIN, &mut keys);
    }
    assert!(keys.contains(&alice().public()) && keys.contains(&identity));
    let mut accepted = 0;
    for (i, t) in cases.iter().enumerate() {
        let expected = t.verify(CHAIN);
        assert_eq!(t.verify_with(CHAIN, &mut keys), expected, "case {i}");
        assert_eq!(
            t.verify_with(CHAIN, &mut KeyCache::new(0)),
            expected,
            "case {i} uncached"
        );
        accepted += usize::from(expected.is_ok());
    }
    assert_eq!(accepted, 1, "only the good one verifies");
    let n = cases.len();
    assert_eq!(
        cases[n - 2].verify(CHAIN),
        Err(TxSignatureError::BadSignature),
        "non-canonical S"
    );
    assert_eq!(
        cases[n - 1].verify(CHAIN),
        Err(TxSignatureError::BadSignature),
        "small-order key"
    );
}
