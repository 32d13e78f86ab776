//! Building a chain's first state from its [`GenesisConfig`]: the genesis contracts deployed
//! (through the same validation as any deploy) and initialised, the accounts funded, the
//! provisioners staked; then one commit, whose root is the genesis root.
//!
//! Everything goes through the contracts' entry points, as the demo and the tests drive them:
//! `transfer.mint` (host-only) for balances and stakes, then each provisioner's owner approves
//! the stake contract and stakes with a proof of possession. The stakes are placed at height 0
//! and the genesis state stands at [`GenesisConfig::genesis_height`], the last height before
//! they mature, so the first block after genesis has an eligible committee.

use super::genesis_config::{GenesisConfig, GenesisConfigError};
use super::nonces::nonces_module;
use crate::genesis::{Genesis, GenesisError, returned};
use host_api::{Address, ContractId};
use runtime::{BlockInfo, CodeHash, Root, Runtime, Session, StateStore, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The contracts a chain's node drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainContracts {
    /// `transfer`, `stake` and `committee`.
    pub genesis: Genesis,
    /// Account nonces (`chain::nonces`).
    pub nonces: ContractId,
}

/// The genesis state, committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenesisState {
    /// Its merkle root.
    pub root: Root,
    /// The height it stands at; the first block is one above.
    pub height: u64,
    /// The contracts deployed.
    pub contracts: ChainContracts,
}

/// Why the genesis state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GenesisBuildError {
    /// A genesis contract refused (a broken build, or parameters its `init` refuses).
    #[error(transparent)]
    Contracts(#[from] GenesisError),
    /// The `nonces` contract did not assemble or deploy.
    #[error("the nonces contract: {0}")]
    Nonces(String),
    /// Funding or staking failed for one entry of the file.
    #[error("genesis `{field}`: {error}")]
    Entry {
        /// The entry (`accounts[3]`, `provisioners[1]`).
        field: String,
        /// Why.
        error: GenesisError,
    },
    /// The configuration was not validated and breaks a rule.
    #[error(transparent)]
    Config(#[from] GenesisConfigError),
    /// The store refused the commit (e.g. a store that is not empty).
    #[error("committing the genesis state: {0}")]
    Store(#[from] StoreError),
}

/// The code hashes of every contract the genesis deploys (`transfer`, `stake`, `committee`, the
/// committed builds, and `nonces`): the chain's **resident** modules
/// ([`runtime::RuntimeConfig::resident_code`]), pinned in every node's module cache from the
/// start and loaded by a call for free; every other contract pays its load at its first frame
/// in a call tree. Gas depends on this set, so it is consensus: it is the code the genesis
/// state holds (its root covers it; `genesis_state` tests check the two agree), the same on
/// every node of the chain, never a node's local choice. The local CLI (`exec`, `deploy`,
/// `call`, `demo`, `gas-report`) uses the same set, so it charges what the devnet charges.
pub fn resident_code() -> BTreeSet<CodeHash> {
    // A constant of this crate, assembled by a test too (`nonces` tests): never fails.
    let nonces = nonces_module().expect("the bundled nonces contract assembles");
    [
        crate::genesis::bundled::TRANSFER,
        crate::genesis::bundled::STAKE,
        crate::genesis::bundled::COMMITTEE,
        &nonces,
    ]
    .into_iter()
    .map(CodeHash::of)
    .collect()
}

/// The one deployer of the genesis contracts: the protocol.
pub const GENESIS_DEPLOYER: Address = Address::PROTOCOL;

/// Build the genesis state of `config` in `store` (which must be empty) and commit it.
///
/// # Errors
/// See [`GenesisBuildError`]; nothing is committed then.
pub fn build_genesis(
    runtime: &Runtime,
    store: Arc<dyn StateStore>,
    config: &GenesisConfig,
) -> Result<GenesisState, GenesisBuildError> {
    let mut s = runtime.session(
        store,
        BlockInfo {
            height: 0,
            timestamp_ms: 0,
        },
    );
    let contracts = deploy_and_fund(&mut s, config)?;
    let root = s.commit()?;
    Ok(GenesisState {
        root,
        height: config.genesis_height(),
        contracts,
    })
}

/// Everything [`build_genesis`] does before its commit, on `s`.
///
/// # Errors
/// As [`build_genesis`].
pub fn deploy_and_fund(
    s: &mut Session,
    config: &GenesisConfig,
) -> Result<ChainContracts, GenesisBuildError> {
    let genesis = Genesis::deploy(s, GENESIS_DEPLOYER, &config.stake, &config.committee)?;
    let module = nonces_module().map_err(GenesisBuildError::Nonces)?;
    let nonces = s
        .deploy(GENESIS_DEPLOYER, &module, 0)
        .map_err(|e| GenesisBuildError::Nonces(e.to_string()))?;
    for (i, account) in config.accounts.iter().enumerate() {
        let field = format!("accounts[{i}]");
        let address = account.resolve(&field)?;
        genesis
            .mint(s, address, account.balance)
            .map_err(|error| GenesisBuildError::Entry { field, error })?;
    }
    for (i, p) in config.provisioners.iter().enumerate() {
        let entry = |error| GenesisBuildError::Entry {
            field: format!("provisioners[{i}]"),
            error,
        };
        let owner = p.owner().address();
        genesis.mint(s, owner, p.stake).map_err(entry)?;
        let receipt = genesis.stake(s, &p.key(), owner, p.stake).map_err(entry)?;
        returned::<()>(&receipt).map_err(entry)?;
    }
    Ok(ChainContracts { genesis, nonces })
}
