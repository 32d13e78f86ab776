//! Sizes host and guest agree on. The runtime enforces each one; the SDK stays inside them.
//!
//! Limits of the module itself (size, memory pages, functions…) are the runtime's, in its
//! `config` module, because an operator may tune them without changing the ABI.

/// Largest storage key, in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// Largest storage value, in bytes.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Largest call argument, in bytes.
pub const MAX_ARGUMENT_BYTES: usize = 64 * 1024;
/// Longest entry-point name `call` accepts, in bytes; one byte more stops the caller with
/// `AbiViolation` before any gas is charged.
pub const MAX_FUNCTION_NAME_BYTES: usize = 64;
/// Largest return data of one call, in bytes.
pub const MAX_RETURN_BYTES: usize = 64 * 1024;
/// Largest event topic, in bytes.
pub const MAX_TOPIC_BYTES: usize = 64;
/// Largest event data, in bytes.
pub const MAX_EVENT_DATA_BYTES: usize = 16 * 1024;
/// Most events one call may emit.
pub const MAX_EVENTS_PER_CALL: usize = 1024;
/// Longest panic message kept, in bytes; a longer one is truncated (on a UTF-8 boundary).
pub const MAX_PANIC_MESSAGE_BYTES: usize = 4 * 1024;
/// Longest debug message, in bytes; a longer one is truncated (on a UTF-8 boundary).
pub const MAX_DEBUG_MESSAGE_BYTES: usize = 4 * 1024;
/// Most debug messages kept for one call; later ones are dropped (and still charged).
pub const MAX_DEBUG_MESSAGES_PER_CALL: usize = 1024;
/// The size of a wasm page, in bytes.
pub const WASM_PAGE_BYTES: usize = 65_536;

/// Longest message `ed25519_verify` and `bls_verify` accept, in bytes.
pub const MAX_SIGNED_MESSAGE_BYTES: usize = 64 * 1024;
/// An ed25519 public key, in bytes.
pub const ED25519_PUBLIC_KEY_BYTES: usize = 32;
/// An ed25519 signature (`R ‖ s`), in bytes.
pub const ED25519_SIGNATURE_BYTES: usize = 64;
/// A BLS12-381 public key (a compressed G2 point), in bytes.
pub const BLS_PUBLIC_KEY_BYTES: usize = 96;
/// A BLS12-381 signature (a compressed G1 point), in bytes.
pub const BLS_SIGNATURE_BYTES: usize = 48;
/// Most public inputs `plonk_verify` takes.
pub const MAX_PLONK_PUBLIC_INPUTS: usize = 256;
/// One PLONK public input: a canonical little-endian BLS12-381 scalar, in bytes.
pub const PLONK_PUBLIC_INPUT_BYTES: usize = 32;
/// Longest public-input buffer `plonk_verify` accepts, in bytes.
pub const MAX_PLONK_PUBLIC_INPUT_BYTES: usize = MAX_PLONK_PUBLIC_INPUTS * PLONK_PUBLIC_INPUT_BYTES;
/// A PLONK proof as dusk-plonk 0.22's `Proof::to_bytes` writes it, and the longest proof
/// buffer `plonk_verify` accepts, in bytes.
pub const MAX_PLONK_PROOF_BYTES: usize = 1_008;
/// Longest PLONK verifier data (`Verifier::to_bytes`) `plonk_verify` accepts, in bytes.
pub const MAX_PLONK_VERIFIER_DATA_BYTES: usize = 8 * 1024;
