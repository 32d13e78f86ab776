//! End-to-end tests of the protocol half of the devnet, against `devnet::spawn`: eligibility read
//! from the stake contract (a stake made through the API matures, joins the set the consensus
//! draws from, expires without renewal), absent generators reported to the stake contract, and
//! the committee query.
//!
//! The genesis of these tests has short epochs (2 blocks) and windows (3 epochs) so that a stake
//! matures and expires within a dozen blocks; contracts see consensus height `h` as `h + 1`
//! (the genesis state stands at the last height before the genesis stakes mature), so the
//! epoch of height `h` is `(h + 1) / 2`.

mod devnet_steps;
use devnet_steps::{drawn_from, mine, mine_to, provisioner};
use node_lite::chain::tx::TX_INTRINSIC_GAS;
use node_lite::chain::{AccountKey, Payload, UnsignedTx};
use node_lite::client::stake_calls;
use node_lite::devnet::{BlockMode, DevnetHandle, NodeConfig, spawn};
use node_lite::node_api::{ApiError, NodeApi, ProvisionerView, TxStatus};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(120);

/// The default genesis with 2-block epochs, 3-epoch windows, and `miss_limit`.
fn short_epochs_genesis(dir: &std::path::Path, miss_limit: u32) -> std::path::PathBuf {
    let toml = node_lite::chain::genesis_config::DEFAULT_GENESIS_TOML
        .replace("epoch_length = 100", "epoch_length = 2")
        .replace("eligibility_epochs = 1_000", "eligibility_epochs = 3")
        .replace("miss_limit = 3", &format!("miss_limit = {miss_limit}"));
    assert!(toml.contains("epoch_length = 2") && toml.contains("eligibility_epochs = 3"));
    let path = dir.join("genesis.toml");
    std::fs::write(&path, toml).expect("write the genesis");
    path
}

fn manual_devnet(dir: &tempfile::TempDir, miss_limit: u32) -> DevnetHandle {
    let genesis = short_epochs_genesis(dir.path(), miss_limit);
    spawn(
        NodeConfig::test()
            .with_block_mode(BlockMode::Manual)
            .with_genesis_file(genesis),
    )
    .expect("a devnet starts")
}

struct Sender {
    key: AccountKey,
    nonce: u64,
}

impl Sender {
    /// Signs `payload` and submits it through the API's `POST /tx` path.
    fn submit(&mut self, devnet: &DevnetHandle, payload: Payload, gas_limit: u64) -> String {
        let tx = UnsignedTx {
            chain_id: devnet.chain_info().chain_id,
            sender: self.key.public(),
            nonce: self.nonce,
            gas_limit,
            gas_price: 1,
            payload,
        }
        .sign(&self.key);
        self.nonce += 1;
        devnet
            .submit(&tx.encode())
            .expect("the transaction is accepted")
    }
}

fn contract(devnet: &DevnetHandle, name: &str) -> host_api::ContractId {
    stake_calls::genesis_contract(&devnet.chain_info(), name).expect("a genesis contract")
}

/// Maps a block's generator (a consensus key: the test devnet signs with the consensus crate's
/// fake keys, `devnet/keys.rs`) to the stake key the committee query names.
fn generator_stake_keys(devnet: &DevnetHandle) -> impl Fn(&str) -> String {
    let mut registry = consensus::crypto::fake::FakeKeys::default();
    let map: Vec<(String, String)> = registry
        .generate(devnet.chain_info().chain_id, 4)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            use consensus::Signer;
            let stake = stake_calls::key_from_seed(&format!("provisioner-{i}")).public;
            (hex::encode(s.public_key().0), hex::encode(stake.0))
        })
        .collect();
    move |generator: &str| {
        map.iter()
            .find(|(c, _)| c == generator)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| generator.to_string())
    }
}

/// Renews every genesis provisioner's window (their owners were funded for the fees).
fn renew_genesis(devnet: &DevnetHandle, owners: &mut [Sender]) {
    let stake = contract(devnet, "stake");
    for (i, owner) in owners.iter_mut().enumerate() {
        let key = stake_calls::key_from_seed(&format!("provisioner-{i}")).public;
        let payload = stake_calls::renew(stake, key).expect("renew");
        owner.submit(devnet, payload, TX_INTRINSIC_GAS + 50_000_000);
    }
}

/// Mines blocks until every transaction of `hashes` is included (each successfully); returns
/// the height of the last one.
fn mine_until_included(devnet: &DevnetHandle, hashes: &[String]) -> u64 {
    let mut height = 0;
    for hash in hashes {
        for _ in 0..10 {
            if !matches!(devnet.tx_status(hash), Ok(TxStatus::Pending)) {
                break;
            }
            mine(devnet);
        }
        match devnet.tx_status(hash).expect("a known transaction") {
            TxStatus::Included {
                receipt, height: h, ..
            } => {
                assert!(receipt.success, "{receipt:?}");
                height = height.max(h);
            }
            other => panic!("{hash} not included: {other:?}"),
        }
    }
    height
}

#[test]
fn a_stake_made_through_the_api_becomes_eligible_after_maturity_and_drops_out_when_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = manual_devnet(&dir, 3);
    let mut owners: Vec<Sender> = (0..4)
        .map(|i| Sender {
            key: AccountKey::provisioner_owner(&format!("provisioner-{i}")),
            nonce: 0,
        })
        .collect();
    for owner in &owners {
        devnet
            .fund(&hex::encode(owner.key.public()), "1000000000000")
            .expect("fund an owner for its fees");
    }
    // A dev account stakes a key no node of this process holds. Its share (500,000 of
    // 4,500,000) leaves the running provisioners well above 2/3 of the eligible stake.
    let user_key = stake_calls::key_from_seed("a-user-provisioner");
    let user_hex = hex::encode(user_key.public.0);
    let mut user = Sender {
        key: devnet.dev_key(0).expect("dev account 0").clone(),
        nonce: 0,
    };
    let calls = stake_calls::stake(
        contract(&devnet, "transfer"),
        contract(&devnet, "stake"),
        &user_key,
        host_api::Address(user.key.public()),
        500_000,
    )
    .expect("the stake transactions");
    let hashes: Vec<String> = calls
        .into_iter()
        .map(|(payload, _)| user.submit(&devnet, payload, stake_calls::STAKE_GAS))
        .collect();
    let staked_at = mine_until_included(&devnet, &hashes);
    // Staked at contract height h + 1, in epoch e = (h + 1) / 2: eligible from epoch e + 1
    // (maturity), for 3 epochs.
    let contract_height = staked_at + 1;
    let epoch = contract_height / 2;
    let (from, until) = (2 * (epoch + 1) - 1, 2 * (epoch + 4) - 1);
    let p = provisioner(&devnet, &user_hex).expect("the new stake is listed");
    assert_eq!((p.eligible_from, p.expires_at), (from, until), "{p:?}");
    assert_eq!(p.stake, "500000");
    assert_eq!(p.online, None, "no node of this process holds the key");
    // Until the user's window has closed, the genesis provisioners renew theirs at every block
    // (without renewal they would expire at height 7); a renewal in epoch e keeps a window open
    // until epoch e + 4, past the user's once e is past the staking epoch.
    while devnet.head().height <= until {
        let tip = devnet.head().height;
        let p = provisioner(&devnet, &user_hex).unwrap();
        let expected = (from..until).contains(&(tip + 1));
        assert_eq!(p.eligible, expected, "at height {}: {p:?}", tip + 1);
        assert_eq!(p.weight, if expected { "500000" } else { "0" });
        renew_genesis(&devnet, &mut owners);
        mine(&devnet);
    }
    // The consensus drew exactly the rounds of the window from a set holding the new key; the
    // chain went on although no node signs for it.
    let tip = devnet.head().height;
    let stake_key_of = generator_stake_keys(&devnet);
    for round in 1..=tip {
        let set = drawn_from(&devnet, round);
        assert_eq!(
            set.contains(&user_hex),
            (from..until).contains(&round),
            "round {round}: {set:?}"
        );
        assert!(set.len() >= 4, "the genesis provisioners stay: {set:?}");
        // The generator the consensus accepted is the one this set draws: the consensus
        // itself drew from it (a sortition over another set picks other generators).
        let block = devnet
            .block(node_lite::node_api::BlockRef::Height(round))
            .unwrap();
        let proposal = devnet
            .committee(round, block.iteration, "proposal")
            .unwrap();
        assert_eq!(
            proposal.members,
            vec![(stake_key_of(&block.generator), 1)],
            "round {round}"
        );
    }
    let p = provisioner(&devnet, &user_hex).unwrap();
    assert!(!p.eligible, "expired: {p:?}");
    // Every node holds the same chain, none stopped following it.
    assert!(devnet.wait_until(WAIT, || (0..4).all(|i| devnet.node_tip(i) >= tip)));
    for height in 1..=tip {
        let hashes: Vec<_> = (0..4).map(|i| devnet.node_block_hash(i, height)).collect();
        assert!(
            hashes.iter().all(|h| *h == hashes[0]),
            "{height}: {hashes:?}"
        );
    }
    for i in 0..4 {
        assert_eq!(devnet.node_failure(i), None);
    }
}

#[test]
fn committee_queries_name_the_generator_and_the_revealed_voters_and_refuse_what_is_not_decided() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = manual_devnet(&dir, 3);
    mine_to(&devnet, 3);
    let block = devnet
        .block(node_lite::node_api::BlockRef::Height(3))
        .expect("block 3");
    let genesis_keys: Vec<String> = (0..4)
        .map(|i| {
            hex::encode(
                stake_calls::key_from_seed(&format!("provisioner-{i}"))
                    .public
                    .0,
            )
        })
        .collect();
    let iteration = block.iteration;
    let proposal = devnet.committee(3, iteration, "proposal").unwrap();
    assert_eq!(proposal.total_credits, 1);
    assert_eq!(proposal.members.len(), 1);
    assert!(
        genesis_keys.contains(&proposal.members[0].0),
        "{proposal:?}"
    );
    assert_eq!(proposal.members[0].1, 1);
    assert_eq!(proposal.provisioners.len(), 4);
    for step in ["validation", "ratification"] {
        let c = devnet.committee(3, iteration, step).unwrap();
        assert_eq!(c.total_credits, 64);
        // The decided iteration's attestation holds a supermajority of the expected 64 credits
        // (43), from genesis keys only.
        let credits: u32 = c.members.iter().map(|(_, c)| c).sum();
        assert!(credits >= 43, "{step}: {c:?}");
        assert!(c.members.iter().all(|(k, _)| genesis_keys.contains(k)));
    }
    // Not decided, past the deciding iteration, genesis, a bad step.
    assert!(matches!(
        devnet.committee(4, 0, "proposal"),
        Err(ApiError::NotFound(_))
    ));
    assert!(matches!(
        devnet.committee(3, iteration + 1, "validation"),
        Err(ApiError::NotFound(_))
    ));
    assert!(matches!(
        devnet.committee(0, 0, "proposal"),
        Err(ApiError::NotFound(_))
    ));
    assert!(matches!(
        devnet.committee(3, 0, "vote"),
        Err(ApiError::BadRequest(_))
    ));
}

#[test]
fn an_offline_provisioner_is_reported_absent_and_loses_only_its_rewards_while_the_chain_finalizes()
{
    let devnet =
        spawn(NodeConfig::test().with_block_mode(BlockMode::Manual)).expect("a devnet starts");
    let key3 = hex::encode(stake_calls::key_from_seed("provisioner-3").public.0);
    mine_to(&devnet, 2);
    let online = provisioner(&devnet, &key3).expect("provisioner 3");
    assert_eq!(online.missed, 0, "nothing missed while online: {online:?}");
    devnet
        .set_online(3, false)
        .expect("take provisioner 3 offline");
    // The next block still includes provisioner 3's votes for the last block it saw (its
    // `prev_attestation`): the last reward it earns. It may already report provisioner 3
    // absent, if the draw made it that round's first generator.
    let offline_from = mine(&devnet);
    let before = provisioner(&devnet, &key3).expect("provisioner 3");
    assert_eq!(before.online, Some(false));
    let finalized_before = devnet.head().finalized_height;
    // Mine until a block reports it absent: a generator drawn for an iteration it cannot
    // propose in (`NoCandidate`), which the next iteration's block lists.
    let mut reported = (before.missed > 0 || before.suspended).then(|| before.clone());
    for _ in 0..40 {
        if reported.is_some() {
            break;
        }
        mine(&devnet);
        let p = provisioner(&devnet, &key3).unwrap();
        if p.missed > 0 || p.suspended {
            reported = Some(p);
            break;
        }
    }
    let after = reported.expect("provisioner 3 reported absent within 40 blocks");
    // A block after it went offline lists the iteration it missed.
    let tip = devnet.head().height;
    let missed_in = (offline_from..=tip).find(|round| {
        let block = devnet
            .block(node_lite::node_api::BlockRef::Height(*round))
            .unwrap();
        (0..block.iteration).any(|i| {
            devnet
                .committee(*round, i, "proposal")
                .unwrap()
                .members
                .iter()
                .any(|(k, _)| *k == key3)
        })
    });
    assert!(
        missed_in.is_some(),
        "no block up to {tip} lists its iteration"
    );
    // Absence costs only the reward: no new reward, the stake untouched, nothing slashed.
    assert_eq!(after.reward, before.reward, "{after:?}");
    assert_eq!(after.stake, "1000000");
    assert_eq!(after.slashed, "0");
    // The others keep earning, and the chain keeps finalizing.
    let others_before: Vec<ProvisionerView> = devnet
        .provisioners()
        .unwrap()
        .into_iter()
        .filter(|p| p.key != key3)
        .collect();
    mine(&devnet);
    mine(&devnet);
    assert!(devnet.head().finalized_height > finalized_before);
    for p in others_before {
        let now = provisioner(&devnet, &p.key).unwrap();
        let (was, is): (u128, u128) = (p.reward.parse().unwrap(), now.reward.parse().unwrap());
        assert!(is > was, "{} earns while online", p.key);
    }
    assert_eq!(provisioner(&devnet, &key3).unwrap().reward, before.reward);
    for i in 0..3 {
        assert_eq!(devnet.node_failure(i), None);
    }
}
