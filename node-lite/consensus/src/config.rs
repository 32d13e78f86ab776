//! Every tunable of the state machine, with its default and the reason for it.

use crate::types::Time;
use thiserror::Error;

/// Default iterations per round before open consensus (Rusk: `CONSENSUS_MAX_ITER` = 50).
pub const DEFAULT_MAX_ITERATIONS: u8 = 50;
/// Largest `max_iterations`: iteration numbers are a `u8` and the last iteration must have a
/// "next" one for the committee exclusions.
pub const MAX_ITERATIONS_LIMIT: u8 = 254;
/// Fail attestations a header can carry (Rusk: 8); later failed iterations are not listed.
pub const MAX_FAILED_ATTESTATIONS: usize = 8;
/// Fault proofs a candidate can carry (Rusk: 100).
pub const MAX_FAULTS_PER_BLOCK: usize = 100;
/// Blocks sent in answer to one `GetBlocks`.
pub const MAX_BLOCKS_PER_SYNC: usize = 64;
/// Checked blocks of another branch (above the last final block) a node keeps, to switch to
/// that branch once it is longer than its own (see the README's fork choice).
pub const MAX_ALTERNATIVE_BLOCKS: usize = 64;
/// How far ahead (in rounds) a message may be and still be buffered or trigger a sync.
pub const MAX_ROUND_DISTANCE: u64 = 1_000;
/// Messages for the next round kept until the node gets there.
pub const MAX_BUFFERED_MESSAGES: usize = 4_096;
/// Successful step durations averaged into the base timeout (Rusk: 5).
pub const TIMEOUT_HISTORY: usize = 5;

/// The state machine's configuration (every field has a `DEFAULT_*` reason in its doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Iterations before open consensus: default [`DEFAULT_MAX_ITERATIONS`].
    pub max_iterations: u8,
    /// Lowest step timeout, ms (default 250: a few devnet round trips).
    pub min_step_timeout: Time,
    /// Highest step timeout, ms (default 4,000).
    pub max_step_timeout: Time,
    /// Added to a step's timeout after it times out, for the rest of the round, ms (default 250).
    pub timeout_increase: Time,
    /// A step's timeout before any step succeeded (default 1,000 ms).
    pub initial_step_timeout: Time,
    /// The base timeout is this many times the average of the last successful durations
    /// (default 3: a step that took the average twice still fits).
    pub timeout_margin: u64,
    /// Shortest time between a block and its parent, ms (default 1,000; Rusk's CI uses 1 s).
    /// The generator waits for it before proposing.
    pub min_block_time: Time,
    /// Blocks kept in memory (and served to syncing peers) below the tip (default 256).
    pub retained_blocks: usize,
    /// In open consensus, and while behind, how often own messages are re-sent and syncs
    /// retried, ms (default 1,000).
    pub rebroadcast_interval: Time,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_iterations: DEFAULT_MAX_ITERATIONS,
            min_step_timeout: 250,
            max_step_timeout: 4_000,
            timeout_increase: 250,
            initial_step_timeout: 1_000,
            timeout_margin: 3,
            min_block_time: 1_000,
            retained_blocks: 256,
            rebroadcast_interval: 1_000,
        }
    }
}

/// A configuration that breaks a documented bound.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `max_iterations` outside `1..=MAX_ITERATIONS_LIMIT`.
    #[error("max_iterations must be 1..={MAX_ITERATIONS_LIMIT}, got {0}")]
    MaxIterations(u8),
    /// Timeouts must satisfy `0 < min ≤ initial ≤ max`.
    #[error("step timeouts must satisfy 0 < min ({min}) <= initial ({initial}) <= max ({max})")]
    Timeouts {
        /// min_step_timeout
        min: Time,
        /// initial_step_timeout
        initial: Time,
        /// max_step_timeout
        max: Time,
    },
    /// `retained_blocks` below 2 (the tip and its parent are always needed).
    #[error("retained_blocks must be at least 2, got {0}")]
    RetainedBlocks(usize),
    /// A zero `rebroadcast_interval` or `timeout_margin`.
    #[error("rebroadcast_interval and timeout_margin must be non-zero")]
    Zero,
}

impl Config {
    /// Checks the bounds in the field docs.
    ///
    /// # Errors
    /// The first bound broken.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=MAX_ITERATIONS_LIMIT).contains(&self.max_iterations) {
            return Err(ConfigError::MaxIterations(self.max_iterations));
        }
        if self.min_step_timeout == 0
            || self.min_step_timeout > self.initial_step_timeout
            || self.initial_step_timeout > self.max_step_timeout
        {
            return Err(ConfigError::Timeouts {
                min: self.min_step_timeout,
                initial: self.initial_step_timeout,
                max: self.max_step_timeout,
            });
        }
        if self.retained_blocks < 2 {
            return Err(ConfigError::RetainedBlocks(self.retained_blocks));
        }
        if self.rebroadcast_interval == 0 || self.timeout_margin == 0 {
            return Err(ConfigError::Zero);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_at_and_past_the_limit() {
        let ok = Config::default();
        assert_eq!(ok.validate(), Ok(()));
        let at = Config {
            max_iterations: MAX_ITERATIONS_LIMIT,
            retained_blocks: 2,
            ..Config::default()
        };
        assert_eq!(at.validate(), Ok(()));
        let past = Config {
            max_iterations: MAX_ITERATIONS_LIMIT + 1,
            ..Config::default()
        };
        assert_eq!(past.validate(), Err(ConfigError::MaxIterations(255)));
        let zero = Config {
            max_iterations: 0,
            ..Config::default()
        };
        assert_eq!(zero.validate(), Err(ConfigError::MaxIterations(0)));
        let few = Config {
            retained_blocks: 1,
            ..Config::default()
        };
        assert_eq!(few.validate(), Err(ConfigError::RetainedBlocks(1)));
        let inverted = Config {
            min_step_timeout: 5_000,
            ..Config::default()
        };
        assert!(matches!(
            inverted.validate(),
            Err(ConfigError::Timeouts { .. })
        ));
    }
}
