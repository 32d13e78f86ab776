//! A node's cache of account balances and nonces at its tip, for the mempool's checks.
//!
//! Each check reads an account's balance and next nonce from the `transfer` and `nonces`
//! contracts' storage (two host reads, see `chain::accounts`); they only change when a block is
//! accepted or reverted, so the node keeps what it read until then ([`AccountCache::clear`]).
//! [`CachedAccounts`] is the `AccountView` the mempool checks against: the cache first, else a
//! session over the store.

use crate::chain::ChainContracts;
use crate::chain::TxHash;
use crate::chain::accounts::{AccountView, AccountViewError, SessionAccounts};
use host_api::Address;
use runtime::Session;
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

    /// A block with these transactions (hash, sender, nonce) was accepted over the cached tip:
    /// each sender's next nonce is one past the highest the block used (nonces move only by
    /// transactions), other senders' stay; balances may have moved anywhere and are forgotten.
    pub fn block_accepted(&mut self, included: &[(TxHash, Address, u64)]) {
        self.balances.clear();
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
