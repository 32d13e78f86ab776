//! Sortition: how stake turns into committee credits, in both modes, and the quorum math.
//!
//! Stake is counted in **lots** of [`CommitteeParams::credit_unit`](crate::committee::CommitteeParams):
//! a provisioner of weight `w` holds `n = ⌊w / unit⌋` lots out of `N` in total.
//!
//! **Private mode** (binomial, as Algorand's): for a step with `τ` expected credits, each lot is
//! selected with probability `p = τ / N`, so a provisioner's credits follow `Binomial(n, p)` and
//! its expected credits are `τ · n / N` — proportional to stake. The draw is one uniform number
//! `u` from the provisioner's VRF output: the credits are the `j` with
//! `CDF(j − 1) ≤ u < CDF(j)`. Nobody can compute it without the provisioner's secret key.
//!
//! **Public mode** (deterministic, as Dusk's): for credit `i = 0, 1, …`, hash
//! `PUBLIC_DOMAIN ‖ seed ‖ round ‖ iteration ‖ step ‖ i`, take it modulo the lots left, walk the
//! provisioners in key order to the one holding that lot, give it the credit and remove one of
//! its lots. Anybody can compute the committee from the seed.

use crate::committee::{CommitteeParams, Member};
use crate::keys::{BlsPublicKey, Seed};
use crate::stake::{Eligible, Step};
use alloc::vec::Vec;

/// Domain tag of the public sortition's hashes.
pub const PUBLIC_DOMAIN: &[u8] = b"sandbox-public-sortition-v1";

/// The lots of a weight: `⌊weight / unit⌋`, saturating at `u64::MAX` (a zero unit counts as 1).
pub fn lots(weight: u128, unit: u128) -> u64 {
    u64::try_from(weight / unit.max(1)).unwrap_or(u64::MAX)
}

/// A uniform number in `[0, 1)` from the first 8 bytes (little-endian) of a digest, with 53
/// bits of precision (exactly representable as an `f64`).
pub fn uniform(digest: &[u8; 32]) -> f64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let bits = u64::from_le_bytes(first) >> 11;
    bits as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The most credits one private claim can carry for `expected` credits: `2τ + 32` (and never
/// more than the provisioner's lots). It bounds the work of a claim; for `τ = 64` the chance
/// of a provisioner deserving more is about 2.5 · 10⁻¹⁴.
pub fn private_credit_cap(expected: u32) -> u32 {
    expected.saturating_mul(2).saturating_add(32)
}

/// Below `e^LN_NEGLIGIBLE` (≈ 10⁻³⁰⁴, still a normal `f64`) a probability is computed in log
/// space: [`private_credits`] skips the binomial's terms under it (together less than
/// `2τ + 32` times it, far below the smallest non-zero draw `2⁻⁵³`).
pub const LN_NEGLIGIBLE: f64 = -700.0;

/// Private-mode credits of a provisioner holding `lots` of `total_lots`, for a step with
/// `expected` credits, from its VRF output (see the [module docs](self)).
///
/// When `expected ≥ total_lots` every lot is selected (`p = 1`): the provisioner gets all its
/// lots (capped). Zero lots, zero total or zero expected credits give 0.
///
/// The inverse CDF walks up from 0 credits with `pmf(j + 1) = pmf(j) · (n − j)/(j + 1) · p/(1 − p)`.
/// When `pmf(0) = (1 − p)^n` is below `e^`[`LN_NEGLIGIBLE`] (a provisioner expecting hundreds
/// of credits: `(1 − 0.6)^1000 ≈ e^−909` is 0 in `f64`), the walk first runs in log space
/// until the terms matter, so the credits stay the exact inverse CDF instead of the cap. A draw
/// of exactly 0 gives 0 credits, as the exact inverse CDF does.
pub fn private_credits(output: &[u8; 32], lots: u64, total_lots: u64, expected: u32) -> u32 {
    if lots == 0 || total_lots == 0 || expected == 0 {
        return 0;
    }
    let cap = u64::from(private_credit_cap(expected)).min(lots);
    if u64::from(expected) >= total_lots {
        return cap as u32;
    }
    let p = f64::from(expected) / total_lots as f64;
    let n = lots as f64;
    let u = uniform(output);
    // pmf(0) = (1 − p)^n, computed as exp(n · ln(1 − p)) for accuracy when p is small.
    let ln_pmf0 = n * libm::log1p(-p);
    let odds = p / (1.0 - p);
    let mut credits: u64 = 0;
    let mut pmf = if ln_pmf0 >= LN_NEGLIGIBLE {
        libm::exp(ln_pmf0)
    } else {
        if u == 0.0 {
            return 0;
        }
        let ln_odds = libm::log(odds);
        let mut ln_pmf = ln_pmf0;
        while ln_pmf < LN_NEGLIGIBLE && credits < cap {
            ln_pmf += libm::log((n - credits as f64) / (credits as f64 + 1.0)) + ln_odds;
            credits += 1;
        }
        libm::exp(ln_pmf)
    };
    let mut cdf = pmf;
    while u >= cdf && credits < cap {
        // pmf(j + 1) = pmf(j) · (n − j) / (j + 1) · p / (1 − p)
        pmf *= (n - credits as f64) / (credits as f64 + 1.0) * odds;
        credits += 1;
        cdf += pmf;
    }
    credits as u32
}

/// The bytes hashed for credit `index` of a public draw.
pub fn public_draw_message(
    seed: &Seed,
    round: u64,
    iteration: u8,
    step: Step,
    index: u32,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(PUBLIC_DOMAIN.len() + 62);
    message.extend_from_slice(PUBLIC_DOMAIN);
    message.extend_from_slice(&seed.0);
    message.extend_from_slice(&round.to_le_bytes());
    message.push(iteration);
    message.push(step as u8);
    message.extend_from_slice(&index.to_le_bytes());
    message
}

/// Draw `credits` credits publicly among `provisioners` (key, lots), which must be sorted by
/// key. `hash` is BLAKE2b-256 (the host's in a contract, `blake2b_simd` natively). Returns the
/// members with at least one credit, sorted by key; fewer credits than asked only when the lots
/// run out.
pub fn public_draw(
    hash: &mut dyn FnMut(&[u8]) -> [u8; 32],
    seed: &Seed,
    slot: (u64, u8, Step),
    provisioners: &[(BlsPublicKey, u64)],
    credits: u32,
) -> Vec<Member> {
    let (round, iteration, step) = slot;
    let mut left: Vec<u64> = provisioners.iter().map(|(_, lots)| *lots).collect();
    let mut total: u128 = left.iter().map(|l| u128::from(*l)).sum();
    let mut won: Vec<u32> = alloc::vec![0; provisioners.len()];
    for index in 0..credits {
        if total == 0 {
            break;
        }
        let digest = hash(&public_draw_message(seed, round, iteration, step, index));
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        let mut target = u128::from_le_bytes(first) % total;
        for (i, lots) in left.iter_mut().enumerate() {
            let held = u128::from(*lots);
            if target < held {
                won[i] += 1;
                *lots -= 1;
                total -= 1;
                break;
            }
            target -= held;
        }
    }
    provisioners
        .iter()
        .zip(won)
        .filter(|(_, credits)| *credits > 0)
        .map(|((key, _), credits)| Member { key: *key, credits })
        .collect()
}

/// The public-mode committee of a slot, from the eligible set (sorted by key):
/// - `Proposal`: a draw of [`CommitteeParams::proposal_credits`] credits (with the default of
///   1, exactly the [`public_generator`]);
/// - `Validation` and `Ratification`: the generators of this iteration and of the next are
///   excluded, then the step's credits are drawn among the others.
pub fn public_committee(
    hash: &mut dyn FnMut(&[u8]) -> [u8; 32],
    params: &CommitteeParams,
    seed: &Seed,
    slot: (u64, u8, Step),
    eligible: &[Eligible],
) -> Vec<Member> {
    let (round, iteration, step) = slot;
    let mut provisioners = lots_of(eligible, params.credit_unit);
    if step != Step::Proposal {
        let this = public_generator(hash, seed, (round, iteration), &provisioners);
        let next = iteration
            .checked_add(1)
            .and_then(|i| public_generator(hash, seed, (round, i), &provisioners));
        provisioners.retain(|(key, _)| Some(*key) != this && Some(*key) != next);
    }
    public_draw(hash, seed, slot, &provisioners, params.credits(step))
}

/// The eligible set as (key, lots), keeping only keys with at least one lot (order kept).
pub fn lots_of(eligible: &[Eligible], unit: u128) -> Vec<(BlsPublicKey, u64)> {
    eligible
        .iter()
        .map(|e| (e.key, lots(e.weight, unit)))
        .filter(|(_, lots)| *lots > 0)
        .collect()
}

/// The generator of `(round, iteration)` in public mode: the holder of the first credit drawn
/// for the proposal step.
pub fn public_generator(
    hash: &mut dyn FnMut(&[u8]) -> [u8; 32],
    seed: &Seed,
    (round, iteration): (u64, u8),
    provisioners: &[(BlsPublicKey, u64)],
) -> Option<BlsPublicKey> {
    public_draw(
        hash,
        seed,
        (round, iteration, Step::Proposal),
        provisioners,
        1,
    )
    .first()
    .map(|m| m.key)
}

/// Credits needed for a supermajority of a committee of `credits`: `⌈2 · credits / 3⌉`
/// (43 of 64).
pub fn supermajority(credits: u32) -> u32 {
    ((u64::from(credits) * 2).div_ceil(3)) as u32
}

/// Credits needed for a majority: `⌊credits / 2⌋ + 1` (33 of 64).
pub fn majority(credits: u32) -> u32 {
    credits / 2 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A VRF output whose [`uniform`] is `u` (rounded down to 53 bits).
    fn output_for(u: f64) -> [u8; 32] {
        let bits = (u * (1u64 << 53) as f64) as u64;
        let mut output = [0u8; 32];
        output[..8].copy_from_slice(&(bits << 11).to_le_bytes());
        output
    }

    /// The binomial CDF at `0..=n`, summed from `lgamma`: independent of the walk under test.
    fn cdf_table(n: u64, p: f64) -> alloc::vec::Vec<f64> {
        let nf = n as f64;
        let mut sum = 0.0;
        (0..=n)
            .map(|k| {
                let k = k as f64;
                let ln_choose =
                    libm::lgamma(nf + 1.0) - libm::lgamma(k + 1.0) - libm::lgamma(nf - k + 1.0);
                sum += libm::exp(ln_choose + k * libm::log(p) + (nf - k) * libm::log1p(-p));
                sum
            })
            .collect()
    }

    /// The credits are the exact inverse CDF (to 10⁻⁹) for provisioners expecting few and
    /// many credits, on both sides of the log-space switch, including the cases where
    /// `(1 − p)^n` is 0 in `f64` (before the switch these all got the cap), and their mean over
    /// a grid of draws is `n · p`.
    #[test]
    fn private_credits_are_the_inverse_cdf_even_when_the_first_term_underflows() {
        // (lots, total lots, expected credits)
        let cases = [
            (1_000, 10_000, 64),    // the default committee, one tenth of the stake
            (6_500, 10_000, 1_000), // n · ln(1 / (1 − p)) = 685: the plain walk
            (7_000, 10_000, 1_000), // 737: the log-space walk
            (1_000, 10_000, 5_972), // 909: ten provisioners, a model-sized committee
            (3_000, 10_000, 10_000 - 1),
            (50_000, 100_000, 10_000),
        ];
        let grid = 2_000;
        for (lots, total, tau) in cases {
            let (n, p) = (lots as f64, f64::from(tau) / total as f64);
            assert!(u64::from(private_credit_cap(tau)) >= lots.min(2 * tau as u64));
            let table = cdf_table(lots, p);
            let cdf = |j: i64| if j < 0 { 0.0 } else { table[j as usize] };
            let mut sum = 0.0;
            for i in 0..grid {
                let u = (f64::from(i) + 0.5) / f64::from(grid);
                let c = private_credits(&output_for(u), lots, total, tau);
                let (below, at) = (cdf(i64::from(c) - 1), cdf(i64::from(c)));
                assert!(
                    below <= u + 1e-9 && u < at + 1e-9,
                    "lots {lots}, total {total}, τ {tau}, u {u}: {c} credits, CDF {below}..{at}"
                );
                sum += f64::from(c);
            }
            let mean = sum / f64::from(grid);
            assert!(
                (mean - n * p).abs() < 0.01 * n * p + 0.5,
                "lots {lots}, τ {tau}: mean {mean} against {}",
                n * p
            );
        }
        // The extreme draws: 0 gives 0 credits, the top draw at most the cap.
        assert_eq!(private_credits(&output_for(0.0), 1_000, 10_000, 5_972), 0);
        let top = private_credits(&[0xff; 32], 1_000, 10_000, 5_972);
        assert!((700..=1_000).contains(&top), "{top}");
    }
}
