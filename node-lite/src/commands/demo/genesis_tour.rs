//! The demo's genesis section: the protocol's rules running as contracts.

use super::DemoResult;
use crate::chain::GenesisConfig;
use crate::genesis::{Genesis, ProvisionerKey, returned};
use genesis_types::committee::{Membership, MembershipClaim, Thresholds, sortition_message};
use genesis_types::stake::{Eligible, Equivocation, StakeError, StakeInfo, Step, VoteHeader};
use host_api::Address;
use runtime::{BlockInfo, Session};
use std::io::Write;

const GAS: u64 = crate::genesis::GENESIS_CALL_GAS;

fn query<A: borsh::BorshSerialize, R: borsh::BorshDeserialize>(
    s: &mut Session,
    contract: host_api::ContractId,
    function: &str,
    args: &A,
) -> Result<R, Box<dyn std::error::Error>> {
    let r = s.call(
        Address([0x0b; 32]),
        contract,
        function,
        &borsh::to_vec(args)?,
        GAS,
    )?;
    Ok(returned(&r)?)
}

/// Deploy the genesis contracts, stake, draw a private committee, refuse an application's
/// protocol call and slash an equivocation, printing each step.
pub fn run(out: &mut dyn Write, s: &mut Session, deployer: Address) -> DemoResult {
    let config = GenesisConfig::default_devnet()?;
    let params = config.stake;
    let g = Genesis::deploy(s, deployer, &config.stake, &config.committee)?;
    writeln!(
        out,
        "  transfer, stake and committee deployed; `init` by the protocol (host-only)"
    )?;
    let stakes = [1_000u128, 2_000, 3_000, 4_000];
    let provisioners: Vec<(ProvisionerKey, Address)> = (0..stakes.len())
        .map(|i| {
            (
                ProvisionerKey::from_seed([i as u8 + 1; 32]),
                Address([0xa0 + i as u8; 32]),
            )
        })
        .collect();
    let start = s.block();
    s.set_block(BlockInfo { height: 1, ..start });
    for ((key, owner), amount) in provisioners.iter().zip(stakes) {
        g.mint(s, *owner, amount)?;
        returned::<()>(&g.stake(s, key, *owner, amount)?)?;
    }
    let epoch = params.epoch_length;
    let eligible_now: Vec<Eligible> = query(s, g.stake, "eligible_set", &1u64)?;
    let eligible_next: Vec<Eligible> = query(s, g.stake, "eligible_set", &epoch)?;
    let total: u128 = eligible_next.iter().map(|e| e.weight).sum();
    writeln!(
        out,
        "  4 provisioners stake {stakes:?} at height 1 (epoch 0; epochs of {epoch} blocks)\n  \
         eligible in epoch 0: {}; in epoch 1: {}, total stake {total} (stake matures at an epoch boundary)",
        eligible_now.len(),
        eligible_next.len()
    )?;

    let round = epoch + 50;
    s.set_block(BlockInfo {
        height: round,
        ..start
    });
    let seed = genesis_types::Seed([7; 48]);
    let thresholds: Thresholds = query(s, g.committee, "thresholds", &Step::Validation)?;
    writeln!(
        out,
        "  private sortition, round {round}, validation step ({} credits expected): each \
         provisioner signs the slot with its BLS key; the contract verifies the VRF proof",
        thresholds.committee
    )?;
    let mut committee = 0;
    for (i, ((key, _), amount)) in provisioners.iter().zip(stakes).enumerate() {
        let message = sortition_message(&seed, round, 0, Step::Validation);
        let claim = MembershipClaim {
            key: key.public,
            seed,
            round,
            iteration: 0,
            step: Step::Validation,
            proof: key.sign(&message),
        };
        let m: Membership = query(s, g.committee, "verify_membership", &claim)?;
        committee += m.credits;
        writeln!(
            out,
            "    provisioner {} (stake {amount:>5}): {:>3} credits",
            i + 1,
            m.credits
        )?;
    }
    writeln!(
        out,
        "    committee: {committee} credits; a valid result needs {} of {}",
        thresholds.supermajority, thresholds.committee
    )?;

    let r = s.call(
        provisioners[0].1,
        g.stake,
        "reward",
        &borsh::to_vec(&vec![(provisioners[0].0.public, 1_000_000u128)])?,
        GAS,
    )?;
    let refusal = match &r.result {
        Ok(_) => "ACCEPTED (a bug)".to_string(),
        Err(runtime::CallError::Reverted(bytes)) => match borsh::from_slice::<StakeError>(bytes) {
            Ok(e) => format!("refused with {e:?}, nothing changed"),
            Err(_) => format!("refused ({} bytes)", bytes.len()),
        },
        Err(e) => format!("failed: {e}"),
    };
    writeln!(
        out,
        "  provisioner 1 calls the host-only stake.reward for itself: {refusal}"
    )?;

    let (cheater, _) = &provisioners[3];
    let vote = |payload: u8| {
        let header = VoteHeader {
            round,
            iteration: 0,
            step: Step::Validation,
            payload: [payload; 32],
        };
        header.signed(|message| cheater.sign(message))
    };
    let proof = Equivocation {
        key: cheater.public,
        first: vote(1),
        second: vote(2),
    };
    let supply_before: u128 = query(s, g.transfer, "total_supply", &())?;
    let burnt: u128 = query(s, g.stake, "slash", &proof)?;
    let supply: u128 = query(s, g.transfer, "total_supply", &())?;
    let info: Option<StakeInfo> = query(s, g.stake, "stake_of", &cheater.public)?;
    writeln!(
        out,
        "  provisioner 4 signs two different validation votes in round {round}; anyone submits \
         both:\n    slashed {burnt} (burnt: supply {supply_before} -> {supply}), its stake is now {}",
        info.map_or(0, |i| i.total())
    )?;
    s.set_block(start);
    Ok(())
}
