//! [`NodeConfig`]: everything `devnet::spawn` needs, built with `with_*` methods (the clap
//! arguments of `node-lite devnet` convert into it; tests start from [`NodeConfig::test`]).

pub use super::clock::Execution;
pub use super::keys::Signatures;
use crate::chain::{GenesisConfig, GenesisConfigError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Most provisioners one process runs.
pub const MAX_PROVISIONERS: usize = 64;
/// The default number of provisioners.
pub const DEFAULT_PROVISIONERS: usize = 4;
/// The default API port.
pub const DEFAULT_PORT: u16 = crate::api::DEFAULT_PORT;
/// A generator's default wall-clock budget for building a block: half the default block time.
/// Blocks of ordinary calls build in a few tens of ms (≈ 500 `counter.increment`s in ≈ 25 ms);
/// the budget only stops code whose time per gas no price bounds (BENCHMARKS.md §6).
pub const DEFAULT_BUILD_BUDGET: Duration = Duration::from_millis(500);

/// When blocks are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockMode {
    /// A block as soon as a transaction (or a dev `fund`) waits; none otherwise. The chain's
    /// clock stands still between blocks (see the module README).
    Instant,
    /// A block every this many milliseconds at least (the consensus's minimum block time),
    /// empty or not.
    Interval(u64),
    /// A block only when asked (`NodeApi::mine`).
    Manual,
}

impl BlockMode {
    /// `"instant"`, `"manual"` or `"interval:<ms>"` (as [`crate::node_api::ChainInfo`]).
    pub fn label(&self) -> String {
        match self {
            BlockMode::Instant => "instant".into(),
            BlockMode::Manual => "manual".into(),
            BlockMode::Interval(ms) => format!("interval:{ms}"),
        }
    }

    /// The consensus's minimum block time in this mode, ms.
    pub fn min_block_time(&self) -> u64 {
        match self {
            BlockMode::Interval(ms) => *ms,
            BlockMode::Instant | BlockMode::Manual => 1,
        }
    }
}

/// Where the genesis comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenesisSource {
    /// The embedded default (`chain/default-genesis.toml`).
    Default,
    /// A TOML file.
    File(PathBuf),
}

/// Where the nodes keep their state, blocks and receipts.
#[derive(Debug)]
pub enum DataDir {
    /// This directory (kept: a restart resumes the chain).
    Path(PathBuf),
    /// A temporary directory removed when the devnet is dropped.
    Temporary,
}

/// Why a configuration cannot start a devnet.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A provisioner count out of `1..=MAX_PROVISIONERS`, or more than the genesis stakes.
    #[error("provisioners: {0}")]
    Provisioners(String),
    /// An interval of 0 ms.
    #[error("block time must be at least 1 ms")]
    BlockTime,
    /// The genesis file.
    #[error(transparent)]
    Genesis(#[from] GenesisConfigError),
}

/// A devnet's configuration. See the `with_*` methods for each setting and its default.
#[derive(Debug)]
pub struct NodeConfig {
    /// Provisioners run in this process (default 4): the genesis file's first `n`.
    pub provisioners: usize,
    /// When blocks are made (default [`BlockMode::Interval`] of 1,000 ms).
    pub block_mode: BlockMode,
    /// Where state and blocks live (default: a temporary directory).
    pub data: DataDir,
    /// The genesis (default: embedded).
    pub genesis: GenesisSource,
    /// The HTTP API's port (default 8545; 0 picks a free one).
    pub port: u16,
    /// Print nothing (tests).
    pub quiet: bool,
    /// The consensus's signatures (default BLS; [`NodeConfig::test`]: the fast fake ones).
    pub signatures: Signatures,
    /// Whether the nodes share their executions of a block (default on: a block is executed
    /// once by the process; off, every node executes every block itself). See
    /// `devnet/executions.rs`.
    pub shared_execution: bool,
    /// Whether a node's execution stops the devnet clock (default [`Execution::Hidden`]: it
    /// does; see `clock.rs`).
    pub execution: Execution,
    /// A generator stops adding transactions to a block once building it has taken this long
    /// (default [`DEFAULT_BUILD_BUDGET`]; `None`: only the block gas limit bounds it). See
    /// `chain::BlockContext::build_deadline`.
    pub build_budget: Option<Duration>,
    /// How much of its chain a node's index keeps in memory: the last this many blocks, and
    /// among them at most this many receipts beyond the last few blocks (default
    /// [`INDEX_WINDOW`](super::index::INDEX_WINDOW) and
    /// [`MAX_INDEX_RECEIPTS`](super::index::MAX_INDEX_RECEIPTS)); older blocks are read from
    /// the node's store. See `index.rs`.
    pub index_memory: (usize, usize),
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            provisioners: DEFAULT_PROVISIONERS,
            block_mode: BlockMode::Interval(1_000),
            data: DataDir::Temporary,
            genesis: GenesisSource::Default,
            port: DEFAULT_PORT,
            quiet: false,
            signatures: Signatures::Bls,
            shared_execution: true,
            execution: Execution::Hidden,
            build_budget: Some(DEFAULT_BUILD_BUDGET),
            index_memory: (super::index::INDEX_WINDOW, super::index::MAX_INDEX_RECEIPTS),
        }
    }
}

impl NodeConfig {
    /// The configuration tests use: port 0, quiet, instant blocks, a temporary data dir, the
    /// consensus crate's fast fake signatures (see `keys.rs`).
    pub fn test() -> Self {
        NodeConfig {
            block_mode: BlockMode::Instant,
            port: 0,
            quiet: true,
            signatures: Signatures::Fake,
            ..NodeConfig::default()
        }
    }

    /// Run `n` provisioners.
    pub fn with_provisioners(mut self, n: usize) -> Self {
        self.provisioners = n;
        self
    }

    /// Make blocks in this mode.
    pub fn with_block_mode(mut self, mode: BlockMode) -> Self {
        self.block_mode = mode;
        self
    }

    /// Keep the chain in `dir` (created if missing).
    pub fn with_data_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.data = DataDir::Path(dir.as_ref().to_path_buf());
        self
    }

    /// Read the genesis from this TOML file.
    pub fn with_genesis_file(mut self, path: impl AsRef<Path>) -> Self {
        self.genesis = GenesisSource::File(path.as_ref().to_path_buf());
        self
    }

    /// Serve the API on this port.
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sign consensus messages with `signatures`.
    pub fn with_signatures(mut self, signatures: Signatures) -> Self {
        self.signatures = signatures;
        self
    }

    /// Let execution count against the step timeouts (`true`: the clock runs on while a node
    /// builds, validates or commits a block, as on a network of machines, where a slow block
    /// delays the candidate and the votes) or not (`false`, the default: the clock stands
    /// still, since the nodes share this process's cores). With `true` each execution takes up
    /// to N / cores times what it takes on a machine of its own: a pessimistic network.
    pub fn with_execution_counted(mut self, counted: bool) -> Self {
        self.execution = if counted {
            Execution::Counted
        } else {
            Execution::Hidden
        };
        self
    }

    /// Print nothing.
    pub fn with_quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Stop adding transactions to a block once building it has taken `budget` (`None`: no
    /// wall-clock budget, only the block gas limit). Validators are not timed: they execute
    /// what the candidate lists.
    pub fn with_build_budget(mut self, budget: Option<Duration>) -> Self {
        self.build_budget = budget;
        self
    }

    /// Keep the last `blocks` blocks (at least 1) of each node's chain in its index's memory,
    /// and among them at most `receipts` receipts beyond the last few blocks: a block that
    /// leaves them is read from the node's store (tests make it small, to exercise that path).
    pub fn with_index_memory(mut self, blocks: usize, receipts: usize) -> Self {
        self.index_memory = (blocks.max(1), receipts);
        self
    }

    /// Share one execution of each block between the nodes (`true`, the default), or make
    /// every node execute every block itself (`false`: N times the execution, to watch nodes
    /// agree rather than assume it).
    pub fn with_shared_execution(mut self, shared: bool) -> Self {
        self.shared_execution = shared;
        self
    }

    /// The genesis this configuration names, loaded and validated, and checked against the
    /// provisioner count and block mode.
    ///
    /// # Errors
    /// See [`ConfigError`].
    pub fn load_genesis(&self, prices: &runtime::PriceTable) -> Result<GenesisConfig, ConfigError> {
        let genesis = match &self.genesis {
            GenesisSource::Default => {
                GenesisConfig::parse(crate::chain::genesis_config::DEFAULT_GENESIS_TOML, prices)?
            }
            GenesisSource::File(path) => GenesisConfig::load(path, prices)?,
        };
        self.check_genesis(&genesis)?;
        Ok(genesis)
    }

    /// Check `genesis` against the provisioner count and the block mode.
    ///
    /// # Errors
    /// [`ConfigError::Provisioners`] or [`ConfigError::BlockTime`].
    pub fn check_genesis(&self, genesis: &GenesisConfig) -> Result<(), ConfigError> {
        if self.provisioners == 0 || self.provisioners > MAX_PROVISIONERS {
            return Err(ConfigError::Provisioners(format!(
                "{} is outside 1..={MAX_PROVISIONERS}",
                self.provisioners
            )));
        }
        if self.provisioners > genesis.provisioners.len() {
            return Err(ConfigError::Provisioners(format!(
                "{} asked for, but the genesis stakes only {}",
                self.provisioners,
                genesis.provisioners.len()
            )));
        }
        if self.block_mode == BlockMode::Interval(0) {
            return Err(ConfigError::BlockTime);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioner_count_at_and_past_the_genesis_limits() {
        let prices = runtime::PriceTable::default();
        let ok = NodeConfig::test().with_provisioners(4);
        assert!(ok.load_genesis(&prices).is_ok());
        let one = NodeConfig::test().with_provisioners(1);
        assert!(one.load_genesis(&prices).is_ok());
        let past = NodeConfig::test().with_provisioners(5);
        assert!(matches!(
            past.load_genesis(&prices),
            Err(ConfigError::Provisioners(_))
        ));
        let zero = NodeConfig::test().with_provisioners(0);
        assert!(matches!(
            zero.load_genesis(&prices),
            Err(ConfigError::Provisioners(_))
        ));
        let bad = NodeConfig::test().with_block_mode(BlockMode::Interval(0));
        assert!(matches!(
            bad.load_genesis(&prices),
            Err(ConfigError::BlockTime)
        ));
    }
}
