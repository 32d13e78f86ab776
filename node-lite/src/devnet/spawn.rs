//! [`spawn`]: genesis (or the stored chain), the nodes, their threads.

use super::clock::{DevClock, wall_ms};
use super::config::{DataDir, NodeConfig};
use super::eligibility::{ChainEligibility, StateReader, read_eligible};
use super::executor::ChainParams;
use super::genesis_record::{self, GenesisRecordError, SettleError};
use super::handle::DevnetHandle;
use super::index::ChainIndex;
use super::keys::{ConsensusKeys, Signatures};
use super::node::{Node, NodeEvent, NodeView};
use super::shared::Shared;
use super::store::{FILE_NAME, NodeStore, OLD_FILE_NAME};
use crate::chain::genesis_state::{ChainContracts, GenesisBuildError, build_genesis};
use crate::chain::verified::VerifiedSignatures;
use crate::chain::{GenesisConfig, Mempool, MempoolConfig};
use crate::node_api::ChainInfo;
use consensus::{Block, Config, Genesis, Input, Label, Persisted, Provisioner};
use genesis_types::Seed;
use genesis_types::stake::Eligible;
use parking_lot::{Mutex, RwLock};
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig, blake2b_256};
use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

/// Wasm instances the devnet's runtime pools (each node runs one call at a time).
pub const POOLED_INSTANCES: u32 = 64;

impl From<SettleError> for SpawnError {
    fn from(e: SettleError) -> Self {
        match e {
            SettleError::Config(e) => SpawnError::Config(e),
            SettleError::Record(e) => SpawnError::Record(e),
        }
    }
}

/// Why a devnet did not start.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The configuration or its genesis file.
    #[error(transparent)]
    Config(#[from] super::config::ConfigError),
    /// The genesis a data directory's chain was made with refuses this start
    /// (`genesis_record.rs`).
    #[error(transparent)]
    Record(#[from] GenesisRecordError),
    /// The data directory.
    #[error("data directory {path}: {error}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The runtime did not start.
    #[error("runtime: {0}")]
    Runtime(String),
    /// The genesis state could not be built.
    #[error(transparent)]
    Genesis(#[from] GenesisBuildError),
    /// A node's store could not be opened or read.
    #[error("node {node} store: {error}")]
    Store {
        /// The node.
        node: usize,
        /// Why.
        error: runtime::StoreError,
    },
    /// The data directory's chain was built with other consensus signatures.
    #[error(
        "{dir}: this chain signs with {stored:?} signatures; restart it with --signatures {stored}, or use another --data directory"
    )]
    Signatures {
        /// The data directory.
        dir: PathBuf,
        /// The scheme it records.
        stored: String,
        /// The scheme asked for.
        asked: &'static str,
    },
    /// A node's stored chain is not this genesis's, or its state is not its tip's.
    #[error("node {node}: {problem}")]
    Mismatch {
        /// The node.
        node: usize,
        /// What differs.
        problem: String,
    },
}

/// The consensus's genesis of a chain whose genesis state has `root`.
pub fn consensus_genesis(chain_id: u64, root: [u8; 32]) -> Genesis {
    let a = blake2b_256(&[b"devnet-seed", &chain_id.to_le_bytes(), &root]);
    let b = blake2b_256(&[b"devnet-seed-2", &a]);
    let mut seed = [0u8; 48];
    seed[..32].copy_from_slice(&a);
    seed[32..].copy_from_slice(&b[..16]);
    Genesis {
        seed: Seed(seed),
        state_root: root,
        timestamp: 0,
    }
}

/// The consensus configuration of a genesis file in a block mode.
pub fn consensus_config(genesis: &GenesisConfig, min_block_time: u64) -> Config {
    let t = genesis.consensus;
    Config {
        min_step_timeout: t.min_step_timeout_ms,
        initial_step_timeout: t.initial_step_timeout_ms,
        max_step_timeout: t.max_step_timeout_ms,
        timeout_increase: t.timeout_increase_ms,
        min_block_time,
        ..Config::default()
    }
}

struct Started {
    view: NodeView,
    start: Input,
    tip: u64,
    tip_timestamp: u64,
}

/// What every node starts from.
struct Common<'a> {
    runtime: &'a Runtime,
    genesis: &'a GenesisConfig,
    expected: &'a (ChainContracts, [u8; 32]),
    genesis_block: &'a Arc<Block>,
    retained: usize,
    keys: &'a ConsensusKeys,
    height_offset: u64,
    /// The eligible set of round 1 (stake keys), read on the genesis state.
    genesis_set: &'a [Eligible],
    /// The signatures the nodes' pools verified (shared: `chain::verified`).
    verified: &'a Arc<VerifiedSignatures>,
    /// The index's memory bounds (`NodeConfig::index_memory`).
    index_memory: (usize, usize),
}

/// Opens node `i`'s store; builds its genesis when empty, else reloads its chain.
fn open_node(i: usize, dir: &Path, common: &Common) -> Result<Started, SpawnError> {
    let Common {
        runtime,
        genesis,
        expected,
        genesis_block,
        retained,
        index_memory,
        ..
    } = *common;
    let node_dir = dir.join(format!("node-{i}"));
    std::fs::create_dir_all(&node_dir).map_err(|error| SpawnError::DataDir {
        path: node_dir.clone(),
        error,
    })?;
    let store_error = |error| SpawnError::Store { node: i, error };
    let mismatch = |problem: String| SpawnError::Mismatch { node: i, problem };
    if node_dir.join(OLD_FILE_NAME).exists() {
        return Err(mismatch(format!(
            "{} holds {OLD_FILE_NAME}, a store this node no longer reads (it runs on {FILE_NAME}): start from another --data directory",
            node_dir.display()
        )));
    }
    let store = Arc::new(NodeStore::open(&node_dir.join(FILE_NAME)).map_err(store_error)?);
    if store.is_empty() {
        let built = build_genesis(runtime, store.state(), genesis)?;
        if (built.contracts, built.root.0) != *expected {
            return Err(mismatch("its genesis differs from the devnet's".into()));
        }
    }
    let votes = store.load_votes().map_err(store_error)?;
    let mut chain = ChainIndex::with_limits(genesis_block, index_memory.0, index_memory.1);
    chain.set_archive(store.clone());
    let mut persisted = Persisted {
        chain: vec![(genesis_block.clone(), Label::Final)],
        records: votes,
    };
    let mut persisted_tail: VecDeque<(Arc<Block>, Label)> = VecDeque::new();
    // Only the blocks the index keeps in memory have their receipts decoded.
    let recent = index_memory.0 as u64;
    store
        .load_chain(recent, |block, receipts, label| {
            let label = label.unwrap_or(Label::Accepted(u16::MAX));
            let tip_hash = persisted_tail
                .back()
                .map_or_else(|| genesis_block.hash(), |(b, _)| b.hash());
            if block.header().prev_hash != tip_hash {
                return Err(LoadError::Spawn(mismatch(format!(
                    "stored block {} does not extend the chain",
                    block.header().height
                ))));
            }
            if let Some(receipts) = receipts {
                chain.push(&block, receipts.gas_used, receipts.receipts, label);
            }
            if label == Label::Final {
                chain.finalized = block.header().height;
            }
            persisted_tail.push_back((Arc::new(block), label));
            if persisted_tail.len() > retained {
                persisted_tail.pop_front();
            }
            Ok(())
        })
        .map_err(|e: LoadError| match e {
            LoadError::Store(error) => store_error(error),
            LoadError::Spawn(e) => e,
        })?;
    persisted.chain.extend(persisted_tail);
    let extra = persisted.chain.len().saturating_sub(retained);
    persisted.chain.drain(..extra);
    let tip = persisted.chain.last().map(|(b, _)| b.clone());
    let tip = tip.unwrap_or_else(|| genesis_block.clone());
    if store.root() != Some(tip.header().state_root) {
        return Err(mismatch(format!(
            "its state is not block {}'s",
            tip.header().height
        )));
    }
    let eligibility = Arc::new(ChainEligibility::new(
        genesis.committee,
        common.keys,
        StateReader {
            runtime: runtime.clone(),
            store: store.state(),
            stake: expected.0.genesis.stake,
            height_offset: common.height_offset,
        },
    ));
    eligibility.record(1, genesis_block.header().state_root, common.genesis_set);
    for (block, _) in &persisted.chain {
        let h = block.header().height;
        if h == 0 {
            continue;
        }
        let set = store.eligible_after(h).map_err(store_error)?;
        if let Some(set) = set {
            eligibility.record(h + 1, block.header().state_root, &set);
        }
    }
    let height = tip.header().height;
    let start = if height == 0 && persisted.records.is_empty() {
        Input::Start
    } else {
        Input::Restart(persisted)
    };
    Ok(Started {
        view: NodeView {
            store,
            mempool: Arc::new(Mutex::new(
                Mempool::new(MempoolConfig::new(
                    genesis.chain_id,
                    genesis.block_gas_limit,
                ))
                .with_verified(common.verified.clone()),
            )),
            chain: Arc::new(RwLock::new(chain)),
            accounts: Arc::default(),
            eligibility,
        },
        start,
        tip: height,
        tip_timestamp: tip.header().timestamp,
    })
}

/// A restart's failure while visiting the stored chain.
enum LoadError {
    Store(runtime::StoreError),
    Spawn(SpawnError),
}

impl From<runtime::StoreError> for LoadError {
    fn from(e: runtime::StoreError) -> Self {
        LoadError::Store(e)
    }
}

impl From<SpawnError> for LoadError {
    fn from(e: SpawnError) -> Self {
        LoadError::Spawn(e)
    }
}

/// The file in a data directory naming the signature scheme its chain was built with.
pub const SIGNATURES_FILE: &str = "signatures";

/// Refuses a data directory whose chain signs with another scheme than `signatures` (its blocks
/// and votes would not verify: the devnet would stall); records the scheme in a new one.
fn check_signatures(dir: &Path, signatures: Signatures) -> Result<(), SpawnError> {
    let path = dir.join(SIGNATURES_FILE);
    let io = |error| SpawnError::DataDir {
        path: path.clone(),
        error,
    };
    match std::fs::read_to_string(&path) {
        Ok(stored) if stored.trim() == signatures.label() => Ok(()),
        Ok(stored) => Err(SpawnError::Signatures {
            dir: dir.to_path_buf(),
            stored: stored.trim().chars().take(16).collect(),
            asked: signatures.label(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::write(&path, signatures.label()).map_err(io)
        }
        Err(e) => Err(io(e)),
    }
}

/// Starts a devnet (see the [module docs](super)).
///
/// # Errors
/// See [`SpawnError`]; nothing runs then.
pub fn spawn(config: NodeConfig) -> Result<DevnetHandle, SpawnError> {
    let (dir, temp) = match &config.data {
        DataDir::Path(p) => (p.clone(), None),
        DataDir::Temporary => {
            let t = tempfile::tempdir().map_err(|error| SpawnError::DataDir {
                path: std::env::temp_dir(),
                error,
            })?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    std::fs::create_dir_all(&dir).map_err(|error| SpawnError::DataDir {
        path: dir.clone(),
        error,
    })?;
    check_signatures(&dir, config.signatures)?;
    let cache = match &config.data {
        DataDir::Path(p) => p.join("cache"),
        // Compiled genesis contracts are keyed by the engine and the code: shared by every
        // temporary devnet of this machine.
        DataDir::Temporary => std::env::temp_dir().join("node-lite-devnet-modules"),
    };
    // The genesis contracts are resident (consensus: see `chain::resident_code`).
    let mut runtime_config = RuntimeConfig::default()
        .with_cache_dir(cache)
        .with_resident_code(crate::chain::resident_code());
    runtime_config.pooled_instances = POOLED_INSTANCES;
    let runtime = Runtime::new(runtime_config).map_err(|e| SpawnError::Runtime(e.to_string()))?;
    let genesis = genesis_record::settle(&dir, &config.genesis, &runtime.config().prices)?;
    config.check_genesis(&genesis)?;
    let n = config.provisioners;
    // The genesis state once in memory: its root and contract ids, which every node's must equal.
    let reference_store = Arc::new(MemoryStore::new());
    let reference = build_genesis(&runtime, reference_store.clone(), &genesis)?;
    let genesis_set = read_eligible(
        &mut runtime.session(reference_store, BlockInfo::default()),
        reference.contracts.genesis.stake,
        reference.height + 1,
    )
    .map_err(|e| SpawnError::Runtime(format!("the genesis eligible set: {e}")))?;
    let expected = (reference.contracts, reference.root.0);
    let consensus_genesis = consensus_genesis(genesis.chain_id, reference.root.0);
    let genesis_block = Arc::new(Block::genesis(&consensus_genesis));
    let consensus_config = consensus_config(&genesis, config.block_mode.min_block_time());
    let keys = ConsensusKeys::new(&genesis, n, config.signatures);
    let common = Common {
        runtime: &runtime,
        genesis: &genesis,
        expected: &expected,
        genesis_block: &genesis_block,
        retained: consensus_config.retained_blocks,
        keys: &keys,
        height_offset: reference.height,
        genesis_set: &genesis_set,
        verified: &Arc::default(),
        index_memory: config.index_memory,
    };
    let mut started = Vec::with_capacity(n);
    for i in 0..n {
        started.push(open_node(i, &dir, &common)?);
    }
    let (senders, receivers): (Vec<_>, Vec<Receiver<NodeEvent>>) =
        (0..n).map(|_| channel()).unzip();
    let latest = started.iter().map(|s| s.tip_timestamp).max().unwrap_or(0);
    let running = matches!(config.block_mode, super::config::BlockMode::Interval(_));
    let clock = DevClock::with_execution(wall_ms().max(latest + 1), running, config.execution);
    let params = ChainParams {
        runtime: runtime.clone(),
        contracts: reference.contracts,
        chain_id: genesis.chain_id,
        block_gas_limit: genesis.block_gas_limit,
        emission: genesis.block_emission,
        height_offset: reference.height,
        build_budget: config.build_budget,
    };
    let tip = started.iter().map(|s| s.tip).max().unwrap_or(0);
    let shared = Arc::new(Shared::new(
        clock,
        senders,
        params,
        keys,
        config.block_mode,
        config.quiet,
        config.shared_execution,
        tip,
    ));
    let mut views = Vec::with_capacity(n);
    let mut threads = Vec::with_capacity(n);
    for (i, (s, inbox)) in started.into_iter().zip(receivers).enumerate() {
        shared.set_tip(i, s.tip);
        let provisioner = Provisioner::new(
            consensus_config.clone(),
            &consensus_genesis,
            shared.keys.signers[i].clone(),
            shared.keys.crypto.clone(),
            s.view.eligibility.clone(),
        )
        .map_err(|e| SpawnError::Runtime(format!("consensus configuration: {e}")))?;
        let node = Node::new(i, shared.clone(), provisioner, &s.view);
        let start = s.start;
        let thread = std::thread::Builder::new()
            .name(format!("devnet-node-{i}"))
            .spawn(move || node.run(start, inbox))
            .map_err(|error| SpawnError::DataDir {
                path: dir.clone(),
                error,
            })?;
        views.push(s.view);
        threads.push(thread);
    }
    let contracts = reference.contracts;
    let info = ChainInfo {
        chain_id: genesis.chain_id,
        genesis_root: hex::encode(reference.root.0),
        provisioners: n,
        block_mode: config.block_mode.label(),
        block_gas_limit: genesis.block_gas_limit,
        gas_schedule: genesis.gas_schedule.clone(),
        contracts: vec![
            ("transfer".into(), hex::encode(contracts.genesis.transfer.0)),
            ("stake".into(), hex::encode(contracts.genesis.stake.0)),
            (
                "committee".into(),
                hex::encode(contracts.genesis.committee.0),
            ),
            ("nonces".into(), hex::encode(contracts.nonces.0)),
        ],
    };
    let handle = DevnetHandle {
        shared,
        views,
        threads: Mutex::new(threads),
        info,
        accounts: genesis.dev_accounts(),
        provisioner_keys: genesis
            .provisioners
            .iter()
            .map(|p| (p.key().public, p.owner().address()))
            .collect(),
        epoch_length: genesis.stake.epoch_length,
        committee_params: genesis.committee,
        genesis_header: genesis_block.header().clone(),
        genesis_set,
        minimum_stake: genesis.stake.minimum_stake,
        api_address: SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)),
        data_dir: dir,
        _temp: temp,
    };
    match handle.restore_pool() {
        Ok((0, 0)) => {}
        Ok((accepted, dropped)) if !config.quiet => eprintln!(
            "devnet: {accepted} saved transaction(s) back in the pool, {dropped} no longer valid"
        ),
        Ok(_) => {}
        Err(e) => eprintln!("devnet: the saved transactions were not restored: {e}"),
    }
    Ok(handle)
}
