//! `ed25519_verify`.

use super::*;

// ---------------------------------------------------------------------------------------------
// ed25519_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn ed25519_valid_signature_verifies() {
    let f = ed25519();
    let (mut s, id) = harness();
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&f.pk, MESSAGE, &f.sig)),
        1
    );
    // The call succeeded: its writes are kept.
    assert_eq!(s.storage(&id, b"k"), Ok(Some(b"v".to_vec())));
    // The empty message, at the very end of memory.
    let sig = f.key.sign(b"").to_bytes();
    let mut a = Arg::new(4);
    let (p, g) = (a.put(&f.pk), a.put(&sig));
    assert_eq!(run(&mut s, id, "ed25519", &a.finish(&[p, END, 0, g])), 1);
}

#[test]
fn ed25519_tampered_message_or_signature_is_0() {
    let f = ed25519();
    let (mut s, id) = harness();
    let v = |s: &mut Session, pk: &[u8], msg: &[u8], sig: &[u8]| {
        run(s, id, "ed25519", &sig_arg(pk, msg, sig))
    };
    assert_eq!(v(&mut s, &f.pk, &flip(MESSAGE, 3), &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &MESSAGE[1..], &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, b"", &f.sig), 0);
    for i in [0, 31, 32, 63] {
        assert_eq!(
            v(&mut s, &f.pk, MESSAGE, &flip(&f.sig, i)),
            0,
            "sig byte {i}"
        );
    }
    // Another key's signature.
    let other = ed25519_dalek::SigningKey::from_bytes(&[0x43; 32]);
    assert_eq!(
        v(&mut s, &f.pk, MESSAGE, &other.sign(MESSAGE).to_bytes()),
        0
    );
    assert_eq!(
        v(&mut s, &other.verifying_key().to_bytes(), MESSAGE, &f.sig),
        0
    );
}

#[test]
fn ed25519_malformed_or_weak_keys_and_malleable_signatures_are_0() {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let f = ed25519();
    let (mut s, id) = harness();
    // A key that does not decompress to a curve point.
    let bad_pk = (0u8..=255)
        .map(|b| {
            let mut pk = [b; 32];
            pk[31] &= 0x7f;
            pk
        })
        .find(|pk| VerifyingKey::from_bytes(pk).is_err())
        .expect("some byte pattern is off the curve");
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&bad_pk, MESSAGE, &f.sig)),
        0
    );
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&[0; 32], MESSAGE, &f.sig)),
        0
    );

    // The identity as the key with R = identity and s = 0 satisfies the plain ed25519
    // equation for every message; `verify_strict` refuses the small-order key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut forged = [0u8; 64];
    forged[0] = 1;
    let weak = VerifyingKey::from_bytes(&identity).expect("decodes");
    assert!(
        weak.verify(MESSAGE, &Signature::from_bytes(&forged))
            .is_ok()
    );
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&identity, MESSAGE, &forged)),
        0
    );

    // s + ℓ (the same signature with a non-canonical scalar) is refused.
    const ELL: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut malleated = f.sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(malleated[32 + i]) + u16::from(ELL[i]) + carry;
        malleated[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "s + ℓ fits in 256 bits");
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&f.pk, MESSAGE, &malleated)),
        0
    );
}

#[test]
fn ed25519_out_of_bounds_pointers_trap() {
    let f = ed25519();
    let (mut s, id) = harness();
    let mut a = Arg::new(4);
    let (p, g) = (a.put(&f.pk), a.put(&f.sig));
    let base = a.data.clone();
    let with = |params: [u32; 4]| {
        let mut out = words(&params);
        out.extend_from_slice(&base);
        out
    };
    for (what, params) in [
        ("pk straddles the end", [END - 31, 0, 0, g]),
        ("pk past the end", [END, 0, 0, g]),
        ("pk negative", [u32::MAX, 0, 0, g]),
        ("msg straddles the end", [p, END - 1, 2, g]),
        ("empty msg one past the end", [p, END + 1, 0, g]),
        ("msg negative", [p, u32::MAX, 1, g]),
        ("sig straddles the end", [p, 0, 0, END - 63]),
        ("sig negative", [p, 0, 0, u32::MAX - 10]),
    ] {
        let r = call(&mut s, id, "ed25519", &with(params));
        assert_eq!(r.result, OOB, "{what}");
        assert_eq!(s.storage(&id, b"k"), Ok(None), "{what}: write kept");
    }
    // In bounds, just: fine (the signature does not verify, but nothing traps).
    assert_eq!(
        run(
            &mut s,
            id,
            "ed25519",
            &with([END - 32, END - 1, 1, END - 64])
        ),
        0
    );
}

#[test]
fn ed25519_message_at_the_cap_verifies_and_one_past_is_crypto_input() {
    let f = ed25519();
    let (mut s, id) = harness();
    let zeros = vec![0u8; MAX_SIGNED_MESSAGE_BYTES];
    let sig = f.key.sign(&zeros).to_bytes();
    let arg = |len: u32| {
        let mut a = Arg::new(4);
        let (p, g) = (a.put(&f.pk), a.put(&sig));
        a.finish(&[p, ZEROS, len, g])
    };
    assert_eq!(
        run(&mut s, id, "ed25519", &arg(MAX_SIGNED_MESSAGE_BYTES as u32)),
        1
    );
    let past = MAX_SIGNED_MESSAGE_BYTES + 1;
    // A fresh harness: the success above kept its write.
    let (mut s, id) = harness();
    assert_fails(
        &mut s,
        id,
        "ed25519",
        &arg(past as u32),
        &too_big(past, MAX_SIGNED_MESSAGE_BYTES),
    );
    // A negative length is a huge one.
    assert_fails(
        &mut s,
        id,
        "ed25519",
        &arg(u32::MAX),
        &too_big(u32::MAX as usize, MAX_SIGNED_MESSAGE_BYTES),
    );
}
