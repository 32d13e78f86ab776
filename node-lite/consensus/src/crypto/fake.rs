//! A deterministic, fast stand-in for BLS, for the simulator and the tests: a key's
//! "signature" over `m` is the 48-byte keyed BLAKE2b of `m` under its secret, and an aggregate
//! is the XOR of the signatures. A [`FakeKeys`] registry maps public keys to secrets, so
//! verification recomputes the signature.
//!
//! It is **not** secure against anyone who reads the registry; within the simulator only the
//! [`FakeSigner`] of a key signs for it (a Byzantine node signs with its own key only), which
//! is all the protocol's checks need. Signatures are unique and aggregates verify only for
//! exactly the right set of signers (up to XOR collisions, 2⁻³⁸⁴).

use super::{Crypto, Signer};
use genesis_types::{BlsPublicKey, BlsSignature};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The secrets of every fake key, by public key.
#[derive(Clone, Debug, Default)]
pub struct FakeKeys {
    secrets: BTreeMap<BlsPublicKey, [u8; 32]>,
}

fn keyed(secret: &[u8; 32], message: &[u8]) -> BlsSignature {
    let digest = blake2b_simd::Params::new()
        .hash_length(48)
        .key(secret)
        .hash(message);
    let mut out = [0u8; 48];
    out.copy_from_slice(digest.as_bytes());
    BlsSignature(out)
}

impl FakeKeys {
    /// Makes `count` keys from `seed`; returns their signers in creation order.
    pub fn generate(&mut self, seed: u64, count: usize) -> Vec<FakeSigner> {
        (0..count)
            .map(|i| {
                let mut material = Vec::with_capacity(24);
                material.extend_from_slice(b"fake-sk");
                material.extend_from_slice(&seed.to_le_bytes());
                material.extend_from_slice(&(i as u64).to_le_bytes());
                let secret = crate::types::blake2b256(&material);
                let signer = FakeSigner::from_secret(secret);
                self.secrets.insert(signer.public, secret);
                signer
            })
            .collect()
    }

    /// A verifier over these keys.
    pub fn crypto(&self) -> FakeCrypto {
        FakeCrypto {
            secrets: Arc::new(self.secrets.clone()),
        }
    }
}

/// A fake key's signer.
#[derive(Clone, Debug)]
pub struct FakeSigner {
    secret: [u8; 32],
    public: BlsPublicKey,
}

impl FakeSigner {
    fn from_secret(secret: [u8; 32]) -> Self {
        let mut public = [0u8; 96];
        let a = keyed(&secret, b"fake-public-key-0");
        let b = keyed(&secret, b"fake-public-key-1");
        public[..48].copy_from_slice(&a.0);
        public[48..].copy_from_slice(&b.0);
        FakeSigner {
            secret,
            public: BlsPublicKey(public),
        }
    }
}

impl Signer for FakeSigner {
    fn public_key(&self) -> BlsPublicKey {
        self.public
    }

    fn sign(&self, message: &[u8]) -> BlsSignature {
        keyed(&self.secret, message)
    }
}

/// Verifies fake signatures against the registry it was made from.
#[derive(Clone, Debug)]
pub struct FakeCrypto {
    secrets: Arc<BTreeMap<BlsPublicKey, [u8; 32]>>,
}

fn xor_into(acc: &mut [u8; 48], signature: &BlsSignature) {
    for (a, s) in acc.iter_mut().zip(signature.0.iter()) {
        *a ^= s;
    }
}

impl Crypto for FakeCrypto {
    fn verify(&self, key: &BlsPublicKey, message: &[u8], signature: &BlsSignature) -> bool {
        self.secrets
            .get(key)
            .is_some_and(|secret| keyed(secret, message) == *signature)
    }

    fn aggregate(&self, signatures: &[BlsSignature]) -> Option<BlsSignature> {
        let mut acc = [0u8; 48];
        for s in signatures {
            xor_into(&mut acc, s);
        }
        Some(BlsSignature(acc))
    }

    fn verify_aggregate(
        &self,
        keys: &[BlsPublicKey],
        message: &[u8],
        aggregate: &BlsSignature,
    ) -> bool {
        let mut acc = [0u8; 48];
        for key in keys {
            let Some(secret) = self.secrets.get(key) else {
                return false;
            };
            xor_into(&mut acc, &keyed(secret, message));
        }
        !keys.is_empty() && acc == aggregate.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_key_and_message() {
        let mut keys = FakeKeys::default();
        let signers = keys.generate(7, 3);
        let crypto = keys.crypto();
        let sig = signers[0].sign(b"m");
        assert!(crypto.verify(&signers[0].public_key(), b"m", &sig));
        assert!(!crypto.verify(&signers[1].public_key(), b"m", &sig));
        assert!(!crypto.verify(&signers[0].public_key(), b"n", &sig));
        assert_eq!(sig, signers[0].sign(b"m"), "unique");
    }

    #[test]
    fn aggregates_verify_for_exactly_their_signers() {
        let mut keys = FakeKeys::default();
        let signers = keys.generate(1, 4);
        let crypto = keys.crypto();
        let sigs: Vec<_> = signers[..3].iter().map(|s| s.sign(b"vote")).collect();
        let agg = crypto.aggregate(&sigs).unwrap();
        let pks: Vec<_> = signers.iter().map(|s| s.public_key()).collect();
        assert!(crypto.verify_aggregate(&pks[..3], b"vote", &agg));
        assert!(!crypto.verify_aggregate(&pks[..2], b"vote", &agg));
        assert!(!crypto.verify_aggregate(&pks, b"vote", &agg));
        assert!(!crypto.verify_aggregate(&pks[..3], b"other", &agg));
        assert!(!crypto.verify_aggregate(&[], b"vote", &BlsSignature([0; 48])));
    }

    /// The trait's default `verify_all`: every check verifies.
    #[test]
    fn verify_all_is_every_check() {
        let mut keys = FakeKeys::default();
        let signers = keys.generate(2, 2);
        let crypto = keys.crypto();
        let (k0, k1) = (signers[0].public_key(), signers[1].public_key());
        let (a, b) = (signers[0].sign(b"a"), signers[1].sign(b"b"));
        assert!(crypto.verify_all(&[]));
        assert!(crypto.verify_all(&[(&k0, b"a", &a), (&k1, b"b", &b)]));
        assert!(!crypto.verify_all(&[(&k0, b"a", &a), (&k1, b"a", &b)]));
        assert!(!crypto.verify_all(&[(&k0, b"b", &a), (&k1, b"b", &b)]));
    }
}
