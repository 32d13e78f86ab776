//! A node's cache of account balances and nonces at its tip, for the mempool's checks.
//!
//! Each check reads an account's balance and next nonce from the `transfer` and `nonces`
//! contracts' storage (two host reads, see `chain::accounts`); they only change when a block is
//! accepted or reverted, so the node keeps what it read: an accepted block updates what it
//! wrote ([`AccountCache::block_accepted`]: the balances from its writes, the nonces from its
//! transactions), a revert forgets everything ([`AccountCache::clear`]).
//! [`CachedAccounts`] is the `AccountView` the mempool checks against: the cache first, else a
//! session over the store.

use crate::chain::ChainContracts;
use crate::chain::TxHash;
use crate::chain::accounts::{AccountView, AccountViewError, SessionAccounts};
use genesis_types::transfer::BALANCES_PREFIX;
use host_api::{Address, ContractId};
use runtime::{ChangeSet, Session};
use std::collections::HashMap;

/// Most accounts cached; past it the cache starts again empty.
pub const MAX_CACHED_ACCOUNTS: usize = 100_000;

/// Balances and next nonces read at the current tip.
#[derive(Debug, Default)]
pub struct AccountCache {
    balances: HashMap<Address, u128>,
    nonces: HashMap<Address, u64>,
}

impl AccountCache {
    /// Forgets everything (the tip moved back).
    pub fn clear(&mut self) {
        self.balances.clear();
        self.nonces.clear();
    }

    /// A block with these transactions (hash, sender, nonce) was accepted over the cached tip,
    /// writing `changes` (everything committing it wrote): each sender's next nonce is one past
    /// the highest the block used (nonces move only by transactions), other senders' stay; a
    /// balance the block wrote (a key of `transfer`'s under
    /// [`BALANCES_PREFIX`](genesis_types::transfer::BALANCES_PREFIX)) is what it wrote (absent:
    /// 0, as [`balance_of`](crate::chain::accounts::balance_of) reads it; a value that is not a
    /// `u128` is forgotten, for the read to report), the others did not move.
    pub fn block_accepted(
        &mut self,
        included: &[(TxHash, Address, u64)],
        changes: &ChangeSet,
        transfer: ContractId,
    ) {
        if let Some(written) = changes.storage.get(&transfer) {
            for (key, value) in written {
                let Some(owner) = key
                    .strip_prefix(BALANCES_PREFIX)
                    .and_then(|a| <[u8; 32]>::try_from(a).ok())
                    .map(Address)
                else {
                    continue;
                };
                match value.as_deref().map(borsh::from_slice::<u128>) {
                    None => self.balances.insert(owner, 0),
                    Some(Ok(balance)) => self.balances.insert(owner, balance),
                    Some(Err(_)) => self.balances.remove(&owner),
                };
            }
        }
        for (_, sender, nonce) in included {
            let next = nonce.saturating_add(1);
            let entry = self.nonces.entry(*sender).or_insert(next);
            *entry = (*entry).max(next);
        }
        self.bound();
    }

    fn bound(&mut self) {
        if self.balances.len() + self.nonces.len() > MAX_CACHED_ACCOUNTS {
            self.clear();
        }
    }
}

/// The cache in front of a session (see the [module docs](self)). The session is opened on the
/// first miss only: a check whose sender the cache holds reads no state (opening a session reads
/// the store's root, which waits while a block commits).
pub struct CachedAccounts<'a> {
    /// The cache.
    pub cache: &'a mut AccountCache,
    /// The session over the tip's state, for misses (opened by `open` on the first).
    pub session: Option<Session>,
    /// Opens a session over the tip's state.
    pub open: &'a dyn Fn() -> Session,
    /// The chain's contracts.
    pub contracts: ChainContracts,
}

impl<'a> CachedAccounts<'a> {
    /// The cache in front of sessions `open` opens (none until a miss).
    pub fn new(
        cache: &'a mut AccountCache,
        open: &'a dyn Fn() -> Session,
        contracts: ChainContracts,
    ) -> Self {
        CachedAccounts {
            cache,
            session: None,
            open,
            contracts,
        }
    }

    fn accounts(&mut self) -> SessionAccounts<'_> {
        let open = self.open;
        SessionAccounts {
            session: self.session.get_or_insert_with(open),
            contracts: self.contracts,
        }
    }
}

impl AccountView for CachedAccounts<'_> {
    fn balance(&mut self, account: &Address) -> Result<u128, AccountViewError> {
        if let Some(b) = self.cache.balances.get(account) {
            return Ok(*b);
        }
        let b = self.accounts().balance(account)?;
        self.cache.bound();
        self.cache.balances.insert(*account, b);
        Ok(b)
    }

    fn next_nonce(&mut self, account: &Address) -> Result<u64, AccountViewError> {
        if let Some(n) = self.cache.nonces.get(account) {
            return Ok(*n);
        }
        let n = self.accounts().next_nonce(account)?;
        self.cache.bound();
        self.cache.nonces.insert(*account, n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_types::transfer::balance_key;

    fn account(i: u8) -> Address {
        Address([i; 32])
    }

    #[test]
    fn a_block_updates_the_balances_it_wrote_and_keeps_the_others() {
        let transfer = ContractId([1; 32]);
        let other = ContractId([2; 32]);
        let mut cache = AccountCache::default();
        for i in 1..=5 {
            cache.balances.insert(account(i), 100);
        }
        cache.nonces.insert(account(1), 3);
        let mut changes = ChangeSet::default();
        let written = changes.storage.entry(transfer).or_default();
        written.insert(
            balance_key(&account(1)).to_vec(),
            Some(borsh::to_vec(&7u128).unwrap()),
        );
        written.insert(balance_key(&account(2)).to_vec(), None);
        written.insert(balance_key(&account(3)).to_vec(), Some(vec![1, 2, 3]));
        written.insert(
            balance_key(&account(9)).to_vec(),
            Some(borsh::to_vec(&9u128).unwrap()),
        );
        // Not a balance: another key of the contract, a key of another contract.
        written.insert(b"allowance/x".to_vec(), Some(vec![0; 16]));
        changes
            .storage
            .entry(other)
            .or_default()
            .insert(balance_key(&account(4)).to_vec(), None);
        let included = [(TxHash([0; 32]), account(1), 5)];
        cache.block_accepted(&included, &changes, transfer);
        assert_eq!(cache.balances.get(&account(1)), Some(&7), "written");
        assert_eq!(cache.balances.get(&account(2)), Some(&0), "removed: 0");
        assert_eq!(
            cache.balances.get(&account(3)),
            None,
            "not a u128: read again"
        );
        assert_eq!(
            cache.balances.get(&account(4)),
            Some(&100),
            "another contract's key"
        );
        assert_eq!(cache.balances.get(&account(5)), Some(&100), "not written");
        assert_eq!(
            cache.balances.get(&account(9)),
            Some(&9),
            "written, not cached before"
        );
        assert_eq!(cache.nonces.get(&account(1)), Some(&6));
    }
}
