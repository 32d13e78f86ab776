//! `stake`: the lifecycle through maturity, eligibility, expiry and renewal; unstaking rules;
//! rewards; suspension after missed duties; slashing for equivocation.

use super::{Chain, MINIMUM, Provisioner, stake_error};
use genesis_types::committee::Mode;
use genesis_types::stake::{
    Eligibility, Eligible, Equivocation, SignedVote, StakeError, Step, VoteHeader,
};
use genesis_types::transfer::TransferError;
use host_api::Address;
use runtime::testing::{account, decode_return};

fn staked(amount: u128) -> (Chain, Provisioner) {
    let mut c = Chain::new(Mode::Private);
    let p = Provisioner::new(1);
    c.set_epoch(0);
    c.fund_and_stake(&p, amount);
    (c, p)
}

#[test]
fn stake_matures_then_expires_unless_renewed() {
    let (mut c, p) = staked(5_000);
    assert_eq!(c.weight(p.key, 0), 0, "not in the epoch it arrives");
    assert_eq!(c.weight(p.key, 1), 5_000, "eligible from the next boundary");
    assert_eq!(c.weight(p.key, 4), 5_000, "still inside the 4-epoch window");
    assert_eq!(c.weight(p.key, 5), 0, "expired");
    assert_eq!(c.stake_books(), (5_000, 5_000));

    // Renewing inside the window: it now ends 4 epochs after the current one.
    c.set_epoch(3);
    let r = c.call(p.owner, c.stake, "renew", &p.key);
    assert_eq!(decode_return::<u64>(&r).unwrap(), 8);
    assert_eq!((c.weight(p.key, 7), c.weight(p.key, 8)), (5_000, 0));

    // Renewing after expiry: the stake matures again before it counts.
    c.set_epoch(8);
    let r = c.call(p.owner, c.stake, "renew", &p.key);
    assert_eq!(decode_return::<u64>(&r).unwrap(), 13);
    assert_eq!(
        (c.weight(p.key, 8), c.weight(p.key, 9), c.weight(p.key, 13)),
        (0, 5_000, 0)
    );
}

#[test]
fn only_stake_that_cannot_vote_unlocks() {
    let (mut c, p) = staked(5_000);
    // Not yet eligible: unlocks.
    assert!(
        c.call(p.owner, c.stake, "unstake", &(p.key, 1_000u128))
            .is_success()
    );
    assert_eq!(c.balance(p.owner), 1_000);
    // Leaving less than the minimum (but more than nothing) is refused.
    let r = c.call(p.owner, c.stake, "unstake", &(p.key, 3_001u128));
    assert_eq!(stake_error(&r), Some(StakeError::BelowMinimum));
    // Eligible: locked.
    c.set_epoch(1);
    let r = c.call(p.owner, c.stake, "unstake", &(p.key, 1_000u128));
    assert_eq!(stake_error(&r), Some(StakeError::Locked));
    c.set_epoch(4);
    let r = c.call(p.owner, c.stake, "unstake", &(p.key, 1_000u128));
    assert_eq!(
        stake_error(&r),
        Some(StakeError::Locked),
        "last epoch of the window"
    );
    // Expired: unlocks, all of it, and the record goes.
    c.set_epoch(5);
    let r = c.call(p.owner, c.stake, "unstake", &(p.key, 4_001u128));
    assert_eq!(stake_error(&r), Some(StakeError::InsufficientStake));
    assert!(
        c.call(p.owner, c.stake, "unstake", &(p.key, 4_000u128))
            .is_success()
    );
    assert_eq!(c.balance(p.owner), 5_000);
    assert_eq!(c.info(p.key), None);
    assert_eq!(c.stake_books(), (0, 0));
    let r = c.call(p.owner, c.stake, "unstake", &(p.key, 1u128));
    assert_eq!(stake_error(&r), Some(StakeError::NoStake));
}

#[test]
fn a_top_up_inside_the_window_matures_on_its_own() {
    let (mut c, p) = staked(2_000);
    c.set_epoch(2);
    c.fund_and_stake(&p, 1_000);
    assert_eq!(c.weight(p.key, 2), 2_000, "the top-up does not count yet");
    assert_eq!(
        c.weight(p.key, 3),
        3_000,
        "it joined the window at the next boundary"
    );
    // The maturing part unlocks; the locked part does not.
    assert!(
        c.call(p.owner, c.stake, "unstake", &(p.key, 1_000u128))
            .is_success()
    );
    let r = c.call(p.owner, c.stake, "unstake", &(p.key, 1u128));
    assert_eq!(stake_error(&r), Some(StakeError::Locked));
    assert_eq!(c.weight(p.key, 3), 2_000);
    assert_eq!(c.stake_books(), (2_000, 2_000));
}

#[test]
fn staking_needs_the_key_the_minimum_and_the_funds() {
    let mut c = Chain::new(Mode::Private);
    let (p, other) = (Provisioner::new(1), Provisioner::new(2));
    c.mint(p.owner, 10_000);
    let approve = (Address::from(c.stake), 10_000u128);
    assert!(
        c.call(p.owner, c.transfer, "approve", &approve)
            .is_success()
    );

    // A proof of possession by another key, or for another owner, is refused.
    let forged = other.proof_of_possession(c.stake);
    let r = c.call(p.owner, c.stake, "stake", &(p.key, 1_000u128, forged));
    assert_eq!(stake_error(&r), Some(StakeError::BadProofOfPossession));
    let for_other_owner = p.sign(&genesis_types::stake::proof_of_possession_message(
        &other.owner,
        &c.stake,
    ));
    let r = c.call(
        p.owner,
        c.stake,
        "stake",
        &(p.key, 1_000u128, for_other_owner),
    );
    assert_eq!(stake_error(&r), Some(StakeError::BadProofOfPossession));

    // The minimum: one below is refused, at it is accepted. Zero is its own error.
    let pop = p.proof_of_possession(c.stake);
    let r = c.call(p.owner, c.stake, "stake", &(p.key, 0u128, pop));
    assert_eq!(stake_error(&r), Some(StakeError::ZeroAmount));
    let r = c.call(p.owner, c.stake, "stake", &(p.key, MINIMUM - 1, pop));
    assert_eq!(stake_error(&r), Some(StakeError::BelowMinimum));
    assert_eq!(c.info(p.key), None);
    assert!(
        c.call(p.owner, c.stake, "stake", &(p.key, MINIMUM, pop))
            .is_success()
    );

    // Beyond the allowance the transfer contract refuses, and nothing is recorded.
    let r = c.call(p.owner, c.stake, "stake", &(p.key, 9_001u128, pop));
    assert_eq!(
        stake_error(&r),
        Some(StakeError::Transfer(TransferError::InsufficientAllowance))
    );
    assert_eq!(c.info(p.key).unwrap().total(), MINIMUM);
    assert_eq!(c.stake_books(), (MINIMUM, MINIMUM));

    // The key holder signs for a second owner: that owner still cannot touch the stake.
    let intruder = other.owner;
    c.mint(intruder, 5_000);
    let approve = (Address::from(c.stake), 5_000u128);
    assert!(
        c.call(intruder, c.transfer, "approve", &approve)
            .is_success()
    );
    let pop = p.sign(&genesis_types::stake::proof_of_possession_message(
        &intruder, &c.stake,
    ));
    let r = c.call(intruder, c.stake, "stake", &(p.key, 5_000u128, pop));
    assert_eq!(stake_error(&r), Some(StakeError::NotOwner));
    for (function, args) in [
        ("renew", borsh::to_vec(&p.key).unwrap()),
        ("unstake", borsh::to_vec(&(p.key, 1u128)).unwrap()),
        ("withdraw", borsh::to_vec(&p.key).unwrap()),
    ] {
        let r =
            c.h.call(c.stake, function)
                .caller(intruder)
                .raw_args(args)
                .send()
                .unwrap();
        assert_eq!(stake_error(&r), Some(StakeError::NotOwner), "{function}");
    }
}

#[test]
fn rewards_are_promised_only_when_funded_and_paid_to_the_owner() {
    let (mut c, p) = staked(5_000);
    let r = c.protocol(c.stake, "reward", &vec![(p.key, 300u128)]);
    assert_eq!(stake_error(&r), Some(StakeError::Unfunded));
    assert_eq!(c.info(p.key).unwrap().reward, 0);

    c.mint(Address::from(c.stake), 300);
    c.protocol_ok(c.stake, "reward", &vec![(p.key, 300u128)]);
    assert_eq!(c.info(p.key).unwrap().reward, 300);
    assert_eq!(c.stake_books(), (5_300, 5_300));

    let r = c.call(account("thief"), c.stake, "withdraw", &p.key);
    assert_eq!(stake_error(&r), Some(StakeError::NotOwner));
    let r = c.call(p.owner, c.stake, "withdraw", &p.key);
    assert_eq!(decode_return::<u128>(&r).unwrap(), 300);
    assert_eq!(c.balance(p.owner), 300);
    let r = c.call(p.owner, c.stake, "withdraw", &p.key);
    assert_eq!(stake_error(&r), Some(StakeError::NothingToWithdraw));
    assert_eq!(c.stake_books(), (5_000, 5_000));

    let stranger = Provisioner::new(9);
    c.mint(Address::from(c.stake), 1);
    let r = c.protocol(c.stake, "reward", &vec![(stranger.key, 1u128)]);
    assert_eq!(stake_error(&r), Some(StakeError::NoStake));
}

#[test]
fn repeated_misses_suspend_for_a_while_and_cost_no_funds() {
    let (mut c, p) = staked(5_000);
    c.set_epoch(1);
    // Two misses, then a reward: the count starts over.
    c.protocol_ok(c.stake, "missed", &vec![p.key]);
    c.protocol_ok(c.stake, "missed", &vec![p.key]);
    c.mint(Address::from(c.stake), 1);
    c.protocol_ok(c.stake, "reward", &vec![(p.key, 1u128)]);
    assert_eq!(c.info(p.key).unwrap().missed, 0);
    // Three in a row (the limit) suspend the key for the next two epochs.
    c.protocol_ok(c.stake, "missed", &vec![p.key]);
    c.protocol_ok(c.stake, "missed", &vec![p.key]);
    assert_eq!(c.weight(p.key, 2), 5_000, "two misses are below the limit");
    let r = c.protocol_ok(c.stake, "missed", &vec![p.key]);
    assert!(r.events.iter().any(|e| e.topic == "suspended"));
    assert_eq!(
        c.weight(p.key, 1),
        5_000,
        "the current epoch's set does not change"
    );
    assert_eq!((c.weight(p.key, 2), c.weight(p.key, 3)), (0, 0));
    assert_eq!(c.weight(p.key, 4), 5_000);
    let info = c.info(p.key).unwrap();
    assert_eq!((info.locked, info.reward, info.slashed), (5_000, 1, 0));
    assert_eq!(c.stake_books(), (5_001, 5_001));
}

/// `p`'s signed vote for `payload` in (round, iteration 0, step).
pub(super) fn vote(p: &Provisioner, round: u64, step: Step, payload: u8) -> SignedVote {
    let header = VoteHeader {
        round,
        iteration: 0,
        step,
        payload: [payload; 32],
    };
    header.signed(|message| p.sign(message))
}

#[test]
fn a_proven_equivocation_burns_ten_percent_once() {
    let (mut c, p) = staked(5_000);
    c.set_epoch(1);
    let supply = c.supply();
    let proof = Equivocation {
        key: p.key,
        first: vote(&p, 12, Step::Validation, 1),
        second: vote(&p, 12, Step::Validation, 2),
    };
    // Anyone may submit it.
    let r = c.call(account("watcher"), c.stake, "slash", &proof);
    assert_eq!(decode_return::<u128>(&r).unwrap(), 500);
    assert_eq!(c.supply(), supply - 500, "burnt, not moved");
    let info = c.info(p.key).unwrap();
    assert_eq!((info.locked, info.slashed), (4_500, 500));
    assert_eq!(c.stake_books(), (4_500, 4_500));
    assert_eq!(c.weight(p.key, 1), 4_500);

    let r = c.call(account("watcher"), c.stake, "slash", &proof);
    assert_eq!(stake_error(&r), Some(StakeError::AlreadySlashed));
    // Another slot is another offence.
    let again = Equivocation {
        key: p.key,
        first: vote(&p, 13, Step::Ratification, 1),
        second: vote(&p, 13, Step::Ratification, 3),
    };
    let r = c.call(account("watcher"), c.stake, "slash", &again);
    assert_eq!(decode_return::<u128>(&r).unwrap(), 450);
}

#[test]
fn an_equivocation_proof_must_hold_together() {
    let (mut c, p) = staked(5_000);
    let other = Provisioner::new(2);
    let a = vote(&p, 12, Step::Validation, 1);
    let b = vote(&p, 12, Step::Validation, 2);
    let mut bad_signature = b;
    bad_signature.signature = vote(&other, 12, Step::Validation, 2).signature;
    let mut tampered = b;
    tampered.header.payload = [9; 32];
    let cases = [
        (
            Equivocation {
                key: p.key,
                first: a,
                second: bad_signature,
            },
            StakeError::BadSignature,
        ),
        (
            Equivocation {
                key: p.key,
                first: a,
                second: tampered,
            },
            StakeError::BadSignature,
        ),
        (
            Equivocation {
                key: p.key,
                first: a,
                second: a,
            },
            StakeError::NotConflicting,
        ),
        (
            Equivocation {
                key: p.key,
                first: a,
                second: vote(&p, 12, Step::Ratification, 2),
            },
            StakeError::NotConflicting,
        ),
        (
            Equivocation {
                key: p.key,
                first: a,
                second: vote(&p, 13, Step::Validation, 2),
            },
            StakeError::NotConflicting,
        ),
        (
            Equivocation {
                key: other.key,
                first: a,
                second: b,
            },
            StakeError::BadSignature,
        ),
    ];
    for (proof, expected) in cases {
        let r = c.call(account("watcher"), c.stake, "slash", &proof);
        assert_eq!(stake_error(&r), Some(expected));
    }
    assert_eq!(c.info(p.key).unwrap().slashed, 0);
    assert_eq!(c.stake_books(), (5_000, 5_000));
}

#[test]
fn the_eligible_set_is_sorted_and_adds_up() {
    let mut c = Chain::new(Mode::Private);
    let ps: Vec<Provisioner> = (1..=4).map(Provisioner::new).collect();
    for (i, p) in ps.iter().enumerate() {
        c.fund_and_stake(p, 1_000 * (i as u128 + 1));
    }
    let set = c.eligible(1);
    let mut keys: Vec<_> = ps.iter().map(|p| p.key).collect();
    keys.sort();
    assert_eq!(set.iter().map(|e| e.key).collect::<Vec<_>>(), keys);
    let total: u128 = c.query(c.stake, "total_active", &10u64);
    assert_eq!(total, 10_000);
    let one: Eligibility = c.query(c.stake, "eligibility", &(ps[2].key, 10u64));
    assert_eq!(
        one,
        Eligibility {
            weight: 3_000,
            total: 10_000
        }
    );
    assert_eq!(
        c.eligible(0),
        Vec::<Eligible>::new(),
        "no credits without active stake"
    );
}

#[test]
fn every_genesis_call_fits_the_nodes_gas_budget() {
    // node-lite gives each genesis call 200 M gas (`GENESIS_CALL_GAS`): the heaviest entry
    // points are dominated by their BLS verifications (30 M gas each).
    let (mut c, p) = staked(5_000);
    c.set_epoch(1);
    let proof = Equivocation {
        key: p.key,
        first: vote(&p, 12, Step::Validation, 1),
        second: vote(&p, 12, Step::Validation, 2),
    };
    assert!(
        c.call(account("watcher"), c.stake, "slash", &proof)
            .is_success()
    );
    assert!(c.call(p.owner, c.stake, "renew", &p.key).is_success());
    let report = c.h.gas_report().table();
    println!("{report}");
    let receipts = c.h.receipts().to_vec();
    let max = receipts.iter().map(|r| r.gas_spent).max().unwrap();
    let slash = receipts
        .iter()
        .find(|r| r.function == "slash")
        .unwrap()
        .gas_spent;
    let stake = receipts
        .iter()
        .find(|r| r.function == "stake")
        .unwrap()
        .gas_spent;
    assert!(max < 200_000_000, "{max}");
    // Two BLS verifications, one for the proof of possession: their prices dominate.
    assert!((60_000_000..70_000_000).contains(&slash), "slash {slash}");
    assert!((30_000_000..36_000_000).contains(&stake), "stake {stake}");
}

#[test]
fn malformed_arguments_are_refused_with_a_message_and_change_nothing() {
    let (mut c, p) = staked(5_000);
    let root = c.h.root().unwrap();
    let good = borsh::to_vec(&(p.key, 1u128)).unwrap();
    for (name, args) in [
        ("empty", Vec::new()),
        ("truncated", good[..good.len() - 1].to_vec()),
        ("trailing bytes", [good.clone(), vec![0]].concat()),
    ] {
        let r =
            c.h.call(c.stake, "unstake")
                .caller(p.owner)
                .raw_args(args)
                .send()
                .unwrap();
        assert!(
            matches!(&r.result, Err(runtime::CallError::InvalidInput(m)) if !m.is_empty()),
            "{name}: {:?}",
            r.result
        );
    }
    assert_eq!(c.h.root().unwrap(), root);
}
