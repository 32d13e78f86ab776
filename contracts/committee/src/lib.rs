//! `committee`: who may propose and vote in a slot (round, iteration, step), drawn from the
//! stake contract's eligible set, in private (default) or public mode; and seed chaining.
//! The math is `genesis_types::sortition`, the same source the node runs natively; the rules
//! and formulas are in `contracts/README.md`.
//!
//! Entry points (a `Result` error is a [`CommitteeError`]):
//!
//! | entry point | mode | what |
//! |---|---|---|
//! | `init(CommitteeParams)` | — | protocol only, once |
//! | `verify_membership(MembershipClaim) -> Membership` | private | verify a provisioner's VRF proof for the slot and return its credits (0 = not a member) and priority |
//! | `committee(seed, round, iteration, step) -> Vec<Member>` | public | the whole committee of the slot |
//! | `generator(seed, round, iteration) -> Option<BlsPublicKey>` | public | the slot's block generator |
//! | `next_seed(previous, generator, signature) -> Seed` | both | verify the generator's signature over the previous seed; it is the next seed |
//! | `thresholds(step) -> Thresholds` | both | the step's (expected) committee credits, supermajority and majority |
//! | `params_of() -> CommitteeParams` | both | the parameters |
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;
use genesis_types::committee::{
    CommitteeError, CommitteeParams, Member, Membership, MembershipClaim, Mode, Thresholds,
    seed_message, sortition_message,
};
use genesis_types::sortition::{
    lots, lots_of, majority, private_credits, public_committee, public_generator, supermajority,
};
use genesis_types::stake::{Eligible, Step};
use genesis_types::{BlsPublicKey, BlsSignature, Seed};
use host_api::Address;
use host_api::guest::calls::call;
use host_api::guest::crypto::bls_verify;
use host_api::guest::storage::Item;
use host_api::guest::{blake2b_256, caller};

/// The genesis parameters.
const PARAMS: Item<CommitteeParams> = Item::new(b"params");

fn params() -> Result<CommitteeParams, CommitteeError> {
    PARAMS.get().ok_or(CommitteeError::NotInitialized)
}

fn require_mode(p: &CommitteeParams, mode: Mode) -> Result<(), CommitteeError> {
    if p.mode == mode {
        Ok(())
    } else {
        Err(CommitteeError::WrongMode)
    }
}

/// The eligible set of the round's epoch, from the stake contract.
fn eligible_set(p: &CommitteeParams, round: u64) -> Result<Vec<Eligible>, CommitteeError> {
    call::<_, Vec<Eligible>>(p.stake, "eligible_set", &round, 0)
        .map_err(|_| CommitteeError::StakeUnavailable)
}

/// Host-only: set the genesis parameters, once.
#[host_api::entry]
pub fn init(params: CommitteeParams) -> Result<(), CommitteeError> {
    if caller() != Address::PROTOCOL {
        return Err(CommitteeError::ProtocolOnly);
    }
    if PARAMS.get().is_some() {
        return Err(CommitteeError::AlreadyInitialized);
    }
    if !params.is_valid() {
        return Err(CommitteeError::InvalidParams);
    }
    PARAMS.set(&params);
    Ok(())
}

/// The parameters.
#[host_api::entry]
pub fn params_of() -> Result<CommitteeParams, CommitteeError> {
    params()
}

/// Private mode: check `claim.proof` (the key's BLS signature over the slot's sortition
/// message) and return the key's credits in the slot, drawn from the proof's hash and the
/// key's share of the lots. `NotEligible` if the key has no active stake in the round's epoch.
#[host_api::entry]
pub fn verify_membership(claim: MembershipClaim) -> Result<Membership, CommitteeError> {
    let p = params()?;
    require_mode(&p, Mode::Private)?;
    let message = sortition_message(&claim.seed, claim.round, claim.iteration, claim.step);
    if !bls_verify(&claim.key.0, &message, &claim.proof.0) {
        return Err(CommitteeError::BadProof);
    }
    let set = eligible_set(&p, claim.round)?;
    let mine = set
        .iter()
        .find(|e| e.key == claim.key)
        .ok_or(CommitteeError::NotEligible)?;
    let total_lots = set
        .iter()
        .fold(0u64, |n, e| n.saturating_add(lots(e.weight, p.credit_unit)));
    let priority = blake2b_256(&claim.proof.0);
    let credits = private_credits(
        &priority,
        lots(mine.weight, p.credit_unit),
        total_lots,
        p.credits(claim.step),
    );
    Ok(Membership { credits, priority })
}

/// Public mode: the committee of a slot, sorted by key (voting steps exclude the generators of
/// this iteration and the next).
#[host_api::entry]
pub fn committee(
    seed: Seed,
    round: u64,
    iteration: u8,
    step: Step,
) -> Result<Vec<Member>, CommitteeError> {
    let p = params()?;
    require_mode(&p, Mode::Public)?;
    let set = eligible_set(&p, round)?;
    let mut hash = |m: &[u8]| blake2b_256(m);
    Ok(public_committee(
        &mut hash,
        &p,
        &seed,
        (round, iteration, step),
        &set,
    ))
}

/// Public mode: the block generator of `(round, iteration)`, if anyone is eligible.
#[host_api::entry]
pub fn generator(
    seed: Seed,
    round: u64,
    iteration: u8,
) -> Result<Option<BlsPublicKey>, CommitteeError> {
    let p = params()?;
    require_mode(&p, Mode::Public)?;
    let set = eligible_set(&p, round)?;
    let mut hash = |m: &[u8]| blake2b_256(m);
    Ok(public_generator(
        &mut hash,
        &seed,
        (round, iteration),
        &lots_of(&set, p.credit_unit),
    ))
}

/// Verify that `signature` is `generator`'s signature over `seed_message(previous)`; it is
/// then the next seed.
#[host_api::entry]
pub fn next_seed(
    previous: Seed,
    generator: BlsPublicKey,
    signature: BlsSignature,
) -> Result<Seed, CommitteeError> {
    if !bls_verify(&generator.0, &seed_message(&previous), &signature.0) {
        return Err(CommitteeError::BadSeedSignature);
    }
    Ok(Seed::from(signature))
}

/// The step's committee credits (public) or expected credits (private) and the votes that
/// decide it.
#[host_api::entry]
pub fn thresholds(step: Step) -> Result<Thresholds, CommitteeError> {
    let committee = params()?.credits(step);
    Ok(Thresholds {
        committee,
        supermajority: supermajority(committee),
        majority: majority(committee),
    })
}
