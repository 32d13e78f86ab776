//! The merkle-committed contract state, with no wasm in it.
//!
//! What a contract sandbox stores and commits to: contract code (by [`CodeHash`]), contract
//! records, contract storage, and the merkle [`Root`] over records and storage that every backend
//! computes the same way. A light client checks a storage proof with [`merkle::verify`] and this
//! crate alone: it depends on neither wasmtime nor the runtime.
//!
//! Layout: [`merkle`] (the tree, its nodes, proofs and `verify`), [`store`] (the [`StateStore`]
//! interface, [`ChangeSet`], [`ContractRecord`], the in-memory [`MemoryStore`]), [`redb_store`]
//! (the persistent [`RedbStore`], retained versions read in place), [`wal_store`] (the
//! [`WalStore`]: a `MemoryStore` made durable by a write-ahead log), [`records`] (the caller's
//! records, committed atomically with the state: [`RecordStore`]), `dump` (a whole state as one
//! value), `admission` ([`CodeValidator`]: what code may enter a store from a file), `ids` (code
//! hashes and contract ids), `error` ([`StoreError`]).

pub mod merkle;
pub mod records;
pub mod redb_store;
pub mod store;
pub mod wal_store;

mod admission;
mod dump;
mod error;
mod ids;

pub use admission::CodeValidator;
pub use dump::{ContractStorage, DumpError, StateDump, VerifiedDump};
pub use error::StoreError;
pub use ids::{CodeHash, blake2b_256, contract_id};
pub use merkle::{Proof, Root};
pub use records::{RecordEntry, RecordStore, RecordWrites};
pub use redb_store::{PruneStats, RedbOptions, RedbStats, RedbStore, Snapshot, VersionInfo};
pub use store::{ChangeSet, ContractRecord, MemoryStore, StateStore, StorageChanges};
pub use wal_store::{WalOptions, WalStats, WalStore};
