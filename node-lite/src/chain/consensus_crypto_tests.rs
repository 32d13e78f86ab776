use super::*;
use consensus::{
    Built, Config, Execution, Genesis, Input, Message, Output, Provisioner, StaticEligibility,
    blake2b256, hash_of,
};
use genesis_types::Seed;
use genesis_types::committee::{CommitteeParams, Mode};
use genesis_types::stake::Eligible;
use host_api::ContractId;
use std::sync::Arc;

fn signers(n: usize) -> Vec<BlsSigner> {
    (0..n)
        .map(|i| BlsSigner::from_seed(&format!("consensus-crypto-test-{i}")))
        .collect()
}

#[test]
fn a_signature_verifies_for_its_key_and_message_only() {
    let s = signers(2);
    let crypto = BlsCrypto::new();
    let sig = s[0].sign(b"vote");
    assert!(crypto.verify(&s[0].public_key(), b"vote", &sig));
    assert!(
        !crypto.verify(&s[1].public_key(), b"vote", &sig),
        "wrong key"
    );
    assert!(
        !crypto.verify(&s[0].public_key(), b"votf", &sig),
        "wrong message"
    );
    assert_eq!(
        sig,
        s[0].sign(b"vote"),
        "unique: the sortition VRF relies on it"
    );
    // The genesis derives the same key from the same seed.
    assert_eq!(
        s[0].public_key(),
        crate::chain::keys::provisioner_key("consensus-crypto-test-0").public
    );
}

#[test]
fn an_aggregate_verifies_for_exactly_its_signers_and_message() {
    let s = signers(5);
    let crypto = BlsCrypto::new();
    let keys: Vec<_> = s.iter().map(Signer::public_key).collect();
    let sigs: Vec<_> = s[..4].iter().map(|k| k.sign(b"ratify")).collect();
    let agg = crypto.aggregate(&sigs).expect("valid signatures");
    assert!(crypto.verify_aggregate(&keys[..4], b"ratify", &agg));
    let reversed: Vec<_> = keys[..4].iter().rev().copied().collect();
    assert!(
        crypto.verify_aggregate(&reversed, b"ratify", &agg),
        "any order"
    );
    assert!(
        !crypto.verify_aggregate(&keys[..3], b"ratify", &agg),
        "a signer missing"
    );
    assert!(
        !crypto.verify_aggregate(&keys, b"ratify", &agg),
        "a non-signer added"
    );
    let mut swapped = keys[..4].to_vec();
    swapped[3] = keys[4];
    assert!(
        !crypto.verify_aggregate(&swapped, b"ratify", &agg),
        "a wrong key"
    );
    assert!(
        !crypto.verify_aggregate(&keys[..4], b"validate", &agg),
        "wrong message"
    );
    assert!(!crypto.verify_aggregate(&[], b"ratify", &agg), "no keys");
    assert_eq!(
        crypto.aggregate(&sigs[..1]),
        Some(sigs[0]),
        "one signature is itself"
    );
}

#[test]
fn undecodable_keys_and_signatures_are_refused() {
    let s = signers(1);
    let crypto = BlsCrypto::new();
    let sig = s[0].sign(b"m");
    let bad_key = BlsPublicKey([0xff; 96]);
    let bad_sig = BlsSignature([0xff; 48]);
    assert!(!crypto.verify(&bad_key, b"m", &sig));
    assert!(!crypto.verify(&s[0].public_key(), b"m", &bad_sig));
    assert_eq!(crypto.aggregate(&[sig, bad_sig]), None);
    assert!(!crypto.verify_aggregate(&[s[0].public_key(), bad_key], b"m", &sig));
    assert!(!crypto.verify_aggregate(&[s[0].public_key()], b"m", &bad_sig));
    // The identity (the aggregate of nothing) is no signature.
    let nothing = crypto.aggregate(&[]).expect("the empty sum");
    assert!(!crypto.verify_aggregate(&[s[0].public_key()], b"m", &nothing));
}

#[test]
fn keys_that_sum_to_the_identity_verify_nothing() {
    let s = signers(1);
    let crypto = BlsCrypto::new();
    let key = s[0].public_key();
    let point = Option::<G2Affine>::from(G2Affine::from_compressed(&key.0)).expect("a key");
    let negated = BlsPublicKey((-point).to_compressed());
    // Each is a valid key; their sum is the identity, which no aggregate verifies against
    // (not even the identity aggregate, for which the pairing equation would hold).
    let nothing = crypto.aggregate(&[]).expect("the empty sum");
    let sig = s[0].sign(b"m");
    for aggregate in [&nothing, &sig] {
        assert!(!crypto.verify_aggregate(&[key, negated], b"m", aggregate));
    }
    assert!(
        crypto.verify_aggregate(&[key], b"m", &sig),
        "the key alone still does"
    );
}

/// The first compressed G1 point (x = 1, 2, …) on the curve but outside the prime-order
/// subgroup: a well-formed encoding no check may accept.
fn g1_point_outside_the_subgroup() -> BlsSignature {
    (1u8..)
        .find_map(|x| {
            let mut bytes = [0u8; 48];
            bytes[0] = 0x80; // compressed, not the identity
            bytes[47] = x;
            let p = Option::<G1Affine>::from(G1Affine::from_compressed_unchecked(&bytes))?;
            (!bool::from(p.is_torsion_free())).then_some(BlsSignature(bytes))
        })
        .expect("most points of the curve are outside the subgroup")
}

/// The same for G2 (a public key).
fn g2_point_outside_the_subgroup() -> BlsPublicKey {
    (1u8..)
        .find_map(|x| {
            let mut bytes = [0u8; 96];
            bytes[0] = 0x80;
            bytes[95] = x;
            let p = Option::<G2Affine>::from(G2Affine::from_compressed_unchecked(&bytes))?;
            (!bool::from(p.is_torsion_free())).then_some(BlsPublicKey(bytes))
        })
        .expect("most points of the curve are outside the subgroup")
}

/// `bls12_381-bls`' own answer: decode both (subgroup checks included), then `verify`.
fn scheme_verify(key: &BlsPublicKey, message: &[u8], signature: &BlsSignature) -> bool {
    use dusk_bytes::Serializable;
    match (
        bls12_381_bls::PublicKey::from_bytes(&key.0),
        bls12_381_bls::Signature::from_bytes(&signature.0),
    ) {
        (Ok(key), Ok(signature)) => key.verify(&signature, message).is_ok(),
        _ => false,
    }
}

/// `BlsCrypto::verify` (its key prepared once, its own subgroup checks and pairing) answers as
/// the scheme crate's `PublicKey::verify` does, for good signatures and every kind of bad one.
#[test]
fn checks_agree_with_the_scheme_crate() {
    let s = signers(2);
    let crypto = BlsCrypto::with_verified_capacity(0);
    let (k0, k1) = (s[0].public_key(), s[1].public_key());
    let identity_key = BlsPublicKey(G2Affine::identity().to_compressed());
    let identity_sig = BlsSignature(G1Affine::identity().to_compressed());
    let cases = [
        (k0, b"vote".as_slice(), s[0].sign(b"vote")),
        (k1, b"".as_slice(), s[1].sign(b"")),
        (
            k0,
            b"a longer message of a step vote, past one hash block".as_slice(),
            s[0].sign(b"a longer message of a step vote, past one hash block"),
        ),
        (k1, b"vote".as_slice(), s[0].sign(b"vote")),
        (k0, b"votf".as_slice(), s[0].sign(b"vote")),
        (k0, b"vote".as_slice(), identity_sig),
        (identity_key, b"vote".as_slice(), identity_sig),
        (k0, b"vote".as_slice(), g1_point_outside_the_subgroup()),
        (
            g2_point_outside_the_subgroup(),
            b"vote".as_slice(),
            s[0].sign(b"vote"),
        ),
        (
            BlsPublicKey([0xff; 96]),
            b"vote".as_slice(),
            s[0].sign(b"vote"),
        ),
        (k0, b"vote".as_slice(), BlsSignature([0xff; 48])),
    ];
    for (i, (key, message, signature)) in cases.iter().enumerate() {
        let expected = scheme_verify(key, message, signature);
        assert_eq!(expected, i < 3, "case {i}: the scheme's answer");
        assert_eq!(crypto.verify(key, message, signature), expected, "case {i}");
        // Twice: the decoded key's second use answers the same.
        assert_eq!(
            crypto.verify(key, message, signature),
            expected,
            "case {i} again"
        );
    }
    assert_eq!(crypto.verified_len(), 0, "capacity 0 remembers nothing");
}

/// A successful check is remembered (answered again without decoding the key), a failed one
/// is not; the record is bounded, oldest out first, at and past its capacity.
#[test]
fn successes_are_remembered_up_to_the_bound() {
    let s = signers(3);
    let crypto = BlsCrypto::with_verified_capacity(2);
    let keys: Vec<_> = s.iter().map(Signer::public_key).collect();
    let sigs: Vec<_> = s.iter().map(|k| k.sign(b"m")).collect();
    assert!(!crypto.verify(&keys[0], b"m", &sigs[1]));
    assert_eq!(crypto.verified_len(), 0, "a failure is not remembered");
    assert!(crypto.verify(&keys[0], b"m", &sigs[0]));
    assert_eq!(crypto.verified_len(), 1);
    crypto.keys.lock().unwrap().clear();
    assert!(
        crypto.verify(&keys[0], b"m", &sigs[0]),
        "answered from the record"
    );
    assert!(
        crypto.keys.lock().unwrap().is_empty(),
        "without decoding the key"
    );
    assert!(
        !crypto.verify(&keys[0], b"n", &sigs[0]),
        "another message is another check"
    );
    let agg = crypto.aggregate(&sigs[..2]).expect("valid");
    assert!(crypto.verify_aggregate(&keys[..2], b"m", &agg));
    assert!(
        !crypto.verify_aggregate(&keys[..1], b"m", &agg),
        "another key set"
    );
    assert_eq!(crypto.verified_len(), 2, "at the bound: both kept");
    assert!(crypto.verify(&keys[2], b"m", &sigs[2]));
    assert_eq!(crypto.verified_len(), 2, "past it: the oldest left");
    crypto.keys.lock().unwrap().clear();
    assert!(crypto.verify(&keys[0], b"m", &sigs[0]), "checked again");
    assert_eq!(
        crypto.keys.lock().unwrap().len(),
        1,
        "the key decoded again"
    );
}

#[test]
fn the_key_cache_is_bounded() {
    let crypto = BlsCrypto::new();
    let s = signers(3);
    assert!(crypto.verify(&s[0].public_key(), b"m", &s[0].sign(b"m")));
    assert_eq!(crypto.keys.lock().unwrap().len(), 1);
    let decoded = crypto.keys.lock().unwrap()[&s[0].public_key()].clone();
    {
        let mut cache = crypto.keys.lock().unwrap();
        for i in 0..MAX_CACHED_KEYS - 2 {
            let mut k = [0u8; 96];
            k[..8].copy_from_slice(&(i as u64).to_le_bytes());
            cache.insert(BlsPublicKey(k), decoded.clone());
        }
        assert_eq!(cache.len(), MAX_CACHED_KEYS - 1);
    }
    assert!(crypto.verify(&s[1].public_key(), b"m", &s[1].sign(b"m")));
    assert_eq!(
        crypto.keys.lock().unwrap().len(),
        MAX_CACHED_KEYS,
        "at the limit: kept"
    );
    assert!(crypto.verify(&s[2].public_key(), b"m", &s[2].sign(b"m")));
    assert_eq!(crypto.keys.lock().unwrap().len(), 1, "one past: forgotten");
}

/// The fake executor both sides agree on: `H(parent root ‖ H(txs))`.
fn post_state(parent: &[u8; 32], txs: &[Vec<u8>]) -> [u8; 32] {
    let mut bytes = parent.to_vec();
    bytes.extend_from_slice(&hash_of(&txs.to_vec()));
    blake2b256(&bytes)
}

/// Drives `node` alone (timers in time order, building and execution answered at once) until
/// it has accepted `count` blocks; returns them and the virtual time.
fn decide_alone(node: &mut Provisioner, count: usize) -> (Vec<Arc<consensus::Block>>, u64) {
    let mut inputs = vec![(0, Input::Start)];
    let mut timers = std::collections::BTreeMap::<(u64, usize), consensus::TimerId>::new();
    let mut blocks = Vec::new();
    let mut now = 0;
    while blocks.len() < count {
        let (at, input) = inputs.pop().unwrap_or_else(|| {
            let (key, id) = timers.pop_first().expect("a timer is always set");
            (key.0, Input::TimerFired(id))
        });
        now = now.max(at);
        assert!(now < 60_000, "no block decided in a minute of virtual time");
        for output in node.handle(now, input) {
            match output {
                Output::SetTimer(id, at) => {
                    timers.insert((at, timers.len()), id);
                }
                Output::BuildCandidate {
                    round,
                    iteration,
                    parent,
                    ..
                } => {
                    let txs = vec![round.to_le_bytes().to_vec()];
                    let state_root = post_state(&parent.header().state_root, &txs);
                    let built = Built {
                        round,
                        iteration,
                        txs: Arc::new(txs),
                        state_root,
                        gas_used: 8,
                    };
                    inputs.push((now, Input::CandidateBuilt(built)));
                }
                Output::Execute {
                    candidate,
                    parent_state_root,
                } => {
                    let result = Execution::Done {
                        state_root: post_state(&parent_state_root, &candidate.txs),
                        gas_used: 8,
                    };
                    let candidate = candidate.hash();
                    inputs.push((now, Input::Executed { candidate, result }));
                }
                Output::Accept(block) => {
                    inputs.push((now, Input::Applied(block.hash())));
                    blocks.push(block);
                }
                _ => {}
            }
        }
    }
    (blocks, now)
}

/// A lone provisioner holding all the stake decides blocks with BLS votes (private mode: its
/// VRF draw gives it about 64 credits, enough for the 43-credit supermajority); an observer
/// with another key checks each block's attestation (aggregates against the voters' keys, VRF
/// proofs) and accepts it, and refuses a block whose ratification aggregate is replaced.
#[test]
fn a_quorum_certificate_made_with_bls_verifies_at_another_node() {
    let genesis = Genesis {
        seed: Seed([3; 48]),
        state_root: [0; 32],
        timestamp: 0,
    };
    let voter_key = BlsSigner::from_seed("consensus-crypto-voter");
    let eligible = vec![Eligible {
        key: voter_key.public_key(),
        weight: 1_000,
    }];
    let params = CommitteeParams::with_default_sizes(ContractId([0; 32]), Mode::Private, 1);
    let eligibility = Arc::new(StaticEligibility::new(eligible, params));
    let node = |signer: BlsSigner| {
        Provisioner::new(
            Config::default(),
            &genesis,
            Arc::new(signer),
            Arc::new(BlsCrypto::new()),
            eligibility.clone(),
        )
        .expect("the default config is valid")
    };
    let mut voter = node(voter_key);
    let mut observer = node(BlsSigner::from_seed("consensus-crypto-observer"));
    let (blocks, now) = decide_alone(&mut voter, 2);
    observer.handle(0, Input::Start);
    let accepts = |outputs: &[Output], height: u64| {
        outputs
            .iter()
            .any(|o| matches!(o, Output::Accept(b) if b.header().height == height))
    };
    let mut forged = blocks[0].as_ref().clone();
    assert!(!forged.attestation.validation.voters.is_empty());
    forged.attestation.ratification.aggregate = forged.attestation.validation.aggregate;
    let out = observer.handle(now, Input::Message(0, Arc::new(Message::Block(forged))));
    assert!(!accepts(&out, 1), "a wrong aggregate is refused");
    for block in &blocks {
        let height = block.header().height;
        let message = Arc::new(Message::Block(block.as_ref().clone()));
        let out = observer.handle(now, Input::Message(0, message));
        assert!(accepts(&out, height), "block {height} accepted: {out:?}");
        observer.handle(now, Input::Applied(block.hash()));
    }
    assert_eq!(observer.chain().tip().hash, blocks[1].hash());
}

/// `verify_all` answers as the scheme crate's `PublicKey::verify` on each check, for every
/// case of [`checks_agree_with_the_scheme_crate`] checked together with a good signature by
/// the same key and by another key, in both orders, and for three good ones.
#[test]
fn combined_checks_agree_with_the_scheme_crate() {
    let s = signers(2);
    let crypto = BlsCrypto::with_verified_capacity(0);
    let (k0, k1) = (s[0].public_key(), s[1].public_key());
    let identity_key = BlsPublicKey(G2Affine::identity().to_compressed());
    let identity_sig = BlsSignature(G1Affine::identity().to_compressed());
    let vote = s[0].sign(b"vote");
    let cases: Vec<(BlsPublicKey, &[u8], BlsSignature)> = vec![
        (k0, b"vote", vote),
        (k1, b"", s[1].sign(b"")),
        (k0, b"proof", s[0].sign(b"proof")),
        (k1, b"vote", vote),
        (k0, b"votf", vote),
        (k0, b"vote", identity_sig),
        (identity_key, b"vote", identity_sig),
        (k0, b"vote", g1_point_outside_the_subgroup()),
        (g2_point_outside_the_subgroup(), b"vote", vote),
        (BlsPublicKey([0xff; 96]), b"vote", vote),
        (k0, b"vote", BlsSignature([0xff; 48])),
    ];
    let good_same_key = (k0, b"seed".as_slice(), s[0].sign(b"seed"));
    let good_other_key = (k1, b"seed".as_slice(), s[1].sign(b"seed"));
    for (i, case) in cases.iter().enumerate() {
        let expected = scheme_verify(&case.0, case.1, &case.2);
        assert_eq!(expected, i < 3, "case {i}: the scheme's answer");
        for good in [&good_same_key, &good_other_key] {
            assert!(scheme_verify(&good.0, good.1, &good.2));
            for pair in [[case, good], [good, case]] {
                let checks: Vec<_> = pair.iter().map(|(k, m, s)| (k, *m, s)).collect();
                assert_eq!(crypto.verify_all(&checks), expected, "case {i}: {pair:?}");
            }
        }
    }
    let three: Vec<_> = cases[..3].iter().map(|(k, m, s)| (k, *m, s)).collect();
    assert!(crypto.verify_all(&three), "three good checks, two keys");
    assert!(crypto.verify_all(&[]), "nothing to check");
    assert_eq!(crypto.verified_len(), 0, "capacity 0 remembers nothing");
}

/// Two bad signatures by one key whose errors cancel in their sum (`σ₁ + T`, `σ₂ − T`): the
/// sum satisfies `e(σ₁' + σ₂', g₂) = e(H(m₁) + H(m₂), pk)`, so a combination without
/// coefficients would accept them; `verify_all` refuses them, as each alone is refused.
#[test]
fn a_combined_check_refuses_errors_that_cancel_in_a_plain_sum() {
    let s = signers(1);
    let crypto = BlsCrypto::with_verified_capacity(16);
    let key = s[0].public_key();
    let point = |sig: &BlsSignature| {
        Option::<G1Affine>::from(G1Affine::from_compressed(&sig.0)).expect("a signature")
    };
    let (s1, s2, t) = (
        point(&s[0].sign(b"m1")),
        point(&s[0].sign(b"m2")),
        point(&s[0].sign(b"t")),
    );
    let bad1 = BlsSignature(G1Affine::from(G1Projective::from(s1) + t).to_compressed());
    let bad2 = BlsSignature(G1Affine::from(G1Projective::from(s2) - t).to_compressed());
    assert!(!scheme_verify(&key, b"m1", &bad1) && !scheme_verify(&key, b"m2", &bad2));
    // The plain sum holds.
    let h = |m: &[u8]| {
        <G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(m, HASH_TO_G1_DST)
    };
    let sum = G1Affine::from(G1Projective::from(point(&bad1)) + point(&bad2));
    let pk = Option::<G2Affine>::from(G2Affine::from_compressed(&key.0)).expect("a key");
    assert_eq!(
        dusk_bls12_381::pairing(&sum, &G2Affine::generator()),
        dusk_bls12_381::pairing(&G1Affine::from(h(b"m1") + h(b"m2")), &pk),
        "the errors cancel in the plain sum"
    );
    assert!(!crypto.verify_all(&[(&key, b"m1", &bad1), (&key, b"m2", &bad2)]));
    assert!(!crypto.verify_all(&[(&key, b"m2", &bad2), (&key, b"m1", &bad1)]));
    assert_eq!(crypto.verified_len(), 0);
}

/// A combined check that holds remembers each of its checks (answered alone afterwards
/// without decoding the key); one that fails remembers none of them, not even the good one,
/// which its own check then records; a check already remembered is not made again.
#[test]
fn combined_checks_remember_only_what_verified() {
    let s = signers(2);
    let crypto = BlsCrypto::with_verified_capacity(16);
    let (k0, k1) = (s[0].public_key(), s[1].public_key());
    let (a, b) = (s[0].sign(b"a"), s[0].sign(b"b"));
    let wrong = s[1].sign(b"b");
    assert!(!crypto.verify_all(&[(&k0, b"a", &a), (&k0, b"b", &wrong)]));
    assert_eq!(
        crypto.verified_len(),
        0,
        "a failed combination records nothing"
    );
    assert!(crypto.verify(&k0, b"a", &a), "the good one alone");
    assert_eq!(crypto.verified_len(), 1);
    assert!(
        !crypto.verify_all(&[(&k0, b"a", &a), (&k0, b"b", &wrong)]),
        "one remembered, the other still bad"
    );
    assert_eq!(crypto.verified_len(), 1);
    assert!(crypto.verify_all(&[(&k0, b"a", &a), (&k0, b"b", &b), (&k1, b"b", &wrong)]));
    assert_eq!(crypto.verified_len(), 3, "each check remembered");
    crypto.keys.lock().unwrap().clear();
    assert!(crypto.verify(&k0, b"b", &b) && crypto.verify(&k1, b"b", &wrong));
    assert!(crypto.verify_all(&[(&k0, b"a", &a), (&k0, b"b", &b)]));
    assert!(
        crypto.keys.lock().unwrap().is_empty(),
        "answered from the record"
    );
}

/// A signer recording into a verifier: each signature it makes is answered as checked without
/// decoding its key, the answer `PublicKey::verify` gives; another message with the same
/// signature is still checked (and refused).
#[test]
fn a_recording_signer_makes_its_checks_remembered() {
    let crypto = Arc::new(BlsCrypto::new());
    let signer = BlsSigner::from_seed("consensus-crypto-test-0").recording_into(crypto.clone());
    assert!(signer.records(), "its key pair matches");
    assert_eq!(
        crypto.verified_len(),
        0,
        "the pair's own check is not recorded"
    );
    let key = signer.public_key();
    let sig = signer.sign(b"vote");
    assert_eq!(crypto.verified_len(), 1);
    crypto.keys.lock().unwrap().clear();
    assert!(scheme_verify(&key, b"vote", &sig));
    assert!(crypto.verify(&key, b"vote", &sig));
    assert!(crypto.verify_all(&[(&key, b"vote", &sig)]));
    assert!(
        crypto.keys.lock().unwrap().is_empty(),
        "answered from the record"
    );
    assert!(!crypto.verify(&key, b"votf", &sig), "another message");
    assert_eq!(crypto.verified_len(), 1);
}

/// A signer whose public key is not its secret's records nothing: its signatures are checked
/// (and refused) as anyone's.
#[test]
fn a_signer_whose_key_does_not_match_records_nothing() {
    let crypto = Arc::new(BlsCrypto::new());
    let mut pair = crate::chain::keys::provisioner_key("consensus-crypto-test-0");
    let other = crate::chain::keys::provisioner_key("consensus-crypto-test-1").public;
    pair.public = other;
    let signer = BlsSigner::from(pair).recording_into(crypto.clone());
    assert!(!signer.records());
    let sig = signer.sign(b"vote");
    assert_eq!(crypto.verified_len(), 0);
    assert!(!scheme_verify(&other, b"vote", &sig));
    assert!(!crypto.verify(&other, b"vote", &sig));
}
