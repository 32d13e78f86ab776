//! `stake`: provisioners lock native tokens (held by `transfer`) for eligibility windows; the
//! protocol rewards them, suspends the absent, and anyone may prove an equivocation to burn part
//! of the equivocator's stake. The lifecycle, the rules and the parameters are in
//! `contracts/README.md`; the types in `genesis_types::stake`.
//!
//! Entry points (a `Result` error is a [`StakeError`]):
//!
//! | entry point | who | what |
//! |---|---|---|
//! | `init(StakeParams)` | protocol | the genesis parameters, once |
//! | `stake(key, amount, proof_of_possession)` | owner | lock `amount` (pulled with `transfer_from`: approve first) |
//! | `renew(key)` | owner | keep the window open: it now ends `eligibility_epochs` after the current epoch, or restarts with maturity if it had expired |
//! | `unstake(key, amount)` | owner | unlock maturing, not-yet-eligible or expired stake |
//! | `withdraw(key)` | owner | pay out the rewards |
//! | `reward(Vec<(key, amount)>)` | protocol | credit rewards (minted to this contract first), reset misses |
//! | `missed(Vec<key>)` | protocol | count a missed duty; `miss_limit` in a row suspend the key |
//! | `slash(Equivocation)` | anyone | burn `slash_basis_points` of the stake of a key that signed two conflicting votes |
//! | `params()`, `stake_of(key)`, `eligible_set(height)`, `eligibility(key, height)`, `total_active(height)`, `liabilities()` | anyone | queries |
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;
use genesis_types::stake::{
    Eligibility, Eligible, Equivocation, Slashed, StakeError, StakeInfo, StakeParams, Staked,
    Suspended, proof_of_possession_message, vote_message,
};
use genesis_types::transfer::TransferError;
use genesis_types::{BlsPublicKey, BlsSignature};
use host_api::guest::calls::{CallFailure, call};
use host_api::guest::crypto::bls_verify;
use host_api::guest::storage::{Item, Map};
use host_api::guest::{block_height, caller, emit, self_id};
use host_api::{Address, encoding::decode};

/// The genesis parameters.
const PARAMS: Item<StakeParams> = Item::new(b"params");
/// Every key's record.
const STAKES: Map<BlsPublicKey, StakeInfo> = Map::new(b"stake/");
/// Every key with a record, sorted (the eligible set is read in this order).
const KEYS: Item<Vec<BlsPublicKey>> = Item::new(b"keys");
/// What the contract owes: every stake plus every unpaid reward.
const LIABILITIES: Item<u128> = Item::new(b"liabilities");
/// Equivocations already punished, by (key, round, iteration, step).
const PUNISHED: Map<(BlsPublicKey, u64, u8, u8), bool> = Map::new(b"punished/");

// --- helpers -------------------------------------------------------------------------------

fn params() -> Result<StakeParams, StakeError> {
    PARAMS.get().ok_or(StakeError::NotInitialized)
}

fn protocol_only() -> Result<(), StakeError> {
    if caller() == Address::PROTOCOL {
        Ok(())
    } else {
        Err(StakeError::ProtocolOnly)
    }
}

fn current_epoch(p: &StakeParams) -> u64 {
    p.epoch_of(block_height())
}

/// The caller's record under `key`, with any matured top-up folded into `locked`.
fn owned(key: &BlsPublicKey, epoch: u64) -> Result<StakeInfo, StakeError> {
    let mut info = STAKES.get(key).ok_or(StakeError::NoStake)?;
    if info.owner != caller() {
        return Err(StakeError::NotOwner);
    }
    fold_matured(&mut info, epoch);
    Ok(info)
}

fn fold_matured(info: &mut StakeInfo, epoch: u64) {
    if info.maturing > 0 && info.maturing_from <= epoch {
        info.locked = info.locked.saturating_add(info.maturing);
        info.maturing = 0;
    }
}

/// Store `info`, or drop the record (and its key from the list) once it holds nothing.
fn save(key: &BlsPublicKey, info: &StakeInfo) {
    let mut keys = KEYS.get().unwrap_or_default();
    let position = keys.binary_search(key);
    if info.total() == 0 && info.reward == 0 {
        STAKES.remove(key);
        if let Ok(i) = position {
            keys.remove(i);
            KEYS.set(&keys);
        }
    } else {
        STAKES.set(key, info);
        if let Err(i) = position {
            keys.insert(i, *key);
            KEYS.set(&keys);
        }
    }
}

fn change_liabilities(add: u128, sub: u128) -> Result<u128, StakeError> {
    let owed = LIABILITIES
        .get()
        .unwrap_or(0)
        .checked_add(add)
        .and_then(|v| v.checked_sub(sub))
        .ok_or(StakeError::Overflow)?;
    LIABILITIES.set(&owed);
    Ok(owed)
}

/// Call the transfer contract; its own error comes back as `StakeError::Transfer`.
fn transfer_call<A: borsh::BorshSerialize, R: borsh::BorshDeserialize>(
    p: &StakeParams,
    function: &str,
    args: &A,
) -> Result<R, StakeError> {
    call(p.transfer, function, args, 0).map_err(|failure| match failure {
        CallFailure::Reverted(bytes) => match decode::<TransferError>(&bytes) {
            Ok(e) => StakeError::Transfer(e),
            Err(_) => StakeError::TransferUnavailable,
        },
        _ => StakeError::TransferUnavailable,
    })
}

fn pay_out(p: &StakeParams, to: Address, amount: u128) -> Result<(), StakeError> {
    transfer_call(p, "transfer", &(to, amount))
}

fn require_minimum(info: &StakeInfo, p: &StakeParams) -> Result<(), StakeError> {
    let total = info.total();
    if total != 0 && total < p.minimum_stake {
        Err(StakeError::BelowMinimum)
    } else {
        Ok(())
    }
}

// --- protocol ------------------------------------------------------------------------------

/// Host-only: set the genesis parameters, once.
#[host_api::entry]
pub fn init(params: StakeParams) -> Result<(), StakeError> {
    protocol_only()?;
    if PARAMS.get().is_some() {
        return Err(StakeError::AlreadyInitialized);
    }
    if !params.is_valid() {
        return Err(StakeError::InvalidParams);
    }
    PARAMS.set(&params);
    Ok(())
}

/// Host-only: credit rewards and reset the rewarded keys' missed-duty counters. The tokens
/// must already be here (mint them to this contract first): the call fails with `Unfunded`
/// rather than promise more than the contract holds.
#[host_api::entry]
pub fn reward(rewards: Vec<(BlsPublicKey, u128)>) -> Result<(), StakeError> {
    protocol_only()?;
    let p = params()?;
    let mut sum: u128 = 0;
    for (key, amount) in &rewards {
        let mut info = STAKES.get(key).ok_or(StakeError::NoStake)?;
        info.reward = info
            .reward
            .checked_add(*amount)
            .ok_or(StakeError::Overflow)?;
        info.missed = 0;
        STAKES.set(key, &info);
        sum = sum.checked_add(*amount).ok_or(StakeError::Overflow)?;
    }
    let owed = change_liabilities(sum, 0)?;
    let held: u128 = transfer_call(&p, "balance_of", &Address::from(self_id()))?;
    if held < owed {
        return Err(StakeError::Unfunded);
    }
    Ok(())
}

/// Host-only: each key missed a duty. After `miss_limit` misses in a row the key is suspended
/// for `suspension_epochs` epochs from the next one; no funds are touched.
#[host_api::entry]
pub fn missed(keys: Vec<BlsPublicKey>) -> Result<(), StakeError> {
    protocol_only()?;
    let p = params()?;
    let epoch = current_epoch(&p);
    for key in &keys {
        let mut info = STAKES.get(key).ok_or(StakeError::NoStake)?;
        info.missed = info.missed.saturating_add(1);
        if info.missed >= p.miss_limit {
            info.missed = 0;
            info.suspended_from = epoch + 1;
            info.suspended_until = epoch + 1 + p.suspension_epochs;
            emit(
                "suspended",
                &Suspended {
                    key: *key,
                    from: info.suspended_from,
                    until: info.suspended_until,
                },
            );
        }
        STAKES.set(key, &info);
    }
    Ok(())
}

// --- owners --------------------------------------------------------------------------------

/// Lock `amount` under `key` for the caller. `proof_of_possession` is the key's signature over
/// `proof_of_possession_message(caller, this contract)`. The funds are pulled from the caller
/// with `transfer_from` (approve this contract first). A new stake, or a top-up outside an open
/// window, (re)starts the window `maturity_epochs` from now; a top-up inside an open window
/// matures separately and joins it then.
#[host_api::entry]
pub fn stake(
    key: BlsPublicKey,
    amount: u128,
    proof_of_possession: BlsSignature,
) -> Result<(), StakeError> {
    let p = params()?;
    if amount == 0 {
        return Err(StakeError::ZeroAmount);
    }
    let owner = caller();
    let message = proof_of_possession_message(&owner, &self_id());
    if !bls_verify(&key.0, &message, &proof_of_possession.0) {
        return Err(StakeError::BadProofOfPossession);
    }
    let epoch = current_epoch(&p);
    let mature_at = epoch + p.maturity_epochs;
    let mut info = match STAKES.get(&key) {
        None => StakeInfo {
            owner,
            ..StakeInfo::default()
        },
        Some(existing) if existing.owner != owner => return Err(StakeError::NotOwner),
        Some(mut existing) => {
            fold_matured(&mut existing, epoch);
            existing
        }
    };
    if info.window_open(epoch) {
        info.maturing = info
            .maturing
            .checked_add(amount)
            .ok_or(StakeError::Overflow)?;
        info.maturing_from = mature_at;
    } else {
        info.locked = info
            .locked
            .checked_add(amount)
            .ok_or(StakeError::Overflow)?;
        info.eligible_from = mature_at;
        info.expires_at = mature_at + p.eligibility_epochs;
    }
    if info.total() < p.minimum_stake {
        return Err(StakeError::BelowMinimum);
    }
    save(&key, &info);
    change_liabilities(amount, 0)?;
    transfer_call::<_, ()>(
        &p,
        "transfer_from",
        &(owner, Address::from(self_id()), amount),
    )?;
    emit(
        "staked",
        &Staked {
            key,
            amount,
            eligible_from: mature_at,
        },
    );
    Ok(())
}

/// Keep `key`'s stake eligible: an open window now ends `eligibility_epochs` after the current
/// epoch (never earlier than it did); an expired one restarts after `maturity_epochs`. Returns
/// the first epoch after the window.
#[host_api::entry]
pub fn renew(key: BlsPublicKey) -> Result<u64, StakeError> {
    let p = params()?;
    let epoch = current_epoch(&p);
    let mut info = owned(&key, epoch)?;
    if epoch >= info.expires_at {
        info.eligible_from = epoch + p.maturity_epochs;
        info.expires_at = info.eligible_from + p.eligibility_epochs;
    } else {
        info.expires_at = info.expires_at.max(epoch + 1 + p.eligibility_epochs);
    }
    save(&key, &info);
    emit("renewed", &(key, info.expires_at));
    Ok(info.expires_at)
}

/// Unlock `amount` of `key`'s stake and pay it to the owner. Maturing top-ups go first; locked
/// stake unlocks only while its window is not open (not yet eligible, or expired): stake that
/// can vote stays slashable. What is left must be zero or at least the minimum.
#[host_api::entry]
pub fn unstake(key: BlsPublicKey, amount: u128) -> Result<(), StakeError> {
    let p = params()?;
    if amount == 0 {
        return Err(StakeError::ZeroAmount);
    }
    let epoch = current_epoch(&p);
    let mut info = owned(&key, epoch)?;
    if amount > info.total() {
        return Err(StakeError::InsufficientStake);
    }
    let from_maturing = amount.min(info.maturing);
    let from_locked = amount - from_maturing;
    if from_locked > 0 && info.window_open(epoch) {
        return Err(StakeError::Locked);
    }
    info.maturing -= from_maturing;
    info.locked -= from_locked;
    require_minimum(&info, &p)?;
    save(&key, &info);
    change_liabilities(0, amount)?;
    pay_out(&p, info.owner, amount)?;
    emit("unstaked", &(key, amount));
    Ok(())
}

/// Pay `key`'s rewards to its owner. Returns the amount.
#[host_api::entry]
pub fn withdraw(key: BlsPublicKey) -> Result<u128, StakeError> {
    let p = params()?;
    let mut info = owned(&key, current_epoch(&p))?;
    let amount = info.reward;
    if amount == 0 {
        return Err(StakeError::NothingToWithdraw);
    }
    info.reward = 0;
    save(&key, &info);
    change_liabilities(0, amount)?;
    pay_out(&p, info.owner, amount)?;
    emit("withdrawn", &(key, amount));
    Ok(amount)
}

// --- anyone --------------------------------------------------------------------------------

/// Punish a proven equivocation: two valid signatures by `key` over conflicting votes (same
/// round, iteration and step; different payloads). Burns `slash_basis_points` of its stake
/// (maturing first counts as stake too; locked is taken first), once per slot. Returns the
/// amount burnt.
#[host_api::entry]
pub fn slash(proof: Equivocation) -> Result<u128, StakeError> {
    let p = params()?;
    if !proof.conflicts() {
        return Err(StakeError::NotConflicting);
    }
    for vote in [&proof.first, &proof.second] {
        if !bls_verify(&proof.key.0, &vote_message(&vote.header), &vote.signature.0) {
            return Err(StakeError::BadSignature);
        }
    }
    let h = &proof.first.header;
    let slot = (proof.key, h.round, h.iteration, h.step as u8);
    if PUNISHED.get(&slot).is_some() {
        return Err(StakeError::AlreadySlashed);
    }
    let mut info = STAKES.get(&proof.key).ok_or(StakeError::NoStake)?;
    let total = info.total();
    let bps = u128::from(p.slash_basis_points);
    // total × bps / 10,000 without overflowing u128.
    let amount = (total / 10_000) * bps + (total % 10_000) * bps / 10_000;
    let from_locked = amount.min(info.locked);
    info.locked -= from_locked;
    info.maturing -= amount - from_locked;
    info.slashed = info.slashed.saturating_add(amount);
    PUNISHED.set(&slot, &true);
    save(&proof.key, &info);
    change_liabilities(0, amount)?;
    if amount > 0 {
        transfer_call::<_, ()>(&p, "burn", &amount)?;
    }
    emit(
        "slashed",
        &Slashed {
            key: proof.key,
            amount,
            round: h.round,
        },
    );
    Ok(amount)
}

/// The genesis parameters.
#[host_api::entry]
pub fn params_of() -> Result<StakeParams, StakeError> {
    params()
}

/// `key`'s record, if it has one.
#[host_api::entry]
pub fn stake_of(key: BlsPublicKey) -> Option<StakeInfo> {
    STAKES.get(&key)
}

/// Every key with weight in the epoch of `height`, sorted by key, with its weight.
#[host_api::entry]
pub fn eligible_set(height: u64) -> Result<Vec<Eligible>, StakeError> {
    let p = params()?;
    let epoch = p.epoch_of(height);
    let mut set = Vec::new();
    for key in KEYS.get().unwrap_or_default() {
        if let Some(info) = STAKES.get(&key) {
            let weight = info.weight_at(epoch, p.minimum_stake);
            if weight > 0 {
                set.push(Eligible { key, weight });
            }
        }
    }
    Ok(set)
}

/// `key`'s weight and the total active weight in the epoch of `height`.
#[host_api::entry]
pub fn eligibility(key: BlsPublicKey, height: u64) -> Result<Eligibility, StakeError> {
    let set = eligible_set(height)?;
    let weight = set.iter().find(|e| e.key == key).map_or(0, |e| e.weight);
    Ok(Eligibility {
        weight,
        total: total_weight(&set),
    })
}

/// The total active weight in the epoch of `height`.
#[host_api::entry]
pub fn total_active(height: u64) -> Result<u128, StakeError> {
    Ok(total_weight(&eligible_set(height)?))
}

/// The sum of the weights (cannot exceed the token supply, a `u128`; saturates regardless).
fn total_weight(set: &[Eligible]) -> u128 {
    set.iter()
        .fold(0u128, |sum, e| sum.saturating_add(e.weight))
}

/// What the contract owes (every stake and unpaid reward): its `transfer` balance is at least
/// this.
#[host_api::entry]
pub fn liabilities() -> u128 {
    LIABILITIES.get().unwrap_or(0)
}
