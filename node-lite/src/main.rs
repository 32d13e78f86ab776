//! The `node-lite` binary: parse arguments, run, exit with the command's code.

use clap::Parser;

fn main() {
    // `contract build` runs cargo with this binary as its rustc wrapper (reproducible bytes).
    if let Some(code) = node_lite::commands::contract::run_as_rustc_wrapper() {
        std::process::exit(code);
    }
    let cli = node_lite::cli::Cli::parse();
    let serves =
        matches!(&cli.command, node_lite::cli::Command::Devnet(args) if !args.print_genesis);
    if !serves {
        default_sigpipe();
    }
    std::process::exit(node_lite::commands::run(cli));
}

/// Rust ignores SIGPIPE, so a write to a closed pipe (`node-lite query … | head`) fails and
/// `println!` panics with "failed printing to stdout". A command that prints and ends gets the
/// default back: the process ends quietly when its reader goes away, as other Unix tools do.
/// Not the devnet: it serves HTTP, and a client that hangs up must cost it an error on that
/// socket, not the process.
fn default_sigpipe() {
    // SAFETY: called before any thread exists; `SIG_DFL` is a valid disposition.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
