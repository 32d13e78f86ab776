//! The commands, one module each, and [`run`]: a parsed command line in, an exit code out
//! (what to print goes to stdout/stderr by the convention of [`crate::output`]).

pub mod contract;
pub mod demo;
pub mod devnet;
pub mod exec;
pub mod gas_report;
pub mod inspect;
pub mod local;
pub mod security;
pub mod state;

use crate::cli::{Cli, Command, ContractCommand};
use crate::output::{self, CommandOutput, JsonStyle};

/// Run the command `cli` names; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let style = if cli.compact {
        JsonStyle::Compact
    } else {
        JsonStyle::Pretty
    };
    let print = |out: CommandOutput| output::print(&out, style);
    match cli.command {
        Command::Exec(args) => print(exec::run(&args.into())),
        Command::Inspect { contract } => {
            let (json, exit_code) = inspect::run(&contract);
            print(CommandOutput {
                json,
                exit_code,
                trace: None,
            })
        }
        Command::Demo => match demo::run(&mut std::io::stdout()) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("demo failed: {e}");
                1
            }
        },
        Command::Contract(ContractCommand::New { name, path, sdk }) => {
            print_result(contract::new(&name, &path, sdk.as_deref()), style)
        }
        Command::Contract(ContractCommand::Build { dir, target_dir }) => print_result(
            contract::build(
                &dir,
                target_dir.as_deref(),
                &contract::ToolchainPaths::default(),
            ),
            style,
        ),
        Command::Deploy(args) => print(local::deploy(&args.into())),
        Command::Call(args) => print(local::call(&args.into())),
        Command::State(args) => match args.state {
            Some(dir) => print(state::run(&dir, &args.command.into())),
            None => {
                use clap::CommandFactory;
                Cli::command()
                    .error(
                        clap::error::ErrorKind::MissingRequiredArgument,
                        format!("`state` needs --state DIR (or {})", crate::cli::STATE_ENV),
                    )
                    .exit()
            }
        },
        Command::GasReport(args) => gas_report(args.into()),
        Command::Security(args) => security(&args, style),
        Command::Devnet(args) => devnet::run(&args),
        Command::Tx(args) => crate::client::finish(crate::client::tx_cmd::run(&args), style),
        Command::Query(args) => crate::client::finish(crate::client::query_cmd::run(&args), style),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "node-lite",
                &mut std::io::stdout(),
            );
            0
        }
    }
}

fn gas_report(req: gas_report::GasReportRequest) -> i32 {
    match gas_report::run(&req) {
        Ok(out) => {
            print!("{}", out.report.table());
            if let Some(path) = &out.written {
                println!("gas snapshot written to {}", path.display());
            }
            match &out.check {
                Some(check) if check.passed() => {
                    print!("{}", check.render());
                    println!(
                        "gas snapshot check passed (tolerance {}%)",
                        req.tolerance.percent
                    );
                    0
                }
                Some(check) => {
                    print!("{}", check.render());
                    println!(
                        "gas snapshot check FAILED: gas moved beyond {}% (update the snapshot by running without --check)",
                        req.tolerance.percent
                    );
                    1
                }
                None => 0,
            }
        }
        Err(e @ gas_report::GasScriptError::Unexpected { .. }) => {
            eprintln!("error: {e}");
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn security(args: &crate::cli::SecurityArgs, style: JsonStyle) -> i32 {
    match security::run(&args.into()) {
        Ok(report) if args.json => {
            output::print_json(&report.to_json(), style);
            0
        }
        Ok(report) => {
            print!("{}", report.render_text());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// A command whose errors are typed: its JSON on stdout (exit 0), or its error as a refusal
/// (`{"status": "refused", "error": {...}}` on stdout, exit 2) and the message on stderr.
fn print_result<E: std::fmt::Display>(
    result: Result<serde_json::Value, E>,
    style: JsonStyle,
) -> i32 {
    match result {
        Ok(json) => output::print(&CommandOutput::ok(json), style),
        Err(e) => {
            eprintln!("error: {e}");
            output::print(&output::refused("refused", &e), style)
        }
    }
}
