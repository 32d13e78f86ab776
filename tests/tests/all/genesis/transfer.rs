//! `transfer`: balances, mint and burn, allowances, and the fee reservation a transaction goes
//! through.

use super::Chain;
use genesis_types::committee::Mode;
use genesis_types::transfer::{FeeSettled, TransferError};
use runtime::testing::{account, decode_error, decode_return};

fn error(r: &runtime::Receipt) -> Option<TransferError> {
    decode_error(r)
}

#[test]
fn mint_transfer_and_burn_keep_the_supply_exact() {
    let mut c = Chain::new(Mode::Private);
    let (alice, bob) = (account("alice"), account("bob"));
    c.mint(alice, 1_000);
    assert_eq!((c.balance(alice), c.supply()), (1_000, 1_000));

    let r = c.call(alice, c.transfer, "transfer", &(bob, 400u128));
    assert!(r.is_success());
    assert_eq!((c.balance(alice), c.balance(bob)), (600, 400));

    // Paying more than one holds fails and changes nothing.
    let r = c.call(bob, c.transfer, "transfer", &(alice, 401u128));
    assert_eq!(error(&r), Some(TransferError::InsufficientBalance));
    assert_eq!((c.balance(alice), c.balance(bob)), (600, 400));

    let r = c.call(bob, c.transfer, "burn", &150u128);
    assert!(r.is_success());
    assert_eq!((c.balance(bob), c.supply()), (250, 850));
    let r = c.call(bob, c.transfer, "burn", &251u128);
    assert_eq!(error(&r), Some(TransferError::InsufficientBalance));
    assert_eq!(c.supply(), 850);
}

#[test]
fn minting_past_u128_overflows_and_changes_nothing() {
    let mut c = Chain::new(Mode::Private);
    let alice = account("alice");
    c.mint(alice, u128::MAX);
    let r = c.protocol(c.transfer, "mint", &(account("bob"), 1u128));
    assert_eq!(error(&r), Some(TransferError::Overflow));
    assert_eq!((c.balance(account("bob")), c.supply()), (0, u128::MAX));
}

#[test]
fn transfer_from_spends_the_allowance_exactly() {
    let mut c = Chain::new(Mode::Private);
    let (owner, spender, payee) = (account("owner"), account("spender"), account("payee"));
    c.mint(owner, 100);
    assert!(
        c.call(owner, c.transfer, "approve", &(spender, 60u128))
            .is_success()
    );
    let r = c.call(
        spender,
        c.transfer,
        "transfer_from",
        &(owner, payee, 61u128),
    );
    assert_eq!(error(&r), Some(TransferError::InsufficientAllowance));
    let r = c.call(
        spender,
        c.transfer,
        "transfer_from",
        &(owner, payee, 60u128),
    );
    assert!(r.is_success());
    assert_eq!((c.balance(owner), c.balance(payee)), (40, 60));
    let left: u128 = c.query(c.transfer, "allowance", &(owner, spender));
    assert_eq!(left, 0);
}

#[test]
fn a_fee_is_reserved_before_and_settled_after_a_transaction() {
    let mut c = Chain::new(Mode::Private);
    let (payer, generator) = (account("payer"), account("generator"));
    c.mint(payer, 1_000_000);

    // Reserve gas_limit × price = 50,000 × 3.
    let r = c.protocol(c.transfer, "reserve_fee", &(payer, 50_000u64, 3u64));
    assert_eq!(decode_return::<u128>(&r).unwrap(), 150_000);
    assert_eq!(c.balance(payer), 850_000);
    let held: u128 = c.query(c.transfer, "escrow_of", &payer);
    assert_eq!(held, 150_000);

    // The transaction spent 20,000 gas: 60,000 to the generator, 90,000 back.
    let r = c.protocol(
        c.transfer,
        "settle_fee",
        &(payer, 50_000u64, 20_000u64, 3u64, generator),
    );
    let settled: FeeSettled = decode_return(&r).unwrap();
    assert_eq!((settled.paid, settled.refunded), (60_000, 90_000));
    assert_eq!((c.balance(payer), c.balance(generator)), (940_000, 60_000));
    assert_eq!(c.query::<_, u128>(c.transfer, "escrow_of", &payer), 0);
    assert_eq!(
        c.supply(),
        1_000_000,
        "fees move tokens, they do not create or destroy them"
    );

    // A second settlement of the same reservation is refused.
    let r = c.protocol(
        c.transfer,
        "settle_fee",
        &(payer, 50_000u64, 0u64, 3u64, generator),
    );
    assert_eq!(error(&r), Some(TransferError::NoReservation));
}

#[test]
fn an_unpayable_transaction_is_refused_at_reservation() {
    let mut c = Chain::new(Mode::Private);
    let payer = account("poor");
    c.mint(payer, 149_999);
    let r = c.protocol(c.transfer, "reserve_fee", &(payer, 50_000u64, 3u64));
    assert_eq!(error(&r), Some(TransferError::InsufficientBalance));
    assert_eq!(c.balance(payer), 149_999);
    assert_eq!(c.query::<_, u128>(c.transfer, "escrow_of", &payer), 0);
    // At exactly the balance it is payable.
    let r = c.protocol(c.transfer, "reserve_fee", &(payer, 49_999u64, 3u64));
    assert!(r.is_success());
    assert_eq!(c.balance(payer), 2);
}

#[test]
fn settling_more_gas_than_the_limit_is_refused() {
    let mut c = Chain::new(Mode::Private);
    let payer = account("payer");
    c.mint(payer, 1_000);
    c.protocol_ok(c.transfer, "reserve_fee", &(payer, 100u64, 1u64));
    let r = c.protocol(
        c.transfer,
        "settle_fee",
        &(payer, 100u64, 101u64, 1u64, account("g")),
    );
    assert_eq!(error(&r), Some(TransferError::SpentOverLimit));
    // At the limit: everything goes to the beneficiary.
    let r = c.protocol(
        c.transfer,
        "settle_fee",
        &(payer, 100u64, 100u64, 1u64, account("g")),
    );
    assert!(r.is_success());
    assert_eq!((c.balance(payer), c.balance(account("g"))), (900, 100));
}
