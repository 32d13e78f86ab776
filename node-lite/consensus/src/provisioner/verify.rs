//! Checking candidates and attestations against the sortition of their round.

use super::Provisioner;
use crate::committee::Sortition;
use crate::config::{MAX_FAILED_ATTESTATIONS, MAX_FAULTS_PER_BLOCK};
use crate::error::MessageError;
use crate::message::{candidate_header, signing_bytes, vote_header};
use crate::types::{Attestation, Block, Candidate, Hash, VoteValue, hash_of};
use genesis_types::BlsSignature;
use genesis_types::committee::seed_message;
use genesis_types::stake::{Step, vote_message};

/// How far a candidate's timestamp may be ahead of the receiver's clock, ms (Rusk: 3 s).
pub const MAX_TIMESTAMP_DRIFT: u64 = 3_000;

impl Provisioner {
    /// Checks an attestation of iteration `iteration` of `sortition`'s round, on `prev`.
    pub(super) fn verify_attestation(
        &self,
        sortition: &mut Sortition,
        iteration: u8,
        prev: &Hash,
        attestation: &Attestation,
    ) -> Result<(), MessageError> {
        let round = sortition.round();
        let value = &attestation.result;
        if *value != VoteValue::NoQuorum {
            let message = signing_bytes(&vote_header(
                round,
                iteration,
                Step::Validation,
                prev,
                value,
            ));
            sortition.verify_step_votes(
                self.crypto.as_ref(),
                iteration,
                Step::Validation,
                value,
                &message,
                &attestation.validation,
            )?;
        }
        let message = signing_bytes(&vote_header(
            round,
            iteration,
            Step::Ratification,
            prev,
            value,
        ));
        sortition.verify_step_votes(
            self.crypto.as_ref(),
            iteration,
            Step::Ratification,
            value,
            &message,
            &attestation.ratification,
        )?;
        Ok(())
    }

    /// Checks a candidate built on `parent` (the sortition is its round's); returns its PNI
    /// (iteration minus valid fail attestations).
    pub(super) fn verify_candidate(
        &self,
        sortition: &mut Sortition,
        parent: &Block,
        candidate: &Candidate,
    ) -> Result<u16, MessageError> {
        let h = &candidate.header;
        let p = parent.header();
        if h.height != p.height + 1 || h.prev_hash != parent.hash() {
            return Err(MessageError::WrongParent);
        }
        if h.iteration >= self.config.max_iterations {
            return Err(MessageError::IterationOutOfRange(h.iteration));
        }
        if sortition.generator(h.iteration) != Some(h.generator) {
            return Err(MessageError::NotAMember(Step::Proposal));
        }
        let hash = h.hash();
        let crypto = self.crypto.as_ref();
        // The candidate's signature and its seed are by one key: checked together (one
        // pairing check for BLS); when that fails, each alone, for the error.
        let signed = signing_bytes(&candidate_header(h.height, h.iteration, &hash));
        let seed_signed = seed_message(&p.seed);
        let seed = BlsSignature(h.seed.0);
        if !crypto.verify_all(&[
            (&h.generator, &signed, &candidate.signature),
            (&h.generator, &seed_signed, &seed),
        ]) {
            if !crypto.verify(&h.generator, &signed, &candidate.signature) {
                return Err(MessageError::BadSignature("candidate"));
            }
            if !crypto.verify(&h.generator, &seed_signed, &seed) {
                return Err(MessageError::BadSignature("seed"));
            }
        }
        if h.timestamp < p.timestamp.saturating_add(self.config.min_block_time) {
            return Err(MessageError::BadHeader(
                "timestamp before the minimum block time",
            ));
        }
        if h.tx_root != hash_of(&candidate.txs) {
            return Err(MessageError::BadHeader("transaction root"));
        }
        if candidate.faults.len() > MAX_FAULTS_PER_BLOCK
            || h.fault_root != hash_of(&candidate.faults)
        {
            return Err(MessageError::BadHeader("faults"));
        }
        for fault in &candidate.faults {
            let ok = fault.conflicts()
                && crypto.verify_all(&[
                    (
                        &fault.key,
                        &vote_message(&fault.first.header),
                        &fault.first.signature,
                    ),
                    (
                        &fault.key,
                        &vote_message(&fault.second.header),
                        &fault.second.signature,
                    ),
                ]);
            if !ok {
                return Err(MessageError::BadHeader("fault proof"));
            }
        }
        match (&h.prev_attestation, p.height) {
            (None, 0) => {}
            (Some(att), _) if p.height > 0 => {
                if *att != parent.attestation {
                    if att.result != VoteValue::Valid(parent.hash()) {
                        return Err(MessageError::BadHeader("previous attestation"));
                    }
                    let mut parent_sortition = self.sortition_of(parent)?;
                    self.verify_attestation(&mut parent_sortition, p.iteration, &p.prev_hash, att)?;
                }
            }
            _ => return Err(MessageError::BadHeader("previous attestation")),
        }
        let listed = usize::from(h.iteration).min(MAX_FAILED_ATTESTATIONS);
        if h.failed_iterations.len() > listed {
            return Err(MessageError::BadHeader("too many failed iterations"));
        }
        let mut attested: u16 = 0;
        for (i, entry) in h.failed_iterations.iter().enumerate() {
            if let Some(att) = entry {
                if att.result.is_success() {
                    return Err(MessageError::BadHeader("a failed iteration with a success"));
                }
                self.verify_attestation(sortition, i as u8, &h.prev_hash, att)?;
                attested += 1;
            }
        }
        Ok(u16::from(h.iteration) - attested)
    }

    /// The sortition of the round that decided `block`, from its own parent: on the chain or
    /// on another branch this node keeps. A block of another branch has a different
    /// grandparent than the chain's, so its attestation must not be checked against the
    /// committees of the chain's round at that height (they refused every child of such a
    /// block whose header carried another aggregate of its attestation, so a node never
    /// rejoined a branch the others had finalized: split adversary, `--hold 2`, seed 40).
    pub(super) fn sortition_of(&self, block: &Block) -> Result<Sortition, MessageError> {
        let h = block.header();
        let below = h.height.checked_sub(1).ok_or(MessageError::UnknownParent)?;
        if let Some(entry) = self.chain.get(below)
            && entry.hash == h.prev_hash
        {
            return Ok(self.sortition_after(&entry.block));
        }
        match self.alternatives.get(&(below, h.prev_hash)) {
            Some((grandparent, _)) => Ok(self.sortition_after(grandparent)),
            None => Err(MessageError::UnknownParent),
        }
    }

    /// The sortition of the round that decided the block at `height` (needs its parent).
    /// The sortition of the round after `parent` (whichever branch it is on).
    pub(super) fn sortition_after(&self, parent: &Block) -> Sortition {
        Sortition::new(self.eligibility.as_ref(), parent.header())
    }

    pub(super) fn sortition_for(&self, height: u64) -> Result<Sortition, MessageError> {
        if let Some(round) = &self.round
            && round.number == height
        {
            return Ok(Sortition::new(
                self.eligibility.as_ref(),
                round.tip.header(),
            ));
        }
        let parent = self
            .chain
            .get(height.checked_sub(1).ok_or(MessageError::UnknownParent)?)
            .ok_or(MessageError::UnknownParent)?;
        Ok(Sortition::new(
            self.eligibility.as_ref(),
            parent.block.header(),
        ))
    }
}
