//! The `nonces` contract: each account's next transaction nonce, kept in the state so that every
//! node agrees on it, the root commits to it, and a restart keeps it.
//!
//! The node checks a transaction's nonce with `nonce_of` before it reserves the fee, and moves it
//! on with the host-only `use_nonce` once the fee is reserved (see `chain::block_exec`). The
//! contract is written by hand in WAT (`nonces.wat`, its interface documented there) so that it
//! needs no wasm toolchain; it is deployed at genesis through the same validation as any deploy.

use borsh::BorshDeserialize;
use host_api::{Address, ContractId};
use runtime::{CallError, HostError, Session};

/// The contract's text.
pub const NONCES_WAT: &str = include_str!("nonces.wat");

/// Gas for one call into `nonces` (a read and a write, the write's share of the commit
/// included: `use_nonce` measures 153,675 under gas schedule v9).
pub const NONCES_CALL_GAS: u64 = 1_000_000;

/// The contract's module.
///
/// # Errors
/// Only if the embedded text does not assemble (a test checks it does).
pub fn nonces_module() -> Result<Vec<u8>, String> {
    wat::parse_str(NONCES_WAT).map_err(|e| e.to_string())
}

/// Why `use_nonce` refused (the contract's error, borsh).
#[derive(BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    /// Called by someone other than the protocol.
    #[error("use_nonce is host-only")]
    ProtocolOnly,
    /// Not the account's next nonce.
    #[error("expected nonce {expected}")]
    BadNonce {
        /// The account's next nonce.
        expected: u64,
    },
    /// The account used every nonce.
    #[error("the account's nonces are exhausted")]
    Exhausted,
}

/// Why a call into `nonces` failed.
#[derive(Debug, thiserror::Error)]
pub enum NonceCallError {
    /// The runtime failed.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The contract refused.
    #[error(transparent)]
    Refused(NonceError),
    /// The call failed otherwise (a broken deployment).
    #[error("nonces.{function}: {error}")]
    Failed {
        /// The entry point.
        function: &'static str,
        /// The outcome.
        error: String,
    },
}

/// `account`'s next nonce: what the contract's `nonce_of` answers, read by the host from the
/// contract's storage as `nonces.wat` lays it out (key = the account's 32 bytes, value = its next
/// nonce, u64 LE; absent = 0) instead of a wasm call: the same answer from the same state (a
/// test compares the two), without instantiating the contract. Read-only, so nothing a block
/// commits depends on which of the two answered.
///
/// # Errors
/// Host failures, a missing `nonces` contract, or a stored value that is not 8 bytes.
pub fn nonce_of(
    s: &mut Session,
    nonces: ContractId,
    account: &Address,
) -> Result<u64, NonceCallError> {
    let failed = |error: String| NonceCallError::Failed {
        function: "nonce_of",
        error,
    };
    if s.contract(&nonces).map_err(HostError::from)?.is_none() {
        return Err(failed(format!("no contract {nonces}")));
    }
    match s.storage(&nonces, &account.0).map_err(HostError::from)? {
        None => Ok(0),
        Some(bytes) => {
            let le: [u8; 8] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| failed(format!("a stored nonce of {} bytes", bytes.len())))?;
            Ok(u64::from_le_bytes(le))
        }
    }
}

/// Use `account`'s nonce `nonce` (it must be the next one).
///
/// # Errors
/// `Refused` with the contract's error, host failures, or a broken contract.
pub fn use_nonce(
    s: &mut Session,
    nonces: ContractId,
    account: &Address,
    nonce: u64,
) -> Result<(), NonceCallError> {
    let mut args = account.0.to_vec();
    args.extend_from_slice(&nonce.to_le_bytes());
    let r = s.call_protocol(nonces, "use_nonce", &args, NONCES_CALL_GAS)?;
    match &r.result {
        Ok(_) => Ok(()),
        Err(CallError::Reverted(bytes)) => match borsh::from_slice::<NonceError>(bytes) {
            Ok(e) => Err(NonceCallError::Refused(e)),
            Err(e) => Err(NonceCallError::Failed {
                function: "use_nonce",
                error: e.to_string(),
            }),
        },
        Err(e) => Err(NonceCallError::Failed {
            function: "use_nonce",
            error: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::{BlockInfo, MemoryStore, StateStore};
    use std::sync::Arc;

    /// The test runtime, a memory store holding the nonces contract (committed), a session
    /// over it and the contract's id.
    fn deployed_nonces() -> (runtime::Runtime, Arc<MemoryStore>, Session, ContractId) {
        let runtime = crate::chain::shared_test_runtime();
        let store = Arc::new(MemoryStore::new());
        let mut s = runtime.session(store.clone(), BlockInfo::default());
        let id = s
            .deploy(Address::PROTOCOL, &nonces_module().unwrap(), 0)
            .unwrap();
        s.commit().unwrap();
        (runtime, store, s, id)
    }

    /// The contract's own `nonce_of`, through a wasm call.
    fn nonce_of_call(s: &mut Session, nonces: ContractId, account: &Address) -> u64 {
        let r = s
            .call_protocol(nonces, "nonce_of", &account.0, NONCES_CALL_GAS)
            .unwrap();
        borsh::from_slice(&r.result.unwrap()).unwrap()
    }

    #[test]
    fn the_host_read_answers_what_the_contract_answers() {
        let (runtime, store, mut s, id) = deployed_nonces();
        let (alice, bob) = (Address([7; 32]), Address([8; 32]));
        for n in 0..3 {
            use_nonce(&mut s, id, &alice, n).unwrap();
            for who in [&alice, &bob] {
                assert_eq!(
                    nonce_of(&mut s, id, who).unwrap(),
                    nonce_of_call(&mut s, id, who)
                );
            }
        }
        // Committed: read from the store, not the session's writes.
        s.commit().unwrap();
        let mut fresh = runtime.session(store, BlockInfo::default());
        assert_eq!(nonce_of(&mut fresh, id, &alice).unwrap(), 3);
        assert_eq!(nonce_of_call(&mut fresh, id, &alice), 3);
        // No such contract: an error, as the call's NoSuchContract.
        assert!(matches!(
            nonce_of(&mut fresh, ContractId([9; 32]), &alice),
            Err(NonceCallError::Failed { .. })
        ));
    }

    #[test]
    fn nonces_advance_one_by_one_and_only_for_the_protocol() {
        let (_, _, mut s, id) = deployed_nonces();
        let alice = Address([7; 32]);
        assert_eq!(nonce_of(&mut s, id, &alice).unwrap(), 0);
        use_nonce(&mut s, id, &alice, 0).unwrap();
        assert_eq!(nonce_of(&mut s, id, &alice).unwrap(), 1);
        assert!(matches!(
            use_nonce(&mut s, id, &alice, 0),
            Err(NonceCallError::Refused(NonceError::BadNonce {
                expected: 1
            }))
        ));
        assert!(matches!(
            use_nonce(&mut s, id, &alice, 2),
            Err(NonceCallError::Refused(NonceError::BadNonce {
                expected: 1
            }))
        ));
        assert_eq!(nonce_of(&mut s, id, &Address([8; 32])).unwrap(), 0);
        // An account calling the host-only entry point is refused and changes nothing.
        let mut args = alice.0.to_vec();
        args.extend_from_slice(&1u64.to_le_bytes());
        let r = s
            .call(alice, id, "use_nonce", &args, NONCES_CALL_GAS)
            .unwrap();
        assert_eq!(r.result, Err(CallError::Reverted(vec![0])));
        assert_eq!(nonce_of(&mut s, id, &alice).unwrap(), 1);
        // A malformed argument is invalid input.
        let r = s
            .call_protocol(id, "use_nonce", &[1, 2, 3], NONCES_CALL_GAS)
            .unwrap();
        assert!(matches!(r.result, Err(CallError::InvalidInput(_))));
    }

    #[test]
    fn the_last_nonce_is_never_used_so_the_counter_cannot_wrap() {
        let (runtime, store, _, id) = deployed_nonces();
        let alice = Address([7; 32]);
        let mut changes = runtime::ChangeSet::default();
        let near_end = (u64::MAX - 1).to_le_bytes().to_vec();
        changes
            .storage
            .entry(id)
            .or_default()
            .insert(alice.0.to_vec(), Some(near_end));
        store.commit(changes).unwrap();
        let mut s = runtime.session(store, BlockInfo::default());
        use_nonce(&mut s, id, &alice, u64::MAX - 1).unwrap();
        assert_eq!(nonce_of(&mut s, id, &alice).unwrap(), u64::MAX);
        assert!(matches!(
            use_nonce(&mut s, id, &alice, u64::MAX),
            Err(NonceCallError::Refused(NonceError::Exhausted))
        ));
        assert_eq!(nonce_of(&mut s, id, &alice).unwrap(), u64::MAX);
    }
}
