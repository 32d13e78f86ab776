//! Code hashes and contract ids.
//!
//! - **Code hash** = BLAKE2b-256 of the module's bytes.
//! - **Contract id** = BLAKE2b-256 of `"contract-id-v1" ‖ owner (32 bytes) ‖ code hash (32 bytes) ‖
//!   nonce (u64, little-endian)`. The owner picks the nonce, so the same code can be deployed many
//!   times, and anyone can compute the id before deploying.

use host_api::{Address, ContractId};
use std::fmt;

/// Domain separation tag of contract ids.
const CONTRACT_ID_TAG: &[u8] = b"contract-id-v1";

/// BLAKE2b-256 of a module's bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CodeHash(pub [u8; 32]);

impl CodeHash {
    /// The hash of `bytecode`.
    pub fn of(bytecode: &[u8]) -> Self {
        Self(blake2b_256(&[bytecode]))
    }
}

impl fmt::Display for CodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodeHash({self})")
    }
}

/// The id of the contract `owner` deploys from code `code_hash` with `nonce`.
pub fn contract_id(owner: &Address, code_hash: &CodeHash, nonce: u64) -> ContractId {
    ContractId(blake2b_256(&[
        CONTRACT_ID_TAG,
        &owner.0,
        &code_hash.0,
        &nonce.to_le_bytes(),
    ]))
}

/// BLAKE2b with a 32-byte digest over the concatenation of `parts`.
pub fn blake2b_256(parts: &[&[u8]]) -> [u8; 32] {
    let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
    for part in parts {
        state.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(state.finalize().as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_depend_on_every_input() {
        let owner = Address([1; 32]);
        let code = CodeHash::of(b"code");
        let id = contract_id(&owner, &code, 0);
        assert_eq!(id, contract_id(&owner, &code, 0));
        assert_ne!(id, contract_id(&owner, &code, 1));
        assert_ne!(id, contract_id(&Address([2; 32]), &code, 0));
        assert_ne!(id, contract_id(&owner, &CodeHash::of(b"other"), 0));
    }

    #[test]
    fn blake2b_256_known_answer() {
        // BLAKE2b-256("abc"), RFC 7693 parameters with a 32-byte digest.
        let expected = "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319";
        let hex: String = blake2b_256(&[b"abc"])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, expected);
    }
}
