//! All integration tests, one binary, a file per area.

mod abi_example;
mod calls;
mod cli;
mod codec_properties;
mod composition;
mod contracts;
mod crypto;
mod deploy_limits;
mod determinism;
mod dump_properties;
mod fuzz_corpus;
mod gas_prices;
mod genesis;
mod harness;
mod host_limits;
mod hostile_sections;
mod module_cache;
mod operator_costs;
mod plonk_contract;
mod robustness;
mod state;
mod trace;
mod tutorial;
mod validation_invariant;
mod workflow;
mod workflow_misuse;
