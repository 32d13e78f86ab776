//! How a block's reward is shared between its generator and the voters whose votes it includes.
//!
//! Dusk splits a block's reward 70 % to the generator, up to 10 % more to the generator for the
//! votes it includes, 10 % to those voters by credit and 10 % to a development fund
//! (`../shared/research/consensus-and-devnet.md` §1.7). A devnet has no fund, and the "extra"
//! share rewards what the voters' share already rewards, so the split here is simpler:
//! **[`VOTERS_SHARE_PERCENT`] % of the reward to the included voters, in proportion to their
//! credits (rounded down), the rest — 80 % and every rounding remainder — to the generator**;
//! with no voters the generator gets everything. Nothing is burnt: the amounts always sum to the
//! reward.
//!
//! The reward is the block's emission only. Transaction fees go to the generator's owner as each
//! transaction settles (`chain::block_exec`), so what the protocol calls do never depends on which
//! transactions a block carries.

use genesis_types::BlsPublicKey;
use std::collections::BTreeMap;

/// The voters' share of a block's reward, in percent.
pub const VOTERS_SHARE_PERCENT: u128 = 20;

/// Each key's reward (sorted by key, without zero amounts) for a block whose `generator`
/// includes the votes of `voters` (key, credits), out of `reward`.
pub fn split_reward(
    reward: u128,
    generator: BlsPublicKey,
    voters: &[(BlsPublicKey, u32)],
) -> Vec<(BlsPublicKey, u128)> {
    let credits: u128 = voters.iter().map(|(_, c)| u128::from(*c)).sum();
    // reward × 20 / 100 without overflowing a u128.
    let pool = reward / 100 * VOTERS_SHARE_PERCENT + reward % 100 * VOTERS_SHARE_PERCENT / 100;
    let mut shares: BTreeMap<BlsPublicKey, u128> = BTreeMap::new();
    let mut paid: u128 = 0;
    for (key, c) in voters {
        // pool × c / credits, with c ≤ credits: split to stay within u128. No credits, no
        // voters' share.
        let c = u128::from(*c);
        let share = match (pool.checked_div(credits), pool.checked_rem(credits)) {
            (Some(quotient), Some(rest)) => quotient * c + rest * c / credits,
            _ => 0,
        };
        *shares.entry(*key).or_default() += share;
        paid += share;
    }
    *shares.entry(generator).or_default() += reward - paid;
    shares
        .into_iter()
        .filter(|(_, amount)| *amount > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> BlsPublicKey {
        BlsPublicKey([b; 96])
    }

    #[test]
    fn voters_share_a_fifth_by_credits_and_the_generator_the_rest() {
        let split = split_reward(1_000, key(0), &[(key(1), 30), (key(2), 10)]);
        assert_eq!(split, vec![(key(0), 800), (key(1), 150), (key(2), 50)]);
    }

    #[test]
    fn rounding_goes_to_the_generator_and_nothing_is_lost() {
        let split = split_reward(1_001, key(9), &[(key(1), 1), (key(2), 1), (key(3), 1)]);
        let total: u128 = split.iter().map(|(_, a)| a).sum();
        assert_eq!(total, 1_001);
        // Pool 200: 66 each, generator 1,001 − 198 = 803.
        assert_eq!(split.last(), Some(&(key(9), 803)));
        let huge = split_reward(u128::MAX, key(0), &[(key(1), u32::MAX), (key(2), 1)]);
        assert_eq!(huge.iter().map(|(_, a)| a).sum::<u128>(), u128::MAX);
    }

    #[test]
    fn without_voters_the_generator_takes_all_and_a_generator_may_vote() {
        assert_eq!(split_reward(500, key(0), &[]), vec![(key(0), 500)]);
        let split = split_reward(100, key(0), &[(key(0), 1)]);
        assert_eq!(split, vec![(key(0), 100)]);
        assert!(split_reward(0, key(0), &[(key(1), 3)]).is_empty());
    }
}
