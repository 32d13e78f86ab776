//! The conflicting-`Final` model (`risk::conflicting_final`): its second win against a plain
//! iteration-by-iteration computation, its bounds, and the values the README quotes.

use consensus::risk::{Mode, RiskError, RiskParams, conflicting_final};

/// Ten provisioners of 1,000 lots, three Byzantine (F = 0.3), 64-credit private committees:
/// the simulator's split-adversary setting.
fn ten() -> RiskParams {
    RiskParams::new(0.3, 64, Mode::Private)
        .with_provisioners(10)
        .with_lots(1_000)
}

/// Both sides decide within `w` iterations, as a loop over the iterations' outcomes.
fn second_win_by_loop([s_a, s_b, s_ab]: [f64; 3], w: u32) -> f64 {
    // States: neither side has decided, only A, only B, both.
    let (mut none, mut only_a, mut only_b, mut both) = (1.0, 0.0, 0.0, 0.0);
    for _ in 0..w {
        let a_only = s_a - s_ab;
        let b_only = s_b - s_ab;
        let next_both = both + none * s_ab + only_a * s_b + only_b * s_a;
        let next_a = only_a * (1.0 - s_b) + none * a_only;
        let next_b = only_b * (1.0 - s_a) + none * b_only;
        none *= 1.0 - s_a - s_b + s_ab;
        (only_a, only_b, both) = (next_a, next_b, next_both);
    }
    both
}

#[test]
fn the_second_win_is_the_chance_both_sides_decide_within_the_window() {
    for side_a in 1..=6 {
        for w in [1, 2, 5, 50] {
            let odds = conflicting_final(&ten(), side_a, w).unwrap();
            let by_loop = second_win_by_loop(odds.per_iteration, w);
            assert!(
                (odds.second_win - by_loop).abs() < 1e-12,
                "side {side_a}, W {w}: {} against {by_loop}",
                odds.second_win
            );
            let [s_a, s_b, s_ab] = odds.per_iteration;
            assert!(s_ab <= s_a.min(s_b) + 1e-15);
            assert!(odds.per_round.value() <= odds.report.equivocation.per_round.value());
            assert!((odds.given_partition - odds.second_win.powi(2)).abs() < 1e-15);
        }
        // One iteration: both sides decide in iteration 0, which needs a Byzantine generator.
        let one = conflicting_final(&ten(), side_a, 1).unwrap();
        assert!((one.second_win - one.per_iteration[2]).abs() < 1e-15);
    }
}

#[test]
fn the_readme_values() {
    for (side_a, w) in [(3, 1), (3, 2), (3, 50), (2, 1), (2, 50)] {
        let odds = conflicting_final(&ten(), side_a, w).unwrap();
        println!(
            "side A {side_a} of 7, window {w}: per step P(B + H_A >= 43) {:.4}, P(B + H_B >= 43) {:.4}, both {:.4}; per iteration s_A {:.4} s_B {:.4} s_AB {:.5}; second win {:.4} (squared {:.4}); equivocation per round {:.4}; conflicting Final per round <= {:.3e}, expected rounds >= {:.0}",
            odds.side_a_step.value(),
            odds.side_b_step.value(),
            odds.both_step.value(),
            odds.per_iteration[0],
            odds.per_iteration[1],
            odds.per_iteration[2],
            odds.second_win,
            odds.given_partition,
            odds.report.equivocation.per_round.value(),
            odds.per_round.value(),
            odds.expected_rounds()
        );
    }
}

/// Public mode: the same second win from its per-iteration odds, `P₂ = s_AB` at `W = 1`,
/// symmetric sides give symmetric odds, and the exclusions make public mode's per-step odds
/// differ from private mode's.
#[test]
fn public_mode_s_second_win_sums_over_the_excluded_generators() {
    let public = RiskParams {
        mode: Mode::Public,
        ..ten()
    };
    for side_a in 1..=6 {
        for w in [1, 2, 50] {
            let odds = conflicting_final(&public, side_a, w).unwrap();
            let by_loop = second_win_by_loop(odds.per_iteration, w);
            assert!((odds.second_win - by_loop).abs() < 1e-12);
            let [s_a, s_b, s_ab] = odds.per_iteration;
            assert!(s_ab <= s_a.min(s_b) + 1e-15);
            let mirror = conflicting_final(&public, 7 - side_a, w).unwrap();
            assert!((mirror.per_iteration[0] - s_b).abs() < 1e-12);
            assert!((mirror.per_iteration[2] - s_ab).abs() < 1e-12);
        }
        let one = conflicting_final(&public, side_a, 1).unwrap();
        assert!((one.second_win - one.per_iteration[2]).abs() < 1e-15);
        println!(
            "public, side A {side_a} of 7: s_A {:.4} s_B {:.4} s_AB {:.5}; private s_AB {:.5}",
            one.per_iteration[0],
            one.per_iteration[1],
            one.per_iteration[2],
            conflicting_final(&ten(), side_a, 1).unwrap().per_iteration[2]
        );
    }
}

#[test]
fn every_bound_is_refused() {
    let bad = |side_a, w, params: RiskParams| {
        matches!(
            conflicting_final(&params, side_a, w),
            Err(RiskError::FinalitySides { .. })
        )
    };
    assert!(conflicting_final(&ten(), 1, 1).is_ok());
    assert!(conflicting_final(&ten(), 6, 50).is_ok());
    assert!(bad(0, 1, ten()));
    assert!(bad(7, 1, ten()));
    assert!(bad(3, 0, ten()));
    assert!(bad(3, 51, ten()));
    let public = RiskParams {
        mode: Mode::Public,
        ..ten()
    };
    assert!(bad(0, 1, public));
    assert!(bad(7, 1, public));
    assert!(conflicting_final(&public, 3, 1).is_ok());
    assert_eq!(
        conflicting_final(&ten().with_lots(0), 3, 1),
        Err(RiskError::LotsOutOfRange {
            provisioners: 10,
            lots: 0
        })
    );
}
