//! The devnet's clock: milliseconds since the Unix epoch, shared by every node, that can stand
//! still and jump.
//!
//! The consensus never reads a clock: each node passes this one's `now()` with every input and
//! fires its timers by it. In instant and manual modes the clock **stands still while no block is
//! wanted** (no step times out, no empty block is proposed) and runs while one is; block
//! timestamps therefore advance only while blocks are being made. [`DevClock::jump_to`] moves it
//! forward (the dev control `set_next_timestamp`): each node shifts its pending timers by the same
//! amount ([`DevClock::shifted`]), so a jump does not make every step time out at once.
//!
//! The clock also **stands still while a node executes** (builds, validates or commits a block:
//! [`DevClock::busy`]). The N nodes share this process's cores: in a real network each would run
//! on its own, so the time one spends executing must not count against the others' step
//! timeouts (a 250 ms proposal timeout otherwise fails whenever a loaded machine takes longer to
//! build a block). Block timestamps are this clock's: they advance by the waiting time, not the
//! execution time.
//!
//! A clock made with [`Execution::Counted`] (`NodeConfig::with_execution_counted`) keeps running
//! while nodes execute: a slow block then delays its generator's candidate and the validators'
//! votes past the step timeouts, as on a network of machines (slower still, since the N nodes
//! share this process's cores). Tests of slow blocks use it.

use parking_lot::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Whether a node's execution stops the clock (see the [module docs](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Execution {
    /// The clock stands still while a node executes (the default).
    #[default]
    Hidden,
    /// The clock runs on: execution counts against the step timeouts.
    Counted,
}

#[derive(Debug)]
struct State {
    /// Virtual time at `since`.
    base: u64,
    /// When `base` was read; `None` while stopped.
    since: Option<Instant>,
    /// Total forward jumps, ms (nodes shift their timers by the growth).
    shifted: u64,
    /// Whether time is wanted (always in interval mode; see `Shared`'s demand rule).
    demand: bool,
    /// Nodes executing now (always 0 when execution is counted).
    busy: u32,
    /// Whether execution stops the clock.
    execution: Execution,
}

/// A shared clock that can stop and jump (see the [module docs](self)).
#[derive(Debug)]
pub struct DevClock {
    state: Mutex<State>,
}

/// Milliseconds since the Unix epoch, by the system clock.
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl DevClock {
    /// A clock reading `start`, running or stopped, that stands still while a node executes.
    pub fn new(start: u64, running: bool) -> Self {
        Self::with_execution(start, running, Execution::Hidden)
    }

    /// A clock reading `start`, running or stopped, whose time a node's execution stops or not.
    pub fn with_execution(start: u64, running: bool, execution: Execution) -> Self {
        DevClock {
            state: Mutex::new(State {
                base: start,
                since: running.then(Instant::now),
                shifted: 0,
                demand: running,
                busy: 0,
                execution,
            }),
        }
    }

    fn read(state: &State) -> u64 {
        state.base + state.since.map_or(0, |s| s.elapsed().as_millis() as u64)
    }

    /// The current time, ms.
    pub fn now(&self) -> u64 {
        Self::read(&self.state.lock())
    }

    /// Whether the clock runs.
    pub fn running(&self) -> bool {
        self.state.lock().since.is_some()
    }

    /// Wants time to pass or not (the demand rule); returns whether that changed. The clock
    /// runs while it is wanted and no node executes.
    pub fn set_running(&self, running: bool) -> bool {
        let mut state = self.state.lock();
        if state.demand == running {
            return false;
        }
        state.demand = running;
        Self::settle(&mut state);
        true
    }

    fn settle(state: &mut State) {
        let run = state.demand && state.busy == 0;
        if run != state.since.is_some() {
            state.base = Self::read(state);
            state.since = run.then(Instant::now);
        }
    }

    /// Stops the clock until the guard is dropped (a node executing), unless execution is
    /// [`Execution::Counted`].
    pub fn busy(&self) -> Busy<'_> {
        let mut state = self.state.lock();
        let holds = state.execution == Execution::Hidden;
        if holds {
            state.busy += 1;
            Self::settle(&mut state);
        }
        Busy(self, holds)
    }

    /// Whether time is wanted but stands still because a node executes.
    pub fn held(&self) -> bool {
        let state = self.state.lock();
        state.demand && state.busy > 0
    }

    /// Moves the clock forward to `to` (nothing if it is already past); returns the jump, ms.
    pub fn jump_to(&self, to: u64) -> u64 {
        let mut state = self.state.lock();
        let now = Self::read(&state);
        if to <= now {
            return 0;
        }
        let delta = to - now;
        state.base = to;
        if state.since.is_some() {
            state.since = Some(Instant::now());
        }
        state.shifted += delta;
        delta
    }

    /// The total of the forward jumps so far, ms.
    pub fn shifted(&self) -> u64 {
        self.state.lock().shifted
    }

    /// How long, in real time, until the clock reads `at`: `None` while it is stopped (wait
    /// for a change), zero when `at` has passed.
    pub fn until(&self, at: u64) -> Option<Duration> {
        let state = self.state.lock();
        let now = Self::read(&state);
        if at <= now {
            return Some(Duration::ZERO);
        }
        state.since.map(|_| Duration::from_millis(at - now))
    }
}

/// A node executing (see [`DevClock::busy`]): whether it holds the clock.
pub struct Busy<'a>(&'a DevClock, bool);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        if !self.1 {
            return;
        }
        let mut state = self.0.state.lock();
        state.busy = state.busy.saturating_sub(1);
        DevClock::settle(&mut state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_clock_stands_still_and_jumps_forward_only() {
        let clock = DevClock::new(1_000, false);
        assert_eq!(clock.now(), 1_000);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), 1_000, "stopped");
        assert_eq!(clock.until(1_000), Some(Duration::ZERO));
        assert_eq!(clock.until(1_001), None, "never while stopped");
        assert_eq!(clock.jump_to(900), 0, "never backwards");
        assert_eq!(clock.jump_to(1_500), 500);
        assert_eq!((clock.now(), clock.shifted()), (1_500, 500));
        assert!(clock.set_running(true));
        assert!(!clock.set_running(true));
        std::thread::sleep(Duration::from_millis(5));
        assert!(clock.now() >= 1_505);
        assert!(clock.set_running(false));
        let stopped = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), stopped);
    }

    #[test]
    fn a_running_clock_stands_still_while_a_node_executes() {
        let clock = DevClock::new(0, true);
        let busy = clock.busy();
        let nested = clock.busy();
        assert!(clock.held());
        let at = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), at);
        drop(nested);
        assert_eq!(clock.now(), at, "still one busy");
        drop(busy);
        assert!(!clock.held());
        std::thread::sleep(Duration::from_millis(5));
        assert!(clock.now() >= at + 5);
    }

    #[test]
    fn a_clock_that_counts_execution_runs_on_while_a_node_executes() {
        let clock = DevClock::with_execution(0, true, Execution::Counted);
        let busy = clock.busy();
        assert!(!clock.held());
        let at = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert!(clock.now() >= at + 5);
        drop(busy);
        assert!(clock.running());
    }
}
