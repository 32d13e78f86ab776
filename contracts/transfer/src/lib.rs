//! `transfer`: the native token — balances, transfers, allowances, and the protocol's mint,
//! burn and transaction-fee entry points.
//!
//! Public entry points:
//! - `balance_of(owner: Address) -> u128`, `total_supply() -> u128`
//! - `transfer(to: Address, amount: u128) -> Result<(), TransferError>`
//! - `approve(spender: Address, amount: u128)` / `allowance(owner, spender) -> u128` /
//!   `transfer_from(from, to, amount) -> Result<(), TransferError>` (how `stake` locks funds)
//! - `burn(amount: u128) -> Result<(), TransferError>`: destroy the caller's own tokens
//!
//! Host-only entry points (caller must be [`Address::PROTOCOL`], else `ProtocolOnly`):
//! - `mint(to: Address, amount: u128) -> Result<(), TransferError>`: genesis and rewards
//! - `reserve_fee(payer: Address, gas_limit: u64, gas_price: u64) -> Result<u128, TransferError>`:
//!   before a transaction runs, move `gas_limit × gas_price` from the payer into escrow
//!   (`InsufficientBalance` = the transaction is unpayable and must not enter a block)
//! - `settle_fee(payer, gas_limit, gas_spent, gas_price, beneficiary) -> Result<FeeSettled, TransferError>`:
//!   after it ran, pay `gas_spent × gas_price` to the beneficiary and refund the rest
//!
//! Events: `transfer` ([`Transferred`]), `mint` ([`Minted`]), `burn` ([`Burned`]), `fee`
//! ([`FeeSettled`]). All arithmetic is checked; a failing call writes nothing.
#![no_std]
#![forbid(unsafe_code)]

use genesis_types::transfer::{
    BALANCES_PREFIX, Burned, FeeSettled, Minted, TransferError, Transferred, fee,
};
use host_api::Address;
use host_api::guest::storage::{Item, Map};
use host_api::guest::{caller, emit};

/// Total supply (absent = 0).
const SUPPLY: Item<u128> = Item::new(b"supply");
/// Balances; an absent entry means 0 (zero balances are removed).
///
/// Part of the contract's interface: the node reads balances directly from this storage (key
/// `BALANCES_PREFIX ‖ owner`, value a borsh `u128`; see `genesis_types::transfer::balance_key`),
/// so the prefix, the key's encoding and the value's type are fixed.
const BALANCES: Map<Address, u128> = Map::new(BALANCES_PREFIX);
/// Allowances keyed by `(owner, spender)`; absent = 0.
const ALLOWANCES: Map<(Address, Address), u128> = Map::new(b"allowance/");
/// Fees reserved and not yet settled, per payer; absent = 0.
const ESCROW: Map<Address, u128> = Map::new(b"escrow/");

fn protocol_only() -> Result<(), TransferError> {
    if caller() == Address::PROTOCOL {
        Ok(())
    } else {
        Err(TransferError::ProtocolOnly)
    }
}

fn balance(owner: &Address) -> u128 {
    BALANCES.get(owner).unwrap_or(0)
}

fn set_or_remove<K: borsh::BorshSerialize>(map: &Map<K, u128>, key: &K, amount: u128) {
    if amount == 0 {
        map.remove(key);
    } else {
        map.set(key, &amount);
    }
}

fn debit(owner: &Address, amount: u128) -> Result<(), TransferError> {
    let left = balance(owner)
        .checked_sub(amount)
        .ok_or(TransferError::InsufficientBalance)?;
    set_or_remove(&BALANCES, owner, left);
    Ok(())
}

fn credit(owner: &Address, amount: u128) -> Result<(), TransferError> {
    let total = balance(owner)
        .checked_add(amount)
        .ok_or(TransferError::Overflow)?;
    set_or_remove(&BALANCES, owner, total);
    Ok(())
}

/// Move `amount` from `from` to `to`, or fail without writing anything (the host reverts a
/// failed call's writes; the order below also never leaves a half-made move on success).
fn move_tokens(from: Address, to: Address, amount: u128) -> Result<(), TransferError> {
    if from == to {
        // Check the balance, change nothing.
        balance(&from)
            .checked_sub(amount)
            .ok_or(TransferError::InsufficientBalance)?;
    } else {
        debit(&from, amount)?;
        credit(&to, amount)?;
    }
    emit("transfer", &Transferred { from, to, amount });
    Ok(())
}

/// The balance of `owner`.
#[host_api::entry]
pub fn balance_of(owner: Address) -> u128 {
    balance(&owner)
}

/// Every token in existence.
#[host_api::entry]
pub fn total_supply() -> u128 {
    SUPPLY.get().unwrap_or(0)
}

/// Move `amount` of the caller's tokens to `to`.
#[host_api::entry]
pub fn transfer(to: Address, amount: u128) -> Result<(), TransferError> {
    move_tokens(caller(), to, amount)
}

/// Let `spender` spend up to `amount` of the caller's tokens (replaces any earlier allowance).
#[host_api::entry]
pub fn approve(spender: Address, amount: u128) {
    set_or_remove(&ALLOWANCES, &(caller(), spender), amount);
}

/// How much `spender` may still spend of `owner`'s tokens.
#[host_api::entry]
pub fn allowance(owner: Address, spender: Address) -> u128 {
    ALLOWANCES.get(&(owner, spender)).unwrap_or(0)
}

/// Move `amount` of `from`'s tokens to `to`, spending the caller's allowance from `from`.
#[host_api::entry]
pub fn transfer_from(from: Address, to: Address, amount: u128) -> Result<(), TransferError> {
    let key = (from, caller());
    let left = ALLOWANCES
        .get(&key)
        .unwrap_or(0)
        .checked_sub(amount)
        .ok_or(TransferError::InsufficientAllowance)?;
    move_tokens(from, to, amount)?;
    set_or_remove(&ALLOWANCES, &key, left);
    Ok(())
}

/// Destroy `amount` of the caller's tokens (the supply shrinks).
#[host_api::entry]
pub fn burn(amount: u128) -> Result<(), TransferError> {
    let from = caller();
    debit(&from, amount)?;
    let supply = total_supply()
        .checked_sub(amount)
        .ok_or(TransferError::Overflow)?;
    SUPPLY.set(&supply);
    emit("burn", &Burned { from, amount });
    Ok(())
}

/// Host-only: create `amount` new tokens for `to`.
#[host_api::entry]
pub fn mint(to: Address, amount: u128) -> Result<(), TransferError> {
    protocol_only()?;
    let supply = total_supply()
        .checked_add(amount)
        .ok_or(TransferError::Overflow)?;
    credit(&to, amount)?;
    SUPPLY.set(&supply);
    emit("mint", &Minted { to, amount });
    Ok(())
}

/// Host-only: before a transaction runs, move `gas_limit × gas_price` of the payer's tokens
/// into escrow. Returns the amount reserved. `InsufficientBalance` means the transaction
/// cannot pay and must not run.
#[host_api::entry]
pub fn reserve_fee(payer: Address, gas_limit: u64, gas_price: u64) -> Result<u128, TransferError> {
    protocol_only()?;
    let reserved = fee(gas_limit, gas_price);
    debit(&payer, reserved)?;
    let held = ESCROW
        .get(&payer)
        .unwrap_or(0)
        .checked_add(reserved)
        .ok_or(TransferError::Overflow)?;
    set_or_remove(&ESCROW, &payer, held);
    Ok(reserved)
}

/// Host-only: after the transaction ran, release its reservation: `gas_spent × gas_price` to
/// `beneficiary` (the block generator, or a reward pool), the rest back to the payer.
#[host_api::entry]
pub fn settle_fee(
    payer: Address,
    gas_limit: u64,
    gas_spent: u64,
    gas_price: u64,
    beneficiary: Address,
) -> Result<FeeSettled, TransferError> {
    protocol_only()?;
    if gas_spent > gas_limit {
        return Err(TransferError::SpentOverLimit);
    }
    let reserved = fee(gas_limit, gas_price);
    let held = ESCROW.get(&payer).unwrap_or(0);
    let left = held
        .checked_sub(reserved)
        .ok_or(TransferError::NoReservation)?;
    set_or_remove(&ESCROW, &payer, left);
    let paid = fee(gas_spent, gas_price);
    let refunded = reserved - paid;
    credit(&beneficiary, paid)?;
    credit(&payer, refunded)?;
    let settled = FeeSettled {
        payer,
        beneficiary,
        paid,
        refunded,
    };
    emit("fee", &settled);
    Ok(settled)
}

/// Fees reserved for `payer` and not yet settled.
#[host_api::entry]
pub fn escrow_of(payer: Address) -> u128 {
    ESCROW.get(&payer).unwrap_or(0)
}
