//! The risk model against brute-force enumeration of every committee on small cases, closed
//! forms in its limits, its monotonicity, and its bounds.

use consensus::risk::{
    CommitteeSearch, DEFAULT_ITERATIONS, DEFAULT_PROVISIONERS, LogProb, MAX_ITERATIONS,
    MAX_PROVISIONERS, MAX_STEP_CREDITS, Mode, PRIVATE_PROPOSAL_CREDITS, RiskError, RiskParams,
    RiskReport, assess, per_round, smallest_committee,
};
use genesis_types::committee::CommitteeParams;
use genesis_types::sortition::{majority, supermajority};
use host_api::ContractId;

/// The odds of one iteration's outcomes, found by enumerating every draw.
#[derive(Debug, Default)]
struct Enumerated {
    step_super: f64,
    step_majority: f64,
    step_equivocation: f64,
    step_short: f64,
    super_alone: f64,
    veto: f64,
    equivocation: f64,
    honest_block: f64,
    honest_block_unvetoed: f64,
}

/// One committee draw's (Byzantine, honest) credits.
type Draw = (u32, u32);

/// Add one iteration of probability `w`: generator Byzantine or honest (or neither), and the
/// validation and ratification draws.
fn tally(e: &mut Enumerated, w: f64, generator: Option<bool>, v: Draw, r: Draw, credits: u32) {
    let (qs, qm) = (supermajority(credits), majority(credits));
    let sup = |(b, _): Draw| b >= qs;
    let maj = |(b, _): Draw| b >= qm;
    let equ = |(b, h): Draw| 2 * b + h >= 2 * qs;
    let short = |(_, h): Draw| h < qs;
    e.step_super += w * f64::from(u8::from(sup(v)));
    e.step_majority += w * f64::from(u8::from(maj(v)));
    e.step_equivocation += w * f64::from(u8::from(equ(v)));
    e.step_short += w * f64::from(u8::from(short(v)));
    let byzantine = generator == Some(true);
    let honest = generator == Some(false);
    if byzantine && sup(v) && sup(r) {
        e.super_alone += w;
    }
    if byzantine && equ(v) && equ(r) {
        e.equivocation += w;
    }
    if honest && maj(v) && maj(r) {
        e.veto += w;
    }
    if honest && !short(v) && !short(r) {
        e.honest_block += w;
        if !(maj(v) && maj(r)) {
            e.honest_block_unvetoed += w;
        }
    }
}

/// Every ordered draw of `credits` lots, one at a time among the lots left of `pool`
/// (`true` = Byzantine), each equally likely: the public sortition's law.
fn ordered_draws(pool: &[bool], credits: u32) -> Vec<(f64, Draw)> {
    if credits == 0 {
        return vec![(1.0, (0, 0))];
    }
    let mut out = Vec::new();
    for i in 0..pool.len() {
        let mut rest = pool.to_vec();
        let byz = rest.remove(i);
        for (w, (b, h)) in ordered_draws(&rest, credits - 1) {
            let drawn = if byz { (b + 1, h) } else { (b, h + 1) };
            out.push((w / pool.len() as f64, drawn));
        }
    }
    out
}

/// Public mode by enumeration: the generator and the next one, each of the `n` provisioners
/// with probability `1/n`; both committees drawn from the others' lots (`l` each).
fn enumerate_public(n: usize, nb: usize, credits: u32, l: usize) -> Enumerated {
    let lots: Vec<bool> = (0..n).map(|i| i < nb).collect();
    let mut e = Enumerated::default();
    for this in 0..n {
        for next in 0..n {
            let pool: Vec<bool> = (0..n)
                .filter(|i| *i != this && *i != next)
                .flat_map(|i| std::iter::repeat_n(lots[i], l))
                .collect();
            let draws = ordered_draws(&pool, credits);
            let w0 = 1.0 / (n * n) as f64;
            for (wv, v) in &draws {
                for (wr, r) in &draws {
                    tally(&mut e, w0 * wv * wr, Some(lots[this]), *v, *r, credits);
                }
            }
        }
    }
    e
}

/// Private mode by enumeration: every subset of the `n` lots for the proposal, validation
/// and ratification steps; the generator uniform among the proposal's selected lots.
fn enumerate_private(n: usize, nb: usize, credits: u32) -> Enumerated {
    let p = f64::from(credits) / n as f64;
    let p0 = (f64::from(PRIVATE_PROPOSAL_CREDITS) / n as f64).min(1.0);
    let subset = |mask: u32, p: f64| -> (f64, Draw) {
        let mut w = 1.0;
        let (mut b, mut h) = (0, 0);
        for i in 0..n {
            if mask & (1 << i) != 0 {
                w *= p;
                if i < nb { b += 1 } else { h += 1 }
            } else {
                w *= 1.0 - p;
            }
        }
        (w, (b, h))
    };
    let masks = 0..(1u32 << n);
    let mut e = Enumerated::default();
    for m0 in masks.clone() {
        let (w0, (b0, h0)) = subset(m0, p0);
        let generators: Vec<(f64, Option<bool>)> = if b0 + h0 == 0 {
            vec![(1.0, None)]
        } else {
            let all = f64::from(b0 + h0);
            vec![
                (f64::from(b0) / all, Some(true)),
                (f64::from(h0) / all, Some(false)),
            ]
        };
        for mv in masks.clone() {
            let (wv, v) = subset(mv, p);
            for mr in masks.clone() {
                let (wr, r) = subset(mr, p);
                for (wg, g) in &generators {
                    tally(&mut e, w0 * wg * wv * wr, *g, v, r, credits);
                }
            }
        }
    }
    e
}

fn close(got: LogProb, want: f64, what: &str) {
    let got = got.value();
    assert!(
        (got - want).abs() <= 1e-9 * want.abs() + 1e-12,
        "{what}: model {got:e}, enumeration {want:e}"
    );
}

/// A round as a loop over its iterations: success `x`, an honest block `y`, else the next.
fn round_by_loop(x: f64, y: f64, k: u32) -> f64 {
    let (mut reach, mut total) = (1.0, 0.0);
    for _ in 0..k {
        total += reach * x;
        reach *= 1.0 - x - y;
    }
    total
}

fn check_against(report: &RiskReport, e: &Enumerated) {
    close(
        report.supermajority_alone.per_step,
        e.step_super,
        "supermajority, step",
    );
    close(
        report.majority_alone.per_step,
        e.step_majority,
        "majority, step",
    );
    close(
        report.equivocation.per_step,
        e.step_equivocation,
        "equivocation, step",
    );
    close(
        report.liveness_failure.per_step,
        e.step_short,
        "liveness, step",
    );
    close(
        report.supermajority_alone.per_iteration,
        e.super_alone,
        "supermajority, iteration",
    );
    close(
        report.majority_alone.per_iteration,
        e.veto,
        "veto, iteration",
    );
    close(
        report.equivocation.per_iteration,
        e.equivocation,
        "equivocation, iteration",
    );
    close(
        report.liveness_failure.per_iteration,
        1.0 - e.honest_block,
        "liveness, iteration",
    );
    let k = report.params.iterations;
    let rounds = [
        (
            report.supermajority_alone.per_round,
            e.super_alone,
            e.honest_block,
        ),
        (
            report.equivocation.per_round,
            e.equivocation,
            e.honest_block,
        ),
        (
            report.majority_alone.per_round,
            e.veto,
            e.honest_block_unvetoed,
        ),
    ];
    for (got, x, y) in rounds {
        close(got, round_by_loop(x, y, k), "per round");
    }
    close(
        report.liveness_failure.per_round,
        (1.0 - e.honest_block).powi(k as i32),
        "liveness, round",
    );
}

#[test]
fn public_mode_equals_the_enumeration_of_every_draw() {
    // (provisioners, Byzantine, credits): quorums (2, 2), (3, 3), (3, 3) for C = 3, 4, 5.
    for (n, nb, credits) in [(6, 2, 3), (7, 3, 4), (8, 4, 5), (7, 1, 3), (6, 0, 3)] {
        let params = RiskParams::new(nb as f64 / n as f64, credits, Mode::Public)
            .with_provisioners(n as u64)
            .with_iterations(3);
        let report = assess(&params).unwrap();
        assert_eq!(report.byzantine_provisioners, nb as u64);
        check_against(&report, &enumerate_public(n, nb, credits, 1));
        close(
            report.generator.byzantine,
            nb as f64 / n as f64,
            "Byzantine generator",
        );
    }
}

/// Provisioners of several lots each: an excluded generator takes all its lots out of the
/// pool (what makes ten provisioners differ from 10,000 lots in public mode).
#[test]
fn public_mode_with_several_lots_each_equals_the_enumeration_of_every_draw() {
    // (provisioners, Byzantine, credits, lots each)
    for (n, nb, credits, l) in [(4, 1, 3, 2), (5, 2, 3, 2), (4, 2, 2, 3)] {
        let params = RiskParams::new(nb as f64 / n as f64, credits, Mode::Public)
            .with_provisioners(n as u64)
            .with_lots(l as u64)
            .with_iterations(3);
        let report = assess(&params).unwrap();
        check_against(&report, &enumerate_public(n, nb, credits, l));
        close(
            report.generator.byzantine,
            nb as f64 / n as f64,
            "Byzantine generator",
        );
        // One lot each is another law: the exclusions take less.
        let one_lot = assess(&params.with_provisioners((n * l) as u64).with_lots(1)).unwrap();
        assert!(
            (one_lot.equivocation.per_iteration.value()
                - report.equivocation.per_iteration.value())
            .abs()
                > 1e-6,
            "{n} x {l}"
        );
    }
}

#[test]
fn private_mode_equals_the_enumeration_of_every_selection() {
    for (n, nb, credits) in [(6, 2, 3), (6, 3, 4), (5, 1, 2), (6, 5, 3)] {
        let params = RiskParams::new(nb as f64 / n as f64, credits, Mode::Private)
            .with_provisioners(n as u64)
            .with_iterations(4);
        check_against(
            &assess(&params).unwrap(),
            &enumerate_private(n, nb, credits),
        );
    }
    // With 8 lots the proposal step selects each with 5/8 < 1: nobody proposes sometimes.
    let params = RiskParams::new(0.25, 3, Mode::Private).with_provisioners(8);
    let report = assess(&params).unwrap();
    check_against(&report, &enumerate_private(8, 2, 3));
    close(
        report.generator.nobody,
        (3.0f64 / 8.0).powi(8),
        "nobody proposes",
    );
}

/// `P(X ≥ t)` for `X ~ Binomial(n, p)`, summed plainly.
fn binomial_at_least(n: u32, p: f64, t: u32) -> f64 {
    let mut pmf = (1.0 - p).powi(n as i32);
    let mut tail = 0.0;
    for k in 0..=n {
        if k >= t {
            tail += pmf;
        }
        pmf *= f64::from(n - k) / f64::from(k + 1) * p / (1.0 - p);
    }
    tail
}

#[test]
fn the_43_of_64_equivocation_threshold_is_2b_plus_h_at_least_86() {
    assert_eq!((supermajority(64), majority(64)), (43, 33));
    // Public mode, a million provisioners: B ~ Binomial(64, 0.3) to within 1e-4, and
    // 2B + (64 − B) ≥ 86 ⇔ B ≥ 22.
    let report =
        assess(&RiskParams::new(0.3, 64, Mode::Public).with_provisioners(1_000_000)).unwrap();
    let step = report.equivocation.per_step.value();
    let at_22 = binomial_at_least(64, 0.3, 22);
    assert!((step - at_22).abs() < 1e-3 * at_22, "{step} vs {at_22}");
    // The boundary counts: B = 21 (2·21 + 43 = 85) is out, which is worth 0.09.
    assert!((at_22 - binomial_at_least(64, 0.3, 21)).abs() > 0.05);
    assert!((0.25..0.27).contains(&step), "{step}");
    // A Byzantine supermajority alone needs B ≥ 43.
    let alone = binomial_at_least(64, 0.3, 43);
    let got = report.supermajority_alone.per_step.value();
    assert!((got - alone).abs() < 1e-2 * alone, "{got} vs {alone}");
}

/// `P(X = k)` for `X ~ Poisson(λ)`.
fn poisson(lambda: f64, k: u32) -> f64 {
    (f64::from(k) * lambda.ln() - lambda - (1..=k).map(|i| f64::from(i).ln()).sum::<f64>()).exp()
}

#[test]
fn private_mode_tends_to_independent_poissons_with_many_lots() {
    let (f, c) = (0.3, 64u32);
    let report =
        assess(&RiskParams::new(f, c, Mode::Private).with_provisioners(MAX_PROVISIONERS)).unwrap();
    let (lb, lh) = (f * f64::from(c), (1.0 - f) * f64::from(c));
    let (qs, qm) = (43, 33);
    let tail = |lambda: f64, t: u32| (t..400).map(|k| poisson(lambda, k)).sum::<f64>();
    let equivocation: f64 = (0..200)
        .map(|b| poisson(lb, b) * tail(lh, (2 * qs as i64 - 2 * b as i64).max(0) as u32))
        .sum();
    let short: f64 = (0..qs).map(|h| poisson(lh, h)).sum();
    for (got, want, what) in [
        (report.equivocation.per_step, equivocation, "equivocation"),
        (report.liveness_failure.per_step, short, "liveness"),
        (
            report.supermajority_alone.per_step,
            tail(lb, qs),
            "supermajority",
        ),
        (report.majority_alone.per_step, tail(lb, qm), "majority"),
    ] {
        let got = got.value();
        assert!(
            (got - want).abs() < 5e-3 * want,
            "{what}: {got:e} vs Poisson {want:e}"
        );
    }
    // The variable size makes private committees riskier than public ones of the same C.
    let public = assess(&RiskParams::new(f, c, Mode::Public)).unwrap();
    assert!(report.equivocation.per_step.value() > 1.4 * public.equivocation.per_step.value());
}

#[test]
fn public_mode_tends_to_the_binomial_with_many_lots() {
    for f in [0.1, 0.2, 0.33] {
        let report =
            assess(&RiskParams::new(f, 64, Mode::Public).with_provisioners(1_000_000)).unwrap();
        // Drawing without replacement thins the far tails by about exp(−t² / 2·N_byz): 1 %
        // at t = 43, N_byz = 10⁵.
        for (got, t, tolerance) in [
            (report.equivocation.per_step, 22, 2e-3),
            (report.supermajority_alone.per_step, 43, 2e-2),
            (report.majority_alone.per_step, 33, 1e-2),
        ] {
            let want = binomial_at_least(64, f, t);
            let off = (got.value() - want).abs() / want;
            assert!(off < tolerance, "F {f} B ≥ {t}: {got} vs {want:e}");
        }
    }
}

fn risks(r: &RiskReport) -> [f64; 12] {
    let mut out = [0.0; 12];
    let all = [
        r.supermajority_alone,
        r.majority_alone,
        r.equivocation,
        r.liveness_failure,
    ];
    for (i, odds) in all.iter().enumerate() {
        out[3 * i] = odds.per_step.ln();
        out[3 * i + 1] = odds.per_iteration.ln();
        out[3 * i + 2] = odds.per_round.ln();
    }
    out
}

#[test]
fn every_risk_grows_with_the_byzantine_stake() {
    for mode in [Mode::Public, Mode::Private] {
        let mut previous = [f64::NEG_INFINITY; 12];
        for i in 1..=12 {
            let f = 0.04 * f64::from(i);
            let now = risks(&assess(&RiskParams::new(f, 64, mode)).unwrap());
            for (j, (a, b)) in previous.iter().zip(&now).enumerate() {
                assert!(b >= a, "{mode:?} F {f}: risk {j} fell, {a} → {b}");
            }
            previous = now;
        }
    }
}

#[test]
fn the_safety_risk_falls_with_the_committee_within_each_residue_modulo_3() {
    for mode in [Mode::Public, Mode::Private] {
        for f in [0.1, 0.3] {
            for first in [30, 31, 32] {
                let mut previous = f64::INFINITY;
                for c in (first..=300).step_by(9) {
                    let report = assess(&RiskParams::new(f, c, mode)).unwrap();
                    let now = report.safety_risk_per_round().ln();
                    assert!(now < previous, "{mode:?} F {f}: C {c} is not safer");
                    previous = now;
                }
            }
        }
    }
    // Across residues it is not monotone: 65 credits need 44 for a quorum (B ≥ 23 to
    // equivocate), 66 need 44 too (B ≥ 22).
    let at = |c| {
        assess(&RiskParams::new(0.3, c, Mode::Public))
            .unwrap()
            .safety_risk_per_round()
    };
    assert!(at(66).ln() > at(65).ln());
}

#[test]
fn the_smallest_committee_for_a_target_is_the_first_a_linear_scan_finds() {
    for (mode, f, target) in [
        (Mode::Public, 0.2, 1e-4),
        (Mode::Private, 0.2, 1e-2),
        (Mode::Public, 0.1, 1e-12),
        (Mode::Private, 0.1, 1e-6),
    ] {
        let params = RiskParams::new(f, 64, mode).with_provisioners(3_000);
        let CommitteeSearch { found, .. } = smallest_committee(&params, target).unwrap();
        let found = found.expect("reachable");
        let scan = (1..=MAX_STEP_CREDITS)
            .find(|c| {
                assess(&params.with_committee(*c))
                    .unwrap()
                    .safety_risk_per_round()
                    .value()
                    <= target
            })
            .unwrap();
        assert_eq!(
            found.params.committee, scan,
            "{mode:?} F {f} target {target}"
        );
        assert!(found.safety_risk_per_round().value() <= target);
    }
    // At F ≥ 1/3 no committee makes equivocation rare: the search says so.
    let search = smallest_committee(
        &RiskParams::new(0.34, 64, Mode::Public).with_provisioners(5_000),
        1e-6,
    )
    .unwrap();
    assert!(search.found.is_none());
    assert_eq!(search.searched_up_to, 4_998);
}

#[test]
fn per_round_is_the_first_success_among_k_iterations() {
    for (x, y, k) in [
        (0.1, 0.5, 1),
        (0.1, 0.5, 3),
        (1e-9, 0.3, 50),
        (0.0, 0.5, 5),
        (0.2, 0.0, 4),
    ] {
        let got = per_round(LogProb::new(x), y, k).value();
        let want = round_by_loop(x, y, k);
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "{x} {y} {k}: {got} vs {want}"
        );
    }
    // A per-iteration chance of 1e-400 (no f64) still gives a per-round chance.
    let tiny = per_round(LogProb::from_ln(-921.0), 0.5, 50);
    assert!((tiny.ln() - (-921.0 + 2f64.ln())).abs() < 1e-9);
}

#[test]
fn the_defaults_are_the_genesis_ones() {
    let genesis = CommitteeParams::with_default_sizes(ContractId([0; 32]), Mode::Private, 1);
    assert_eq!(genesis.proposal_credits, PRIVATE_PROPOSAL_CREDITS);
    let params = RiskParams::new(0.3, genesis.validation_credits, Mode::Private);
    assert_eq!(params.provisioners, DEFAULT_PROVISIONERS);
    assert_eq!(params.iterations, DEFAULT_ITERATIONS);
    assert_eq!(params.byzantine_provisioners(), 3_000);
}

#[test]
fn every_bound_is_refused_one_past_it() {
    let ok = RiskParams::new(0.3, 64, Mode::Public);
    let err = |p: RiskParams| assess(&p).unwrap_err();
    // Byzantine share in [0, 1).
    assert!(
        assess(&RiskParams {
            byzantine: 0.0,
            ..ok
        })
        .is_ok()
    );
    assert!(
        assess(&RiskParams {
            byzantine: 0.999_999,
            ..ok
        })
        .is_ok()
    );
    assert_eq!(
        err(RiskParams {
            byzantine: 1.0,
            ..ok
        }),
        RiskError::ByzantineOutOfRange(1.0)
    );
    assert!(matches!(
        err(RiskParams {
            byzantine: -0.01,
            ..ok
        }),
        RiskError::ByzantineOutOfRange(_)
    ));
    assert!(matches!(
        err(RiskParams {
            byzantine: f64::NAN,
            ..ok
        }),
        RiskError::ByzantineOutOfRange(_)
    ));
    // Committee 1..=MAX_STEP_CREDITS.
    assert!(assess(&ok.with_committee(1)).is_ok());
    let enough = u64::from(MAX_STEP_CREDITS) + 2;
    assert!(
        assess(
            &ok.with_committee(MAX_STEP_CREDITS)
                .with_provisioners(enough)
        )
        .is_ok()
    );
    assert_eq!(err(ok.with_committee(0)), RiskError::CommitteeOutOfRange(0));
    assert_eq!(
        err(ok
            .with_committee(MAX_STEP_CREDITS + 1)
            .with_provisioners(enough + 1)),
        RiskError::CommitteeOutOfRange(MAX_STEP_CREDITS + 1)
    );
    // Provisioners: C + 2 (public) or C + 1 (private) up to MAX_PROVISIONERS.
    assert!(assess(&ok.with_provisioners(66)).is_ok());
    assert_eq!(
        err(ok.with_provisioners(65)),
        RiskError::TooFewProvisioners {
            provisioners: 65,
            needed: 66,
            committee: 64
        }
    );
    let private = RiskParams {
        mode: Mode::Private,
        ..ok
    };
    assert!(assess(&private.with_provisioners(65)).is_ok());
    assert!(matches!(
        err(private.with_provisioners(64)),
        RiskError::TooFewProvisioners { .. }
    ));
    assert!(assess(&ok.with_provisioners(MAX_PROVISIONERS)).is_ok());
    assert_eq!(
        err(ok.with_provisioners(MAX_PROVISIONERS + 1)),
        RiskError::TooManyProvisioners(MAX_PROVISIONERS + 1)
    );
    // Lots per provisioner: at least 1, at most MAX_PROVISIONERS in all; with L lots each a
    // public committee needs ⌈C / L⌉ + 2 provisioners, a private one ⌊C / L⌋ + 1.
    let ten = ok.with_provisioners(10);
    assert!(assess(&ten.with_lots(MAX_PROVISIONERS / 10)).is_ok());
    assert_eq!(
        err(ten.with_lots(MAX_PROVISIONERS / 10 + 1)),
        RiskError::LotsOutOfRange {
            provisioners: 10,
            lots: MAX_PROVISIONERS / 10 + 1
        }
    );
    assert_eq!(
        err(ten.with_lots(0)),
        RiskError::LotsOutOfRange {
            provisioners: 10,
            lots: 0
        }
    );
    assert!(assess(&ten.with_lots(8)).is_ok()); // 64 credits among 8 × 8 lots
    assert_eq!(
        err(ten.with_lots(7)),
        RiskError::TooFewProvisioners {
            provisioners: 10,
            needed: 12,
            committee: 64
        }
    );
    assert!(assess(&private.with_provisioners(10).with_lots(7)).is_ok()); // 64 < 70 lots
    assert!(matches!(
        err(private.with_provisioners(8).with_lots(8)),
        RiskError::TooFewProvisioners { needed: 9, .. }
    ));
    // Iterations 1..=MAX_ITERATIONS.
    assert!(assess(&ok.with_iterations(1)).is_ok());
    assert!(assess(&ok.with_iterations(MAX_ITERATIONS)).is_ok());
    assert_eq!(
        err(ok.with_iterations(0)),
        RiskError::IterationsOutOfRange(0)
    );
    assert_eq!(
        err(ok.with_iterations(MAX_ITERATIONS + 1)),
        RiskError::IterationsOutOfRange(MAX_ITERATIONS + 1)
    );
    // A target in (0, 1).
    for bad in [0.0, 1.0, -1e-9, f64::INFINITY] {
        assert!(matches!(
            smallest_committee(&ok, bad),
            Err(RiskError::TargetOutOfRange(_))
        ));
    }
    assert!(smallest_committee(&ok, 0.5).unwrap().found.is_some());
}

#[test]
fn without_byzantine_stake_nothing_but_a_short_private_committee_fails() {
    let public = assess(&RiskParams::new(0.0, 64, Mode::Public)).unwrap();
    for odds in [
        public.supermajority_alone,
        public.majority_alone,
        public.equivocation,
        public.liveness_failure,
    ] {
        assert!(odds.per_step.is_zero() && odds.per_round.is_zero());
        assert_eq!(odds.expected_rounds(), f64::INFINITY);
    }
    let private = assess(&RiskParams::new(0.0, 64, Mode::Private)).unwrap();
    // Quorums on the expected size: a committee of H ≥ 86 honest credits could form two
    // quorums if someone proposed two candidates, which needs a Byzantine generator.
    let two_honest_quorums = private.equivocation.per_step.value();
    assert!(
        (1e-3..1e-2).contains(&two_honest_quorums),
        "{two_honest_quorums}"
    );
    assert!(private.equivocation.per_iteration.is_zero());
    // Poisson(64) < 43 ≈ 0.0022: a short honest committee, slower but never unsafe.
    let short = private.liveness_failure.per_step.value();
    assert!((0.0015..0.003).contains(&short), "{short}");
}
