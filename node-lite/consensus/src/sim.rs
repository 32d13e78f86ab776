//! A seeded, deterministic, single-threaded simulator that runs the real [`Provisioner`]s
//! (VOPR / FoundationDB style): a virtual clock (a priority queue of events ordered by
//! `(time, sequence)`), a network that delays, drops, duplicates, reorders (random delays) and
//! partitions, fault schedules (offline, crash + restart from persisted state, slow node,
//! partition then heal), Byzantine behaviours, and invariants checked after every event.
//!
//! One `u64` seed derives every option ([`SimOptions::from_seed`]) and the run prints them;
//! the same seed replays the same run exactly. Randomness is [`SplitMix64`] (our own 10-line
//! generator: no dependency, stable across versions, and every draw happens in event order).
//!
//! [`Provisioner`]: crate::Provisioner

mod byzantine;
mod invariants;
mod options;
mod report;
mod rng;
pub mod split;
mod world;

pub use byzantine::Behaviour;
pub use invariants::Violation;
pub use options::{FaultEvent, SimOptions};
pub use report::{FaultSample, Report};
pub use rng::SplitMix64;
pub use world::Simulator;
