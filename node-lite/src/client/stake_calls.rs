//! The genesis `stake` contract's calls, as transactions (entry points in
//! `contracts/stake/src/lib.rs`):
//!
//! - stake: `transfer.approve(stake contract, amount)` then `stake.stake(key, amount,
//!   proof_of_possession)` — the contract pulls the tokens with `transfer_from`, and the proof of
//!   possession is the provisioner key's BLS signature over
//!   `proof_of_possession_message(owner, stake contract)`, so staking needs the provisioner's
//!   secret (its seed);
//! - `stake.unstake(key, amount)` and `stake.renew(key)`: the owner names the key (its public
//!   key, or the seed it derives from).

use super::ClientError;
use super::signer::Gas;
use crate::chain::Payload;
use crate::chain::keys::provisioner_key;
use crate::chain::tx::TX_INTRINSIC_GAS;
use crate::genesis::{GENESIS_CALL_GAS, ProvisionerKey};
use crate::node_api::ChainInfo;
use borsh::BorshSerialize;
use genesis_types::BlsPublicKey;
use genesis_types::stake::proof_of_possession_message;
use host_api::limits::BLS_PUBLIC_KEY_BYTES;
use host_api::{Address, ContractId};

/// Gas of a `stake` call without `--gas`: a genesis call's budget (it verifies a BLS
/// signature and moves tokens) and the intrinsic gas. A stake cannot be dry-run before its
/// approval is in a block.
pub const STAKE_GAS: u64 = TX_INTRINSIC_GAS + GENESIS_CALL_GAS;

/// A genesis contract's id, by name, from `GET /chain`.
///
/// # Errors
/// [`ClientError::Transport`] when the node does not list it or its id is not 32 bytes.
pub fn genesis_contract(info: &ChainInfo, name: &str) -> Result<ContractId, ClientError> {
    let (_, id) = info
        .contracts
        .iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| ClientError::Transport(format!("the node lists no `{name}` contract")))?;
    let bytes: Option<[u8; 32]> = hex::decode(id).ok().and_then(|b| b.try_into().ok());
    bytes.map(ContractId).ok_or_else(|| {
        ClientError::Transport(format!(
            "the `{name}` contract's id is not 32 bytes of hex: {id}"
        ))
    })
}

/// A provisioner's public key from hex (`0x` optional).
///
/// # Errors
/// [`ClientError::Input`] when it is not [`BLS_PUBLIC_KEY_BYTES`] bytes of hex.
pub fn public_key(hex_text: &str) -> Result<BlsPublicKey, ClientError> {
    let digits = hex_text.strip_prefix("0x").unwrap_or(hex_text);
    let bytes = hex::decode(digits)
        .map_err(|e| ClientError::Input(format!("--provisioner is not hex: {e}")))?;
    let array: [u8; BLS_PUBLIC_KEY_BYTES] = bytes.try_into().map_err(|b: Vec<u8>| {
        ClientError::Input(format!(
            "--provisioner must be {BLS_PUBLIC_KEY_BYTES} bytes, got {}",
            b.len()
        ))
    })?;
    Ok(BlsPublicKey(array))
}

/// The provisioner key a genesis file's `seed` derives (`chain::keys::provisioner_key`).
pub fn key_from_seed(seed: &str) -> ProvisionerKey {
    provisioner_key(seed)
}

fn encode<T: BorshSerialize>(value: &T) -> Result<Vec<u8>, ClientError> {
    borsh::to_vec(value).map_err(|e| ClientError::Input(format!("cannot encode arguments: {e}")))
}

fn call(contract: ContractId, function: &str, args: Vec<u8>) -> Payload {
    Payload::Call {
        contract,
        function: function.into(),
        args,
    }
}

/// The two transactions of a stake of `amount` under `key` by `owner`, with their gas.
///
/// # Errors
/// An encoding failure.
pub fn stake(
    transfer: ContractId,
    stake: ContractId,
    key: &ProvisionerKey,
    owner: Address,
    amount: u128,
) -> Result<[(Payload, Gas); 2], ClientError> {
    let approve = encode(&(Address::from(stake), amount))?;
    let pop = key.sign(&proof_of_possession_message(&owner, &stake));
    let args = encode(&(key.public, amount, pop))?;
    Ok([
        (call(transfer, "approve", approve), Gas::Estimate),
        (call(stake, "stake", args), Gas::Fixed(STAKE_GAS)),
    ])
}

/// `stake.unstake(key, amount)`.
///
/// # Errors
/// An encoding failure.
pub fn unstake(stake: ContractId, key: BlsPublicKey, amount: u128) -> Result<Payload, ClientError> {
    Ok(call(stake, "unstake", encode(&(key, amount))?))
}

/// `stake.renew(key)`.
///
/// # Errors
/// An encoding failure.
pub fn renew(stake: ContractId, key: BlsPublicKey) -> Result<Payload, ClientError> {
    Ok(call(stake, "renew", encode(&key)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stake_arguments_are_the_contracts_borsh() {
        let key = key_from_seed("provisioner-0");
        let owner = Address([3; 32]);
        let [(approve, g1), (stake_tx, g2)] =
            stake(ContractId([1; 32]), ContractId([2; 32]), &key, owner, 5000).unwrap();
        assert_eq!((g1, g2), (Gas::Estimate, Gas::Fixed(STAKE_GAS)));
        let Payload::Call { function, args, .. } = approve else {
            panic!("a call")
        };
        assert_eq!(function, "approve");
        assert_eq!(args, [&[2u8; 32][..], &5000u128.to_le_bytes()].concat());
        let Payload::Call { function, args, .. } = stake_tx else {
            panic!("a call")
        };
        assert_eq!(function, "stake");
        let (k, amount, _pop): (BlsPublicKey, u128, genesis_types::BlsSignature) =
            borsh::from_slice(&args).unwrap();
        assert_eq!((k, amount), (key.public, 5000));
        let hex_key = hex::encode(key.public.0);
        assert_eq!(public_key(&format!("0x{hex_key}")).unwrap(), key.public);
        assert!(public_key(&hex_key[2..]).is_err());
    }
}
