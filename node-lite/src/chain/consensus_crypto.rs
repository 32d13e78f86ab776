//! BLS12-381 signatures for the consensus: [`BlsSigner`] (a provisioner's key) and
//! [`BlsCrypto`] (verification and aggregation), the devnet's implementations of the
//! `consensus` crate's [`Signer`] and [`Crypto`] traits.
//!
//! The scheme is `bls12_381-bls`' single-signature scheme (signature in G1, 48 bytes; public
//! key in G2, 96 bytes; hash to curve RFC 9380), the one the stake contract's keys, the
//! committee contract's sortition proofs and the runtime's `bls_verify` host function use: a
//! vote or a VRF proof signed here verifies in a contract too, byte for byte.
//!
//! **Aggregation** is the plain sum: an aggregate signature is the sum of the voters'
//! signatures over one message, and it verifies against the sum of their public keys. Plain
//! summing is open to rogue-key attacks unless every key has proved possession of its secret:
//! the stake contract's `stake` requires that proof, so use [`BlsCrypto`] only with keys of the
//! eligible set (which is what the consensus passes it).
//!
//! Decoding a public key (decompression and the subgroup check) is costly, so [`BlsCrypto`]
//! keeps the decoded keys it has seen (at most [`MAX_CACHED_KEYS`], all forgotten at once past
//! it), and an aggregate's summed key is never compressed and decoded again. Measured costs: `cargo run -p node-lite --example consensus_crypto_timing`.

use crate::genesis::ProvisionerKey;
use bls12_381_bls::{PublicKey, Signature};
use consensus::{Crypto, Signer};
use dusk_bls12_381::{G1Affine, G1Projective, G2Affine, G2Projective};
use dusk_bytes::Serializable;
use genesis_types::{BlsPublicKey, BlsSignature};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many decoded public keys a [`BlsCrypto`] keeps (a devnet has far fewer provisioners).
pub const MAX_CACHED_KEYS: usize = 65_536;

/// A provisioner's BLS secret key, signing votes, candidates, seeds and sortition proofs.
pub struct BlsSigner {
    key: ProvisionerKey,
}

impl BlsSigner {
    /// The key of the provisioner whose genesis seed string is `seed` (the key
    /// [`super::keys::provisioner_key`] derives and the genesis stakes).
    pub fn from_seed(seed: &str) -> Self {
        BlsSigner {
            key: super::keys::provisioner_key(seed),
        }
    }
}

impl From<ProvisionerKey> for BlsSigner {
    fn from(key: ProvisionerKey) -> Self {
        BlsSigner { key }
    }
}

impl Signer for BlsSigner {
    fn public_key(&self) -> BlsPublicKey {
        self.key.public
    }

    fn sign(&self, message: &[u8]) -> BlsSignature {
        self.key.sign(message)
    }
}

/// A decoded public key: the form `verify` takes and the point aggregation sums.
#[derive(Clone, Copy)]
struct Decoded {
    key: PublicKey,
    point: G2Affine,
}

/// BLS verification and aggregation (no secret material; share it behind an `Arc`).
#[derive(Default)]
pub struct BlsCrypto {
    keys: Mutex<HashMap<BlsPublicKey, Decoded>>,
}

impl BlsCrypto {
    /// A verifier with no decoded key yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The decoded key, or `None` if the bytes are not a point of G2's prime-order subgroup
    /// other than the identity.
    fn decode(&self, key: &BlsPublicKey) -> Option<Decoded> {
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = cache.get(key) {
            return Some(*d);
        }
        let decoded = PublicKey::from_bytes(&key.0)
            .ok()
            .filter(PublicKey::is_valid)?;
        let point = Option::<G2Affine>::from(G2Affine::from_compressed(&key.0))?;
        if cache.len() >= MAX_CACHED_KEYS {
            cache.clear();
        }
        let d = Decoded {
            key: decoded,
            point,
        };
        cache.insert(*key, d);
        Some(d)
    }
}

impl Crypto for BlsCrypto {
    fn verify(&self, key: &BlsPublicKey, message: &[u8], signature: &BlsSignature) -> bool {
        let (Some(key), Ok(signature)) = (self.decode(key), Signature::from_bytes(&signature.0))
        else {
            return false;
        };
        key.key.verify(&signature, message).is_ok()
    }

    fn aggregate(&self, signatures: &[BlsSignature]) -> Option<BlsSignature> {
        let mut sum = G1Projective::identity();
        for s in signatures {
            let point = Option::<G1Affine>::from(G1Affine::from_compressed(&s.0))?;
            sum += point;
        }
        Some(BlsSignature(G1Affine::from(sum).to_compressed()))
    }

    fn verify_aggregate(
        &self,
        keys: &[BlsPublicKey],
        message: &[u8],
        aggregate: &BlsSignature,
    ) -> bool {
        if keys.is_empty() {
            return false;
        }
        let mut sum = G2Projective::identity();
        for key in keys {
            let Some(d) = self.decode(key) else {
                return false;
            };
            sum += d.point;
        }
        // The sum of the keys as one public key: `verify` checks e(aggregate, g2) =
        // e(H(m), Σ pk), and refuses the identity (keys that cancel out). The sum is handed
        // over in its raw (uncompressed) form: compressing it and decoding it again cost a
        // square root in Fp2 and a subgroup check per aggregate, which `verify` repeats anyway.
        let raw = G2Affine::from(sum).to_raw_bytes();
        // SAFETY: `from_slice_unchecked` trusts its bytes to be `to_raw_bytes` of a point (it
        // checks nothing); these are, of the sum just computed. `verify` then checks that the
        // point is on the curve, in the prime-order subgroup and not the identity before any
        // use, as it does for a decoded key.
        let sum = unsafe { PublicKey::from_slice_unchecked(&raw) };
        let Ok(aggregate) = Signature::from_bytes(&aggregate.0) else {
            return false;
        };
        sum.verify(&aggregate, message).is_ok()
    }
}

#[cfg(test)]
#[path = "consensus_crypto_tests.rs"]
mod tests;
