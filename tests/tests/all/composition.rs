//! The composition contracts: `bank` moving `token`s through cross-contract calls, `attacker`
//! trying reentrancy, and a caller surviving a callee that runs out of gas.

use borsh::{from_slice, to_vec};
use host_api::abi::{CALL_OUT_OF_GAS, CALL_REENTRANCY};
use host_api::{Address, ContractId};
use integration_tests::{ALICE, GAS, OWNER, contract_wasm, session};
use runtime::{CallError, Receipt, Session};

fn ok<T: borsh::BorshDeserialize>(r: &Receipt) -> T {
    from_slice(
        r.result
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e:?}", r.function)),
    )
    .expect("decodes")
}

fn bank_setup() -> (Session, ContractId, ContractId) {
    let (_, mut s) = session();
    let token = s.deploy(OWNER, &contract_wasm("token"), 0).expect("token");
    let bank = s.deploy(OWNER, &contract_wasm("bank"), 0).expect("bank");
    ok::<()>(
        &s.call(ALICE, token, "init", &to_vec(&1_000u128).unwrap(), GAS)
            .unwrap(),
    );
    ok::<()>(
        &s.call(
            ALICE,
            token,
            "approve",
            &to_vec(&(Address::from(bank), 600u128)).unwrap(),
            GAS,
        )
        .unwrap(),
    );
    (s, token, bank)
}

fn token_balance(s: &mut Session, token: ContractId, who: Address) -> u128 {
    ok(&s
        .call(ALICE, token, "balance_of", &to_vec(&who).unwrap(), GAS)
        .unwrap())
}

#[test]
fn bank_deposits_and_withdraws_through_the_token() {
    let (mut s, token, bank) = bank_setup();
    let r = s
        .call(
            ALICE,
            bank,
            "deposit",
            &to_vec(&(token, 400u128)).unwrap(),
            GAS,
        )
        .unwrap();
    ok::<()>(&r);
    assert_eq!(r.calls.len(), 1, "one nested call");
    assert_eq!(
        (r.calls[0].contract, r.calls[0].function.as_str()),
        (token, "transfer_from")
    );
    assert_eq!(token_balance(&mut s, token, Address::from(bank)), 400);
    assert_eq!(token_balance(&mut s, token, ALICE), 600);
    let held: u128 = ok(&s
        .call(
            ALICE,
            bank,
            "balance",
            &to_vec(&(token, ALICE)).unwrap(),
            GAS,
        )
        .unwrap());
    assert_eq!(held, 400);

    ok::<()>(
        &s.call(
            ALICE,
            bank,
            "withdraw",
            &to_vec(&(token, 150u128)).unwrap(),
            GAS,
        )
        .unwrap(),
    );
    assert_eq!(token_balance(&mut s, token, ALICE), 750);
    let held: u128 = ok(&s
        .call(
            ALICE,
            bank,
            "balance",
            &to_vec(&(token, ALICE)).unwrap(),
            GAS,
        )
        .unwrap());
    assert_eq!(held, 250);
}

#[test]
fn a_token_error_reverts_the_whole_bank_operation() {
    let (mut s, token, bank) = bank_setup();
    // The allowance is 600: depositing 700 fails inside the token.
    let r = s
        .call(
            ALICE,
            bank,
            "deposit",
            &to_vec(&(token, 700u128)).unwrap(),
            GAS,
        )
        .unwrap();
    // BankError::Token(encoded TokenError::InsufficientAllowance = [1]) = variant 1, vec len 1, [1].
    assert_eq!(r.result, Err(CallError::Reverted(vec![1, 1, 0, 0, 0, 1])));
    assert_eq!(r.calls[0].error.as_deref(), Some("reverted"));
    let held: u128 = ok(&s
        .call(
            ALICE,
            bank,
            "balance",
            &to_vec(&(token, ALICE)).unwrap(),
            GAS,
        )
        .unwrap());
    assert_eq!(held, 0);
    assert_eq!(token_balance(&mut s, token, ALICE), 1_000);
}

#[test]
fn reentrancy_attack_is_refused_and_the_books_stay_honest() {
    let (mut s, _token, bank) = bank_setup();
    let attacker = s
        .deploy(OWNER, &contract_wasm("attacker"), 0)
        .expect("attacker");
    // The attacker poses as a token with no deposit: withdraw fails before any call...
    let r = s
        .call(
            ALICE,
            attacker,
            "attack",
            &to_vec(&(bank, 10u128)).unwrap(),
            GAS,
        )
        .unwrap();
    assert_eq!(r.result, Err(CallError::Reverted(vec![1])));
    // ...so give the attacker (as depositor) a ledger entry the honest way: it deposits through
    // itself as the "token" (its transfer_from does not exist: the deposit fails too).
    let r = s
        .call(
            ALICE,
            bank,
            "deposit",
            &to_vec(&(attacker, 10u128)).unwrap(),
            GAS,
        )
        .unwrap();
    assert!(r.result.is_err());
    // The reentrant path itself: bank.withdraw(token = attacker) → attacker.transfer →
    // bank.withdraw again. The bank must be on the stack when the attacker calls it back.
    let r = s
        .call(
            Address::from(attacker),
            bank,
            "withdraw",
            &to_vec(&(attacker, 0u128)).unwrap(),
            GAS,
        )
        .unwrap();
    ok::<()>(&r);
    let code: i32 = ok(&s.call(ALICE, attacker, "reentry", &[], GAS).unwrap());
    assert_eq!(code, CALL_REENTRANCY);
    // The trace shows bank → attacker.transfer → (refused) bank.withdraw.
    assert_eq!(r.calls[0].function, "transfer");
    assert!(
        r.calls[0].calls.is_empty(),
        "the refused call never ran a frame"
    );
}

#[test]
fn a_caller_catches_a_callee_out_of_gas_and_continues() {
    let (_, mut s) = session();
    let hostile = s
        .deploy(OWNER, &contract_wasm("hostile"), 0)
        .expect("hostile");
    let attacker = s
        .deploy(OWNER, &contract_wasm("attacker"), 0)
        .expect("attacker");
    let r = s
        .call(
            ALICE,
            attacker,
            "survive",
            &to_vec(&(hostile, 200_000u64)).unwrap(),
            GAS,
        )
        .unwrap();
    assert_eq!(ok::<i32>(&r), CALL_OUT_OF_GAS);
    assert_eq!(
        (r.calls[0].gas_limit, r.calls[0].gas_spent),
        (200_000, 200_000)
    );
    assert!(r.gas_spent > 200_000 && r.gas_spent < GAS);
    assert_eq!(s.storage(&attacker, b"survived").unwrap(), Some(vec![1]));
}
