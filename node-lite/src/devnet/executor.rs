//! What a node does with a block's contents: [`BlockItem`]s (signed transactions and devnet
//! mints) run by `chain::execute_block` over a runtime session on the node's store, **left
//! uncommitted**: the session's writes ([`Executed::changes`]) and the root they make (its
//! [`pending root`](runtime::Session::pending_root)) answer the consensus's
//! `BuildCandidate`/`Execute`, and the node commits those writes when the block is accepted or
//! drops them. The nodes of one process share one execution of each candidate
//! (`executions.rs`).
//!
//! **One session per block** ([`execute`]: the mints, the transactions and the protocol's calls,
//! in the block's order): gas depends on it, since a session pays a non-resident module's load
//! once, at the first frame that runs it, and its later calls run the module warm (gas schedule
//! v11, `runtime/src/load.rs`). Every node executes the same items in the same order, so every
//! node charges the same gas. A dry run (`handle.rs`) runs alone in a fresh session and pays
//! the load: its estimate covers the call wherever it lands in a block.
//!
//! A block's opaque transactions (as the consensus carries them) are borsh [`BlockItem`]s:
//! every `Mint` first (a dev control, `NodeApi::fund`: a protocol mint, devnet only), then the
//! transactions. A block whose items do not decode, or put a mint after a transaction, is
//! invalid.

use super::shared::PendingMint;
use crate::chain::block_exec::TxReceipt;
use crate::chain::block_exec::execute_block_hashed;
use crate::chain::{
    BlockContext, BlockOutput, ChainContracts, ExecutionMode, ProtocolInputs, Transaction, TxHash,
};
use crate::genesis::GENESIS_CALL_GAS;
use borsh::{BorshDeserialize, BorshSerialize};
use host_api::Address;
use runtime::{BlockInfo, ChangeSet, Root, Runtime, StateStore};
use std::sync::{Arc, OnceLock};

/// One entry of a block.
#[allow(clippy::large_enum_variant)]
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum BlockItem {
    /// Mint `amount` to `to` (the dev control `fund`).
    Mint {
        /// The devnet's number for it (so every node drops it from its queue once made).
        id: u64,
        /// The payee.
        to: Address,
        /// The amount.
        amount: u128,
    },
    /// A signed transaction.
    Tx(Transaction),
}

/// Why a block's contents could not be executed.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// An item does not decode, or a mint follows a transaction.
    #[error("malformed block item {0}")]
    Malformed(usize),
    /// A mint the transfer contract refused.
    #[error("mint: {0}")]
    Mint(String),
    /// Execution failed (an invalid transaction for a validator, a protocol call, the store).
    #[error(transparent)]
    Block(#[from] crate::chain::BlockError),
    /// The store could not compute the root.
    #[error(transparent)]
    Store(#[from] runtime::StoreError),
    /// The next round's eligible set could not be read.
    #[error(transparent)]
    Eligibility(#[from] super::eligibility::EligibilityError),
}

/// A block's contents, executed and not committed: the writes, and the root they make over
/// the state they were executed on. Cheap to clone (the writes and the receipts are shared), so
/// the nodes of one process can share one execution of a block (`executions.rs`).
#[derive(Clone)]
pub struct Executed {
    /// The root of the state the block was executed over.
    pub base_root: Root,
    /// What committing the block writes (the session's [`changes`](runtime::Session::changes)).
    pub changes: Arc<ChangeSet>,
    /// The items actually in the block (a proposer leaves out refused transactions): the
    /// candidate's list itself, shared (`consensus::Txs`). Empty after [`execute`] in
    /// [`ExecutionMode::Validate`]: a validator keeps the candidate's own list.
    pub items: consensus::Txs,
    /// Receipts and protocol report.
    pub output: Arc<BlockOutput>,
    /// The mints it made: (id, payee, amount).
    pub mints: Vec<PendingMint>,
    /// The post-state root.
    pub root: [u8; 32],
    /// The stake contract's eligible set for the next round, read on the post-state (stake
    /// keys; see `eligibility.rs`).
    pub next_eligible: Vec<genesis_types::stake::Eligible>,
    /// The block's receipts as the store writes them (`NodeStore::commit_block`): encoded by
    /// the first node that commits this execution, shared with the others that take it
    /// (`executions.rs`; they commit the same receipts at the same height).
    pub stored_receipts: Arc<OnceLock<Vec<u8>>>,
}

impl Executed {
    /// The included transactions' receipts.
    pub fn receipts(&self) -> &[TxReceipt] {
        &self.output.receipts
    }
}

/// What is the same for every block of a chain.
pub struct ChainParams {
    /// The runtime.
    pub runtime: Runtime,
    /// The genesis contracts.
    pub contracts: ChainContracts,
    /// The chain id.
    pub chain_id: u64,
    /// The block gas limit.
    pub block_gas_limit: u64,
    /// Tokens each block creates.
    pub emission: u128,
    /// Contracts see consensus height `h` as `h + height_offset` (the genesis state stands at
    /// the genesis file's `genesis_height`).
    pub height_offset: u64,
    /// A generator's wall-clock budget for building a block (`NodeConfig::with_build_budget`;
    /// `BlockContext::build_deadline`): not a chain constant, this devnet's setting.
    pub build_budget: Option<std::time::Duration>,
}

/// Decodes a block's items.
///
/// # Errors
/// [`ExecError::Malformed`].
pub fn decode_items(items: &[Vec<u8>]) -> Result<(Vec<PendingMint>, Vec<Transaction>), ExecError> {
    let mut mints = Vec::new();
    let mut txs = Vec::new();
    for (i, bytes) in items.iter().enumerate() {
        match borsh::from_slice::<BlockItem>(bytes).map_err(|_| ExecError::Malformed(i))? {
            BlockItem::Mint { id, to, amount } if txs.is_empty() => mints.push((id, to, amount)),
            BlockItem::Mint { .. } => return Err(ExecError::Malformed(i)),
            BlockItem::Tx(tx) => txs.push(tx),
        }
    }
    Ok((mints, txs))
}

/// A proposer's block items: the mints, then the transactions that got a receipt, in order.
fn proposed_items(
    mints: &[PendingMint],
    txs: &[Transaction],
    hashes: &[TxHash],
    output: &BlockOutput,
) -> Vec<Vec<u8>> {
    let mut items: Vec<Vec<u8>> = mints
        .iter()
        .map(|(id, to, amount)| {
            encode_item(&BlockItem::Mint {
                id: *id,
                to: *to,
                amount: *amount,
            })
        })
        .collect();
    let included: std::collections::BTreeSet<_> = output.receipts.iter().map(|r| r.hash).collect();
    items.extend(
        txs.iter()
            .zip(hashes)
            .filter(|(_, hash)| included.contains(*hash))
            .map(|(tx, _)| encode_item(&BlockItem::Tx(tx.clone()))),
    );
    items
}

/// Encodes an item.
pub fn encode_item(item: &BlockItem) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    let mut bytes = borsh::to_vec(item).unwrap_or_default();
    // `borsh::to_vec` reserves 1 KiB: a block's items are kept for its life in the retained
    // chain (shared by the nodes, `consensus::Txs`), so each keeps only its length (≈ 230 B for
    // a `counter.increment`, 4.4× less).
    bytes.shrink_to_fit();
    bytes
}

/// Executes a block at consensus height `height` over `store`'s current state, with the
/// protocol inputs `protocol` (its `emission` is the chain's, whatever it holds); `hashes[i]`
/// is `txs[i].hash()`; `verified` says which transactions' signatures this node already
/// checked (see [`execute_block_with`](crate::chain::block_exec::execute_block_with)). Only a
/// proposer's call encodes the block's items ([`Executed::items`]).
///
/// # Panics
/// If `hashes` and `txs` differ in length.
#[allow(clippy::too_many_arguments)]
///
/// # Errors
/// See [`ExecError`]; the session is dropped then.
pub fn execute(
    params: &ChainParams,
    store: Arc<dyn StateStore>,
    height: u64,
    timestamp_ms: u64,
    mut protocol: ProtocolInputs,
    mints: &[PendingMint],
    txs: &[Transaction],
    hashes: &[TxHash],
    mode: ExecutionMode,
    verified: &dyn Fn(&TxHash) -> bool,
) -> Result<Executed, ExecError> {
    let block = BlockContext {
        chain_id: params.chain_id,
        height: height + params.height_offset,
        timestamp_ms,
        block_gas_limit: params.block_gas_limit,
        mode,
        build_deadline: match mode {
            ExecutionMode::Propose => params
                .build_budget
                .and_then(|budget| std::time::Instant::now().checked_add(budget)),
            ExecutionMode::Validate => None,
        },
    };
    let mut session = params.runtime.session(
        store.clone(),
        BlockInfo {
            height: block.height,
            timestamp_ms,
        },
    );
    for (_, to, amount) in mints {
        let args = borsh::to_vec(&(*to, *amount)).unwrap_or_default();
        let r = session
            .call_protocol(
                params.contracts.genesis.transfer,
                "mint",
                &args,
                GENESIS_CALL_GAS,
            )
            .map_err(|e| ExecError::Mint(e.to_string()))?;
        r.result.map_err(|e| ExecError::Mint(e.to_string()))?;
    }
    protocol.emission = params.emission;
    let output = execute_block_hashed(
        &mut session,
        &params.contracts,
        &block,
        txs,
        hashes,
        &protocol,
        verified,
    )?;
    let base_root = session.base_root()?;
    let changes = session.changes();
    // `Session::pending_root` of the changes already taken (it would copy them again).
    let root = store.root_after(base_root, &changes)?.0;
    // A query: it writes nothing, so the root above stays the session's.
    let next_eligible = super::eligibility::read_eligible(
        &mut session,
        params.contracts.genesis.stake,
        block.height + 1,
    )?;
    let items = match mode {
        ExecutionMode::Propose => proposed_items(mints, txs, hashes, &output),
        // A validator keeps the candidate's own items.
        ExecutionMode::Validate => Vec::new(),
    };
    Ok(Executed {
        base_root,
        changes: Arc::new(changes),
        items: Arc::new(items),
        output: Arc::new(output),
        mints: mints.to_vec(),
        root,
        next_eligible,
        stored_receipts: Arc::default(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::chain::block_exec::ProtocolReport;
    use crate::chain::keys::AccountKey;
    use crate::chain::tx::{Payload, UnsignedTx};

    fn tx(key: &AccountKey, nonce: u64) -> Transaction {
        UnsignedTx {
            chain_id: 1,
            sender: key.public(),
            nonce,
            gas_limit: 100_000_000,
            gas_price: 1,
            payload: Payload::Transfer {
                to: Address([7; 32]),
                amount: 5,
            },
        }
        .sign(key)
    }

    /// A block output with nothing in it.
    pub(crate) fn empty_output() -> BlockOutput {
        BlockOutput {
            receipts: Vec::new(),
            excluded: Vec::new(),
            gas_used: 0,
            protocol: ProtocolReport {
                fee_beneficiary: Address([0; 32]),
                rewards: Vec::new(),
                missed: Vec::new(),
                slashes: Vec::new(),
            },
        }
    }

    fn receipt(tx: &Transaction) -> TxReceipt {
        TxReceipt {
            hash: tx.hash(),
            sender: tx.sender(),
            nonce: tx.body.nonce,
            gas_limit: tx.body.gas_limit,
            gas_spent: 0,
            fee_paid: 0,
            result: Ok(Vec::new()),
            deployed: None,
            events: Vec::new(),
        }
    }

    /// A proposer's items are its mints, then exactly the transactions that got a receipt, in
    /// the order given (the hashes passed in name them, not a second hashing).
    #[test]
    fn proposed_items_are_the_mints_then_the_receipted_transactions() {
        let key = AccountKey::from_seed("executor-test");
        let txs: Vec<Transaction> = (0..4).map(|n| tx(&key, n)).collect();
        let hashes: Vec<TxHash> = txs.iter().map(Transaction::hash).collect();
        let output = BlockOutput {
            receipts: vec![receipt(&txs[0]), receipt(&txs[2])],
            ..empty_output()
        };
        let mints = [(9, Address([3; 32]), 11)];
        let items = proposed_items(&mints, &txs, &hashes, &output);
        let (decoded_mints, decoded_txs) = decode_items(&items).unwrap();
        assert_eq!(decoded_mints, mints.to_vec());
        assert_eq!(decoded_txs, vec![txs[0].clone(), txs[2].clone()]);
        // Hashes that do not match the receipts select nothing.
        let wrong = vec![TxHash([0; 32]); txs.len()];
        let items = proposed_items(&[], &txs, &wrong, &output);
        assert!(items.is_empty());
    }

    /// An item holds its length, not the 1 KiB `borsh::to_vec` reserves: blocks keep their
    /// items for as long as the chain retains them.
    #[test]
    fn an_encoded_item_keeps_only_its_bytes() {
        let item = BlockItem::Mint {
            id: 7,
            to: Address([3; 32]),
            amount: 1_000,
        };
        let bytes = encode_item(&item);
        assert_eq!(bytes.capacity(), bytes.len());
        assert_eq!(
            decode_items(&[bytes]).unwrap().0,
            vec![(7, Address([3; 32]), 1_000)]
        );
    }
}
