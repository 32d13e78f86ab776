//! BLS12-381 keys and signatures as the genesis contracts see them: fixed-size byte strings in
//! the compressed encoding of `bls12_381-bls` 0.6 (public key in G2, signature in G1), checked
//! by the host's `bls_verify` query.

use borsh::{BorshDeserialize, BorshSerialize};
use core::fmt;
use host_api::limits::{BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES};

/// A provisioner's BLS public key (96 bytes, compressed G2). Ordered by its bytes: lists of
/// provisioners are kept sorted by key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct BlsPublicKey(pub [u8; BLS_PUBLIC_KEY_BYTES]);

/// A BLS signature (48 bytes, compressed G1). BLS signatures are **unique**: one key signs one
/// message one way, which is what makes them usable as a VRF and as a seed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct BlsSignature(pub [u8; BLS_SIGNATURE_BYTES]);

/// The randomness of a round: the block generator's BLS signature over the previous seed
/// (see [`committee::seed_message`](crate::committee::seed_message)).
#[derive(Clone, Copy, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct Seed(pub [u8; BLS_SIGNATURE_BYTES]);

impl From<BlsSignature> for Seed {
    fn from(signature: BlsSignature) -> Self {
        Seed(signature.0)
    }
}

fn short_hex(f: &mut fmt::Formatter<'_>, name: &str, bytes: &[u8]) -> fmt::Result {
    write!(f, "{name}(")?;
    for b in &bytes[..6] {
        write!(f, "{b:02x}")?;
    }
    write!(f, "…)")
}

impl fmt::Debug for BlsPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        short_hex(f, "BlsPublicKey", &self.0)
    }
}

impl fmt::Debug for BlsSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        short_hex(f, "BlsSignature", &self.0)
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        short_hex(f, "Seed", &self.0)
    }
}
