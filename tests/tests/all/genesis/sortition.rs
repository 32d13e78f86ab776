//! The sortition math of `genesis_types::sortition`, natively — the same source the committee
//! contract runs (its agreement with the contract is checked in `committee.rs`): credits are
//! proportional to stake (chi-square over 10,000 draws, at significance 0.001), bounded, and
//! the quorum arithmetic is Dusk's.

use genesis_types::committee::Member;
use genesis_types::sortition::{
    majority, private_credit_cap, private_credits, public_draw, supermajority, uniform,
};
use genesis_types::stake::{StakeInfo, Step};
use genesis_types::{BlsPublicKey, Seed};
use proptest::prelude::*;

const DRAWS: u64 = 10_000;
/// Lots of five provisioners (1 : 2 : 3 : 4 : 10).
const LOTS: [u64; 5] = [1_000, 2_000, 3_000, 4_000, 10_000];
/// χ² critical values at significance 0.001: 4 and 5 degrees of freedom.
const CHI2_999_DF4: f64 = 18.467;
const CHI2_999_DF5: f64 = 20.515;

fn hash(m: &[u8]) -> [u8; 32] {
    runtime::blake2b_256(&[m])
}

fn key(i: usize) -> BlsPublicKey {
    BlsPublicKey([i as u8 + 1; 96])
}

fn chi_square(observed: &[f64], expected: &[f64]) -> f64 {
    observed
        .iter()
        .zip(expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum()
}

/// Total private-mode credits per provisioner over `DRAWS` independent VRF outputs (hashes
/// standing in for the provisioners' signatures), counting each provisioner's lots as `lots`.
fn private_totals(lots: &[u64; 5], expected: u32) -> ([f64; 5], Vec<u32>) {
    let total_lots: u64 = LOTS.iter().sum();
    let mut totals = [0f64; 5];
    let mut committee_sizes = Vec::with_capacity(DRAWS as usize);
    for draw in 0..DRAWS {
        let mut size = 0;
        for (i, n) in lots.iter().enumerate() {
            let output = hash(&[b"vrf".as_slice(), &draw.to_le_bytes(), &[i as u8]].concat());
            let credits = private_credits(&output, *n, total_lots, expected);
            totals[i] += f64::from(credits);
            size += credits;
        }
        committee_sizes.push(size);
    }
    (totals, committee_sizes)
}

#[test]
fn private_credits_are_proportional_to_stake() {
    let tau = 64;
    let (totals, sizes) = private_totals(&LOTS, tau);
    let total_lots: u64 = LOTS.iter().sum();
    let expected: Vec<f64> = LOTS
        .iter()
        .map(|n| (DRAWS * u64::from(tau)) as f64 * *n as f64 / total_lots as f64)
        .collect();
    // The five totals are independent sums (nothing fixes their sum): 5 degrees of freedom.
    let x2 = chi_square(&totals, &expected);
    assert!(
        x2 < CHI2_999_DF5,
        "χ² = {x2:.2} ≥ {CHI2_999_DF5} (totals {totals:?}, expected {expected:?})"
    );

    // The committee's size: mean τ, standard deviation about √τ (Poisson-like).
    let mean = sizes.iter().map(|s| f64::from(*s)).sum::<f64>() / DRAWS as f64;
    let var = sizes
        .iter()
        .map(|s| (f64::from(*s) - mean).powi(2))
        .sum::<f64>()
        / DRAWS as f64;
    assert!((mean - 64.0).abs() < 0.5, "mean committee {mean}");
    assert!((var.sqrt() - 8.0).abs() < 0.5, "std {}", var.sqrt());
    let below_quorum = sizes.iter().filter(|s| **s < supermajority(tau)).count();
    println!(
        "private sortition, τ = {tau}, {DRAWS} draws: χ² = {x2:.2} (df 5, critical {CHI2_999_DF5}); \
         committee size mean {mean:.2}, std {:.2}, min {}, max {}; below 43 credits in {below_quorum} draws",
        var.sqrt(),
        sizes.iter().min().unwrap(),
        sizes.iter().max().unwrap()
    );
}

#[test]
fn the_chi_square_test_catches_a_ten_percent_bias() {
    // The negative control: the same draws, but the first provisioner counted with 10 % more
    // lots than it has. The test above must reject this.
    let mut biased = LOTS;
    biased[0] += LOTS[0] / 10;
    let (totals, _) = private_totals(&biased, 64);
    let total_lots: u64 = LOTS.iter().sum();
    let expected: Vec<f64> = LOTS
        .iter()
        .map(|n| (DRAWS * 64) as f64 * *n as f64 / total_lots as f64)
        .collect();
    let x2 = chi_square(&totals, &expected);
    assert!(x2 > CHI2_999_DF5, "a biased draw passed: χ² = {x2:.2}");
}

fn public_totals(credits: u32, step: Step) -> [f64; 5] {
    let provisioners: Vec<(BlsPublicKey, u64)> =
        LOTS.iter().enumerate().map(|(i, n)| (key(i), *n)).collect();
    let mut totals = [0f64; 5];
    let mut h = hash;
    for draw in 0..DRAWS {
        let mut seed = [0u8; 48];
        seed[..8].copy_from_slice(&draw.to_le_bytes());
        for Member { key: k, credits } in
            public_draw(&mut h, &Seed(seed), (draw, 0, step), &provisioners, credits)
        {
            totals[usize::from(k.0[0] - 1)] += f64::from(credits);
        }
    }
    totals
}

#[test]
fn public_credits_are_proportional_to_stake() {
    let total_lots: u64 = LOTS.iter().sum();
    for (credits, step) in [(64u32, Step::Validation), (1, Step::Proposal)] {
        let totals = public_totals(credits, step);
        let drawn = (DRAWS * u64::from(credits)) as f64;
        assert_eq!(totals.iter().sum::<f64>(), drawn, "every credit is drawn");
        let expected: Vec<f64> = LOTS
            .iter()
            .map(|n| drawn * *n as f64 / total_lots as f64)
            .collect();
        // The totals add up to the credits drawn: 4 degrees of freedom.
        let x2 = chi_square(&totals, &expected);
        assert!(
            x2 < CHI2_999_DF4,
            "{step:?}: χ² = {x2:.2} (totals {totals:?})"
        );
        println!(
            "public sortition, {credits} credit(s) × {DRAWS} draws: χ² = {x2:.2} (df 4, critical {CHI2_999_DF4})"
        );
    }
}

#[test]
fn quorum_is_dusks_two_thirds_and_majority() {
    assert_eq!((supermajority(64), majority(64)), (43, 33));
    assert_eq!((supermajority(3), majority(3)), (2, 2));
    assert_eq!((supermajority(1), majority(1)), (1, 1));
}

#[test]
fn uniform_spans_the_unit_interval() {
    assert_eq!(uniform(&[0; 32]), 0.0);
    let top = uniform(&[0xff; 32]);
    assert!(top < 1.0 && top > 0.999_999_999);
}

#[test]
fn a_small_total_selects_every_lot() {
    // τ ≥ all the lots there are: p = 1.
    assert_eq!(private_credits(&[0x55; 32], 7, 40, 64), 7);
    assert_eq!(private_credits(&[0x55; 32], 7, 64, 64), 7);
}

fn output_with_uniform(top: u8) -> [u8; 32] {
    let mut output = [0u8; 32];
    output[7] = top;
    output
}

proptest! {
    #[test]
    fn private_credits_are_bounded_and_monotone_in_the_draw(
        lots in 0u64..50_000,
        extra in 0u64..1_000_000,
        tau in 1u32..=200,
        low in any::<u8>(),
        high in any::<u8>(),
    ) {
        let total = lots + extra;
        let (low, high) = (low.min(high), low.max(high));
        let a = private_credits(&output_with_uniform(low), lots, total, tau);
        let b = private_credits(&output_with_uniform(high), lots, total, tau);
        prop_assert!(a <= b, "credits fell as the draw rose: {a} > {b}");
        prop_assert!(u64::from(b) <= lots && b <= private_credit_cap(tau));
        if lots == 0 {
            prop_assert_eq!(b, 0);
        }
    }

    #[test]
    fn a_public_draw_hands_out_every_credit_it_can(
        lots in proptest::collection::vec(0u64..40, 1..8),
        credits in 0u32..100,
        seed in any::<[u8; 32]>(),
    ) {
        let provisioners: Vec<(BlsPublicKey, u64)> =
            lots.iter().enumerate().map(|(i, n)| (key(i), *n)).collect();
        let mut seed48 = [0u8; 48];
        seed48[..32].copy_from_slice(&seed);
        let mut h = hash;
        let members = public_draw(&mut h, &Seed(seed48), (1, 0, Step::Validation), &provisioners, credits);
        let handed: u64 = members.iter().map(|m| u64::from(m.credits)).sum();
        prop_assert_eq!(handed, u64::from(credits).min(lots.iter().sum()));
        for m in &members {
            let i = usize::from(m.key.0[0] - 1);
            prop_assert!(m.credits > 0 && u64::from(m.credits) <= lots[i]);
        }
        prop_assert!(members.windows(2).all(|w| w[0].key < w[1].key));
    }

    #[test]
    fn weight_is_zero_outside_the_window_suspended_or_below_minimum(
        locked in 0u128..10_000,
        eligible_from in 0u64..20,
        window in 1u64..10,
        suspended_from in 0u64..30,
        suspension in 0u64..5,
        epoch in 0u64..40,
    ) {
        let info = StakeInfo {
            locked,
            eligible_from,
            expires_at: eligible_from + window,
            suspended_from,
            suspended_until: suspended_from + suspension,
            ..StakeInfo::default()
        };
        let w = info.weight_at(epoch, 1_000);
        let active = eligible_from <= epoch
            && epoch < eligible_from + window
            && !(suspended_from <= epoch && epoch < suspended_from + suspension)
            && locked >= 1_000;
        prop_assert_eq!(w, if active { locked } else { 0 });
    }
}
