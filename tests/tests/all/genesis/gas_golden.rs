//! The gas golden file of the bundled contracts: every entry point of `token`, `transfer`,
//! `stake` and `committee`, called as a user (or the protocol) calls it, compared exactly with
//! the committed snapshot `tests/golden/bundled_contracts.gas`. Any change of a price, of the
//! operator costs, of the SDK or of a contract's code moves a line of it, visibly, in review.
//!
//! After an intended change, rewrite the snapshot and commit it with the change:
//!
//! ```text
//! UPDATE_GAS_GOLDEN=1 cargo test -p integration-tests --test all genesis::gas_golden
//! ```

use super::stake::vote;
use super::{Chain, Provisioner};
use genesis_types::committee::{MembershipClaim, Mode, seed_message, sortition_message};
use genesis_types::stake::{Equivocation, Step};
use genesis_types::{BlsPublicKey, Seed};
use host_api::Address;
use integration_tests::{contract_wasm, repo_root};
use runtime::testing::{GasReport, Harness, Tolerance, account, decode_return};
use runtime::{OperatorCosts, Receipt, Runtime, RuntimeConfig};

/// The committed snapshot, relative to the repository root.
const GOLDEN: &str = "tests/golden/bundled_contracts.gas";

/// A round in epoch 1, when the stakes placed in epoch 0 are eligible.
const ROUND: u64 = 15;

fn ok(r: Receipt) -> Receipt {
    assert!(r.is_success(), "{}: {:?}", r.function, r.result);
    r
}

/// `token`: deployed next to the genesis contracts, every entry point once or more.
fn token_calls(c: &mut Chain) {
    let token =
        c.h.deploy("token", &contract_wasm("token"))
            .expect("deploy");
    let (alice, bob, carol) = (account("alice"), account("bob"), account("carol"));
    let call = |c: &mut Chain, who: Address, f: &str, args: &[u8]| {
        ok(c.h
            .call(token, f)
            .caller(who)
            .raw_args(args.to_vec())
            .send()
            .expect("host"))
    };
    call(c, alice, "init", &super::encode(&1_000_000u128));
    call(c, alice, "total_supply", &super::encode(&()));
    call(c, alice, "balance_of", &super::encode(&alice));
    // To a new holder, then to an existing one.
    call(c, alice, "transfer", &super::encode(&(bob, 1_000u128)));
    call(c, alice, "transfer", &super::encode(&(bob, 1_000u128)));
    call(c, alice, "approve", &super::encode(&(carol, 500u128)));
    call(c, alice, "allowance", &super::encode(&(alice, carol)));
    // Part of the allowance, then the rest (the allowance is removed).
    call(
        c,
        carol,
        "transfer_from",
        &super::encode(&(alice, bob, 200u128)),
    );
    call(
        c,
        carol,
        "transfer_from",
        &super::encode(&(alice, bob, 300u128)),
    );
}

/// `transfer`: the native token, its fee escrow and its protocol-only mint and burn.
fn transfer_calls(c: &mut Chain) {
    let (payer, bob, carol, generator) = (
        account("payer"),
        account("bob"),
        account("carol"),
        account("generator"),
    );
    c.mint(payer, 1_000_000);
    ok(c.call(payer, c.transfer, "transfer", &(bob, 1_000u128)));
    ok(c.call(payer, c.transfer, "approve", &(carol, 500u128)));
    ok(c.call(payer, c.transfer, "allowance", &(payer, carol)));
    ok(c.call(carol, c.transfer, "transfer_from", &(payer, bob, 500u128)));
    ok(c.call(bob, c.transfer, "burn", &100u128));
    ok(c.call(payer, c.transfer, "balance_of", &payer));
    ok(c.call(payer, c.transfer, "total_supply", &()));
    let r = ok(c.protocol(c.transfer, "reserve_fee", &(payer, 50_000u64, 3u64)));
    assert_eq!(decode_return::<u128>(&r).unwrap(), 150_000);
    ok(c.call(payer, c.transfer, "escrow_of", &payer));
    ok(c.protocol(
        c.transfer,
        "settle_fee",
        &(payer, 50_000u64, 20_000u64, 3u64, generator),
    ));
}

/// `stake` and the private-mode `committee`, over two staked provisioners.
fn stake_and_committee_calls(c: &mut Chain) -> Vec<Provisioner> {
    let ps: Vec<Provisioner> = (1..=2).map(Provisioner::new).collect();
    c.set_epoch(0);
    for (p, amount) in ps.iter().zip([2_000u128, 3_000]) {
        c.fund_and_stake(p, amount);
    }
    c.h.set_block_height(ROUND);
    let p = &ps[0];
    let any = account("any");
    ok(c.call(any, c.stake, "params_of", &()));
    ok(c.call(any, c.stake, "stake_of", &p.key));
    ok(c.call(any, c.stake, "eligible_set", &ROUND));
    ok(c.call(any, c.stake, "eligibility", &(p.key, ROUND)));
    ok(c.call(any, c.stake, "total_active", &ROUND));
    ok(c.call(any, c.stake, "liabilities", &()));
    c.mint(Address::from(c.stake), 100);
    ok(c.protocol(c.stake, "reward", &vec![(p.key, 100u128)]));
    ok(c.call(p.owner, c.stake, "withdraw", &p.key));
    ok(c.protocol(c.stake, "missed", &vec![ps[1].key]));
    ok(c.call(p.owner, c.stake, "renew", &p.key));

    // The committee of the private mode: a membership claim, the seed chain, the thresholds.
    ok(c.call(any, c.committee, "params_of", &()));
    let seed = Seed([7; 48]);
    for q in &ps {
        let proof = q.sign(&sortition_message(&seed, ROUND, 0, Step::Validation));
        let claim = MembershipClaim {
            key: q.key,
            seed,
            round: ROUND,
            iteration: 0,
            step: Step::Validation,
            proof,
        };
        ok(c.call(any, c.committee, "verify_membership", &claim));
    }
    let signature = p.sign(&seed_message(&seed));
    ok(c.call(any, c.committee, "next_seed", &(seed, p.key, signature)));
    ok(c.call(any, c.committee, "thresholds", &Step::Validation));

    // An equivocation, proven by anyone; then the second provisioner leaves after expiry.
    let proof = Equivocation {
        key: p.key,
        first: vote(p, 12, Step::Validation, 1),
        second: vote(p, 12, Step::Validation, 2),
    };
    ok(c.call(account("watcher"), c.stake, "slash", &proof));
    c.set_epoch(5);
    ok(c.call(ps[1].owner, c.stake, "unstake", &(ps[1].key, 3_000u128)));
    ps
}

/// The public-mode `committee` queries, on a chain of their own (their calls only).
fn public_committee_calls(harness: Harness, report: &mut GasReport) {
    let mut c = Chain::with_harness(harness, Mode::Public);
    let ps: Vec<Provisioner> = (1..=3).map(Provisioner::new).collect();
    c.set_epoch(0);
    for (p, amount) in ps.iter().zip([1_000u128, 2_000, 3_000]) {
        c.fund_and_stake(p, amount);
    }
    c.h.set_block_height(ROUND);
    let any = account("any");
    for n in 0..2u8 {
        let seed = Seed([n; 48]);
        let r = ok(c.call(any, c.committee, "generator", &(seed, ROUND, 0u8)));
        let _: Option<BlsPublicKey> = decode_return(&r).unwrap();
        report.record("committee", "generator", r.gas_spent);
        for step in [Step::Validation, Step::Ratification] {
            let r = ok(c.call(any, c.committee, "committee", &(seed, ROUND, 0u8, step)));
            report.record("committee", "committee", r.gas_spent);
        }
    }
}

/// Every entry point of the bundled contracts, in one report, under the runtime's default
/// gas schedule, or under `costs`; with the chain's resident modules (the genesis contracts
/// `transfer`, `stake` and `committee` load for free, `token` pays its load), as the devnet
/// charges.
fn bundled_report(costs: Option<OperatorCosts>) -> GasReport {
    let harness = || {
        let config = RuntimeConfig::test().with_resident_code(node_lite::chain::resident_code());
        let config = match &costs {
            None => config,
            Some(costs) => RuntimeConfig {
                operator_costs: costs.clone(),
                ..config
            },
        };
        Harness::with_runtime(Runtime::new(config).expect("runtime"))
    };
    let mut c = Chain::with_harness(harness(), Mode::Private);
    token_calls(&mut c);
    transfer_calls(&mut c);
    stake_and_committee_calls(&mut c);
    let mut report = c.h.gas_report().clone();
    public_committee_calls(harness(), &mut report);
    report
}

/// How the bundled contracts' gas moved from wasmtime's operator table (1 per operator, the
/// runtime's default before the measured one) to the default: a table for the release notes.
/// `cargo test -p integration-tests --test all genesis::gas_golden -- --ignored --nocapture`
#[test]
#[ignore = "prints a table; run by hand"]
fn print_how_gas_moved_from_wasmtimes_operator_table() {
    let old = bundled_report(Some(OperatorCosts::wasmtime_default()));
    let new = bundled_report(None);
    println!(
        "| entry point | calls | avg gas, wasmtime's table | avg gas, measured table | change |"
    );
    println!("|---|---|---|---|---|");
    for ((contract, function), n) in new.entries() {
        let o = old.get(contract, function).expect("same calls");
        let change = (n.avg() as f64 / o.avg() as f64 - 1.0) * 100.0;
        println!(
            "| `{contract}::{function}` | {} | {} | {} | {change:+.1} % |",
            n.calls,
            o.avg(),
            n.avg()
        );
    }
}

#[test]
fn the_bundled_contracts_spend_the_gas_of_the_golden_file() {
    let report = bundled_report(None);
    let path = repo_root().join(GOLDEN);
    let header = "# Gas of every entry point of the bundled contracts (token, transfer, stake, committee).\n\
                  # Written by `UPDATE_GAS_GOLDEN=1 cargo test -p integration-tests --test all genesis::gas_golden`;\n\
                  # checked exactly by the same test without the variable.\n";
    if std::env::var_os("UPDATE_GAS_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{header}{}", report.to_snapshot())).unwrap();
        println!("wrote {}", path.display());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (UPDATE_GAS_GOLDEN=1 writes it)",
            path.display()
        )
    });
    let golden = GasReport::from_snapshot(&text).expect("the golden file parses");
    let check = report.check(&golden, Tolerance::default());
    assert!(
        check.diffs.is_empty(),
        "gas moved against {GOLDEN} (UPDATE_GAS_GOLDEN=1 rewrites it after an intended change):\n{}",
        check.render()
    );
    // Every entry point of the four contracts is in it.
    for (contract, functions) in [
        ("token", 7),
        ("transfer", 11),
        ("stake", 14),
        ("committee", 7),
    ] {
        let n = golden.entries().filter(|((c, _), _)| c == contract).count();
        assert_eq!(n, functions, "{contract}'s entry points in the golden file");
    }
}
