//! Step timeouts: a per-step base adapted from recent successful durations, plus an increase
//! after each timeout within the round, capped (Rusk's scheme, in milliseconds), with a cap
//! that grows while the network is slower than it.
//!
//! base = clamp(margin × average of the last [`TIMEOUT_HISTORY`] successful durations, min, cap)
//! (the initial timeout before any success); timeout = min(base + increase × timeouts of the
//! step this round, cap).
//!
//! **The cap** is `max_step_timeout × 2^e`. Each time a step times out at the cap, `e` grows by
//! one (up to `max_timeout_doublings`): the step waited as long as the rule allows and still
//! heard nothing, so the network's delay may exceed the cap. `e` comes down by one after
//! [`TIMEOUT_RELAX_ROUNDS`] consecutive rounds without a step timeout in which every successful
//! step took at most `cap(e − 1) / margin` (the lower cap, with the base's margin, would have
//! served). Why: liveness under partial synchrony needs timeouts that eventually exceed the
//! unknown delay bound (a fixed cap below the delay fails every iteration, and a round's
//! blocks then carry a high PNI that rolling finality is slow to confirm), while a cap that
//! fell back at the first success would lose what it learned in the next slow round; a
//! synchronous network never times out at the cap, so its timeouts are unchanged.

use crate::config::{Config, TIMEOUT_HISTORY, TIMEOUT_RELAX_ROUNDS};
use crate::types::Time;
use genesis_types::stake::Step;
use std::collections::VecDeque;

/// The timeouts of the three steps.
#[derive(Clone, Debug)]
pub struct Timeouts {
    history: [VecDeque<Time>; 3],
    timeouts_this_round: [u64; 3],
    /// Doublings of the cap, `e`.
    doublings: u32,
    /// The longest successful step of this round, ms.
    longest_this_round: Time,
    /// Consecutive rounds the cap one doubling lower would have served.
    relaxed_rounds: u32,
}

impl Timeouts {
    /// No history.
    pub fn new() -> Self {
        Timeouts {
            history: Default::default(),
            timeouts_this_round: [0; 3],
            doublings: 0,
            longest_this_round: 0,
            relaxed_rounds: 0,
        }
    }

    /// The cap with `doublings` doublings.
    fn cap_with(config: &Config, doublings: u32) -> Time {
        config
            .max_step_timeout
            .saturating_mul(1 << doublings.min(config.max_timeout_doublings))
    }

    /// The cap of every step's timeout now.
    pub fn cap(&self, config: &Config) -> Time {
        Self::cap_with(config, self.doublings)
    }

    /// Doublings of the cap now.
    pub fn doublings(&self) -> u32 {
        self.doublings
    }

    /// The timeout of `step` now.
    pub fn timeout(&self, config: &Config, step: Step) -> Time {
        let cap = self.cap(config);
        let history = &self.history[step as usize];
        let base = if history.is_empty() {
            config.initial_step_timeout
        } else {
            let average = history.iter().sum::<Time>().div_ceil(history.len() as Time);
            average
                .saturating_mul(config.timeout_margin)
                .clamp(config.min_step_timeout, cap)
        };
        base.saturating_add(
            config
                .timeout_increase
                .saturating_mul(self.timeouts_this_round[step as usize]),
        )
        .min(cap)
    }

    /// A step ended with a result after `duration`.
    pub fn succeeded(&mut self, step: Step, duration: Time) {
        self.longest_this_round = self.longest_this_round.max(duration);
        let history = &mut self.history[step as usize];
        if history.len() == TIMEOUT_HISTORY {
            history.pop_front();
        }
        history.push_back(duration);
    }

    /// A step timed out (after waiting `self.timeout(config, step)`).
    pub fn timed_out(&mut self, config: &Config, step: Step) {
        if self.timeout(config, step) >= self.cap(config)
            && self.doublings < config.max_timeout_doublings
        {
            self.doublings += 1;
        }
        self.timeouts_this_round[step as usize] += 1;
    }

    /// A new round: the increases start again, and the cap comes down one doubling after
    /// [`TIMEOUT_RELAX_ROUNDS`] rounds the lower cap would have served.
    pub fn new_round(&mut self, config: &Config) {
        let served = self.doublings > 0
            && self.timeouts_this_round == [0; 3]
            && self
                .longest_this_round
                .saturating_mul(config.timeout_margin)
                <= Self::cap_with(config, self.doublings - 1);
        self.relaxed_rounds = if served { self.relaxed_rounds + 1 } else { 0 };
        if self.relaxed_rounds >= TIMEOUT_RELAX_ROUNDS {
            self.doublings -= 1;
            self.relaxed_rounds = 0;
        }
        self.timeouts_this_round = [0; 3];
        self.longest_this_round = 0;
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapts_increases_and_caps() {
        let config = Config::default();
        let mut t = Timeouts::new();
        assert_eq!(t.timeout(&config, Step::Validation), 1_000);
        for _ in 0..TIMEOUT_HISTORY {
            t.succeeded(Step::Validation, 40);
        }
        // 3 × 40 = 120, below the 250 ms minimum.
        assert_eq!(t.timeout(&config, Step::Validation), 250);
        for _ in 0..TIMEOUT_HISTORY {
            t.succeeded(Step::Validation, 200);
        }
        assert_eq!(t.timeout(&config, Step::Validation), 600);
        let fixed = Config {
            max_timeout_doublings: 0,
            ..Config::default()
        };
        t.timed_out(&fixed, Step::Validation);
        assert_eq!(t.timeout(&fixed, Step::Validation), 850);
        for _ in 0..100 {
            t.timed_out(&fixed, Step::Validation);
        }
        assert_eq!(t.timeout(&fixed, Step::Validation), 4_000);
        t.new_round(&fixed);
        assert_eq!(t.timeout(&config, Step::Validation), 600);
        assert_eq!(t.timeout(&config, Step::Ratification), 1_000, "per step");
    }

    /// The cap doubles at each timeout at the cap, up to the limit, and comes down one
    /// doubling per `TIMEOUT_RELAX_ROUNDS` rounds the lower cap would have served.
    #[test]
    fn the_cap_grows_while_steps_time_out_at_it_and_relaxes_when_steps_are_fast() {
        let config = Config::default();
        let mut t = Timeouts::new();
        // 1,000 + 250 k reaches 4,000 at k = 12; the 13th timeout is at the cap.
        for _ in 0..12 {
            t.timed_out(&config, Step::Proposal);
        }
        assert_eq!(
            (t.timeout(&config, Step::Proposal), t.doublings()),
            (4_000, 0)
        );
        t.timed_out(&config, Step::Proposal);
        assert_eq!(t.doublings(), 1);
        assert_eq!(
            t.timeout(&config, Step::Proposal),
            4_250,
            "past the old cap"
        );
        for _ in 0..1_000 {
            t.timed_out(&config, Step::Proposal);
        }
        assert_eq!(t.doublings(), 4, "at the limit");
        assert_eq!(t.timeout(&config, Step::Proposal), 64_000);
        // The round that timed out does not relax; slow rounds whose 5 s steps (15 s with the
        // margin) a lower cap still serves do, down to cap(2) = 16 s.
        t.new_round(&config);
        for _ in 0..TIMEOUT_HISTORY {
            t.succeeded(Step::Validation, 5_000);
        }
        assert_eq!(
            t.timeout(&config, Step::Validation),
            15_000,
            "base above 4,000"
        );
        let mut rounds = 0;
        while t.doublings() == 4 {
            t.succeeded(Step::Proposal, 5_000);
            t.new_round(&config);
            rounds += 1;
        }
        assert_eq!(rounds, TIMEOUT_RELAX_ROUNDS);
        for _ in 0..10 * TIMEOUT_RELAX_ROUNDS {
            t.succeeded(Step::Proposal, 5_000);
            t.new_round(&config);
        }
        assert_eq!(t.doublings(), 2, "a 5 s step keeps the cap at 16 s");
        for _ in 0..10 * TIMEOUT_RELAX_ROUNDS {
            t.succeeded(Step::Proposal, 50);
            t.new_round(&config);
        }
        assert_eq!(t.doublings(), 0, "fast steps bring it back");
        let mut one = Timeouts::new();
        for _ in 0..TIMEOUT_RELAX_ROUNDS {
            one.doublings = 1;
            one.timed_out(&config, Step::Ratification);
            one.new_round(&config);
        }
        assert_eq!(one.doublings(), 1, "rounds with timeouts never relax");
    }
}
