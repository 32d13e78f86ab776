//! Cryptographic host queries: ed25519, BLS12-381 and PLONK verification.
//!
//! Each follows the order of every host function (see the parent module): check the size caps
//! below (`LimitExceeded(CryptoInput)` past one), **charge gas** from the [`PriceTable`]
//! (`OutOfGas` before any work if the call cannot pay), check every pointer range
//! (`Trap(MemoryOutOfBounds)`), then verify. A key, signature, proof, verifier data or public
//! input that does not decode is not an error: the function returns 0, exactly as for a valid
//! encoding that does not verify. The verification libraries run under
//! [`std::panic::catch_unwind`], so a panic inside one of them is also a plain 0, never a crash
//! of the host.
//!
//! [`PriceTable`]: crate::gas::PriceTable

use super::{Ctx, HostResult, HostState, limit, memory, out_of_bounds, range};
use crate::gas::{PriceTable, price};
use crate::outcome::LimitKind;
use host_api::abi::{self, IMPORT_MODULE};
use std::panic::{AssertUnwindSafe, catch_unwind};
use wasmtime::Linker;

use bls12_381_bls::{PublicKey as BlsPublicKey, Signature as BlsSignature};
use dusk_bytes::Serializable;
use dusk_plonk::prelude::{BlsScalar, PlonkVersion, Proof, Verifier};

use host_api::limits::{
    BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES,
    MAX_PLONK_PROOF_BYTES, MAX_PLONK_PUBLIC_INPUT_BYTES, MAX_PLONK_VERIFIER_DATA_BYTES,
    MAX_SIGNED_MESSAGE_BYTES, PLONK_PUBLIC_INPUT_BYTES,
};

// dusk-plonk's proof size is the ABI's cap: a library upgrade that changes it fails the build.
const _: () = assert!(MAX_PLONK_PROOF_BYTES == Proof::SIZE);

/// Define the crypto host functions.
pub(crate) fn link(l: &mut Linker<HostState>) -> wasmtime::Result<()> {
    let m = IMPORT_MODULE;
    l.func_wrap(m, abi::ED25519_VERIFY.name, ed25519_verify)?;
    l.func_wrap(m, abi::BLS_VERIFY.name, bls_verify)?;
    l.func_wrap(m, abi::PLONK_VERIFY.name, plonk_verify)?;
    Ok(())
}

/// `ed25519_verify(pk, msg, msg_len, sig) -> 1 | 0`.
fn ed25519_verify(c: Ctx<'_>, pk: i32, msg: i32, msg_len: i32, sig: i32) -> HostResult<i32> {
    signature_query(
        c,
        [pk, msg, msg_len, sig],
        |p| (p.ed25519_verify_base, p.ed25519_verify_per_byte),
        ed25519,
    )
}

/// `bls_verify(pk, msg, msg_len, sig) -> 1 | 0`.
fn bls_verify(c: Ctx<'_>, pk: i32, msg: i32, msg_len: i32, sig: i32) -> HostResult<i32> {
    signature_query(
        c,
        [pk, msg, msg_len, sig],
        |p| (p.bls_verify_base, p.bls_verify_per_byte),
        bls,
    )
}

/// `plonk_verify(vd, vd_len, proof, proof_len, pi, pi_len) -> 1 | 0`.
fn plonk_verify(
    mut c: Ctx<'_>,
    vd: i32,
    vd_len: i32,
    proof: i32,
    proof_len: i32,
    pi: i32,
    pi_len: i32,
) -> HostResult<i32> {
    let vd_len = vd_len as u32 as usize;
    let proof_len = proof_len as u32 as usize;
    let pi_len = pi_len as u32 as usize;
    limit(
        LimitKind::CryptoInput,
        vd_len,
        MAX_PLONK_VERIFIER_DATA_BYTES,
    )?;
    limit(LimitKind::CryptoInput, proof_len, MAX_PLONK_PROOF_BYTES)?;
    limit(LimitKind::CryptoInput, pi_len, MAX_PLONK_PUBLIC_INPUT_BYTES)?;
    let p = &c.data().prices;
    // Public inputs are charged by the started 32-byte word, so a malformed length
    // costs no less than the inputs it could have held.
    let inputs = pi_len.div_ceil(PLONK_PUBLIC_INPUT_BYTES);
    let gas = price(p.plonk_verify_base, p.plonk_verify_per_byte, vd_len).saturating_add(
        p.plonk_verify_per_public_input
            .saturating_mul(inputs as u64),
    );
    super::charge(&mut c, gas)?;
    let mem = memory(&c)?;
    let data = mem.data(&c);
    let vd = slice(data, vd, vd_len)?;
    let proof = slice(data, proof, proof_len)?;
    let pi = slice(data, pi, pi_len)?;
    Ok(contained(|| plonk(vd, proof, pi)))
}

/// `ed25519_verify` and `bls_verify`: `(pk, msg, msg_len, sig)` with a fixed-size key and
/// signature, checked in the order of every host function (cap, gas, bounds, work).
fn signature_query<const PK: usize, const SIG: usize>(
    mut c: Ctx<'_>,
    [pk, msg, msg_len, sig]: [i32; 4],
    prices_of: impl Fn(&PriceTable) -> (u64, u64),
    verify: fn(&[u8; PK], &[u8], &[u8; SIG]) -> bool,
) -> HostResult<i32> {
    let msg_len = msg_len as u32 as usize;
    limit(LimitKind::CryptoInput, msg_len, MAX_SIGNED_MESSAGE_BYTES)?;
    let (base, per_byte) = prices_of(&c.data().prices);
    super::charge(&mut c, price(base, per_byte, msg_len))?;
    let mem = memory(&c)?;
    let data = mem.data(&c);
    let pk = fixed::<PK>(data, pk)?;
    let msg = slice(data, msg, msg_len)?;
    let sig = fixed::<SIG>(data, sig)?;
    Ok(contained(|| verify(pk, msg, sig)))
}

/// `len` bytes of memory at `ptr`, or `Trap(MemoryOutOfBounds)`.
fn slice(data: &[u8], ptr: i32, len: usize) -> HostResult<&[u8]> {
    data.get(range(ptr, len)?).ok_or_else(out_of_bounds)
}

/// Exactly `N` bytes of memory at `ptr`, or `Trap(MemoryOutOfBounds)`.
fn fixed<const N: usize>(data: &[u8], ptr: i32) -> HostResult<&[u8; N]> {
    slice(data, ptr, N)?.try_into().map_err(|_| out_of_bounds())
}

/// Run a verification, turning a panic inside the library into "does not verify" (0): the
/// host never crashes on what a contract passes, and a panic is as deterministic as its input.
fn contained(verify: impl FnOnce() -> bool) -> i32 {
    i32::from(catch_unwind(AssertUnwindSafe(verify)).unwrap_or(false))
}

/// ed25519 with `verify_strict`: refuses non-canonical `s`, small-order public keys and
/// small-order `R`, so a signature is not malleable.
fn ed25519(
    pk: &[u8; ED25519_PUBLIC_KEY_BYTES],
    msg: &[u8],
    sig: &[u8; ED25519_SIGNATURE_BYTES],
) -> bool {
    let Ok(pk) = ed25519_dalek::VerifyingKey::from_bytes(pk) else {
        return false;
    };
    let sig = ed25519_dalek::Signature::from_bytes(sig);
    pk.verify_strict(msg, &sig).is_ok()
}

/// BLS12-381 (bls12_381-bls, "minimal signature size": public key in G2, signature in G1, the
/// message hashed to G1 with its `BLS_SIG_BLS12381G1_XMD:SHA-256_DUSK_V2` domain). The plain,
/// single-key verification: both points must decode, lie in their prime-order subgroup and
/// not be the identity.
fn bls(pk: &[u8; BLS_PUBLIC_KEY_BYTES], msg: &[u8], sig: &[u8; BLS_SIGNATURE_BYTES]) -> bool {
    let (Ok(pk), Ok(sig)) = (BlsPublicKey::from_bytes(pk), BlsSignature::from_bytes(sig)) else {
        return false;
    };
    pk.verify(&sig, msg).is_ok()
}

/// dusk-plonk verification, pinned to `PlonkVersion::V3` (the transcript a proof from
/// `Prover::prove` of dusk-plonk 0.22 uses) so that a library upgrade cannot silently change
/// which proofs verify. The verifier data must be exactly what `Verifier::to_bytes` writes (no
/// trailing or re-encoded bytes), the proof exactly `Proof::to_bytes`, and the public inputs
/// canonical scalars, as many as the verifier expects.
fn plonk(vd: &[u8], proof: &[u8], pi: &[u8]) -> bool {
    let Ok(proof) = <&[u8; Proof::SIZE]>::try_from(proof) else {
        return false;
    };
    let Ok(proof) = Proof::from_bytes(proof) else {
        return false;
    };
    if !pi.len().is_multiple_of(PLONK_PUBLIC_INPUT_BYTES) {
        return false;
    }
    let mut inputs = Vec::with_capacity(pi.len() / PLONK_PUBLIC_INPUT_BYTES);
    for word in pi.chunks_exact(PLONK_PUBLIC_INPUT_BYTES) {
        let Ok(word) = <&[u8; PLONK_PUBLIC_INPUT_BYTES]>::try_from(word) else {
            return false;
        };
        let Some(scalar) = Option::<BlsScalar>::from(BlsScalar::from_bytes(word)) else {
            return false;
        };
        inputs.push(scalar);
    }
    let Ok(verifier) = Verifier::try_from_bytes(vd) else {
        return false;
    };
    if verifier.to_bytes() != vd {
        return false;
    }
    verifier
        .verify_with_version(&proof, &inputs, PlonkVersion::V3)
        .is_ok()
}
