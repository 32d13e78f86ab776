//! The running provisioners' consensus keys, and the map between them and the keys the stake
//! contract holds.
//!
//! Two signature schemes ([`Signatures`], a [`NodeConfig`](super::NodeConfig) setting):
//! - **BLS** (`chain::consensus_crypto`, the default of `node-lite devnet`): each running
//!   provisioner signs with the BLS key its genesis entry staked, so a consensus key *is* a
//!   stake key, the map is the identity, and votes, VRF proofs and equivocation proofs verify
//!   in the genesis contracts too (a `slash` succeeds).
//! - **Fake** (the consensus crate's keyed-BLAKE2b `consensus::crypto::fake`, the default of
//!   [`NodeConfig::test`](super::NodeConfig::test)): fast and deterministic, **not secure**
//!   (anyone holding the registry can sign). Running provisioner `i` gets fake key `i` of the
//!   seed derived from the chain id; [`ConsensusKeys::stake_key`] maps it to the BLS key the
//!   genesis staked for `provisioners[i]`, [`ConsensusKeys::consensus_key`] back. Equivocation
//!   proofs carry fake signatures, which the stake contract's `slash` refuses
//!   (`BadSignature`, kept in the block's protocol report).
//!
//! A key the map does not know (a stake made after genesis, whose secret no node of this
//! process holds) stands for itself in both directions: it is drawn into committees like any
//! other and never signs (see `eligibility.rs`).

use crate::chain::GenesisConfig;
use crate::chain::consensus_crypto::{BlsCrypto, BlsSigner};
use consensus::crypto::fake::FakeKeys;
use consensus::{Crypto, Signer};
use genesis_types::BlsPublicKey;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which signatures the consensus uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signatures {
    /// BLS12-381 with the genesis-staked keys (secure; ≈ 1 ms per verification in release).
    Bls,
    /// The consensus crate's keyed-BLAKE2b stand-in (fast; not secure).
    Fake,
}

impl Signatures {
    /// `"bls"` or `"fake"`.
    pub fn label(&self) -> &'static str {
        match self {
            Signatures::Bls => "bls",
            Signatures::Fake => "fake",
        }
    }
}

/// The running provisioners' keys.
pub struct ConsensusKeys {
    /// Each running provisioner's signer, by index.
    pub signers: Vec<Arc<dyn Signer>>,
    /// Verification and aggregation.
    pub crypto: Arc<dyn Crypto>,
    /// Consensus key → stake key (empty with BLS: the identity).
    stake_keys: BTreeMap<BlsPublicKey, BlsPublicKey>,
    /// Stake key → consensus key (empty with BLS).
    consensus_keys: BTreeMap<BlsPublicKey, BlsPublicKey>,
    /// The scheme.
    pub scheme: Signatures,
}

impl ConsensusKeys {
    /// The keys of the first `n` provisioners of `genesis` in `scheme`.
    pub fn new(genesis: &GenesisConfig, n: usize, scheme: Signatures) -> Self {
        match scheme {
            Signatures::Bls => {
                // The process's nodes share one verifier, and each signature a node makes is
                // recorded in it as checked: the other nodes do not pair what this process
                // signed (a node of another process still checks it).
                let crypto = Arc::new(BlsCrypto::new());
                ConsensusKeys {
                    signers: genesis
                        .provisioners
                        .iter()
                        .take(n)
                        .map(|p| {
                            let signer = BlsSigner::from(p.key()).recording_into(crypto.clone());
                            Arc::new(signer) as Arc<dyn Signer>
                        })
                        .collect(),
                    crypto,
                    stake_keys: BTreeMap::new(),
                    consensus_keys: BTreeMap::new(),
                    scheme,
                }
            }
            Signatures::Fake => {
                let mut registry = FakeKeys::default();
                let signers: Vec<Arc<dyn Signer>> = registry
                    .generate(genesis.chain_id, n)
                    .into_iter()
                    .map(|s| Arc::new(s) as Arc<dyn Signer>)
                    .collect();
                let crypto = Arc::new(registry.crypto());
                let stake_keys: BTreeMap<_, _> = signers
                    .iter()
                    .zip(&genesis.provisioners)
                    .map(|(s, p)| (s.public_key(), p.key().public))
                    .collect();
                let consensus_keys = stake_keys.iter().map(|(c, s)| (*s, *c)).collect();
                ConsensusKeys {
                    signers,
                    crypto,
                    stake_keys,
                    consensus_keys,
                    scheme,
                }
            }
        }
    }

    /// The stake key of consensus key `key` (the key itself when the map does not know it).
    pub fn stake_key(&self, key: &BlsPublicKey) -> BlsPublicKey {
        self.stake_keys.get(key).copied().unwrap_or(*key)
    }

    /// The consensus key of stake key `key` (the key itself when the map does not know it).
    pub fn consensus_key(&self, key: &BlsPublicKey) -> BlsPublicKey {
        self.consensus_keys.get(key).copied().unwrap_or(*key)
    }

    /// The stake key → consensus key map (empty with BLS: the identity).
    pub fn stake_to_consensus(&self) -> BTreeMap<BlsPublicKey, BlsPublicKey> {
        self.consensus_keys.clone()
    }

    /// The running provisioner index of a consensus key.
    pub fn index_of(&self, key: &BlsPublicKey) -> Option<usize> {
        self.signers.iter().position(|s| s.public_key() == *key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis() -> GenesisConfig {
        let prices = runtime::PriceTable::default();
        GenesisConfig::parse(crate::chain::genesis_config::DEFAULT_GENESIS_TOML, &prices).unwrap()
    }

    #[test]
    fn bls_keys_are_the_staked_keys_and_fake_keys_map_both_ways() {
        let g = genesis();
        let bls = ConsensusKeys::new(&g, 3, Signatures::Bls);
        assert_eq!(bls.signers.len(), 3);
        for (s, p) in bls.signers.iter().zip(&g.provisioners) {
            assert_eq!(s.public_key(), p.key().public);
            assert_eq!(bls.stake_key(&s.public_key()), p.key().public);
            let m = b"message";
            assert!(bls.crypto.verify(&s.public_key(), m, &s.sign(m)));
        }
        let fake = ConsensusKeys::new(&g, 3, Signatures::Fake);
        for (s, p) in fake.signers.iter().zip(&g.provisioners) {
            assert_ne!(s.public_key(), p.key().public);
            assert_eq!(fake.stake_key(&s.public_key()), p.key().public);
            assert_eq!(fake.consensus_key(&p.key().public), s.public_key());
        }
        // The fourth provisioner does not run: its key stands for itself.
        let fourth = g.provisioners[3].key().public;
        assert_eq!(fake.consensus_key(&fourth), fourth);
        assert_eq!(fake.stake_key(&fourth), fourth);
    }
}
