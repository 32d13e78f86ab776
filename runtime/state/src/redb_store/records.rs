//! [`RecordStore`] for [`RedbStore`]: the records table written in the commit's transaction.

use super::{RedbStore, db_error};
use crate::error::StoreError;
use crate::merkle::Root;
use crate::records::{
    RECORDS, RecordEntry, RecordStore, RecordWrites, read_last_record, read_record,
};
use crate::store::ChangeSet;
use redb::ReadableDatabase;

impl RecordStore for RedbStore {
    fn commit_with_records(
        &self,
        base: Root,
        changes: ChangeSet,
        records: &RecordWrites,
    ) -> Result<Root, StoreError> {
        self.commit_checked(Some(base), changes, records)
    }

    fn record(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| db_error(&self.path, e))?;
        let table = txn
            .open_table(RECORDS)
            .map_err(|e| db_error(&self.path, e))?;
        read_record(&table, key, &self.path)
    }

    fn last_record(&self, prefix: &[u8]) -> Result<Option<RecordEntry>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| db_error(&self.path, e))?;
        let table = txn
            .open_table(RECORDS)
            .map_err(|e| db_error(&self.path, e))?;
        read_last_record(&table, prefix, &self.path)
    }
}
