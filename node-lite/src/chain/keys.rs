//! Keys of the devnet, derived from seed strings so that a genesis file names them in plain
//! text and every run derives the same ones.
//!
//! - An **account** signs transactions with ed25519. Its [`Address`] is its 32-byte public key,
//!   so a transaction's sender is known from its key without a lookup (contract ids are blake2b
//!   outputs: an account and a contract never share an address but by a hash collision).
//! - A **provisioner** has a BLS key (stakes, votes, sortition; see [`ProvisionerKey`]) and an
//!   ed25519 **owner** account that holds and stakes its tokens.
//!
//! Every derivation is `BLAKE2b-256(domain tag ‖ seed)` with its own tag, so one seed never gives
//! the same secret to two purposes. Seeds are for devnets: anyone who reads the genesis file can
//! sign as these keys.

use crate::genesis::ProvisionerKey;
use ed25519_dalek::{Signer, SigningKey};
use host_api::Address;
use runtime::blake2b_256;

/// Domain tag of an account key derived from a seed.
pub const ACCOUNT_SEED_DOMAIN: &[u8] = b"sandbox-account-seed-v1";
/// Domain tag of a provisioner's BLS key derived from a seed.
pub const PROVISIONER_SEED_DOMAIN: &[u8] = b"sandbox-provisioner-seed-v1";
/// Domain tag of a provisioner's owner account derived from the provisioner's seed.
pub const PROVISIONER_OWNER_SEED_DOMAIN: &[u8] = b"sandbox-provisioner-owner-seed-v1";

/// An account's ed25519 signing key.
#[derive(Clone)]
pub struct AccountKey {
    signing: SigningKey,
}

impl AccountKey {
    /// The key derived from `seed` (any string).
    pub fn from_seed(seed: &str) -> Self {
        Self::derive(ACCOUNT_SEED_DOMAIN, seed)
    }

    /// The owner account of the provisioner whose seed is `seed`.
    pub fn provisioner_owner(seed: &str) -> Self {
        Self::derive(PROVISIONER_OWNER_SEED_DOMAIN, seed)
    }

    fn derive(domain: &[u8], seed: &str) -> Self {
        let secret = blake2b_256(&[domain, seed.as_bytes()]);
        AccountKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    /// The key from its 32 secret bytes.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        AccountKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    /// The 32 secret bytes (a devnet prints them for its dev accounts, as anvil does).
    pub fn secret(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The public key.
    pub fn public(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// The account's address: its public key.
    pub fn address(&self) -> Address {
        Address(self.public())
    }

    /// The ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// The BLS key of the provisioner whose seed is `seed`.
pub fn provisioner_key(seed: &str) -> ProvisionerKey {
    ProvisionerKey::from_seed(blake2b_256(&[PROVISIONER_SEED_DOMAIN, seed.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_derive_stable_distinct_keys() {
        let a = AccountKey::from_seed("dev-0");
        assert_eq!(a.public(), AccountKey::from_seed("dev-0").public());
        assert_ne!(a.public(), AccountKey::from_seed("dev-1").public());
        // The same seed gives different secrets for an account and a provisioner's owner.
        assert_ne!(a.public(), AccountKey::provisioner_owner("dev-0").public());
        assert_eq!(a.address().0, a.public());
        assert_eq!(
            AccountKey::from_secret(a.secret()).public(),
            a.public(),
            "the secret bytes give the key back"
        );
        assert_eq!(provisioner_key("p").public, provisioner_key("p").public);
        assert_ne!(provisioner_key("p").public, provisioner_key("q").public);
    }
}
