//! Every host-only entry point of the genesis contracts refuses an application caller — an
//! account or a contract — and changes nothing; `init` runs once, with valid parameters only.

use super::{Chain, Provisioner, committee_params, encode, stake_params};
use genesis_types::committee::{CommitteeError, Mode};
use genesis_types::stake::StakeError;
use genesis_types::transfer::TransferError;
use host_api::ContractId;
use host_api::abi::STATUS_ERROR;
use integration_tests::contract_wasm;
use runtime::testing::{account, decode_error, decode_return};

/// (contract, entry point, arguments, the encoded `ProtocolOnly` error it must return).
fn host_only_entry_points(c: &Chain) -> Vec<(ContractId, &'static str, Vec<u8>, Vec<u8>)> {
    let key = Provisioner::new(1).key;
    let someone = account("someone");
    let transfer_refusal = encode(&TransferError::ProtocolOnly);
    let stake_refusal = encode(&StakeError::ProtocolOnly);
    vec![
        (
            c.transfer,
            "mint",
            encode(&(someone, 1u128)),
            transfer_refusal.clone(),
        ),
        (
            c.transfer,
            "reserve_fee",
            encode(&(someone, 1u64, 1u64)),
            transfer_refusal.clone(),
        ),
        (
            c.transfer,
            "settle_fee",
            encode(&(someone, 1u64, 1u64, 1u64, someone)),
            transfer_refusal,
        ),
        (
            c.stake,
            "init",
            encode(&stake_params(c.transfer)),
            stake_refusal.clone(),
        ),
        (
            c.stake,
            "reward",
            encode(&vec![(key, 1u128)]),
            stake_refusal.clone(),
        ),
        (c.stake, "missed", encode(&vec![key]), stake_refusal),
        (
            c.committee,
            "init",
            encode(&committee_params(c.stake, Mode::Public)),
            encode(&CommitteeError::ProtocolOnly),
        ),
    ]
}

#[test]
fn host_only_entry_points_refuse_accounts_and_contracts() {
    let mut c = Chain::new(Mode::Private);
    let p = Provisioner::new(1);
    c.fund_and_stake(&p, 2_000);
    let proxy = c.h.deploy("attacker", &contract_wasm("attacker")).unwrap();
    let root = c.h.root().unwrap();
    for (contract, function, args, refusal) in host_only_entry_points(&c) {
        // An account, even one that holds stake.
        let r =
            c.h.call(contract, function)
                .caller(p.owner)
                .raw_args(args.clone())
                .send()
                .unwrap();
        assert_eq!(
            r.result.as_ref().err().and_then(|e| match e {
                runtime::CallError::Reverted(bytes) => Some(bytes.clone()),
                _ => None,
            }),
            Some(refusal.clone()),
            "{function} called by an account"
        );
        // A contract calling it.
        let forwarded = (contract, function.to_string(), args);
        let r = c.call(account("app"), proxy, "forward", &forwarded);
        let (status, output): (i32, Vec<u8>) = decode_return(&r).unwrap();
        assert_eq!(
            (status, output),
            (STATUS_ERROR, refusal),
            "{function} called by a contract"
        );
    }
    assert_eq!(c.h.root().unwrap(), root, "refused calls changed nothing");
}

#[test]
fn init_runs_once_with_valid_parameters() {
    let mut c = Chain::new(Mode::Private);
    let r = c.protocol(c.stake, "init", &stake_params(c.transfer));
    assert_eq!(
        decode_error::<StakeError>(&r),
        Some(StakeError::AlreadyInitialized)
    );
    let r = c.protocol(
        c.committee,
        "init",
        &committee_params(c.stake, Mode::Public),
    );
    assert_eq!(
        decode_error::<CommitteeError>(&r),
        Some(CommitteeError::AlreadyInitialized)
    );

    // Fresh contracts: every bound of the parameters, at the limit and one past it.
    let mut h = runtime::testing::Harness::new();
    let stake = h.deploy("stake", &contract_wasm("stake")).unwrap();
    let committee = h.deploy("committee", &contract_wasm("committee")).unwrap();
    let transfer = ContractId([1; 32]);
    let good = stake_params(transfer);
    let mut bad = Vec::new();
    for edit in [
        (|p: &mut genesis_types::stake::StakeParams| p.epoch_length = 0) as fn(&mut _),
        |p| p.maturity_epochs = 0,
        |p| p.eligibility_epochs = 0,
        |p| p.miss_limit = 0,
        |p| p.suspension_epochs = 0,
        |p| p.slash_basis_points = 0,
        |p| p.slash_basis_points = 10_001,
        |p| p.minimum_stake = 0,
    ] {
        let mut params = good;
        edit(&mut params);
        bad.push(params);
    }
    for params in bad {
        let r = h.call_protocol(stake, "init", &encode(&params)).unwrap();
        assert_eq!(
            decode_error::<StakeError>(&r),
            Some(StakeError::InvalidParams),
            "{params:?}"
        );
    }
    let mut full_slash = good;
    full_slash.slash_basis_points = 10_000;
    assert!(
        h.call_protocol(stake, "init", &encode(&full_slash))
            .unwrap()
            .is_success()
    );

    let limit = genesis_types::committee::MAX_STEP_CREDITS;
    let mut params = committee_params(stake, Mode::Private);
    for past in [limit + 1, 0] {
        params.validation_credits = past;
        let r = h
            .call_protocol(committee, "init", &encode(&params))
            .unwrap();
        assert_eq!(
            decode_error::<CommitteeError>(&r),
            Some(CommitteeError::InvalidParams),
            "{past} credits"
        );
    }
    params.validation_credits = limit;
    assert!(
        h.call_protocol(committee, "init", &encode(&params))
            .unwrap()
            .is_success()
    );
}
