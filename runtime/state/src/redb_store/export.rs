//! [`RedbStore::dump`]: the content of the current version as a [`StateDump`].

use super::{
    CODE, CONTRACTS, ROOTS, RedbStore, STORAGE, corrupt, db_error, decode_record, head_of,
};
use crate::dump::StateDump;
use crate::error::StoreError;
use host_api::ContractId;
use redb::{ReadableDatabase, ReadableTable};
use std::sync::Arc;

impl RedbStore {
    /// The whole current state (code, records, storage), read in one read transaction, so it is
    /// one consistent version. Costs a read of all of it, and the hashing of its merkle root,
    /// which must be the root the database records for that version: a dump is how a state
    /// leaves this store, so a file whose content does not match its recorded root (damaged, or
    /// altered by something else) is refused here rather than passed on.
    ///
    /// # Errors
    /// When the database fails, a record does not decode, or the content's root is not the
    /// recorded one ([`StoreError::Corrupt`]).
    pub fn dump(&self) -> Result<StateDump, StoreError> {
        let path = self.path.as_str();
        let e = |e: redb::StorageError| db_error(path, e);
        let txn = self.db.begin_read().map_err(|e| db_error(path, e))?;
        let mut dump = StateDump::default();
        let contracts = txn.open_table(CONTRACTS).map_err(|e| db_error(path, e))?;
        for entry in contracts.iter().map_err(e)? {
            let (id, record) = entry.map_err(e)?;
            let record = decode_record(record.value(), path)?;
            dump.contracts.insert(ContractId(id.value()), record);
        }
        let code = txn.open_table(CODE).map_err(|e| db_error(path, e))?;
        for record in dump.contracts.values() {
            let hash = record.code_hash();
            if dump.code.contains_key(&hash) {
                continue;
            }
            let bytes = code
                .get(hash.0)
                .map_err(e)?
                .ok_or_else(|| StoreError::MissingCode(hash.to_string()))?;
            dump.code.insert(hash, Arc::from(bytes.value()));
        }
        let storage = txn.open_table(STORAGE).map_err(|e| db_error(path, e))?;
        for entry in storage.iter().map_err(e)? {
            let (key, value) = entry.map_err(e)?;
            let key = key.value();
            let id: [u8; 32] = key
                .get(..32)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| corrupt(path, "storage key shorter than a contract id".into()))?;
            dump.storage
                .entry(ContractId(id))
                .or_default()
                .insert(key[32..].to_vec(), value.value().to_vec());
        }
        let recorded = head_of(&txn.open_table(ROOTS).map_err(|e| db_error(path, e))?, path)?;
        let content = dump.root();
        if content != recorded.root {
            return Err(corrupt(
                path,
                format!(
                    "version {} records root {} but its content hashes to {}: the file is damaged or was altered",
                    recorded.version, recorded.root, content
                ),
            ));
        }
        Ok(dump)
    }
}
