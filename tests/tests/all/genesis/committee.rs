//! `committee`: private membership claims (VRF), the public committee, seed chaining and the
//! quorum thresholds — each checked against the node's native computation of the same math.

use super::{Chain, Provisioner};
use genesis_types::committee::{
    CommitteeError, Member, Membership, MembershipClaim, Mode, Thresholds, seed_message,
    sortition_message,
};
use genesis_types::sortition::{lots_of, private_credits, public_committee, public_generator};
use genesis_types::stake::{Eligible, Step};
use genesis_types::{BlsPublicKey, BlsSignature, Seed};
use runtime::Receipt;
use runtime::testing::{account, decode_error, decode_return};

/// A round in epoch 1, when the stakes placed in epoch 0 are eligible.
const ROUND: u64 = 15;

fn chain(mode: Mode, stakes: &[u128]) -> (Chain, Vec<Provisioner>) {
    let mut c = Chain::new(mode);
    let ps: Vec<Provisioner> = (1..=stakes.len() as u64).map(Provisioner::new).collect();
    c.set_epoch(0);
    for (p, amount) in ps.iter().zip(stakes) {
        c.fund_and_stake(p, *amount);
    }
    c.h.set_block_height(ROUND);
    (c, ps)
}

fn hash(m: &[u8]) -> [u8; 32] {
    runtime::blake2b_256(&[m])
}

fn seed(n: u8) -> Seed {
    Seed([n; 48])
}

fn claim(p: &Provisioner, seed: Seed, round: u64, iteration: u8, step: Step) -> MembershipClaim {
    let proof = p.sign(&sortition_message(&seed, round, iteration, step));
    MembershipClaim {
        key: p.key,
        seed,
        round,
        iteration,
        step,
        proof,
    }
}

fn membership(c: &mut Chain, claim: &MembershipClaim) -> Receipt {
    c.call(account("verifier"), c.committee, "verify_membership", claim)
}

fn error(r: &Receipt) -> Option<CommitteeError> {
    decode_error(r)
}

#[test]
fn a_private_claim_gets_the_credits_the_node_computes() {
    let stakes = [1_000u128, 2_000, 3_000, 4_000];
    let (mut c, ps) = chain(Mode::Private, &stakes);
    let mut validation_credits = 0;
    for (p, stake) in ps.iter().zip(stakes) {
        for step in Step::ALL {
            let claim = claim(p, seed(7), ROUND, 0, step);
            let got: Membership = decode_return(&membership(&mut c, &claim)).unwrap();
            let priority = hash(&claim.proof.0);
            let expected_credits = if step == Step::Proposal { 5 } else { 64 };
            let native = private_credits(&priority, stake as u64, 10_000, expected_credits);
            assert_eq!(
                got,
                Membership {
                    credits: native,
                    priority
                },
                "{step:?}"
            );
            if step == Step::Validation {
                validation_credits += got.credits;
            }
        }
    }
    // Four draws around an expected 64: anything from 20 to 120 is plausible, 0 is a bug.
    assert!(
        (20..=120).contains(&validation_credits),
        "{validation_credits}"
    );
}

#[test]
fn forged_or_misplaced_vrf_proofs_are_refused() {
    let (mut c, ps) = chain(Mode::Private, &[2_000, 3_000]);
    let good = claim(&ps[0], seed(7), ROUND, 0, Step::Validation);
    let mut by_other_key = good;
    by_other_key.proof = claim(&ps[1], seed(7), ROUND, 0, Step::Validation).proof;
    let mut other_slot = good;
    other_slot.proof = claim(&ps[0], seed(7), ROUND, 1, Step::Validation).proof;
    let mut other_seed = good;
    other_seed.seed = seed(8);
    let mut garbage = good;
    garbage.proof = BlsSignature([0xab; 48]);
    for (name, forged) in [
        ("another key's proof", by_other_key),
        ("the proof of another iteration", other_slot),
        ("a proof for another seed", other_seed),
        ("bytes that are no point", garbage),
    ] {
        assert_eq!(
            error(&membership(&mut c, &forged)),
            Some(CommitteeError::BadProof),
            "{name}"
        );
    }
    assert!(membership(&mut c, &good).is_success());
}

#[test]
fn no_credits_without_active_stake() {
    let (mut c, ps) = chain(Mode::Private, &[2_000]);
    // A key that never staked, with a perfectly valid proof.
    let outsider = Provisioner::new(50);
    let r = membership(
        &mut c,
        &claim(&outsider, seed(1), ROUND, 0, Step::Validation),
    );
    assert_eq!(error(&r), Some(CommitteeError::NotEligible));
    // A staked key before its stake matured (round 5 is in epoch 0).
    let r = membership(&mut c, &claim(&ps[0], seed(1), 5, 0, Step::Validation));
    assert_eq!(error(&r), Some(CommitteeError::NotEligible));
}

#[test]
fn the_public_committee_is_the_one_the_node_computes() {
    let stakes = [1_000u128, 2_000, 3_000, 4_000, 5_000];
    let (mut c, _) = chain(Mode::Public, &stakes);
    let params = super::committee_params(c.stake, Mode::Public);
    let set: Vec<Eligible> = c.eligible(1);
    let mut hash = hash;
    for n in 0..12u8 {
        let s = seed(n);
        let generator: Option<BlsPublicKey> =
            decode_return(&c.call(account("any"), c.committee, "generator", &(s, ROUND, 0u8)))
                .unwrap();
        let native_generator = public_generator(&mut hash, &s, (ROUND, 0), &lots_of(&set, 1));
        assert_eq!(generator, native_generator);
        let next_generator = public_generator(&mut hash, &s, (ROUND, 1), &lots_of(&set, 1));
        for step in [Step::Validation, Step::Ratification] {
            let args = (s, ROUND, 0u8, step);
            let got: Vec<Member> =
                decode_return(&c.call(account("any"), c.committee, "committee", &args)).unwrap();
            let native = public_committee(&mut hash, &params, &s, (ROUND, 0, step), &set);
            assert_eq!(got, native);
            assert_eq!(got.iter().map(|m| m.credits).sum::<u32>(), 64);
            assert!(got.windows(2).all(|w| w[0].key < w[1].key), "sorted by key");
            for excluded in [generator, next_generator].into_iter().flatten() {
                assert!(got.iter().all(|m| m.key != excluded), "a generator votes");
            }
        }
    }
}

#[test]
fn each_mode_refuses_the_others_queries() {
    let (mut c, ps) = chain(Mode::Public, &[2_000]);
    let r = membership(&mut c, &claim(&ps[0], seed(1), ROUND, 0, Step::Validation));
    assert_eq!(error(&r), Some(CommitteeError::WrongMode));
    let (mut c, _) = chain(Mode::Private, &[2_000]);
    let args = (seed(1), ROUND, 0u8, Step::Validation);
    let r = c.call(account("any"), c.committee, "committee", &args);
    assert_eq!(error(&r), Some(CommitteeError::WrongMode));
    let r = c.call(
        account("any"),
        c.committee,
        "generator",
        &(seed(1), ROUND, 0u8),
    );
    assert_eq!(error(&r), Some(CommitteeError::WrongMode));
}

#[test]
fn seeds_chain_through_verified_generator_signatures() {
    let (mut c, ps) = chain(Mode::Private, &[2_000, 3_000]);
    let mut previous = seed(0);
    for link in 0..3 {
        let generator = &ps[link % 2];
        let signature = generator.sign(&seed_message(&previous));
        let r = c.call(
            account("any"),
            c.committee,
            "next_seed",
            &(previous, generator.key, signature),
        );
        let next: Seed = decode_return(&r).unwrap();
        assert_eq!(next, Seed::from(signature));
        assert_ne!(next, previous);
        // The other provisioner's signature, or a signature over another seed, is refused.
        let impostor = &ps[(link + 1) % 2];
        let forged = impostor.sign(&seed_message(&previous));
        let r = c.call(
            account("any"),
            c.committee,
            "next_seed",
            &(previous, generator.key, forged),
        );
        assert_eq!(error(&r), Some(CommitteeError::BadSeedSignature));
        let stale = generator.sign(&seed_message(&seed(99)));
        let r = c.call(
            account("any"),
            c.committee,
            "next_seed",
            &(previous, generator.key, stale),
        );
        assert_eq!(error(&r), Some(CommitteeError::BadSeedSignature));
        previous = next;
    }
}

#[test]
fn thresholds_are_two_thirds_and_a_half() {
    let (mut c, _) = chain(Mode::Public, &[2_000]);
    let t: Thresholds =
        decode_return(&c.call(account("any"), c.committee, "thresholds", &Step::Validation))
            .unwrap();
    assert_eq!(
        t,
        Thresholds {
            committee: 64,
            supermajority: 43,
            majority: 33
        }
    );
    let t: Thresholds =
        decode_return(&c.call(account("any"), c.committee, "thresholds", &Step::Proposal)).unwrap();
    assert_eq!(
        t,
        Thresholds {
            committee: 1,
            supermajority: 1,
            majority: 1
        }
    );
}
