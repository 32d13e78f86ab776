//! Step timeouts: a per-step base adapted from recent successful durations, plus an increase
//! after each timeout within the round, capped (Rusk's scheme, in milliseconds).
//!
//! base = clamp(margin × average of the last [`TIMEOUT_HISTORY`] successful durations, min, max)
//! (the initial timeout before any success); timeout = min(base + increase × timeouts of the
//! step this round, max).

use crate::config::{Config, TIMEOUT_HISTORY};
use crate::types::Time;
use genesis_types::stake::Step;
use std::collections::VecDeque;

/// The timeouts of the three steps.
#[derive(Clone, Debug)]
pub struct Timeouts {
    history: [VecDeque<Time>; 3],
    timeouts_this_round: [u64; 3],
}

impl Timeouts {
    /// No history.
    pub fn new() -> Self {
        Timeouts {
            history: Default::default(),
            timeouts_this_round: [0; 3],
        }
    }

    /// The timeout of `step` now.
    pub fn timeout(&self, config: &Config, step: Step) -> Time {
        let history = &self.history[step as usize];
        let base = if history.is_empty() {
            config.initial_step_timeout
        } else {
            let average = history.iter().sum::<Time>().div_ceil(history.len() as Time);
            average
                .saturating_mul(config.timeout_margin)
                .clamp(config.min_step_timeout, config.max_step_timeout)
        };
        base.saturating_add(
            config
                .timeout_increase
                .saturating_mul(self.timeouts_this_round[step as usize]),
        )
        .min(config.max_step_timeout)
    }

    /// A step ended with a result after `duration`.
    pub fn succeeded(&mut self, step: Step, duration: Time) {
        let history = &mut self.history[step as usize];
        if history.len() == TIMEOUT_HISTORY {
            history.pop_front();
        }
        history.push_back(duration);
    }

    /// A step timed out.
    pub fn timed_out(&mut self, step: Step) {
        self.timeouts_this_round[step as usize] += 1;
    }

    /// A new round: the increases start again.
    pub fn new_round(&mut self) {
        self.timeouts_this_round = [0; 3];
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
        t.timed_out(Step::Validation);
        assert_eq!(t.timeout(&config, Step::Validation), 850);
        for _ in 0..100 {
            t.timed_out(Step::Validation);
        }
        assert_eq!(t.timeout(&config, Step::Validation), 4_000);
        t.new_round();
        assert_eq!(t.timeout(&config, Step::Validation), 600);
        assert_eq!(t.timeout(&config, Step::Ratification), 1_000, "per step");
    }
}
