//! All integration tests, one binary, a file per area.

mod deploy_limits;
mod host_limits;
mod module_cache;
mod abi_example;
mod cli;
mod contracts;
