//! The `node-lite` binary: parse arguments, run, print, exit with the command's code.

use clap::Parser;
use node_lite::cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Exec(args) => {
            let out = node_lite::exec::run(&args.into());
            print_json(&out.json);
            out.exit_code
        }
        Command::Inspect { contract } => {
            let (json, code) = node_lite::inspect::run(&contract);
            print_json(&json);
            code
        }
        Command::Demo => match node_lite::demo::run(&mut std::io::stdout()) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("demo failed: {e}");
                1
            }
        },
    };
    std::process::exit(code);
}

fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("cannot print result: {e}"),
    }
}
