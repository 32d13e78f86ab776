//! The `node-lite` binary: parse arguments, run, print, exit with the command's code.

use clap::Parser;
use node_lite::cli::{Cli, Command, ContractCommand};
use node_lite::exec::ExecOutput;

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Exec(args) => print_output(node_lite::exec::run(&args.into())),
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
        Command::Contract(ContractCommand::New { name, path, sdk }) => {
            print_result(node_lite::contract::new(&name, &path, sdk.as_deref()))
        }
        Command::Contract(ContractCommand::Build { dir }) => print_result(
            node_lite::contract::build(&dir, &node_lite::contract::ToolchainPaths::default()),
        ),
        Command::Deploy(args) => print_output(node_lite::local::deploy(&args.into())),
        Command::Call(args) => print_output(node_lite::local::call(&args.into())),
        Command::State(args) => match args.state {
            Some(dir) => print_output(node_lite::state_cmd::run(&dir, &args.command.into())),
            None => {
                use clap::CommandFactory;
                Cli::command()
                    .error(
                        clap::error::ErrorKind::MissingRequiredArgument,
                        format!(
                            "`state` needs --state DIR (or {})",
                            node_lite::cli::STATE_ENV
                        ),
                    )
                    .exit()
            }
        },
        Command::GasReport(args) => gas_report(args.into()),
        Command::Security(args) => security(&args),
        Command::Tx(args) => node_lite::client::finish(node_lite::client::tx_cmd::run(&args)),
        Command::Query(args) => node_lite::client::finish(node_lite::client::query_cmd::run(&args)),
    };
    std::process::exit(code);
}

fn gas_report(req: node_lite::gas_script::GasReportRequest) -> i32 {
    match node_lite::gas_script::run(&req) {
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
        Err(e @ node_lite::gas_script::GasScriptError::Unexpected { .. }) => {
            eprintln!("error: {e}");
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn security(args: &node_lite::cli::SecurityArgs) -> i32 {
    match node_lite::security::run(&args.into()) {
        Ok(report) if args.json => {
            print_json(&report.to_json());
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

fn print_output(out: ExecOutput) -> i32 {
    if let Some(trace) = &out.trace {
        eprint!("{trace}");
    }
    print_json(&out.json);
    out.exit_code
}

fn print_result<E: std::fmt::Display>(result: Result<serde_json::Value, E>) -> i32 {
    match result {
        Ok(json) => {
            print_json(&json);
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("cannot print result: {e}"),
    }
}
