//! The law of one committee's credits, `B` Byzantine and `H` honest, and the per-step events
//! the risk model asks about.
//!
//! Public mode draws exactly `C` credits, one lot at a time among the lots left: with one lot
//! per provisioner, `B` is hypergeometric and `H = C − B`. Private mode selects each lot on
//! its own with probability `p = C / N`: `B ~ Binomial(N_byz, p)` and `H ~ Binomial(N_hon, p)`
//! are independent, and the committee's size `B + H` varies around `C`.

use super::log_prob::LogProb;

/// Terms of a distribution smaller than its largest term times `e^NEGLIGIBLE_LN_TERM`
/// (≈ 5·10⁻⁴³⁵) are not listed: every reported probability is exact to that relative bound
/// of the largest term, far below anything a printed digit can show.
pub const NEGLIGIBLE_LN_TERM: f64 = -1000.0;

/// A distribution over consecutive integers `first, first + 1, …`, kept as
/// log-probabilities with its cumulative tails summed from the small end of each tail.
#[derive(Clone, Debug)]
pub struct Distribution {
    first: u64,
    ln_pmf: Vec<f64>,
    /// `ln P(X ≥ first + i)` for `i` in `0..=len` (summed from the top).
    ln_at_least: Vec<f64>,
    /// `ln P(X < first + i)` for `i` in `0..=len` (summed from the bottom).
    ln_below: Vec<f64>,
}

impl Distribution {
    fn from_ln_pmf(first: u64, ln_pmf: Vec<f64>) -> Distribution {
        let len = ln_pmf.len();
        let mut ln_at_least = vec![f64::NEG_INFINITY; len + 1];
        for i in (0..len).rev() {
            ln_at_least[i] = LogProb::from_ln(ln_pmf[i])
                .plus(LogProb::from_ln(ln_at_least[i + 1]))
                .ln();
        }
        let mut ln_below = vec![f64::NEG_INFINITY; len + 1];
        for i in 0..len {
            ln_below[i + 1] = LogProb::from_ln(ln_below[i])
                .plus(LogProb::from_ln(ln_pmf[i]))
                .ln();
        }
        Distribution {
            first,
            ln_pmf,
            ln_at_least,
            ln_below,
        }
    }

    /// `Binomial(n, p)`: successes among `n` independent trials of probability `p`.
    pub fn binomial(n: u64, p: f64) -> Distribution {
        let p = p.clamp(0.0, 1.0);
        if p == 0.0 || n == 0 {
            return Distribution::from_ln_pmf(0, vec![0.0]);
        }
        if p == 1.0 {
            return Distribution::from_ln_pmf(n, vec![0.0]);
        }
        let ln_odds = p.ln() - (-p).ln_1p();
        let mut ln_term = n as f64 * (-p).ln_1p();
        let mut ln_pmf = vec![ln_term];
        let mut ln_max = ln_term;
        let mode = ((n as f64 + 1.0) * p).floor() as u64;
        for k in 0..n {
            // pmf(k + 1) = pmf(k) · (n − k) / (k + 1) · p / (1 − p)
            ln_term += ((n - k) as f64 / (k + 1) as f64).ln() + ln_odds;
            ln_max = ln_max.max(ln_term);
            if k + 1 > mode && ln_term < ln_max + NEGLIGIBLE_LN_TERM {
                break;
            }
            ln_pmf.push(ln_term);
        }
        Distribution::from_ln_pmf(0, ln_pmf)
    }

    /// `Hypergeometric`: marked items among `draws` drawn without replacement from
    /// `population` items of which `marked` are marked (`draws ≤ population`).
    pub fn hypergeometric(population: u64, marked: u64, draws: u64) -> Distribution {
        let marked = marked.min(population);
        let draws = draws.min(population);
        let unmarked = population - marked;
        let first = draws.saturating_sub(unmarked);
        let last = draws.min(marked);
        let mut ln_term = ln_choose(marked, first) + ln_choose(unmarked, draws - first)
            - ln_choose(population, draws);
        let mut ln_pmf = vec![ln_term];
        for k in first..last {
            // pmf(k + 1) / pmf(k) = (K − k)(n − k) / ((k + 1)(N − K − n + k + 1))
            ln_term += ((marked - k) as f64).ln() + ((draws - k) as f64).ln()
                - ((k + 1) as f64).ln()
                - ((unmarked + k + 1 - draws) as f64).ln();
            ln_pmf.push(ln_term);
        }
        Distribution::from_ln_pmf(first, ln_pmf)
    }

    /// `P(X ≥ t)`.
    pub fn at_least(&self, t: i64) -> LogProb {
        let index = (t - self.first as i64).clamp(0, self.ln_pmf.len() as i64) as usize;
        LogProb::from_ln(self.ln_at_least[index])
    }

    /// `P(X < t)`.
    pub fn below(&self, t: i64) -> LogProb {
        let index = (t - self.first as i64).clamp(0, self.ln_pmf.len() as i64) as usize;
        LogProb::from_ln(self.ln_below[index])
    }

    /// `P(lo ≤ X ≤ hi)`.
    pub fn between(&self, lo: i64, hi: i64) -> LogProb {
        LogProb::sum(
            self.terms()
                .filter(|(k, _)| (lo..=hi).contains(&(*k as i64)))
                .map(|t| t.1),
        )
    }

    /// The listed values and their probabilities.
    pub fn terms(&self) -> impl Iterator<Item = (u64, LogProb)> + '_ {
        self.ln_pmf
            .iter()
            .enumerate()
            .map(|(i, ln)| (self.first + i as u64, LogProb::from_ln(*ln)))
    }
}

/// `ln C(a, b)`, summed over `min(b, a − b)` factors (`-∞` when `b > a`).
fn ln_choose(a: u64, b: u64) -> f64 {
    if b > a {
        return f64::NEG_INFINITY;
    }
    let b = b.min(a - b);
    (0..b)
        .map(|i| ((a - i) as f64).ln() - ((i + 1) as f64).ln())
        .sum()
}

/// The quorums of a step: computed on the step's credits `C` in public mode and on its
/// expected credits in private mode, as the committee contract's `thresholds` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quorums {
    /// Credits a `Valid` result needs: `⌈2C/3⌉`.
    pub supermajority: u32,
    /// Credits the other results need: `⌊C/2⌋ + 1`.
    pub majority: u32,
}

impl Quorums {
    /// The quorums of a committee of `credits` (expected) credits.
    pub fn of(credits: u32) -> Quorums {
        Quorums {
            supermajority: genesis_types::sortition::supermajority(credits),
            majority: genesis_types::sortition::majority(credits),
        }
    }
}

/// The joint law of one step's Byzantine and honest credits.
#[derive(Clone, Debug)]
pub enum StepLaw {
    /// Public mode: exactly `credits` credits, `H = credits − B`.
    Fixed {
        /// The committee's credits.
        credits: u32,
        /// The law of `B`.
        byzantine: Distribution,
    },
    /// Private mode: `B` and `H` independent.
    Independent {
        /// The law of `B`.
        byzantine: Distribution,
        /// The law of `H`.
        honest: Distribution,
    },
}

/// The probabilities of one step's events (see the [`risk`](crate::risk) module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepEvents {
    /// `B ≥ supermajority`: the Byzantine make a `Valid` quorum alone.
    pub supermajority_alone: LogProb,
    /// `B ≥ majority`: the Byzantine make any other result alone.
    pub majority_alone: LogProb,
    /// `2B + H ≥ 2 · supermajority`: two conflicting `Valid` quorums can both form.
    pub equivocation: LogProb,
    /// `H < supermajority`: the honest alone cannot make a `Valid` quorum.
    pub honest_short: LogProb,
    /// `H ≥ supermajority`.
    pub honest_quorum: LogProb,
    /// `H ≥ supermajority` and `B ≥ majority` (possible only in private mode).
    pub honest_quorum_and_byzantine_majority: LogProb,
}

impl StepLaw {
    /// The events' probabilities under this law.
    pub fn events(&self, q: Quorums) -> StepEvents {
        let (qs, qm) = (i64::from(q.supermajority), i64::from(q.majority));
        match self {
            StepLaw::Fixed { credits, byzantine } => {
                let c = i64::from(*credits);
                StepEvents {
                    supermajority_alone: byzantine.at_least(qs),
                    majority_alone: byzantine.at_least(qm),
                    // 2B + (C − B) ≥ 2qs  ⇔  B ≥ 2qs − C
                    equivocation: byzantine.at_least(2 * qs - c),
                    // C − B < qs  ⇔  B ≥ C − qs + 1
                    honest_short: byzantine.at_least(c - qs + 1),
                    honest_quorum: byzantine.below(c - qs + 1),
                    honest_quorum_and_byzantine_majority: byzantine.between(qm, c - qs),
                }
            }
            StepLaw::Independent { byzantine, honest } => StepEvents {
                supermajority_alone: byzantine.at_least(qs),
                majority_alone: byzantine.at_least(qm),
                equivocation: LogProb::sum(
                    byzantine
                        .terms()
                        .map(|(b, pb)| pb.times(honest.at_least(2 * qs - 2 * b as i64))),
                ),
                honest_short: honest.below(qs),
                honest_quorum: honest.at_least(qs),
                honest_quorum_and_byzantine_majority: byzantine
                    .at_least(qm)
                    .times(honest.at_least(qs)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(d: &Distribution) -> f64 {
        d.at_least(0).value()
    }

    #[test]
    fn distributions_sum_to_one_and_match_closed_forms() {
        let b = Distribution::binomial(10, 0.3);
        assert!((total(&b) - 1.0).abs() < 1e-14);
        // P(X = 3) = C(10,3) 0.3³ 0.7⁷
        let p3 = 120.0 * 0.3f64.powi(3) * 0.7f64.powi(7);
        let got = b.between(3, 3).value();
        assert!((got - p3).abs() < 1e-14, "{got} vs {p3}");
        assert!((b.below(3).plus(b.at_least(3)).value() - 1.0).abs() < 1e-14);

        let h = Distribution::hypergeometric(10, 4, 5);
        assert!((total(&h) - 1.0).abs() < 1e-14);
        // P(X = 2) = C(4,2) C(6,3) / C(10,5) = 6 · 20 / 252
        assert!((h.between(2, 2).value() - 120.0 / 252.0).abs() < 1e-14);
        // All draws marked when the unmarked run out: X ≥ 1 surely for 8 of 10 with 3 unmarked.
        assert!(Distribution::hypergeometric(10, 7, 8).below(5).is_zero());
    }

    #[test]
    fn far_tails_stay_exact_in_log_space() {
        // P(Binomial(64, 0.01) ≥ 43) ≈ C(64,43) 0.01⁴³ 0.99²¹ ≈ 1.1e-69: no underflow, and the
        // first term dominates.
        let t = Distribution::binomial(64, 0.01).at_least(43);
        let first = ln_choose(64, 43) + 43.0 * 0.01f64.ln() + 21.0 * 0.99f64.ln();
        assert!((t.ln() - first).abs() < 1e-2, "{} vs {first}", t.ln());
        // A huge, sparse binomial is listed only near its mass.
        let wide = Distribution::binomial(1_000_000, 64.0 / 1_000_000.0);
        assert!(wide.terms().count() < 2_000);
        assert!((total(&wide) - 1.0).abs() < 1e-12);
    }
}
