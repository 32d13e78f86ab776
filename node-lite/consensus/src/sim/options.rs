//! Everything a run depends on, derived from one seed and printable.

use super::byzantine::Behaviour;
use super::rng::SplitMix64;
use crate::config::Config;
use crate::types::Time;
use genesis_types::committee::Mode;
use std::fmt;

/// A scheduled fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultEvent {
    /// The node's network is cut (it keeps running) during `[from, until)`.
    Offline {
        /// Node index.
        node: usize,
        /// Start, ms.
        from: Time,
        /// End, ms.
        until: Time,
    },
    /// The node crashes at `at` (losing everything not persisted) and restarts at `restart`.
    Crash {
        /// Node index.
        node: usize,
        /// Crash time.
        at: Time,
        /// Restart time.
        restart: Time,
    },
    /// Every message to or from the node takes `extra` ms more during `[from, until)`.
    Slow {
        /// Node index.
        node: usize,
        /// Extra delay, ms.
        extra: Time,
        /// Start.
        from: Time,
        /// End.
        until: Time,
    },
    /// The nodes in `side` cannot talk to the others during `[from, until)`.
    Partition {
        /// One side.
        side: Vec<usize>,
        /// Start.
        from: Time,
        /// End.
        until: Time,
    },
}

impl FaultEvent {
    /// When the fault is over.
    pub fn end(&self) -> Time {
        match self {
            FaultEvent::Offline { until, .. }
            | FaultEvent::Slow { until, .. }
            | FaultEvent::Partition { until, .. } => *until,
            FaultEvent::Crash { restart, .. } => *restart,
        }
    }
}

/// The options of one run.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// The seed everything else derives from (network draws included).
    pub seed: u64,
    /// Stake of each provisioner (their count is the length).
    pub stakes: Vec<u128>,
    /// Stake per lot.
    pub credit_unit: u128,
    /// Committee mode.
    pub mode: Mode,
    /// Expected (private) or exact (public) credits of validation and ratification.
    pub committee_credits: u32,
    /// The provisioners' configuration.
    pub config: Config,
    /// Smallest one-way delay, ms.
    pub delay_min: Time,
    /// Largest one-way delay, ms (random delays reorder messages).
    pub delay_max: Time,
    /// Messages lost, per million.
    pub drop_per_million: u32,
    /// Messages delivered twice, per million.
    pub duplicate_per_million: u32,
    /// Largest execution (and candidate building) time, ms.
    pub execution_max: Time,
    /// Scheduled faults.
    pub faults: Vec<FaultEvent>,
    /// Misbehaving nodes (index, behaviour); the others are honest.
    pub byzantine: Vec<(usize, Behaviour)>,
    /// A finality gap longer than this, once every fault is over, is a liveness violation, ms.
    pub liveness_bound: Time,
    /// The split adversary keeps the two sides of an attacked slot apart for this many rounds
    /// after it (0: only the attacked slot; see [`super::split`]).
    pub split_hold_rounds: u64,
    /// With `Some(W)`, the hold is the *window* adversary of `risk::conflicting_final`: in
    /// each held round the sides are cut apart (candidates, votes and fail quorums between
    /// them dropped, blocks [`super::split::WINDOW_BLOCK_DELAY`] late) in iterations `0..W` only, and
    /// from iteration `W` on the Byzantine copies are silent; `None`: every message between
    /// the sides is `CROSS_DELAY` late for the whole held round (see [`super::split`]).
    pub split_hold_window: Option<u8>,
}

impl SimOptions {
    /// `n` equal-stake provisioners on a calm network (no drops, no faults): the baseline.
    pub fn calm(seed: u64, n: usize, mode: Mode) -> Self {
        SimOptions {
            seed,
            stakes: vec![1_000; n],
            credit_unit: 1,
            mode,
            committee_credits: 64,
            config: Config::default(),
            delay_min: 5,
            delay_max: 50,
            drop_per_million: 0,
            duplicate_per_million: 0,
            execution_max: 20,
            faults: Vec::new(),
            byzantine: Vec::new(),
            liveness_bound: 120_000,
            split_hold_rounds: 0,
            split_hold_window: None,
        }
    }

    /// Every option drawn from `seed`: network delays, loss and duplication, and a fault
    /// schedule over `[0, horizon)` that keeps more than 2/3 of the stake up outside short
    /// partitions, all healed before `horizon`.
    pub fn from_seed(seed: u64, n: usize, mode: Mode, horizon: Time) -> Self {
        let mut rng = SplitMix64::new(seed ^ 0x5EED_0F0B_7105);
        let mut options = SimOptions::calm(seed, n, mode);
        options.stakes = (0..n).map(|_| rng.range(500, 2_000) as u128).collect();
        options.delay_min = rng.range(1, 20);
        options.delay_max = options.delay_min + rng.range(0, 200);
        options.drop_per_million = rng.range(0, 100_000) as u32;
        options.duplicate_per_million = rng.range(0, 50_000) as u32;
        options.execution_max = rng.range(1, 100);
        let faults = rng.range(0, 4);
        for _ in 0..faults {
            let node = rng.range(0, n as u64 - 1) as usize;
            let from = rng.range(0, horizon / 2);
            let until = from + rng.range(1_000, horizon / 4);
            options.faults.push(match rng.range(0, 3) {
                0 => FaultEvent::Offline { node, from, until },
                1 => FaultEvent::Crash {
                    node,
                    at: from,
                    restart: until,
                },
                2 => FaultEvent::Slow {
                    node,
                    extra: rng.range(100, 2_000),
                    from,
                    until,
                },
                _ => FaultEvent::Partition {
                    side: (0..n).filter(|_| rng.chance(500_000)).collect(),
                    from,
                    until,
                },
            });
        }
        options
    }

    /// Makes nodes `keys` the split adversary ([`super::split`]): each gets
    /// [`Behaviour::Split`] and a second copy of its key ([`Behaviour::SplitTwin`]) as an extra
    /// node.
    pub fn split_adversary(&mut self, keys: &[usize]) {
        for &k in keys {
            let twins = self
                .byzantine
                .iter()
                .filter(|(_, b)| matches!(b, Behaviour::TwinOf(_) | Behaviour::SplitTwin(_)))
                .count();
            self.byzantine.push((k, Behaviour::Split));
            self.byzantine
                .push((self.stakes.len() + twins, Behaviour::SplitTwin(k)));
        }
    }

    /// The honest stake that is up and can reach itself at time `at` (the largest side of
    /// each active partition, offline and crashed nodes out), and the total stake. `usable[i]`
    /// says whether node `i` is honest and up.
    pub fn connected_stake(&self, at: Time, usable: &[bool]) -> (u128, u128) {
        let total: u128 = self.stakes.iter().sum();
        let group = self.connected_group(at, usable);
        (group.iter().map(|i| self.stakes[*i]).sum(), total)
    }

    /// The nodes of [`SimOptions::connected_stake`]'s group: usable, online, and on the
    /// heavier side of every partition in force at `at`.
    pub fn connected_group(&self, at: Time, usable: &[bool]) -> Vec<usize> {
        let mut group: Vec<usize> = (0..self.stakes.len())
            .filter(|i| usable.get(*i).copied().unwrap_or(false))
            .filter(|i| {
                !self.faults.iter().any(|f| {
                    matches!(f, FaultEvent::Offline { node, from, until }
                        if node == i && (*from..*until).contains(&at))
                })
            })
            .collect();
        for fault in &self.faults {
            if let FaultEvent::Partition { side, from, until } = fault
                && (*from..*until).contains(&at)
            {
                let stake = |inside: bool| -> u128 {
                    group
                        .iter()
                        .filter(|i| side.contains(i) == inside)
                        .map(|i| self.stakes[*i])
                        .sum()
                };
                let keep_inside = stake(true) >= stake(false);
                group.retain(|i| side.contains(i) == keep_inside);
            }
        }
        group
    }

    /// When the last scheduled fault is over.
    pub fn heal_time(&self) -> Time {
        self.faults.iter().map(FaultEvent::end).max().unwrap_or(0)
    }
}

impl fmt::Display for SimOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed = {}", self.seed)?;
        writeln!(
            f,
            "provisioners = {} stakes = {:?} credit_unit = {} mode = {:?} committee = {}",
            self.stakes.len(),
            self.stakes,
            self.credit_unit,
            self.mode,
            self.committee_credits
        )?;
        writeln!(
            f,
            "delay = {}..={} ms drop = {}/1e6 duplicate = {}/1e6 execution <= {} ms",
            self.delay_min,
            self.delay_max,
            self.drop_per_million,
            self.duplicate_per_million,
            self.execution_max
        )?;
        writeln!(f, "faults = {:?}", self.faults)?;
        writeln!(
            f,
            "byzantine = {:?} split_hold_rounds = {} split_hold_window = {:?}",
            self.byzantine, self.split_hold_rounds, self.split_hold_window
        )?;
        write!(f, "config = {:?}", self.config)
    }
}
