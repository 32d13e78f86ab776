//! `node-lite devnet`: a light proof-of-stake network of N provisioners in one process.
//!
//! [`spawn`] starts one node per provisioner (each with its own state store, mempool and
//! consensus state machine, on its own thread), connected by an in-process network behind the
//! [`Transport`](transport::Transport) trait, and returns a [`DevnetHandle`] that implements
//! [`NodeApi`](crate::node_api::NodeApi). See `devnet/README.md` for the layout and the choices.

pub mod accounts;
pub mod clock;
pub mod committees;
pub mod config;
pub mod eligibility;
pub mod executions;
pub mod executor;
pub mod genesis_record;
pub mod gossip;
pub mod handle;
pub mod index;
pub mod inputs;
pub mod keys;
pub mod node;
pub mod outbox;
pub mod pool_file;
pub mod render;
pub mod shared;
pub mod store;
pub mod transport;
pub mod tx_lookup;
pub mod voters;

mod spawn;

pub use config::{
    BlockMode, ConfigError, DataDir, Execution, GenesisSource, NodeConfig, Signatures,
};
pub use genesis_record::GenesisRecordError;
pub use handle::DevnetHandle;
pub use spawn::{SpawnError, spawn};
