//! The `node-lite` binary: parse arguments, run, exit with the command's code.

use clap::Parser;

fn main() {
    // `contract build` runs cargo with this binary as its rustc wrapper (reproducible bytes).
    if let Some(code) = node_lite::commands::contract::run_as_rustc_wrapper() {
        std::process::exit(code);
    }
    let cli = node_lite::cli::Cli::parse();
    std::process::exit(node_lite::commands::run(cli));
}
