//! The `node-lite` binary: parse arguments, run, exit with the command's code.

use clap::Parser;

fn main() {
    let cli = node_lite::cli::Cli::parse();
    std::process::exit(node_lite::commands::run(cli));
}
