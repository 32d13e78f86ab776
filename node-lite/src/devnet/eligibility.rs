//! The eligible set each node's consensus draws committees from, **read from the chain**: for
//! round `h`, the stake contract's `eligible_set(h)` (heights as contracts see them) evaluated
//! on the state of the round's parent block. The contract computes each key's weight in the
//! epoch of `h` (`StakeInfo::weight_at`): stake counts once matured, stops counting when its
//! window expires unless renewed, and not while suspended. Every node derives the same set from
//! the same parent state, so the set is keyed by (round, parent state root).
//!
//! # Where the sets come from
//! - **After every execution** of a block (a generator's build, a validator's check, or the
//!   execution of an accepted block the node had not executed), [`read_eligible`] runs on the
//!   executed session (`Executed::next_eligible`) and the node
//!   [`records`](ChainEligibility::record) it for the next round under the block's state root.
//!   The same set is stored with the block (`store.rs`, record `e`), so a restart finds the
//!   sets of the rounds it resumes.
//! - **The consensus starts round `h + 1` only once the node has applied block `h`**: it
//!   emits `Accept(h)` and waits for `Input::Applied(h)`, which the node sends after executing
//!   (if it had not) and committing the block (`node.rs`). So every round the node runs, and
//!   every block it checks on its own chain, is drawn from a recorded set: exact, whether the
//!   node executed the parent before its acceptance (a validator) or not (a block accepted on a
//!   quorum it did not have to validate, or received while catching up, several in a row).
//! - **Otherwise** the set is read on the node's committed state. That is exact when the
//!   committed state is the parent's (genesis, a restart), and the set is then recorded. The one
//!   case left is a block of **another branch** whose parent is another block of that branch
//!   (the consensus checks such blocks before deciding to follow that branch, and this node
//!   executed none of them): the answer is the committed state's view of that round, which
//!   differs from the exact set only if a block of the other branch changed the eligibility of
//!   that epoch. Such answers are counted and compared with the exact set once it is known
//!   ([`ChainEligibility::wrong_answers`], `DevnetHandle::node_approximate_sets`); a branch the
//!   node then follows is executed block by block on `Accept`, each checked against its header's
//!   state root, and its rounds are drawn from exact sets again.
//!
//! Why the wait rather than executing a block when its set is first asked for: the consensus
//! asks from inside its `handle` step, before the node has performed that step's `Accept`; and
//! when several blocks are accepted in one step (a node catching up replays the blocks and
//! votes it buffered), the second block's parent state exists only after the first block is
//! executed and committed, which a runtime session over uncommitted writes cannot stand in
//! for. Waiting costs nothing in the devnet (the node sends `Applied` in the same drain of its
//! inputs, before any network message) and keeps the consensus free of I/O: the driver still
//! performs every output, the machine only waits for one more answer.
//!
//! # Keys no node of this process holds
//! A stake made after genesis through the API (`tx stake`) has a key whose secret no running
//! provisioner holds. It is eligible like any other: drawn as generator, given committee
//! credits. It never proposes nor votes, so its iterations fail (`NoCandidate`, reported to the
//! stake contract's `missed` like any absent generator, which suspends it after `miss_limit`
//! misses in a row) and its credits are missing from the quorums: the chain goes on as long as
//! the running provisioners hold more than 2/3 of the eligible stake (as with a provisioner
//! taken offline).

use super::keys::ConsensusKeys;
use genesis_types::BlsPublicKey;
use genesis_types::committee::CommitteeParams;
use genesis_types::stake::{Eligible, StakeError};
use host_api::ContractId;
use parking_lot::Mutex;
use runtime::{BlockInfo, Runtime, Session, StateStore};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Sets a node keeps in memory (the rounds above its last final block need theirs; the API's
/// committee queries read the stored ones).
pub const RETAINED_SETS: usize = 1_024;

/// Gas for one `eligible_set` query (a storage read per staked key).
pub const ELIGIBLE_SET_GAS: u64 = crate::genesis::GENESIS_CALL_GAS;

/// Why the eligible set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EligibilityError {
    /// The call did not run or failed.
    #[error("stake.eligible_set({height}): {error}")]
    Call {
        /// The height asked for (contract heights).
        height: u64,
        /// Why.
        error: String,
    },
    /// The contract answered something that does not decode.
    #[error("stake.eligible_set({height}) answered undecodable data: {error}")]
    Decode {
        /// The height asked for.
        height: u64,
        /// Why.
        error: String,
    },
    /// The contract refused.
    #[error("stake.eligible_set({height}): {error:?}")]
    Contract {
        /// The height asked for.
        height: u64,
        /// Its error.
        error: StakeError,
    },
}

/// The stake contract's eligible set at contract height `height`, read on `session` (stake
/// keys, sorted by key, each with its weight).
///
/// # Errors
/// See [`EligibilityError`].
pub fn read_eligible(
    session: &mut Session,
    stake: ContractId,
    height: u64,
) -> Result<Vec<Eligible>, EligibilityError> {
    let args = borsh::to_vec(&height).unwrap_or_default();
    let call = |error: String| EligibilityError::Call { height, error };
    let receipt = session
        .call_protocol(stake, "eligible_set", &args, ELIGIBLE_SET_GAS)
        .map_err(|e| call(e.to_string()))?;
    match receipt.result {
        Ok(bytes) => borsh::from_slice(&bytes).map_err(|e| EligibilityError::Decode {
            height,
            error: e.to_string(),
        }),
        Err(runtime::CallError::Reverted(bytes)) => {
            let error = borsh::from_slice(&bytes).map_err(|e| EligibilityError::Decode {
                height,
                error: e.to_string(),
            })?;
            Err(EligibilityError::Contract { height, error })
        }
        Err(e) => Err(call(e.to_string())),
    }
}

/// Reads sets from a node's committed state (genesis, a restart, another branch's blocks: see
/// the module docs).
pub struct StateReader {
    /// The runtime.
    pub runtime: Runtime,
    /// The node's committed state.
    pub store: Arc<dyn StateStore>,
    /// The stake contract.
    pub stake: ContractId,
    /// Contracts see consensus height `h` as `h + height_offset`.
    pub height_offset: u64,
}

impl StateReader {
    /// The committed state's root and its set for consensus round `round` (stake keys).
    fn read(&self, round: u64) -> Option<([u8; 32], Vec<Eligible>)> {
        let root = self.store.root().ok()?.0;
        let mut session = self
            .runtime
            .session(self.store.clone(), BlockInfo::default());
        let set = read_eligible(&mut session, self.stake, round + self.height_offset).ok()?;
        Some((root, set))
    }
}

/// Sets by (round, parent state root), consensus keys.
type Sets = BTreeMap<(u64, [u8; 32]), Arc<Vec<Eligible>>>;

/// One node's source of eligible sets (see the [module docs](self)); the consensus reads it
/// through [`consensus::Eligibility`].
pub struct ChainEligibility {
    params: CommitteeParams,
    /// Stake key → consensus key (empty with BLS).
    to_consensus: BTreeMap<BlsPublicKey, BlsPublicKey>,
    sets: Mutex<Sets>,
    /// Answers given without the exact set (the parent not executed by this node), kept to be
    /// compared with the exact set once it is known ([`Self::wrong_answers`]).
    approximate: Mutex<Sets>,
    reader: StateReader,
}

impl ChainEligibility {
    /// A node's eligibility over its committed state (`reader`), with `keys`' map.
    pub fn new(params: CommitteeParams, keys: &ConsensusKeys, reader: StateReader) -> Self {
        ChainEligibility {
            params,
            to_consensus: keys.stake_to_consensus(),
            sets: Mutex::new(BTreeMap::new()),
            approximate: Mutex::new(BTreeMap::new()),
            reader,
        }
    }

    /// `set` (stake keys) as consensus keys, sorted by key.
    fn to_consensus_keys(&self, set: &[Eligible]) -> Arc<Vec<Eligible>> {
        let mut out: Vec<Eligible> = set
            .iter()
            .map(|e| Eligible {
                key: self.to_consensus.get(&e.key).copied().unwrap_or(e.key),
                weight: e.weight,
            })
            .collect();
        out.sort_by_key(|e| e.key);
        Arc::new(out)
    }

    /// Records the set (stake keys) of `round` whose parent's state root is `parent_root`.
    pub fn record(&self, round: u64, parent_root: [u8; 32], set: &[Eligible]) {
        let converted = self.to_consensus_keys(set);
        let mut sets = self.sets.lock();
        sets.insert((round, parent_root), converted);
        while sets.len() > RETAINED_SETS {
            sets.pop_first();
        }
    }

    /// The recorded set of `round` over `parent_root` (consensus keys), if any.
    pub fn recorded(&self, round: u64, parent_root: &[u8; 32]) -> Option<Arc<Vec<Eligible>>> {
        self.sets.lock().get(&(round, *parent_root)).cloned()
    }

    /// How many answers were given without the exact set (see the [module docs](self)).
    pub fn approximate_answers(&self) -> usize {
        self.approximate.lock().len()
    }

    /// The answers given without the exact set that differ from the exact set recorded since:
    /// (round, parent state root), each a committee drawn from the wrong provisioners.
    pub fn wrong_answers(&self) -> Vec<(u64, [u8; 32])> {
        let approximate = self.approximate.lock();
        let sets = self.sets.lock();
        approximate
            .iter()
            .filter(|(key, answer)| sets.get(key).is_some_and(|exact| exact != *answer))
            .map(|(key, _)| *key)
            .collect()
    }

    /// How many sets are held.
    pub fn len(&self) -> usize {
        self.sets.lock().len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl consensus::Eligibility for ChainEligibility {
    fn eligible(&self, round: u64, parent_state_root: &[u8; 32]) -> Arc<Vec<Eligible>> {
        if let Some(set) = self.recorded(round, parent_state_root) {
            return set;
        }
        match self.reader.read(round) {
            Some((root, set)) => {
                if root == *parent_state_root {
                    self.record(round, root, &set);
                    return self.to_consensus_keys(&set);
                }
                let answer = self.to_consensus_keys(&set);
                let mut approximate = self.approximate.lock();
                approximate.insert((round, *parent_state_root), answer.clone());
                while approximate.len() > RETAINED_SETS {
                    approximate.pop_first();
                }
                answer
            }
            // The store failed (the node is stopping: `NodeStore::fail`): nobody is eligible,
            // so this node proposes and votes nothing.
            None => Arc::new(Vec::new()),
        }
    }

    fn params(&self) -> CommitteeParams {
        self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{GenesisConfig, build_genesis};
    use crate::devnet::keys::Signatures;
    use consensus::Eligibility;
    use runtime::{MemoryStore, RuntimeConfig};

    fn setup() -> (ChainEligibility, [u8; 32], Vec<Eligible>, ConsensusKeys) {
        let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
        let genesis = GenesisConfig::parse(
            crate::chain::genesis_config::DEFAULT_GENESIS_TOML,
            &runtime.config().prices,
        )
        .unwrap();
        let store = Arc::new(MemoryStore::new());
        let built = build_genesis(&runtime, store.clone(), &genesis).unwrap();
        let keys = ConsensusKeys::new(&genesis, 4, Signatures::Fake);
        let mut session = runtime.session(store.clone(), BlockInfo::default());
        let set = read_eligible(
            &mut session,
            built.contracts.genesis.stake,
            built.height + 1,
        )
        .unwrap();
        let eligibility = ChainEligibility::new(
            genesis.committee,
            &keys,
            StateReader {
                runtime: runtime.clone(),
                store,
                stake: built.contracts.genesis.stake,
                height_offset: built.height,
            },
        );
        (eligibility, built.root.0, set, keys)
    }

    #[test]
    fn the_genesis_set_is_the_stakes_and_a_miss_reads_the_committed_state() {
        let (eligibility, root, set, keys) = setup();
        assert_eq!(set.len(), 4);
        assert!(set.iter().all(|e| e.weight == 1_000_000));
        // Not recorded: read from the committed state, which is the parent's: kept.
        assert!(eligibility.is_empty());
        let drawn = eligibility.eligible(1, &root);
        let mut expected: Vec<BlsPublicKey> =
            set.iter().map(|e| keys.consensus_key(&e.key)).collect();
        expected.sort();
        assert_eq!(drawn.iter().map(|e| e.key).collect::<Vec<_>>(), expected);
        assert_eq!(eligibility.len(), 1);
        assert_eq!(eligibility.approximate_answers(), 0);
        // Another parent: the committed state's view, not kept, counted.
        let other = eligibility.eligible(1, &[9; 32]);
        assert_eq!(other, drawn);
        assert_eq!(eligibility.len(), 1);
        assert_eq!(eligibility.approximate_answers(), 1);
        assert!(eligibility.wrong_answers().is_empty(), "no exact set known");
        // The exact set of that parent, once known, shows the answer wrong.
        eligibility.record(1, [9; 32], &set[1..]);
        assert_eq!(eligibility.wrong_answers(), vec![(1, [9; 32])]);
        eligibility.record(1, [9; 32], &set);
        assert!(eligibility.wrong_answers().is_empty());
    }

    #[test]
    fn at_most_retained_sets_are_kept_the_oldest_round_leaves_first() {
        let (eligibility, _, set, _) = setup();
        for round in 1..=RETAINED_SETS as u64 {
            eligibility.record(round, [0; 32], &set);
        }
        assert_eq!(eligibility.len(), RETAINED_SETS);
        assert!(eligibility.recorded(1, &[0; 32]).is_some());
        eligibility.record(RETAINED_SETS as u64 + 1, [0; 32], &set);
        assert_eq!(eligibility.len(), RETAINED_SETS);
        assert!(eligibility.recorded(1, &[0; 32]).is_none());
        assert!(eligibility.recorded(2, &[0; 32]).is_some());
    }
}
