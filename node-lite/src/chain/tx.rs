//! Signed transactions: what an account asks the chain to do, and pays for.
//!
//! A transaction is an [`UnsignedTx`] — chain id, sender's ed25519 public key, nonce, gas limit,
//! gas price and a [`Payload`] (deploy, call or transfer) — and the sender's signature.
//!
//! # The signed bytes
//!
//! The sender signs, with ed25519 (RFC 8032, checked with `verify_strict`: no malleable
//! signatures, no small-order keys):
//!
//! ```text
//! TX_DOMAIN ("sandbox-tx-v1", 13 bytes) ‖ chain_id (u64 LE) ‖ borsh(UnsignedTx)
//! ```
//!
//! `borsh(UnsignedTx)` is, in order: `chain_id` u64 LE, `sender` 32 bytes, `nonce` u64 LE,
//! `gas_limit` u64 LE, `gas_price` u64 LE, then the payload: one byte for the variant, then
//! - `0` Deploy: `code` (u32 LE length ‖ bytes), `init_args` (`0`, or `1` ‖ u32 LE length ‖
//!   bytes);
//! - `1` Call: `contract` 32 bytes, `function` (u32 LE length ‖ UTF-8), `args` (u32 LE length ‖
//!   bytes);
//! - `2` Transfer: `to` 32 bytes, `amount` u128 LE.
//!
//! The domain tag keeps a transaction signature from ever verifying as another kind of signed
//! message; the chain id in front (and again in the body) keeps a transaction of one chain from
//! verifying on another.
//!
//! # On the wire
//!
//! A [`Transaction`] is `borsh(UnsignedTx) ‖ signature (64 bytes)`, at most [`MAX_TX_BYTES`]; its
//! [`TxHash`] is the BLAKE2b-256 of those bytes. [`Transaction::decode`] checks the size before it
//! decodes anything, refuses trailing bytes, and bounds each field ([`MAX_FUNCTION_NAME_BYTES`],
//! [`MAX_ARGUMENT_BYTES`]) with a typed [`TxDecodeError`]. A deploy's code is bounded only by the
//! size cap here; the runtime's deploy validation refuses a module over its own limit, in the
//! transaction's receipt.

use super::key_cache::KeyCache;
use super::keys::AccountKey;
use borsh::{BorshDeserialize, BorshSerialize};
use ed25519_dalek::{Signature, VerifyingKey};
use genesis_types::transfer::fee;
use host_api::limits::MAX_ARGUMENT_BYTES;
use host_api::{Address, ContractId};
use runtime::blake2b_256;
use runtime::config::DEFAULT_MAX_MODULE_BYTES;
use std::fmt;

/// Domain tag of the signed bytes.
pub const TX_DOMAIN: &[u8] = b"sandbox-tx-v1";
/// Largest encoded transaction, in bytes: a deploy of the largest module the runtime accepts by
/// default, with an argument of the largest size, and 4 KiB for the rest.
pub const MAX_TX_BYTES: usize = DEFAULT_MAX_MODULE_BYTES + MAX_ARGUMENT_BYTES + 4096;
/// Longest function name of a call, in bytes (the ABI's cap, `host-api/ABI.md` §3).
pub const MAX_FUNCTION_NAME_BYTES: usize = 64;
/// Gas every transaction pays besides its payload, whatever its size: the node's work on it
/// outside the payload, by what that work costs in the runtime's measured prices — the
/// ed25519 check's base (500,000, the runtime's price of `ed25519_verify`, measured at 42.2 µs)
/// and the four protocol calls every included transaction runs (`nonces.nonce_of`,
/// `transfer.reserve_fee`, `nonces.use_nonce`, `transfer.settle_fee`), by their own gas on the
/// genesis state, their writes' share of the commit included (84,284 + 520,411 + 175,235 +
/// 860,481 = 1,640,411 under gas schedule v10, 1,350,241 under v9; measured by the test
/// `the_intrinsic_gas_covers_the_nodes_work_around_the_payload`, which keeps this constant
/// within 25 % above the measurement: 2,140,411 with the signature's 500,000; 2,000,000 until
/// v10). Without it a
/// transaction whose call is refused before any gas is charged (a missing entry point) would
/// cost its sender nothing and the block's validators that work. See
/// [`Transaction::intrinsic_gas`] for the per-byte part.
pub const TX_INTRINSIC_GAS: u64 = 2_500_000;
/// Gas per byte of an encoded transaction, on top of [`TX_INTRINSIC_GAS`]: its signature check
/// hashes it (SHA-512, the runtime's `ed25519_verify_per_byte`, 20), the node hashes it for its
/// id (BLAKE2b, `blake2b_per_byte`, 10) and decodes it (a bounded copy, `copy_per_byte`, 1).
pub const TX_INTRINSIC_GAS_PER_BYTE: u64 = 31;
/// Length of an ed25519 signature.
pub const SIGNATURE_BYTES: usize = 64;

/// What a transaction does.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Deploy `code` as the sender, with the transaction's nonce (the contract's id is
    /// `runtime::contract_id(sender, code hash, nonce)`); then, if `init_args` is given, call its
    /// `init` entry point with them as the sender.
    Deploy {
        /// The wasm module.
        code: Vec<u8>,
        /// The argument of `init`, borsh-encoded; `None` calls nothing.
        init_args: Option<Vec<u8>>,
    },
    /// Call `function` of `contract` with `args` (borsh-encoded) as the sender.
    Call {
        /// The contract.
        contract: ContractId,
        /// The entry point.
        function: String,
        /// Its argument.
        args: Vec<u8>,
    },
    /// Move `amount` of the native token (the `transfer` contract) from the sender to `to`.
    Transfer {
        /// The payee.
        to: Address,
        /// The amount.
        amount: u128,
    },
}

/// A transaction before it is signed.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct UnsignedTx {
    /// The chain it is meant for.
    pub chain_id: u64,
    /// The sender's ed25519 public key (its address, see `chain::keys`).
    pub sender: [u8; 32],
    /// The sender's next nonce: each nonce is used once, in order.
    pub nonce: u64,
    /// The most gas the payload may spend.
    pub gas_limit: u64,
    /// Tokens per unit of gas.
    pub gas_price: u64,
    /// What it does.
    pub payload: Payload,
}

/// A signed transaction.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// What was signed.
    pub body: UnsignedTx,
    /// The sender's signature over [`UnsignedTx::signing_bytes`].
    pub signature: [u8; SIGNATURE_BYTES],
}

/// A transaction's hash: BLAKE2b-256 of its encoding.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxHash(pub [u8; 32]);

impl fmt::Display for TxHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for TxHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TxHash({self})")
    }
}

/// Why a transaction's signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxSignatureError {
    /// Signed for another chain.
    #[error("transaction for chain {found}, this is chain {expected}")]
    WrongChain {
        /// This chain.
        expected: u64,
        /// The transaction's.
        found: u64,
    },
    /// The sender field is not an ed25519 public key.
    #[error("the sender is not a valid ed25519 public key")]
    BadSenderKey,
    /// The signature does not verify for the sender and these bytes.
    #[error("the signature does not verify")]
    BadSignature,
}

/// Why bytes are not a transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxDecodeError {
    /// Over [`MAX_TX_BYTES`].
    #[error("transaction of {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not the encoding of a transaction (truncated, a bad variant, bad UTF-8, trailing bytes).
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// A call's function name is over [`MAX_FUNCTION_NAME_BYTES`].
    #[error("function name of {size} bytes, over the {max}-byte limit")]
    FunctionNameTooLong {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A call's or an `init`'s argument is over [`MAX_ARGUMENT_BYTES`].
    #[error("argument of {size} bytes, over the {max}-byte limit")]
    ArgumentTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
}

impl Payload {
    /// The size of its encoding, after the variant byte.
    fn encoded_len(&self) -> usize {
        match self {
            Payload::Deploy { code, init_args } => {
                4 + code.len() + 1 + init_args.as_ref().map_or(0, |a| 4 + a.len())
            }
            Payload::Call { function, args, .. } => 32 + 4 + function.len() + 4 + args.len(),
            Payload::Transfer { .. } => 32 + 16,
        }
    }

    /// The [intrinsic gas](Transaction::intrinsic_gas) of a transaction carrying this payload
    /// (its size does not depend on the other fields): for a client choosing a gas limit.
    pub fn intrinsic_gas(&self) -> u64 {
        let bytes = 8 + 32 + 8 + 8 + 8 + 1 + self.encoded_len() + SIGNATURE_BYTES;
        TX_INTRINSIC_GAS.saturating_add(TX_INTRINSIC_GAS_PER_BYTE.saturating_mul(bytes as u64))
    }
}

impl UnsignedTx {
    /// The bytes the sender signs (see the [module docs](self)).
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(TX_DOMAIN.len() + 8 + self.encoded_len());
        bytes.extend_from_slice(TX_DOMAIN);
        bytes.extend_from_slice(&self.chain_id.to_le_bytes());
        // Writing into a Vec cannot fail.
        let _ = BorshSerialize::serialize(self, &mut bytes);
        bytes
    }

    fn encoded_len(&self) -> usize {
        8 + 32 + 8 + 8 + 8 + 1 + self.payload.encoded_len()
    }

    /// This transaction signed by `key` (whose public key should be `sender`).
    pub fn sign(self, key: &AccountKey) -> Transaction {
        let signature = key.sign(&self.signing_bytes());
        Transaction {
            body: self,
            signature,
        }
    }
}

impl Transaction {
    /// The encoding: `borsh(body) ‖ signature`.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.encoded_len());
        // Writing into a Vec cannot fail.
        let _ = BorshSerialize::serialize(self, &mut bytes);
        bytes
    }

    /// The size of [`encode`](Self::encode)'s output.
    pub fn encoded_len(&self) -> usize {
        self.body.encoded_len() + SIGNATURE_BYTES
    }

    /// The gas this transaction pays besides its payload: [`TX_INTRINSIC_GAS`] +
    /// [`TX_INTRINSIC_GAS_PER_BYTE`] per byte of its encoding. Its gas limit must cover it.
    pub fn intrinsic_gas(&self) -> u64 {
        TX_INTRINSIC_GAS
            .saturating_add(TX_INTRINSIC_GAS_PER_BYTE.saturating_mul(self.encoded_len() as u64))
    }

    /// Decode a transaction, bounded (see the [module docs](self)). The signature is not
    /// checked: see [`verify`](Self::verify).
    ///
    /// # Errors
    /// See [`TxDecodeError`].
    pub fn decode(bytes: &[u8]) -> Result<Self, TxDecodeError> {
        if bytes.len() > MAX_TX_BYTES {
            return Err(TxDecodeError::TooLarge {
                size: bytes.len(),
                max: MAX_TX_BYTES,
            });
        }
        let tx: Transaction =
            borsh::from_slice(bytes).map_err(|e| TxDecodeError::Malformed(e.to_string()))?;
        tx.check_bounds()?;
        Ok(tx)
    }

    /// Check the per-field bounds [`decode`](Self::decode) checks.
    ///
    /// # Errors
    /// The first field over its bound.
    pub fn check_bounds(&self) -> Result<(), TxDecodeError> {
        let argument = |args: &[u8]| {
            if args.len() > MAX_ARGUMENT_BYTES {
                return Err(TxDecodeError::ArgumentTooLarge {
                    size: args.len(),
                    max: MAX_ARGUMENT_BYTES,
                });
            }
            Ok(())
        };
        match &self.body.payload {
            Payload::Deploy {
                init_args: Some(args),
                ..
            } => argument(args),
            Payload::Deploy { .. } | Payload::Transfer { .. } => Ok(()),
            Payload::Call { function, args, .. } => {
                if function.len() > MAX_FUNCTION_NAME_BYTES {
                    return Err(TxDecodeError::FunctionNameTooLong {
                        size: function.len(),
                        max: MAX_FUNCTION_NAME_BYTES,
                    });
                }
                argument(args)
            }
        }
    }

    /// Check that the transaction is for `chain_id` and that its signature verifies.
    ///
    /// # Errors
    /// See [`TxSignatureError`].
    pub fn verify(&self, chain_id: u64) -> Result<(), TxSignatureError> {
        if self.body.chain_id != chain_id {
            return Err(TxSignatureError::WrongChain {
                expected: chain_id,
                found: self.body.chain_id,
            });
        }
        let key = VerifyingKey::from_bytes(&self.body.sender)
            .map_err(|_| TxSignatureError::BadSenderKey)?;
        self.verify_signature(&key)
    }

    /// [`verify`](Self::verify), with the sender's key taken from `keys` (decoded and kept
    /// there on a miss): the same checks and the same answer (see [`KeyCache`]).
    ///
    /// # Errors
    /// See [`TxSignatureError`].
    pub fn verify_with(&self, chain_id: u64, keys: &mut KeyCache) -> Result<(), TxSignatureError> {
        if self.body.chain_id != chain_id {
            return Err(TxSignatureError::WrongChain {
                expected: chain_id,
                found: self.body.chain_id,
            });
        }
        let key = keys
            .get(&self.body.sender)
            .ok_or(TxSignatureError::BadSenderKey)?;
        self.verify_signature(&key)
    }

    /// The signature checked against the sender's decoded `key` (`verify_strict`).
    fn verify_signature(&self, key: &VerifyingKey) -> Result<(), TxSignatureError> {
        let signature = Signature::from_bytes(&self.signature);
        key.verify_strict(&self.body.signing_bytes(), &signature)
            .map_err(|_| TxSignatureError::BadSignature)
    }

    /// The hash of [`encode`](Self::encode)'s bytes.
    pub fn hash(&self) -> TxHash {
        TxHash(blake2b_256(&[&self.encode()]))
    }

    /// The sender's address (its public key).
    pub fn sender(&self) -> Address {
        Address(self.body.sender)
    }

    /// The most the transaction can cost: gas limit × gas price.
    pub fn max_fee(&self) -> u128 {
        fee(self.body.gas_limit, self.body.gas_price)
    }
}

/// A signed transfer of 1 from the key of `seed` at `nonce` (chain 1, gas limit 1): a
/// transaction for tests that only carry transactions around (gossip, outboxes).
#[cfg(test)]
pub(crate) fn test_transfer(seed: &str, nonce: u64) -> std::sync::Arc<Transaction> {
    let key = crate::chain::keys::AccountKey::from_seed(seed);
    let body = UnsignedTx {
        chain_id: 1,
        sender: key.public(),
        nonce,
        gas_limit: 1,
        gas_price: 1,
        payload: Payload::Transfer {
            to: host_api::Address([1; 32]),
            amount: 1,
        },
    };
    std::sync::Arc::new(body.sign(&key))
}

#[cfg(test)]
#[path = "tx_tests.rs"]
mod tests;
