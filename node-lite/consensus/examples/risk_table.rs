//! Prints the risk model's table (F = 0.1, 0.2, 0.3, 0.33 at C = 64, both modes) and the
//! committee sizes needed for 10⁻⁶ and 10⁻⁹ per round at F = 0.3:
//! `cargo run --release -p consensus --example risk_table`.

use consensus::risk::{Mode, RiskParams, assess, scientific, smallest_committee};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "| mode | F | supermajority alone / step | equivocation / step | equivocation / round | \
         liveness failure / step | liveness failure / round |"
    );
    println!("|---|---|---|---|---|---|---|");
    for mode in [Mode::Public, Mode::Private] {
        for f in [0.1, 0.2, 0.3, 0.33] {
            let r = assess(&RiskParams::new(f, 64, mode))?;
            println!(
                "| {mode:?} | {f} | {} | {} | {} | {} | {} |",
                scientific(r.supermajority_alone.per_step.log10()),
                scientific(r.equivocation.per_step.log10()),
                scientific(r.equivocation.per_round.log10()),
                scientific(r.liveness_failure.per_step.log10()),
                scientific(r.liveness_failure.per_round.log10()),
            );
        }
    }
    for mode in [Mode::Public, Mode::Private] {
        for target in [1e-6, 1e-9] {
            let search = smallest_committee(&RiskParams::new(0.3, 64, mode), target)?;
            match search.found {
                Some(r) => println!(
                    "{mode:?}, F = 0.3, per-round risk <= {target:e}: C = {} (risk {})",
                    r.params.committee,
                    scientific(r.safety_risk_per_round().log10())
                ),
                None => println!(
                    "{mode:?}, F = 0.3, per-round risk <= {target:e}: none up to C = {}",
                    search.searched_up_to
                ),
            }
        }
    }
    Ok(())
}
