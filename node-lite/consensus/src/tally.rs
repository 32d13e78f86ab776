//! Counting one step's votes: credits per value, the first vote of each voter (a second,
//! different one is an equivocation), and the step votes once a value reaches its quorum.

use crate::bitset::Bitset;
use crate::crypto::Crypto;
use crate::message::Vote;
use crate::types::{StepVotes, VoteValue};
use genesis_types::BlsSignature;
use genesis_types::stake::{Equivocation, SignedVote};
use std::collections::BTreeMap;

#[derive(Default)]
struct ValueTally {
    credits: u32,
    /// Bitset position → (vote signature, VRF proof).
    votes: BTreeMap<usize, (BlsSignature, Option<BlsSignature>)>,
    /// Ratification: the validation step votes carried by the first vote for this value.
    validation: Option<StepVotes>,
}

/// What adding a vote did.
#[derive(Debug)]
pub enum Added {
    /// Counted; no quorum yet (or already reached).
    Counted,
    /// The voter already voted the same.
    Duplicate,
    /// The voter already voted something else: the proof; the vote is not counted.
    Equivocation(Box<Equivocation>),
    /// This vote completed a quorum for the value.
    Quorum(VoteValue, StepVotes),
}

/// One step's votes.
#[derive(Default)]
pub struct Tally {
    by_value: BTreeMap<VoteValue, ValueTally>,
    first: BTreeMap<genesis_types::BlsPublicKey, SignedVote>,
    reached: Option<VoteValue>,
}

impl Tally {
    /// Adds a checked vote worth `credits` at bitset `position`; `needed` is its value's quorum.
    pub fn add(
        &mut self,
        crypto: &dyn Crypto,
        vote: &Vote,
        credits: u32,
        position: usize,
        needed: u32,
    ) -> Added {
        if let Some(first) = self.first.get(&vote.voter) {
            if first.header.payload == vote.header.payload {
                return Added::Duplicate;
            }
            return Added::Equivocation(Box::new(Equivocation {
                key: vote.voter,
                first: *first,
                second: vote.signed(),
            }));
        }
        self.first.insert(vote.voter, vote.signed());
        let tally = self.by_value.entry(vote.value).or_default();
        tally.credits = tally.credits.saturating_add(credits);
        tally.votes.insert(position, (vote.signature, vote.proof));
        if tally.validation.is_none() {
            tally.validation.clone_from(&vote.validation);
        }
        if self.reached.is_none() && tally.credits >= needed {
            let signatures: Vec<_> = tally.votes.values().map(|(s, _)| *s).collect();
            let Some(aggregate) = crypto.aggregate(&signatures) else {
                return Added::Counted;
            };
            let mut voters = Bitset::default();
            for p in tally.votes.keys() {
                voters.insert(*p);
            }
            let proofs = tally.votes.values().filter_map(|(_, p)| *p).collect();
            self.reached = Some(vote.value);
            return Added::Quorum(
                vote.value,
                StepVotes {
                    voters,
                    aggregate,
                    proofs,
                },
            );
        }
        Added::Counted
    }

    /// The validation step votes carried by ratification votes for `value`.
    pub fn carried_validation(&self, value: &VoteValue) -> Option<&StepVotes> {
        self.by_value.get(value).and_then(|t| t.validation.as_ref())
    }

    /// Credits counted over all values (distinct voters).
    pub fn total_credits(&self) -> u32 {
        self.by_value.values().map(|t| t.credits).sum()
    }
}
