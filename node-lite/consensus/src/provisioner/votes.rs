//! Votes and fail quorums: checking them, counting them, and what a quorum does.

use super::Provisioner;
use crate::committee::needed;
use crate::config::{MAX_BUFFERED_MESSAGES, MAX_ROUND_DISTANCE};
use crate::error::MessageError;
use crate::io::PeerId;
use crate::message::{FailQuorum, Message, Vote, signing_bytes, vote_header};
use crate::tally::Added;
use crate::types::{Attestation, StepVotes, VoteValue, hash_of};
use genesis_types::committee::Mode;
use genesis_types::sortition::majority;
use genesis_types::stake::Step;
use std::sync::Arc;

impl Provisioner {
    /// Keeps a message of a later round for when the node gets there, and asks the sender for
    /// the blocks in between.
    pub(super) fn defer(
        &mut self,
        from: PeerId,
        message: &Arc<Message>,
        round: u64,
    ) -> Result<(), MessageError> {
        let current = self.round().number;
        if round > current + MAX_ROUND_DISTANCE {
            return Err(MessageError::WrongRound {
                got: round,
                current,
            });
        }
        if self.future_len < MAX_BUFFERED_MESSAGES {
            self.future
                .entry(round)
                .or_default()
                .push((from, message.clone()));
            self.future_len += 1;
        }
        self.request_sync(from);
        Ok(())
    }

    /// Whether a message of `round` over `prev_hash` is for the current round (`false`: a
    /// later one). A message of the current round over another parent means the sender is on
    /// another branch: the node asks it for its blocks above the last final one, so that the
    /// fork choice can settle which branch both follow (nodes stalled on two branches exchange
    /// only votes each refuses, and no block would ever be sent again: twin seed 2022).
    fn check_round(
        &mut self,
        from: PeerId,
        round: u64,
        prev_hash: &[u8; 32],
    ) -> Result<bool, MessageError> {
        let r = self.round();
        if round < r.number {
            return Err(MessageError::WrongRound {
                got: round,
                current: r.number,
            });
        }
        if round > r.number {
            return Ok(false);
        }
        if *prev_hash != r.tip_hash {
            self.diverged = true;
            self.request_sync(from);
            return Err(MessageError::WrongParent);
        }
        Ok(true)
    }

    pub(super) fn on_vote(
        &mut self,
        from: PeerId,
        message: &Arc<Message>,
        vote: &Vote,
    ) -> Result<(), MessageError> {
        let h = vote.header;
        if !self.check_round(from, h.round, &vote.prev_hash)? {
            return self.defer(from, message, h.round);
        }
        if h.iteration >= self.config.max_iterations {
            return Err(MessageError::IterationOutOfRange(h.iteration));
        }
        let allowed = match (h.step, &vote.value) {
            (Step::Proposal, _) => false,
            (Step::Validation, VoteValue::NoQuorum) => false,
            (Step::Validation, _) => vote.validation.is_none(),
            (Step::Ratification, VoteValue::NoQuorum) => vote.validation.is_none(),
            (Step::Ratification, _) => vote.validation.is_some(),
        };
        let expected = vote_header(h.round, h.iteration, h.step, &vote.prev_hash, &vote.value);
        if !allowed || expected != h {
            return Err(MessageError::WrongStep(h.step));
        }
        let crypto = self.crypto.clone();
        let round = self.round();
        let signed = signing_bytes(&h);
        // A private-mode vote's VRF proof and signature are by one key: checked together
        // (one pairing check for BLS). When that fails, each is checked alone below, so the
        // error names the one at fault, in the order a vote is checked.
        let checked = match &vote.proof {
            Some(proof)
                if round.sortition.mode() == Mode::Private
                    && round.sortition.has_lots(&vote.voter) =>
            {
                let sortition = round.sortition.sortition_message(h.iteration, h.step);
                crypto.verify_all(&[
                    (&vote.voter, &sortition, proof),
                    (&vote.voter, &signed, &vote.signature),
                ])
            }
            _ => false,
        };
        let (credits, position) = round.sortition.credits_of_checked(
            crypto.as_ref(),
            &vote.voter,
            h.iteration,
            h.step,
            vote.proof.as_ref(),
            checked,
        )?;
        if !checked && !crypto.verify(&vote.voter, &signed, &vote.signature) {
            return Err(MessageError::BadSignature("vote"));
        }
        if let Some(carried) = &vote.validation {
            // Already holding a checked validation quorum for this value justifies the vote;
            // otherwise its carried step votes must (every voter aggregates its own subset,
            // so checking each would cost a full verification per ratification vote).
            let known = self
                .round()
                .iterations
                .get(&h.iteration)
                .and_then(|s| s.validation_result.as_ref())
                .is_some_and(|(value, _)| *value == vote.value);
            if !known {
                self.check_step_votes(h.iteration, Step::Validation, &vote.value, carried)?;
                self.validation_decided(h.iteration, vote.value, carried.clone());
            }
        }
        if self.awaiting.is_some() || self.round().number != h.round {
            // The carried validation votes completed the round (this node's own ratification
            // vote made the quorum): the vote belongs to a round that is over.
            return Ok(());
        }
        let thresholds = self.round().sortition.thresholds(h.step);
        let need = needed(&thresholds, &vote.value);
        let round = self.round();
        let state = round.iterations.entry(h.iteration).or_default();
        let tally = match h.step {
            Step::Validation => &mut state.validation,
            _ => &mut state.ratification,
        };
        match tally.add(crypto.as_ref(), vote, credits, position, need) {
            Added::Duplicate => return Err(MessageError::Duplicate),
            Added::Equivocation(fault) => {
                self.record_fault(*fault);
                return Ok(());
            }
            Added::Counted => {}
            Added::Quorum(value, votes) => match h.step {
                Step::Validation => self.validation_decided(h.iteration, value, votes),
                _ => self.ratification_decided(h.iteration, value, votes),
            },
        }
        self.maybe_jump(h.round, h.iteration);
        Ok(())
    }

    /// Verifies step votes once per round (ratification votes repeat the same ones).
    fn check_step_votes(
        &mut self,
        iteration: u8,
        step: Step,
        value: &VoteValue,
        votes: &StepVotes,
    ) -> Result<(), MessageError> {
        let crypto = self.crypto.clone();
        let round = self.round();
        let digest = hash_of(&(iteration, step as u8, *value, votes.clone()));
        if round.verified.contains(&digest) {
            return Ok(());
        }
        let message = signing_bytes(&vote_header(
            round.number,
            iteration,
            step,
            &round.tip_hash,
            value,
        ));
        round.sortition.verify_step_votes(
            crypto.as_ref(),
            iteration,
            step,
            value,
            &message,
            votes,
        )?;
        round.verified.insert(digest);
        Ok(())
    }

    fn validation_decided(&mut self, iteration: u8, value: VoteValue, votes: StepVotes) {
        let round = self.round();
        let state = round.iterations.entry(iteration).or_default();
        if state.validation_result.is_some() {
            return;
        }
        state.validation_result = Some((value, votes));
        if round.iteration == iteration && round.step != Step::Ratification {
            if round.step == Step::Proposal {
                // The proposal step is over for this node too.
                round.step = Step::Validation;
            }
            self.enter_ratification(false);
        }
    }

    fn ratification_decided(&mut self, iteration: u8, value: VoteValue, votes: StepVotes) {
        let round = self.round();
        let state = round.iterations.entry(iteration).or_default();
        let own = state
            .validation_result
            .as_ref()
            .filter(|(v, _)| *v == value)
            .map(|(_, votes)| votes.clone());
        let validation = if value == VoteValue::NoQuorum {
            StepVotes::empty()
        } else if let Some(own) = own {
            own
        } else {
            match state.ratification.carried_validation(&value) {
                Some(v) => v.clone(),
                None => return,
            }
        };
        let attestation = Attestation {
            result: value,
            validation,
            ratification: votes,
        };
        if value.is_success() {
            state.success = Some(attestation);
            self.try_complete(iteration);
        } else {
            let message = Arc::new(Message::FailQuorum(FailQuorum {
                round: round.number,
                iteration,
                prev_hash: round.tip_hash,
                attestation: attestation.clone(),
            }));
            self.emit(crate::io::Output::Broadcast(message));
            self.iteration_failed(iteration, attestation);
        }
    }

    fn iteration_failed(&mut self, iteration: u8, attestation: Attestation) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        let state = round.iterations.entry(iteration).or_default();
        if state.fail.is_some() {
            return;
        }
        state.fail = Some(attestation);
        if round.step == Step::Ratification && round.iteration == iteration {
            let duration = self.now.saturating_sub(self.round().step_started);
            self.timeouts.succeeded(Step::Ratification, duration);
        }
        if self.round().iteration <= iteration && !self.is_last(iteration) {
            self.enter_iteration(iteration + 1);
        }
    }

    pub(super) fn on_fail_quorum(
        &mut self,
        from: PeerId,
        message: &Arc<Message>,
        quorum: &FailQuorum,
    ) -> Result<(), MessageError> {
        if !self.check_round(from, quorum.round, &quorum.prev_hash)? {
            return self.defer(from, message, quorum.round);
        }
        let (iteration, att) = (quorum.iteration, &quorum.attestation);
        if iteration >= self.config.max_iterations {
            return Err(MessageError::IterationOutOfRange(iteration));
        }
        if att.result.is_success() {
            return Err(MessageError::WrongStep(Step::Ratification));
        }
        if self
            .round()
            .iterations
            .get(&iteration)
            .is_some_and(|s| s.fail.is_some())
        {
            return Err(MessageError::Duplicate);
        }
        if att.result != VoteValue::NoQuorum {
            self.check_step_votes(iteration, Step::Validation, &att.result, &att.validation)?;
        }
        self.check_step_votes(
            iteration,
            Step::Ratification,
            &att.result,
            &att.ratification,
        )?;
        self.iteration_failed(iteration, att.clone());
        Ok(())
    }

    /// A node left behind in iterations (after a partition) joins a later iteration of its
    /// round once it has seen valid votes worth a majority of a committee there.
    fn maybe_jump(&mut self, number: u64, iteration: u8) {
        if self.awaiting.is_some() {
            return;
        }
        let round = self.round();
        if number != round.number || iteration <= round.iteration {
            return;
        }
        let Some(state) = round.iterations.get(&iteration) else {
            return;
        };
        let seen = state
            .validation
            .total_credits()
            .max(state.ratification.total_credits());
        let need = majority(round.sortition.thresholds(Step::Validation).committee);
        if seen >= need {
            self.enter_iteration(iteration);
        }
    }
}
