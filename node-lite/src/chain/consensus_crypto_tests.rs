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

#[test]
fn the_key_cache_is_bounded() {
    let crypto = BlsCrypto::new();
    let s = signers(3);
    assert!(crypto.verify(&s[0].public_key(), b"m", &s[0].sign(b"m")));
    assert_eq!(crypto.keys.lock().unwrap().len(), 1);
    let decoded = crypto.keys.lock().unwrap()[&s[0].public_key()];
    {
        let mut cache = crypto.keys.lock().unwrap();
        for i in 0..MAX_CACHED_KEYS - 2 {
            let mut k = [0u8; 96];
            k[..8].copy_from_slice(&(i as u64).to_le_bytes());
            cache.insert(BlsPublicKey(k), decoded);
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
                        txs,
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
                Output::Accept(block) => blocks.push(block),
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
    }
    assert_eq!(observer.chain().tip().hash, blocks[1].hash());
}
