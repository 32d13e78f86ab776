//! `node-lite`: the binary users run, as a library so tests drive it directly.
//!
//! Today: `exec` (one-shot deploy + call with a JSON receipt), `inspect` (validate a module and
//! list its entry points), `demo` (a tour of the sandbox), and the contract-author workflow:
//! `contract new|build`, `deploy`/`call` on a state directory, `state
//! snapshot|revert|dump|load|versions`, `gas-report` (see `docs/tutorial.md`), and `devnet`
//! ([`devnet::spawn`] → a [`devnet::DevnetHandle`] implementing [`node_api::NodeApi`]) with its HTTP
//! API ([`api`]) and CLI client (`tx`, `query`: [`client`]), on the
//! same structure: clap arguments → a library request → a function returning what to print.
//!
//! This crate knows wasm only through `runtime`; it must not reach into wasmtime.

pub mod api;
pub mod call_input;
pub mod chain;
pub mod cli;
pub mod client;
pub mod commands;
pub mod devnet;
pub mod dump_file;
pub mod genesis;
pub mod json_borsh;
pub mod module_file;
pub mod node_api;
pub mod output;
pub mod receipt_json;
pub mod signature;
pub mod state_dir;
