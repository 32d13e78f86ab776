//! The provisioners' consensus keys and the eligible set the consensus draws committees from.
//!
//! **Signatures are the consensus crate's fake keyed-BLAKE2b scheme for now**
//! (`consensus::crypto::fake`): fast and deterministic, not secure (anyone holding the registry
//! can sign). Each running provisioner `i` gets fake key `i` of the seed derived from the chain
//! id, and [`ConsensusKeys::stake_key`] maps it to the BLS key the genesis staked for
//! `provisioners[i]` (whose seed the genesis file names): rewards and fees go to that stake.
//! With a BLS `consensus::Crypto` the two keys become one and the map the identity.
//!
//! **Eligibility is static**: the running provisioners with their genesis stakes
//! (`consensus::StaticEligibility` over `genesis-types`' sortition, the committee parameters of
//! the genesis file), not the stake contract's state at each epoch: stake changes after genesis
//! do not reach the committees yet.

use crate::chain::GenesisConfig;
use consensus::crypto::fake::{FakeCrypto, FakeKeys, FakeSigner};
use consensus::{Signer, StaticEligibility};
use genesis_types::BlsPublicKey;
use genesis_types::stake::Eligible;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The running provisioners' keys.
pub struct ConsensusKeys {
    /// Each provisioner's signer, by index.
    pub signers: Vec<Arc<FakeSigner>>,
    /// Verification over every running key.
    pub crypto: Arc<FakeCrypto>,
    /// Consensus key → the BLS key staked at genesis for the same provisioner.
    stake_keys: BTreeMap<BlsPublicKey, BlsPublicKey>,
    /// The eligible set (consensus keys, genesis stakes).
    pub eligibility: Arc<StaticEligibility>,
}

impl ConsensusKeys {
    /// The keys of the first `n` provisioners of `genesis`.
    pub fn new(genesis: &GenesisConfig, n: usize) -> Self {
        let mut registry = FakeKeys::default();
        let signers: Vec<Arc<FakeSigner>> = registry
            .generate(genesis.chain_id, n)
            .into_iter()
            .map(Arc::new)
            .collect();
        let crypto = Arc::new(registry.crypto());
        let stake_keys = signers
            .iter()
            .zip(&genesis.provisioners)
            .map(|(s, p)| (s.public_key(), p.key().public))
            .collect();
        let eligible = signers
            .iter()
            .zip(&genesis.provisioners)
            .map(|(s, p)| Eligible {
                key: s.public_key(),
                weight: p.stake,
            })
            .collect();
        let eligibility = Arc::new(StaticEligibility::new(eligible, genesis.committee));
        ConsensusKeys {
            signers,
            crypto,
            stake_keys,
            eligibility,
        }
    }

    /// The BLS key staked for the provisioner whose consensus key is `key`.
    pub fn stake_key(&self, key: &BlsPublicKey) -> Option<BlsPublicKey> {
        self.stake_keys.get(key).copied()
    }

    /// The running provisioner index of a consensus key.
    pub fn index_of(&self, key: &BlsPublicKey) -> Option<usize> {
        self.signers.iter().position(|s| s.public_key() == *key)
    }
}
