//! Step timeouts: a per-step base adapted from recent successful durations, plus an increase
//! after each timeout within the round, capped (Rusk's scheme, in milliseconds), with a floor
//! learned from late messages and a cap that rises with it.
//!
//! base = clamp(margin × average of the last [`TIMEOUT_HISTORY`] successful durations, min, cap)
//! (the initial timeout before any success); timeout = max(min(base + increase × timeouts of
//! the step this round, cap), floor).
//!
//! **The floor** (0 at first) is the network delay the node has seen its timeouts miss:
//! - a block of its current round arrives from an iteration the node has already timed out
//!   of (others decided where it gave up: their messages came later than its timeouts): the
//!   floor becomes at least the time since the node started that iteration (at most once per
//!   round);
//! - a step times out at the cap, above the floor (it waited as long as the rule allows and
//!   heard nothing): the floor becomes the cap.
//!
//! The cap is `max(max_step_timeout, 2 × floor)`, never above `max_step_timeout ×
//! 2^max_timeout_doublings` (64 s by default). The floor halves (and is dropped below the
//! minimum step timeout) after [`TIMEOUT_RELAX_ROUNDS`] consecutive rounds with neither sign in
//! which every successful step took at most half the floor. Timeouts with nothing late (an
//! offline generator) neither raise nor hold it.
//!
//! Why: liveness under partial synchrony needs timeouts that eventually exceed the unknown
//! delay bound. With timeouts below the delay every iteration that needs the other nodes'
//! messages fails, often without a fail attestation, and the blocks decided later in the
//! round carry a PNI that rolling finality is slow to confirm (the split adversary's hold:
//! 5 s delays against a 4 s cap). The base alone does not learn the delay (it averages
//! *successful* steps, which are the fast ones), and the in-round increase restarts every
//! round. A synchronous network, and one with offline members, shows neither sign, so its
//! timeouts are unchanged (the absence tests' block times).

use crate::config::{Config, TIMEOUT_HISTORY, TIMEOUT_RELAX_ROUNDS};
use crate::types::Time;
use genesis_types::stake::Step;
use std::collections::{BTreeMap, VecDeque};

/// The timeouts of the three steps.
#[derive(Clone, Debug)]
pub struct Timeouts {
    history: [VecDeque<Time>; 3],
    timeouts_this_round: [u64; 3],
    /// The learned delay every step waits at least, ms.
    floor: Time,
    /// When this node started each iteration of the round.
    started: BTreeMap<u8, Time>,
    /// The longest successful step of this round, ms.
    longest_this_round: Time,
    /// A sign of lateness this round (a timeout at the cap, or a late block).
    late_this_round: bool,
    /// Consecutive rounds the floor was not needed.
    relaxed_rounds: u32,
}

impl Timeouts {
    /// No history.
    pub fn new() -> Self {
        Timeouts {
            history: Default::default(),
            timeouts_this_round: [0; 3],
            floor: 0,
            started: BTreeMap::new(),
            longest_this_round: 0,
            late_this_round: false,
            relaxed_rounds: 0,
        }
    }

    /// The highest the cap (and the floor) may go.
    fn limit(config: &Config) -> Time {
        config
            .max_step_timeout
            .saturating_mul(1 << config.max_timeout_doublings)
    }

    /// The floor of every step's timeout now.
    pub fn floor(&self) -> Time {
        self.floor
    }

    /// The cap of every step's timeout now.
    pub fn cap(&self, config: &Config) -> Time {
        config
            .max_step_timeout
            .max(self.floor.saturating_mul(2))
            .min(Self::limit(config))
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
        .max(self.floor)
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

    /// This node started `iteration` of the round at `at`.
    pub fn iteration_started(&mut self, iteration: u8, at: Time) {
        self.started.entry(iteration).or_insert(at);
    }

    fn learn(&mut self, config: &Config, delay: Time) {
        self.late_this_round = true;
        self.floor = self.floor.max(delay).min(Self::limit(config));
    }

    /// A step timed out (after waiting `self.timeout(config, step)`).
    pub fn timed_out(&mut self, config: &Config, step: Step) {
        let cap = self.cap(config);
        if config.max_timeout_doublings > 0 && cap > self.floor && self.timeout(config, step) >= cap
        {
            self.learn(config, cap);
        }
        self.timeouts_this_round[step as usize] += 1;
    }

    /// At `now`, a block of the current round arrived from `iteration`, which this node has
    /// timed out of. The floor learns the time since the node started that iteration, at most
    /// once per round.
    pub fn late_block(&mut self, config: &Config, iteration: u8, now: Time) {
        if self.late_this_round || config.max_timeout_doublings == 0 {
            return;
        }
        if let Some(started) = self.started.get(&iteration) {
            self.learn(config, now.saturating_sub(*started).saturating_mul(2));
        }
    }

    /// A new round: the increases start again, and the floor halves after
    /// [`TIMEOUT_RELAX_ROUNDS`] rounds that did not need it.
    pub fn new_round(&mut self, config: &Config) {
        let served =
            self.floor > 0 && !self.late_this_round && self.longest_this_round <= self.floor / 2;
        self.relaxed_rounds = if served { self.relaxed_rounds + 1 } else { 0 };
        if self.relaxed_rounds >= TIMEOUT_RELAX_ROUNDS {
            self.floor /= 2;
            if self.floor < config.min_step_timeout {
                self.floor = 0;
            }
            self.relaxed_rounds = 0;
        }
        self.timeouts_this_round = [0; 3];
        self.longest_this_round = 0;
        self.late_this_round = false;
        self.started.clear();
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

    /// The floor learns the delay from a late block (once per round) and from a timeout at
    /// the cap, the cap follows at twice the floor up to the limit, and the floor halves per
    /// `TIMEOUT_RELAX_ROUNDS` rounds whose steps were fast; timeouts below the cap (an offline
    /// generator) neither raise nor hold it.
    #[test]
    fn the_floor_learns_the_delay_and_relaxes_when_steps_are_fast() {
        let config = Config::default();
        let mut t = Timeouts::new();
        // 1,000 + 250 k reaches 4,000 at k = 12; the 13th timeout is at the cap.
        for _ in 0..12 {
            t.timed_out(&config, Step::Proposal);
        }
        assert_eq!((t.timeout(&config, Step::Proposal), t.floor()), (4_000, 0));
        t.timed_out(&config, Step::Proposal);
        assert_eq!((t.floor(), t.cap(&config)), (4_000, 8_000));
        assert_eq!(
            t.timeout(&config, Step::Proposal),
            4_250,
            "past the old cap"
        );
        for _ in 0..1_000 {
            t.timed_out(&config, Step::Proposal);
        }
        assert_eq!(
            (t.floor(), t.cap(&config)),
            (64_000, 64_000),
            "at the limit"
        );
        t.new_round(&config);
        assert_eq!(t.timeout(&config, Step::Ratification), 64_000);
        // Fast steps halve it per TIMEOUT_RELAX_ROUNDS rounds, even with timeouts below the
        // cap in them, down to nothing.
        for round in 1..=9 * TIMEOUT_RELAX_ROUNDS {
            t.succeeded(Step::Validation, 50);
            if round % 2 == 0 {
                t.timed_out(&config, Step::Proposal);
            }
            t.new_round(&config);
        }
        assert_eq!(t.floor(), 0);
        assert_eq!(
            t.timeout(&config, Step::Validation),
            250,
            "back to the base"
        );
        // A late block: the floor is the time since the node started its iteration.
        let mut late = Timeouts::new();
        late.iteration_started(0, 10_000);
        late.iteration_started(1, 12_000);
        late.late_block(&config, 0, 15_100);
        late.late_block(&config, 1, 30_000);
        assert_eq!(
            (late.floor(), late.cap(&config)),
            (5_100, 10_200),
            "once per round"
        );
        assert_eq!(late.timeout(&config, Step::Proposal), 5_100);
        // Steps of 5 s (the delay) keep it: 5 s > half the floor.
        for _ in 0..10 * TIMEOUT_RELAX_ROUNDS {
            late.succeeded(Step::Validation, 5_000);
            late.new_round(&config);
        }
        assert_eq!(late.floor(), 5_100);
        let fixed = Config {
            max_timeout_doublings: 0,
            ..Config::default()
        };
        let mut never = Timeouts::new();
        never.iteration_started(0, 0);
        never.late_block(&fixed, 0, 9_000);
        for _ in 0..100 {
            never.timed_out(&fixed, Step::Proposal);
        }
        assert_eq!(
            (never.floor(), never.timeout(&fixed, Step::Proposal)),
            (0, 4_000)
        );
    }
}
