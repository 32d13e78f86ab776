//! `attacker`: tries the classic reentrancy attack, and shows a caller surviving a callee that
//! runs out of gas.
//!
//! | entry point | behaviour |
//! |---|---|
//! | `attack(bank: ContractId, amount: u128) -> Result<(), u8>` | deposits nothing but calls `bank.withdraw(self, amount)` posing as the token: the bank then calls `attacker.transfer`, which tries `bank.withdraw` again (reentrancy). The outcome of that nested attempt is stored under `reentry` as a status code |
//! | `transfer(to: Address, amount: u128)` | the fake token transfer: re-enters the bank and records the result |
//! | `reentry() -> i32` | the recorded code of the last re-entry attempt (`-6` = refused as reentrancy) |
//! | `survive(target: ContractId, gas: u64) -> i32` | calls `target.infinite_loop()` with `gas`, records `survived` and returns the callee's status code (`-2` = out of gas) |
//! | `forward(target: ContractId, function: String, args: Vec<u8>) -> (i32, Vec<u8>)` | calls any entry point as this contract and returns the callee's status and output: a contract trying the protocol's host-only entry points |
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use host_api::ContractId;
use host_api::encoding::encode;
use host_api::guest::calls::call_raw;
use host_api::guest::storage::Item;
use host_api::guest::{caller, self_id};

const BANK: Item<ContractId> = Item::new(b"bank");
const REENTRY: Item<i32> = Item::new(b"reentry");
const SURVIVED: Item<bool> = Item::new(b"survived");

#[host_api::entry]
pub fn attack(bank: ContractId, amount: u128) -> Result<(), u8> {
    BANK.set(&bank);
    let (status, _) = call_raw(bank, "withdraw", &encode(&(self_id(), amount)), 0);
    if status == 0 { Ok(()) } else { Err(1) }
}

#[host_api::entry]
pub fn transfer(_to: host_api::Address, amount: u128) {
    let bank = BANK.get().unwrap_or_else(|| ContractId::from(caller().0));
    let (status, _) = call_raw(bank, "withdraw", &encode(&(self_id(), amount)), 0);
    REENTRY.set(&status);
}

#[host_api::entry]
pub fn reentry() -> i32 {
    REENTRY.get().unwrap_or(0)
}

#[host_api::entry]
pub fn survive(target: ContractId, gas: u64) -> i32 {
    let (status, _) = call_raw(target, "infinite_loop", &[], gas);
    SURVIVED.set(&true);
    status
}

#[host_api::entry]
pub fn forward(target: ContractId, function: String, args: Vec<u8>) -> (i32, Vec<u8>) {
    call_raw(target, &function, &args, 0)
}
