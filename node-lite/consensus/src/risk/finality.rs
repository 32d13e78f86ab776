//! What a conflicting **Final** block needs under the rolling-finality rule, and its odds.
//!
//! # Why one conflicting attestation is not enough
//! A block is `Final` on a node only once the node has accepted an `Attested` successor
//! (PNI 0) that confirms it (`chain.rs`): with PNI 0 the block's own child, with PNI `p > 0`
//! `2p` successive PNI-0 blocks. Two conflicting blocks `a` and `b` of one slot (the
//! adversary's *equivocation* success in round `h`) therefore become `Final` on two honest
//! nodes only if **each branch** also gets a PNI-0 child in round `h + 1` (for PNI 0; more
//! rounds otherwise) before the nodes holding `a` learn of `b` or the converse: the fork
//! choice makes a node holding the higher-hash block of the slot revert to the other as soon as
//! it sees it, and a final block is never reverted. So a conflicting `Final` needs `k ≥ 2`
//! consecutive adversary wins: the equivocation in round `h`, then a quorum **on each side**
//! in round `h + 1`, while the adversary keeps the sides apart.
//!
//! # Round `h + 1`, sides kept apart
//! The honest provisioners are split into side `A` (`a` provisioners, holding block `a`) and
//! side `B` (the other `N_hon − a`). Both branches have the same seed (the Byzantine generator
//! signed the same previous seed for both blocks; BLS signatures are unique), so the committees
//! of round `h + 1` are the same on both branches. In an iteration `j`, side `X` decides a block
//! when its candidate reaches it (the generator is Byzantine, which proposes on both branches,
//! or an honest member of `X`) and the Byzantine and `X`'s honest credits reach the
//! supermajority in both committees: `B + H_X ≥ q` in validation and in ratification. Private
//! mode: `B`, `H_A`, `H_B` are independent binomials over the lots (public mode: see
//! [`conflicting_final`]). Per iteration:
//! - `s_A = P(gen ∈ Byz ∪ A) · P(B + H_A ≥ q)²`, and `s_B` likewise;
//! - `s_AB = P(gen ∈ Byz) · P(B + H_A ≥ q ∧ B + H_B ≥ q)²` (an honest generator proposes on
//!   its own branch only, so both sides decide in one iteration only with a Byzantine one).
//!
//! Iterations are independent, so both sides decide within the first `W` iterations of round
//! `h + 1` (the adversary's *window*: how long it can delay messages between the sides) with
//! `P₂ = 1 − (1 − s_A)^W − (1 − s_B)^W + (1 − s_A − s_B + s_AB)^W`. This is an upper bound on
//! the second win: it grants the adversary the fail attestations a PNI-0 block of a later
//! iteration needs, and honest nodes that never look at the other side. `W = 1` is the strict
//! "two consecutive wins" reading: both sides decide in iteration 0 of round `h + 1`.
//!
//! Per round: `P(conflicting Final) ≤ P(equivocation per round) · P₂`, and the expected rounds
//! until the first one are at least its inverse.
//!
//! # Sides kept apart from the start
//! An adversary that can keep the sides apart for two whole rounds needs no equivocation in
//! one slot at all: in the first round each side decides its own block, in whatever iteration
//! its side reaches the quorum with the Byzantine credits (which help one side in one
//! iteration and the other in another), and in the
//! second each side confirms its block with a PNI-0 child. Given such a partition,
//! `P(conflicting Final) ≤ P₂²` ([`FinalityOdds::given_partition`]). The simulator found
//! exactly this (`split_attack --hold 2`, seed 28: two `Final` blocks at one height, of
//! different iterations, after no conflicting attestation in any one slot).

use super::law::Distribution;
use super::log_prob::LogProb;
use super::{RiskError, RiskParams, RiskReport, assess};
use genesis_types::committee::Mode;

/// The odds of a conflicting `Final` block (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct FinalityOdds {
    /// The model's report for the same parameters (its equivocation is the first win).
    pub report: RiskReport,
    /// Honest provisioners on side `A` (the others are on side `B`).
    pub side_a: u64,
    /// Iterations of round `h + 1` the adversary keeps the sides apart, `W`.
    pub window: u32,
    /// `P(B + H_A ≥ q)`, one committee.
    pub side_a_step: LogProb,
    /// `P(B + H_B ≥ q)`, one committee.
    pub side_b_step: LogProb,
    /// `P(B + H_A ≥ q ∧ B + H_B ≥ q)`, one committee.
    pub both_step: LogProb,
    /// `s_A`, `s_B`, `s_AB`: per iteration of round `h + 1`.
    pub per_iteration: [f64; 3],
    /// `P₂`: both sides decide a PNI-0 child within the window.
    pub second_win: f64,
    /// `P(equivocation per round) · P₂`.
    pub per_round: LogProb,
    /// `P₂²`: a conflicting `Final` given that the sides are kept apart for two rounds.
    pub given_partition: f64,
}

impl FinalityOdds {
    /// The expected rounds until the first conflicting `Final` block (a lower bound, since
    /// `per_round` is an upper bound).
    pub fn expected_rounds(&self) -> f64 {
        (-self.per_round.ln()).exp()
    }
}

/// The odds of a conflicting `Final` block for `params`, with `side_a` of the honest
/// provisioners on side `A` and a window of `window` iterations. Private mode: `B`, `H_A`,
/// `H_B` are independent binomials. Public mode: each committee is `C` credits drawn without
/// replacement among the lots of the provisioners other than this and the next iteration's
/// generators (both drawn by stake), so `(B, H_A, H_B)` is multivariate hypergeometric per
/// pair of generators, and the per-iteration odds sum over the pairs (the per-step fields are
/// then the average over the pairs).
///
/// # Errors
/// The errors of [`assess`]; [`RiskError::FinalitySides`] for public mode, a side with no
/// honest provisioner, or a window outside `1..=params.iterations`.
pub fn conflicting_final(
    params: &RiskParams,
    side_a: u64,
    window: u32,
) -> Result<FinalityOdds, RiskError> {
    let report = assess(params)?;
    let honest = params.provisioners - report.byzantine_provisioners;
    if side_a == 0 || side_a >= honest || !(1..=params.iterations).contains(&window) {
        return Err(RiskError::FinalitySides {
            side_a,
            honest,
            window,
        });
    }
    let side_b = honest - side_a;
    let nb = report.byzantine_provisioners;
    let q = i64::from(report.quorums.supermajority);
    let ([side_a_step, side_b_step, both_step], [s_a, s_b, s_ab]) = match params.mode {
        Mode::Private => private_odds(params, q, [nb, side_a, side_b]),
        Mode::Public => public_odds(params, q, [nb, side_a, side_b]),
    };
    let w = f64::from(window);
    let never = |s: f64| (w * (-s).ln_1p()).exp();
    let second_win = (1.0 - never(s_a) - never(s_b) + never(s_a + s_b - s_ab)).clamp(0.0, 1.0);
    let per_round = report
        .equivocation
        .per_round
        .times(LogProb::new(second_win));
    Ok(FinalityOdds {
        report,
        side_a,
        window,
        side_a_step,
        side_b_step,
        both_step,
        per_iteration: [s_a, s_b, s_ab],
        second_win,
        per_round,
        given_partition: second_win * second_win,
    })
}

/// Private mode: `B`, `H_A`, `H_B` independent binomials over the lots; the generator is any
/// provisioner by stake. Returns the per-step odds (side A, side B, both) and `s_A`, `s_B`,
/// `s_AB`.
fn private_odds(
    params: &RiskParams,
    q: i64,
    [nb, side_a, side_b]: [u64; 3],
) -> ([LogProb; 3], [f64; 3]) {
    let lots = params.lots;
    let p = f64::from(params.committee) / params.total_lots() as f64;
    let byz = Distribution::binomial(nb * lots, p);
    let h_a = Distribution::binomial(side_a * lots, p);
    let h_b = Distribution::binomial(side_b * lots, p);
    let mut terms = [Vec::new(), Vec::new(), Vec::new()];
    for (b, pb) in byz.terms() {
        let need = q - b as i64;
        let (ra, rb) = (h_a.at_least(need), h_b.at_least(need));
        terms[0].push(pb.times(ra));
        terms[1].push(pb.times(rb));
        terms[2].push(pb.times(ra).times(rb));
    }
    let [a, b, both] = terms.map(LogProb::sum);
    let n = params.provisioners as f64;
    let g_byz = nb as f64 / n;
    let s_a = (g_byz + side_a as f64 / n) * a.pow(2).value();
    let s_b = (g_byz + side_b as f64 / n) * b.pow(2).value();
    let s_ab = g_byz * both.pow(2).value();
    ([a, b, both], [s_a, s_b, s_ab])
}

/// One public committee of exactly `C` credits drawn without replacement among the lots of
/// the provisioners left after the exclusions, `[Byzantine, side A, side B]` of them: the
/// odds of `B + H_A ≥ q`, `B + H_B ≥ q` and both (`H_B = C − B − H_A`).
fn public_step(params: &RiskParams, q: i64, left: [u64; 3]) -> [LogProb; 3] {
    let (lots, c) = (params.lots, u64::from(params.committee));
    let [byz, a, b] = left.map(|k| k * lots);
    let byz_law = Distribution::hypergeometric(byz + a + b, byz, c);
    let mut terms = [Vec::new(), Vec::new(), Vec::new()];
    for (k, pk) in byz_law.terms() {
        let h_a = Distribution::hypergeometric(a + b, a, c - k);
        let need = q - k as i64;
        // B + H_B ≥ q  ⟺  H_A ≤ C − q.
        let top = c as i64 - q;
        terms[0].push(pk.times(h_a.at_least(need)));
        terms[1].push(pk.times(h_a.between(i64::MIN / 2, top)));
        terms[2].push(pk.times(h_a.between(need, top)));
    }
    terms.map(LogProb::sum)
}

/// Public mode: the generator is drawn by stake (this and the next iteration's), and both
/// are excluded from the committees with all their lots (`risk/iteration.rs`); the two
/// committees of an iteration share the exclusions. Returns the per-step odds averaged over
/// the exclusions (side A, side B, both) and `s_A`, `s_B`, `s_AB`, each the sum over the
/// generator pairs whose generator lets the side decide.
fn public_odds(params: &RiskParams, q: i64, counts: [u64; 3]) -> ([LogProb; 3], [f64; 3]) {
    let n = params.provisioners as f64;
    let mut step = [0.0; 3];
    let mut s = [0.0; 3];
    // The generator's group, then the next generator's: the same provisioner, or another
    // one of a group.
    for this in 0..3 {
        if counts[this] == 0 {
            continue;
        }
        let p_this = counts[this] as f64 / n;
        let mut nexts = vec![(1.0 / n, None)];
        for (next, &count) in counts.iter().enumerate() {
            let others = count - u64::from(next == this);
            if others > 0 {
                nexts.push((others as f64 / n, Some(next)));
            }
        }
        for (p_next, next) in nexts {
            let mut left = counts;
            left[this] -= 1;
            if let Some(next) = next {
                left[next] -= 1;
            }
            let odds = public_step(params, q, left).map(|o| o.value());
            let weight = p_this * p_next;
            for i in 0..3 {
                step[i] += weight * odds[i];
            }
            // Side A decides with a Byzantine or side-A generator, B likewise, both only with
            // a Byzantine one.
            if this != 2 {
                s[0] += weight * odds[0] * odds[0];
            }
            if this != 1 {
                s[1] += weight * odds[1] * odds[1];
            }
            if this == 0 {
                s[2] += weight * odds[2] * odds[2];
            }
        }
    }
    (step.map(LogProb::new), s)
}
