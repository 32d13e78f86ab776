//! `bls_verify`.

use super::*;

// ---------------------------------------------------------------------------------------------
// bls_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn bls_valid_signature_verifies() {
    let f = bls();
    assert_eq!((f.pk.len(), f.sig.len()), (96, 48));
    let (mut s, id) = harness();
    assert_eq!(run(&mut s, id, "bls", &sig_arg(&f.pk, MESSAGE, &f.sig)), 1);
    assert_eq!(s.storage(&id, b"k"), Ok(Some(b"v".to_vec())));
}

#[test]
fn bls_tampered_message_or_signature_is_0() {
    let f = bls();
    let (mut s, id) = harness();
    let v = |s: &mut Session, pk: &[u8], msg: &[u8], sig: &[u8]| {
        run(s, id, "bls", &sig_arg(pk, msg, sig))
    };
    assert_eq!(v(&mut s, &f.pk, &flip(MESSAGE, 0), &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, b"", &f.sig), 0);
    // Flipping the last byte of the compressed x keeps a well-formed encoding more often than
    // not; either way the result is 0.
    for i in [47, 40, 20] {
        assert_eq!(
            v(&mut s, &f.pk, MESSAGE, &flip(&f.sig, i)),
            0,
            "sig byte {i}"
        );
    }
    // A valid signature of another message, and another key.
    let other_sig = f.key.sign(b"another message").to_bytes();
    assert_eq!(v(&mut s, &f.pk, MESSAGE, &other_sig), 0);
    let other = bls12_381_bls::SecretKey::random(&mut ChaCha20Rng::seed_from_u64(2));
    let other_pk = bls12_381_bls::PublicKey::from(&other).to_bytes();
    assert_eq!(v(&mut s, &other_pk, MESSAGE, &f.sig), 0);
    assert_eq!(
        v(&mut s, &other_pk, MESSAGE, &other.sign(MESSAGE).to_bytes()),
        1
    );
}

#[test]
fn bls_malformed_points_are_0() {
    let f = bls();
    let (mut s, id) = harness();
    let v = |s: &mut Session, pk: &[u8], sig: &[u8]| run(s, id, "bls", &sig_arg(pk, MESSAGE, sig));
    // Not compressed encodings at all (the compression flag is the top bit).
    assert_eq!(v(&mut s, &[0; 96], &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &[0; 48]), 0);
    assert_eq!(v(&mut s, &[0xff; 96], &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &[0xff; 48]), 0);
    // The identity (compressed, infinity flag): well-formed, refused by verification.
    let mut inf_pk = [0u8; 96];
    inf_pk[0] = 0xc0;
    let mut inf_sig = [0u8; 48];
    inf_sig[0] = 0xc0;
    assert_eq!(v(&mut s, &inf_pk, &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &inf_sig), 0);
    assert_eq!(v(&mut s, &inf_pk, &inf_sig), 0);
    // The key's first 48 bytes as a signature.
    assert_eq!(v(&mut s, &f.pk, &f.pk[..48]), 0);
}

#[test]
fn bls_out_of_bounds_pointers_trap() {
    let f = bls();
    let (mut s, id) = harness();
    let mut a = Arg::new(4);
    let (p, g) = (a.put(&f.pk), a.put(&f.sig));
    let base = a.data.clone();
    let with = |params: [u32; 4]| {
        let mut out = words(&params);
        out.extend_from_slice(&base);
        out
    };
    for params in [
        [END - 95, 0, 0, g],
        [u32::MAX, 0, 0, g],
        [p, END - 1, 2, g],
        [p, END + 1, 0, g],
        [p, u32::MAX, 1, g],
        [p, 0, 0, END - 47],
        [p, 0, 0, u32::MAX],
    ] {
        assert_fails(&mut s, id, "bls", &with(params), &OOB);
    }
    assert_eq!(
        run(&mut s, id, "bls", &with([END - 96, END, 0, END - 48])),
        0
    );
}

#[test]
fn bls_message_at_the_cap_verifies_and_one_past_is_crypto_input() {
    let f = bls();
    let (mut s, id) = harness();
    let zeros = vec![0u8; MAX_SIGNED_MESSAGE_BYTES];
    let sig = f.key.sign(&zeros).to_bytes();
    let arg = |len: u32| {
        let mut a = Arg::new(4);
        let (p, g) = (a.put(&f.pk), a.put(&sig));
        a.finish(&[p, ZEROS, len, g])
    };
    assert_eq!(
        run(&mut s, id, "bls", &arg(MAX_SIGNED_MESSAGE_BYTES as u32)),
        1
    );
    let past = MAX_SIGNED_MESSAGE_BYTES + 1;
    // A fresh harness: the success above kept its write.
    let (mut s, id) = harness();
    assert_fails(
        &mut s,
        id,
        "bls",
        &arg(past as u32),
        &too_big(past, MAX_SIGNED_MESSAGE_BYTES),
    );
}
