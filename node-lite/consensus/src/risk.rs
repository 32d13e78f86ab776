//! The Byzantine-stake risk model: exact odds (binomial and hypergeometric sums in log space,
//! no simulation) that Byzantine stake `F` breaks safety or liveness of a step, an iteration
//! and a round, for committees of `C` credits in private or public mode.
//!
//! # The setting
//! `N` equal-stake provisioners of `L` lots each (one by default); `N_byz = round(F · N)` of
//! them are Byzantine and act as one adversary. A committee has `B` Byzantine and `H` honest credits; its quorums
//! are computed on `C` (the step's credits in public mode, its *expected* credits in private
//! mode, as the committee contract's `thresholds` does): supermajority `q = ⌈2C/3⌉` for `Valid`,
//! majority `⌊C/2⌋ + 1` for the other results. See `risk/law.rs` for the laws of `(B, H)` and
//! `risk/iteration.rs` for the generator and the committees' exclusions.
//!
//! # Per step (one validation or ratification committee)
//! - *supermajority alone*: `B ≥ q`, the Byzantine make a `Valid` quorum without anyone;
//! - *majority alone*: `B ≥ ⌊C/2⌋ + 1`, they make an `Invalid`/`NoCandidate` quorum alone;
//! - *equivocation*: `2B + H ≥ 2q`: the Byzantine vote for both of two conflicting candidates
//!   and split the honest votes so that both reach `q`;
//! - *liveness failure*: `H < q`, the honest alone cannot make a `Valid` quorum when the
//!   Byzantine withhold their votes.
//!
//! # Per iteration (a proposal, a validation and a ratification committee)
//! An attack succeeds in an iteration when its event holds in the validation **and** the
//! ratification committee, and: for *supermajority alone* and *equivocation* the generator
//! is Byzantine (it must propose the candidate, or the two candidates, to attest); for
//! *majority alone* the generator is honest (the Byzantine veto an honest block). A
//! *liveness failure* of an iteration is that it ends without a block: the generator is not
//! honest, or the honest credits fall short in either committee.
//!
//! # Per round
//! A round runs iterations until one ends in a block, at most `K` ([`DEFAULT_ITERATIONS`]).
//! The adversary withholds every vote and every candidate unless the attack succeeds there, so
//! each iteration independently succeeds (`x`), ends the round with an honest block (`y`), or
//! passes to the next iteration (`1 − x − y`), and
//!
//! ```text
//! P(round) = x · (1 − (1 − x − y)^K) / (x + y)
//! ```
//!
//! (for the veto, `y` counts the honest blocks the Byzantine cannot veto). A *liveness failure*
//! of a round is `K` failed iterations in a row: `P(iteration fails)^K`. The expected rounds
//! until a first success are `1 / P(round)`.
//!
//! # Examples
//! ```
//! use consensus::risk::{assess, Mode, RiskParams};
//! let report = assess(&RiskParams::new(0.3, 64, Mode::Public)).unwrap();
//! let step = report.equivocation.per_step.value();
//! assert!((0.2..0.3).contains(&step), "{step}");
//! ```

mod finality;
mod iteration;
mod law;
mod log_prob;

pub use finality::{FinalityOdds, conflicting_final};
pub use genesis_types::committee::{MAX_STEP_CREDITS, Mode};
pub use law::{NEGLIGIBLE_LN_TERM, Quorums, StepEvents};
pub use log_prob::{LogProb, scientific};

/// Provisioners (one lot each) when none are given: large enough that private committees are
/// close to their Poisson limit and public ones to the binomial, small enough to sum fast.
pub const DEFAULT_PROVISIONERS: u64 = 10_000;

/// Most provisioners the model sums over (bounds its time: a few milliseconds per committee
/// size).
pub const MAX_PROVISIONERS: u64 = 1_000_000;

/// Iterations per round when none are given: Rusk's maximum iterations per round.
pub const DEFAULT_ITERATIONS: u32 = 50;

/// Most iterations per round: iterations are numbered by a `u8`.
pub const MAX_ITERATIONS: u32 = 256;

/// Expected proposal credits of a private-mode iteration (the genesis default, see
/// `CommitteeParams::with_default_sizes`); public mode draws exactly 1.
pub const PRIVATE_PROPOSAL_CREDITS: u32 = 5;

/// What the model is asked about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskParams {
    /// The Byzantine share of the stake, in `[0, 1)`.
    pub byzantine: f64,
    /// The (expected) credits of a validation or ratification committee, `C`.
    pub committee: u32,
    /// Private or public sortition.
    pub mode: Mode,
    /// Equal-stake provisioners, `N`.
    pub provisioners: u64,
    /// Lots each provisioner holds, `L` (1 by default). Only public mode depends on it beyond
    /// the total `N · L`: its committees exclude two *provisioners* (this and the next
    /// iteration's generator), `L` lots each.
    pub lots: u64,
    /// Most iterations per round, `K`.
    pub iterations: u32,
}

impl RiskParams {
    /// `byzantine` stake, committees of `committee` credits, [`DEFAULT_PROVISIONERS`] and
    /// [`DEFAULT_ITERATIONS`].
    pub fn new(byzantine: f64, committee: u32, mode: Mode) -> RiskParams {
        RiskParams {
            byzantine,
            committee,
            mode,
            provisioners: DEFAULT_PROVISIONERS,
            lots: 1,
            iterations: DEFAULT_ITERATIONS,
        }
    }

    /// The same with `provisioners` provisioners.
    pub fn with_provisioners(self, provisioners: u64) -> RiskParams {
        RiskParams {
            provisioners,
            ..self
        }
    }

    /// The same with `lots` lots per provisioner.
    pub fn with_lots(self, lots: u64) -> RiskParams {
        RiskParams { lots, ..self }
    }

    /// The lots in all, `N · L` (saturating).
    pub fn total_lots(&self) -> u64 {
        self.provisioners.saturating_mul(self.lots)
    }

    /// The largest committee the lots allow: `(N − 2) · L` in public mode (drawn without the
    /// two generators), `N · L − 1` in private mode (a selection probability below 1).
    pub fn largest_committee(&self) -> u64 {
        match self.mode {
            Mode::Public => self
                .provisioners
                .saturating_sub(2)
                .saturating_mul(self.lots),
            Mode::Private => self.total_lots().saturating_sub(1),
        }
    }

    /// The same with at most `iterations` iterations per round.
    pub fn with_iterations(self, iterations: u32) -> RiskParams {
        RiskParams { iterations, ..self }
    }

    /// The same with committees of `committee` credits.
    pub fn with_committee(self, committee: u32) -> RiskParams {
        RiskParams { committee, ..self }
    }

    /// The Byzantine provisioners, `round(F · N)`.
    pub fn byzantine_provisioners(&self) -> u64 {
        (self.byzantine * self.provisioners as f64).round() as u64
    }

    /// The provisioners a committee of `C` needs: `⌈C / L⌉ + 2` in public mode (the committees
    /// are drawn without the two generators and never run out of lots), `⌊C / L⌋ + 1` in
    /// private mode (a selection probability `C / (N · L)` below 1). With one lot each: `C + 2`
    /// and `C + 1`.
    pub fn provisioners_needed(&self) -> u64 {
        let (c, l) = (u64::from(self.committee), self.lots.max(1));
        match self.mode {
            Mode::Public => c.div_ceil(l) + 2,
            Mode::Private => c / l + 1,
        }
    }

    /// Check every bound.
    ///
    /// # Errors
    /// A [`RiskError`] naming the first parameter out of bounds.
    pub fn validate(&self) -> Result<(), RiskError> {
        if !(self.byzantine.is_finite() && (0.0..1.0).contains(&self.byzantine)) {
            return Err(RiskError::ByzantineOutOfRange(self.byzantine));
        }
        if !(1..=MAX_STEP_CREDITS).contains(&self.committee) {
            return Err(RiskError::CommitteeOutOfRange(self.committee));
        }
        if self.provisioners > MAX_PROVISIONERS {
            return Err(RiskError::TooManyProvisioners(self.provisioners));
        }
        if self.lots == 0 || self.total_lots() > MAX_PROVISIONERS {
            return Err(RiskError::LotsOutOfRange {
                provisioners: self.provisioners,
                lots: self.lots,
            });
        }
        if self.provisioners < self.provisioners_needed() {
            return Err(RiskError::TooFewProvisioners {
                provisioners: self.provisioners,
                needed: self.provisioners_needed(),
                committee: self.committee,
            });
        }
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return Err(RiskError::IterationsOutOfRange(self.iterations));
        }
        Ok(())
    }
}

/// Parameters the model refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RiskError {
    /// The Byzantine share is not in `[0, 1)`.
    #[error("the Byzantine stake share must be in [0, 1), got {0}")]
    ByzantineOutOfRange(f64),
    /// The committee size is 0 or above [`MAX_STEP_CREDITS`].
    #[error("the committee must have 1 to {MAX_STEP_CREDITS} credits, got {0}")]
    CommitteeOutOfRange(u32),
    /// More provisioners than [`MAX_PROVISIONERS`].
    #[error("at most {MAX_PROVISIONERS} provisioners, got {0}")]
    TooManyProvisioners(u64),
    /// No lots per provisioner, or more than [`MAX_PROVISIONERS`] lots in all.
    #[error(
        "each provisioner needs at least one lot and all of them at most {MAX_PROVISIONERS}, got {provisioners} x {lots}"
    )]
    LotsOutOfRange {
        /// Provisioners given.
        provisioners: u64,
        /// Lots per provisioner given.
        lots: u64,
    },
    /// Too few provisioners to draw the committee.
    #[error(
        "a committee of {committee} credits needs at least {needed} provisioners, got {provisioners}"
    )]
    TooFewProvisioners {
        /// Provisioners given.
        provisioners: u64,
        /// Provisioners needed.
        needed: u64,
        /// The committee's credits.
        committee: u32,
    },
    /// Iterations per round not in `1..=MAX_ITERATIONS`.
    #[error("a round has 1 to {MAX_ITERATIONS} iterations, got {0}")]
    IterationsOutOfRange(u32),
    /// [`conflicting_final`]'s sides or window out of range.
    #[error(
        "a conflicting-final estimate needs 1 <= side A < {honest} honest provisioners (got {side_a}) and a window of 1 to the round's iterations (got {window})"
    )]
    FinalitySides {
        /// Honest provisioners on side A given.
        side_a: u64,
        /// Honest provisioners.
        honest: u64,
        /// The window given.
        window: u32,
    },
    /// A target risk not in `(0, 1)`.
    #[error("the target risk must be in (0, 1), got {0}")]
    TargetOutOfRange(f64),
}

/// The odds of one event per step, per iteration and per round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Odds {
    /// In one committee.
    pub per_step: LogProb,
    /// In one iteration (see the module docs).
    pub per_iteration: LogProb,
    /// In one round of at most `K` iterations.
    pub per_round: LogProb,
}

impl Odds {
    /// The base-10 logarithm of the expected rounds until a first success, `1 / P(round)`
    /// (`+∞` when the event is impossible).
    pub fn expected_rounds_log10(&self) -> f64 {
        -self.per_round.log10()
    }

    /// The expected rounds until a first success (`+∞` when impossible or beyond `f64`).
    pub fn expected_rounds(&self) -> f64 {
        (-self.per_round.ln()).exp()
    }
}

/// The generator of an iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeneratorOdds {
    /// It is Byzantine.
    pub byzantine: LogProb,
    /// It is honest.
    pub honest: LogProb,
    /// There is none (private mode).
    pub nobody: LogProb,
}

/// The model's answer for one set of parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskReport {
    /// The parameters.
    pub params: RiskParams,
    /// `round(F · N)`.
    pub byzantine_provisioners: u64,
    /// The quorums, on `C`.
    pub quorums: Quorums,
    /// Who generates an iteration.
    pub generator: GeneratorOdds,
    /// The Byzantine make a `Valid` quorum alone.
    pub supermajority_alone: Odds,
    /// The Byzantine make a majority result alone (per iteration: veto an honest block).
    pub majority_alone: Odds,
    /// Two conflicting `Valid` results both reach quorum.
    pub equivocation: Odds,
    /// The honest alone fall short (per iteration: no block; per round: `K` such iterations).
    pub liveness_failure: Odds,
}

impl RiskReport {
    /// The per-round safety risk: a conflicting (equivocation) or Byzantine-only attestation.
    /// Every supermajority-alone success is an equivocation success (`B ≥ q` gives
    /// `2B + H ≥ 2q`), so it is the equivocation's per-round odds.
    pub fn safety_risk_per_round(&self) -> LogProb {
        self.equivocation.per_round
    }
}

/// The odds of every event for `params`.
///
/// # Errors
/// [`RiskError`] when a parameter is out of bounds (see [`RiskParams::validate`]).
pub fn assess(params: &RiskParams) -> Result<RiskReport, RiskError> {
    params.validate()?;
    Ok(assess_unbounded(params))
}

/// [`assess`] for parameters that are valid but for a committee above [`MAX_STEP_CREDITS`].
fn assess_unbounded(params: &RiskParams) -> RiskReport {
    let nb = params.byzantine_provisioners();
    let cases = iteration::cases(
        params.mode,
        params.provisioners,
        params.lots,
        nb,
        params.committee,
        PRIVATE_PROPOSAL_CREDITS,
    );
    let odds = iteration::odds(&cases);
    let generator = |g: iteration::Generator| {
        LogProb::sum(cases.iter().filter(|c| c.generator == g).map(|c| c.weight))
    };
    let k = params.iterations;
    let round = |x: LogProb, y: f64| per_round(x, y, k);
    RiskReport {
        params: *params,
        byzantine_provisioners: nb,
        quorums: Quorums::of(params.committee),
        generator: GeneratorOdds {
            byzantine: generator(iteration::Generator::Byzantine),
            honest: generator(iteration::Generator::Honest),
            nobody: generator(iteration::Generator::Nobody),
        },
        supermajority_alone: Odds {
            per_step: odds.step.supermajority_alone,
            per_iteration: odds.supermajority_alone,
            per_round: round(odds.supermajority_alone, odds.honest_block),
        },
        majority_alone: Odds {
            per_step: odds.step.majority_alone,
            per_iteration: odds.majority_veto,
            per_round: round(odds.majority_veto, odds.honest_block_unvetoed),
        },
        equivocation: Odds {
            per_step: odds.step.equivocation,
            per_iteration: odds.equivocation,
            per_round: round(odds.equivocation, odds.honest_block),
        },
        liveness_failure: Odds {
            per_step: odds.step.honest_short,
            per_iteration: odds.fails,
            per_round: odds.fails.pow(k),
        },
    }
}

/// `x · (1 − (1 − x − y)^K) / (x + y)`: the first of up to `K` iterations that succeed with
/// `x`, end the round with `y`, and pass on otherwise, is a success.
pub fn per_round(x: LogProb, y: f64, k: u32) -> LogProb {
    let z = x.value() + y;
    let ln_reach = if z <= 0.0 {
        f64::from(k).ln()
    } else {
        (-(f64::from(k) * (-z.min(1.0)).ln_1p()).exp_m1()).ln() - z.ln()
    };
    LogProb::from_ln(x.ln() + ln_reach)
}

/// Largest committee the inverse search ([`smallest_committee`]) considers: above
/// [`MAX_STEP_CREDITS`], which the committee contract refuses, so that the model can say how
/// far beyond the protocol's limit a target lies.
pub const MAX_SEARCH_CREDITS: u32 = 100_000;

/// What [`smallest_committee`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitteeSearch {
    /// The target per-round safety risk.
    pub target: f64,
    /// The largest committee searched: `MAX_SEARCH_CREDITS`, or less when the provisioners
    /// allow no larger committee.
    pub searched_up_to: u32,
    /// The smallest committee reaching the target, with its report (`None`: none up to
    /// `searched_up_to`). Its size may exceed [`MAX_STEP_CREDITS`].
    pub found: Option<RiskReport>,
}

/// The smallest committee `C` (up to [`MAX_SEARCH_CREDITS`] and what the provisioners allow)
/// whose per-round safety risk ([`RiskReport::safety_risk_per_round`]) is at most `target`.
/// `params.committee` is ignored.
///
/// The quorum `⌈2C/3⌉` steps by 2 every 3 credits, so the risk is not monotone in `C` (66
/// is riskier than 65); within each residue class of `C` modulo 3 it falls as `C` grows, and the
/// search bisects each class and keeps the smallest (a test compares it with a linear scan).
///
/// # Errors
/// [`RiskError::TargetOutOfRange`] for a target outside `(0, 1)`, and the errors of
/// [`assess`] for the other parameters.
pub fn smallest_committee(params: &RiskParams, target: f64) -> Result<CommitteeSearch, RiskError> {
    if !(target.is_finite() && target > 0.0 && target < 1.0) {
        return Err(RiskError::TargetOutOfRange(target));
    }
    params.with_committee(1).validate()?;
    let up_to = u64::from(MAX_SEARCH_CREDITS).min(params.largest_committee()) as u32;
    let ln_target = target.ln();
    let reaches = |committee: u32| -> Option<RiskReport> {
        let report = assess_unbounded(&params.with_committee(committee));
        (report.safety_risk_per_round().ln() <= ln_target).then_some(report)
    };
    let mut best: Option<RiskReport> = None;
    for first in 1..=3u32.min(up_to) {
        // The class first, first + 3, …, first + 3·last.
        let last = (up_to - first) / 3;
        let Some(mut found) = reaches(first + 3 * last) else {
            continue;
        };
        let (mut lo, mut hi) = (0, last); // the answer's index is in lo..=hi
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match reaches(first + 3 * mid) {
                Some(report) => {
                    found = report;
                    hi = mid;
                }
                None => lo = mid + 1,
            }
        }
        if best
            .as_ref()
            .is_none_or(|b| found.params.committee < b.params.committee)
        {
            best = Some(found);
        }
    }
    Ok(CommitteeSearch {
        target,
        searched_up_to: up_to,
        found: best,
    })
}
