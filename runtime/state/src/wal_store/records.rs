//! [`RecordStore`] for [`WalStore`]: the records table written in the transaction that appends
//! the commit's log record. Records are not in the log record nor in checkpoints: a checkpoint
//! holds the state, and a block log that grows without end would make every checkpoint larger.

use super::WalStore;
use crate::error::StoreError;
use crate::merkle::Root;
use crate::records::{
    RECORDS, RecordEntry, RecordStore, RecordTables, RecordWrites, read_last_record, read_record,
};
use crate::store::ChangeSet;
use redb::ReadableDatabase;

impl WalStore {
    /// Write `records` in a transaction of their own: the commit of an empty change set with
    /// records (no log record, the version stays; their undo entries belong to `next`, the
    /// version the next commit makes). Nothing to do without records.
    pub(super) fn write_records_alone(
        &self,
        next: u64,
        records: &RecordWrites,
    ) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        {
            let mut tables = RecordTables::open(&txn, &self.path)?;
            crate::records::write_records(&mut tables, next, records, &self.path)?;
        }
        self.finish(txn, &self.fail_next_commit, "commit")
    }
}

impl RecordStore for WalStore {
    fn commit_with_records(
        &self,
        base: Root,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError> {
        self.commit_checked(Some(base), changes, records)
    }

    fn record(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
        let table = txn.open_table(RECORDS).map_err(|e| self.db_error(e))?;
        read_record(&table, key, &self.path)
    }

    fn last_record(&self, prefix: &[u8]) -> Result<Option<RecordEntry>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
        let table = txn.open_table(RECORDS).map_err(|e| self.db_error(e))?;
        read_last_record(&table, prefix, &self.path)
    }
}
