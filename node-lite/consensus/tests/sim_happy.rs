//! The happy path: all provisioners online, blocks finalize.

use consensus::sim::{SimOptions, Simulator};
use genesis_types::committee::Mode;

#[test]
fn four_nodes_finalize_in_both_modes() {
    for mode in [Mode::Private, Mode::Public] {
        let options = SimOptions::calm(1, 4, mode);
        let mut sim = Simulator::new(options);
        let report = sim.run(20).unwrap_or_else(|v| panic!("{v}"));
        println!(
            "{mode:?}: {report:?}",
            report = (report.min_final, report.time, report.iterations)
        );
        assert!(report.min_final >= 20);
    }
}
