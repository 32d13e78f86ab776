//! `node-lite`: the binary users run, as a library so tests drive it directly.
//!
//! Today: `exec` (one-shot deploy + call with a JSON receipt), `inspect` (validate a module and
//! list its entry points), `demo` (a tour of the sandbox), and the contract-author workflow:
//! `contract new|build`, `deploy`/`call` on a state directory, `state
//! snapshot|revert|dump|load|versions`, `gas-report` (see `docs/tutorial.md`); the devnet's HTTP
//! API ([`api`], over the [`node_api::NodeApi`] trait) and its CLI client (`tx`, `query`:
//! [`client`]). The devnet arrives later on the
//! same structure: clap arguments → a library request → a function returning what to print.
//!
//! This crate knows wasm only through `runtime`; it must not reach into wasmtime.

pub mod api;
pub mod chain;
pub mod cli;
pub mod client;
pub mod codec;
pub mod contract;
pub mod demo;
pub mod dump_file;
pub mod exec;
pub mod gas_script;
pub mod genesis;
pub mod inspect;
pub mod local;
pub mod node_api;
pub mod security;
pub mod signature;
pub mod state_cmd;
pub mod state_dir;
