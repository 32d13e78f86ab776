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
//! **What a check costs, and what is done once.** `bls12_381-bls`' `PublicKey::verify` checks
//! the key's and the signature's subgroup membership and prepares the key and the generator of
//! G2 for the pairing on every call. [`BlsCrypto`] does the same check with the curve crate's
//! primitives (`e(σ, g₂) · e(−H(m), pk) = 1` in one multi-Miller loop and one final
//! exponentiation, `H` = the scheme's RFC 9380 hash to G1 with its domain tag): a key is decoded,
//! checked (on the curve, in the prime-order subgroup, not the identity) and prepared once and
//! kept (at most [`MAX_CACHED_KEYS`], all forgotten at once past it); the generator is prepared
//! once per process; a signature is checked once, when it is decoded. The tests compare every
//! outcome with `PublicKey::verify`'s. An aggregate's summed key is never compressed and decoded
//! again.
//!
//! **Checked once per process.** A check is a pure function of its bytes (key or keys, message,
//! signature), so [`BlsCrypto`] records the BLAKE2b-256 digest of the inputs of each check that
//! succeeded in a bounded set ([`VerifiedSet`], [`VERIFIED_CHECKS`] records, oldest out first)
//! and answers a recorded check without the pairing. A devnet's nodes share one [`BlsCrypto`]:
//! each vote, VRF proof and aggregate is then checked once by the process instead of once per
//! node, and a VRF proof already checked with its vote is not checked again inside the
//! attestation that carries it. Only successes are recorded (a failed check is made again,
//! never cached). The set is per process and never crosses a network: a node of a multi-process
//! network checks what it receives itself, once.
//!
//! Measured costs: `cargo run -p node-lite --example consensus_crypto_timing`.

use super::verified::VerifiedSet;
use crate::genesis::ProvisionerKey;
use consensus::{Crypto, Signer, blake2b256};
use dusk_bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use dusk_bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Gt};
use genesis_types::{BlsPublicKey, BlsSignature};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// How many decoded public keys a [`BlsCrypto`] keeps (a devnet has far fewer provisioners).
pub const MAX_CACHED_KEYS: usize = 65_536;

/// How many successful checks a [`BlsCrypto`] remembers: a block of a 4-provisioner devnet
/// makes a few dozen, a 64-member committee a few hundred per step.
pub const VERIFIED_CHECKS: usize = 8_192;

/// The domain tag of the signature scheme's hash to G1 (`bls12_381-bls` 0.6's `h0`: the
/// stake contract and the runtime's `bls_verify` check the same signatures).
const HASH_TO_G1_DST: &[u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_DUSK_V2";

/// The generator of G2, prepared for the Miller loop once per process.
static G2_GENERATOR: LazyLock<G2Prepared> =
    LazyLock::new(|| G2Prepared::from(G2Affine::generator()));

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

/// A decoded, checked public key: the point aggregation sums and its pairing form.
#[derive(Clone)]
struct Decoded {
    point: G2Affine,
    prepared: Arc<G2Prepared>,
}

/// BLS verification and aggregation (no secret material; share it behind an `Arc`).
pub struct BlsCrypto {
    keys: Mutex<HashMap<BlsPublicKey, Decoded>>,
    verified: VerifiedSet<[u8; 32]>,
}

impl Default for BlsCrypto {
    fn default() -> Self {
        Self::with_verified_capacity(VERIFIED_CHECKS)
    }
}

impl BlsCrypto {
    /// A verifier with no decoded key yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A verifier that remembers at most `capacity` successful checks (0: none).
    pub fn with_verified_capacity(capacity: usize) -> Self {
        BlsCrypto {
            keys: Mutex::new(HashMap::new()),
            verified: VerifiedSet::new(capacity),
        }
    }

    /// How many successful checks are remembered.
    pub fn verified_len(&self) -> usize {
        self.verified.len()
    }

    /// The decoded key, or `None` if the bytes are not a point of G2's prime-order subgroup
    /// other than the identity.
    fn decode(&self, key: &BlsPublicKey) -> Option<Decoded> {
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = cache.get(key) {
            return Some(d.clone());
        }
        // `from_compressed` checks that the point is on the curve and in the subgroup.
        let point = Option::<G2Affine>::from(G2Affine::from_compressed(&key.0))?;
        if bool::from(point.is_identity()) {
            return None;
        }
        if cache.len() >= MAX_CACHED_KEYS {
            cache.clear();
        }
        let d = Decoded {
            point,
            prepared: Arc::new(G2Prepared::from(point)),
        };
        cache.insert(*key, d.clone());
        Some(d)
    }

    /// Whether the check whose inputs digest to `digest` succeeded before; otherwise runs
    /// `check` and records a success.
    fn once(&self, digest: [u8; 32], check: impl FnOnce() -> bool) -> bool {
        if self.verified.contains(&digest) {
            return true;
        }
        let ok = check();
        if ok {
            self.verified.insert(digest);
        }
        ok
    }
}

/// The signature as a point of G1's prime-order subgroup other than the identity.
fn decode_signature(signature: &BlsSignature) -> Option<G1Affine> {
    // `from_compressed` checks that the point is on the curve and in the subgroup.
    let point = Option::<G1Affine>::from(G1Affine::from_compressed(&signature.0))?;
    (!bool::from(point.is_identity())).then_some(point)
}

/// `e(signature, g₂) = e(H(message), key)`, as `e(σ, g₂) · e(−H(m), pk) = 1` in one
/// multi-Miller loop (the points already checked).
fn pairing_check(key: &G2Prepared, message: &[u8], signature: &G1Affine) -> bool {
    let h = G1Affine::from(
        <G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(message, HASH_TO_G1_DST),
    );
    let result = dusk_bls12_381::multi_miller_loop(&[(signature, &G2_GENERATOR), (&-h, key)])
        .final_exponentiation();
    result == Gt::identity()
}

/// The digest a check is remembered by: a domain byte, then every input, lengths fixed or
/// given, so that two different checks never share their bytes.
fn check_digest(
    kind: u8,
    keys: &[BlsPublicKey],
    message: &[u8],
    signature: &BlsSignature,
) -> [u8; 32] {
    let mut bytes = Vec::with_capacity(1 + 4 + keys.len() * 96 + 48 + message.len());
    bytes.push(kind);
    bytes.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for key in keys {
        bytes.extend_from_slice(&key.0);
    }
    bytes.extend_from_slice(&signature.0);
    bytes.extend_from_slice(message);
    blake2b256(&bytes)
}

impl Crypto for BlsCrypto {
    fn verify(&self, key: &BlsPublicKey, message: &[u8], signature: &BlsSignature) -> bool {
        let digest = check_digest(0, std::slice::from_ref(key), message, signature);
        self.once(digest, || {
            let (Some(key), Some(signature)) = (self.decode(key), decode_signature(signature))
            else {
                return false;
            };
            pairing_check(&key.prepared, message, &signature)
        })
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
        let digest = check_digest(1, keys, message, aggregate);
        self.once(digest, || {
            let mut sum = G2Projective::identity();
            for key in keys {
                let Some(d) = self.decode(key) else {
                    return false;
                };
                sum += d.point;
            }
            // The sum of the keys is one public key (already in the subgroup: a sum of its
            // points); the identity (keys that cancel out) is refused, as for a single key.
            let sum = G2Affine::from(sum);
            let Some(aggregate) = decode_signature(aggregate) else {
                return false;
            };
            !bool::from(sum.is_identity())
                && pairing_check(&G2Prepared::from(sum), message, &aggregate)
        })
    }
}

#[cfg(test)]
#[path = "consensus_crypto_tests.rs"]
mod tests;
