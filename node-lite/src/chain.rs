//! The chain a devnet runs: its genesis (a TOML file, the state built from it), signed
//! transactions, the mempool and block execution. Consensus (`node-lite/consensus`) decides which
//! blocks become final; this module says what a block *does* to the state.
//!
//! | module | concept |
//! |---|---|
//! | [`genesis_config`] | the genesis file: parsed, validated, errors naming the field |
//! | [`gas_schedule`] | the fingerprint of the gas schedule a genesis file pins |
//! | [`key_cache`] | senders' ed25519 keys decoded once for signature checks (bounded) |
//! | [`keys`] | account (ed25519) and provisioner (BLS) keys derived from seeds |
//! | [`consensus_crypto`] | BLS12-381 signing, aggregation and verification for the consensus (each check once per process) |
//! | [`nonces`] | the `nonces` contract: each account's next nonce, in the state |
//! | [`genesis_state`] | the first state: contracts deployed, accounts funded, provisioners staked |
//! | [`tx`] | signed transactions: the signed bytes, bounded decoding |
//! | [`accounts`] | an account's balance and next nonce, as the mempool reads them |
//! | [`mempool`] | transactions waiting for a block: checked, ordered by fee, bounded |
//! | [`verified`] | signatures one node of a process verified, which its other nodes skip (bounded) |
//! | [`block_exec`] | a block's transactions (fees, isolation, receipts), then the protocol calls |
//! | [`rewards`] | how a block's reward is shared between its generator and voters |
//!
//! Nothing here touches wasmtime or a store's internals: it drives a `runtime::Session`.

pub mod accounts;
pub mod block_exec;
pub mod consensus_crypto;
pub mod gas_schedule;
pub mod genesis_config;
pub mod genesis_state;
pub mod key_cache;
pub mod keys;
pub mod mempool;
pub mod nonces;
pub mod rewards;
pub mod tx;
pub mod verified;

pub use block_exec::{
    BlockContext, BlockError, BlockOutput, ExecutionMode, ProtocolInputs, TxReceipt, execute_block,
};
pub use gas_schedule::gas_schedule_fingerprint;
pub use genesis_config::{GenesisConfig, GenesisConfigError};
pub use genesis_state::{
    ChainContracts, GenesisBuildError, GenesisState, build_genesis, resident_code,
};
pub use keys::AccountKey;
pub use mempool::{Mempool, MempoolConfig, MempoolRefusal};
pub use tx::{Payload, Transaction, TxHash, UnsignedTx};

/// One runtime for the tests of this module, its cache warmed with the genesis contracts and the
/// hostile test contracts before any test uses it: compiling them takes seconds in a debug
/// build, and concurrent tests would each compile them otherwise. The compiled modules are also
/// kept on disk (the runtime's cache, keyed by the engine's fingerprint and the code hash) in the
/// system's temporary directory, so later runs load them instead.
#[cfg(test)]
fn shared_test_runtime() -> runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let cache = std::env::temp_dir().join("node-lite-chain-test-modules");
            let config = runtime::RuntimeConfig::test()
                .with_cache_dir(cache)
                .with_resident_code(resident_code());
            let runtime = runtime::Runtime::new(config).expect("a test runtime");
            let store = std::sync::Arc::new(runtime::MemoryStore::new());
            let mut s = runtime.session(store, runtime::BlockInfo::default());
            let nonces = nonces::nonces_module().expect("nonces assembles");
            let modules: [&[u8]; 6] = [
                crate::genesis::bundled::TRANSFER,
                crate::genesis::bundled::STAKE,
                crate::genesis::bundled::COMMITTEE,
                &nonces,
                include_bytes!("../../contracts/wasm/hostile.wasm"),
                include_bytes!("../../contracts/wasm/attacker.wasm"),
            ];
            for code in modules {
                s.deploy(host_api::Address([1; 32]), code, 0)
                    .expect("a test contract deploys");
            }
            runtime
        })
        .clone()
}
