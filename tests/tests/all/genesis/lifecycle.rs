//! Random sequences of stake operations through the contracts (proptest): after every step the
//! books balance, no token appears or vanishes except by mint and burn, the contract's eligible
//! set agrees with `StakeInfo::weight_at`, and locked stake never leaves an open window.

use super::{Chain, Provisioner, stake_error};
use genesis_types::committee::Mode;
use genesis_types::stake::{Eligible, Equivocation, SignedVote, StakeError, StakeInfo, Step};
use host_api::Address;
use proptest::prelude::*;
use runtime::testing::account;
use std::sync::OnceLock;

#[derive(Clone, Debug)]
enum Op {
    Advance(u64),
    Stake(usize, u128),
    Renew(usize),
    Unstake(usize, u128),
    Reward(usize, u128),
    Missed(usize),
    Withdraw(usize),
    Slash(usize, u64),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..3usize;
    prop_oneof![
        (0..3u64).prop_map(Op::Advance),
        (who.clone(), 1..3_000u128).prop_map(|(i, a)| Op::Stake(i, a)),
        who.clone().prop_map(Op::Renew),
        (who.clone(), 1..3_000u128).prop_map(|(i, a)| Op::Unstake(i, a)),
        (who.clone(), 1..500u128).prop_map(|(i, a)| Op::Reward(i, a)),
        who.clone().prop_map(Op::Missed),
        who.clone().prop_map(Op::Withdraw),
        (who, 0..4u64).prop_map(|(i, r)| Op::Slash(i, r)),
    ]
}

fn provisioners() -> &'static [Provisioner] {
    static P: OnceLock<Vec<Provisioner>> = OnceLock::new();
    P.get_or_init(|| (1..=3).map(Provisioner::new).collect())
}

fn vote(p: &Provisioner, round: u64, payload: u8) -> SignedVote {
    super::stake::vote(p, round, Step::Validation, payload)
}

/// Run one operation; returns whether it succeeded.
fn apply(c: &mut Chain, epoch: &mut u64, op: &Op) -> bool {
    let ps = provisioners();
    match *op {
        Op::Advance(n) => {
            *epoch += n;
            c.set_epoch(*epoch);
            true
        }
        Op::Stake(i, amount) => {
            c.mint(ps[i].owner, amount);
            c.stake(&ps[i], amount).is_success()
        }
        Op::Renew(i) => c
            .call(ps[i].owner, c.stake, "renew", &ps[i].key)
            .is_success(),
        Op::Unstake(i, amount) => {
            let r = c.call(ps[i].owner, c.stake, "unstake", &(ps[i].key, amount));
            r.is_success()
        }
        Op::Reward(i, amount) => {
            let r = c.protocol(c.stake, "reward", &vec![(ps[i].key, amount)]);
            if stake_error(&r) == Some(StakeError::Unfunded) {
                c.mint(Address::from(c.stake), amount);
                c.protocol(c.stake, "reward", &vec![(ps[i].key, amount)])
                    .is_success()
            } else {
                r.is_success()
            }
        }
        Op::Missed(i) => c.protocol(c.stake, "missed", &vec![ps[i].key]).is_success(),
        Op::Withdraw(i) => c
            .call(ps[i].owner, c.stake, "withdraw", &ps[i].key)
            .is_success(),
        Op::Slash(i, round) => {
            let proof = Equivocation {
                key: ps[i].key,
                first: vote(&ps[i], round, 1),
                second: vote(&ps[i], round, 2),
            };
            c.call(account("watcher"), c.stake, "slash", &proof)
                .is_success()
        }
    }
}

fn records(c: &mut Chain) -> Vec<Option<StakeInfo>> {
    provisioners().iter().map(|p| c.info(p.key)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn the_books_balance_after_any_sequence(ops in proptest::collection::vec(op(), 8..30)) {
        let mut c = Chain::new(Mode::Private);
        // Every provisioner starts with a stake, so that most operations have something to act on.
        for p in provisioners() {
            c.fund_and_stake(p, 2_000);
        }
        let mut epoch = 0;
        let (mut minted, mut burnt) = (6_000u128, 0u128);
        for op in &ops {
            let before = records(&mut c);
            let supply_before = c.supply();
            let ok = apply(&mut c, &mut epoch, op);
            let after = records(&mut c);
            let supply = c.supply();
            if supply >= supply_before { minted += supply - supply_before } else { burnt += supply_before - supply }

            // The contract holds exactly what it owes, and owes exactly its records.
            let (owed, held) = c.stake_books();
            prop_assert_eq!(owed, held, "after {:?}", op);
            let recorded: u128 = after.iter().flatten().map(|i| i.total() + i.reward).sum();
            prop_assert_eq!(recorded, owed);
            // Tokens: everything minted, less everything burnt, sits with owners or the contract.
            let owners: u128 = provisioners().iter().map(|p| c.balance(p.owner)).sum();
            prop_assert_eq!(owners + held, minted - burnt);
            // Burning happens only by slashing.
            if supply < supply_before {
                prop_assert!(matches!(op, Op::Slash(..)) && ok);
            }
            // Locked stake never leaves an open window, except by slashing.
            if let (Op::Unstake(i, _), true) = (op, ok) {
                let (b, a) = (before[*i].unwrap(), after[*i].unwrap_or_default());
                let matured = if b.maturing_from <= epoch { b.maturing } else { 0 };
                if a.locked < b.locked + matured {
                    prop_assert!(!b.window_open(epoch), "locked stake left an open window");
                }
            }
            // The eligible set is what the records say, now and next epoch.
            for t in [epoch, epoch + 1] {
                let set: Vec<Eligible> = c.eligible(t);
                for (p, info) in provisioners().iter().zip(&after) {
                    let expected = info.map_or(0, |i| i.weight_at(t, super::MINIMUM));
                    let got = set.iter().find(|e| e.key == p.key).map_or(0, |e| e.weight);
                    prop_assert_eq!(got, expected, "epoch {} after {:?}", t, op);
                }
            }
        }
    }
}
