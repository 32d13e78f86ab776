//! Roots before commit: [`RedbStore`]'s [`root_after`](crate::StateStore::root_after), the
//! root a change set would give over the head or over any retained version, computed in a read
//! transaction with the new merkle nodes held in memory (see [`merkle::root_after`]).

use super::{ROOTS, RedbStore, VersionInfo, head_of, versions_of};
use crate::error::StoreError;
use crate::merkle::{self, Root};
use crate::redb_store::nodes::ReadNodes;
use crate::store::ChangeSet;

impl RedbStore {
    /// The root `changes` would give over `base`, the root of the head or of a retained version
    /// (the latest one with that root; equal roots are equal trees), in one read transaction:
    /// nothing is written, so the file keeps its bytes. See
    /// [`StateStore::root_after`](crate::StateStore::root_after).
    pub(super) fn root_after_retained(
        &self,
        base: Root,
        changes: &ChangeSet,
    ) -> Result<Root, StoreError> {
        let txn = self.read()?;
        let roots = self.read_table(&txn, ROOTS)?;
        let head = head_of(&roots, &self.path)?;
        let over: VersionInfo = if head.root == base {
            head
        } else {
            versions_of(&roots, &self.path)?
                .into_iter()
                .rev()
                .find(|v| v.root == base)
                .ok_or(StoreError::BaseMoved {
                    base,
                    current: head.root,
                })?
        };
        let nodes = ReadNodes::open(&txn, &self.path)?;
        let root = merkle::root_after(&nodes, over.root_ref(), changes.leaf_updates(false))?;
        Ok(Root(root.hash))
    }
}
