//! `node-lite devnet`: its arguments, their conversion into a [`NodeConfig`], and the command
//! (start, print the chain and the dev accounts, one line per block, Ctrl-C to stop).

use crate::devnet::{BlockMode, DevnetHandle, NodeConfig, Signatures, spawn};
use crate::node_api::{ChainEvent, NodeApi};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// `node-lite devnet` arguments.
#[derive(Debug, Args)]
pub struct DevnetArgs {
    /// Provisioners to run (the genesis file's first N).
    #[arg(long, value_name = "N", default_value_t = crate::devnet::config::DEFAULT_PROVISIONERS)]
    pub provisioners: usize,
    /// A block at least every MS milliseconds, empty or not (the default, 1,000).
    #[arg(long, value_name = "MS", group = "mode")]
    pub block_time: Option<u64>,
    /// A block as soon as a transaction waits; none otherwise.
    #[arg(long, group = "mode")]
    pub instant: bool,
    /// A block only when asked (the `mine` dev control).
    #[arg(long, group = "mode")]
    pub manual: bool,
    /// Keep the chain in DIR (a restart resumes it); default: a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The genesis TOML file; default: the embedded one (see --print-genesis), or on a restart
    /// the one the --data directory recorded (a different file is refused).
    #[arg(long, value_name = "FILE")]
    pub genesis: Option<PathBuf>,
    /// The HTTP API's port on 127.0.0.1.
    #[arg(long, value_name = "P", default_value_t = crate::devnet::config::DEFAULT_PORT)]
    pub port: u16,
    /// Print the embedded default genesis file and exit.
    #[arg(long)]
    pub print_genesis: bool,
    /// Consensus signatures: `bls` (the staked BLS keys: votes, VRF proofs and equivocation
    /// proofs verify in the genesis contracts) or `fake` (the consensus crate's keyed-BLAKE2b
    /// stand-in: faster, not secure).
    #[arg(long, value_name = "SCHEME", default_value = "bls", value_parser = ["bls", "fake"])]
    pub signatures: String,
    /// A generator stops adding transactions to a block once building it has taken MS
    /// milliseconds (0: no limit but the block gas limit); validators are not timed.
    #[arg(long, value_name = "MS", default_value_t = crate::devnet::config::DEFAULT_BUILD_BUDGET.as_millis() as u64)]
    pub build_budget_ms: u64,
}

impl From<&DevnetArgs> for NodeConfig {
    fn from(args: &DevnetArgs) -> Self {
        let mode = if args.instant {
            BlockMode::Instant
        } else if args.manual {
            BlockMode::Manual
        } else {
            BlockMode::Interval(args.block_time.unwrap_or(1_000))
        };
        let signatures = if args.signatures == "fake" {
            Signatures::Fake
        } else {
            Signatures::Bls
        };
        let mut config = NodeConfig::default()
            .with_provisioners(args.provisioners)
            .with_block_mode(mode)
            .with_port(args.port)
            .with_signatures(signatures)
            .with_build_budget(
                (args.build_budget_ms > 0)
                    .then(|| std::time::Duration::from_millis(args.build_budget_ms)),
            );
        if let Some(dir) = &args.data {
            config = config.with_data_dir(dir);
        }
        if let Some(file) = &args.genesis {
            config = config.with_genesis_file(file);
        }
        config
    }
}

/// What `node-lite devnet` prints at start: the chain, the API address (`api`, where the
/// server bound), the dev accounts.
pub fn banner(devnet: &DevnetHandle, api: std::net::SocketAddr) -> String {
    let info = devnet.chain_info();
    let mut out = String::new();
    out.push_str(&format!(
        "node-lite devnet: {} provisioners, {} blocks, {} signatures\n",
        info.provisioners,
        info.block_mode,
        devnet.signatures().label()
    ));
    out.push_str(&format!("API          http://{api}\n"));
    out.push_str(&format!("chain id     {}\n", info.chain_id));
    out.push_str(&format!("genesis root {}\n", info.genesis_root));
    out.push_str(&format!("data dir     {}\n", devnet.data_dir().display()));
    for (name, id) in &info.contracts {
        out.push_str(&format!("contract     {name:<9} {id}\n"));
    }
    out.push_str("\nDev accounts (deterministic keys: devnet only)\n");
    for a in devnet.dev_accounts() {
        out.push_str(&format!(
            "({}) {}  balance {}\n    secret key {}\n",
            a.index, a.address, a.balance, a.secret_key
        ));
    }
    out
}

/// One block's line: height, iteration, transactions, gas, finality label, time since the
/// previous block, and the highest final height.
pub fn block_line(
    view: &crate::node_api::BlockView,
    previous_ts: Option<u64>,
    finalized: u64,
) -> String {
    let dt = previous_ts.map_or_else(
        || "-".to_string(),
        |p| format!("+{} ms", view.timestamp_ms.saturating_sub(p)),
    );
    format!(
        "block {:>6}  iter {}  txs {:>4}  gas {:>12}  {:<9}  {:>10}  final ≤ {}  {}",
        view.height,
        view.iteration,
        view.transactions.len(),
        view.gas_used,
        view.label,
        dt,
        finalized,
        &view.hash[..16]
    )
}

/// Runs `node-lite devnet`; returns the exit code.
pub fn run(args: &DevnetArgs) -> i32 {
    if args.print_genesis {
        print!("{}", crate::chain::genesis_config::DEFAULT_GENESIS_TOML);
        return 0;
    }
    let config = NodeConfig::from(args);
    let devnet = match spawn(config) {
        Ok(d) => std::sync::Arc::new(d),
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    // The HTTP API on the configured port (its own runtime thread; stopped before the devnet).
    let api = match crate::api::serve(devnet.clone(), devnet.api_address()) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("error: {e}");
            devnet.shutdown();
            return 2;
        }
    };
    // Subscribed before printing, so the first block's line is not missed.
    let mut events = devnet.subscribe();
    print!("{}", banner(&devnet, api.local_addr()));
    println!();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the event loop: {e}");
            return 1;
        }
    };
    // A restarted chain prints its final height from the first block on.
    let mut finalized = devnet.head().finalized_height;
    runtime.block_on(async move {
        let print = tokio::spawn(async move {
            let mut previous_ts = None;
            loop {
                match events.recv().await {
                    Ok(ChainEvent::Block(view)) => {
                        println!("{}", block_line(&view, previous_ts, finalized));
                        let _ = std::io::stdout().flush();
                        previous_ts = Some(view.timestamp_ms);
                    }
                    Ok(ChainEvent::Label { height, label, .. }) if label == "final" => {
                        finalized = finalized.max(height);
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        println!("({n} events skipped: the terminal is slower than the chain)");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        let _ = tokio::signal::ctrl_c().await;
        print.abort();
    });
    println!("\nshutting down…");
    api.shutdown();
    devnet.shutdown();
    println!("stopped at height {}", devnet.head().height);
    0
}
