//! What code may enter a store from outside a session: [`CodeValidator`] and the content check
//! every load runs.
//!
//! A session deploys only modules that pass the runtime's deploy validation. Code also enters a
//! store without a session: a saved [`MemoryStore`](crate::MemoryStore) file, a
//! [`StateDump`](crate::StateDump) read from a state file. Those paths must not be a side door
//! (a module with a start function, imports outside `host_v1`, over the size limit), yet this
//! crate knows no wasm. So every one of them takes a [`CodeValidator`] as a required argument —
//! the runtime implements it with the deploy checks — and runs [`Content::check`]: each
//! contract's code is present, hashes to the contract's code hash, and is accepted by the
//! validator; no code is left without a contract; no storage belongs to a contract that is not
//! deployed. The first problem refuses the whole content, naming the contract; nothing is
//! loaded.

use crate::dump::DumpError;
use crate::ids::CodeHash;
use host_api::ContractId;
use std::collections::{BTreeMap, BTreeSet};

/// Decides whether module bytes may be stored as contract code.
///
/// The runtime implements it with its deploy validation (`runtime::Limits` and
/// `runtime::Runtime`), so code loaded from a file passes the same checks as code deployed.
pub trait CodeValidator {
    /// `Ok` when `code` may be deployed.
    ///
    /// # Errors
    /// Why not, as text (the deploy error's message).
    fn validate_code(&self, code: &[u8]) -> Result<(), String>;
}

/// A read-only view of a state's content, as the check needs it: borrowed from a
/// [`StateDump`](crate::StateDump) or a decoded [`MemoryStore`](crate::MemoryStore) file.
pub(crate) struct Content<'a> {
    /// Module bytes by the hash they are filed under.
    pub code: BTreeMap<CodeHash, &'a [u8]>,
    /// Each contract's code hash.
    pub contracts: BTreeMap<ContractId, CodeHash>,
    /// The contracts that have storage.
    pub storage: BTreeSet<ContractId>,
}

impl Content<'_> {
    /// Check the content as described in the [module docs](self): contracts in id order, each
    /// module validated once however many contracts run it.
    ///
    /// # Errors
    /// The first inconsistency or refused module.
    pub fn check(&self, validator: &dyn CodeValidator) -> Result<(), DumpError> {
        let mut accepted = BTreeSet::new();
        for (contract, code_hash) in &self.contracts {
            let (contract, code_hash) = (*contract, *code_hash);
            let code = self.code.get(&code_hash).ok_or(DumpError::MissingCode {
                contract,
                code_hash,
            })?;
            if accepted.contains(&code_hash) {
                continue;
            }
            let actual = CodeHash::of(code);
            if actual != code_hash {
                return Err(DumpError::CodeHashMismatch {
                    contract,
                    expected: code_hash,
                    actual,
                });
            }
            validator
                .validate_code(code)
                .map_err(|reason| DumpError::CodeRefused {
                    contract,
                    code_hash,
                    reason,
                })?;
            accepted.insert(code_hash);
        }
        if let Some(hash) = self.code.keys().find(|h| !accepted.contains(h)) {
            return Err(DumpError::UnusedCode(*hash));
        }
        if let Some(id) = self
            .storage
            .iter()
            .find(|id| !self.contracts.contains_key(id))
        {
            return Err(DumpError::OrphanStorage(*id));
        }
        Ok(())
    }
}

/// A validator for this crate's tests, whose modules are not wasm: accepts any bytes but
/// those starting with `refused`.
#[cfg(test)]
pub(crate) struct TestValidator;

#[cfg(test)]
impl CodeValidator for TestValidator {
    fn validate_code(&self, code: &[u8]) -> Result<(), String> {
        if code.starts_with(b"refused") {
            Err("refused by the test validator".into())
        } else {
            Ok(())
        }
    }
}
