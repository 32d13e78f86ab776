//! What the mempool needs to know of an account — its balance and its next nonce — and where it
//! reads them: [`AccountView`], implemented over a session by [`SessionAccounts`] (the
//! `transfer` and `nonces` contracts' queries) and by anything else a test or a node prefers.

use super::genesis_state::ChainContracts;
use super::nonces::nonce_of;
use host_api::Address;
use runtime::Session;

/// Gas for one balance query (`transfer.balance_of`: a storage read, about 150,000, and the
/// first load of the 23 KB `transfer` module in the call tree, about 2.8 M, see
/// `runtime::gas::load_price`).
pub const QUERY_GAS: u64 = 10_000_000;

/// Why an account could not be read (a store failure, a broken genesis contract).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("reading account {account}: {message}")]
pub struct AccountViewError {
    /// The account.
    pub account: Address,
    /// Why.
    pub message: String,
}

/// An account's balance and next nonce, as of some state.
pub trait AccountView {
    /// The account's native-token balance.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn balance(&mut self, account: &Address) -> Result<u128, AccountViewError>;

    /// The account's next nonce.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn next_nonce(&mut self, account: &Address) -> Result<u64, AccountViewError>;
}

/// Accounts read through a session: `transfer.balance_of` and `nonces.nonce_of`.
pub struct SessionAccounts<'a> {
    /// The session (its uncommitted writes included).
    pub session: &'a mut Session,
    /// The chain's contracts.
    pub contracts: ChainContracts,
}

impl AccountView for SessionAccounts<'_> {
    fn balance(&mut self, account: &Address) -> Result<u128, AccountViewError> {
        balance_of(self.session, &self.contracts, account)
    }

    fn next_nonce(&mut self, account: &Address) -> Result<u64, AccountViewError> {
        nonce_of(self.session, self.contracts.nonces, account).map_err(|e| AccountViewError {
            account: *account,
            message: e.to_string(),
        })
    }
}

/// `account`'s native-token balance.
///
/// # Errors
/// A host failure or a `transfer` contract that does not answer a `u128`.
pub fn balance_of(
    s: &mut Session,
    contracts: &ChainContracts,
    account: &Address,
) -> Result<u128, AccountViewError> {
    let failed = |message: String| AccountViewError {
        account: *account,
        message,
    };
    let r = s
        .call_protocol(
            contracts.genesis.transfer,
            "balance_of",
            &account.0,
            QUERY_GAS,
        )
        .map_err(|e| failed(e.to_string()))?;
    match &r.result {
        Ok(bytes) => borsh::from_slice(bytes).map_err(|e| failed(e.to_string())),
        Err(e) => Err(failed(e.to_string())),
    }
}
