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
//! **What the process signed is not checked again.** A devnet's signers record each signature
//! they make in the verifier the nodes share ([`BlsSigner::recording_into`]): `sk·H(m)`
//! verifies against `pk = sk·g₂` by the scheme's correctness, and the signer checks once, with a
//! pairing, that its public key is its secret's (one whose key does not match records nothing).
//! The nodes of the process then pair none of the votes, proofs, candidates and seeds it made;
//! a node of another process checks them as any message.
//!
//! **Checks by one key made together.** A private-mode vote carries its signature and its VRF
//! proof, a candidate its signature and its seed, a fault proof two votes: each pair is by one
//! key, and [`Crypto::verify_all`] checks the pair (or any set of checks) as one pairing
//! equation with random coefficients (`combined_check`: one multi-Miller loop and one final
//! exponentiation instead of two of each; its doc says why the answer is the checks' own).
//! When the combination fails, nothing is remembered and the consensus checks each alone, so
//! the error names the one at fault and the record holds only checks that held.
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
    /// The verifier its signatures are recorded in as checked ([`BlsSigner::recording_into`]).
    records: Option<Arc<BlsCrypto>>,
}

impl BlsSigner {
    /// The key of the provisioner whose genesis seed string is `seed` (the key
    /// [`super::keys::provisioner_key`] derives and the genesis stakes).
    pub fn from_seed(seed: &str) -> Self {
        BlsSigner::from(super::keys::provisioner_key(seed))
    }

    /// This signer, recording each signature it makes in `crypto`'s set of successful checks,
    /// so that the nodes sharing `crypto` (a devnet's) answer its check without a pairing:
    /// a signature `sk·H(m)` verifies against `pk = sk·g₂` by the scheme's correctness, which
    /// this checks once here, with a pairing, for a message of its own. A signer whose public
    /// key does not match its secret (that check fails) records nothing.
    pub fn recording_into(mut self, crypto: Arc<BlsCrypto>) -> Self {
        let message = b"BlsSigner::recording_into: the key pair matches";
        let signature = self.key.sign(message);
        let matches = match (
            crypto.decode(&self.key.public),
            decode_signature(&signature),
        ) {
            (Some(key), Some(signature)) => pairing_check(&key.prepared, message, &signature),
            _ => false,
        };
        self.records = matches.then_some(crypto);
        self
    }

    /// Whether this signer records its signatures ([`BlsSigner::recording_into`]).
    pub fn records(&self) -> bool {
        self.records.is_some()
    }
}

impl From<ProvisionerKey> for BlsSigner {
    fn from(key: ProvisionerKey) -> Self {
        BlsSigner { key, records: None }
    }
}

impl Signer for BlsSigner {
    fn public_key(&self) -> BlsPublicKey {
        self.key.public
    }

    fn sign(&self, message: &[u8]) -> BlsSignature {
        let signature = self.key.sign(message);
        if let Some(crypto) = &self.records {
            let key = std::slice::from_ref(&self.key.public);
            crypto
                .verified
                .insert(check_digest(0, key, message, &signature));
        }
        signature
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

/// `p · r` for a public 128-bit `r` (double and add, variable time: nothing here is secret).
fn mul_u128(p: &G1Projective, r: u128) -> G1Projective {
    let mut acc = G1Projective::identity();
    for bit in (0..128 - r.leading_zeros()).rev() {
        acc = acc.double();
        if (r >> bit) & 1 == 1 {
            acc += p;
        }
    }
    acc
}

/// The coefficient of check `i` (≥ 1) of a combined check whose checks digest to
/// `transcript`: 128 bits of `BLAKE2b-256(transcript ‖ i)`, never 0.
fn coefficient(transcript: &[u8; 32], i: usize) -> u128 {
    let mut bytes = [0u8; 40];
    bytes[..32].copy_from_slice(transcript);
    bytes[32..].copy_from_slice(&(i as u64).to_le_bytes());
    let digest = blake2b256(&bytes);
    let mut r = [0u8; 16];
    r.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(r).max(1)
}

/// Whether every check `e(σᵢ, g₂) = e(H(mᵢ), pkᵢ)` holds, as one: `e(Σ rᵢσᵢ, g₂) ·
/// Π_pk e(−Σ_{pkᵢ = pk} rᵢH(mᵢ), pk) = 1` in one multi-Miller loop and one final
/// exponentiation, r₀ = 1 and the other rᵢ 128-bit coefficients from a hash of every check's
/// inputs (`transcript`). The points were checked on decoding (keys and signatures in their
/// prime-order subgroups, the hash's output is by construction): each check's term
/// `Δᵢ = e(σᵢ, g₂) · e(−H(mᵢ), pkᵢ)` is then in the order-q group Gₜ, and the combination is
/// `Π Δᵢ^rᵢ`. If every check holds it is 1. If one fails, `Δⱼ ≠ 1` generates Gₜ, and the
/// product is 1 only if `Σ rᵢ·log Δᵢ ≡ 0 (mod q)`: for coefficients drawn after the inputs are
/// fixed, a chance of at most 2⁻¹²⁸ per set of inputs tried (changing an input changes every
/// coefficient). Without the subgroup checks a point of small order could cancel out.
fn combined_check(
    checks: &[(BlsPublicKey, Decoded, &[u8], G1Affine)],
    transcript: &[u8; 32],
) -> bool {
    let mut signatures = G1Projective::identity();
    // Per distinct key, the sum of its messages' hashes times their coefficients.
    let mut by_key: Vec<(BlsPublicKey, Arc<G2Prepared>, G1Projective)> = Vec::new();
    for (i, (key, decoded, message, signature)) in checks.iter().enumerate() {
        let h = <G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(
            message,
            HASH_TO_G1_DST,
        );
        let (s, h) = if i == 0 {
            (G1Projective::from(signature), h)
        } else {
            let r = coefficient(transcript, i);
            (mul_u128(&G1Projective::from(signature), r), mul_u128(&h, r))
        };
        signatures += s;
        match by_key.iter_mut().find(|(k, _, _)| k == key) {
            Some((_, _, sum)) => *sum += h,
            None => by_key.push((*key, decoded.prepared.clone(), h)),
        }
    }
    let signatures = G1Affine::from(signatures);
    let hashes: Vec<G1Affine> = by_key.iter().map(|(_, _, h)| G1Affine::from(-h)).collect();
    let mut terms: Vec<(&G1Affine, &G2Prepared)> = vec![(&signatures, &G2_GENERATOR)];
    terms.extend(
        hashes
            .iter()
            .zip(&by_key)
            .map(|(h, (_, p, _))| (h, p.as_ref())),
    );
    dusk_bls12_381::multi_miller_loop(&terms).final_exponentiation() == Gt::identity()
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

    /// The checks not remembered yet are made as one pairing check ([`combined_check`]);
    /// when it holds, each is remembered. When it fails (or a point does not decode), nothing is
    /// remembered and the answer is `false`: the caller's checks one by one record those that
    /// hold.
    fn verify_all(&self, checks: &[(&BlsPublicKey, &[u8], &BlsSignature)]) -> bool {
        let digests: Vec<[u8; 32]> = checks
            .iter()
            .map(|(key, message, signature)| {
                check_digest(0, std::slice::from_ref(*key), message, signature)
            })
            .collect();
        let pending: Vec<usize> = (0..checks.len())
            .filter(|&i| !self.verified.contains(&digests[i]))
            .collect();
        match pending[..] {
            [] => return true,
            [i] => {
                let (key, message, signature) = checks[i];
                return self.verify(key, message, signature);
            }
            _ => {}
        }
        let mut decoded = Vec::with_capacity(pending.len());
        let mut transcript = Vec::with_capacity(8 + 32 * pending.len());
        transcript.extend_from_slice(b"verify_all");
        for &i in &pending {
            let (key, message, signature) = checks[i];
            let (Some(d), Some(point)) = (self.decode(key), decode_signature(signature)) else {
                return false;
            };
            decoded.push((*key, d, message, point));
            transcript.extend_from_slice(&digests[i]);
        }
        if !combined_check(&decoded, &blake2b256(&transcript)) {
            return false;
        }
        for &i in &pending {
            self.verified.insert(digests[i]);
        }
        true
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
