//! The devnet's clock: milliseconds since the Unix epoch, shared by every node, that can stand
//! still and jump.
//!
//! The consensus never reads a clock: each node passes this one's `now()` with every input and
//! fires its timers by it. In instant and manual modes the clock **stands still while no block is
//! wanted** (no step times out, no empty block is proposed) and runs while one is; block
//! timestamps therefore advance only while blocks are being made. [`DevClock::jump_to`] moves it
//! forward (the dev control `set_next_timestamp`): each node shifts its pending timers by the same
//! amount ([`DevClock::shifted`]), so a jump does not make every step time out at once.

use parking_lot::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug)]
struct State {
    /// Virtual time at `since`.
    base: u64,
    /// When `base` was read; `None` while stopped.
    since: Option<Instant>,
    /// Total forward jumps, ms (nodes shift their timers by the growth).
    shifted: u64,
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
    /// A clock reading `start`, running or stopped.
    pub fn new(start: u64, running: bool) -> Self {
        DevClock {
            state: Mutex::new(State {
                base: start,
                since: running.then(Instant::now),
                shifted: 0,
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

    /// Starts or stops the clock; returns whether it changed.
    pub fn set_running(&self, running: bool) -> bool {
        let mut state = self.state.lock();
        if state.since.is_some() == running {
            return false;
        }
        state.base = Self::read(&state);
        state.since = running.then(Instant::now);
        true
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
}
