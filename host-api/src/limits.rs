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
