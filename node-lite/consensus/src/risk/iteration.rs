//! One iteration: who generates it, the law of its validation and ratification committees
//! given that, and the odds of each outcome of the iteration.
//!
//! **Public mode.** The generator is the holder of the one proposal credit: Byzantine with
//! probability `N_byz / N`. The validation and ratification committees exclude this
//! iteration's generator and the next one's (drawn independently from all provisioners, it may
//! be the same one), so the pool their 64 credits are drawn from depends on who those two are:
//! six cases, each with its own hypergeometric law over the `L` lots of each provisioner left
//! (an excluded provisioner takes all its lots with it: with ten provisioners a Byzantine
//! generator removes a third of the Byzantine stake), and both committees of an iteration
//! share the case (they are independent given it).
//!
//! **Private mode.** Each provisioner's proposal VRF selects each of its lots with probability
//! `p₀ = τ₀ / (N · L)` (`τ₀` = 5 expected credits) and the lowest priority among the selected
//! wins: by symmetry every provisioner wins with probability `(1 − (1 − p₀)^{N·L}) / N`, and
//! nobody with `(1 − p₀)^{N·L}`. Nobody can exclude a generator it does not know yet, so the committees are
//! drawn from everyone, independently of the generator and of each other.

use super::law::{Distribution, Quorums, StepEvents, StepLaw};
use super::log_prob::LogProb;
use genesis_types::committee::Mode;

/// Who proposes in an iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generator {
    /// A Byzantine provisioner (it can propose two candidates, or none).
    Byzantine,
    /// An honest provisioner.
    Honest,
    /// Nobody (private mode: no provisioner drew a proposal credit).
    Nobody,
}

/// One case of an iteration: its probability, its generator and its committees' events.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// The probability of the case.
    pub weight: LogProb,
    /// The generator.
    pub generator: Generator,
    /// The events of either committee (validation and ratification share the law).
    pub events: StepEvents,
}

/// The cases of an iteration with `byzantine` of `provisioners` provisioners of `lots` lots
/// each and committees of `credits` (expected) credits. `proposal_credits` is the private
/// mode's expected proposal credits. Requires `credits ≤ (provisioners − 2) · lots` in public
/// mode and `credits < provisioners · lots` in private mode (checked by the caller).
pub fn cases(
    mode: Mode,
    provisioners: u64,
    lots: u64,
    byzantine: u64,
    credits: u32,
    proposal_credits: u32,
) -> Vec<Case> {
    let quorums = Quorums::of(credits);
    let n = provisioners as f64;
    let total_lots = (provisioners * lots) as f64;
    match mode {
        Mode::Public => {
            let nb = byzantine;
            let nh = provisioners - byzantine;
            let law = |pool: u64, marked: u64| StepLaw::Fixed {
                credits,
                byzantine: Distribution::hypergeometric(pool, marked, u64::from(credits)),
            };
            // (P(this), P(next | this), excluded Byzantine, excluded provisioners, generator),
            // the probabilities in provisioners (equal stakes); the committee is then drawn
            // among the lots of the others.
            let shapes: [(u64, u64, u64, u64, Generator); 6] = [
                (nb, 1, 1, 1, Generator::Byzantine),
                (nb, nb.saturating_sub(1), 2, 2, Generator::Byzantine),
                (nb, nh, 1, 2, Generator::Byzantine),
                (nh, 1, 0, 1, Generator::Honest),
                (nh, nb, 1, 2, Generator::Honest),
                (nh, nh.saturating_sub(1), 0, 2, Generator::Honest),
            ];
            shapes
                .iter()
                .filter(|(this, next, excluded, _, _)| *this > 0 && *next > 0 && *excluded <= nb)
                .map(|&(this, next, excluded_byz, excluded, generator)| Case {
                    weight: LogProb::new(this as f64 / n).times(LogProb::new(next as f64 / n)),
                    generator,
                    events: law((provisioners - excluded) * lots, (nb - excluded_byz) * lots)
                        .events(quorums),
                })
                .collect()
        }
        Mode::Private => {
            let p = f64::from(credits) / total_lots;
            let events = StepLaw::Independent {
                byzantine: Distribution::binomial(byzantine * lots, p),
                honest: Distribution::binomial((provisioners - byzantine) * lots, p),
            }
            .events(quorums);
            let p0 = (f64::from(proposal_credits) / total_lots).min(1.0);
            let nobody = LogProb::from_ln(total_lots * (-p0).ln_1p());
            let somebody = nobody.complement();
            let share = |k: u64| LogProb::new(k as f64 / n).times(somebody);
            [
                (share(byzantine), Generator::Byzantine),
                (share(provisioners - byzantine), Generator::Honest),
                (nobody, Generator::Nobody),
            ]
            .into_iter()
            .filter(|(weight, _)| !weight.is_zero())
            .map(|(weight, generator)| Case {
                weight,
                generator,
                events,
            })
            .collect()
        }
    }
}

/// The odds of an iteration's outcomes, under the adversary of the
/// [`risk`](crate::risk) module docs (it withholds every vote and candidate unless an attack
/// succeeds).
#[derive(Clone, Copy, Debug)]
pub struct IterationOdds {
    /// Byzantine generator and `B ≥ supermajority` in both committees.
    pub supermajority_alone: LogProb,
    /// Honest generator and `B ≥ majority` in both committees (a veto of an honest block).
    pub majority_veto: LogProb,
    /// Byzantine generator and `2B + H ≥ 2 · supermajority` in both committees.
    pub equivocation: LogProb,
    /// Honest generator and `H ≥ supermajority` in both committees: the round ends with an
    /// honest block.
    pub honest_block: f64,
    /// `honest_block` without a Byzantine majority in both committees.
    pub honest_block_unvetoed: f64,
    /// The iteration ends without a block (`1 − honest_block`, summed from the small terms).
    pub fails: LogProb,
    /// The events of one committee, averaged over the cases.
    pub step: StepEvents,
}

/// Sum the cases into the iteration's odds.
pub fn odds(cases: &[Case]) -> IterationOdds {
    let by = |g: Generator| cases.iter().filter(move |c| c.generator == g);
    let both = |c: &Case, e: fn(&StepEvents) -> LogProb| c.weight.times(e(&c.events).pow(2));
    let mix = |e: fn(&StepEvents) -> LogProb| {
        LogProb::sum(cases.iter().map(|c| c.weight.times(e(&c.events))))
    };
    let honest_block: f64 = by(Generator::Honest)
        .map(|c| both(c, |e| e.honest_quorum).value())
        .sum();
    let honest_block_unvetoed: f64 = by(Generator::Honest)
        .map(|c| {
            both(c, |e| e.honest_quorum).value()
                - both(c, |e| e.honest_quorum_and_byzantine_majority).value()
        })
        .sum();
    // An honest iteration fails with P(short in V or R) = l · (2 − l).
    let honest_fails = by(Generator::Honest).map(|c| {
        let l = c.events.honest_short;
        LogProb::from_ln(c.weight.ln() + l.ln() + (2.0 - l.value()).ln())
    });
    let others = cases
        .iter()
        .filter(|c| c.generator != Generator::Honest)
        .map(|c| c.weight);
    IterationOdds {
        supermajority_alone: LogProb::sum(
            by(Generator::Byzantine).map(|c| both(c, |e| e.supermajority_alone)),
        ),
        majority_veto: LogProb::sum(by(Generator::Honest).map(|c| both(c, |e| e.majority_alone))),
        equivocation: LogProb::sum(by(Generator::Byzantine).map(|c| both(c, |e| e.equivocation))),
        honest_block,
        honest_block_unvetoed,
        fails: LogProb::sum(honest_fails.chain(others)),
        step: StepEvents {
            supermajority_alone: mix(|e| e.supermajority_alone),
            majority_alone: mix(|e| e.majority_alone),
            equivocation: mix(|e| e.equivocation),
            honest_short: mix(|e| e.honest_short),
            honest_quorum: mix(|e| e.honest_quorum),
            honest_quorum_and_byzantine_majority: mix(|e| e.honest_quorum_and_byzantine_majority),
        },
    }
}
