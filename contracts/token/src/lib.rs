//! A fungible token with ERC-20-like semantics.
//!
//! Entry points:
//! - `init(supply: u128) -> Result<(), TokenError>`: mints `supply` to the caller; only once.
//! - `balance_of(owner: Address) -> u128`
//! - `total_supply() -> u128`
//! - `transfer(to: Address, amount: u128) -> Result<(), TokenError>`
//! - `approve(spender: Address, amount: u128) -> ()`: sets (replaces) the allowance.
//! - `allowance(owner: Address, spender: Address) -> u128`
//! - `transfer_from(from: Address, to: Address, amount: u128) -> Result<(), TokenError>`: the
//!   caller spends `from`'s tokens within the allowance `from` gave it.
//!
//! Events: `transfer` with [`Transfer`] (also on `init`, with `from: None`) and `approval` with
//! [`Approval`]. All arithmetic is checked; a failing call changes nothing.
#![no_std]
#![forbid(unsafe_code)]

use borsh::{BorshDeserialize, BorshSerialize};
use host_api::Address;
use host_api::guest::{caller, emit, storage::Item, storage::Map};

/// Total supply; present once `init` ran.
const TOTAL_SUPPLY: Item<u128> = Item::new(b"total_supply");
/// Balances; an absent entry means 0 (zero balances are removed).
const BALANCES: Map<Address, u128> = Map::new(b"balance/");
/// Allowances, keyed by `(owner, spender)`; an absent entry means 0.
const ALLOWANCES: Map<(Address, Address), u128> = Map::new(b"allowance/");

/// Why a token call failed (borsh: a one-byte variant index, given below).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The payer holds less than the amount. (0)
    InsufficientBalance,
    /// The caller's allowance is less than the amount. (1)
    InsufficientAllowance,
    /// `init` was already called. (2)
    AlreadyInitialized,
    /// A balance would overflow `u128`. (3)
    Overflow,
}

/// Data of the `transfer` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The payer; `None` for the mint in `init`.
    pub from: Option<Address>,
    /// The payee.
    pub to: Address,
    /// The amount moved.
    pub amount: u128,
}

/// Data of the `approval` event.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Approval {
    /// Whose tokens may be spent.
    pub owner: Address,
    /// Who may spend them.
    pub spender: Address,
    /// The new allowance (replaces the old one).
    pub amount: u128,
}

fn balance(owner: &Address) -> u128 {
    BALANCES.get(owner).unwrap_or(0)
}

fn set_balance(owner: &Address, amount: u128) {
    if amount == 0 {
        BALANCES.remove(owner);
    } else {
        BALANCES.set(owner, &amount);
    }
}

/// Move `amount` from `from` to `to`, or fail without writing anything.
fn move_tokens(from: Address, to: Address, amount: u128) -> Result<(), TokenError> {
    let from_balance = balance(&from)
        .checked_sub(amount)
        .ok_or(TokenError::InsufficientBalance)?;
    if from != to {
        let to_balance = balance(&to)
            .checked_add(amount)
            .ok_or(TokenError::Overflow)?;
        set_balance(&from, from_balance);
        set_balance(&to, to_balance);
    }
    emit(
        "transfer",
        &Transfer {
            from: Some(from),
            to,
            amount,
        },
    );
    Ok(())
}

/// Mint `supply` to the caller. Fails with `AlreadyInitialized` on a second call.
#[host_api::entry]
pub fn init(supply: u128) -> Result<(), TokenError> {
    if TOTAL_SUPPLY.get().is_some() {
        return Err(TokenError::AlreadyInitialized);
    }
    let owner = caller();
    TOTAL_SUPPLY.set(&supply);
    set_balance(&owner, supply);
    emit(
        "transfer",
        &Transfer {
            from: None,
            to: owner,
            amount: supply,
        },
    );
    Ok(())
}

/// The balance of `owner`.
#[host_api::entry]
pub fn balance_of(owner: Address) -> u128 {
    balance(&owner)
}

/// The total supply (0 before `init`).
#[host_api::entry]
pub fn total_supply() -> u128 {
    TOTAL_SUPPLY.get().unwrap_or(0)
}

/// Move `amount` of the caller's tokens to `to`.
#[host_api::entry]
pub fn transfer(to: Address, amount: u128) -> Result<(), TokenError> {
    move_tokens(caller(), to, amount)
}

/// Let `spender` spend up to `amount` of the caller's tokens (replaces any earlier allowance).
#[host_api::entry]
pub fn approve(spender: Address, amount: u128) {
    let owner = caller();
    if amount == 0 {
        ALLOWANCES.remove(&(owner, spender));
    } else {
        ALLOWANCES.set(&(owner, spender), &amount);
    }
    emit(
        "approval",
        &Approval {
            owner,
            spender,
            amount,
        },
    );
}

/// How much `spender` may still spend of `owner`'s tokens.
#[host_api::entry]
pub fn allowance(owner: Address, spender: Address) -> u128 {
    ALLOWANCES.get(&(owner, spender)).unwrap_or(0)
}

/// Move `amount` of `from`'s tokens to `to`, spending the caller's allowance from `from`.
#[host_api::entry]
pub fn transfer_from(from: Address, to: Address, amount: u128) -> Result<(), TokenError> {
    let spender = caller();
    let key = (from, spender);
    let left = ALLOWANCES
        .get(&key)
        .unwrap_or(0)
        .checked_sub(amount)
        .ok_or(TokenError::InsufficientAllowance)?;
    move_tokens(from, to, amount)?;
    if left == 0 {
        ALLOWANCES.remove(&key);
    } else {
        ALLOWANCES.set(&key, &left);
    }
    Ok(())
}
