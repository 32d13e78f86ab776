//! The store's transaction lookups (transaction hash → height and position), written so that a
//! block's commit does not insert one random key per transaction into a large table.
//!
//! **Why.** A lookup keyed by its hash lands anywhere in the records' B-tree: once the table
//! holds more leaf pages than a block has transactions, each of a block's ≈ 800 lookups dirties
//! a page of its own, and the commit writes (and checksums, and syncs) ≈ 800 pages, whatever
//! the block's size otherwise. Measured with `cargo bench -p state --bench block_commit`: the
//! lookups cost ≈ 7 µs a transaction on an empty store, ≈ 18 at 100,000 stored, ≈ 31 at
//! 400,000, per node, more than the rest of the commit together.
//!
//! **How.** The hashes are split by their first [`BUCKET_BITS`] bits into [`BUCKETS`] buckets;
//! each bucket's keys are one contiguous range of the `t` records. A block writes the lookups
//! of one bucket, `height mod BUCKETS`, as `t` records (its own, and every one the other blocks
//! left pending in that bucket), and the others as one pending record per bucket,
//! `x` ‖ bucket ‖ height → (hash ‖ position (u32 BE))…, in the block's order. So a block inserts
//! about as many `t` records as before, but all in one bucket's range: the pages it dirties are
//! at most that range's, `1 / BUCKETS` of the table, plus one pending record per bucket.
//!
//! **Invariant** (on any chain, after any commit, revert or crash: each block's records are
//! written in its one transaction, and a revert takes them back with the state): a bucket's
//! pending records are those of the blocks after its last merge, the heights in
//! `(tip - BUCKETS, tip]`. A lookup reads the `t` record, then that bucket's pending records of
//! those heights ([`find`]).
//!
//! **Measured** (same bench, `bucketed` column, wall time per transaction per node, on a shared
//! 2-core machine): ≈ 3.1 µs on an empty store, ≈ 3.9 at 100,000 lookups stored, ≈ 7.0 at
//! 400,000, against ≈ 7.9 / 12.4 / 17.3 for a random key each in the same run. A lookup that
//! misses the `t` records reads at most [`BUCKETS`] pending records; so does a commit (its
//! bucket's, to merge them).
//!
//! A store written before pending records holds every lookup as a `t` record: it is read as it
//! is, and its next blocks write the new form. (An earlier binary opening a store of the new
//! form would not find the lookups still pending, at most the last [`BUCKETS`] blocks'.)

use super::store::{TX, hash_key};
use runtime::{RecordWrites, StoreError};

/// Record kind: the lookups of one block and one bucket not yet merged into the `t` records
/// (`x` ‖ bucket ‖ height (u64 BE)).
pub const TX_PENDING: u8 = b'x';
/// Bits of a hash that name its bucket (its first).
pub const BUCKET_BITS: u32 = 5;
/// The buckets: a block merges one, so a lookup stays pending for fewer blocks than this.
pub const BUCKETS: u64 = 1 << BUCKET_BITS;
/// Bytes of one pending lookup: the hash, then the position (u32 BE).
const ENTRY: usize = 36;

/// The bucket of `hash`.
pub fn bucket(hash: &[u8; 32]) -> u8 {
    hash[0] >> (8 - BUCKET_BITS)
}

/// The key of bucket `bucket`'s pending record of block `height`.
pub fn pending_key(bucket: u8, height: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(10);
    key.push(TX_PENDING);
    key.push(bucket);
    key.extend_from_slice(&height.to_be_bytes());
    key
}

/// The bucket block `height` merges.
fn merged_at(height: u64) -> u8 {
    // `BUCKETS` fits a u8.
    (height % BUCKETS) as u8
}

/// A `t` record's value: `height` ‖ `index`.
fn location(height: u64, index: u32) -> Vec<u8> {
    let mut at = Vec::with_capacity(12);
    at.extend_from_slice(&height.to_be_bytes());
    at.extend_from_slice(&index.to_be_bytes());
    at
}

/// The heights whose pending records may still be there at `tip`, newest first.
fn pending_heights(tip: u64) -> impl Iterator<Item = u64> {
    (tip.saturating_sub(BUCKETS - 1).max(1)..=tip).rev()
}

/// The lookup records of block `height`, whose transactions' hashes are `hashes` (in the
/// block's order), added to `records`: its merged bucket's lookups and the pending ones of that
/// bucket (read with `read`, then deleted) as `t` records, the other buckets' as pending
/// records.
///
/// # Errors
/// `read`'s, or a pending record whose length is not a whole number of lookups.
pub fn block_records<'a>(
    height: u64,
    hashes: impl Iterator<Item = &'a [u8; 32]>,
    read: impl Fn(&[u8]) -> Result<Option<Vec<u8>>, StoreError>,
    corrupt: impl Fn(&str) -> StoreError,
    records: &mut RecordWrites,
) -> Result<(), StoreError> {
    let merged = merged_at(height);
    let mut pending: Vec<Vec<u8>> = vec![Vec::new(); BUCKETS as usize];
    for (i, hash) in hashes.enumerate() {
        let index = u32::try_from(i).map_err(|_| corrupt("a block of 2^32 transactions"))?;
        let b = bucket(hash);
        if b == merged {
            records.insert(hash_key(TX, hash), Some(location(height, index)));
        } else {
            let entry = &mut pending[usize::from(b)];
            entry.extend_from_slice(hash);
            entry.extend_from_slice(&index.to_be_bytes());
        }
    }
    for (b, entries) in pending.into_iter().enumerate() {
        if !entries.is_empty() {
            // `b` < `BUCKETS`, which fits a u8.
            records.insert(pending_key(b as u8, height), Some(entries));
        }
    }
    for h in pending_heights(height.saturating_sub(1)) {
        let key = pending_key(merged, h);
        let Some(bytes) = read(&key)? else {
            continue;
        };
        for (hash, index) in entries(&bytes).ok_or_else(|| corrupt("pending lookups"))? {
            records.insert(hash_key(TX, hash), Some(location(h, index)));
        }
        records.insert(key, None);
    }
    Ok(())
}

/// The lookups of a pending record, `None` if it is not a whole number of them.
fn entries(bytes: &[u8]) -> Option<impl Iterator<Item = (&[u8; 32], u32)>> {
    bytes.len().is_multiple_of(ENTRY).then(|| {
        bytes.chunks_exact(ENTRY).filter_map(|entry| {
            let (hash, index) = entry.split_first_chunk::<32>()?;
            Some((hash, u32::from_be_bytes(index.try_into().ok()?)))
        })
    })
}

/// Where the transaction `hash` was included, with the store's tip at `tip`: its `t` record,
/// else its bucket's pending records (see the [module docs](self)).
///
/// # Errors
/// `read`'s, or a record that does not decode.
pub fn find(
    hash: &[u8; 32],
    tip: u64,
    read: impl Fn(&[u8]) -> Result<Option<Vec<u8>>, StoreError>,
    corrupt: impl Fn(&str) -> StoreError,
) -> Result<Option<(u64, usize)>, StoreError> {
    if let Some(bytes) = read(&hash_key(TX, hash))? {
        let bad = || corrupt("transaction lookup");
        let height = bytes.get(..8).ok_or_else(bad)?;
        let index = bytes.get(8..12).ok_or_else(bad)?;
        let height = u64::from_be_bytes(height.try_into().map_err(|_| bad())?);
        let index = u32::from_be_bytes(index.try_into().map_err(|_| bad())?);
        return Ok(Some((height, index as usize)));
    }
    let b = bucket(hash);
    for h in pending_heights(tip) {
        let Some(bytes) = read(&pending_key(b, h))? else {
            continue;
        };
        let mut found = entries(&bytes).ok_or_else(|| corrupt("pending lookups"))?;
        if let Some((_, index)) = found.find(|(x, _)| *x == hash) {
            return Ok(Some((h, index as usize)));
        }
    }
    Ok(None)
}

/// The deletions of block `height`'s pending records (a revert dropping the block).
pub fn drop_block(height: u64, records: &mut RecordWrites) {
    for b in 0..BUCKETS {
        records.insert(pending_key(b as u8, height), None);
    }
}
