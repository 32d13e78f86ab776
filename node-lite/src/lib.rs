//! `node-lite`: the binary users run, as a library so tests drive it directly.
//!
//! Today: `exec` (one-shot deploy + call with a JSON receipt), `inspect` (validate a module and
//! list its entry points) and `demo` (a tour of the sandbox). The devnet arrives later on the
//! same structure: clap arguments → a library request → a function returning what to print.
//!
//! This crate knows wasm only through `runtime`; it must not reach into wasmtime.

pub mod cli;
pub mod codec;
pub mod demo;
pub mod exec;
pub mod inspect;
pub mod signature;
