//! What the mempool needs to know of an account — its balance and its next nonce — and where it
//! reads them: [`AccountView`], implemented over a session by [`SessionAccounts`] (the `transfer`
//! and `nonces` contracts' storage, read by the host as the contracts lay it out) and by
//! anything else a test or a node prefers.

use super::genesis_state::ChainContracts;
use super::nonces::nonce_of;
use genesis_types::transfer::balance_key;
use host_api::Address;
use runtime::Session;

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

/// Accounts read through a session: [`balance_of`] and [`nonce_of`] (host reads of the
/// `transfer` and `nonces` contracts' storage, the answers of their `balance_of` and `nonce_of`).
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

/// `account`'s native-token balance: what the `transfer` contract's `balance_of` answers, read
/// by the host from the contract's storage as the contract lays it out
/// ([`genesis_types::transfer::balance_key`]: key = `b"balance/" ‖ the account's 32 bytes`, value
/// = a borsh `u128`, absent = 0) instead of a wasm call: the same answer from the same state (a
/// test compares the two), without instantiating the contract. Read-only, so nothing a block
/// commits depends on which of the two answered.
///
/// # Errors
/// A store failure, a missing `transfer` contract, or a stored value that is not a borsh `u128`
/// (where the contract's call would abort).
pub fn balance_of(
    s: &mut Session,
    contracts: &ChainContracts,
    account: &Address,
) -> Result<u128, AccountViewError> {
    let failed = |message: String| AccountViewError {
        account: *account,
        message,
    };
    let transfer = contracts.genesis.transfer;
    if s.contract(&transfer)
        .map_err(|e| failed(e.to_string()))?
        .is_none()
    {
        return Err(failed(format!("no transfer contract {transfer}")));
    }
    match s
        .storage(&transfer, &balance_key(account))
        .map_err(|e| failed(e.to_string()))?
    {
        None => Ok(0),
        // The contract's decoding: borsh, exactly 16 bytes, no trailing bytes.
        Some(bytes) => borsh::from_slice::<u128>(&bytes).map_err(|e| {
            failed(format!(
                "a stored balance of {} bytes is not a u128: {e}",
                bytes.len()
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::genesis_config::GenesisConfig;
    use crate::chain::genesis_state::deploy_and_fund;
    use crate::genesis::GENESIS_CALL_GAS;
    use runtime::{BlockInfo, CallError, ChangeSet, MemoryStore, StateStore};
    use std::sync::Arc;

    /// The test runtime, a memory store holding the default devnet genesis (committed), a
    /// session over it and the chain's contracts.
    fn devnet_genesis() -> (runtime::Runtime, Arc<MemoryStore>, Session, ChainContracts) {
        let runtime = crate::chain::shared_test_runtime();
        let store = Arc::new(MemoryStore::new());
        let mut s = runtime.session(store.clone(), BlockInfo::default());
        let config = GenesisConfig::default_devnet().unwrap();
        let contracts = deploy_and_fund(&mut s, &config).unwrap();
        s.commit().unwrap();
        (runtime, store, s, contracts)
    }

    /// The contract's own `balance_of`, through a wasm call.
    fn balance_of_call(
        s: &mut Session,
        contracts: &ChainContracts,
        account: &Address,
    ) -> Result<Vec<u8>, CallError> {
        s.call_protocol(
            contracts.genesis.transfer,
            "balance_of",
            &account.0,
            GENESIS_CALL_GAS,
        )
        .unwrap()
        .result
    }

    /// Both answers for `accounts`, the host read's first.
    fn both(
        s: &mut Session,
        contracts: &ChainContracts,
        accounts: &[Address],
    ) -> (Vec<u128>, Vec<u128>) {
        accounts
            .iter()
            .map(|a| {
                let call: u128 =
                    borsh::from_slice(&balance_of_call(s, contracts, a).unwrap()).unwrap();
                (balance_of(s, contracts, a).unwrap(), call)
            })
            .unzip()
    }

    #[test]
    fn the_host_read_answers_what_the_contract_answers() {
        let (runtime, store, mut s, contracts) = devnet_genesis();
        let g = contracts.genesis;
        let (alice, bob, carol) = (Address([7; 32]), Address([8; 32]), Address([9; 32]));
        let never = Address([10; 32]);
        let dev = GenesisConfig::default_devnet().unwrap().dev_accounts()[0]
            .0
            .address();
        let stake = Address::from(g.stake);
        let accounts = [alice, bob, carol, never, dev, stake, Address::PROTOCOL];
        // Genesis: funded dev accounts, the stake contract holding the provisioners' stakes.
        let (host, call) = both(&mut s, &contracts, &accounts);
        assert_eq!(host, call);
        assert!(host[4] > 0 && host[5] > 0, "{host:?}");
        // A mint, a transfer, a fee reserved and settled, a burn, and a balance emptied (its key
        // removed): after each, every account reads the same both ways.
        let steps: [(Address, &str, Vec<u8>); 6] = [
            (
                Address::PROTOCOL,
                "mint",
                borsh::to_vec(&(alice, 1_000_000u128)).unwrap(),
            ),
            (
                alice,
                "transfer",
                borsh::to_vec(&(bob, 250_000u128)).unwrap(),
            ),
            (
                Address::PROTOCOL,
                "reserve_fee",
                borsh::to_vec(&(alice, 1_000u64, 100u64)).unwrap(),
            ),
            (
                Address::PROTOCOL,
                "settle_fee",
                borsh::to_vec(&(alice, 1_000u64, 400u64, 100u64, carol)).unwrap(),
            ),
            (bob, "burn", borsh::to_vec(&1u128).unwrap()),
            (
                bob,
                "transfer",
                borsh::to_vec(&(carol, 249_999u128)).unwrap(),
            ),
        ];
        for (caller, function, args) in steps {
            let r = if caller == Address::PROTOCOL {
                s.call_protocol(g.transfer, function, &args, GENESIS_CALL_GAS)
            } else {
                s.call(caller, g.transfer, function, &args, GENESIS_CALL_GAS)
            };
            assert!(r.unwrap().result.is_ok(), "{function}");
            let (host, call) = both(&mut s, &contracts, &accounts);
            assert_eq!(host, call, "after {function}");
        }
        // 1,000,000 − 250,000 − the fee paid (400 × 100); bob emptied; carol has the rest.
        let (host, _) = both(&mut s, &contracts, &accounts);
        assert_eq!(host[..4], [710_000, 0, 40_000 + 249_999, 0]);
        // Committed: read from the store, not the session's writes.
        s.commit().unwrap();
        let mut fresh = runtime.session(store, BlockInfo::default());
        let (host, call) = both(&mut fresh, &contracts, &accounts);
        assert_eq!(host, call);
        assert_eq!(host[0], 710_000);
        // No such contract: an error, as the call's NoSuchContract.
        let mut broken = contracts;
        broken.genesis.transfer = host_api::ContractId([9; 32]);
        let e = balance_of(&mut fresh, &broken, &alice).unwrap_err();
        assert_eq!(e.account, alice);
        assert!(e.message.contains("no transfer contract"), "{e}");
    }

    #[test]
    fn a_malformed_stored_balance_is_an_error_where_the_contract_aborts() {
        let (runtime, store, _, contracts) = devnet_genesis();
        let transfer = contracts.genesis.transfer;
        let mut changes = ChangeSet::default();
        let values: [(u8, Vec<u8>); 4] = [
            (1, vec![5; 15]),
            (2, vec![5; 17]),
            (3, Vec::new()),
            (4, 77u128.to_le_bytes().to_vec()),
        ];
        for (who, value) in &values {
            changes.storage.entry(transfer).or_default().insert(
                balance_key(&Address([*who; 32])).to_vec(),
                Some(value.clone()),
            );
        }
        store.commit(changes).unwrap();
        let mut s = runtime.session(store, BlockInfo::default());
        for who in 1..=3 {
            let account = Address([who; 32]);
            let e = balance_of(&mut s, &contracts, &account).unwrap_err();
            assert_eq!(e.account, account);
            assert!(e.message.contains("is not a u128"), "{e}");
            // The contract cannot read it either.
            assert!(balance_of_call(&mut s, &contracts, &account).is_err());
        }
        // The well-formed one reads as the contract reads it.
        let good = Address([4; 32]);
        assert_eq!(balance_of(&mut s, &contracts, &good), Ok(77));
        assert_eq!(
            balance_of_call(&mut s, &contracts, &good),
            Ok(borsh::to_vec(&77u128).unwrap())
        );
    }
}
