//! The `transfer` contract's errors and events: native-token balances and transaction fees.

use borsh::{BorshDeserialize, BorshSerialize};
use host_api::Address;

/// Why a `transfer` call failed (borsh: one byte, the variant index given below).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferError {
    /// The payer holds less than the amount. (0)
    InsufficientBalance,
    /// The caller's allowance is less than the amount. (1)
    InsufficientAllowance,
    /// A balance, the supply or a fee would overflow `u128`. (2)
    Overflow,
    /// A host-only entry point was called by someone other than the protocol. (3)
    ProtocolOnly,
    /// `settle_fee` without a matching `reserve_fee`, or settling more than was reserved. (4)
    NoReservation,
    /// `settle_fee` with more gas spent than the gas limit. (5)
    SpentOverLimit,
}

/// Data of the `transfer` event (also emitted by `transfer_from`).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transferred {
    /// The payer.
    pub from: Address,
    /// The payee.
    pub to: Address,
    /// The amount moved.
    pub amount: u128,
}

/// Data of the `mint` event (new tokens; only the protocol mints).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Minted {
    /// Who received them.
    pub to: Address,
    /// How many.
    pub amount: u128,
}

/// Data of the `burn` event (tokens destroyed by their holder, e.g. a slashed stake).
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Burned {
    /// Whose tokens.
    pub from: Address,
    /// How many.
    pub amount: u128,
}

/// Data of the `fee` event of `settle_fee`.
#[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSettled {
    /// Who paid.
    pub payer: Address,
    /// Who received the spent part.
    pub beneficiary: Address,
    /// `gas_spent × gas_price`, paid to the beneficiary.
    pub paid: u128,
    /// `(gas_limit − gas_spent) × gas_price`, returned to the payer.
    pub refunded: u128,
}

/// The prefix of the `transfer` contract's storage keys for balances.
///
/// **Storage layout of balances** (part of the contract's interface: the node reads balances
/// straight from the contract's storage, see `node-lite`'s `chain::accounts::balance_of`,
/// instead of calling `balance_of`, so this layout must not change without the node's reader):
/// the balance of `owner` is stored under [`balance_key`]`(owner)` = `b"balance/" ‖ owner's 32
/// bytes` (the borsh encoding of an `Address` is its bytes) as a borsh `u128` (16 bytes,
/// little-endian). An absent key is a balance of 0; the contract removes the key of a balance
/// that falls to 0, so a stored value is never 0.
pub const BALANCES_PREFIX: &[u8] = b"balance/";

/// The storage key of `owner`'s balance in the `transfer` contract: [`BALANCES_PREFIX`] ‖ the
/// address's 32 bytes (what the contract's `Map<Address, u128>` derives from the prefix).
pub fn balance_key(owner: &Address) -> [u8; BALANCES_PREFIX.len() + 32] {
    let mut key = [0u8; BALANCES_PREFIX.len() + 32];
    let (prefix, address) = key.split_at_mut(BALANCES_PREFIX.len());
    prefix.copy_from_slice(BALANCES_PREFIX);
    address.copy_from_slice(&owner.0);
    key
}

/// `gas × price` in token units. Never overflows: a `u64` times a `u64` fits in a `u128`.
pub const fn fee(gas: u64, price: u64) -> u128 {
    gas as u128 * price as u128
}
