//! The risk model against committees drawn with genesis-types' real sortition (public:
//! `public_generator` and `public_committee` with BLAKE2b; private: `private_credits` with
//! pseudo-random VRF outputs and the lowest priority as generator), many times.
//!
//! Tolerance: an observed frequency must lie within 4.5 binomial standard errors
//! (`sqrt(p(1 − p)/n)`) of the model's `p`; false alarm odds ≈ 7·10⁻⁶ per comparison. Each
//! comparison also checks that the same tolerance rejects a model off by a factor of 1.5.

use consensus::risk::{Mode, PRIVATE_PROPOSAL_CREDITS, RiskParams, RiskReport, assess};
use genesis_types::committee::CommitteeParams;
use genesis_types::keys::{BlsPublicKey, Seed};
use genesis_types::sortition::{
    majority, private_credits, public_committee, public_generator, supermajority,
};
use genesis_types::stake::{Eligible, Step};
use host_api::ContractId;

const SIGMAS: f64 = 4.5;
const TRIALS: u32 = 3_000;

fn blake2b(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(
        blake2b_simd::Params::new()
            .hash_length(32)
            .hash(bytes)
            .as_bytes(),
    );
    out
}

/// Key `i`, sorted as `i` is; the first `nb` keys are Byzantine.
fn key(i: u64) -> BlsPublicKey {
    let mut bytes = [0u8; 96];
    bytes[..8].copy_from_slice(&i.to_be_bytes());
    BlsPublicKey(bytes)
}

#[derive(Default)]
struct Counts {
    step_super: u32,
    step_majority: u32,
    step_equivocation: u32,
    step_short: u32,
    equivocation: u32,
    fails: u32,
    byzantine_generator: u32,
}

fn check(observed: u32, model: f64, what: &str) {
    let n = f64::from(TRIALS);
    let freq = f64::from(observed) / n;
    let tolerance = |p: f64| SIGMAS * (p * (1.0 - p) / n).sqrt();
    assert!(
        (freq - model).abs() <= tolerance(model),
        "{what}: observed {freq} over {TRIALS}, model {model}, tolerance {}",
        tolerance(model)
    );
    let wrong = (1.5 * model).min(1.0);
    assert!(
        (freq - wrong).abs() > tolerance(wrong),
        "{what}: the tolerance would accept a model 1.5× off ({wrong})"
    );
}

fn tally(
    c: &mut Counts,
    credits: u32,
    generator_byzantine: Option<bool>,
    v: (u32, u32),
    r: (u32, u32),
) {
    let (qs, qm) = (supermajority(credits), majority(credits));
    let equ = |(b, h): (u32, u32)| 2 * b + h >= 2 * qs;
    let short = |(_, h): (u32, u32)| h < qs;
    c.step_super += u32::from(v.0 >= qs);
    c.step_majority += u32::from(v.0 >= qm);
    c.step_equivocation += u32::from(equ(v));
    c.step_short += u32::from(short(v));
    c.byzantine_generator += u32::from(generator_byzantine == Some(true));
    c.equivocation += u32::from(generator_byzantine == Some(true) && equ(v) && equ(r));
    c.fails += u32::from(generator_byzantine != Some(false) || short(v) || short(r));
}

fn compare(c: &Counts, report: &RiskReport, which: &[&str]) {
    let all = [
        (
            "supermajority, step",
            c.step_super,
            report.supermajority_alone.per_step,
        ),
        (
            "majority, step",
            c.step_majority,
            report.majority_alone.per_step,
        ),
        (
            "equivocation, step",
            c.step_equivocation,
            report.equivocation.per_step,
        ),
        (
            "liveness, step",
            c.step_short,
            report.liveness_failure.per_step,
        ),
        (
            "equivocation, iteration",
            c.equivocation,
            report.equivocation.per_iteration,
        ),
        (
            "liveness, iteration",
            c.fails,
            report.liveness_failure.per_iteration,
        ),
        (
            "Byzantine generator",
            c.byzantine_generator,
            report.generator.byzantine,
        ),
    ];
    for (what, observed, model) in all {
        if which.contains(&what) {
            check(observed, model.value(), what);
        }
    }
}

fn public_counts(n: u64, nb: u64, credits: u32) -> Counts {
    let eligible: Vec<Eligible> = (0..n)
        .map(|i| Eligible {
            key: key(i),
            weight: 1,
        })
        .collect();
    let lots: Vec<(BlsPublicKey, u64)> = eligible.iter().map(|e| (e.key, 1)).collect();
    let params = CommitteeParams {
        stake: ContractId([0; 32]),
        mode: Mode::Public,
        credit_unit: 1,
        proposal_credits: 1,
        validation_credits: credits,
        ratification_credits: credits,
    };
    let byzantine = |k: &BlsPublicKey| u64::from_be_bytes(k.0[..8].try_into().unwrap()) < nb;
    let mut hash = blake2b;
    let mut c = Counts::default();
    for trial in 0..TRIALS {
        let mut seed = [0u8; 48];
        seed[..32].copy_from_slice(&blake2b(&trial.to_le_bytes()));
        let seed = Seed(seed);
        let generator = public_generator(&mut hash, &seed, (7, 0), &lots).unwrap();
        let draw = |step, hash: &mut dyn FnMut(&[u8]) -> [u8; 32]| {
            public_committee(hash, &params, &seed, (7, 0, step), &eligible)
                .iter()
                .fold((0, 0), |(b, h), m| {
                    if byzantine(&m.key) {
                        (b + m.credits, h)
                    } else {
                        (b, h + m.credits)
                    }
                })
        };
        let v = draw(Step::Validation, &mut hash);
        let r = draw(Step::Ratification, &mut hash);
        assert_eq!(v.0 + v.1, credits);
        tally(&mut c, credits, Some(byzantine(&generator)), v, r);
    }
    c
}

fn private_counts(n: u64, nb: u64, credits: u32) -> Counts {
    let mut c = Counts::default();
    for trial in 0..TRIALS {
        let vrf = |i: u64, step: u8| {
            let mut m = trial.to_le_bytes().to_vec();
            m.extend_from_slice(&i.to_le_bytes());
            m.push(step);
            blake2b(&m)
        };
        let generator = (0..n)
            .map(|i| (i, vrf(i, 0)))
            .filter(|(_, out)| private_credits(out, 1, n, PRIVATE_PROPOSAL_CREDITS) > 0)
            .min_by_key(|(_, out)| blake2b(out))
            .map(|(i, _)| i < nb);
        let draw = |step| {
            (0..n).fold((0, 0), |(b, h), i| {
                let won = private_credits(&vrf(i, step), 1, n, credits);
                if i < nb { (b + won, h) } else { (b, h + won) }
            })
        };
        let (v, r) = (draw(1), draw(2));
        tally(&mut c, credits, generator, v, r);
    }
    c
}

#[test]
fn public_committees_drawn_by_the_real_sortition_match_the_model() {
    // C = 16: supermajority 11, majority 9; equivocation ⇔ B ≥ 6 ⇔ liveness failure. (The
    // per-iteration equivocation, 0.028, is too rare for 3,000 draws to tell from 1.5× it.)
    let (n, credits) = (100, 16);
    for (f, which) in [
        (
            0.3,
            &[
                "equivocation, step",
                "liveness, step",
                "liveness, iteration",
                "Byzantine generator",
            ][..],
        ),
        (0.6, &["supermajority, step", "majority, step"][..]),
    ] {
        let report =
            assess(&RiskParams::new(f, credits, Mode::Public).with_provisioners(n)).unwrap();
        compare(
            &public_counts(n, report.byzantine_provisioners, credits),
            &report,
            which,
        );
    }
}

#[test]
fn private_committees_drawn_by_the_real_sortition_match_the_model() {
    // 50 lots, 12 expected credits (p = 0.24): supermajority 8, majority 7, on the expected 12.
    let (n, credits) = (50, 12);
    for (f, which) in [
        (
            0.3,
            &[
                "equivocation, step",
                "liveness, step",
                "equivocation, iteration",
                "liveness, iteration",
                "Byzantine generator",
            ][..],
        ),
        (0.6, &["supermajority, step", "majority, step"][..]),
    ] {
        let report =
            assess(&RiskParams::new(f, credits, Mode::Private).with_provisioners(n)).unwrap();
        compare(
            &private_counts(n, report.byzantine_provisioners, credits),
            &report,
            which,
        );
    }
}
