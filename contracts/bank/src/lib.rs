//! `bank`: holds deposits of any token contract, calling the token for every movement.
//!
//! | entry point | behaviour |
//! |---|---|
//! | `deposit(token: ContractId, amount: u128) -> Result<(), BankError>` | pulls `amount` from the caller with `token.transfer_from(caller, bank, amount)` (the caller must have approved the bank) and credits the caller |
//! | `withdraw(token: ContractId, amount: u128) -> Result<(), BankError>` | sends `amount` back with `token.transfer(caller, amount)`, **then** debits the caller (the order a reentrancy attack would exploit; the runtime refuses reentrancy) |
//! | `balance(token: ContractId, owner: Address) -> u128` | what `owner` holds in the bank |
//!
//! A token failure comes back as `BankError::Token(code)`; the bank's own writes revert with it.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::guest::calls::{CallFailure, call};
use host_api::guest::storage::Map;
use host_api::guest::{caller, self_id};
use host_api::{Address, ContractId};

const DEPOSITS: Map<(ContractId, Address), u128> = Map::new(b"deposit/");

/// Why a bank operation failed.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum BankError {
    /// The caller has less than that in the bank.
    InsufficientDeposit,
    /// The token call failed: its encoded error (`Reverted`) or empty for other failures.
    Token(Vec<u8>),
    /// Arithmetic overflow.
    Overflow,
}

fn token_call(
    token: ContractId,
    function: &str,
    args: &impl BorshSerialize,
) -> Result<(), BankError> {
    call::<_, ()>(token, function, args, 0).map_err(|f| match f {
        CallFailure::Reverted(bytes) => BankError::Token(bytes),
        _ => BankError::Token(Vec::new()),
    })
}

#[host_api::entry]
pub fn deposit(token: ContractId, amount: u128) -> Result<(), BankError> {
    let owner = caller();
    let bank = Address::from(self_id());
    token_call(token, "transfer_from", &(owner, bank, amount))?;
    let held = DEPOSITS.get(&(token, owner)).unwrap_or(0);
    DEPOSITS.set(
        &(token, owner),
        &held.checked_add(amount).ok_or(BankError::Overflow)?,
    );
    Ok(())
}

#[host_api::entry]
pub fn withdraw(token: ContractId, amount: u128) -> Result<(), BankError> {
    let owner = caller();
    let held = DEPOSITS.get(&(token, owner)).unwrap_or(0);
    if held < amount {
        return Err(BankError::InsufficientDeposit);
    }
    token_call(token, "transfer", &(owner, amount))?;
    // Read again after the external call: were reentrancy allowed, a nested withdraw could have
    // changed it. checked_sub keeps the books honest either way.
    let held = DEPOSITS.get(&(token, owner)).unwrap_or(0);
    DEPOSITS.set(
        &(token, owner),
        &held
            .checked_sub(amount)
            .ok_or(BankError::InsufficientDeposit)?,
    );
    Ok(())
}

#[host_api::entry]
pub fn balance(token: ContractId, owner: Address) -> u128 {
    DEPOSITS.get(&(token, owner)).unwrap_or(0)
}
