//! Replays one seed of the campaign and prints its options and outcome:
//! `cargo run --release -p consensus --example replay -- SEED ROUNDS PROVISIONERS [public|private] [HORIZON_MS]`.

use consensus::sim::{SimOptions, Simulator};
use genesis_types::committee::Mode;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
    let (seed, rounds, n) = (number(1, 0), number(2, 100), number(3, 4) as usize);
    let mode = if args.get(4).map(String::as_str) == Some("public") {
        Mode::Public
    } else {
        Mode::Private
    };
    let horizon = number(5, (rounds * 1_000).min(120_000));
    let options = SimOptions::from_seed(seed, n, mode, horizon);
    println!("{options}");
    let mut sim = Simulator::new(options);
    match sim.run(rounds) {
        Ok(report) => println!(
            "ok: {} final blocks at {} ms, faults {:?} {:?}, reverts {}",
            report.min_final, report.time, report.faults, report.fault_samples, report.reverts
        ),
        Err(violation) => println!("VIOLATION {violation}"),
    }
}
