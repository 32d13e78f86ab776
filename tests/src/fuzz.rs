//! The bodies of the fuzz targets, as ordinary library code.
//!
//! Each `pub fn` here takes the fuzzer's bytes and panics on a finding (a crash, a wrong
//! outcome, a state change after a failed call). The cargo-fuzz crate in `tests/fuzz/` wraps
//! each in a one-line `fuzz_target!`, and the integration test `tests/all/fuzz_corpus.rs`
//! replays the committed seed corpus (`tests/fuzz/seeds/<target>/`) through the very same
//! functions, so `cargo test` catches a broken harness without an instrumented build.
//!
//! | target | function | what it checks |
//! |---|---|---|
//! | `validate_bytes` | [`validate::arbitrary_bytes`] | deploy validation of any bytes: a typed result, and a module it accepts deploys or is refused with a typed error |
//! | `validate_generated` | [`validate::generated`] | the same on `wasm-smith` modules; what we accept, wasmparser accepts |
//! | `call_generated` | [`call::generated`] | a whole call of a generated contract importing host functions: a typed outcome, gas within the limit, no state change when it fails |
//! | `differential` | [`differential::run`] | a generated module without imports on our runtime and on wasmi: the same status or the same trap class |
//! | `signature_codec` | [`codec::run`] | the signature parser, and the codec: what decodes encodes back to the same bytes |
//! | `state_files` | [`state_files::run`] | state dump JSON, a saved `MemoryStore`, a redb file, `names.json`: typed errors, and what loads is consistent |
//! | `chain_inputs` | [`chain::run`] | the devnet's decoders: transactions, consensus messages, block items, genesis TOML, `mempool.bin`, API bodies: typed errors, and one encoding per decoded value |

pub mod call;
pub mod chain;
pub mod codec;
pub mod differential;
pub mod generate;
pub mod state_files;
pub mod validate;

/// A target's body: takes the fuzzer's bytes, panics on a finding.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as the cargo-fuzz crate names them: for the corpus replay.
pub const TARGETS: &[(&str, Target)] = &[
    ("validate_bytes", validate::arbitrary_bytes),
    ("validate_generated", validate::generated),
    ("call_generated", call::generated),
    ("differential", differential::run),
    ("signature_codec", codec::run),
    ("state_files", state_files::run),
    ("chain_inputs", chain::run),
];
