//! The Input/Output contract of one provisioner, driven by hand: a lone provisioner holding
//! all the stake decides every block by itself (private mode: its VRF draw gives it about
//! 64 credits, enough for the 43-credit supermajority most of the time).

use consensus::crypto::fake::FakeKeys;
use consensus::{
    Built, Config, Execution, Genesis, Input, Message, Output, Persisted, Provisioner,
    StaticEligibility, blake2b256, hash_of,
};
use genesis_types::Seed;
use genesis_types::committee::{CommitteeParams, Mode};
use genesis_types::stake::Eligible;
use host_api::ContractId;
use std::collections::BTreeMap;
use std::sync::Arc;

fn lone(mode: Mode) -> Provisioner {
    let mut keys = FakeKeys::default();
    let signer = keys.generate(3, 1).remove(0);
    let eligible = vec![Eligible {
        key: consensus::Signer::public_key(&signer),
        weight: 1_000,
    }];
    let params = CommitteeParams::with_default_sizes(ContractId([0; 32]), mode, 1);
    Provisioner::new(
        Config::default(),
        &Genesis {
            seed: Seed([1; 48]),
            state_root: [0; 32],
            timestamp: 0,
        },
        Arc::new(signer),
        Arc::new(keys.crypto()),
        Arc::new(StaticEligibility::new(eligible, params)),
    )
    .unwrap()
}

/// Drives one node: timers in a queue, execution answered at once. Returns every output.
fn drive(
    node: &mut Provisioner,
    first: Input,
    until_height: u64,
    persisted: &mut Persisted,
) -> Vec<Output> {
    let mut timers = BTreeMap::new();
    let mut inputs = vec![(0u64, first)];
    let mut all = Vec::new();
    let mut now = 0;
    let mut steps = 0;
    while node.chain().tip().block.header().height < until_height {
        steps += 1;
        assert!(steps < 100_000, "no progress");
        let (at, input) = match inputs.pop() {
            Some(x) => x,
            None => {
                let (&(at, seq), _) = timers.iter().next().expect("a timer is always set");
                let id = timers.remove(&(at, seq)).unwrap();
                (at, Input::TimerFired(id))
            }
        };
        now = now.max(at);
        for output in node.handle(now, input) {
            persisted.apply(&output, 256);
            match &output {
                Output::SetTimer(id, at) => {
                    timers.insert((*at, timers.len() as u64 + now), *id);
                }
                Output::BuildCandidate {
                    round,
                    iteration,
                    parent,
                    ..
                } => {
                    let txs = vec![round.to_le_bytes().to_vec()];
                    let mut bytes = parent.header().state_root.to_vec();
                    bytes.extend_from_slice(&hash_of(&txs));
                    inputs.push((
                        now,
                        Input::CandidateBuilt(Built {
                            round: *round,
                            iteration: *iteration,
                            txs: Arc::new(txs),
                            state_root: blake2b256(&bytes),
                            gas_used: 8,
                        }),
                    ));
                }
                Output::Execute {
                    candidate,
                    parent_state_root,
                } => {
                    let mut bytes = parent_state_root.to_vec();
                    bytes.extend_from_slice(&hash_of(&candidate.txs));
                    inputs.push((
                        now,
                        Input::Executed {
                            candidate: candidate.hash(),
                            result: Execution::Done {
                                state_root: blake2b256(&bytes),
                                gas_used: 8,
                            },
                        },
                    ));
                }
                _ => {}
            }
            all.push(output);
        }
    }
    all
}

#[test]
fn a_vote_is_persisted_before_it_is_broadcast() {
    // Private mode only: in public mode the committees exclude this and the next iteration's
    // generator, and a lone provisioner is both (see the README).
    for mode in [Mode::Private] {
        let mut node = lone(mode);
        let mut persisted = Persisted::default();
        let outputs = drive(&mut node, Input::Start, 5, &mut persisted);
        let mut persisted_so_far = Vec::new();
        let mut votes = 0;
        for output in &outputs {
            match output {
                Output::Persist(record) => persisted_so_far.push(record.message.clone()),
                Output::Broadcast(m)
                    if matches!(m.as_ref(), Message::Vote(_) | Message::Candidate(_)) =>
                {
                    votes += 1;
                    assert!(
                        persisted_so_far.contains(m),
                        "{mode:?}: broadcast before persist"
                    );
                }
                _ => {}
            }
        }
        assert!(
            votes >= 15,
            "{mode:?}: a candidate and two votes per block, got {votes}"
        );
        let finals = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Labels(c) => Some(
                    c.iter()
                        .filter(|c| c.label == consensus::Label::Final)
                        .count(),
                ),
                _ => None,
            })
            .sum::<usize>();
        assert_eq!(finals, 4, "{mode:?}: blocks 1..=4 final once 5 is accepted");
    }
}

#[test]
fn a_restarted_node_resends_its_votes_instead_of_signing_new_ones() {
    let mut node = lone(Mode::Private);
    let mut persisted = Persisted::default();
    drive(&mut node, Input::Start, 2, &mut persisted);
    // Crash: a fresh machine restarts from what was persisted, whose records cover round 3 only
    // if it already voted there. Let it vote in round 3, then crash and restart.
    let mut first_run = Vec::new();
    for output in node.handle(
        5_000,
        Input::TimerFired(consensus::TimerId {
            round: 3,
            iteration: 0,
            kind: consensus::TimerKind::Step(genesis_types::stake::Step::Proposal),
        }),
    ) {
        persisted.apply(&output, 256);
        first_run.push(output);
    }
    let voted: Vec<_> = persisted
        .records
        .iter()
        .filter(|r| r.slot.0 == 3)
        .cloned()
        .collect();
    assert!(
        !voted.is_empty(),
        "voted NoCandidate in round 3 after the proposal timeout"
    );
    let mut restarted = lone(Mode::Private);
    let mut after = Persisted::default();
    let outputs = drive(
        &mut restarted,
        Input::Restart(persisted.clone()),
        3,
        &mut after,
    );
    for record in &voted {
        let resent = outputs
            .iter()
            .any(|o| matches!(o, Output::Broadcast(m) if *m == record.message));
        assert!(resent, "the persisted vote is sent again");
    }
    let new_in_slot = outputs
        .iter()
        .any(|o| matches!(o, Output::Persist(r) if voted.iter().any(|v| v.slot == r.slot)));
    assert!(
        !new_in_slot,
        "nothing new is signed in a slot voted before the crash"
    );
}
