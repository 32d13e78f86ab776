//! `plonk_verify`.

use super::*;

// ---------------------------------------------------------------------------------------------
// plonk_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn plonk_valid_proof_verifies() {
    let f = plonk();
    assert_eq!(f.proof.len(), MAX_PLONK_PROOF_BYTES);
    // 48-byte header, label, verifier key (968), opening key (240), 8 per public input.
    assert_eq!(f.vd.len(), 48 + f.label_len + 968 + 240 + 8);
    let (mut s, id) = harness();
    assert_eq!(
        run(&mut s, id, "plonk", &plonk_arg(&f.vd, &f.proof, &f.pi)),
        1
    );
    assert_eq!(s.storage(&id, b"k"), Ok(Some(b"v".to_vec())));
}

#[test]
fn plonk_tampered_proof_or_public_input_is_0() {
    let f = plonk();
    let (mut s, id) = harness();
    let v = |s: &mut Session, vd: &[u8], proof: &[u8], pi: &[u8]| {
        run(s, id, "plonk", &plonk_arg(vd, proof, pi))
    };
    // A different public input: 3 + 4 ≠ 8.
    assert_eq!(
        v(&mut s, &f.vd, &f.proof, &scalar_bytes(&BlsScalar::from(8))),
        0
    );
    // A flipped byte in a commitment (usually no longer a point) and in an evaluation (still
    // a scalar, but wrong).
    for i in [0, 47, 100, 11 * 48, MAX_PLONK_PROOF_BYTES - 2] {
        assert_eq!(
            v(&mut s, &f.vd, &flip(&f.proof, i), &f.pi),
            0,
            "proof byte {i}"
        );
    }
    // The proof of the same statement for another label (another transcript).
    assert_eq!(v(&mut s, &f.vd, &f.proof_at_cap, &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd_at_cap, &f.proof, &f.pi), 0);
}

#[test]
fn plonk_malformed_inputs_are_0() {
    let f = plonk();
    let (mut s, id) = harness();
    let v = |s: &mut Session, vd: &[u8], proof: &[u8], pi: &[u8]| {
        run(s, id, "plonk", &plonk_arg(vd, proof, pi))
    };
    // Public inputs: none, two, not a multiple of 32 bytes, a non-canonical scalar (≥ r).
    assert_eq!(v(&mut s, &f.vd, &f.proof, b""), 0);
    assert_eq!(v(&mut s, &f.vd, &f.proof, &f.pi.repeat(2)), 0);
    assert_eq!(v(&mut s, &f.vd, &f.proof, &f.pi[..31]), 0);
    assert_eq!(
        v(&mut s, &f.vd, &f.proof, &[f.pi.as_slice(), &[0]].concat()),
        0
    );
    assert_eq!(v(&mut s, &f.vd, &f.proof, &[0xff; 32]), 0);
    // The proof: empty, truncated, garbage.
    assert_eq!(v(&mut s, &f.vd, b"", &f.pi), 0);
    assert_eq!(
        v(&mut s, &f.vd, &f.proof[..MAX_PLONK_PROOF_BYTES - 1], &f.pi),
        0
    );
    assert_eq!(v(&mut s, &f.vd, &[0xff; MAX_PLONK_PROOF_BYTES], &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd, &[0; MAX_PLONK_PROOF_BYTES], &f.pi), 0);
    // Verifier data: empty, a short header, truncated, one trailing byte, garbage, a flipped
    // byte in a commitment of the verifier key, lengths in the header that overflow.
    assert_eq!(v(&mut s, b"", &f.proof, &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd[..47], &f.proof, &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd[..f.vd.len() - 1], &f.proof, &f.pi), 0);
    assert_eq!(
        v(&mut s, &[f.vd.as_slice(), &[0]].concat(), &f.proof, &f.pi),
        0
    );
    assert_eq!(v(&mut s, &[0xff; 2000], &f.proof, &f.pi), 0);
    let vk = 48 + f.label_len;
    assert_eq!(v(&mut s, &flip(&f.vd, vk + 8 + 5), &f.proof, &f.pi), 0);
    let mut overflow = f.vd.clone();
    overflow[..8].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(v(&mut s, &overflow, &f.proof, &f.pi), 0);
}

#[test]
fn plonk_panic_inside_the_library_is_contained() {
    // The verifier key's circuit size `n` (its first 8 bytes) set to u64::MAX: dusk-plonk's
    // evaluation domain computes `n.next_power_of_two()`, which panics on overflow in a debug
    // build (and wraps to a refused size in release). Either way the host returns 0.
    let f = plonk();
    let at = 48 + f.label_len;
    let mut vd = f.vd.clone();
    vd[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let verifier = dusk_plonk::prelude::Verifier::try_from_bytes(&vd).expect("still decodes");
    let proof = dusk_plonk::prelude::Proof::from_slice(&f.proof).expect("proof");
    let direct =
        std::panic::catch_unwind(|| verifier.verify(&proof, &[BlsScalar::from(7)]).is_ok());
    if cfg!(debug_assertions) {
        assert!(direct.is_err(), "the library panics in a debug build");
    } else {
        assert_eq!(direct.ok(), Some(false));
    }
    let (mut s, id) = harness();
    assert_eq!(
        run(&mut s, id, "plonk", &plonk_arg(&vd, &f.proof, &f.pi)),
        0
    );
    // The host is fine: the next call verifies.
    assert_eq!(
        run(&mut s, id, "plonk", &plonk_arg(&f.vd, &f.proof, &f.pi)),
        1
    );
}

#[test]
fn plonk_out_of_bounds_pointers_trap() {
    let f = plonk();
    let (mut s, id) = harness();
    let mut a = Arg::new(6);
    let (v, p, i) = (a.put(&f.vd), a.put(&f.proof), a.put(&f.pi));
    let (vl, pl, il) = (f.vd.len() as u32, f.proof.len() as u32, f.pi.len() as u32);
    let base = a.data.clone();
    let with = |params: [u32; 6]| {
        let mut out = words(&params);
        out.extend_from_slice(&base);
        out
    };
    for params in [
        [END - vl + 1, vl, p, pl, i, il],
        [END + 1, 0, p, pl, i, il],
        [u32::MAX, 2, p, pl, i, il],
        [v, vl, END - pl + 1, pl, i, il],
        [v, vl, END + 1, 0, i, il],
        [v, vl, u32::MAX - 4, pl, i, il],
        [v, vl, p, pl, END - 31, il],
        [v, vl, p, pl, END + 1, 0],
        [v, vl, p, pl, u32::MAX, il],
    ] {
        assert_fails(&mut s, id, "plonk", &with(params), &OOB);
    }
    assert_eq!(
        run(
            &mut s,
            id,
            "plonk",
            &with([END, 0, END - pl, pl, END - il, il])
        ),
        0
    );
}

#[test]
fn plonk_inputs_at_the_caps_are_accepted_and_one_past_is_crypto_input() {
    let f = plonk();
    assert_eq!(f.vd_at_cap.len(), MAX_PLONK_VERIFIER_DATA_BYTES);
    let (mut s, id) = harness();
    // Verifier data and proof exactly at their caps: a real verification.
    assert_eq!(
        run(
            &mut s,
            id,
            "plonk",
            &plonk_arg(&f.vd_at_cap, &f.proof_at_cap, &f.pi)
        ),
        1
    );
    // Public inputs at the cap (zeros): accepted, and 0 (the verifier expects one).
    let mut a = Arg::new(6);
    let (v, p) = (a.put(&f.vd), a.put(&f.proof));
    let at = a.finish(&[
        v,
        f.vd.len() as u32,
        p,
        f.proof.len() as u32,
        ZEROS,
        MAX_PLONK_PUBLIC_INPUT_BYTES as u32,
    ]);
    assert_eq!(run(&mut s, id, "plonk", &at), 0);

    // One past each cap (the bytes are zeros in memory; the size alone refuses the call).
    let (vd_past, proof_past, pi_past) = (
        MAX_PLONK_VERIFIER_DATA_BYTES + 1,
        MAX_PLONK_PROOF_BYTES + 1,
        MAX_PLONK_PUBLIC_INPUT_BYTES + 1,
    );
    let raw = |params: [usize; 6]| words(&params.map(|w| w as u32));
    let z = ZEROS as usize;
    // A fresh harness: the successes above kept their write.
    let (mut s, id) = harness();
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([z, vd_past, z, 0, z, 0]),
        &too_big(vd_past, MAX_PLONK_VERIFIER_DATA_BYTES),
    );
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([z, 0, z, proof_past, z, 0]),
        &too_big(proof_past, MAX_PLONK_PROOF_BYTES),
    );
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([z, 0, z, 0, z, pi_past]),
        &too_big(pi_past, MAX_PLONK_PUBLIC_INPUT_BYTES),
    );
    // Negative lengths are huge ones; the caps are checked before the pointers.
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([0, u32::MAX as usize, 0, 0, 0, 0]),
        &too_big(u32::MAX as usize, MAX_PLONK_VERIFIER_DATA_BYTES),
    );
}
