//! The genesis contracts on a session: deploy and initialise `transfer`, `stake` and
//! `committee` (the committed builds), and the provisioner keys that sign for them.
//!
//! Everything goes through the contracts' public and host-only entry points — the node never
//! writes their storage (it only reads `transfer`'s balances directly, as the contract documents
//! them: `chain::accounts::balance_of`) — so what the demo does here is what the devnet will do.

use borsh::{BorshDeserialize, BorshSerialize};
use dusk_bytes::Serializable;
use genesis_types::committee::CommitteeParams;
use genesis_types::stake::{StakeParams, proof_of_possession_message};
use genesis_types::{BlsPublicKey, BlsSignature};
use host_api::{Address, ContractId};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use runtime::{DeployError, HostError, Receipt, Session};

/// The committed builds of the genesis contracts.
pub mod bundled {
    /// `contracts/transfer`.
    pub const TRANSFER: &[u8] = include_bytes!("../../contracts/wasm/transfer.wasm");
    /// `contracts/stake`.
    pub const STAKE: &[u8] = include_bytes!("../../contracts/wasm/stake.wasm");
    /// `contracts/committee`.
    pub const COMMITTEE: &[u8] = include_bytes!("../../contracts/wasm/committee.wasm");
}

/// Gas for one genesis call: the heaviest (a slash) verifies two BLS signatures, 60 M gas.
pub const GENESIS_CALL_GAS: u64 = 200_000_000;

/// Why setting up or driving the genesis contracts failed.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// A genesis contract did not deploy (a broken build).
    #[error("deploying {name}: {source}")]
    Deploy {
        /// Which contract.
        name: &'static str,
        /// Why.
        source: DeployError,
    },
    /// The runtime failed (store, module loading).
    #[error(transparent)]
    Host(#[from] HostError),
    /// A call the node relies on returned an error.
    #[error("{function} failed: {error}")]
    Refused {
        /// The entry point.
        function: String,
        /// The outcome, as text.
        error: String,
    },
    /// Arguments did not encode or a return value did not decode.
    #[error("encoding: {0}")]
    Encoding(String),
}

/// The deployed genesis contracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Genesis {
    /// The native token.
    pub transfer: ContractId,
    /// Stakes.
    pub stake: ContractId,
    /// Committees.
    pub committee: ContractId,
}

fn encode<T: BorshSerialize + ?Sized>(value: &T) -> Result<Vec<u8>, GenesisError> {
    borsh::to_vec(value).map_err(|e| GenesisError::Encoding(e.to_string()))
}

/// The decoded return value of a successful call, or `Refused` naming the call.
pub fn returned<T: BorshDeserialize>(receipt: &Receipt) -> Result<T, GenesisError> {
    match &receipt.result {
        Ok(bytes) => borsh::from_slice(bytes).map_err(|e| GenesisError::Encoding(e.to_string())),
        Err(e) => Err(GenesisError::Refused {
            function: receipt.function.clone(),
            error: e.to_string(),
        }),
    }
}

/// The modules of the genesis contracts.
#[derive(Clone, Copy, Debug)]
pub struct GenesisCode<'a> {
    /// The native token.
    pub transfer: &'a [u8],
    /// Stakes.
    pub stake: &'a [u8],
    /// Committees.
    pub committee: &'a [u8],
}

impl GenesisCode<'static> {
    /// The committed builds ([`bundled`]).
    pub const BUNDLED: Self = GenesisCode {
        transfer: bundled::TRANSFER,
        stake: bundled::STAKE,
        committee: bundled::COMMITTEE,
    };
}

impl Genesis {
    /// Deploy the three committed contracts ([`GenesisCode::BUNDLED`]) as `deployer` and
    /// initialise them (protocol calls) with `stake` and `committee`, whose contract ids
    /// (`transfer`, `stake`) are replaced by the ones just deployed.
    ///
    /// # Errors
    /// A contract that does not deploy, a host failure, or an `init` that refuses.
    pub fn deploy(
        s: &mut Session,
        deployer: Address,
        stake: &StakeParams,
        committee: &CommitteeParams,
    ) -> Result<Self, GenesisError> {
        Self::deploy_code(s, deployer, stake, committee, &GenesisCode::BUNDLED)
    }

    /// Deploy the genesis contracts from `code` as `deployer` and initialise them. Each
    /// module goes through the session's deploy, so a genesis takes only modules that pass
    /// the deploy validation.
    ///
    /// # Errors
    /// A contract that does not deploy ([`GenesisError::Deploy`] naming it), a host failure,
    /// or an `init` that refuses.
    pub fn deploy_code(
        s: &mut Session,
        deployer: Address,
        stake: &StakeParams,
        committee: &CommitteeParams,
        code: &GenesisCode<'_>,
    ) -> Result<Self, GenesisError> {
        let mut deploy = |name: &'static str, code: &[u8]| {
            s.deploy(deployer, code, 0)
                .map_err(|source| GenesisError::Deploy { name, source })
        };
        let genesis = Genesis {
            transfer: deploy("transfer", code.transfer)?,
            stake: deploy("stake", code.stake)?,
            committee: deploy("committee", code.committee)?,
        };
        let stake_params = StakeParams {
            transfer: genesis.transfer,
            ..*stake
        };
        let committee_params = CommitteeParams {
            stake: genesis.stake,
            ..*committee
        };
        genesis.protocol(s, genesis.stake, "init", &stake_params)?;
        genesis.protocol(s, genesis.committee, "init", &committee_params)?;
        Ok(genesis)
    }

    /// A host-only call that must succeed.
    ///
    /// # Errors
    /// A host failure, or `Refused` with the contract's error.
    pub fn protocol<T: BorshSerialize + ?Sized>(
        &self,
        s: &mut Session,
        contract: ContractId,
        function: &str,
        args: &T,
    ) -> Result<Receipt, GenesisError> {
        let receipt = s.call_protocol(contract, function, &encode(args)?, GENESIS_CALL_GAS)?;
        if let Err(e) = &receipt.result {
            return Err(GenesisError::Refused {
                function: function.to_string(),
                error: e.to_string(),
            });
        }
        Ok(receipt)
    }

    /// Mint `amount` to `to`.
    ///
    /// # Errors
    /// As [`protocol`](Self::protocol).
    pub fn mint(&self, s: &mut Session, to: Address, amount: u128) -> Result<(), GenesisError> {
        self.protocol(s, self.transfer, "mint", &(to, amount))
            .map(drop)
    }

    /// Approve the stake contract for `amount` of the owner's tokens and stake them under the
    /// key. Returns the stake call's receipt (check its result).
    ///
    /// # Errors
    /// Host failures, or the approval refusing.
    pub fn stake(
        &self,
        s: &mut Session,
        key: &ProvisionerKey,
        owner: Address,
        amount: u128,
    ) -> Result<Receipt, GenesisError> {
        let approve = (Address::from(self.stake), amount);
        let r = s.call(
            owner,
            self.transfer,
            "approve",
            &encode(&approve)?,
            GENESIS_CALL_GAS,
        )?;
        returned::<()>(&r)?;
        let pop = key.sign(&proof_of_possession_message(&owner, &self.stake));
        let args = encode(&(key.public, amount, pop))?;
        Ok(s.call(owner, self.stake, "stake", &args, GENESIS_CALL_GAS)?)
    }
}

/// A provisioner's BLS key pair.
pub struct ProvisionerKey {
    secret: bls12_381_bls::SecretKey,
    /// The public key, as the contracts take it.
    pub public: BlsPublicKey,
}

impl ProvisionerKey {
    /// The key derived from a 32-byte seed (ChaCha20): the same seed gives the same key.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let secret = bls12_381_bls::SecretKey::random(&mut ChaCha20Rng::from_seed(seed));
        let public = BlsPublicKey(bls12_381_bls::PublicKey::from(&secret).to_bytes());
        ProvisionerKey { secret, public }
    }

    /// The key's (unique) signature of `message`.
    pub fn sign(&self, message: &[u8]) -> BlsSignature {
        BlsSignature(self.secret.sign(message).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::{BlockInfo, MemoryStore, Root, Runtime, RuntimeConfig, StateStore};
    use std::sync::Arc;

    /// A genesis whose `stake` module deploy refuses (the issue's examples) is refused naming
    /// it, and the store is untouched.
    #[test]
    fn a_genesis_module_that_deploy_refuses_is_refused_by_name() {
        let runtime = Runtime::new(RuntimeConfig::test()).unwrap();
        let start = wat::parse_str(
            r#"(module (memory (export "memory") 1) (func $s) (start $s)
                (func (export "run") (param i32) (result i32) i32.const 0))"#,
        )
        .unwrap();
        let import = wat::parse_str(
            r#"(module (import "env" "abort" (func)) (memory (export "memory") 1)
                (func (export "run") (param i32) (result i32) i32.const 0))"#,
        )
        .unwrap();
        for (stake, expected) in [
            (start, DeployError::StartFunction),
            (
                import,
                DeployError::ForbiddenImport {
                    module: "env".into(),
                    name: "abort".into(),
                },
            ),
        ] {
            let store = Arc::new(MemoryStore::new());
            let mut s = runtime.session(store.clone(), BlockInfo::default());
            let code = GenesisCode {
                stake: &stake,
                ..GenesisCode::BUNDLED
            };
            let config = crate::chain::GenesisConfig::default_devnet().unwrap();
            match Genesis::deploy_code(
                &mut s,
                Address([1; 32]),
                &config.stake,
                &config.committee,
                &code,
            ) {
                Err(GenesisError::Deploy { name, source }) => {
                    assert_eq!((name, source), ("stake", expected));
                }
                other => panic!("expected stake to be refused, got {:?}", other.map(|_| ())),
            }
            drop(s);
            assert_eq!(store.root().unwrap(), Root::EMPTY);
        }
    }
}
