//! All integration tests, one binary, a file per area.

mod abi_example;
mod cli;
mod contracts;
mod deploy_limits;
mod host_limits;
mod module_cache;
mod robustness;
mod calls;
mod composition;
