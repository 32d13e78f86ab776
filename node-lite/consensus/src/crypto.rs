//! The signatures the protocol needs, behind two traits so that the devnet plugs in BLS12-381
//! (`bls12_381-bls`, the key staked in the stake contract) and the simulator plugs in
//! [`fake`], a keyed-BLAKE2b stand-in fast enough for 10⁵ simulated rounds.
//!
//! What the protocol relies on, and any implementation must give:
//! - **unique signatures**: one key signs one message one way (a BLS property); the sortition
//!   VRF output is `BLAKE2b-256(signature)`, as the committee contract computes it;
//! - **aggregation over one message**: the aggregate of the voters' signatures verifies against
//!   their keys, so a step's votes are one signature plus a bitset.

pub mod fake;

use genesis_types::{BlsPublicKey, BlsSignature};

/// Verification and aggregation (no secret material).
pub trait Crypto: Send + Sync {
    /// Whether `signature` is `key`'s signature over `message`.
    fn verify(&self, key: &BlsPublicKey, message: &[u8], signature: &BlsSignature) -> bool;

    /// Whether every `(key, message, signature)` of `checks` verifies: the same answer as
    /// [`Crypto::verify`] on each, which is what this default does. An implementation may
    /// check them together (one combined pairing check for BLS), as long as the answer stays
    /// the same; a `false` says only that one of them fails (check them one by one to learn
    /// which).
    fn verify_all(&self, checks: &[(&BlsPublicKey, &[u8], &BlsSignature)]) -> bool {
        checks
            .iter()
            .all(|(key, message, signature)| self.verify(key, message, signature))
    }

    /// The aggregate of signatures over one message; `None` if one cannot be decoded.
    fn aggregate(&self, signatures: &[BlsSignature]) -> Option<BlsSignature>;

    /// Whether `aggregate` aggregates one signature over `message` from each of `keys` (every
    /// key once).
    fn verify_aggregate(
        &self,
        keys: &[BlsPublicKey],
        message: &[u8],
        aggregate: &BlsSignature,
    ) -> bool;
}

/// A provisioner's secret key.
pub trait Signer: Send + Sync {
    /// The public key.
    fn public_key(&self) -> BlsPublicKey;

    /// The (unique) signature over `message`.
    fn sign(&self, message: &[u8]) -> BlsSignature;
}
