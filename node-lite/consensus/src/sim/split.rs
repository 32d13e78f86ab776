//! The split adversary (issue item 5): Byzantine keys that vote for two conflicting candidates
//! and a network that orders deliveries so that the honest votes split between them.
//!
//! Each Byzantine key runs two honest state machines (Twins): the *original*, in world A, and
//! a *twin*, in world B. When a Byzantine key generates an iteration, both copies propose
//! (different transactions, so two candidates `a` and `b`) and the slot is *attacked*. For an
//! attacked slot the adversary, which knows every committee (it reads the honest nodes'
//! credits, as an adversary watching revealed credits and timing could), splits the honest
//! members of each committee into two sides of balanced credits (greedy, largest first), and:
//! - a candidate, and a ratification vote or a block for a value, reach the honest validators
//!   of that value's side at once and the others [`CROSS_DELAY`] later (each votes for the
//!   candidate it sees first; each side assembles its own block);
//! - a validation vote for a value reaches the honest *ratifiers* of that value's side at once
//!   and the others later (each ratifies the validation quorum it sees first);
//! - a Byzantine copy only hears its own world's values; a twin takes part in attacked slots
//!   only (elsewhere, and for decided blocks, it just follows the blocks).
//!
//! Both candidates reach a quorum in a step when `B + H_side ≥ q` on both sides, which a
//! balanced split gives when `2B + H ≥ 2q` up to the lumpiness of the honest members'
//! credits: the event the risk model calls *equivocation*.
//!
//! **Holding the sides apart** (`SimOptions::split_hold_rounds` = `R > 0`): two conflicting
//! blocks become `Final` only if each branch also gets an attested child before its nodes see
//! the other block (`risk::conflicting_final`). For the `R` rounds after an attacked slot, the
//! adversary keeps that slot's sides apart: side A = the original copies and the honest nodes
//! of the slot's validation side A, side B = the twins and the other honest nodes; a message
//! between honest nodes of different sides arrives [`CROSS_DELAY`] late, one between a
//! Byzantine copy and the other side never, and within a side as usual (so each twin votes
//! in world B through those rounds). An attacked slot inside a hold starts no new hold (a
//! partition without end would only stall the honest nodes, not help a conflicting `Final`).
//!
//! **The window adversary** (`SimOptions::split_hold_window` = `Some(W)`, with the hold): the
//! adversary `risk::conflicting_final` computes for a window of `W` iterations. In each held
//! round it cuts the sides apart in iterations `0..W` (a candidate, a vote or a fail quorum
//! from the other side never arrives; a block arrives [`WINDOW_BLOCK_DELAY`] late, so nodes
//! can still sync, and so does the attacked slot's block of the other side: a side that
//! decided later than the other is not pulled over before its window ends), and from iteration `W` on its copies are silent (their candidates and votes are
//! dropped): a side decides past the window only with its honest credits alone. With `W = 1`
//! and `R = 1`, two conflicting attestations of PNI 0 in the attacked slot become two `Final`
//! blocks exactly when both sides decide in iteration 0 of the next round: a Byzantine
//! generator and `B + H_A ≥ q`, `B + H_B ≥ q` in both committees, the model's `s_AB`
//! (`P₂` at `W = 1`). The delay hold (`None`) has no such model quantity: how many iterations
//! a side runs before the other side's blocks reach it depends on its timeouts.

use crate::committee::Sortition;
use crate::crypto::Signer;
use crate::message::Message;
use crate::types::{Hash, Time, VoteValue};
use genesis_types::stake::Step;
use std::collections::{BTreeMap, BTreeSet};

/// How much later a value reaches the honest nodes of the other side, ms (longer than any
/// step timeout, so they have voted by then).
pub const CROSS_DELAY: Time = 5_000;

/// With a window (`SimOptions::split_hold_window`), how much later a block of an attacked
/// slot or of a held round's window reaches the other side, ms: longer than a node's three
/// step timeouts at their cap, so each side has ended the window's iterations before it
/// hears of the other side's blocks.
pub const WINDOW_BLOCK_DELAY: Time = 30_000;

/// What the network does with one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// As usual.
    Normal,
    /// Delivered this much later.
    Delay(Time),
    /// Never delivered.
    Drop,
}

/// Who a node is to the adversary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Honest.
    Honest,
    /// A Byzantine key's copy in world A.
    Original,
    /// A Byzantine key's copy in world B.
    Twin,
}

#[derive(Default)]
struct Slot {
    a: Option<Hash>,
    b: Option<Hash>,
    /// Honest validators on side A (the others are on side B).
    validators_a: BTreeSet<usize>,
    /// Honest ratifiers on side A.
    ratifiers_a: BTreeSet<usize>,
    model_event: bool,
    feasible: bool,
}

/// The adversary's state: the attacked slots, and what their committees allowed.
#[derive(Default)]
pub struct SplitAdversary {
    slots: BTreeMap<(u64, u8), Slot>,
    /// Rounds after an attacked slot during which its sides are kept apart.
    hold_rounds: u64,
    /// Iterations of each held round the sides are cut apart (see the module docs).
    window: Option<u8>,
    /// Round of an attacked slot → its iteration and the honest nodes of side A held apart
    /// after it.
    holds: BTreeMap<u64, (u8, BTreeSet<usize>)>,
    /// With a window: the held slots that ended in two conflicting attestations of PNI 0, as
    /// (round, honest nodes on side A) (see [`SplitAdversary::on_conflict`]).
    pub window_trials: Vec<(u64, u64)>,
    /// Slots a Byzantine key generated in: at least one of its copies sent a candidate. A
    /// copy proposes as it enters the iteration, before anything of the slot's committees has
    /// acted, so these slots are drawn independently of their committees: the model's event is
    /// counted over them. (The exception, a copy entering the iteration by the iteration
    /// catch-up, which needs votes of that slot's committees, was measured negligible: 5 of
    /// 10,712 and 8 of 17,153 generated slots in the README's traces.)
    pub generated: u64,
    /// Generated slots whose committees met the model's equivocation event in both steps:
    /// `2B + H ≥ 2q` (`B`, `H`: the Byzantine and honest credits drawn, `q` the supermajority).
    pub model_events: u64,
    /// Slots where both candidates were sent.
    pub attacks: u64,
    /// Attacked slots whose committees met the model's event. Not a sample of the model's
    /// law: the second copy proposes only if it reaches the iteration before its round ends
    /// for it, which depends on how the first copy's candidate fared, that is on this slot's
    /// committees (see [`SplitAdversary::on_candidate`]).
    pub attacked_model_events: u64,
    /// Attacked slots where the adversary's split gave both sides a quorum in both steps:
    /// `B + H_side ≥ q` for each side (the honest credits come in lumps, one per node, so this
    /// is rarer than the model's event).
    pub feasible_splits: u64,
    /// Holds started (attacked slots outside a running hold, with `hold_rounds > 0`).
    pub holds_started: u64,
}

/// Honest nodes of balanced credits on side A: largest first, each to the lighter side.
fn balanced(credits: &[(usize, u32)]) -> BTreeSet<usize> {
    let mut sorted = credits.to_vec();
    sorted.sort_by_key(|(i, c)| (std::cmp::Reverse(*c), *i));
    let (mut a, mut b) = (0u32, 0u32);
    let mut side_a = BTreeSet::new();
    for (i, c) in sorted {
        if a <= b {
            a += c;
            side_a.insert(i);
        } else {
            b += c;
        }
    }
    side_a
}

impl SplitAdversary {
    /// An adversary that keeps the sides of an attacked slot apart for `hold_rounds` rounds
    /// after it (0: the attacked slot only).
    pub fn holding(hold_rounds: u64) -> Self {
        SplitAdversary {
            hold_rounds,
            ..SplitAdversary::default()
        }
    }

    /// The same cutting the sides apart in the first `window` iterations of each held round
    /// only, its copies silent after them (`None`: delayed for the whole round).
    pub fn with_window(self, window: Option<u8>) -> Self {
        SplitAdversary { window, ..self }
    }

    /// Side A's honest nodes held apart for a message of `round`, if a hold covers it.
    fn hold_for(&self, round: u64) -> Option<&BTreeSet<usize>> {
        if self.hold_rounds == 0 {
            return None;
        }
        self.holds
            .range(round.saturating_sub(self.hold_rounds)..round)
            .next_back()
            .map(|(_, (_, side_a))| side_a)
    }

    /// Honest nodes accepted two different blocks in slot `(round, iteration)`, both of PNI 0
    /// when `pni_zero`. With a window, a hold that this slot started counts as a trial of the
    /// second win (the first win is these two attestations).
    pub fn on_conflict(&mut self, (round, iteration): (u64, u8), pni_zero: bool) {
        if self.window.is_none() || !pni_zero {
            return;
        }
        if let Some((slot_iteration, side_a)) = self.holds.get(&round)
            && *slot_iteration == iteration
        {
            self.window_trials.push((round, side_a.len() as u64));
        }
    }

    /// A Byzantine copy (`role`) broadcast candidate `hash` for `(round, iteration)`;
    /// `sortition` is that round's, `honest` the honest nodes' signers by index.
    /// `byzantine` are the adversary's keys (one copy each).
    ///
    /// The first candidate of a slot makes it *generated* and draws its committees' event;
    /// the second makes it *attacked*. Whether the second comes depends on the slot's
    /// committees: a twin gets no votes outside attacked slots, so it moves through
    /// iterations on its timeouts alone and often lags the others; it proposes only if it
    /// reaches the iteration before a block ends its round. With a window, the first
    /// candidate's block reaches the other copy [`WINDOW_BLOCK_DELAY`] late, so when the
    /// committees let side A decide it (more Byzantine credits: the model's event more
    /// likely) the round ends late for the lagging copy, which then proposes too; when they
    /// do not, an honest block of a later iteration ends the round for it at once, and it
    /// never proposes. Without a window that block reaches it at once and the selection
    /// goes the other way. So attacked slots are a selected sample and the model's event is
    /// counted over generated slots.
    pub fn on_candidate(
        &mut self,
        role: Role,
        (round, iteration): (u64, u8),
        hash: Hash,
        sortition: impl FnOnce() -> Sortition,
        honest: &[(usize, &dyn Signer)],
        byzantine: &[&dyn Signer],
    ) {
        let (mut model_event, mut feasible) = (true, true);
        // Inside a hold, an attacked slot starts no new one: the hold's sides are the
        // branches that matter, and it ends `hold_rounds` rounds after the slot that began it.
        let held = self.hold_for(round).is_some().then_some(());
        let slot = self.slots.entry((round, iteration)).or_insert_with(|| {
            let mut sortition = sortition();
            let mut side = |step: Step| {
                let credits: Vec<(usize, u32)> = honest
                    .iter()
                    .map(|(i, s)| (*i, sortition.own_credits(*s, iteration, step).0))
                    .collect();
                let b: u32 = byzantine
                    .iter()
                    .map(|s| sortition.own_credits(*s, iteration, step).0)
                    .sum();
                let q = sortition.thresholds(step).supermajority;
                let side_a = balanced(&credits);
                let h_a: u32 = credits
                    .iter()
                    .filter(|(i, _)| side_a.contains(i))
                    .map(|(_, c)| c)
                    .sum();
                let h: u32 = credits.iter().map(|(_, c)| c).sum();
                model_event &= 2 * b + h >= 2 * q;
                feasible &= b + h_a >= q && b + (h - h_a) >= q;
                side_a
            };
            Slot {
                validators_a: side(Step::Validation),
                ratifiers_a: side(Step::Ratification),
                ..Slot::default()
            }
        });
        let both = slot.a.is_some() && slot.b.is_some();
        if both {
            (model_event, feasible) = (slot.model_event, slot.feasible);
        } else if slot.a.is_none() && slot.b.is_none() {
            slot.model_event = model_event;
            slot.feasible = feasible;
            self.generated += 1;
            self.model_events += u64::from(model_event);
        } else {
            (model_event, feasible) = (slot.model_event, slot.feasible);
        }
        match role {
            Role::Original => slot.a = Some(hash),
            Role::Twin => slot.b = Some(hash),
            Role::Honest => {}
        }
        if !both && slot.a.is_some() && slot.b.is_some() {
            if self.hold_rounds > 0 && held.is_none() {
                self.holds
                    .insert(round, (iteration, slot.validators_a.clone()));
                self.holds_started += 1;
                while self.holds.len() > 1_024 {
                    self.holds.pop_first();
                }
            }
            self.attacks += 1;
            self.attacked_model_events += u64::from(model_event);
            self.feasible_splits += u64::from(feasible);
        }
        // Attacked slots are kept for a while (late messages still need routing).
        while self.slots.len() > 1_024 {
            self.slots.pop_first();
        }
    }

    /// Routes `message` from node `from` (with its role) to node `to` of role `to_role`.
    pub fn route(
        &self,
        (from, from_node): (Role, usize),
        to: usize,
        to_role: Role,
        message: &Message,
    ) -> Route {
        let (key, value, validation_vote) = match message {
            Message::Candidate(c) => ((c.header.height, c.header.iteration), Some(c.hash()), false),
            Message::Vote(v) => {
                let value = match v.value {
                    VoteValue::Valid(h) | VoteValue::Invalid(h) => Some(h),
                    _ => None,
                };
                (
                    (v.header.round, v.header.iteration),
                    value,
                    v.header.step == Step::Validation,
                )
            }
            Message::Block(b) => (
                (b.header().height, b.header().iteration),
                Some(b.hash()),
                false,
            ),
            Message::FailQuorum(q) => ((q.round, q.iteration), None, false),
            Message::GetBlocks { .. } => {
                return Route::Normal;
            }
        };
        if let Some(side_a) = self.hold_for(key.0) {
            let side = |role: Role, node: usize| match role {
                Role::Original => true,
                Role::Twin => false,
                Role::Honest => side_a.contains(&node),
            };
            let same = side(from, from_node) == side(to_role, to);
            let block = matches!(message, Message::Block(_));
            let honest = from == Role::Honest && to_role == Role::Honest;
            if let Some(window) = self.window {
                return if key.1 >= window {
                    // Past the window the adversary is silent.
                    if from != Role::Honest && !block {
                        Route::Drop
                    } else {
                        Route::Normal
                    }
                } else if same {
                    Route::Normal
                } else if block && honest {
                    Route::Delay(WINDOW_BLOCK_DELAY)
                } else {
                    Route::Drop
                };
            }
            return if same {
                Route::Normal
            } else if honest {
                Route::Delay(CROSS_DELAY)
            } else {
                Route::Drop
            };
        }
        let twin_involved = from == Role::Twin || to_role == Role::Twin;
        if self.window.is_some()
            && to_role != Role::Honest
            && let (Message::Block(_), Some(slot), Some(h)) = (message, self.slots.get(&key), value)
        {
            // The window adversary keeps each copy on its world's block of an attacked slot
            // (the other one comes late, as to the honest nodes of the other side): its
            // twin must hold `b` to help side B in the next round.
            let other_world = (to_role == Role::Original && Some(h) == slot.b)
                || (to_role == Role::Twin && Some(h) == slot.a);
            if other_world {
                return Route::Delay(WINDOW_BLOCK_DELAY);
            }
        }
        if to_role != Role::Honest && matches!(message, Message::Block(_)) {
            // Both copies follow every decided block (the slot's voting is over).
            return Route::Normal;
        }
        let Some(slot) = self.slots.get(&key) else {
            // Outside attacked slots a twin only follows the blocks.
            let block = matches!(message, Message::Block(_));
            return if twin_involved && !block {
                Route::Drop
            } else {
                Route::Normal
            };
        };
        let side_a = match value {
            Some(h) if Some(h) == slot.a => true,
            Some(h) if Some(h) == slot.b => false,
            _ => {
                return if twin_involved {
                    Route::Drop
                } else {
                    Route::Normal
                };
            }
        };
        match to_role {
            Role::Original if !side_a => Route::Drop,
            Role::Twin if side_a => Route::Drop,
            Role::Original | Role::Twin => Route::Normal,
            Role::Honest => {
                let sides = if validation_vote {
                    &slot.ratifiers_a
                } else {
                    &slot.validators_a
                };
                if sides.contains(&to) == side_a {
                    Route::Normal
                } else if self.window.is_some() && matches!(message, Message::Block(_)) {
                    Route::Delay(WINDOW_BLOCK_DELAY)
                } else {
                    Route::Delay(CROSS_DELAY)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_sides_differ_by_at_most_the_largest_member() {
        let credits = [(0, 9), (1, 7), (2, 6), (3, 5), (4, 3), (5, 0)];
        let a = balanced(&credits);
        let sum = |inside: bool| -> u32 {
            credits
                .iter()
                .filter(|(i, _)| a.contains(i) == inside)
                .map(|(_, c)| c)
                .sum()
        };
        assert_eq!(sum(true) + sum(false), 30);
        assert!(sum(true).abs_diff(sum(false)) <= 9);
    }
}
