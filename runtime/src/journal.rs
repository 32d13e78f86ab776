//! The journal: storage writes layered by call frame.
//!
//! A call pushes a frame; its writes go to that frame; reads look through the frames from the
//! top, then fall back to the store. A successful call merges its frame into the one below; a
//! failed call drops it, so a failure leaves storage exactly as it was. The bottom frame holds
//! the session's uncommitted writes.

use crate::state::StorageChanges;
use host_api::ContractId;
use std::collections::BTreeMap;

type Frame = BTreeMap<ContractId, StorageChanges>;

/// Storage writes layered by call frame. Always holds its bottom (session) frame: built only
/// by [`new`](Self::new), never by a `Default` that would leave it without one (where writes
/// would vanish).
#[derive(Debug)]
pub struct Journal {
    frames: Vec<Frame>,
}

impl Journal {
    /// A journal with its bottom (session) frame.
    pub fn new() -> Self {
        Self {
            frames: vec![Frame::new()],
        }
    }

    /// Open a frame for a call.
    pub fn push_frame(&mut self) {
        self.frames.push(Frame::new());
    }

    /// The call succeeded: merge its frame into the one below.
    pub fn commit_frame(&mut self) {
        if self.frames.len() < 2 {
            return;
        }
        if let Some(top) = self.frames.pop()
            && let Some(below) = self.frames.last_mut()
        {
            for (id, writes) in top {
                below.entry(id).or_default().extend(writes);
            }
        }
    }

    /// The call failed: drop its writes.
    pub fn revert_frame(&mut self) {
        if self.frames.len() >= 2 {
            self.frames.pop();
        }
    }

    /// The journal's view of a key: `Some(Some(v))` written, `Some(None)` removed, `None`
    /// untouched (ask the store).
    pub fn read(&self, id: &ContractId, key: &[u8]) -> Option<Option<&[u8]>> {
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.get(id).and_then(|m| m.get(key)))
            .map(|v| v.as_deref())
    }

    /// Whether a frame of the running call tree (any frame above the session's) has written
    /// or removed `key` of `id`: its commit is then already paid for in this tree (see
    /// [`PriceTable::storage_commit_per_key`](crate::PriceTable::storage_commit_per_key)).
    /// Writes of earlier calls of the session, and of frames that failed, do not count.
    pub fn dirty_in_call_tree(&self, id: &ContractId, key: &[u8]) -> bool {
        self.frames
            .iter()
            .skip(1)
            .any(|f| f.get(id).is_some_and(|m| m.contains_key(key)))
    }

    /// Write (or with `None`, remove) a key in the top frame.
    pub fn write(&mut self, id: ContractId, key: Vec<u8>, value: Option<Vec<u8>>) {
        if let Some(top) = self.frames.last_mut() {
            top.entry(id).or_default().insert(key, value);
        }
    }

    /// The session's writes (call frames must be closed), left in place.
    pub fn session_writes(&self) -> &BTreeMap<ContractId, StorageChanges> {
        debug_assert_eq!(self.frames.len(), 1, "a call frame is still open");
        &self.frames[0]
    }

    /// Take the session's writes (call frames must be closed), leaving the journal empty.
    pub fn take_session_writes(&mut self) -> BTreeMap<ContractId, StorageChanges> {
        debug_assert_eq!(self.frames.len(), 1, "a call frame is still open");
        std::mem::take(&mut self.frames[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ContractId = ContractId([1; 32]);

    #[test]
    fn failed_frame_leaves_no_trace() {
        let mut j = Journal::new();
        j.write(A, b"k".to_vec(), Some(b"1".to_vec()));
        j.push_frame();
        j.write(A, b"k".to_vec(), Some(b"2".to_vec()));
        j.write(A, b"x".to_vec(), None);
        assert_eq!(j.read(&A, b"k"), Some(Some(&b"2"[..])));
        j.revert_frame();
        assert_eq!(j.read(&A, b"k"), Some(Some(&b"1"[..])));
        assert_eq!(j.read(&A, b"x"), None);
    }

    #[test]
    fn a_key_is_dirty_in_the_call_tree_once_a_live_frame_wrote_it() {
        let mut j = Journal::new();
        // The session's earlier writes belong to other call trees.
        j.write(A, b"old".to_vec(), Some(b"1".to_vec()));
        j.push_frame();
        assert!(!j.dirty_in_call_tree(&A, b"old"));
        j.write(A, b"k".to_vec(), Some(b"1".to_vec()));
        j.push_frame();
        assert!(j.dirty_in_call_tree(&A, b"k"), "written by an outer frame");
        j.write(A, b"gone".to_vec(), None);
        assert!(
            j.dirty_in_call_tree(&A, b"gone"),
            "a removal dirties it too"
        );
        j.revert_frame();
        assert!(
            !j.dirty_in_call_tree(&A, b"gone"),
            "the frame that did failed"
        );
        assert!(!j.dirty_in_call_tree(&ContractId([2; 32]), b"k"));
        j.commit_frame();
        assert!(!j.dirty_in_call_tree(&A, b"k"), "the tree ended");
    }

    #[test]
    fn committed_frame_merges_down() {
        let mut j = Journal::new();
        j.push_frame();
        j.write(A, b"k".to_vec(), Some(b"2".to_vec()));
        j.write(A, b"gone".to_vec(), None);
        j.commit_frame();
        assert_eq!(j.read(&A, b"gone"), Some(None));
        let writes = j.take_session_writes();
        assert_eq!(writes[&A][&b"k"[..]], Some(b"2".to_vec()));
        assert_eq!(j.read(&A, b"k"), None);
    }
}
