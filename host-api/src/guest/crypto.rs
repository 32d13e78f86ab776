//! Signature and proof verification, done by the host (priced before it runs; see ABI.md).
//!
//! Each returns `true` only for a valid input; a malformed key, signature, proof or public
//! input is simply `false`. Inputs past the ABI's caps
//! ([`MAX_SIGNED_MESSAGE_BYTES`](crate::limits::MAX_SIGNED_MESSAGE_BYTES) and the PLONK caps in
//! [`limits`](crate::limits)) stop the call with `LimitExceeded(CryptoInput)`.

use super::sys;
use crate::limits::{
    BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES,
    PLONK_PUBLIC_INPUT_BYTES,
};

/// Whether `signature` is a valid ed25519 signature of `message` under `public_key`
/// (strict verification: no malleable signatures, no small-order keys).
pub fn ed25519_verify(
    public_key: &[u8; ED25519_PUBLIC_KEY_BYTES],
    message: &[u8],
    signature: &[u8; ED25519_SIGNATURE_BYTES],
) -> bool {
    // SAFETY: the host reads 32 bytes at `public_key`, `message.len()` at `message` and 64 at
    // `signature`, all inside the borrowed buffers.
    unsafe {
        sys::ed25519_verify(
            public_key.as_ptr(),
            message.as_ptr(),
            message.len() as u32,
            signature.as_ptr(),
        ) == 1
    }
}

/// Whether `signature` (a compressed G1 point) is a valid BLS12-381 signature of `message`
/// under `public_key` (a compressed G2 point), as `bls12_381-bls` 0.6 signs.
pub fn bls_verify(
    public_key: &[u8; BLS_PUBLIC_KEY_BYTES],
    message: &[u8],
    signature: &[u8; BLS_SIGNATURE_BYTES],
) -> bool {
    // SAFETY: the host reads 96 bytes at `public_key`, `message.len()` at `message` and 48 at
    // `signature`, all inside the borrowed buffers.
    unsafe {
        sys::bls_verify(
            public_key.as_ptr(),
            message.as_ptr(),
            message.len() as u32,
            signature.as_ptr(),
        ) == 1
    }
}

/// Whether `proof` (dusk-plonk `Proof::to_bytes`) verifies against `verifier_data`
/// (`Verifier::to_bytes`) and `public_inputs` (canonical little-endian BLS12-381 scalars, in
/// the circuit's order).
pub fn plonk_verify(
    verifier_data: &[u8],
    proof: &[u8],
    public_inputs: &[[u8; PLONK_PUBLIC_INPUT_BYTES]],
) -> bool {
    let inputs = public_inputs.as_flattened();
    // SAFETY: the host reads each buffer within its length.
    unsafe {
        sys::plonk_verify(
            verifier_data.as_ptr(),
            verifier_data.len() as u32,
            proof.as_ptr(),
            proof.len() as u32,
            inputs.as_ptr(),
            inputs.len() as u32,
        ) == 1
    }
}
