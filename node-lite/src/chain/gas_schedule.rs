//! The gas schedule's fingerprint: what a genesis file pins so that every node of a chain charges
//! the same gas for the same call.
//!
//! It is the runtime's own [`runtime::gas_schedule_fingerprint`] over the node's host-function
//! [`PriceTable`], the runtime's default per-operator costs ([`OperatorCosts::default`]) and
//! its default limits ([`Limits::default`]: the memory limit, the stack, the call depth…),
//! written as 64 hex characters: a change to any of them moves it (and the default genesis file's
//! `gas_schedule` with it). The engine's fingerprint (`runtime::engine_fingerprint`) is not a
//! substitute: it also hashes the target and compiler settings, which differ between honest
//! nodes on other machines.

use runtime::{Limits, OperatorCosts, PriceTable};

/// The fingerprint of `prices` with the runtime's default operator costs and limits, as 64
/// lower-case hex characters.
pub fn gas_schedule_fingerprint(prices: &PriceTable) -> String {
    hex::encode(runtime::gas_schedule_fingerprint(
        prices,
        &OperatorCosts::default(),
        &Limits::default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_price_changes_the_fingerprint() {
        let base = PriceTable::default();
        let fingerprint = gas_schedule_fingerprint(&base);
        assert_eq!(fingerprint.len(), 64);
        assert_eq!(fingerprint, gas_schedule_fingerprint(&base.clone()));
        let mut first = base;
        first.call_base += 1;
        let mut last = base;
        last.plonk_verify_per_byte += 1;
        assert_ne!(gas_schedule_fingerprint(&first), fingerprint);
        assert_ne!(gas_schedule_fingerprint(&last), fingerprint);
    }
}
